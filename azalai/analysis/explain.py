"""Why did this happen? Cause chains of single events, and the causes behind differences between paired runs.

Every simulated event carries the mechanism that produced it and up to four cause links
(``cause_json``: a list of ``{kind, index, value}``). Some links point at other records:

* a sweep's ``attack`` link holds the index of the attack event that triggered it;
* an operation's (or a protest's) ``tip`` link holds the id of the tip it acted on;
* a clash's ``seizure`` link holds the place of the convoy seizure that aggrieved its initiator;
* a protest's ``sweep`` link names the place of the sweep it answers.

:func:`explain_event` follows those references (recursively, a few steps deep) and shows the referenced
events too. :func:`explain_difference` (in :mod:`azalai.analysis.explain_difference`) compares two paired
runs (same seed, two policies) and groups the extra events of B over A by their causes, ranked into
sentences such as "12 more signatory clashes, 9 of which follow seizures on the Anéfis–Kidal route".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from azalai.analysis.causes import SEIZURE_SUB, link_text, scenario_index, split_id, with_links
from azalai.analysis.explain_difference import DifferenceExplanation, explain_difference
from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem

TAKEOVER_SUBS = ("Government regains territory", "Non-state actor overtakes territory")
SEIZURE_WINDOW_DAYS = 60  # the violence mechanism's memory of a seizure


@dataclass
class EventExplanation:
    """One event, its cause links in words and as data, and the events and tips its links refer to."""

    event_id: str
    summary: str
    mechanism: str
    chain: list[str]
    links: list[dict[str, Any]]
    referenced: list["EventExplanation"] = field(default_factory=list)
    tips: list[dict[str, Any]] = field(default_factory=list)
    via: str = ""  # the link kind by which a referenced event was reached

    def lines(self, indent: int = 0) -> list[str]:
        pad = "  " * indent
        head = f"{pad}{'<- ' + self.via + ': ' if self.via else ''}{self.summary}"
        out = [head, f"{pad}  mechanism: {self.mechanism or '-'}"]
        if self.links:
            out.append(f"{pad}  causes:")
            for i, lk in enumerate(self.links, 1):
                ref = f"  [see {lk['ref_event']}]" if lk.get("ref_event") else ""
                ref += f"  [tip #{lk['ref_tip']}]" if lk.get("ref_tip") is not None else ""
                out.append(f"{pad}    {i}. {lk['text']}{ref}")
        else:
            out.append(f"{pad}  causes: none recorded")
        for t in self.tips:
            out.append(
                f"{pad}  tip #{t['tip_id']}: {'true' if t.get('true') else 'FALSE'} tip to {t.get('force')} from "
                f"{t.get('source_community')} (patron {t.get('informant_group') or '-'}) naming {t.get('accused')} "
                f"at {t.get('place')}; vetted={bool(t.get('vetted'))}, acted on={bool(t.get('acted_on'))}"
            )
        for r in self.referenced:
            out.extend(r.lines(indent + 1))
        return out

    def text(self) -> str:
        return "\n".join(self.lines())

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id, "summary": self.summary, "mechanism": self.mechanism, "via": self.via,
            "chain": self.chain, "links": self.links, "tips": self.tips,
            "referenced": [r.to_dict() for r in self.referenced],
        }  # fmt: skip


def _summary(row: Mapping[str, Any]) -> str:
    a1, a2 = row.get("actor1") or "", row.get("actor2") or ""
    who = f"{a1} vs {a2}" if a2 else a1
    date = row.get("event_date")
    date = date.isoformat() if hasattr(date, "isoformat") else str(date)
    date = date[:10]
    fat = int(row.get("fatalities") or 0)
    return (f"{row['event_id_cnty']} {date} (day {int(row.get('day', -1))}): {row.get('sub_event_type')} at "
            f"{row.get('location')} ({row.get('admin1')}): {who}; {fat} killed")  # fmt: skip


def _locate(events, event_id: Any) -> int:
    """Row position of an event given its id ('AZ7-12'), its number (12) or its row position."""
    ids = events["event_id_cnty"].astype(str).tolist()
    key = str(event_id).strip()
    if key in ids:
        return ids.index(key)
    if key.isdigit() and ids:
        sp = split_id(ids[0])
        if sp is not None:
            cand = f"{sp[0]}{int(key)}"
            if cand in ids:
                return ids.index(cand)
    n = len(ids)
    span = f"{ids[0]} .. {ids[-1]}" if n else "none: the run recorded no events"
    raise InputError(
        Problem("<arguments>", None, None, "EVENT_ID",
                f"no event '{event_id}' in this run ({n} events: {span}); give an id such as "
                f"{ids[min(n - 1, 0)] if n else 'AZ0-1'} or its number")  # fmt: skip
    )


def _find_seizure(events, row, place: int) -> str | None:
    """The latest seizure at ``place`` (of the clash initiator's convoy if any) within the memory window."""
    day = int(row["day"])
    cands = []
    for r in events.itertuples(index=False):
        if r.sub_event_type != SEIZURE_SUB or not (day - SEIZURE_WINDOW_DAYS <= int(r.day) <= day):
            continue
        if any(lk["kind"] == "seizure" and int(lk["index"]) == place for lk in r.cause_links):
            cands.append((r.actor2_id == row["actor1_id"], int(r.day), r.event_id_cnty))
    if not cands:
        return None
    return max(cands)[2]


def _find_tip_event(events, tip_id: int, exclude: str, tips=None) -> str | None:
    if tips is not None and len(tips):
        t = tips[tips["tip_id"] == tip_id]
        if len(t) and int(t.iloc[0]["event_index"]) >= 0:
            sp = split_id(exclude)
            if sp is not None:
                eid = f"{sp[0]}{int(t.iloc[0]['event_index']) + 1}"
                return eid if eid != exclude else None
    for r in events.itertuples(index=False):
        if r.event_id_cnty == exclude or r.mechanism != "operations" or r.event_type == "Protests":
            continue
        if any(lk["kind"] == "tip" and int(lk["index"]) == tip_id for lk in r.cause_links):
            return r.event_id_cnty
    return None


def _find_sweep(events, row, place: int) -> str | None:
    for r in events.itertuples(index=False):
        if r.sub_event_type != "Arrests" or int(r.day) != int(row["day"]) or r.event_id_cnty == row["event_id_cnty"]:
            continue
        if any(lk["kind"] == "sweep" and int(lk["index"]) == place for lk in r.cause_links):
            return r.event_id_cnty
    return None


def _find_clash(events, row) -> str | None:
    for r in events.itertuples(index=False):
        if (r.sub_event_type == "Armed clash" and int(r.day) == int(row["day"]) and r.place_id == row["place_id"]
                and {r.actor1_id, r.actor2_id} == {row["actor1_id"], row["actor2_id"]}):  # fmt: skip
            return r.event_id_cnty
    return None


def explain_event(
    events,
    event_id: Any,
    tips=None,
    scenario: Any = DEFAULT_SCENARIO,
    index: Any = None,
    depth: int = 3,
    _via: str = "",
    _seen: set | None = None,
) -> EventExplanation:
    """The cause chain of one event, following references to the events and tips it points to.

    ``events`` is an event frame (from :func:`azalai.simulate`, ``simulate_batch`` or the store's
    ``run_events``); ``event_id`` an id such as ``"AZ7-12"`` or just its number. ``tips`` (optional)
    is the run's tip frame, which adds each referenced tip's informant, accused and vetting.
    """
    idx = index if index is not None else scenario_index(scenario)
    events = with_links(events)
    pos = _locate(events, event_id)
    row = events.iloc[pos].to_dict()
    eid = str(row["event_id_cnty"])
    seen = _seen if _seen is not None else set()
    seen.add(eid)
    sp = split_id(eid)
    links = []
    refs: list[tuple[str, str]] = []
    tip_rows = []
    for lk in row["cause_links"]:
        d = {"kind": lk["kind"], "index": int(lk["index"]), "value": float(lk["value"]), "text": link_text(idx, lk)}
        ref = None
        if lk["kind"] == "attack" and int(lk["index"]) >= 0 and sp is not None:
            ref = f"{sp[0]}{int(lk['index']) + 1}"
        elif lk["kind"] == "tip":
            d["ref_tip"] = int(lk["index"])
            ref = _find_tip_event(events, int(lk["index"]), eid, tips)
            if tips is not None and len(tips):
                t = tips[tips["tip_id"] == int(lk["index"])]
                if len(t):
                    tip_rows.append({k: (v.item() if hasattr(v, "item") else v) for k, v in t.iloc[0].to_dict().items()})
        elif lk["kind"] == "seizure" and row.get("sub_event_type") != SEIZURE_SUB:
            ref = _find_seizure(events, row, int(lk["index"]))
        elif lk["kind"] == "sweep" and row.get("sub_event_type") != "Arrests":
            ref = _find_sweep(events, row, int(lk["index"]))
        elif lk["kind"] == "control_shift" and row.get("sub_event_type") in TAKEOVER_SUBS and row.get("mechanism") == "violence":
            ref = _find_clash(events, row)
        if ref is not None:
            d["ref_event"] = ref
            refs.append((lk["kind"], ref))
        links.append(d)
    for t in tip_rows:
        for k in ("date",):
            if hasattr(t.get(k), "isoformat"):
                t[k] = t[k].isoformat()[:10]
    chain = [s for s in str(row.get("cause_chain") or "").split(" -> ") if s]
    exp = EventExplanation(eid, _summary(row), str(row.get("mechanism") or ""), chain, links, tips=tip_rows, via=_via)
    if depth > 0:
        ids = set(events["event_id_cnty"].astype(str))
        for kind, ref in refs:
            if ref in seen:
                continue
            if ref not in ids:
                exp.links.append({"kind": "note", "index": -1, "value": 0.0,
                                  "text": f"referenced event {ref} is not in this event log"})  # fmt: skip
                continue
            exp.referenced.append(
                explain_event(events, ref, tips=tips, index=idx, depth=depth - 1, _via=kind, _seen=seen)
            )
    return exp


__all__ = ["EventExplanation", "explain_event", "DifferenceExplanation", "explain_difference", "scenario_index"]

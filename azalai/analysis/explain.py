"""Why did this happen? Cause chains of single events, and the causes behind differences between paired runs.

Every simulated event carries the mechanism that produced it and up to four cause links
(``cause_json``: a list of ``{kind, index, value}``). Some links point at other records:

* a sweep's ``attack`` link holds the index of the attack event that triggered it;
* an operation's (or a protest's) ``tip`` link holds the id of the tip it acted on;
* a clash's ``seizure`` link holds the place of the convoy seizure that aggrieved its initiator;
* a protest's ``sweep`` link names the place of the sweep it answers.

:func:`explain_event` follows those references (recursively, a few steps deep) and shows the referenced
events too. :func:`explain_difference` compares two paired runs (same seed, two policies) and groups the
extra events of B over A by their causes, ranked into sentences such as "12 more signatory clashes,
9 of which follow seizures on the Anéfis–Kidal route".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Sequence

from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem

SEIZURE_SUB = "Looting/property destruction"
TAKEOVER_SUBS = ("Government regains territory", "Non-state actor overtakes territory")
#: Outcome explained by each category of :func:`explain_difference`.
CATEGORY_OUTCOME = {
    "signatory_clashes": "signatory_clashes",
    "misdirected_ops": "misdirected_ops",
    "detentions": "detentions",
    "fatalities": "fatalities",
    "seizures": "seizures",
}
CATEGORY_WORDS = {
    "signatory_clashes": ("signatory clash", "signatory clashes"),
    "misdirected_ops": ("misdirected operation", "misdirected operations"),
    "detentions": ("detention", "detentions"),
    "fatalities": ("fatality", "fatalities"),
    "seizures": ("convoy seizure", "convoy seizures"),
    "events": ("event", "events"),
}
SEIZURE_WINDOW_DAYS = 60  # the violence mechanism's memory of a seizure


# ---------------------------------------------------------------------------------------------- helpers


@lru_cache(maxsize=8)
def _index_by_name(name: str):
    from azalai.model.world import build_world
    from azalai.scenario.loader import load_scenario

    return build_world(load_scenario(name))[1]


def scenario_index(scenario: Any = DEFAULT_SCENARIO):
    """The name index (places, communities, actors ...) of a scenario given by name, path or object."""
    if scenario is None:
        scenario = DEFAULT_SCENARIO
    if isinstance(scenario, str):
        return _index_by_name(scenario)
    if hasattr(scenario, "places") and hasattr(scenario, "actors") and hasattr(scenario, "communities"):
        if hasattr(scenario, "meta"):  # a Scenario
            from azalai.model.world import build_world

            return build_world(scenario)[1]
        return scenario  # already an Index
    raise TypeError(f"not a scenario: {scenario!r}")


def _links(cell: Any) -> list[dict]:
    if isinstance(cell, list):
        return cell
    if cell is None or (isinstance(cell, float) and cell != cell) or cell == "":
        return []
    return json.loads(cell)


def _with_links(events):
    if "cause_links" not in events.columns:
        events = events.copy()
        events["cause_links"] = [_links(c) for c in events["cause_json"]]
    return events


def _split_id(event_id: str) -> tuple[str, int] | None:
    m = re.match(r"^(.*?)(\d+)$", str(event_id))
    if not m:
        return None
    return m.group(1), int(m.group(2))


def _place_name(idx, i: int) -> str:
    return idx.place_names[i] if 0 <= i < len(idx.places) else f"place {i}"


def _comm(idx, i: int) -> str:
    return idx.communities[i] if 0 <= i < len(idx.communities) else f"community {i}"


def _actor(idx, i: int) -> str:
    return idx.actors[i] if 0 <= i < len(idx.actors) else f"actor {i}"


def _link_text(idx, link: Mapping[str, Any]) -> str:
    from azalai.model.events import CK, describe_link

    kind = CK.get(link["kind"], -1)
    if kind < 0:
        return f"{link['kind']} {link['index']} {link['value']}"
    return describe_link(idx, kind, int(link["index"]), float(link["value"]))


# ---------------------------------------------------------------------------------------------- one event


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
        sp = _split_id(ids[0])
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
            sp = _split_id(exclude)
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
    events = _with_links(events)
    pos = _locate(events, event_id)
    row = events.iloc[pos].to_dict()
    eid = str(row["event_id_cnty"])
    seen = _seen if _seen is not None else set()
    seen.add(eid)
    sp = _split_id(eid)
    links = []
    refs: list[tuple[str, str]] = []
    tip_rows = []
    for lk in row["cause_links"]:
        d = {"kind": lk["kind"], "index": int(lk["index"]), "value": float(lk["value"]), "text": _link_text(idx, lk)}
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


# ---------------------------------------------------------------------------------------------- differences


@dataclass
class DifferenceExplanation:
    """Ranked sentences and the table behind them."""

    sentences: list[str]
    table: Any  # DataFrame: category, group, a, b, diff, share
    n_pairs: int = 1
    label_a: str = "A"
    label_b: str = "B"

    def text(self) -> str:
        return "\n".join(f"{i}. {s}" for i, s in enumerate(self.sentences, 1))

    def to_dict(self) -> dict[str, Any]:
        return {
            "label_a": self.label_a, "label_b": self.label_b, "n_pairs": self.n_pairs,
            "sentences": self.sentences, "table": self.table.to_dict(orient="records"),
        }  # fmt: skip


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _route(idx, a: int, b: int) -> str:
    if a == b or b < 0:
        return f"at {_place_name(idx, a)}"
    x, y = sorted((a, b))
    return f"on the {_place_name(idx, x)}–{_place_name(idx, y)} route"


def _items(events, idx) -> list[tuple[str, str, float]]:
    """(category, group, amount) for every event of one run."""
    kind = {a: k for a, k in zip(idx.actors, idx.actor_kind)}
    place_of = {p: i for i, p in enumerate(idx.places)}
    order = {a: i for i, a in enumerate(idx.actors)}
    out: list[tuple[str, str, float]] = []
    for r in events.itertuples(index=False):
        links = r.cause_links
        kinds = [lk["kind"] for lk in links]
        first = kinds[0] if kinds else "none"
        counted = False
        if r.fatalities:
            out.append(("fatalities", f"in {str(r.event_type).lower()} in {r.admin1}", float(r.fatalities)))
        if (r.sub_event_type == "Armed clash" and r.mechanism == "violence"
                and kind.get(r.actor1_id) == "signatory" and kind.get(r.actor2_id) == "signatory"):  # fmt: skip
            x, y = sorted((r.actor1_id, r.actor2_id), key=lambda k: order.get(k, 10**6))
            sz = next((lk for lk in links if lk["kind"] == "seizure"), None)
            if sz is not None:
                g = f"follow seizures {_route(idx, int(sz['index']), place_of.get(r.place_id, -1))}"
            else:
                rb = next((lk for lk in links if lk["kind"] == "restraint_broken"), None)
                if rb is not None:
                    g = f"follow a breakdown of accord restraint between {x} and {y}"
                else:
                    g = f"arise from tension between {x} and {y} with restraint holding"
            out.append(("signatory_clashes", g, 1.0))
            counted = True
        if r.mechanism == "operations" and "false_tip" in kinds:
            ft = next(lk for lk in links if lk["kind"] == "false_tip")
            out.append(("misdirected_ops", f"acted on false tips from {_comm(idx, int(ft['index']))} naming {r.actor2_id}", 1.0))
            counted = True
        if r.sub_event_type == "Arrests" and "detentions" in kinds:
            dt_ = next(lk for lk in links if lk["kind"] == "detentions")
            out.append(("detentions", f"in sweeps at {r.location}", float(dt_["value"])))
            counted = True
        if r.sub_event_type == SEIZURE_SUB and r.mechanism == "trafficking":
            how = "by forces" if first == "mission_focus" else "by rival groups"
            whose = f"{r.actor2_id} convoys" if r.actor2_id else "unprotected convoys"
            out.append(("seizures", f"{whose} seized {how} at {r.location}", 1.0))
            counted = True
        if not counted:
            # Everything else, by mechanism, kind, first cause and place.
            cause = first.replace("_", " ") if first != "none" else "no recorded cause"
            out.append(("events", f"{str(r.sub_event_type).lower()} ({r.mechanism or '-'}; first cause: {cause}) at {r.location}", 1.0))
    return out


def _group_table(frames_a: list, frames_b: list, idx):
    import pandas as pd

    n = max(len(frames_a), 1)

    def agg(frames):
        acc: dict[tuple[str, str], float] = {}
        for ev in frames:
            for cat, grp, v in _items(_with_links(ev), idx):
                acc[(cat, grp)] = acc.get((cat, grp), 0.0) + v
        return acc

    ga, gb = agg(frames_a), agg(frames_b)
    keys = sorted(set(ga) | set(gb))
    rows = [{"category": c, "group": g, "a": ga.get((c, g), 0.0) / n, "b": gb.get((c, g), 0.0) / n} for c, g in keys]
    t = pd.DataFrame(rows, columns=["category", "group", "a", "b"])
    t["diff"] = t["b"] - t["a"]
    tot = t.groupby("category")["diff"].transform("sum")
    t["share"] = (t["diff"] / tot.where(tot != 0)).fillna(0.0)
    t["absdiff"] = t["diff"].abs()
    t = t.sort_values(["category", "absdiff"], ascending=[True, False]).drop(columns="absdiff").reset_index(drop=True)
    return t


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}"


def _mean_outcome(outs: Sequence[Mapping[str, float]], key: str) -> float | None:
    vals = [float(o[key]) for o in outs if key in o]
    return sum(vals) / len(vals) if vals else None


def explain_difference(
    events_a,
    events_b,
    outcomes_a: Mapping[str, float] | Sequence[Mapping[str, float]] | None = None,
    outcomes_b: Mapping[str, float] | Sequence[Mapping[str, float]] | None = None,
    scenario: Any = DEFAULT_SCENARIO,
    index: Any = None,
    label_a: str = "A",
    label_b: str = "B",
    top: int = 8,
) -> DifferenceExplanation:
    """Explain the largest outcome differences between paired runs by the causes of B's extra events.

    ``events_a``/``events_b`` are one event frame each (a single pair of runs with the same seed) or
    equal-length lists of frames (a paired ensemble; figures are then means per pair). ``outcomes_a``
    and ``outcomes_b`` (dicts, or lists of dicts) give the headline numbers; without them the event
    counts are used. Returns ranked sentences and the category x cause table behind them.
    """
    idx = index if index is not None else scenario_index(scenario)
    fa, fb = _as_list(events_a), _as_list(events_b)
    if len(fa) != len(fb):
        raise ValueError(f"paired runs need as many event frames for A as for B ({len(fa)} vs {len(fb)})")
    oa, ob = _as_list(outcomes_a), _as_list(outcomes_b)
    table = _group_table(fa, fb, idx)
    n = max(len(fa), 1)
    per = "" if n == 1 else " per run"

    scored = []
    for cat, words in CATEGORY_WORDS.items():
        if cat == "events":
            continue
        sub = table[table["category"] == cat]
        a_ev, b_ev = float(sub["a"].sum()), float(sub["b"].sum())
        a = _mean_outcome(oa, CATEGORY_OUTCOME[cat]) if oa else None
        b = _mean_outcome(ob, CATEGORY_OUTCOME[cat]) if ob else None
        a = a_ev if a is None else a
        b = b_ev if b is None else b
        d = b - a
        if abs(d) < 1e-9 and sub["diff"].abs().sum() < 1e-9:
            continue
        more = "more" if d > 0 else "fewer"
        noun = words[0] if abs(abs(d) - 1) < 1e-9 else words[1]
        s = f"{_num(abs(d))} {more} {noun} under {label_b} than under {label_a}{per} ({_num(a)} vs {_num(b)})"
        sign = 1 if d >= 0 else -1
        same = sub[sub["diff"] * sign > 0]
        fam = same[same["group"].str.startswith("follow seizures")] if cat == "signatory_clashes" else same.iloc[:0]
        if len(fam) and abs(d) > 0:
            # Clashes that follow seizures, whatever the place: the seed's Kidal, July 2016 pattern.
            fd = sign * float(sub[sub["group"].str.startswith("follow seizures")]["diff"].sum())
            top_g = "; ".join(f"{_num(abs(float(g['diff'])))} {g['group'].removeprefix('follow seizures ')}"
                              for _, g in fam.head(2).iterrows())  # fmt: skip
            if 0 < fd <= abs(d) + 1e-9:
                s += f", {_num(fd)} of which follow seizures of a signatory's convoy (most {top_g})"
            elif fd > abs(d):
                s += (f"; those that follow seizures of a signatory's convoy {'rise' if d > 0 else 'fall'} by "
                      f"{_num(fd)}, more than the whole change, while clashes with other causes go the other way "
                      f"(most {top_g})")  # fmt: skip
            else:
                s += f"; clashes after seizures go the other way (changes: {top_g})"
        elif len(same):
            g = same.iloc[0]
            gd = abs(float(g["diff"]))
            joiner = "of which" if cat in ("signatory_clashes", "misdirected_ops") else "of them"
            if abs(d) > 0 and gd <= abs(d) + 1e-9:
                s += f", {_num(gd)} {joiner} {g['group']}"
                nxt = ""
            else:
                s += f"; the largest change: {_num(gd)} {more} {g['group']}"
                nxt = f"{more} "
            if len(same) > 1:
                g2 = same.iloc[1]
                s += f" (next: {_num(abs(float(g2['diff'])))} {nxt}{g2['group']})"
        elif abs(d) < 1e-9:
            s = f"{words[1].capitalize()} barely change ({_num(a)} vs {_num(b)}{per}), but their causes shift"
        s = s[0].upper() + s[1:]
        score = abs(d) / max(abs(a), abs(b), 1.0)
        scored.append((score, s))
    scored.sort(key=lambda x: -x[0])
    sentences = [s for _, s in scored]
    gen = table[(table["category"] == "events") & (table["diff"].abs() >= 1.0 / n)]
    gen = gen.reindex(gen["diff"].abs().sort_values(ascending=False).index)
    for _, g in gen.head(max(0, top - len(sentences))).iterrows():
        if abs(float(g["diff"])) < 1e-9:
            continue
        more = "more" if g["diff"] > 0 else "fewer"
        sentences.append(f"{_num(abs(float(g['diff'])))} {more} other events{per}: {g['group']}")
    if not sentences:
        sentences = [f"The runs under {label_a} and {label_b} produced the same events."]
    return DifferenceExplanation(sentences[:top] if top else sentences, table, n, label_a, label_b)

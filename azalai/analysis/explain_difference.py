"""The causes behind the difference between paired runs (same seeds, two policies): the extra events of
B over A grouped by their causes and ranked into sentences such as "12 more signatory clashes, 9 of which
follow seizures on the Anéfis–Kidal route" (see :mod:`azalai.analysis.explain` for single events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd

from azalai.analysis.causes import SEIZURE_SUB, community_name, count_text, place_name, scenario_index, with_links
from azalai.defaults import DEFAULT_SCENARIO

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
        return f"at {place_name(idx, a)}"
    x, y = sorted((a, b))
    return f"on the {place_name(idx, x)}–{place_name(idx, y)} route"


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
            out.append(("misdirected_ops", f"acted on false tips from {community_name(idx, int(ft['index']))} naming {r.actor2_id}", 1.0))
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
    n = max(len(frames_a), 1)

    def agg(frames):
        acc: dict[tuple[str, str], float] = {}
        for ev in frames:
            for cat, grp, v in _items(with_links(ev), idx):
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
        s = f"{count_text(abs(d))} {more} {noun} under {label_b} than under {label_a}{per} ({count_text(a)} vs {count_text(b)})"
        sign = 1 if d >= 0 else -1
        same = sub[sub["diff"] * sign > 0]
        fam = same[same["group"].str.startswith("follow seizures")] if cat == "signatory_clashes" else same.iloc[:0]
        if len(fam) and abs(d) > 0:
            # Clashes that follow seizures, whatever the place: the seed's Kidal, July 2016 pattern.
            fd = sign * float(sub[sub["group"].str.startswith("follow seizures")]["diff"].sum())
            top_g = "; ".join(f"{count_text(abs(float(g['diff'])))} {g['group'].removeprefix('follow seizures ')}"
                              for _, g in fam.head(2).iterrows())  # fmt: skip
            if 0 < fd <= abs(d) + 1e-9:
                s += f", {count_text(fd)} of which follow seizures of a signatory's convoy (most {top_g})"
            elif fd > abs(d):
                s += (f"; those that follow seizures of a signatory's convoy {'rise' if d > 0 else 'fall'} by "
                      f"{count_text(fd)}, more than the whole change, while clashes with other causes go the other way "
                      f"(most {top_g})")  # fmt: skip
            else:
                s += f"; clashes after seizures go the other way (changes: {top_g})"
        elif len(same):
            g = same.iloc[0]
            gd = abs(float(g["diff"]))
            joiner = "of which" if cat in ("signatory_clashes", "misdirected_ops") else "of them"
            if abs(d) > 0 and gd <= abs(d) + 1e-9:
                s += f", {count_text(gd)} {joiner} {g['group']}"
                nxt = ""
            else:
                s += f"; the largest change: {count_text(gd)} {more} {g['group']}"
                nxt = f"{more} "
            if len(same) > 1:
                g2 = same.iloc[1]
                s += f" (next: {count_text(abs(float(g2['diff'])))} {nxt}{g2['group']})"
        elif abs(d) < 1e-9:
            s = f"{words[1].capitalize()} barely change ({count_text(a)} vs {count_text(b)}{per}), but their causes shift"
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
        sentences.append(f"{count_text(abs(float(g['diff'])))} {more} other events{per}: {g['group']}")
    if not sentences:
        sentences = [f"The runs under {label_a} and {label_b} produced the same events."]
    return DifferenceExplanation(sentences[:top] if top else sentences, table, n, label_a, label_b)

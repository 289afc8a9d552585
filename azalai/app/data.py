"""What the dashboard and the HTML report show, computed from the engine's outputs and the run store.

Everything here is plain Python (pandas, numpy): no web framework, so the report command can use it too.

* :func:`scenario_view`: places, routes, actors, relations, accords and an outline for the map.
* :func:`execute_run`: run one replicate or an ensemble and write it to the DuckDB store.
* :func:`run_results`: the Results page of a stored run (monthly fatalities with ensemble bands,
  revenue, support and grievance, tension, flows and protectors).
* :func:`paired_compare`: two policies on the same seeds, paired differences with bootstrap CIs and
  the outcomes and mechanisms that explain the difference.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Callable, ContextManager, Sequence

import numpy as np

from azalai.experiment import runs as R
from azalai.experiment.store import transaction
from azalai.model.engine import prepare, run_meta
from azalai.model.outcomes import claim_outcomes, shown_outcomes
from azalai.policy.schema import LEVERS, Policy

# Approximate label positions of Mali's neighbours (lat, lon): labels only, no geometry.
NEIGHBOURS = [
    ("Algeria", 23.5, 1.5), ("Niger", 16.5, 6.5), ("Mauritania", 19.5, -8.0), ("Burkina Faso", 12.8, -1.6),
    ("Senegal", 14.2, -12.6), ("Guinea", 11.0, -10.2), ("Côte d'Ivoire", 9.6, -6.0), ("Libya", 24.5, 12.0),
]  # fmt: skip

# Key outcomes and every outcome a claim uses (declared in azalai/model/outcomes.yaml).
KEY_OUTCOMES = shown_outcomes()

# The seven claims of the brief and the outcomes that bear on each, as declared (no verdicts: values only).
CLAIMS = [
    (1, "Moving from counter-terrorism to counter-trafficking raises clashes between signatory groups.",
     claim_outcomes(1),
     "Clashes between signatories, the peak accord tension and accord failure measure the disturbed balance of rents."),
    (2, "Seizing a convoy tied to one signatory raises the odds of fighting near its route in the following weeks.",
     claim_outcomes(2),
     "Seizures and the clashes that follow them; the event table's cause chains show clashes caused by a seizure."),
    (3, "Weaker vetting means more false tips acted on, more misdirected operations, more grievance, less cooperation.",
     claim_outcomes(3),
     "The share of operations acting on false tips, misdirected operations, and grievance and cooperation toward forces."),
    (4, "Sweeps after attacks raise support and recruitment for armed groups, jihadists included.",
     claim_outcomes(4),
     "Detentions, jihadist support and recruits, and the alienation index of communities."),
    (5, "Interdiction re-routes trafficking: transit falls far less than seizures would suggest.",
     claim_outcomes(5),
     "Delivered value over entered value, and the value transited against the value seized."),
    (6, "Cutting smuggling income alone does not bring peace while political grievances stand.",
     claim_outcomes(6),
     "Fatalities and clashes set against armed groups' revenue and the alienation of communities."),
    (7, "When routes are interdicted, the livelihoods of handling communities fall and their grievance rises.",
     claim_outcomes(7),
     "Livelihood of trafficking-dependent communities (end over start) and their grievance toward forces."),
]  # fmt: skip

MAX_STORED_EVENT_SEEDS = 50  # ensembles store the events of at most this many replicates


# --------------------------------------------------------------------------------------------- scenario


def boundaries_path(explicit: str | os.PathLike | None = None) -> Path | None:
    p = explicit or os.environ.get("AZALAI_BOUNDARIES")
    return Path(p) if p else None


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def scenario_view(name: str, boundaries: str | os.PathLike | None = None) -> dict[str, Any]:
    """The Scenario page: everything the map, the actor network and the accords table need."""
    from azalai.report.maps import dominant_actors, read_outlines
    from azalai.scenario.loader import load_scenario

    sc = load_scenario(name)
    bb = sc.bbox
    outline_kind = "places"
    rings: list[list[tuple[float, float]]] = []
    bpath = boundaries_path(boundaries)
    if bpath is not None:
        rings = [[(float(x), float(y)) for x, y in ring] for ring in read_outlines(bpath)]
        outline_kind = "boundaries"
    else:
        pts = [(p.lon, p.lat) for p in sc.places if getattr(p.kind, "value", p.kind) != "external_node"]
        rings = [_hull(pts)]
    places = [
        {"id": p.id, "name": p.name, "lat": p.lat, "lon": p.lon, "region": p.region,
         "kind": getattr(p.kind, "value", p.kind)}
        for p in sc.places
    ]  # fmt: skip
    routes = [
        {"index": i, "from": r.from_, "to": r.to, "length_km": r.length_km, "terrain": getattr(r.terrain, "value", r.terrain)}
        for i, r in enumerate(sc.routes)
    ]  # fmt: skip
    actors = [
        {"id": a.id, "name": a.name, "kind": getattr(a.kind, "value", a.kind), "coalition": a.coalition,
         "fighters": float(sum(a.fighters.values())), "base_communities": list(a.base_communities)}
        for a in sc.actors
    ]  # fmt: skip
    relations = [{"a": r.a, "b": r.b, "value": r.value} for r in sc.relations.actors]
    accords = [
        {"id": c.id, "name": c.name, "date": c.date.isoformat(), "signatories": list(c.signatories),
         "ceasefire": c.provisions.ceasefire, "ddr": c.provisions.ddr,
         "interim_authorities": dict(c.provisions.interim_authorities),
         "business": [{"actor": b.actor, "places": list(b.places)} for b in c.provisions.business]}
        for c in sc.accords
    ]  # fmt: skip
    neighbours = [
        {"name": n, "lat": la, "lon": lo}
        for n, la, lo in NEIGHBOURS
        if bb.lat_min <= la <= bb.lat_max and bb.lon_min <= lo <= bb.lon_max
    ]
    return {
        "id": sc.meta.id, "name": sc.meta.name, "description": sc.meta.description,
        "start": sc.calendar.start.isoformat(), "horizon_days": sc.calendar.horizon_days,
        "bbox": {"lat_min": bb.lat_min, "lat_max": bb.lat_max, "lon_min": bb.lon_min, "lon_max": bb.lon_max},
        "outline": {"kind": outline_kind, "rings": rings}, "neighbours": neighbours,
        "regions": [{"id": r.id, "name": r.name} for r in sc.regions],
        "places": places, "routes": routes, "actors": actors, "relations": relations, "accords": accords,
        "communities": [{"id": c.id, "name": c.name} for c in sc.communities],
        "presence": dominant_actors(sc),
    }  # fmt: skip


def scenario_summary(name: str) -> dict[str, Any]:
    from azalai.scenario.loader import load_scenario

    sc = load_scenario(name)
    return {
        "id": sc.meta.id, "name": sc.meta.name, "description": sc.meta.description,
        "start": sc.calendar.start.isoformat(), "horizon_days": sc.calendar.horizon_days,
        "places": len(sc.places), "routes": len(sc.routes), "communities": len(sc.communities),
        "actors": len(sc.actors), "accords": [c.name for c in sc.accords],
        "commodities": [c.name for c in sc.commodities],
    }  # fmt: skip


def policy_with_overrides(policy: str | Policy, overrides: dict[str, float] | None) -> Policy:
    """A built-in policy with some initial lever values replaced (already range-checked by the caller)."""
    from azalai.policy.loader import load_policy

    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    if not overrides:
        return pol
    data = pol.model_dump(mode="json", by_alias=True)
    data["levers"] = {**{k: v for k, v in (data.get("levers") or {}).items() if v is not None}, **overrides}
    data["id"] = (pol.id + "-custom")[:64]
    return Policy.model_validate(data)


def lever_table(pol: Policy) -> list[dict[str, Any]]:
    vals = pol.lever_values()
    return [
        {"name": lv.name, "value": vals[lv.name], "default": lv.default, "low": lv.low, "high": lv.high,
         "unit": lv.unit, "description": lv.description, "changed": vals[lv.name] != lv.default}
        for lv in LEVERS
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------- running

ProgressFn = Callable[[float, str], None]


def compute_full(scenario: str, policy: str | Policy, days: int, seed: int):
    """One replicate with full outputs (run in a worker process by the dashboard: the compiled loop holds the GIL)."""
    from azalai.experiment.runs import run_single
    from azalai.model.engine import prepare

    res = run_single(prepare(scenario, policy, days), seed)
    res.state = None  # not sent back to the server
    return res


def compute_batch(scenario: str, policy: str | Policy, days: int, seeds: Sequence[int]):
    """Outcomes and events of a batch of replicates."""
    from azalai.model.engine import prepare, simulate_batch

    prep = prepare(scenario, policy, days)
    return simulate_batch(prep, list(seeds), with_events=True)


def _caller(pool):
    if pool is None:
        return lambda fn, *a: fn(*a)
    return lambda fn, *a: pool.submit(fn, *a).result()


def _chunks(seq: Sequence[int], k: int) -> list[list[int]]:
    return [list(seq[i : i + k]) for i in range(0, len(seq), k)]


def execute_run(
    writing: Callable[[], ContextManager],
    scenario: str,
    policy: str | Policy,
    seeds: Sequence[int],
    days: int,
    progress: ProgressFn | None = None,
    run_id: str | None = None,
    pool=None,
) -> str:
    """Run len(seeds) replicates and store them. One replicate: full outputs. An ensemble: outcomes of
    all replicates, events of up to MAX_STORED_EVENT_SEEDS of them, and the full time series of the first.

    ``writing()`` gives a read-write store connection for the length of a ``with`` block (e.g.
    ``functools.partial(azalai.experiment.store.connection, path)``): the store is held only while a
    batch is written. ``pool`` (a process pool) runs the simulations outside this process."""
    say = progress or (lambda f, m: None)
    call = _caller(pool)
    seeds = [int(s) for s in seeds]
    say(0.02, "preparing")
    prep = prepare(scenario, policy, days)
    meta = run_meta(prep, seeds[0])
    kind = "single" if len(seeds) == 1 else "ensemble"
    run_id = run_id or R.new_run_id(kind)
    with writing() as con:
        R.insert_run(con, run_id, kind, meta, len(seeds), note="dashboard")
    try:
        say(0.05, f"replicate seed {seeds[0]} with full outputs")
        first = call(compute_full, scenario, prep.policy, days, seeds[0])
        with writing() as con, transaction(con):
            R.store_replicate(con, run_id, 0, first)
        rest = seeds[1:]
        done = 1
        if rest:
            step = max(1, min(25, math.ceil(len(rest) / 10)))
            for chunk in _chunks(rest, step):
                say(0.1 + 0.88 * done / len(seeds), f"replicates {done + 1}-{done + len(chunk)} of {len(seeds)}")
                outs, evs = call(compute_batch, scenario, prep.policy, days, chunk)
                with writing() as con, transaction(con):
                    R.insert_outcomes(con, run_id, [(done + i, s, o) for i, (s, o) in enumerate(zip(chunk, outs))])
                    for i, s in enumerate(chunk):
                        if done + i < MAX_STORED_EVENT_SEEDS:
                            R.insert_frame(con, "run_events", run_id, s, evs[i])
                done += len(chunk)
        with writing() as con:
            R.set_status(con, run_id, "done")
        say(1.0, "done")
    except BaseException:
        with writing() as con:
            R.set_status(con, run_id, "interrupted")
        raise
    return run_id


# --------------------------------------------------------------------------------------------- results


def _q(a: np.ndarray, q: float) -> float:
    return float(np.quantile(a, q)) if len(a) else float("nan")


def _clean(x: Any) -> Any:
    """JSON-safe floats (NaN/inf -> None)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.floating,)):
        return _clean(float(x))
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def outcome_summary(wide) -> dict[str, dict[str, float]]:
    """Per outcome: mean, median, 5% and 95% quantiles across replicates."""
    out = {}
    for col in wide.columns:
        if col in ("replicate", "seed"):
            continue
        a = wide[col].to_numpy(dtype=float)
        a = a[np.isfinite(a)]
        if len(a) == 0:
            continue
        out[col] = {"mean": float(a.mean()), "median": _q(a, 0.5), "lo": _q(a, 0.05), "hi": _q(a, 0.95), "n": len(a)}
    return out


def _month_index(start, dates) -> list[str]:
    import pandas as pd

    s = pd.Timestamp(start)
    e = max(pd.Timestamp(d) for d in dates) if len(dates) else s
    return [p.strftime("%Y-%m") for p in pd.period_range(s, e, freq="M")]


def monthly_bands(events, seeds: list[int], by: str, start, days: int) -> dict[str, Any]:
    """Monthly fatalities by `by` (admin1 or event_type): median and 5-95% band across seeds."""
    import datetime as dt

    import pandas as pd

    end = pd.Timestamp(start) + pd.Timedelta(days=max(days - 1, 0))
    months = [p.strftime("%Y-%m") for p in pd.period_range(pd.Timestamp(start), end, freq="M")]
    if events is None or len(events) == 0:
        return {"months": months, "series": []}
    ev = events.copy()
    ev["month"] = pd.to_datetime(ev["event_date"]).dt.strftime("%Y-%m")
    g = ev.groupby(["seed", by, "month"])["fatalities"].sum()
    keys = sorted(ev[by].dropna().unique())
    series = []
    for k in keys:
        mat = np.zeros((len(seeds), len(months)))
        for i, s in enumerate(seeds):
            for j, m in enumerate(months):
                mat[i, j] = float(g.get((s, k, m), 0.0))
        series.append({
            "name": str(k),
            "median": np.median(mat, axis=0).tolist(),
            "lo": np.quantile(mat, 0.05, axis=0).tolist(),
            "hi": np.quantile(mat, 0.95, axis=0).tolist(),
            "total": float(mat.sum(axis=1).mean()),
        })  # fmt: skip
    series.sort(key=lambda s: -s["total"])
    _ = dt
    return {"months": months, "series": series}


def run_results(con, run_id: str) -> dict[str, Any] | None:
    """Everything the Results page shows for one stored run."""
    run = R.get_run(con, run_id)
    if run is None:
        return None
    wide = R.outcomes_wide(con, run_id)
    seeds_all = [int(s) for s in wide["seed"]] if len(wide) else []
    ev = con.execute(
        "SELECT seed, event_date, event_type, admin1, fatalities FROM run_events WHERE run_id = ?", [run_id]
    ).fetchdf()
    ev_seeds = sorted({int(s) for s in ev["seed"]}) if len(ev) else seeds_all[:1]
    try:
        pol = Policy.model_validate_json(run["policy_json"])
        levers = lever_table(pol)
    except Exception:
        levers = []
    start = None
    try:
        from azalai.scenario.loader import load_scenario

        start = load_scenario(run["scenario"]).calendar.start
    except Exception:
        import datetime as dt

        start = ev["event_date"].min() if len(ev) else dt.date.today()
    days = int(run["days"])
    first_seed = int(run["seed"])
    ts = con.execute(
        "SELECT week, date, series, key, value FROM run_timeseries WHERE run_id = ? AND seed = ? ORDER BY week",
        [run_id, first_seed],
    ).fetchdf()
    out: dict[str, Any] = {
        "run": {k: (str(v) if k == "created" else v) for k, v in run.items() if k not in ("policy_json", "params_json")},
        "levers": levers,
        "n": len(seeds_all),
        "seeds_with_events": ev_seeds,
        "outcomes": outcome_summary(wide) if len(wide) else {},
        "shown_outcomes": KEY_OUTCOMES,
        "fatalities_by_region": monthly_bands(ev, ev_seeds, "admin1", start, days),
        "fatalities_by_type": monthly_bands(ev, ev_seeds, "event_type", start, days),
        "representative_seed": first_seed,
    }
    out.update(timeseries_views(ts))
    return _clean(out)


def timeseries_views(ts) -> dict[str, Any]:
    """Revenue by actor and source, support/grievance heatmaps, tension, flows and protectors."""
    if ts is None or len(ts) == 0:
        return {"revenue": [], "support": None, "grievance": None, "tension": {"weeks": [], "series": []},
                "flows": {}, "protectors": {}, "protector_weeks": {}}  # fmt: skip
    import pandas as pd

    weeks = sorted(ts["week"].unique().tolist())
    dates = ts.drop_duplicates("week").sort_values("week")["date"].astype(str).tolist()
    inc = ts[ts["series"].str.startswith("income_")]
    rev = inc.groupby(["key", "series"])["value"].sum().unstack(fill_value=0.0)
    revenue = []
    for actor, row in rev.iterrows():
        total = float(row.sum())
        if total > 0:
            revenue.append({"actor": actor, "total": total,
                            "sources": {c.replace("income_", ""): float(v) for c, v in row.items() if v > 0}})
    revenue.sort(key=lambda r: -r["total"])
    last = max(weeks)

    def heat(series: str) -> dict[str, Any] | None:
        d = ts[(ts["series"] == series) & (ts["week"] == last)]
        if len(d) == 0:
            return None
        parts = d["key"].str.split("|", n=1, expand=True)
        d = d.assign(c=parts[0], a=parts[1])
        rows = sorted(d["c"].unique().tolist())
        cols = sorted(d["a"].unique().tolist())
        piv = d.pivot_table(index="c", columns="a", values="value", aggfunc="sum").reindex(index=rows, columns=cols)
        return {"rows": rows, "cols": cols, "values": piv.fillna(0.0).to_numpy().round(4).tolist(), "week": int(last)}

    ten = ts[ts["series"] == "tension"]
    tension = {"weeks": dates, "series": []}
    for key, g in ten.groupby("key"):
        vals = g.sort_values("week")["value"].tolist()
        if max(vals, default=0) > 0:
            tension["series"].append({"name": key, "values": vals})
    tension["series"].sort(key=lambda s: -max(s["values"]))
    tension["series"] = tension["series"][:10]
    fl = ts[ts["series"] == "flow_value"].groupby("key")["value"].sum()
    prot = ts[ts["series"] == "protector"]
    protector_weeks = {k: g.sort_values("week")["value"].astype(int).tolist() for k, g in prot.groupby("key")}
    protectors = {k: v[-1] for k, v in protector_weeks.items()}
    _ = pd
    return {
        "weeks": dates,
        "revenue": revenue,
        "support": heat("support"),
        "grievance": heat("grievance"),
        "tension": tension,
        "flows": {k: float(v) for k, v in fl.items()},
        "protectors": protectors,
        "protector_weeks": protector_weeks,
    }


def protector_ids(con, run_id: str, scenario: str) -> dict[str, str]:
    """Place id -> protecting actor id at the end of the run's first replicate (index decoded)."""
    res = run_results_protectors(con, run_id)
    actors = actor_ids(scenario)
    return {p: actors[i] for p, i in res.items() if 0 <= i < len(actors)}


def run_results_protectors(con, run_id: str) -> dict[str, int]:
    df = con.execute(
        "SELECT key, value FROM run_timeseries WHERE run_id = ? AND series = 'protector' AND "
        "week = (SELECT max(week) FROM run_timeseries WHERE run_id = ?) "
        "AND seed = (SELECT seed FROM runs WHERE run_id = ?)",
        [run_id, run_id, run_id],
    ).fetchdf()
    return {str(k): int(v) for k, v in zip(df["key"], df["value"])}


def actor_ids(scenario: str) -> list[str]:
    """Actor ids in the engine's index order."""
    from azalai.model.world import build_world
    from azalai.scenario.loader import load_scenario

    _, idx = build_world(load_scenario(scenario))
    return list(idx.actors)


EVENT_LIST_COLUMNS = [
    "event_id_cnty", "event_date", "day", "event_type", "sub_event_type", "actor1", "actor2", "admin1", "location",
    "latitude", "longitude", "fatalities", "mechanism", "place_id",
]


def run_events(con, run_id: str, seed: int | None = None, limit: int = 5000) -> dict[str, Any]:
    cols = ", ".join(EVENT_LIST_COLUMNS)
    if seed is None:
        row = con.execute("SELECT seed FROM runs WHERE run_id = ?", [run_id]).fetchone()
        seed = int(row[0]) if row else 0
    df = con.execute(
        f"SELECT {cols} FROM run_events WHERE run_id = ? AND seed = ? ORDER BY day, event_id_cnty LIMIT ?",
        [run_id, seed, limit],
    ).fetchdf()
    df["event_date"] = df["event_date"].astype(str)
    return {"seed": seed, "columns": EVENT_LIST_COLUMNS, "rows": _clean(df.to_numpy().tolist())}


def event_detail(con, run_id: str, event_id: str) -> dict[str, Any] | None:
    df = con.execute("SELECT * FROM run_events WHERE run_id = ? AND event_id_cnty = ? LIMIT 1", [run_id, event_id]).fetchdf()
    if len(df) == 0:
        return None
    row = df.iloc[0].to_dict()
    row["event_date"] = str(row["event_date"])
    try:
        links = json.loads(row.get("cause_json") or "[]")
    except json.JSONDecodeError:
        links = []
    steps = [s.strip() for s in str(row.get("cause_chain") or "").split("->") if s.strip()]
    row["cause_links"] = links
    row["cause_steps"] = steps
    row["explanation"] = _explain_event(con, run_id, row)
    return _clean({k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()})


def _explain_event(con, run_id: str, row: dict[str, Any]) -> list[str]:
    """The event's causes followed through the events and tips they refer to (azalai.analysis.explain,
    when present); an empty list otherwise."""
    try:
        from azalai.analysis.explain import explain_event
    except Exception:
        return []
    try:
        seed = int(row["seed"])
        scen = con.execute("SELECT scenario FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]
        cols = ", ".join(c for c in _event_columns())
        events = con.execute(f"SELECT {cols} FROM run_events WHERE run_id = ? AND seed = ? ORDER BY day",
                             [run_id, seed]).fetchdf()  # fmt: skip
        tips = con.execute("SELECT * EXCLUDE (run_id, seed) FROM run_tips WHERE run_id = ? AND seed = ?",
                           [run_id, seed]).fetchdf()  # fmt: skip
        exp = explain_event(events, row["event_id_cnty"], tips=tips if len(tips) else None, scenario=scen)
        return [str(x) for x in exp.lines()]
    except Exception:  # an explanation is a bonus: the cause chain above is always shown
        return []


def _event_columns() -> list[str]:
    from azalai.experiment.runs import EVENT_COLUMNS

    return EVENT_COLUMNS


# --------------------------------------------------------------------------------------------- compare


def paired_compare(
    scenario: str,
    policy_a: str | Policy,
    policy_b: str | Policy,
    seeds: Sequence[int],
    days: int,
    progress: ProgressFn | None = None,
    pool=None,
) -> dict[str, Any]:
    """Run both policies on the same seeds (common random numbers) and compare outcome by outcome.
    ``pool`` (a process pool) runs the simulations outside this process."""
    import pandas as pd

    from azalai.model.engine import prepare

    from azalai.analysis.compare import run_paired, summarize_paired
    from azalai.analysis.explain import explain_difference

    say = progress or (lambda f, m: None)
    seeds = [int(s) for s in seeds]
    step = max(1, min(25, math.ceil(len(seeds) / 5)))
    if pool is None:
        runs = run_paired(scenario, policy_a, policy_b, seeds=seeds, days=days, with_events=True, batch=step,
                          progress=lambda done, total: say(0.05 + 0.85 * done / max(total, 1),
                                                           f"replicate pairs {done} of {total}"))  # fmt: skip
        outs = {"A": runs.outcomes_a, "B": runs.outcomes_b}
        evs = {"A": runs.events_a or [], "B": runs.events_b or []}
    else:
        outs, evs = {}, {}
        call = _caller(pool)
        for j, (label, pol) in enumerate((("A", policy_a), ("B", policy_b))):
            outs[label], evs[label] = [], []
            for chunk in _chunks(seeds, step):
                say(0.05 + 0.45 * j + 0.45 * len(outs[label]) / len(seeds),
                    f"policy {label}: replicate {len(outs[label]) + 1} of {len(seeds)}")
                o, e = call(compute_batch, scenario, pol, days, chunk)
                outs[label] += o
                evs[label] += e
    say(0.92, "paired differences")
    # one paired statistic for everything: analysis.compare (bootstrap over seeds, seeded by the first seed)
    _, res = summarize_paired(outs["A"], outs["B"], seed=seeds[0])
    rows = [{
        "outcome": col, "mean_a": r["a"], "mean_b": r["b"], "diff": r["diff"], "ci_lo": r["ci_low"],
        "ci_hi": r["ci_high"], "rel": r["diff"] / abs(r["a"]) if r["a"] else None,
        "effect": r["effect_size"], "significant": bool(r["excludes_zero"]),
    } for col, r in res.items()]  # fmt: skip
    key_rank = {k: i for i, k in enumerate(KEY_OUTCOMES)}
    rows.sort(key=lambda r: (key_rank.get(r["outcome"], 999), r["outcome"]))
    # events by mechanism, paired by seed
    mech = {lab: [({str(k): float(v) for k, v in e.groupby("mechanism").size().items()} if len(e) else {})
                  for e in evs[lab]] for lab in ("A", "B")}  # fmt: skip
    names = sorted({k for lab in mech.values() for d_ in lab for k in d_})
    mech_rows = []
    if names:
        full = {lab: [{m: d_.get(m, 0.0) for m in names} for d_ in mech[lab]] for lab in ("A", "B")}
        _, mres = summarize_paired(full["A"], full["B"], seed=seeds[0])
        mech_rows = [{"mechanism": m, "mean_a": r["a"], "mean_b": r["b"], "diff": r["diff"], "ci_lo": r["ci_low"],
                      "ci_hi": r["ci_high"]} for m, r in mres.items()]  # fmt: skip
    mech_rows.sort(key=lambda r: -abs(r["diff"]))
    causes = list(explain_difference(evs["A"], evs["B"], outs["A"], outs["B"], scenario=scenario).sentences)
    pa = policy_a if isinstance(policy_a, Policy) else prepare(scenario, policy_a, 1).policy
    pb = policy_b if isinstance(policy_b, Policy) else prepare(scenario, policy_b, 1).policy
    va, vb = pa.lever_values(), pb.lever_values()
    lever_diff = [{"name": k, "a": va[k], "b": vb[k]} for k in va if va[k] != vb[k]]
    expl = explanations(rows, mech_rows, lever_diff)
    if causes:
        expl = expl[:1] + causes[:6] + expl[1:4]
    return _clean({
        "scenario": scenario, "policy_a": pa.id, "policy_b": pb.id, "n": len(seeds), "seeds": seeds, "days": days,
        "outcomes": rows, "mechanisms": mech_rows, "lever_diff": lever_diff, "explanations": expl,
    })  # fmt: skip


def _fmt(v: float) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def explanations(rows: list[dict], mech_rows: list[dict], lever_diff: list[dict], top: int = 6) -> list[str]:
    """Plain sentences: what the policies change, and the largest, clearest paired differences."""
    out = []
    if lever_diff:
        out.append("The policies differ in: " + ", ".join(f"{d['name']} {_fmt(d['a'])} → {_fmt(d['b'])}" for d in lever_diff) + ".")
    sig = [r for r in rows if r["significant"] and not r["outcome"].startswith(("revenue_", "alienation_"))]
    sig.sort(key=lambda r: -abs(r["effect"]) if math.isfinite(r["effect"]) else -1e9)
    for r in sig[:top]:
        direction = "more" if r["diff"] > 0 else "less"
        rel = f" ({100 * r['rel']:+.0f}%)" if r.get("rel") is not None and math.isfinite(r["rel"]) else ""
        out.append(
            f"B has {direction} {r['outcome']}: {_fmt(r['mean_b'])} vs {_fmt(r['mean_a'])}, paired difference "
            f"{_fmt(r['diff'])}{rel}, 95% CI [{_fmt(r['ci_lo'])}, {_fmt(r['ci_hi'])}]."
        )
    msig = [m for m in mech_rows if (m["ci_lo"] > 0 or m["ci_hi"] < 0)]
    if msig:
        out.append("Events by mechanism that change most: " + "; ".join(
            f"{m['mechanism']} {_fmt(m['mean_a'])} → {_fmt(m['mean_b'])}" for m in msig[:4]) + ".")
    if len(out) <= 1:
        out.append("No outcome differs clearly between the two policies at this number of replicates.")
    return out

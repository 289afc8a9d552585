"""View models of a stored run: what the dashboard's Results and Events pages and the run report show.

Plain data (dicts and lists, JSON-safe through :func:`clean`) read from the run store; no web
framework, so the dashboard (:mod:`azalai.app`) and the HTML report (:mod:`azalai.report.html`) share them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd

from azalai.analysis.explain import explain_event
from azalai.experiment import runs as R
from azalai.experiment.runs import EVENT_COLUMNS
from azalai.model.outcomes import claim_outcomes, shown_outcomes
from azalai.policy.schema import Policy
from azalai.report.scenario_view import actor_ids, lever_table
from azalai.scenario.loader import load_scenario

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


def _q(a: np.ndarray, q: float) -> float:
    return float(np.quantile(a, q)) if len(a) else float("nan")


def clean(x: Any) -> Any:
    """JSON-safe floats (NaN/inf -> None)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (np.floating,)):
        return clean(float(x))
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


def monthly_bands(events, seeds: list[int], by: str, start, days: int) -> dict[str, Any]:
    """Monthly fatalities by `by` (admin1 or event_type): median and 5-95% band across seeds."""
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
        start = load_scenario(run["scenario"]).calendar.start
    except Exception:
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
    return clean(out)


def timeseries_views(ts) -> dict[str, Any]:
    """Revenue by actor and source, support/grievance heatmaps, tension, flows and protectors."""
    if ts is None or len(ts) == 0:
        return {"revenue": [], "support": None, "grievance": None, "tension": {"weeks": [], "series": []},
                "flows": {}, "protectors": {}, "protector_weeks": {}}  # fmt: skip
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
    """Place id -> index of its protecting actor at the end of the run's first replicate."""
    df = con.execute(
        "SELECT key, value FROM run_timeseries WHERE run_id = ? AND series = 'protector' AND "
        "week = (SELECT max(week) FROM run_timeseries WHERE run_id = ?) "
        "AND seed = (SELECT seed FROM runs WHERE run_id = ?)",
        [run_id, run_id, run_id],
    ).fetchdf()
    return {str(k): int(v) for k, v in zip(df["key"], df["value"])}


EVENT_LIST_COLUMNS = [
    "event_id_cnty", "event_date", "day", "event_type", "sub_event_type", "actor1", "actor2", "admin1", "location",
    "latitude", "longitude", "fatalities", "mechanism", "place_id",
]


def run_events(con, run_id: str, seed: int | None = None, limit: int = 5000) -> dict[str, Any]:
    """The event list of one replicate (by default the run's first), in day order."""
    cols = ", ".join(EVENT_LIST_COLUMNS)
    if seed is None:
        row = con.execute("SELECT seed FROM runs WHERE run_id = ?", [run_id]).fetchone()
        seed = int(row[0]) if row else 0
    df = con.execute(
        f"SELECT {cols} FROM run_events WHERE run_id = ? AND seed = ? ORDER BY day, event_id_cnty LIMIT ?",
        [run_id, seed, limit],
    ).fetchdf()
    df["event_date"] = df["event_date"].astype(str)
    return {"seed": seed, "columns": EVENT_LIST_COLUMNS, "rows": clean(df.to_numpy().tolist())}


def event_detail(con, run_id: str, event_id: str) -> dict[str, Any] | None:
    """One event with its cause chain and an explanation; None if the run has no such event."""
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
    return clean({k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()})


def _explain_event(con, run_id: str, row: dict[str, Any]) -> list[str]:
    """The event's causes followed through the events and tips they refer to (:mod:`azalai.analysis.explain`)."""
    try:
        seed = int(row["seed"])
        scen = con.execute("SELECT scenario FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]
        cols = ", ".join(EVENT_COLUMNS)
        events = con.execute(f"SELECT {cols} FROM run_events WHERE run_id = ? AND seed = ? ORDER BY day",
                             [run_id, seed]).fetchdf()  # fmt: skip
        tips = con.execute("SELECT * EXCLUDE (run_id, seed) FROM run_tips WHERE run_id = ? AND seed = ?",
                           [run_id, seed]).fetchdf()  # fmt: skip
        exp = explain_event(events, row["event_id_cnty"], tips=tips if len(tips) else None, scenario=scen)
        return [str(x) for x in exp.lines()]
    except Exception:  # an explanation is a bonus: the cause chain above is always shown
        return []

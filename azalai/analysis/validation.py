"""Validation: an ensemble of model runs compared with observed ACLED or UCDP data.

The model's calendar starts at the scenario's start (2016-07-01 for the built-in scenario), while
the observed data end on 2016-06-30. To compare the model with a past period we run it for the
period's number of days and **shift its events onto the observed period**: day *d* of a run is
dated ``period start + d``. We compare durations, not dates: the model's first year is set
against the period's first year, whatever the calendar says.

Statistics (each model statistic per replicate, then summarised across the ensemble):

* **yearly fatalities**: per calendar year of the (shifted) period, observed against the ensemble
  median and 90% interval (5th-95th percentiles), plus the annual rate over the whole period;
* **regional split**: Spearman rank correlation between observed and simulated fatalities by
  admin1 (over the union of regions that appear in either), per replicate, then median and 90%
  interval; and each region's share of fatalities;
* **event-type mix**: shares of events and of fatalities by event type. Only the types the model
  produces are compared (observed shares renormalised over them); the types it never produces are
  listed with their observed share;
* **monthly series**: coverage, the share of observed months whose fatalities lie inside the
  ensemble's 90% interval for that month;
* **event sizes**: power-law tail exponent (``powerlaw``, Clauset et al. 2009) of the pooled
  model events against the observed one, and the two-sample KS distance between the sizes of
  events with at least one fatality.

With ``observed='ucdp'`` the model's events are first put in UCDP GED form
(:mod:`azalai.analysis.ucdp_form`): only deadly organised violence counts, and the event types are
the GED's three types of violence.

Only events in the scenario's own country are counted: border nodes (regions of zone ``outside``)
are left out, as the observed data cover Mali only.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from azalai.analysis.observed import event_size_tail, ks_distance
from azalai.analysis.validation_data import (
    IMPORT_HINT,
    LIGHT_COLUMNS,
    OBSERVED_CHOICES,
    light_events,
    load_observed,
    load_observed_period,
    outside_admin1,
    period_days,
    period_months,
    run_model_events,
    source_and_level,
    to_observed_form,
)
from azalai.defaults import DEFAULT_SCENARIO

INTERVAL = (0.05, 0.95)

# ---------------------------------------------------------------------------------------------
# statistics helpers (pure functions, tested on synthetic inputs)
# ---------------------------------------------------------------------------------------------


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation (average ranks for ties); NaN if either side is constant."""
    from scipy import stats

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(stats.spearmanr(x, y).statistic)


def coverage(observed: Sequence[float], simulated: np.ndarray, level: float = 0.9) -> dict:
    """Share of observed points inside the ensemble's central ``level`` interval.

    ``simulated`` has shape (replicates, points). Returns coverage, and the per-point lower,
    median and upper bounds and whether each observed point is inside."""
    obs = np.asarray(observed, dtype=float)
    sims = np.asarray(simulated, dtype=float)
    if sims.ndim != 2 or sims.shape[1] != len(obs):
        raise ValueError("simulated must have shape (replicates, len(observed))")
    qlo, qhi = (1 - level) / 2, 1 - (1 - level) / 2
    lo = np.quantile(sims, qlo, axis=0)
    hi = np.quantile(sims, qhi, axis=0)
    med = np.median(sims, axis=0)
    inside = (obs >= lo) & (obs <= hi)
    return {
        "coverage": float(inside.mean()) if len(obs) else float("nan"),
        "level": level,
        "lower": lo.tolist(),
        "median": med.tolist(),
        "upper": hi.tolist(),
        "inside": inside.tolist(),
    }


def summarise(values: Sequence[float]) -> dict:
    """Median and 90% interval of a sample (NaNs left out, and counted)."""
    v = np.asarray(values, dtype=float)
    ok = v[np.isfinite(v)]
    if not len(ok):
        return {"median": float("nan"), "lo": float("nan"), "hi": float("nan"), "n": 0, "n_nan": int(len(v))}
    return {
        "median": float(np.median(ok)),
        "lo": float(np.quantile(ok, INTERVAL[0])),
        "hi": float(np.quantile(ok, INTERVAL[1])),
        "n": int(len(ok)),
        "n_nan": int(len(v) - len(ok)),
    }


def tail_alpha_fixed_xmin(sizes: Sequence[float], xmin: float) -> float:
    """Discrete power-law exponent above a fixed ``xmin`` by the closed-form approximation of
    Clauset, Shalizi & Newman (2009, eq. 3.7): 1 + n / sum(ln(x / (xmin - 1/2))). Fast enough for
    calibration loops; NaN with fewer than 5 tail events."""
    x = np.asarray(sizes, dtype=float)
    x = x[x >= xmin]
    if len(x) < 5:
        return float("nan")
    s = np.log(x / (xmin - 0.5)).sum()
    return float(1.0 + len(x) / s) if s > 0 else float("nan")


# ---------------------------------------------------------------------------------------------
# the comparison
# ---------------------------------------------------------------------------------------------


@dataclass
class Validation:
    """The result of :func:`validate`: a JSON-able dict plus the arrays behind the figures."""

    result: dict
    arrays: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(self.result, indent=2, default=_json_default)

    def _repr_html_(self) -> str:
        from azalai.notebook import validation_html

        return validation_html(self.result)


def _json_default(o):
    if isinstance(o, (_dt.date, _dt.datetime)):
        return o.isoformat()
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _nan_to_none(x):
    if isinstance(x, dict):
        return {k: _nan_to_none(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_nan_to_none(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def compare(obs: dict, model_events: list[pd.DataFrame], start: _dt.date, end: _dt.date) -> Validation:
    """Compare observed statistics (from :func:`load_observed`) with the ensemble's event frames
    (already in the observed form and shifted onto the period)."""
    R = len(model_events)
    years = list(range(start.year, end.year + 1))
    months = period_months(start, end)
    span_years = period_days(start, end) / 365.25
    evs = []
    for ev in model_events:
        ev = ev.copy()
        d = pd.to_datetime(ev["event_date"])
        ev["_year"] = d.dt.year.to_numpy()
        ev["_month"] = d.dt.to_period("M").dt.to_timestamp().dt.date.to_numpy() if len(ev) else []
        evs.append(ev)

    # --- yearly ---
    oy = dict(zip(obs["yearly"]["year"].astype(int), obs["yearly"]["fatalities"].astype(float)))
    sim_y = np.array([[ev.loc[ev["_year"] == y, "fatalities"].sum() for y in years] for ev in evs], dtype=float)
    yearly_rows = []
    for j, y in enumerate(years):
        ys, ye = max(start, _dt.date(y, 1, 1)), min(end, _dt.date(y, 12, 31))
        s = summarise(sim_y[:, j])
        o = float(oy.get(y, 0.0))
        yearly_rows.append({
            "year": y, "days": period_days(ys, ye), "observed": o, "model_median": s["median"],
            "model_lo": s["lo"], "model_hi": s["hi"], "inside": bool(s["lo"] <= o <= s["hi"]),
        })
    obs_total = float(sum(oy.get(y, 0.0) for y in years))
    sim_total = sim_y.sum(axis=1)
    annual = {
        "observed": obs_total / span_years,
        **{f"model_{k}": v for k, v in summarise(sim_total / span_years).items() if k in ("median", "lo", "hi")},
    }
    annual["ratio_median_to_observed"] = annual["model_median"] / annual["observed"] if annual["observed"] else None

    # --- regions ---
    oreg = obs["regions"]
    oreg = oreg[oreg["region"].notna()]
    o_by = dict(zip(oreg["region"].astype(str), oreg["fatalities"].astype(float)))
    model_regions = sorted({str(a) for ev in evs for a in ev["admin1"].unique()})
    regions = sorted(set(o_by) | set(model_regions), key=lambda r: (-o_by.get(r, 0.0), r))
    sim_r = np.array([[ev.loc[ev["admin1"] == g, "fatalities"].sum() for g in regions] for ev in evs], dtype=float)
    o_r = np.array([o_by.get(g, 0.0) for g in regions])
    rho = [spearman(o_r, sim_r[i]) for i in range(R)]
    o_share = o_r / o_r.sum() if o_r.sum() else o_r
    sim_share = np.divide(sim_r, sim_r.sum(axis=1, keepdims=True), out=np.zeros_like(sim_r),
                          where=sim_r.sum(axis=1, keepdims=True) > 0)
    # A region's rank in each replicate: 1 + the regions with strictly more fatalities (a tie shares the rank).
    sim_rank = 1 + (sim_r[:, None, :] > sim_r[:, :, None]).sum(axis=2)
    o_rank = 1 + (o_r[None, :] > o_r[:, None]).sum(axis=1)
    pooled = sim_r.sum(axis=0)
    pooled_share = pooled / pooled.sum() if pooled.sum() else pooled
    region_rows = []
    for j, g in enumerate(regions):
        s = summarise(sim_share[:, j])
        region_rows.append({"region": g, "observed_fatalities": float(o_r[j]), "observed_share": float(o_share[j]),
                            "observed_rank": int(o_rank[j]),
                            "model_share_median": s["median"], "model_share_lo": s["lo"], "model_share_hi": s["hi"],
                            "model_share_pooled": float(pooled_share[j]),
                            "replicates_deadliest": int((sim_rank[:, j] == 1).sum()),
                            "replicates_top_two": int((sim_rank[:, j] <= 2).sum())})
    pooled_rho = spearman(o_r, sim_r.sum(axis=0)) if R else float("nan")

    # --- event types ---
    ot = obs["types"]
    o_types = dict(zip(ot["event_type"].astype(str), zip(ot["events"].astype(float), ot["fatalities"].astype(float))))
    produced = sorted({str(t) for ev in evs for t in ev.loc[ev["fatalities"] >= 0, "event_type"].unique()})
    not_produced = sorted(set(o_types) - set(produced), key=lambda t: -o_types[t][0])
    o_ev_all = sum(v[0] for v in o_types.values())
    o_fat_all = sum(v[1] for v in o_types.values())
    o_ev_p = sum(o_types.get(t, (0, 0))[0] for t in produced)
    o_fat_p = sum(o_types.get(t, (0, 0))[1] for t in produced)
    type_rows = []
    for t in produced:
        se = [((ev["event_type"] == t).sum() / len(ev)) if len(ev) else np.nan for ev in evs]
        sf = [ev.loc[ev["event_type"] == t, "fatalities"].sum() / ev["fatalities"].sum()
              if ev["fatalities"].sum() else np.nan for ev in evs]
        oe, of = o_types.get(t, (0.0, 0.0))
        a, b = summarise(se), summarise(sf)
        type_rows.append({
            "event_type": t,
            "observed_event_share": oe / o_ev_p if o_ev_p else float("nan"),
            "model_event_share_median": a["median"], "model_event_share_lo": a["lo"], "model_event_share_hi": a["hi"],
            "observed_fatality_share": of / o_fat_p if o_fat_p else float("nan"),
            "model_fatality_share_median": b["median"], "model_fatality_share_lo": b["lo"],
            "model_fatality_share_hi": b["hi"],
        })
    missing_rows = [{"event_type": t, "observed_events": o_types[t][0], "observed_fatalities": o_types[t][1],
                     "share_of_observed_events": o_types[t][0] / o_ev_all if o_ev_all else float("nan"),
                     "share_of_observed_fatalities": o_types[t][1] / o_fat_all if o_fat_all else float("nan")}
                    for t in not_produced]

    # --- who fights whom (ACLED's actor types) ---
    interaction_rows = []
    if obs.get("interactions") is not None:
        from azalai.analysis.observed import interaction_totals

        oi = obs["interactions"]
        sims = [interaction_totals(ev["inter1"], ev["inter2"], ev["event_type"], np.ones(len(ev)), ev["fatalities"])
                for ev in evs]
        for j, name in enumerate(oi["interaction"]):
            row = {"interaction": name}
            for col, key in (("events", "event"), ("fatalities", "fatality")):
                tot = float(oi[col].sum())
                q = summarise([float(x[col].iloc[j] / x[col].sum()) if x[col].sum() else np.nan for x in sims])
                row.update({f"observed_{key}_share": float(oi[col].iloc[j]) / tot if tot else float("nan"),
                            f"model_{key}_share_median": q["median"], f"model_{key}_share_lo": q["lo"],
                            f"model_{key}_share_hi": q["hi"]})
            interaction_rows.append(row)

    # --- monthly ---
    om = obs["monthly"].copy()
    om_map = dict(zip(om["month"], om["fatalities"].astype(float)))
    o_m = np.array([om_map.get(m, 0.0) for m in months])
    sim_m = np.array([[0.0] * len(months)] * max(R, 1))
    mpos = {m: i for i, m in enumerate(months)}
    for i, ev in enumerate(evs):
        g = ev.groupby("_month")["fatalities"].sum()
        for m, v in g.items():
            if m in mpos:
                sim_m[i, mpos[m]] = v
    cov = coverage(o_m, sim_m[:R] if R else np.zeros((1, len(months))))
    cov_events = None
    o_me = np.array([dict(zip(om["month"], om["events"].astype(float))).get(m, 0.0) for m in months])
    sim_me = np.zeros((max(R, 1), len(months)))
    for i, ev in enumerate(evs):
        g = ev.groupby("_month").size()
        for m, v in g.items():
            if m in mpos:
                sim_me[i, mpos[m]] = v
    cov_events = coverage(o_me, sim_me[:R] if R else np.zeros((1, len(months))))

    # --- event sizes ---
    sim_sizes = np.concatenate([ev["fatalities"].to_numpy(dtype=float) for ev in evs]) if R else np.zeros(0)
    o_sizes = np.asarray(obs["sizes"], dtype=float)
    tail_obs = event_size_tail(o_sizes)
    tail_sim = event_size_tail(sim_sizes)
    ks = ks_distance(sim_sizes[sim_sizes >= 1], o_sizes[o_sizes >= 1])
    per_rep_alpha = []
    if np.isfinite(tail_obs["xmin"]):
        per_rep_alpha = [tail_alpha_fixed_xmin(ev["fatalities"].to_numpy(dtype=float), tail_obs["xmin"]) for ev in evs]

    result = {
        "observed": obs["observed"],
        "source": obs["source"],
        "level": obs["level"],
        "period": {"start": start.isoformat(), "end": end.isoformat(), "days": period_days(start, end),
                   "years": span_years},
        "replicates": R,
        "note": ("model events shifted onto the observed period: day d of each run is dated period start + d; "
                 "events at border nodes outside the country are left out"),
        "yearly": yearly_rows,
        "annual_rate": annual,
        "regions": {
            "spearman": summarise(rho),
            "spearman_per_replicate": rho,
            "spearman_pooled": pooled_rho,
            "table": region_rows,
        },
        "event_types": {"compared": type_rows, "not_produced": missing_rows},
        "interactions": interaction_rows,
        "monthly": {
            "months": [m.isoformat() for m in months],
            "observed": o_m.tolist(),
            "coverage": cov["coverage"],
            "lower": cov["lower"], "median": cov["median"], "upper": cov["upper"], "inside": cov["inside"],
            "coverage_events": cov_events["coverage"],
        },
        "event_sizes": {
            "observed_tail": tail_obs,
            "model_tail": tail_sim,
            "model_alpha_at_observed_xmin": summarise(per_rep_alpha),
            "ks": ks,
            "observed_events": int(len(o_sizes)),
            "model_events": int(len(sim_sizes)),
            "observed_years": obs.get("size_years"),
        },
    }
    arrays = {"sim_y": sim_y, "years": years, "regions": regions, "sim_share": sim_share, "o_share": o_share,
              "months": months, "o_m": o_m, "sim_m": sim_m[:R], "sim_sizes": sim_sizes, "o_sizes": o_sizes,
              "oy": oy}
    return Validation(_nan_to_none(result), arrays)


def validate(
    observed: str,
    period: str | tuple[_dt.date, _dt.date],
    n: int = 50,
    store=None,
    params: Mapping[str, float] | None = None,
    param_samples: Sequence[Mapping[str, float]] | None = None,
    seed: int = 1,
    scenario=DEFAULT_SCENARIO,
    policy=None,
    days: int | None = None,
) -> Validation:
    """Run an ensemble of ``n`` over the period's length and compare it with the observed data.

    ``days`` (default: the period's length) may shorten the runs, for tests; the comparison is
    then against the first ``days`` of the period."""
    obs, start, end = load_observed_period(store, observed, period, days)
    nd = period_days(start, end)
    seeds = list(range(int(seed), int(seed) + int(n)))
    evs = run_model_events(nd, seeds, start, scenario, policy, params, param_samples)
    evs = [to_observed_form(ev, observed) for ev in evs]
    v = compare(obs, evs, start, end)
    v.result["seed"] = int(seed)
    v.result["params"] = dict(params or {})
    v.result["posterior_samples"] = bool(param_samples)
    return v


__all__ = [
    "OBSERVED_CHOICES", "IMPORT_HINT", "LIGHT_COLUMNS", "Validation", "validate", "compare", "load_observed",
    "load_observed_period", "run_model_events", "light_events", "outside_admin1", "to_observed_form", "spearman",
    "coverage", "summarise", "tail_alpha_fixed_xmin", "period_days", "period_months", "source_and_level",
]

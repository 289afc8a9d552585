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
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem

OBSERVED_CHOICES = ("acled", "ucdp", "acled-aggregates")
INTERVAL = (0.05, 0.95)

IMPORT_HINT = {
    "acled": "azalai data import acled ACLED_EXPORT.csv",
    "ucdp": "azalai data import ucdp GED.csv",
    "acled-aggregates": (
        "azalai data import acled-aggregates acled_mali_monthly_aggregates_2012-01_to_2016-06.csv "
        "(and azalai data import acled-sizes acled_mali_event_size_counts_2012_2015.csv for event sizes)"
    ),
}


# ---------------------------------------------------------------------------------------------
# observed side
# ---------------------------------------------------------------------------------------------


def source_and_level(observed: str) -> tuple[str, str]:
    """``observed`` choice → (store source, level) for :mod:`azalai.analysis.observed`."""
    if observed not in OBSERVED_CHOICES:
        raise InputError(
            Problem("<argument>", None, None, "--observed",
                    f"unknown observed data {observed!r}; expected one of {', '.join(OBSERVED_CHOICES)}"),
            file="<argument>",
        )
    if observed == "ucdp":
        return "ucdp", "events"
    if observed == "acled":
        return "acled", "events"
    return "acled", "monthly"


def period_days(start: _dt.date, end: _dt.date) -> int:
    return (end - start).days + 1


def period_months(start: _dt.date, end: _dt.date) -> list[_dt.date]:
    return [d.date() for d in pd.date_range(start.replace(day=1), end.replace(day=1), freq="MS")]


def load_observed(store, observed: str, start: _dt.date, end: _dt.date) -> dict:
    """The observed statistics of a period; a clear error when the store lacks the data."""
    from azalai.analysis import observed as ob
    from azalai.experiment.store import store_path

    source, level = source_and_level(observed)
    if store is None or not hasattr(store, "execute"):
        p = store_path(store)
        if not p.exists():
            raise InputError(
                Problem(str(p), None, None, "--store",
                        f"no store here; import the observed data first: {IMPORT_HINT[observed]}"),
                file=str(p),
            )
    with ob._connected(store) as con:
        table = "observed_events" if level == "events" else "observed_monthly"
        n = 0
        if ob._has_table(con, table):
            w, p = (ob._events_where if level == "events" else ob._monthly_where)(source, start, end)
            n = con.execute(f"SELECT COUNT(*) FROM {table} WHERE {w}", p).fetchall()[0][0]
        if not n:
            hint = ""
            if observed == "acled" and ob._has_table(con, "observed_monthly"):
                w, p = ob._monthly_where(source, start, end)
                if con.execute(f"SELECT COUNT(*) FROM observed_monthly WHERE {w}", p).fetchall()[0][0]:
                    hint = " (the store has ACLED monthly aggregates for this period: use --observed acled-aggregates)"
            raise InputError(
                Problem("<store>", None, None, "--observed",
                        f"the store has no {observed} data for {start}:{end}; import it first: {IMPORT_HINT[observed]}"
                        + hint),
                file="<store>",
            )
        yearly = ob.yearly_fatalities(con, source, start, end, level)
        regions = ob.fatalities_by_region(con, source, start, end, level)
        if source == "ucdp":
            types = ob._df(
                con,
                "SELECT type_of_violence, SUM(1)::BIGINT AS events, SUM(fatalities)::BIGINT AS fatalities "
                "FROM observed_events WHERE source = 'ucdp' AND event_date >= ? AND event_date <= ? "
                "GROUP BY type_of_violence ORDER BY type_of_violence",
                [start, end],
            )
            from azalai.analysis.ucdp_form import TYPE_NAMES

            types["event_type"] = [TYPE_NAMES.get(int(t), str(t)) for t in types["type_of_violence"]]
            types = types[["event_type", "events", "fatalities"]]
        else:
            types = ob.event_type_mix(con, source, start, end, level)[["event_type", "events", "fatalities"]]
        monthly = ob.monthly_series(con, source, start, end, level)
        sizes = ob.event_sizes(con, source, start, end, level)
    size_arr = ob.size_list(sizes)
    size_years = None
    if level == "monthly" and len(sizes):
        size_years = _size_years(store, source, start, end)
    return {
        "observed": observed,
        "source": source,
        "level": level,
        "start": start,
        "end": end,
        "yearly": yearly,
        "regions": regions,
        "types": types,
        "monthly": monthly,
        "sizes": size_arr,
        "size_years": size_years,
    }


def load_observed_period(store, observed: str, period, days: int | None = None) -> tuple[dict, _dt.date, _dt.date]:
    """:func:`load_observed` over ``period`` ("START:END" or a (start, end) pair), cut to its first
    ``days`` if given; returns the data with the period's start and (possibly cut) end."""
    from azalai.analysis.observed import parse_period

    start, end = parse_period(period) if isinstance(period, str) else period
    if start is None or end is None:
        raise InputError(Problem("<argument>", None, None, "--period", "the period needs a start and an end"),
                         file="<argument>")
    if days is not None:
        end = min(end, start + _dt.timedelta(days=int(days) - 1))
    return load_observed(store, observed, start, end), start, end


def _size_years(store, source, start, end) -> list[int]:
    from azalai.analysis import observed as ob

    with ob._connected(store) as con:
        rows = con.execute(
            "SELECT DISTINCT year FROM observed_event_sizes WHERE source = ? AND year >= ? AND year <= ? ORDER BY year",
            [source, start.year, end.year],
        ).fetchall()
        return [int(r[0]) for r in rows]


# ---------------------------------------------------------------------------------------------
# model side
# ---------------------------------------------------------------------------------------------

LIGHT_COLUMNS = ["day", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "inter1", "inter2",
                 "civilian_targeting", "admin1", "region_id", "fatalities"]


def light_events(prep, S, r: int, start: _dt.date | None = None) -> pd.DataFrame:
    """Replicate r's events straight from the state arrays (fast; no cause chains), dated from
    ``start`` (default: the scenario's start). Columns: :data:`LIGHT_COLUMNS`."""
    from azalai.model.events import CIVILIANS, EVENT_TYPES, PROTESTERS

    idx = prep.index
    n = int(S.ev_n[r])
    day = np.asarray(S.ev_day[r, :n], dtype=np.int64)
    et = np.asarray(S.ev_type[r, :n], dtype=np.int64)
    a1 = np.asarray(S.ev_a1[r, :n], dtype=np.int64)
    a2 = np.asarray(S.ev_a2[r, :n], dtype=np.int64)
    pl = np.asarray(S.ev_place[r, :n], dtype=np.int64)
    A = len(idx.actors)
    inter_tab = np.zeros(A + 3, dtype=np.int64)  # slot A+k for code -k-1... built below
    names_tab = np.empty(A + 3, dtype=object)
    for a in range(A):
        inter_tab[a] = idx.actor_inter[a]
        names_tab[a] = idx.actor_acled[a]
    # codes: -1 nobody -> A, -2 civilians -> A+1, -3 protesters -> A+2
    inter_tab[A], names_tab[A] = 0, ""
    inter_tab[A + 1], names_tab[A + 1] = 7, "Civilians (Mali)"
    inter_tab[A + 2], names_tab[A + 2] = 6, "Protesters (Mali)"
    assert CIVILIANS == -2 and PROTESTERS == -3

    def slot(code):
        return np.where(code >= 0, code, A - code - 1)

    s1, s2 = slot(a1), slot(a2)
    t0 = np.datetime64(start or idx.start, "D")
    ev_types = np.array([t for t, _ in EVENT_TYPES], dtype=object)
    sub_types = np.array([s for _, s in EVENT_TYPES], dtype=object)
    admin = np.array(idx.place_region_name, dtype=object)
    rid = np.array(idx.place_region_id, dtype=object)
    return pd.DataFrame(
        {
            "day": day,
            "event_date": t0 + day.astype("timedelta64[D]"),
            "event_type": ev_types[et],
            "sub_event_type": sub_types[et],
            "actor1": names_tab[s1],
            "actor2": names_tab[s2],
            "inter1": inter_tab[s1],
            "inter2": inter_tab[s2],
            "civilian_targeting": np.asarray(S.ev_civ[r, :n], dtype=np.int64) > 0,
            "admin1": admin[pl],
            "region_id": rid[pl],
            "fatalities": np.asarray(S.ev_fat[r, :n], dtype=np.int64),
        },
        columns=LIGHT_COLUMNS,
    )


def outside_admin1(prep) -> set[str]:
    """admin1 names of the scenario's regions outside the country (border nodes)."""
    return {r.acled_admin1 for r in prep.scenario.regions if getattr(r, "zone", "") == "outside"}


def run_model_events(
    days: int,
    seeds: Sequence[int],
    start: _dt.date,
    scenario=DEFAULT_SCENARIO,
    policy=None,
    params: Mapping[str, float] | None = None,
    param_samples: Sequence[Mapping[str, float]] | None = None,
    chunk: int = 25,
) -> list[pd.DataFrame]:
    """Event frames (light columns) of an ensemble, shifted to start on ``start`` and restricted to
    the country (no border nodes). With ``param_samples``, replicate i runs with sample i (and
    ``params`` as a base under it)."""
    from azalai.model.engine import prepare, run_prepared

    seeds = [int(s) for s in seeds]
    out: list[pd.DataFrame] = []
    if param_samples is None:
        prep = prepare(scenario, policy, days, dict(params or {}))
        outside = outside_admin1(prep)
        for i in range(0, len(seeds), chunk):
            part = seeds[i:i + chunk]
            S = run_prepared(prep, part, record=False)
            for r in range(len(part)):
                ev = light_events(prep, S, r, start)
                out.append(ev[~ev["admin1"].isin(outside)].reset_index(drop=True))
        return out
    if len(param_samples) < len(seeds):
        raise ValueError("need one parameter sample per seed")
    for s, theta in zip(seeds, param_samples):
        vals = dict(params or {})
        vals.update(theta)
        prep = prepare(scenario, policy, days, vals)
        S = run_prepared(prep, [s], record=False)
        ev = light_events(prep, S, 0, start)
        out.append(ev[~ev["admin1"].isin(outside_admin1(prep))].reset_index(drop=True))
    return out


def to_observed_form(ev: pd.DataFrame, observed: str) -> pd.DataFrame:
    """The model's events in the observed data's form: GED rows for UCDP, unchanged for ACLED."""
    if observed != "ucdp":
        return ev
    from azalai.analysis.ucdp_form import ged_as_acled_like, to_ged

    return ged_as_acled_like(to_ged(ev))


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
    from azalai.analysis.observed import event_size_tail, ks_distance

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
    region_rows = []
    for j, g in enumerate(regions):
        s = summarise(sim_share[:, j])
        region_rows.append({"region": g, "observed_fatalities": float(o_r[j]), "observed_share": float(o_share[j]),
                            "model_share_median": s["median"], "model_share_lo": s["lo"], "model_share_hi": s["hi"]})
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


# ---------------------------------------------------------------------------------------------
# outputs: table, JSON, figures
# ---------------------------------------------------------------------------------------------


def _f(x, pct=False, nd=0):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if pct:
        return f"{100 * x:.0f}%"
    return f"{x:,.{nd}f}"


def markdown(v: Validation) -> str:
    r = v.result
    lines = [
        f"# Validation against {r['observed']} ({r['period']['start']} to {r['period']['end']})",
        "",
        f"{r['replicates']} replicates of {r['period']['days']} days; {r['note']}. "
        "Intervals are the ensemble's 5th–95th percentiles.",
        "",
        "## Summary",
        "",
        "| statistic | observed | model (median [90% interval]) | verdict |",
        "|---|---|---|---|",
    ]
    a = r["annual_rate"]
    inside = a["model_lo"] is not None and a["model_lo"] <= a["observed"] <= a["model_hi"]
    lines.append(f"| fatalities per year | {_f(a['observed'])} | {_f(a['model_median'])} "
                 f"[{_f(a['model_lo'])}–{_f(a['model_hi'])}] | {'inside' if inside else 'outside'} the interval |")
    sp = r["regions"]["spearman"]
    lines.append(f"| regional split: Spearman ρ of fatalities by admin1 | 1 | {_f(sp['median'], nd=2)} "
                 f"[{_f(sp['lo'], nd=2)}–{_f(sp['hi'], nd=2)}] | pooled ensemble ρ = "
                 f"{_f(r['regions']['spearman_pooled'], nd=2)} |")
    m = r["monthly"]
    lines.append(f"| monthly fatalities: share of months inside the 90% band | 90% expected | "
                 f"{_f(m['coverage'], pct=True)} | events per month: {_f(m['coverage_events'], pct=True)} |")
    es = r["event_sizes"]
    to, tm = es["observed_tail"], es["model_tail"]
    lines.append(f"| event-size tail exponent α (powerlaw) | {_f(to['alpha'], nd=2)} (xmin {_f(to['xmin'])}) | "
                 f"{_f(tm['alpha'], nd=2)} (xmin {_f(tm['xmin'])}, pooled) | KS distance (events ≥ 1 death) "
                 f"{_f(es['ks']['statistic'], nd=2)} |")
    lines += ["", "## Fatalities by year", "", "| year | days | observed | model median | 90% interval | inside |",
              "|---|---|---|---|---|---|"]
    for y in r["yearly"]:
        lines.append(f"| {y['year']} | {y['days']} | {_f(y['observed'])} | {_f(y['model_median'])} | "
                     f"{_f(y['model_lo'])}–{_f(y['model_hi'])} | {'yes' if y['inside'] else 'no'} |")
    lines += ["", "## Regional split (share of fatalities)", "", "| admin1 | observed | model median | 90% interval |",
              "|---|---|---|---|"]
    for g in r["regions"]["table"]:
        lines.append(f"| {g['region']} | {_f(g['observed_share'], pct=True)} | {_f(g['model_share_median'], pct=True)} | "
                     f"{_f(g['model_share_lo'], pct=True)}–{_f(g['model_share_hi'], pct=True)} |")
    lines += ["", "## Event-type mix (types the model produces; observed shares renormalised over them)", "",
              "| event type | events: observed | events: model | fatalities: observed | fatalities: model |",
              "|---|---|---|---|---|"]
    for t in r["event_types"]["compared"]:
        lines.append(
            f"| {t['event_type']} | {_f(t['observed_event_share'], pct=True)} | "
            f"{_f(t['model_event_share_median'], pct=True)} [{_f(t['model_event_share_lo'], pct=True)}–"
            f"{_f(t['model_event_share_hi'], pct=True)}] | {_f(t['observed_fatality_share'], pct=True)} | "
            f"{_f(t['model_fatality_share_median'], pct=True)} [{_f(t['model_fatality_share_lo'], pct=True)}–"
            f"{_f(t['model_fatality_share_hi'], pct=True)}] |")
    if r["event_types"]["not_produced"]:
        lines += ["", "Observed types the model does not produce: " + "; ".join(
            f"{t['event_type']} ({_f(t['share_of_observed_events'], pct=True)} of observed events, "
            f"{_f(t['share_of_observed_fatalities'], pct=True)} of fatalities)" for t in r["event_types"]["not_produced"]) + "."]
    lines += ["", "## Event sizes", "",
              f"Observed: {es['observed_events']} events"
              + (f" (years {', '.join(map(str, es['observed_years']))})" if es.get("observed_years") else "")
              + f"; model: {es['model_events']} events pooled over the ensemble. Tail exponent at the observed "
              f"xmin, per replicate: {_f(es['model_alpha_at_observed_xmin']['median'], nd=2)} "
              f"[{_f(es['model_alpha_at_observed_xmin']['lo'], nd=2)}–{_f(es['model_alpha_at_observed_xmin']['hi'], nd=2)}].",
              ""]
    return "\n".join(lines)


def figures(v: Validation, out_dir: str | Path, prefix: str = "") -> list[Path]:
    """PNG figures of a validation: yearly, regions, monthly band, event-size CCDF, event types."""
    from azalai.plotting import subplots

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    r, a = v.result, v.arrays
    paths = []

    def save(fig, name: str) -> None:
        fig.tight_layout()
        paths.append(out / f"{prefix}{name}.png")
        fig.savefig(paths[-1], dpi=110)

    label = r["observed"].upper()

    fig, ax = subplots(figsize=(6, 3.5))
    ys = [y["year"] for y in r["yearly"]]
    x = np.arange(len(ys))
    ax.bar(x - 0.2, [y["observed"] for y in r["yearly"]], 0.4, label=label, color="#444")
    med = np.array([y["model_median"] or 0 for y in r["yearly"]])
    lo = np.array([y["model_lo"] or 0 for y in r["yearly"]])
    hi = np.array([y["model_hi"] or 0 for y in r["yearly"]])
    ax.bar(x + 0.2, med, 0.4, yerr=[med - lo, hi - med], label="model (median, 90%)", color="#c60", capsize=3)
    ax.set_xticks(x, [f"{y['year']}\n({y['days']} d)" for y in r["yearly"]])
    ax.set_ylabel("fatalities")
    ax.legend(frameon=False)
    ax.set_title("Fatalities per year")
    save(fig, "yearly")

    fig, ax = subplots(figsize=(7, 3.5))
    regs = [g["region"] for g in r["regions"]["table"]]
    x = np.arange(len(regs))
    ax.bar(x - 0.2, [g["observed_share"] for g in r["regions"]["table"]], 0.4, label=label, color="#444")
    med = np.array([g["model_share_median"] or 0 for g in r["regions"]["table"]])
    lo = np.array([g["model_share_lo"] or 0 for g in r["regions"]["table"]])
    hi = np.array([g["model_share_hi"] or 0 for g in r["regions"]["table"]])
    ax.bar(x + 0.2, med, 0.4, yerr=[med - lo, hi - med], color="#c60", capsize=3, label="model")
    ax.set_xticks(x, regs, rotation=30, ha="right")
    ax.set_ylabel("share of fatalities")
    sp = r["regions"]["spearman"]
    ax.set_title(f"Fatalities by region (Spearman ρ median {_f(sp['median'], nd=2)})")
    ax.legend(frameon=False)
    save(fig, "regions")

    fig, ax = subplots(figsize=(8, 3.5))
    months = pd.to_datetime(r["monthly"]["months"])
    ax.fill_between(months, r["monthly"]["lower"], r["monthly"]["upper"], color="#c60", alpha=0.3, step="mid",
                    label="model 90% band")
    ax.plot(months, r["monthly"]["median"], color="#c60", drawstyle="steps-mid", label="model median")
    ax.plot(months, r["monthly"]["observed"], color="#222", marker="o", ms=3, lw=1, label=label)
    ax.set_ylabel("fatalities per month")
    ax.set_title(f"Monthly fatalities (coverage {_f(r['monthly']['coverage'], pct=True)})")
    ax.legend(frameon=False, fontsize=8)
    save(fig, "monthly")

    fig, ax = subplots(figsize=(5, 4))
    for arr, lab, col in ((a["o_sizes"], label, "#222"), (a["sim_sizes"], "model (pooled)", "#c60")):
        xs = np.sort(arr[arr >= 1])
        if len(xs):
            ccdf = 1.0 - np.arange(len(xs)) / len(xs)
            ax.loglog(xs, ccdf, marker=".", ls="none", color=col, label=lab)
    es = r["event_sizes"]
    ax.set_xlabel("fatalities per event")
    ax.set_ylabel("P(X ≥ x)")
    ax.set_title(f"Event sizes (α obs {_f(es['observed_tail']['alpha'], nd=2)}, model {_f(es['model_tail']['alpha'], nd=2)})")
    ax.legend(frameon=False)
    save(fig, "event_sizes")

    fig, axes = subplots(1, 2, figsize=(9, 3.5), sharey=True)
    ts = r["event_types"]["compared"]
    names = [t["event_type"].replace("/", "/\n").replace("Violence against", "Violence\nagainst") for t in ts]
    x = np.arange(len(ts))
    for ax, key, title in ((axes[0], "event", "share of events"), (axes[1], "fatality", "share of fatalities")):
        ax.barh(x - 0.2, [t[f"observed_{key}_share"] or 0 for t in ts], 0.4, color="#444", label=label)
        ax.barh(x + 0.2, [t[f"model_{key}_share_median"] or 0 for t in ts], 0.4, color="#c60", label="model")
        ax.set_yticks(x, names, fontsize=8)
        ax.set_title(title)
    axes[0].legend(frameon=False, fontsize=8)
    save(fig, "event_types")
    return paths


def write_outputs(v: Validation, out_dir: str | Path) -> dict[str, Path]:
    """validation.md, validation.json and the figures into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = out / "validation.md"
    js = out / "validation.json"
    md.write_text(markdown(v), encoding="utf-8")
    js.write_text(v.to_json(), encoding="utf-8")
    figs = figures(v, out)
    return {"markdown": md, "json": js, **{p.stem: p for p in figs}}


__all__ = [
    "OBSERVED_CHOICES", "Validation", "validate", "compare", "load_observed", "run_model_events", "light_events",
    "to_observed_form", "spearman", "coverage", "summarise", "tail_alpha_fixed_xmin", "markdown", "figures",
    "write_outputs", "period_days", "period_months", "source_and_level",
]

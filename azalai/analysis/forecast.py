"""Ensemble forecasts of fatalities and violent events per admin1 region and month.

From a scenario's start, ``members`` simulated histories of ``months`` months. The ensemble is
split into ``draws`` groups; group k runs with

* a parameter set drawn from the calibration's joint posterior (the weighted ABC particles of the
  ``posterior`` file, :func:`azalai.analysis.calibration.sample_posterior`) on top of ``base``, and
* a draw of the scenario within its stated ranges (uncertain numbers and fighter factors),

both through :func:`azalai.experiment.worlds.sample_worlds` (one world per group), and its members
differ by their random seeds. ``point=True`` turns both off: every member runs with
``base`` (plus the posterior file's point values, if a file is given) and the scenario as written,
so the spread is the engine's own randomness only.

``base='registry'`` starts from the registry's prior defaults, ignoring the shipped calibration;
out-of-sample forecasts (backtests) must use it, since the shipped calibration may have seen the
forecast period. ``base='effective'`` starts from the effective defaults (registry + shipped
calibration). All draws come from ``seed``: same inputs, same forecast.

Output: a long frame of samples (member, draw, admin1, month, fatalities, events) and a quantile
table per admin1, month and variable (:func:`quantile_table`), written as Parquet with the
forecast's provenance in the file's metadata (:func:`write_forecast`).
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem
from azalai.safeio import shown_path

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
VARIABLES = ("fatalities", "events")


@dataclass
class ForecastInfo:
    scenario: str
    start: str
    months: int
    members: int
    draws: int
    seed: int
    posterior: str | None
    point: bool
    base: str
    sampled: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _bad(name: str, msg: str) -> InputError:
    return InputError(Problem("<arguments>", None, None, name, msg), file="<arguments>")


def add_months(d: _dt.date, n: int) -> _dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return _dt.date(d.year + y, m + 1, 1)


def country_regions(scenario) -> list[str]:
    """admin1 names of the scenario's regions inside the country, in scenario order."""
    return [r.acled_admin1 for r in scenario.regions if getattr(r, "zone", "") != "outside"]


def base_values(base: str) -> dict[str, float]:
    from azalai.model.params import defaults

    if base == "registry":
        return defaults()
    if base == "effective":
        return {}
    raise _bad("base", f"unknown base {base!r}; expected registry or effective")


def draw_worlds(sc, draws: int, seed: int, posterior: str | Path | None, point: bool):
    """(worlds, point values): one world per draw, from the posterior file (if any) and the
    scenario's ranges; with ``point``, one point world and the file's point values."""
    from azalai.experiment.worlds import sample_worlds

    if posterior is not None and not Path(posterior).exists():
        raise _bad("--posterior", f"{posterior}: calibration file not found")
    if point:
        from azalai.model.params import load_param_file

        return list(sample_worlds(sc, n=1, point=True)), (dict(load_param_file(posterior)) if posterior else {})
    sources = ("posterior", "scenario") if posterior is not None else ("scenario",)
    return list(sample_worlds(sc, sources, n=draws, seed=seed, calibration=posterior)), {}


def run_forecast(
    scenario=DEFAULT_SCENARIO,
    months: int = 12,
    members: int = 200,
    draws: int = 50,
    seed: int = 1,
    posterior: str | Path | None = None,
    point: bool = False,
    base: str = "effective",
    policy=None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, ForecastInfo]:
    """Samples (member, draw, admin1, month, fatalities, events) and the forecast's record."""
    import time

    from azalai.analysis.panel import VIOLENT, month_list
    from azalai.analysis.validation import light_events
    from azalai.model.engine import prepare, run_prepared
    from azalai.scenario.loader import resolve_scenario

    if months < 1:
        raise _bad("--months", f"must be at least 1 (got {months})")
    if members < 1:
        raise _bad("--members", f"must be at least 1 (got {members})")
    t0 = time.time()
    sc = resolve_scenario(scenario)
    start = sc.calendar.start
    first = start.replace(day=1)
    end = add_months(first, months)
    days = (end - start).days
    regions = country_regions(sc)
    mlist = month_list(first, end - _dt.timedelta(days=1))
    K = max(1, min(int(draws), int(members)))
    if point:
        K = 1
    worlds, fixed = draw_worlds(sc, K, seed, posterior, point)
    basev = base_values(base)
    groups = np.array_split(np.arange(members), K)
    rows = []
    done = 0
    for k, mem in enumerate(groups):
        if not len(mem):
            continue
        vals = {**basev, **fixed, **worlds[k].params}
        prep = prepare(worlds[k].apply(sc), policy, days, vals or None)
        seeds = [int(seed) * 100_000 + int(i) for i in mem]
        S = run_prepared(prep, seeds, record=False)
        for r, i in enumerate(mem):
            ev = light_events(prep, S, r, start)
            ev = ev[ev["admin1"].isin(regions)]
            mo = ev["event_date"].to_numpy().astype("datetime64[M]").astype("datetime64[D]")
            g = pd.DataFrame({"admin1": ev["admin1"].to_numpy(), "month": pd.to_datetime(mo).date,
                              "fatalities": ev["fatalities"].to_numpy(),
                              "events": ev["event_type"].isin(VIOLENT).to_numpy().astype(np.int64)})
            agg = g.groupby(["admin1", "month"], as_index=False)[["fatalities", "events"]].sum()
            agg.insert(0, "draw", k)
            agg.insert(0, "member", int(i))
            rows.append(agg)
        done += len(mem)
        if progress:
            progress(done, members)
    grid = pd.MultiIndex.from_product([range(members), regions, mlist], names=["member", "admin1", "month"])
    df = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["member", "draw", "admin1", "month"])
    df = df.drop(columns=["draw"]).set_index(["member", "admin1", "month"]).reindex(grid).fillna(0).reset_index()
    df = df.astype({"fatalities": "int64", "events": "int64"})
    draw_of = np.zeros(members, dtype=np.int64)
    for k, mem in enumerate(groups):
        draw_of[mem] = k
    df.insert(1, "draw", draw_of[df["member"].to_numpy()])
    sampled = ["engine randomness (seeds)"]
    if not point:
        if posterior is not None:
            sampled.append(f"calibration posterior ({Path(posterior).name}, weighted particles)")
        sampled.append("scenario ranges (uncertain numbers and fighter factors)")
    info = ForecastInfo(getattr(sc.meta, "id", str(scenario)), start.isoformat(), int(months), int(members), K,
                        int(seed), shown_path(posterior) if posterior else None, bool(point), base, sampled,
                        round(time.time() - t0, 1))
    return df, info


def to_array(samples: pd.DataFrame, regions: Sequence[str], months: Sequence[_dt.date], value: str) -> np.ndarray:
    """regions × months × members array of one variable."""
    members = sorted(samples["member"].unique())
    wide = samples.set_index(["admin1", "month", "member"])[value]
    idx = pd.MultiIndex.from_product([list(regions), list(months), members])
    return wide.reindex(idx).fillna(0).to_numpy(dtype=float).reshape(len(regions), len(months), len(members))


def quantile_table(samples: pd.DataFrame, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
    """Per admin1, month and variable: mean and quantiles over members."""
    out = []
    for v in VARIABLES:
        g = samples.groupby(["admin1", "month"])[v]
        t = g.mean().rename("mean").to_frame()
        for q in quantiles:
            t[f"q{int(round(q * 100)):02d}"] = g.quantile(q)
        t = t.reset_index()
        t.insert(2, "variable", v)
        out.append(t)
    return pd.concat(out, ignore_index=True).sort_values(["variable", "admin1", "month"]).reset_index(drop=True)


def write_forecast(table: pd.DataFrame, path: str | Path, info: ForecastInfo, extra: dict | None = None) -> Path:
    """Parquet file of ``table`` with the forecast's record (JSON) in the schema metadata ``azalai``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    t = table.copy()
    t["month"] = pd.to_datetime(t["month"]).dt.date
    tab = pa.Table.from_pandas(t, preserve_index=False)
    meta = dict(tab.schema.metadata or {})
    meta[b"azalai"] = json.dumps({**asdict(info), **(extra or {})}, sort_keys=True).encode()
    pq.write_table(tab.replace_schema_metadata(meta), p)
    return p


def read_forecast_info(path: str | Path) -> dict:
    import pyarrow.parquet as pq

    md = pq.read_schema(path).metadata or {}
    return json.loads(md.get(b"azalai", b"{}"))


__all__ = ["run_forecast", "quantile_table", "write_forecast", "read_forecast_info", "to_array", "country_regions",
           "add_months", "ForecastInfo", "QUANTILES"]

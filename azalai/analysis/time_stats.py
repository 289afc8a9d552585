"""Summary statistics that see time, for calibration: level and trend, the latest year's regions,
monthly dispersion.

The pooled statistics of :mod:`azalai.analysis.calibration` (yearly rates and shares over the whole
window) cannot tell a rising conflict from a falling one. These add, from the monthly national and
regional fatality series of the calibration window (observed) or of each simulated replicate
shifted onto the window (model):

* ``level_recent``: log(1 + fatalities in the window's last 12 months, per year), and
  ``trend``: level_recent − log(1 + fatalities per year in the months before them); NaN when the
  window is 12 months or shorter (group "time_level");
* ``recent_share:<admin1>``: each region's share of the last 12 months' fatalities, for the regions
  of the pooled statistics (group "time_regions");
* ``dispersion``: log(1 + variance / mean) of national monthly fatalities over the window: the
  index of dispersion, which separates a steady trickle from a few large months (group
  "time_dispersion").

Model statistics are computed per replicate and averaged (log-scale statistics too), so the model's
and the data's dispersion are both of single histories.

Under the alignment ``end`` (:mod:`azalai.analysis.calibration_align`: the runs cover only the
period's last year) only the dispersion is kept, computed over the last 12 months: the level and the
latest year's regions are then the "recent" groups already, and the trend, which needs a run that
spans the whole period, is left out.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import warnings
from typing import Sequence

import numpy as np
import pandas as pd

from azalai.analysis.calibration_stats import Targets

GROUPS = ["time_level", "time_regions", "time_dispersion"]


def _months(start: _dt.date, end: _dt.date) -> list[_dt.date]:
    return [d.date() for d in pd.date_range(start.replace(day=1), end.replace(day=1), freq="MS")]


def series_statistics(monthly: pd.DataFrame, regions: Sequence[str], start: _dt.date, end: _dt.date) -> np.ndarray:
    """The statistics from a frame of (admin1, month, fatalities) rows of one history."""
    months = _months(start, end)
    nat = (monthly.groupby("month")["fatalities"].sum().reindex(months).fillna(0.0).to_numpy(dtype=float)
           if len(monthly) else np.zeros(len(months)))
    recent, before = nat[-12:], nat[:-12]
    level = math.log1p(recent.sum() * 12.0 / len(recent))
    trend = level - math.log1p(before.sum() * 12.0 / len(before)) if len(before) else float("nan")
    rec_months = set(months[-12:])
    r = monthly[monthly["month"].isin(rec_months)] if len(monthly) else monthly
    tot = float(r["fatalities"].sum()) if len(r) else 0.0
    by = r.groupby("admin1")["fatalities"].sum() if len(r) else {}
    shares = [float(by.get(g, 0.0)) / tot if tot else float("nan") for g in regions]
    mu = nat.mean()
    disp = math.log1p(nat.var() / mu) if mu > 0 else float("nan")
    return np.array([level, trend] + shares + [disp], dtype=float)


def names_and_groups(regions: Sequence[str], first_group: int, aligned_end: bool = False) -> tuple[list[str], list[int]]:
    """The statistics' names and groups (numbered from ``first_group``); only the dispersion if ``aligned_end``."""
    if aligned_end:
        return ["dispersion"], [first_group]
    names = ["level_recent", "trend"] + [f"recent_share:{g}" for g in regions] + ["dispersion"]
    groups = [first_group] * 2 + [first_group + 1] * len(regions) + [first_group + 2]
    return names, groups


def _kept(tg: Targets) -> slice:
    return slice(-1, None) if tg.recent_start else slice(None)


def observed_statistics(store, observed: str, regions: Sequence[str], start: _dt.date, end: _dt.date) -> np.ndarray:
    from azalai.analysis.panel import observed_panel

    panel = observed_panel(store, observed, start, end, regions)
    return series_statistics(panel[["admin1", "month", "fatalities"]], regions, start, end)


def model_statistics(events_list: Sequence[pd.DataFrame], regions: Sequence[str], start: _dt.date,
                     end: _dt.date) -> np.ndarray:
    """Mean over replicates of :func:`series_statistics` of each replicate's events (already shifted
    onto the window; events after ``end`` are ignored)."""
    rows = []
    for ev in events_list:
        if len(ev):
            mo = pd.to_datetime(ev["event_date"]).dt.to_period("M").dt.start_time.dt.date
            df = pd.DataFrame({"admin1": ev["admin1"].to_numpy(), "month": mo.to_numpy(),
                               "fatalities": ev["fatalities"].to_numpy(dtype=float)})
            df = df[df["month"] <= end]
        else:
            df = pd.DataFrame({"admin1": [], "month": [], "fatalities": []})
        rows.append(series_statistics(df, regions, start, end))
    arr = np.array(rows, dtype=float)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a statistic NaN in every replicate (the trend of one year)
        return np.nanmean(arr, axis=0) if len(arr) else np.full(len(regions) + 3, np.nan)


def with_time_statistics(store, tg: Targets) -> Targets:
    """``tg`` with the observed time statistics of its runs' window appended (see the module docstring)."""
    end_ = tg.recent_start is not None
    names, groups = names_and_groups(tg.regions, len(tg.group_names), end_)
    vals = observed_statistics(store, tg.observed, tg.regions, tg.run_start, tg.end)[_kept(tg)]
    gn = GROUPS[-1:] if end_ else GROUPS
    return dataclasses.replace(tg, values=np.concatenate([tg.values, vals]), names=tg.names + names,
                               groups=tg.groups + groups, group_names=tg.group_names + gn,
                               group_weights=None if tg.group_weights is None else tg.group_weights + [1.0] * len(gn))


def model_part(events_list: Sequence[pd.DataFrame], tg: Targets) -> np.ndarray:
    """The model's time statistics for :func:`with_time_statistics`'s targets."""
    return model_statistics(events_list, tg.regions, tg.run_start, tg.end)[_kept(tg)]


__all__ = ["with_time_statistics", "model_part", "series_statistics", "observed_statistics", "model_statistics",
           "names_and_groups", "GROUPS"]

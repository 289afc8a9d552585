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
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Sequence

import numpy as np
import pandas as pd

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


def names_and_groups(regions: Sequence[str], first_group: int) -> tuple[list[str], list[int]]:
    names = ["level_recent", "trend"] + [f"recent_share:{g}" for g in regions] + ["dispersion"]
    groups = [first_group] * 2 + [first_group + 1] * len(regions) + [first_group + 2]
    return names, groups


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
    with np.errstate(all="ignore"):
        return np.nanmean(arr, axis=0) if len(arr) else np.full(len(regions) + 3, np.nan)


__all__ = ["series_statistics", "observed_statistics", "model_statistics", "names_and_groups", "GROUPS"]

"""Observed counts per admin1 region and month: the panel that forecasts are scored against.

Columns: admin1, month (first day, a date), fatalities (all event types), events (violent events:
ACLED Battles, Explosions/Remote violence and Violence against civilians). Every region in
``regions`` and every month in [start, end] appears, with zeros where the data have nothing.
"""

from __future__ import annotations

import datetime as _dt
from typing import Sequence

import pandas as pd

from azalai.analysis.observed_query import connected, frame, observed_rows
from azalai.analysis.validation_data import source_and_level
from azalai.scenario.acled import VIOLENT_TYPES

VIOLENT = VIOLENT_TYPES


def month_list(start: _dt.date, end: _dt.date) -> list[_dt.date]:
    return [d.date() for d in pd.date_range(start.replace(day=1), end.replace(day=1), freq="MS")]


def observed_panel(store, observed: str, start: _dt.date, end: _dt.date, regions: Sequence[str]) -> pd.DataFrame:
    """The panel of ``observed`` ('acled' or 'acled-aggregates') for months in [start, end]."""
    source, level = source_and_level(observed)
    with connected(store) as con:
        sub, _lv, p = observed_rows(con, source, start, end, level)
        if p:
            df = frame(
                con,
                f"SELECT admin1, month_start AS month, SUM(fatalities)::BIGINT AS fatalities, "
                f"SUM(CASE WHEN event_type IN {tuple(VIOLENT)!r} THEN events ELSE 0 END)::BIGINT AS events "
                f"FROM {sub} t GROUP BY admin1, month_start",
                p,
            )
            df["month"] = pd.to_datetime(df["month"]).dt.date
        else:
            df = pd.DataFrame({"admin1": [], "month": [], "fatalities": [], "events": []})
    grid = pd.MultiIndex.from_product([list(regions), month_list(start, end)], names=["admin1", "month"])
    out = (df.set_index(["admin1", "month"]).reindex(grid).fillna(0).reset_index()
           .astype({"fatalities": "int64", "events": "int64"}))
    return out


def data_months(store, observed: str) -> tuple[_dt.date | None, _dt.date | None]:
    """First and last month the store holds for ``observed``."""
    source, level = source_and_level(observed)
    with connected(store) as con:
        sub, _lv, p = observed_rows(con, source, None, None, level)
        if not p:
            return None, None
        row = con.execute(f"SELECT MIN(month_start), MAX(month_start) FROM {sub} t", p).fetchall()[0]
    return row[0], row[1]


__all__ = ["observed_panel", "month_list", "data_months", "VIOLENT"]

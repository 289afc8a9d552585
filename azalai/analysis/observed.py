"""Summary statistics of observed conflict data, the targets that validation compares the model with.

Every statistic is computed from the store for one ``source`` ('acled' or 'ucdp') and a period
(``start``, ``end``: dates or ISO strings, both inclusive, either may be None). The data come from

* ``observed_events`` (event-level imports of ACLED or UCDP), or
* ``observed_monthly`` (ACLED monthly aggregates) and ``observed_event_sizes`` (ACLED counts of
  events per fatality count per year).

``level='auto'`` (the default) uses the events when the store has any for that source in the
period, otherwise the aggregates. With aggregates a month counts when its first day lies in
[first day of start's month, end]; event sizes are per calendar year, so a year counts when it
overlaps the period.

Results are pandas DataFrames (or plain dicts for the tail fit and the KS distance);
:func:`observed_summary` gathers them all.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from azalai.analysis.observed_query import (
    LEVELS,
    SOURCES,
    as_date,
    check_source,
    connected,
    empty_frame,
    events_where,
    frame,
    has_table,
    parse_period,
    resolve_level,
    resolve_level_for,
    totals,
)
from azalai.scenario.acled import VIOLENT_TYPES, inter_code
from azalai.errors import InputError, Problem


# ---------------------------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------------------------


def yearly_fatalities(store=None, source: str = "acled", start=None, end=None, level: str = "auto") -> pd.DataFrame:
    """Events and fatalities per calendar year: columns year, events, fatalities."""
    check_source(source)
    with connected(store) as con:
        start, end = as_date(start, "start"), as_date(end, "end")
        df = totals(con, source, start, end, level, "year", "year", "year")
        if df is None:
            df = empty_frame(["year", "events", "fatalities"])
        return df.astype({"year": "int64", "events": "int64", "fatalities": "int64"})


def fatalities_by_region(
    store=None, source: str = "acled", start=None, end=None, level: str = "auto", by: str = "admin1"
) -> pd.DataFrame:
    """Events and fatalities per region, largest first: columns region, events, fatalities, share
    (of the period's fatalities). ``by='admin1'`` groups by the name in the data; ``by='region_id'``
    by the scenario region (NULL shown as None)."""
    check_source(source)
    if by not in ("admin1", "region_id"):
        raise InputError(Problem("<argument>", None, None, "by", f"{by!r}: expected admin1 or region_id"), file="<argument>")
    with connected(store) as con:
        start, end = as_date(start, "start"), as_date(end, "end")
        df = totals(con, source, start, end, level, f"{by} AS region", by, "fatalities DESC, events DESC, region")
        if df is None:
            return pd.DataFrame({"region": pd.Series(dtype=object), "events": pd.Series(dtype="int64"),
                                 "fatalities": pd.Series(dtype="int64"), "share": pd.Series(dtype=float)})
        total = df["fatalities"].sum()
        df["share"] = df["fatalities"] / total if total else 0.0
        return df


def _period_totals(store, source, start, end, level, key: str, order: str) -> pd.DataFrame | None:
    """Events and fatalities of the period per ``key`` (columns to group by), ordered by ``order``."""
    check_source(source)
    with connected(store) as con:
        start, end = as_date(start, "start"), as_date(end, "end")
        return totals(con, source, start, end, level, key, key, order)


def event_type_mix(store=None, source: str = "acled", start=None, end=None, level: str = "auto") -> pd.DataFrame:
    """Events and fatalities per event type, most events first: columns event_type, events,
    fatalities, event_share, fatality_share."""
    df = _period_totals(store, source, start, end, level, "event_type", "events DESC, fatalities DESC, event_type")
    if df is None:
        return pd.DataFrame({"event_type": pd.Series(dtype=object), "events": pd.Series(dtype="int64"),
                             "fatalities": pd.Series(dtype="int64"), "event_share": pd.Series(dtype=float),
                             "fatality_share": pd.Series(dtype=float)})
    ne, nf = df["events"].sum(), df["fatalities"].sum()
    df["event_share"] = df["events"] / ne if ne else 0.0
    df["fatality_share"] = df["fatalities"] / nf if nf else 0.0
    return df


# Who fights whom, from ACLED's actor types (``inter1``, ``inter2``; codes of azalai.scenario.acled.INTER_TYPES):
# forces are state and external forces, armed groups are rebels and militias; rioters, protesters and one-sided
# events are "other".
FORCES = (inter_code("State forces"), inter_code("External/Other forces"))
ARMED_GROUPS = (inter_code("Rebel group"), inter_code("Political militia"), inter_code("Identity militia"))
INTER_CIVILIANS = inter_code("Civilians")
INTERACTIONS = ("forces vs armed groups", "armed groups vs armed groups", "against civilians", "other")


def interaction_class(inter1, inter2) -> np.ndarray:
    """Index into :data:`INTERACTIONS` of each (inter1, inter2) pair: who fights whom. An event with civilians
    on either side is against civilians; forces (state or external) against an armed group, or two armed groups
    (rebels and militias) fighting each other; anything else is other."""
    a = np.nan_to_num(np.asarray(inter1, dtype=float)).astype(np.int64)
    b = np.nan_to_num(np.asarray(inter2, dtype=float)).astype(np.int64)
    fa, fb = np.isin(a, FORCES), np.isin(b, FORCES)
    ga, gb = np.isin(a, ARMED_GROUPS), np.isin(b, ARMED_GROUPS)
    out = np.full(a.shape, INTERACTIONS.index("other"), dtype=np.int64)
    out[(fa & gb) | (fb & ga)] = INTERACTIONS.index("forces vs armed groups")
    out[ga & gb] = INTERACTIONS.index("armed groups vs armed groups")
    out[(a == INTER_CIVILIANS) | (b == INTER_CIVILIANS)] = INTERACTIONS.index("against civilians")
    return out


def interaction_totals(inter1, inter2, event_type, events, fatalities) -> pd.DataFrame:
    """Events and fatalities of the violent event types per interaction class (every class, in order):
    columns interaction, events, fatalities."""
    keep = np.isin(np.asarray(event_type, dtype=object), VIOLENT_TYPES)
    cls = interaction_class(np.asarray(inter1)[keep], np.asarray(inter2)[keep])
    n = len(INTERACTIONS)
    ev = np.bincount(cls, weights=np.asarray(events, dtype=float)[keep], minlength=n)
    fat = np.bincount(cls, weights=np.asarray(fatalities, dtype=float)[keep], minlength=n)
    return pd.DataFrame({"interaction": list(INTERACTIONS), "events": ev, "fatalities": fat})


def interaction_mix(store=None, source: str = "acled", start=None, end=None, level: str = "auto") -> pd.DataFrame:
    """Who fights whom: events and fatalities of the violent event types per interaction class (ACLED's
    actor-type codes; UCDP has none, so all of its events are "other")."""
    key = "inter1, inter2, event_type"
    df = _period_totals(store, source, start, end, level, key, key)
    if df is None:
        df = pd.DataFrame({"inter1": [], "inter2": [], "event_type": [], "events": [], "fatalities": []})
    return interaction_totals(df["inter1"], df["inter2"], df["event_type"], df["events"], df["fatalities"])


def monthly_series(
    store=None, source: str = "acled", start=None, end=None, level: str = "auto", fill: bool = True
) -> pd.DataFrame:
    """Events and fatalities per month: columns month (first day, a date), events, fatalities.
    With ``fill``, months without events inside the period (or the data's span) appear with zeros."""
    check_source(source)
    with connected(store) as con:
        start, end = as_date(start, "start"), as_date(end, "end")
        df = totals(con, source, start, end, level, "month_start AS month", "month_start", "month_start")
        if df is None:
            df = pd.DataFrame({"month": pd.Series(dtype=object), "events": pd.Series(dtype="int64"),
                               "fatalities": pd.Series(dtype="int64")})
        else:
            df["month"] = pd.to_datetime(df["month"]).dt.date
    if fill and (len(df) or (start and end)):
        first = (start or df["month"].min()).replace(day=1)
        last = (end or df["month"].max()).replace(day=1)
        months = [d.date() for d in pd.date_range(first, last, freq="MS")]
        df = (
            pd.DataFrame({"month": months})
            .merge(df, on="month", how="left")
            .fillna({"events": 0, "fatalities": 0})
            .astype({"events": "int64", "fatalities": "int64"})
        )
    return df.reset_index(drop=True)


def event_sizes(store=None, source: str = "acled", start=None, end=None, level: str = "auto") -> pd.DataFrame:
    """How many events had each fatality count: columns fatalities, events (ascending fatalities).

    From ``observed_events`` when the period has event-level data for the source, else from
    ``observed_event_sizes`` for the calendar years overlapping the period."""
    check_source(source)
    with connected(store) as con:
        start, end = as_date(start, "start"), as_date(end, "end")
        lv = resolve_level(con, source, start, end, level)
        if lv == "events" and has_table(con, "observed_events"):
            w, p = events_where(source, start, end)
            df = frame(
                con,
                f"SELECT fatalities, COUNT(*)::BIGINT AS events FROM observed_events WHERE {w} "
                "GROUP BY fatalities ORDER BY fatalities",
                p,
            )
            if len(df) or level == "events":
                return df
        if not has_table(con, "observed_event_sizes"):
            return empty_frame(["fatalities", "events"])
        where, p = ["source = ?"], [source]
        if start:
            where.append("year >= ?")
            p.append(start.year)
        if end:
            where.append("year <= ?")
            p.append(end.year)
        return frame(
            con,
            f"SELECT fatalities, SUM(events)::BIGINT AS events FROM observed_event_sizes "
            f"WHERE {' AND '.join(where)} GROUP BY fatalities ORDER BY fatalities",
            p,
        )


def size_list(sizes: pd.DataFrame) -> np.ndarray:
    """Expand a (fatalities, events) count table into one fatality count per event."""
    if sizes is None or len(sizes) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.repeat(sizes["fatalities"].to_numpy(dtype=np.int64), sizes["events"].to_numpy(dtype=np.int64))


def event_size_tail(sizes: Sequence[float] | pd.DataFrame, xmin: float | None = None) -> dict:
    """Fit a discrete power law to the tail of the event-size distribution (Clauset et al. 2009,
    with the ``powerlaw`` package). ``sizes``: fatalities per event, or a (fatalities, events)
    table. Events with no fatalities are left out. ``xmin`` fixed, or chosen by minimising KS.

    Returns alpha (exponent), xmin, sigma (standard error of alpha), n_tail (events >= xmin), n
    (events with at least one fatality) and D (KS distance of the fit)."""
    if isinstance(sizes, pd.DataFrame):
        x = size_list(sizes)
    else:
        x = np.asarray(list(sizes), dtype=float)
    x = x[np.isfinite(x) & (x >= 1)]
    nan = float("nan")
    if len(x) < 5 or len(np.unique(x)) < 2:
        return {"alpha": nan, "xmin": nan, "sigma": nan, "n_tail": int(len(x)), "n": int(len(x)), "D": nan}
    import contextlib
    import io
    import warnings

    import powerlaw

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        kw = {"discrete": True, "verbose": False}
        if xmin is not None:
            kw["xmin"] = float(xmin)
        try:
            fit = powerlaw.Fit(x, **kw)
        except TypeError:  # older powerlaw without `verbose`
            kw.pop("verbose")
            fit = powerlaw.Fit(x, **kw)
        pl = fit.power_law
        alpha, xm, sigma = float(pl.alpha), float(pl.xmin), float(pl.sigma)
        d = float(getattr(pl, "D", nan))
    n_tail = int((x >= xm).sum())
    return {"alpha": alpha, "xmin": xm, "sigma": sigma, "n_tail": n_tail, "n": int(len(x)), "D": d}


def ks_distance(a: Sequence[float], b: Sequence[float]) -> dict:
    """Two-sample Kolmogorov-Smirnov distance between two samples (e.g. simulated and observed
    event sizes): ``{'statistic', 'pvalue', 'n_a', 'n_b'}``; NaN when a sample is empty."""
    from scipy import stats

    xa = np.asarray(list(a) if not isinstance(a, np.ndarray) else a, dtype=float)
    xb = np.asarray(list(b) if not isinstance(b, np.ndarray) else b, dtype=float)
    xa, xb = xa[np.isfinite(xa)], xb[np.isfinite(xb)]
    if len(xa) == 0 or len(xb) == 0:
        return {"statistic": float("nan"), "pvalue": float("nan"), "n_a": int(len(xa)), "n_b": int(len(xb))}
    r = stats.ks_2samp(xa, xb)
    return {"statistic": float(r.statistic), "pvalue": float(r.pvalue), "n_a": int(len(xa)), "n_b": int(len(xb))}


def observed_summary(store=None, source: str = "acled", start=None, end=None, level: str = "auto") -> dict:
    """All the statistics above for one source and period, in one dict."""
    check_source(source)
    with connected(store) as con:
        start, end = as_date(start, "start"), as_date(end, "end")
        lv = resolve_level(con, source, start, end, level)
        sizes = event_sizes(con, source, start, end, level)
        tail = event_size_tail(sizes) if len(sizes) else event_size_tail([])
        return {
            "source": source,
            "start": start,
            "end": end,
            "level": lv,
            "yearly": yearly_fatalities(con, source, start, end, level),
            "by_region": fatalities_by_region(con, source, start, end, level),
            "event_types": event_type_mix(con, source, start, end, level),
            "monthly": monthly_series(con, source, start, end, level),
            "event_sizes": sizes,
            "tail": tail,
        }


def imports_table(store=None) -> pd.DataFrame:
    """The ``observed_imports`` table (empty if nothing was imported)."""
    with connected(store) as con:
        if not has_table(con, "observed_imports"):
            return pd.DataFrame(columns=["import_id", "source", "kind", "file_name", "sha256", "rows_imported",
                                         "rows_replaced", "rows_skipped", "skip_reasons", "imported_at"])
        return frame(con, "SELECT * FROM observed_imports ORDER BY import_id")


__all__ = [
    "SOURCES",
    "LEVELS",
    "parse_period",
    "resolve_level",
    "resolve_level_for",
    "yearly_fatalities",
    "fatalities_by_region",
    "event_type_mix",
    "interaction_mix",
    "interaction_class",
    "interaction_totals",
    "INTERACTIONS",
    "monthly_series",
    "event_sizes",
    "size_list",
    "event_size_tail",
    "ks_distance",
    "observed_summary",
    "imports_table",
]

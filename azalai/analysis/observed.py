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

import contextlib
import datetime as _dt
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd

from azalai.errors import InputError, Problem

SOURCES = ("acled", "ucdp")
LEVELS = ("auto", "events", "monthly")


# ---------------------------------------------------------------------------------------------
# plumbing
# ---------------------------------------------------------------------------------------------


def _connect(store) -> tuple[Any, bool]:
    if store is not None and hasattr(store, "execute"):
        return store, False
    from azalai.experiment.store import open_store, store_path

    p = store_path(store)
    if not p.exists():
        raise InputError(Problem(str(p), None, None, "", "no store here; import data first (azalai data import ...)"), file=str(p))
    try:
        return open_store(p, read_only=True), True
    except Exception:  # already open read-write in this process: same configuration needed
        return open_store(p), True


@contextlib.contextmanager
def _connected(store) -> Iterator[Any]:
    """:func:`_connect`, closing the connection afterwards if it was opened here."""
    con, own = _connect(store)
    try:
        yield con
    finally:
        if own:
            con.close()


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    cur = con.execute(sql, params or [])
    return cur.fetchdf()


def _has_table(con, name: str) -> bool:
    rows = con.execute(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return bool(rows[0][0])


def _date(d, what: str) -> _dt.date | None:
    if d is None or d == "":
        return None
    if isinstance(d, _dt.datetime):
        return d.date()
    if isinstance(d, _dt.date):
        return d
    try:
        return _dt.date.fromisoformat(str(d).strip())
    except ValueError:
        raise InputError(
            Problem("<argument>", None, None, what, f"{d!r} is not a date; expected YYYY-MM-DD"), file="<argument>"
        ) from None


def parse_period(text: str, argument: str = "--period") -> tuple[_dt.date | None, _dt.date | None]:
    """``'2015-01-01:2016-06-30'`` → (start, end). Either side may be empty (open). A bare year
    ``'2015'`` or ``'2015:2016'`` means whole years."""
    s = (text or "").strip()

    def bad(msg: str):
        return InputError(Problem("<argument>", None, None, argument, msg), file="<argument>")

    if not s:
        raise bad("empty period; expected START:END such as 2015-01-01:2016-06-30")
    parts = s.split(":")
    if len(parts) == 1:
        parts = [parts[0], parts[0]]
    if len(parts) != 2:
        raise bad(f"{text!r} is not a period; expected START:END such as 2015-01-01:2016-06-30")
    out = []
    for i, p in enumerate(parts):
        p = p.strip()
        if not p:
            out.append(None)
            continue
        try:
            if len(p) == 4 and p.isdigit():
                d = _dt.date(int(p), 1, 1) if i == 0 else _dt.date(int(p), 12, 31)
            else:
                d = _dt.date.fromisoformat(p)
        except ValueError:
            raise bad(f"{p!r} in {text!r} is not a date; expected YYYY-MM-DD (or a year)") from None
        out.append(d)
    start, end = out
    if start and end and start > end:
        raise bad(f"the period {text!r} ends before it starts")
    return start, end


def _check_source(source: str) -> str:
    if source not in SOURCES:
        raise InputError(
            Problem("<argument>", None, None, "source", f"unknown source {source!r}; expected one of {', '.join(SOURCES)}"),
            file="<argument>",
        )
    return source


def _events_where(source, start, end) -> tuple[str, list]:
    where, params = ["source = ?"], [source]
    if start:
        where.append("event_date >= ?")
        params.append(start)
    if end:
        where.append("event_date <= ?")
        params.append(end)
    return " AND ".join(where), params


def _monthly_where(source, start, end) -> tuple[str, list]:
    where, params = ["source = ?"], [source]
    if start:
        where.append("month >= ?")
        params.append(start.replace(day=1))
    if end:
        where.append("month <= ?")
        params.append(end)
    return " AND ".join(where), params


def resolve_level(con, source: str, start=None, end=None, level: str = "auto") -> str:
    """'events' or 'monthly': which table the statistics come from."""
    if level not in LEVELS:
        raise InputError(
            Problem("<argument>", None, None, "level", f"unknown level {level!r}; expected one of {', '.join(LEVELS)}"),
            file="<argument>",
        )
    if level != "auto":
        return level
    if _has_table(con, "observed_events"):
        w, p = _events_where(source, start, end)
        if con.execute(f"SELECT COUNT(*) FROM observed_events WHERE {w}", p).fetchall()[0][0]:
            return "events"
    if _has_table(con, "observed_monthly"):
        w, p = _monthly_where(source, start, end)
        if con.execute(f"SELECT COUNT(*) FROM observed_monthly WHERE {w}", p).fetchall()[0][0]:
            return "monthly"
    return "events"


def resolve_level_for(store=None, source: str = "acled", start=None, end=None, level: str = "auto") -> str:
    """:func:`resolve_level` for a store path (or connection)."""
    _check_source(source)
    with _connected(store) as con:
        return resolve_level(con, source, _date(start, "start"), _date(end, "end"), level)


def _base(con, source, start, end, level) -> tuple[str, str, list]:
    """(FROM clause as a sub-select with columns year, month_start, admin1, region_id, event_type,
    events, fatalities; the level; params)."""
    lv = resolve_level(con, source, start, end, level)
    if lv == "events":
        table, where = "observed_events", _events_where
        cols = "date_trunc('month', event_date)::DATE AS month_start, admin1, region_id, event_type, 1 AS events"
    else:
        table, where = "observed_monthly", _monthly_where
        cols = "month AS month_start, admin1, region_id, event_type, events"
    if not _has_table(con, table):
        return "(SELECT NULL::INT AS year WHERE FALSE)", lv, []
    w, p = where(source, start, end)
    return f"(SELECT year, {cols}, fatalities FROM {table} WHERE {w})", lv, p


def _totals(con, source, start, end, level, key: str, group: str, order: str) -> pd.DataFrame | None:
    """Events and fatalities of the period summed per ``group`` (selected as ``key``), ordered by
    ``order``; None where there is no table to read."""
    sub, _lv, p = _base(con, source, start, end, level)
    if not p:
        return None
    return _df(
        con,
        f"SELECT {key}, SUM(events)::BIGINT AS events, SUM(fatalities)::BIGINT AS fatalities "
        f"FROM {sub} t GROUP BY {group} ORDER BY {order}",
        p,
    )


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})


# ---------------------------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------------------------


def yearly_fatalities(store=None, source: str = "acled", start=None, end=None, level: str = "auto") -> pd.DataFrame:
    """Events and fatalities per calendar year: columns year, events, fatalities."""
    _check_source(source)
    with _connected(store) as con:
        start, end = _date(start, "start"), _date(end, "end")
        df = _totals(con, source, start, end, level, "year", "year", "year")
        if df is None:
            df = _empty(["year", "events", "fatalities"])
        return df.astype({"year": "int64", "events": "int64", "fatalities": "int64"})


def fatalities_by_region(
    store=None, source: str = "acled", start=None, end=None, level: str = "auto", by: str = "admin1"
) -> pd.DataFrame:
    """Events and fatalities per region, largest first: columns region, events, fatalities, share
    (of the period's fatalities). ``by='admin1'`` groups by the name in the data; ``by='region_id'``
    by the scenario region (NULL shown as None)."""
    _check_source(source)
    if by not in ("admin1", "region_id"):
        raise InputError(Problem("<argument>", None, None, "by", f"{by!r}: expected admin1 or region_id"), file="<argument>")
    with _connected(store) as con:
        start, end = _date(start, "start"), _date(end, "end")
        df = _totals(con, source, start, end, level, f"{by} AS region", by, "fatalities DESC, events DESC, region")
        if df is None:
            return pd.DataFrame({"region": pd.Series(dtype=object), "events": pd.Series(dtype="int64"),
                                 "fatalities": pd.Series(dtype="int64"), "share": pd.Series(dtype=float)})
        total = df["fatalities"].sum()
        df["share"] = df["fatalities"] / total if total else 0.0
        return df


def event_type_mix(store=None, source: str = "acled", start=None, end=None, level: str = "auto") -> pd.DataFrame:
    """Events and fatalities per event type, most events first: columns event_type, events,
    fatalities, event_share, fatality_share."""
    _check_source(source)
    with _connected(store) as con:
        start, end = _date(start, "start"), _date(end, "end")
        df = _totals(con, source, start, end, level, "event_type", "event_type",
                     "events DESC, fatalities DESC, event_type")
        if df is None:
            return pd.DataFrame({"event_type": pd.Series(dtype=object), "events": pd.Series(dtype="int64"),
                                 "fatalities": pd.Series(dtype="int64"), "event_share": pd.Series(dtype=float),
                                 "fatality_share": pd.Series(dtype=float)})
        ne, nf = df["events"].sum(), df["fatalities"].sum()
        df["event_share"] = df["events"] / ne if ne else 0.0
        df["fatality_share"] = df["fatalities"] / nf if nf else 0.0
        return df


def monthly_series(
    store=None, source: str = "acled", start=None, end=None, level: str = "auto", fill: bool = True
) -> pd.DataFrame:
    """Events and fatalities per month: columns month (first day, a date), events, fatalities.
    With ``fill``, months without events inside the period (or the data's span) appear with zeros."""
    _check_source(source)
    with _connected(store) as con:
        start, end = _date(start, "start"), _date(end, "end")
        df = _totals(con, source, start, end, level, "month_start AS month", "month_start", "month_start")
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
    _check_source(source)
    with _connected(store) as con:
        start, end = _date(start, "start"), _date(end, "end")
        lv = resolve_level(con, source, start, end, level)
        if lv == "events" and _has_table(con, "observed_events"):
            w, p = _events_where(source, start, end)
            df = _df(
                con,
                f"SELECT fatalities, COUNT(*)::BIGINT AS events FROM observed_events WHERE {w} "
                "GROUP BY fatalities ORDER BY fatalities",
                p,
            )
            if len(df) or level == "events":
                return df
        if not _has_table(con, "observed_event_sizes"):
            return _empty(["fatalities", "events"])
        where, p = ["source = ?"], [source]
        if start:
            where.append("year >= ?")
            p.append(start.year)
        if end:
            where.append("year <= ?")
            p.append(end.year)
        return _df(
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
    _check_source(source)
    with _connected(store) as con:
        start, end = _date(start, "start"), _date(end, "end")
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
    with _connected(store) as con:
        if not _has_table(con, "observed_imports"):
            return pd.DataFrame(columns=["import_id", "source", "kind", "file_name", "sha256", "rows_imported",
                                         "rows_replaced", "rows_skipped", "skip_reasons", "imported_at"])
        return _df(con, "SELECT * FROM observed_imports ORDER BY import_id")


__all__ = [
    "parse_period",
    "resolve_level_for",
    "yearly_fatalities",
    "fatalities_by_region",
    "event_type_mix",
    "monthly_series",
    "event_sizes",
    "size_list",
    "event_size_tail",
    "ks_distance",
    "observed_summary",
    "imports_table",
]

"""Reading observed data from the store: connections, periods, sources and levels, and the rows a
statistic of :mod:`azalai.analysis.observed` is computed from."""

from __future__ import annotations

import contextlib
import datetime as _dt
from typing import Any, Iterator

import pandas as pd

from azalai.errors import InputError, Problem, StoreError
from azalai.experiment.store import open_store, store_path

SOURCES = ("acled", "ucdp")
LEVELS = ("auto", "events", "monthly")


def connect(store) -> tuple[Any, bool]:
    """(connection, opened here) from a store path (None: the default store) or an open connection."""
    if store is not None and hasattr(store, "execute"):
        return store, False
    p = store_path(store)
    if not p.exists():
        raise InputError(Problem(str(p), None, None, "", "no store here; import data first (azalai data import ...)"), file=str(p))
    try:
        return open_store(p, read_only=True), True
    except StoreError:  # already open read-write in this process: same configuration needed
        return open_store(p), True


@contextlib.contextmanager
def connected(store) -> Iterator[Any]:
    """:func:`connect`, closing the connection afterwards if it was opened here."""
    con, own = connect(store)
    try:
        yield con
    finally:
        if own:
            con.close()


def frame(con, sql: str, params: list | None = None) -> pd.DataFrame:
    """A query's result as a data frame."""
    cur = con.execute(sql, params or [])
    return cur.fetchdf()


def has_table(con, name: str) -> bool:
    """Whether the store has the table (stores opened read-only may lack some)."""
    rows = con.execute(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return bool(rows[0][0])


def as_date(d, what: str) -> _dt.date | None:
    """A date, an ISO string or None as a date (or None); ``what`` names the argument in the error."""
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


def check_source(source: str) -> str:
    """``source`` if it is one of :data:`SOURCES`, else an input error."""
    if source not in SOURCES:
        raise InputError(
            Problem("<argument>", None, None, "source", f"unknown source {source!r}; expected one of {', '.join(SOURCES)}"),
            file="<argument>",
        )
    return source


def events_where(source, start, end) -> tuple[str, list]:
    """(WHERE clause, parameters) selecting a source's events in the period."""
    where, params = ["source = ?"], [source]
    if start:
        where.append("event_date >= ?")
        params.append(start)
    if end:
        where.append("event_date <= ?")
        params.append(end)
    return " AND ".join(where), params


def monthly_where(source, start, end) -> tuple[str, list]:
    """(WHERE clause, parameters) selecting a source's monthly aggregates in the period."""
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
    if has_table(con, "observed_events"):
        w, p = events_where(source, start, end)
        if con.execute(f"SELECT COUNT(*) FROM observed_events WHERE {w}", p).fetchall()[0][0]:
            return "events"
    if has_table(con, "observed_monthly"):
        w, p = monthly_where(source, start, end)
        if con.execute(f"SELECT COUNT(*) FROM observed_monthly WHERE {w}", p).fetchall()[0][0]:
            return "monthly"
    return "events"


def resolve_level_for(store=None, source: str = "acled", start=None, end=None, level: str = "auto") -> str:
    """:func:`resolve_level` for a store path (or connection)."""
    check_source(source)
    with connected(store) as con:
        return resolve_level(con, source, as_date(start, "start"), as_date(end, "end"), level)


def observed_rows(con, source, start, end, level) -> tuple[str, str, list]:
    """(FROM clause as a sub-select with columns year, month_start, admin1, region_id, event_type,
    inter1, inter2, events, fatalities; the level; params)."""
    lv = resolve_level(con, source, start, end, level)
    if lv == "events":
        table, where = "observed_events", events_where
        cols = ("date_trunc('month', event_date)::DATE AS month_start, admin1, region_id, event_type, inter1, inter2, "
                "1 AS events")
    else:
        table, where = "observed_monthly", monthly_where
        cols = "month AS month_start, admin1, region_id, event_type, inter1, inter2, events"
    if not has_table(con, table):
        return "(SELECT NULL::INT AS year WHERE FALSE)", lv, []
    w, p = where(source, start, end)
    return f"(SELECT year, {cols}, fatalities FROM {table} WHERE {w})", lv, p


def totals(con, source, start, end, level, key: str, group: str, order: str) -> pd.DataFrame | None:
    """Events and fatalities of the period summed per ``group`` (selected as ``key``), ordered by
    ``order``; None where there is no table to read."""
    sub, _lv, p = observed_rows(con, source, start, end, level)
    if not p:
        return None
    return frame(
        con,
        f"SELECT {key}, SUM(events)::BIGINT AS events, SUM(fatalities)::BIGINT AS fatalities "
        f"FROM {sub} t GROUP BY {group} ORDER BY {order}",
        p,
    )


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """A frame with no rows and integer ``columns``."""
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})

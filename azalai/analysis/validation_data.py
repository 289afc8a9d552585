"""The two sides of a validation: the observed statistics of a period, read from the store, and the
events of a model ensemble run over the period's length and shifted onto it (see
:mod:`azalai.analysis.validation` for the comparison itself)."""

from __future__ import annotations

import datetime as _dt
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from azalai.analysis import observed as ob
from azalai.analysis.observed_query import connected, events_where, frame, has_table, monthly_where
from azalai.analysis.ucdp_form import TYPE_NAMES, ged_as_acled_like, to_ged
from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem
from azalai.experiment.store import store_path

OBSERVED_CHOICES = ("acled", "ucdp", "acled-aggregates")

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
    source, level = source_and_level(observed)
    if store is None or not hasattr(store, "execute"):
        p = store_path(store)
        if not p.exists():
            raise InputError(
                Problem(str(p), None, None, "--store",
                        f"no store here; import the observed data first: {IMPORT_HINT[observed]}"),
                file=str(p),
            )
    with connected(store) as con:
        table = "observed_events" if level == "events" else "observed_monthly"
        n = 0
        if has_table(con, table):
            w, p = (events_where if level == "events" else monthly_where)(source, start, end)
            n = con.execute(f"SELECT COUNT(*) FROM {table} WHERE {w}", p).fetchall()[0][0]
        if not n:
            hint = ""
            if observed == "acled" and has_table(con, "observed_monthly"):
                w, p = monthly_where(source, start, end)
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
            types = frame(
                con,
                "SELECT type_of_violence, SUM(1)::BIGINT AS events, SUM(fatalities)::BIGINT AS fatalities "
                "FROM observed_events WHERE source = 'ucdp' AND event_date >= ? AND event_date <= ? "
                "GROUP BY type_of_violence ORDER BY type_of_violence",
                [start, end],
            )
            types["event_type"] = [TYPE_NAMES.get(int(t), str(t)) for t in types["type_of_violence"]]
            types = types[["event_type", "events", "fatalities"]]
        else:
            types = ob.event_type_mix(con, source, start, end, level)[["event_type", "events", "fatalities"]]
        # Who fights whom needs ACLED's actor-type codes; UCDP's type of violence is its event type above.
        interactions = None if source == "ucdp" else ob.interaction_mix(con, source, start, end, level)
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
        "interactions": interactions,
        "monthly": monthly,
        "sizes": size_arr,
        "size_years": size_years,
    }


def load_observed_period(store, observed: str, period, days: int | None = None) -> tuple[dict, _dt.date, _dt.date]:
    """:func:`load_observed` over ``period`` ("START:END" or a (start, end) pair), cut to its first
    ``days`` if given; returns the data with the period's start and (possibly cut) end."""
    start, end = ob.parse_period(period) if isinstance(period, str) else period
    if start is None or end is None:
        raise InputError(Problem("<argument>", None, None, "--period", "the period needs a start and an end"),
                         file="<argument>")
    if days is not None:
        end = min(end, start + _dt.timedelta(days=int(days) - 1))
    return load_observed(store, observed, start, end), start, end


def _size_years(store, source, start, end) -> list[int]:
    with connected(store) as con:
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
    return ged_as_acled_like(to_ged(ev))

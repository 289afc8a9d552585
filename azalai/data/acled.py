"""Import ACLED data into the store: event-level exports, monthly aggregates and event-size counts.

Event-level exports (:func:`import_acled`) go into ``observed_events`` with ``source = 'acled'``.
Both current exports (``inter1`` written as an actor type such as "State forces") and older ones
(numeric codes 1-8) are accepted; both the code and the text are stored.

Aggregates (:func:`import_acled_aggregates`): a monthly file with columns month, admin1,
event_type, sub_event_type, inter1, inter2, events, fatalities goes into ``observed_monthly``; an
event-size file with columns year, fatalities, events goes into ``observed_event_sizes``
(:func:`import_acled_event_sizes`; :func:`import_acled_aggregates` recognises it by its header).
"""

from __future__ import annotations

import os

from azalai.data.common import (
    ImportSummary,
    dedupe_in_file,
    event_region,
    import_events,
    note_unmapped,
    read_cells,
    region_mapper,
    save_import,
    skip_row,
    start_parse,
)
from azalai.data.table import CellError, parse_date, parse_float, parse_int, parse_month
from azalai.data.regions import RegionMapper
from azalai.scenario.acled import EXPORT_COLUMNS, INTER_TYPES

__all__ = ["EXPORT_COLUMNS", "INTER_TYPES", "import_acled", "parse_acled_events"]

#: ACLED actor types ("inter" codes), declared in azalai/scenario/acled.py. 0 means no second actor.
_INTER_BY_TEXT = {v.lower(): k for k, v in INTER_TYPES.items()}
_INTER_BY_TEXT.update(
    {
        "state forces": 1,
        "rebel groups": 2,
        "political militias": 3,
        "identity militias": 4,
        "ethnic militia": 4,
        "ethnic militias": 4,
        "communal militia": 4,
        "communal militias": 4,
        "rioter": 5,
        "protester": 6,
        "civilian": 7,
        "external/other force": 8,
        "external forces": 8,
        "other forces": 8,
        "other": 8,
        "external/other": 8,
    }
)

EVENT_COLUMNS = {
    "event_id": ("event_id_cnty", "event_id", "data_id", "event_id_no_cnty"),
    "event_date": ("event_date", "date"),
    "year": ("year",),
    "time_precision": ("time_precision",),
    "disorder_type": ("disorder_type",),
    "event_type": ("event_type",),
    "sub_event_type": ("sub_event_type",),
    "actor1": ("actor1",),
    "assoc_actor_1": ("assoc_actor_1",),
    "inter1": ("inter1",),
    "actor2": ("actor2",),
    "assoc_actor_2": ("assoc_actor_2",),
    "inter2": ("inter2",),
    "interaction": ("interaction",),
    "civilian_targeting": ("civilian_targeting",),
    "iso": ("iso",),
    "region": ("region",),
    "country": ("country",),
    "admin1": ("admin1",),
    "admin2": ("admin2",),
    "admin3": ("admin3",),
    "location": ("location",),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "long"),
    "geo_precision": ("geo_precision",),
    "source": ("source",),
    "source_scale": ("source_scale",),
    "notes": ("notes",),
    "fatalities": ("fatalities",),
    "tags": ("tags",),
    "timestamp": ("timestamp",),
}
# The reader knows every column of ACLED's current export: the first names above are EXPORT_COLUMNS.
EVENT_REQUIRED = ["event_id", "event_date", "event_type", "fatalities", "latitude", "longitude", "admin1"]

MONTHLY_COLUMNS = {
    "month": ("month", "year_month"),
    "admin1": ("admin1",),
    "event_type": ("event_type",),
    "sub_event_type": ("sub_event_type",),
    "inter1": ("inter1",),
    "inter2": ("inter2",),
    "events": ("events", "event_count", "n_events"),
    "fatalities": ("fatalities",),
}
MONTHLY_REQUIRED = ["month", "admin1", "event_type", "events", "fatalities"]

SIZES_COLUMNS = {
    "year": ("year",),
    "fatalities": ("fatalities", "size"),
    "events": ("events", "event_count", "n_events", "count"),
}
SIZES_REQUIRED = ["year", "fatalities", "events"]


def parse_inter(s: str) -> tuple[int | None, str | None]:
    """An ACLED actor type, numeric (``"1"``, ``"1.0"``) or text (``"State forces"``) → (code, text).

    Blank or 0 is (0, None): no actor. Unknown text is (None, text). Out-of-range numbers raise."""
    t = s.strip()
    if not t:
        return 0, None
    try:
        v = float(t)
    except ValueError:
        code = _INTER_BY_TEXT.get(" ".join(t.lower().split()))
        if code is None:
            return None, t
        return code, INTER_TYPES[code]
    if v != int(v) or not (0 <= v <= 8):
        raise CellError(f"{t!r} is not an ACLED actor type code (0-8)")
    code = int(v)
    return code, INTER_TYPES.get(code)


def interaction_code(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's numeric interaction: the two actor-type codes, smaller first (12, 17, 27 ...);
    an actor alone is its code followed by 0 (10, 60 ...)."""
    if not inter1 and not inter2:
        return None
    if inter1 is None or inter2 is None:
        return None
    if not inter2 or not inter1:
        return 10 * (inter1 or inter2)
    a, b = sorted((inter1, inter2))
    return 10 * a + b


def _parse_bool(s: str) -> bool | None:
    t = s.strip().lower()
    if not t:
        return None
    return t not in ("0", "false", "no", "n")


def parse_acled_events(path, mapper: RegionMapper | None = None) -> tuple[list[dict], ImportSummary]:
    """Read an ACLED event export into records for ``observed_events`` (no store access)."""
    mapper = mapper or RegionMapper()
    t, s, problems = start_parse(path, EVENT_COLUMNS, EVENT_REQUIRED, "ACLED events", "acled", "events")
    records: list[tuple[int, dict]] = []
    for line, c, hard in read_cells(t, s, problems):
        event_id = c["event_id"]
        date = hard("event_date", parse_date)
        fat = hard("fatalities", parse_int, "a whole number of fatalities")
        inter1 = hard("inter1", parse_inter, blank=(0, None)) if "inter1" in c else (None, None)
        inter2 = hard("inter2", parse_inter, blank=(0, None)) if "inter2" in c else (None, None)
        lat = hard("latitude", parse_float, -90, 90, "a latitude")
        lon = hard("longitude", parse_float, -180, 180, "a longitude")
        # older exports: a numeric code (12, 17, 60 ...); current ones: text ("State forces-Rebel group")
        interaction = None
        if c.get("interaction", "").replace(".", "", 1).isdigit():
            interaction = hard("interaction", parse_int, "an interaction code")
        where_prec = hard("geo_precision", parse_int, "a precision code")
        date_prec = hard("time_precision", parse_int, "a precision code")
        if problems.items or skip_row(
            s, line, (event_id, "no event id"), (date, "no event date"), (fat, "fatalities blank"),
            ((lat, lon), "no coordinates"), (c["event_type"], "no event type"),
        ):
            continue
        admin1, region_id = event_region(mapper, s, c["admin1"] or None, lat, lon)
        i1 = inter1 or (None, None)
        i2 = inter2 or (None, None)
        if interaction is None:
            interaction = interaction_code(i1[0], i2[0])
        for code, text in (i1, i2):
            if code is None and text:
                s.note(f"unknown ACLED actor type kept as text: {text}")
        actor1 = c.get("actor1") or None
        actor2 = c.get("actor2") or None
        records.append(
            (
                line,
                {
                    "source": "acled",
                    "event_id": event_id,
                    "event_date": date,
                    "year": date.year,
                    "month": date.month,
                    "event_type": c["event_type"],
                    "sub_event_type": c.get("sub_event_type") or None,
                    "actor1": actor1,
                    "actor2": actor2,
                    "inter1": i1[0],
                    "inter1_type": i1[1],
                    "inter2": i2[0],
                    "inter2_type": i2[1],
                    "interaction": interaction,
                    "civilian_targeting": _parse_bool(c.get("civilian_targeting", "")),
                    "admin1": admin1,
                    "region_id": region_id,
                    "location": c.get("location") or None,
                    "latitude": lat,
                    "longitude": lon,
                    "fatalities": fat,
                    "low": None,
                    "high": None,
                    "type_of_violence": None,
                    "where_prec": where_prec,
                    "date_prec": date_prec,
                },
            )
        )
    problems.raise_if_any()
    out = dedupe_in_file(records, ["event_id"], s, "event id")
    return out, s


def import_acled(
    path: str | os.PathLike,
    store=None,
    scenario=None,
    boundaries: str | os.PathLike | None = None,
    name_property: str | None = None,
    regions=None,
    skip_unmapped: bool = False,
) -> ImportSummary:
    """Import an ACLED event export (CSV) into ``observed_events``.

    ``store``: a store path or an open DuckDB connection. ``scenario`` (name or path) or
    ``regions`` (a list of regions) map rows to region ids; ``boundaries`` adds point-in-polygon.
    ``skip_unmapped``: skip, rather than keep with a NULL region_id, rows outside the scenario's regions.
    Raises :class:`~azalai.errors.DataImportError` for a malformed file; nothing is written then.
    """
    return import_events(
        parse_acled_events, path, store, scenario, boundaries, name_property, regions, skip_unmapped
    )


def parse_acled_monthly(path, mapper: RegionMapper | None = None) -> tuple[list[dict], ImportSummary]:
    mapper = mapper or RegionMapper()
    t, s, problems = start_parse(
        path, MONTHLY_COLUMNS, MONTHLY_REQUIRED, "ACLED monthly aggregates", "acled", "monthly"
    )
    records: list[tuple[int, dict]] = []
    for line, c, hard in read_cells(t, s, problems):
        month = hard("month", parse_month)
        events = hard("events", parse_int, "a whole number of events")
        fat = hard("fatalities", parse_int, "a whole number of fatalities")
        i1 = hard("inter1", parse_inter, blank=(0, None)) if "inter1" in c else (None, None)
        i2 = hard("inter2", parse_inter, blank=(0, None)) if "inter2" in c else (None, None)
        if problems.items or skip_row(
            s, line, (month, "no month"), (events, "events blank"), (fat, "fatalities blank"),
            (c["event_type"], "no event type"),
        ):
            continue
        admin1 = c["admin1"] or None
        region_id = mapper.by_name(admin1)
        note_unmapped(mapper, s, admin1, region_id)
        records.append(
            (
                line,
                {
                    "source": "acled",
                    "month": month,
                    "year": month.year,
                    "admin1": admin1,
                    "region_id": region_id,
                    "event_type": c["event_type"],
                    "sub_event_type": c.get("sub_event_type") or None,
                    "inter1": (i1 or (None, None))[0],
                    "inter2": (i2 or (None, None))[0],
                    "events": events,
                    "fatalities": fat,
                },
            )
        )
    problems.raise_if_any()
    key = ["month", "admin1", "event_type", "sub_event_type", "inter1", "inter2"]
    return dedupe_in_file(records, key, s, "month/admin1/type/actor-type row"), s


def parse_acled_sizes(path) -> tuple[list[dict], ImportSummary]:
    t, s, problems = start_parse(path, SIZES_COLUMNS, SIZES_REQUIRED, "ACLED event-size counts", "acled", "sizes")
    records: list[tuple[int, dict]] = []
    for line, c, hard in read_cells(t, s, problems):
        vals = {
            name: hard(name, parse_int, what)
            for name, what in (("year", "a year"), ("fatalities", "a whole number of fatalities"),
                               ("events", "a whole number of events"))
        }
        if problems.items or skip_row(s, line, (tuple(vals.values()), "blank cell")):
            continue
        records.append((line, {"source": "acled", **vals}))
    problems.raise_if_any()
    return dedupe_in_file(records, ["year", "fatalities"], s, "year/fatalities row"), s


def import_acled_aggregates(
    path: str | os.PathLike,
    store=None,
    scenario=None,
    regions=None,
) -> ImportSummary:
    """Import ACLED aggregates: the monthly file into ``observed_monthly``, or, recognised by its
    header (year, fatalities, events), the event-size counts into ``observed_event_sizes``."""
    if _looks_like_sizes(path):
        return import_acled_event_sizes(path, store)
    records, summary = parse_acled_monthly(path, region_mapper(scenario, None, None, regions))
    return save_import(store, "observed_monthly", records, summary)


def import_acled_event_sizes(path: str | os.PathLike, store=None) -> ImportSummary:
    """Import ACLED event-size counts (year, fatalities, events) into ``observed_event_sizes``."""
    records, summary = parse_acled_sizes(path)
    return save_import(store, "observed_event_sizes", records, summary)


def _looks_like_sizes(path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.readline(4096).decode("utf-8-sig", errors="replace").strip().lower()
    except OSError:
        return False
    cols = {c.strip() for c in head.replace(";", ",").split(",")}
    return {"year", "fatalities", "events"} <= cols and "month" not in cols and "admin1" not in cols

"""Import a UCDP Georeferenced Event Dataset (GED) CSV into ``observed_events`` (``source = 'ucdp'``).

Accepted column names are the GED's own (``id``, ``type_of_violence``, ``side_a``, ``side_b``,
``best``/``low``/``high``, ``date_start``, ``adm_1``, ``latitude``, ``longitude``, ``where_prec``,
``date_prec``, ``where_coordinates``) and common variants (``best_death``/``low_death``/``high_death``
or ``best_est``..., ``adm1``, ``adm1_ocha_pip``). ``type_of_violence`` may be the GED's code (1, 2, 3)
or its text ("State-based violence", "Non-state violence", "One-sided violence").

``fatalities`` is the GED ``best`` estimate; ``low`` and ``high`` are kept. To be comparable with
ACLED, ``event_type`` gets an ACLED-like family: state-based and non-state violence are 'Battles',
one-sided violence is 'Violence against civilians'; ``sub_event_type`` keeps UCDP's own name and
``type_of_violence`` the code.
"""

from __future__ import annotations

import os

from azalai.data.common import (
    ImportSummary,
    dedupe_in_file,
    event_region,
    import_events,
    read_cells,
    skip_row,
    start_parse,
)
from azalai.data.table import CellError, parse_date, parse_float, parse_int
from azalai.data.regions import RegionMapper

VIOLENCE_TYPES = {1: "State-based violence", 2: "Non-state violence", 3: "One-sided violence"}
EVENT_FAMILY = {1: "Battles", 2: "Battles", 3: "Violence against civilians"}
_VIOLENCE_BY_TEXT = {
    "state based violence": 1,
    "state based": 1,
    "state based conflict": 1,
    "non state violence": 2,
    "non state": 2,
    "non state conflict": 2,
    "one sided violence": 3,
    "one sided": 3,
}

COLUMNS = {
    "id": ("id", "event_id", "ged_id"),
    "year": ("year",),
    "type_of_violence": ("type_of_violence", "violence_type"),
    "side_a": ("side_a",),
    "side_b": ("side_b",),
    "best": ("best", "best_death", "best_deaths", "best_est"),
    "low": ("low", "low_death", "low_deaths", "low_est"),
    "high": ("high", "high_death", "high_deaths", "high_est"),
    "date_start": ("date_start",),
    "adm_1": ("adm_1", "adm1", "adm1_ocha_pip", "admin1"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "long"),
    "where_prec": ("where_prec",),
    "date_prec": ("date_prec",),
    "location": ("where_coordinates", "where_description", "location"),
}
REQUIRED = ["id", "type_of_violence", "best", "date_start", "latitude", "longitude"]


def parse_violence(s: str) -> int:
    t = s.strip()
    try:
        v = float(t)
    except ValueError:
        import re

        key = re.sub(r"[^a-z]+", " ", t.lower()).strip()
        if key in _VIOLENCE_BY_TEXT:
            return _VIOLENCE_BY_TEXT[key]
        raise CellError(
            f"unknown type of violence {t!r}; expected 1, 2, 3 or "
            "'State-based violence', 'Non-state violence', 'One-sided violence'"
        ) from None
    if v not in (1, 2, 3):
        raise CellError(f"type of violence {t!r} is not 1, 2 or 3")
    return int(v)


def parse_ucdp_events(path, mapper: RegionMapper | None = None) -> tuple[list[dict], ImportSummary]:
    """Read a UCDP GED CSV into records for ``observed_events`` (no store access)."""
    mapper = mapper or RegionMapper()
    t, s, problems = start_parse(path, COLUMNS, REQUIRED, "UCDP GED events", "ucdp", "events")
    records: list[tuple[int, dict]] = []
    for line, c, hard in read_cells(t, s, problems):
        tov = hard("type_of_violence", parse_violence)
        date = hard("date_start", parse_date)
        best = hard("best", parse_int, "a whole number of deaths")
        low = hard("low", parse_int, "a whole number of deaths")
        high = hard("high", parse_int, "a whole number of deaths")
        lat = hard("latitude", parse_float, -90, 90, "a latitude")
        lon = hard("longitude", parse_float, -180, 180, "a longitude")
        where_prec = hard("where_prec", parse_int, "a precision code 1-7")
        date_prec = hard("date_prec", parse_int, "a precision code 1-5")
        year = hard("year", parse_int, "a year")
        if date is not None and year is not None and year != date.year:
            problems.add(t.problem(line, "year", f"year {year} disagrees with date_start {date.isoformat()}"))
        if problems.items or skip_row(
            s, line, (c["id"], "no event id"), (date, "no start date"), (tov, "no type of violence"),
            (best, "best estimate of deaths blank"), ((lat, lon), "no coordinates"),
        ):
            continue
        admin1, region_id = event_region(mapper, s, c.get("adm_1") or None, lat, lon)
        records.append(
            (
                line,
                {
                    "source": "ucdp",
                    "event_id": c["id"],
                    "event_date": date,
                    "year": date.year,
                    "month": date.month,
                    "event_type": EVENT_FAMILY[tov],
                    "sub_event_type": VIOLENCE_TYPES[tov],
                    "actor1": c.get("side_a") or None,
                    "actor2": c.get("side_b") or None,
                    "inter1": None,
                    "inter1_type": None,
                    "inter2": None,
                    "inter2_type": None,
                    "interaction": None,
                    "civilian_targeting": tov == 3,
                    "admin1": admin1,
                    "region_id": region_id,
                    "location": c.get("location") or None,
                    "latitude": lat,
                    "longitude": lon,
                    "fatalities": best,
                    "low": low,
                    "high": high,
                    "type_of_violence": tov,
                    "where_prec": where_prec,
                    "date_prec": date_prec,
                },
            )
        )
    problems.raise_if_any()
    return dedupe_in_file(records, ["event_id"], s, "event id"), s


def import_ucdp(
    path: str | os.PathLike,
    store=None,
    scenario=None,
    boundaries: str | os.PathLike | None = None,
    name_property: str | None = None,
    regions=None,
    skip_unmapped: bool = False,
) -> ImportSummary:
    """Import a UCDP GED CSV into ``observed_events``; see :func:`azalai.data.acled.import_acled`
    for the arguments. Raises :class:`~azalai.errors.DataImportError` for a malformed file."""
    return import_events(parse_ucdp_events, path, store, scenario, boundaries, name_property, regions, skip_unmapped)

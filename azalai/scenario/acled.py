"""ACLED's vocabulary, declared once: the columns of its current event export, actor types, interactions.

The model's event frame (:mod:`azalai.model.events`), the run store's ``run_events`` table, the ACLED
reader (:mod:`azalai.data.acled`) and ``azalai runs export --format acled-csv`` all use
:data:`EXPORT_COLUMNS`, so a simulated run and a real download load into the same table. The names,
order and types follow ACLED's codebook (2024 export format): actor types ``inter1``/``inter2`` and
``interaction`` are text ("State forces", "State forces-Rebel group"), ``iso`` is the ISO 3166
numeric country code, ``timestamp`` is a Unix time.
"""

from __future__ import annotations

#: (column, pandas dtype) of ACLED's event export, in its order.
EXPORT_SCHEMA: tuple[tuple[str, str], ...] = (
    ("event_id_cnty", "string"),
    ("event_date", "date"),
    ("year", "int64"),
    ("time_precision", "int64"),
    ("disorder_type", "string"),
    ("event_type", "string"),
    ("sub_event_type", "string"),
    ("actor1", "string"),
    ("assoc_actor_1", "string"),
    ("inter1", "string"),
    ("actor2", "string"),
    ("assoc_actor_2", "string"),
    ("inter2", "string"),
    ("interaction", "string"),
    ("civilian_targeting", "string"),
    ("iso", "int64"),
    ("region", "string"),
    ("country", "string"),
    ("admin1", "string"),
    ("admin2", "string"),
    ("admin3", "string"),
    ("location", "string"),
    ("latitude", "float64"),
    ("longitude", "float64"),
    ("geo_precision", "int64"),
    ("source", "string"),
    ("source_scale", "string"),
    ("notes", "string"),
    ("fatalities", "int64"),
    ("tags", "string"),
    ("timestamp", "int64"),
)
EXPORT_COLUMNS: list[str] = [c for c, _ in EXPORT_SCHEMA]

#: ACLED actor types by their old numeric code (exports before 2024 wrote the code; current ones the text).
INTER_TYPES = {
    1: "State forces",
    2: "Rebel group",
    3: "Political militia",
    4: "Identity militia",
    5: "Rioters",
    6: "Protesters",
    7: "Civilians",
    8: "External/Other forces",
}

#: The violent event types: the ones compared and counted as political violence throughout the analysis.
VIOLENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians")

#: ACLED's disorder type of each event type.
DISORDER_TYPES = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Riots": "Political violence; Demonstrations",
    "Protests": "Demonstrations",
    "Strategic developments": "Strategic developments",
}


def inter_text(code: int) -> str:
    """An actor type's text; 0 (no actor) is the empty string."""
    return INTER_TYPES.get(int(code), "") if code else ""


def interaction_text(inter1: int, inter2: int) -> str:
    """ACLED's interaction in text: the two actor types in the order of their codes
    ("State forces-Rebel group"), or one type and "only" ("Protesters only")."""
    if not inter1 and not inter2:
        return ""
    if not inter1 or not inter2:
        return f"{inter_text(inter1 or inter2)} only"
    a, b = sorted((int(inter1), int(inter2)))
    return f"{inter_text(a)}-{inter_text(b)}"


_CODE_OF = {v.lower(): k for k, v in INTER_TYPES.items()}


def inter_code(value) -> int:
    """An actor type as its numeric code, from the code itself or from ACLED's text (blank: 0)."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        return _CODE_OF.get(value.strip().lower(), 0)
    return int(value)

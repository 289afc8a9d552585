"""Model events in UCDP GED form.

The engine writes its events in ACLED's schema. UCDP's Georeferenced Event Dataset (GED) counts
something narrower: *organised violence that killed at least one person*, split into three types of
violence. :func:`to_ged` turns an ACLED-style event frame (the engine's, or any frame with the
columns ``event_date, actor1, actor2, inter1, inter2, admin1, fatalities``) into GED rows:

==================  =========================================================================
type_of_violence    rule (ACLED inter codes: 1 state forces, 2 rebels, 3 political militias,
                    4 identity militias, 5 rioters, 6 protesters, 7 civilians, 8 external forces)
==================  =========================================================================
1 state-based       one party is a state or external force (inter 1 or 8) and the other a
                    non-state armed group (inter 2, 3 or 4). ``side_a`` is the government side.
2 non-state         both parties are non-state armed groups (inter 2, 3 or 4).
3 one-sided         an organised actor (inter 1, 2, 3, 4 or 8) kills civilians (inter 7),
                    protesters (inter 6), or the event is flagged as civilian targeting.
                    ``side_b`` is ``Civilians``.
==================  =========================================================================

As in the GED, events without deaths are dropped, and so is what the GED does not count: riots,
violence between two state or external forces, and events with one party only (say an IED whose
target the event log does not name) unless they target civilians. ``best`` is the event's
fatalities; the model has a single estimate, so ``low`` and ``high`` equal ``best``.
"""

from __future__ import annotations

import pandas as pd

from azalai.scenario.acled import inter_code

STATE_INTER = (1, 8)
NONSTATE_INTER = (2, 3, 4)
CIVILIAN_INTER = (6, 7)
ORGANISED_INTER = (1, 2, 3, 4, 8)

TYPE_NAMES = {1: "State-based violence", 2: "Non-state violence", 3: "One-sided violence"}

#: ACLED names of state and external forces, written the way the GED names a side.
GED_SIDE_NAMES = {
    "Military Forces of Mali": "Government of Mali",
    "Police Forces of Mali": "Government of Mali",
    "Military Forces of France": "Government of France",
    "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali": "MINUSMA",
}

GED_COLUMNS = [
    "id", "year", "month", "day_of_month", "date_start", "date_end", "type_of_violence", "type_name",
    "side_a", "side_b", "dyad_name", "best", "low", "high", "adm_1", "region_id", "latitude", "longitude",
    "where_prec", "source_event_id", "mechanism",
]


def ged_side_name(actor: str, inter: int) -> str:
    """The GED's name for a party: governments as 'Government of X', others as in the event."""
    if actor in GED_SIDE_NAMES:
        return GED_SIDE_NAMES[actor]
    if inter == 1:
        if "Mali" in actor:
            return "Government of Mali"
    if inter == 8:
        if "France" in actor or "Barkhane" in actor:
            return "Government of France"
        if "MINUSMA" in actor:
            return "MINUSMA"
    return actor or "unknown"


def violence_type(inter1: int, inter2: int, civilian_targeting: bool = False) -> int:
    """GED type of violence (1, 2, 3) of an event with these ACLED inter codes, or 0 if the GED
    would not count it."""
    i1, i2 = int(inter1 or 0), int(inter2 or 0)
    if (i1 in CIVILIAN_INTER and i2 in ORGANISED_INTER) or (i2 in CIVILIAN_INTER and i1 in ORGANISED_INTER):
        return 3
    if civilian_targeting and (i1 in ORGANISED_INTER or i2 in ORGANISED_INTER):
        return 3
    if (i1 in STATE_INTER and i2 in NONSTATE_INTER) or (i2 in STATE_INTER and i1 in NONSTATE_INTER):
        return 1
    if i1 in NONSTATE_INTER and i2 in NONSTATE_INTER:
        return 2
    return 0


def _flag(v) -> bool:
    if isinstance(v, str):
        return bool(v.strip())
    try:
        return bool(v) and v == v
    except Exception:
        return False


def to_ged(events: pd.DataFrame) -> pd.DataFrame:
    """ACLED-style events → GED-style rows (only events with fatalities > 0 that the GED would count).

    Columns: see :data:`GED_COLUMNS`. ``source_event_id`` and ``mechanism`` keep the link to the
    model's event and its cause (empty when the input has no such columns)."""
    if events is None or len(events) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in GED_COLUMNS})
    ev = events[pd.to_numeric(events["fatalities"], errors="coerce").fillna(0) > 0]
    rows = []
    for r in ev.to_dict("records"):
        i1, i2 = inter_code(r.get("inter1")), inter_code(r.get("inter2"))
        civ = _flag(r.get("civilian_targeting", ""))
        t = violence_type(i1, i2, civ)
        if t == 0:
            continue
        a1, a2 = str(r.get("actor1") or ""), str(r.get("actor2") or "")
        if t == 1:
            if i1 in STATE_INTER:
                sa, sb = ged_side_name(a1, i1), ged_side_name(a2, i2)
            else:
                sa, sb = ged_side_name(a2, i2), ged_side_name(a1, i1)
        elif t == 2:
            sa, sb = ged_side_name(a1, i1), ged_side_name(a2, i2)
        else:
            perp = (a1, i1) if i1 in ORGANISED_INTER else (a2, i2)
            sa, sb = ged_side_name(*perp), "Civilians"
        date = pd.Timestamp(r["event_date"]).date()
        best = int(r["fatalities"])
        rows.append(
            {
                "id": r.get("event_id_cnty", r.get("event_id", len(rows) + 1)),
                "year": date.year,
                "month": date.month,
                "day_of_month": date.day,
                "date_start": date,
                "date_end": date,
                "type_of_violence": t,
                "type_name": TYPE_NAMES[t],
                "side_a": sa,
                "side_b": sb,
                "dyad_name": f"{sa} - {sb}",
                "best": best,
                "low": best,
                "high": best,
                "adm_1": r.get("admin1", ""),
                "region_id": r.get("region_id", ""),
                "latitude": r.get("latitude", float("nan")),
                "longitude": r.get("longitude", float("nan")),
                "where_prec": 1,
                "source_event_id": r.get("event_id_cnty", r.get("event_id", "")),
                "mechanism": r.get("mechanism", ""),
            }
        )
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in GED_COLUMNS})
    return pd.DataFrame(rows, columns=GED_COLUMNS)


def ged_as_acled_like(ged: pd.DataFrame) -> pd.DataFrame:
    """GED rows back in the columns the validation statistics use (event_date, event_type,
    admin1, fatalities, type_of_violence), with ``event_type`` the GED's type name."""
    if ged is None or len(ged) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in
                             ["event_date", "event_type", "admin1", "region_id", "fatalities", "type_of_violence"]})
    return pd.DataFrame(
        {
            "event_date": ged["date_start"],
            "event_type": ged["type_name"],
            "admin1": ged["adm_1"],
            "region_id": ged["region_id"],
            "fatalities": ged["best"].astype(int),
            "type_of_violence": ged["type_of_violence"].astype(int),
        }
    )


__all__ = ["to_ged", "violence_type", "ged_side_name", "ged_as_acled_like", "TYPE_NAMES", "GED_COLUMNS"]

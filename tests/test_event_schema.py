"""The event log speaks ACLED: columns, types, vocabulary, actors, regions, dates; and every event says why."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from azalai.model.engine import simulate
from azalai.scenario.loader import load_scenario
from azalai.scenario.schema import ACLED_INTER_CODE


DAYS = 730

# ACLED's event types and sub-event types (ACLED Codebook, 2023 edition), written out independently of
# the engine's table so that a typo there fails here.
ACLED_VOCABULARY = {
    "Battles": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
    "Explosions/Remote violence": {
        "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Grenade",
    },
    "Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
    "Protests": {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"},
    "Riots": {"Violent demonstration", "Mob violence"},
    "Strategic developments": {
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction", "Non-violent transfer of territory",
        "Other",
    },
}  # fmt: skip
# ACLED's current export (2024 codebook), typed here independently of the package's declaration.
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip
INTER_TEXT = {1: "State forces", 2: "Rebel group", 3: "Political militia", 4: "Identity militia", 5: "Rioters",
              6: "Protesters", 7: "Civilians", 8: "External/Other forces"}  # fmt: skip
CAUSE_COLUMNS = ["day", "mechanism", "cause_chain", "cause_json"]
MECHANISMS = {"trafficking", "control", "violence", "intelligence", "operations", "communities", "accords", "state",
              "movement", "groups", "land"}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("mali-2016")


@pytest.fixture(scope="module", params=["baseline-2016", "counter-trafficking"])
def run(request):
    return simulate("mali-2016", request.param, seed=3, days=DAYS)


def test_columns_present_and_typed(run) -> None:
    ev = run.events
    assert len(ev) > 50
    assert list(ev.columns[: len(ACLED_COLUMNS)]) == ACLED_COLUMNS
    for c in CAUSE_COLUMNS:
        assert c in ev.columns
    for c in ("year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp", "day"):
        assert pd.api.types.is_integer_dtype(ev[c]), c
    for c in ("latitude", "longitude"):
        assert pd.api.types.is_float_dtype(ev[c]), c
    for c in ("event_id_cnty", "disorder_type", "event_type", "sub_event_type", "actor1", "actor2", "inter1", "inter2",
              "interaction", "admin1", "admin2", "admin3", "location", "notes", "civilian_targeting", "region",
              "country", "source", "source_scale", "tags", "mechanism", "cause_chain", "cause_json"):  # fmt: skip
        assert all(isinstance(x, str) for x in ev[c]), c
    assert all(isinstance(x, dt.date) for x in ev["event_date"])
    assert ev["event_id_cnty"].is_unique


def test_vocabulary(run) -> None:
    pairs = set(zip(run.events["event_type"], run.events["sub_event_type"]))
    for et, st in pairs:
        assert et in ACLED_VOCABULARY, et
        assert st in ACLED_VOCABULARY[et], (et, st)
    assert run.events["civilian_targeting"].isin(["", "Civilian targeting"]).all()
    targeted = run.events[run.events["civilian_targeting"] == "Civilian targeting"]
    assert (targeted["event_type"] == "Violence against civilians").all()


def test_actors_and_inter_codes(run, scenario) -> None:
    ev = run.events
    groups = [*scenario.actors, *scenario.militias]  # a militia that formed acts under its declared label
    names = {a.acled_name for a in groups}
    code = {a.id: ACLED_INTER_CODE[a.acled_type] for a in groups}
    acled_of = {a.id: a.acled_name for a in groups}
    protest = ev["event_type"] == "Protests"
    assert ev.loc[~protest, "actor1"].isin(names).all(), set(ev["actor1"]) - names
    assert (ev.loc[protest, "actor1"] == "Protesters (Mali)").all()
    assert ev["actor2"].isin(names | {"Civilians (Mali)", ""}).all(), set(ev["actor2"]) - names
    code_of = {v: k for k, v in INTER_TEXT.items()}
    for _, e in ev.iterrows():
        if e["actor1_id"] in code:
            assert e["inter1"] == INTER_TEXT[code[e["actor1_id"]]] and e["actor1"] == acled_of[e["actor1_id"]]
        if e["actor2_id"] in code:
            assert e["inter2"] == INTER_TEXT[code[e["actor2_id"]]] and e["actor2"] == acled_of[e["actor2_id"]]
        if e["actor2"] == "Civilians (Mali)":
            assert e["inter2"] == "Civilians"
        if e["actor1"] == "Protesters (Mali)":
            assert e["inter1"] == "Protesters"
        if e["actor2"] == "":
            assert e["inter2"] == ""
        assert e["inter1"] in code_of and (e["inter2"] in code_of or e["inter2"] == "")
        if e["inter2"]:
            lo, hi = sorted((e["inter1"], e["inter2"]), key=code_of.get)
            assert e["interaction"] == f"{lo}-{hi}"
        else:
            assert e["interaction"] == f"{e['inter1']} only"


def test_places_regions_and_dates(run, scenario) -> None:
    ev = run.events
    region_admin1 = {r.id: r.acled_admin1 for r in scenario.regions}
    places = {p.id: p for p in scenario.places}
    assert ev["admin1"].isin(set(region_admin1.values())).all()
    for _, e in ev.iterrows():
        p = places[e["place_id"]]
        assert e["admin1"] == region_admin1[p.region]
        assert e["region_id"] == p.region
        assert e["location"] == p.name
        assert (e["latitude"], e["longitude"]) == (p.lat, p.lon)
    start = scenario.calendar.start
    assert ev["day"].between(0, DAYS - 1).all()
    assert all(d == start + dt.timedelta(days=int(k)) for d, k in zip(ev["event_date"], ev["day"]))
    assert all(d.year == y for d, y in zip(ev["event_date"], ev["year"]))
    assert ev["day"].is_monotonic_increasing  # the log is written in the order things happen


def test_fatalities_and_causes(run) -> None:
    ev = run.events
    assert (ev["fatalities"] >= 0).all()
    assert ev["fatalities"].sum() == pytest.approx(run.outcomes["fatalities"])
    assert ev["mechanism"].isin(MECHANISMS).all()
    for _, e in ev.iterrows():
        links = json.loads(e["cause_json"])
        assert isinstance(links, list) and links, e["event_id_cnty"]
        for lk in links:
            assert set(lk) == {"kind", "index", "value"}
        assert e["cause_chain"].strip() and " -> " in e["cause_chain"]
        assert e["notes"].startswith(f"[{e['mechanism']}]")


def _links(e) -> dict[str, dict]:
    return {lk["kind"]: lk for lk in json.loads(e["cause_json"])}


def test_seizures_carry_their_causes(run, scenario) -> None:
    ev = run.events
    place_index = {p.id: i for i, p in enumerate(scenario.places)}
    forces = {a.id for a in scenario.actors if a.kind.value in ("state", "international")}
    seiz = ev[ev["sub_event_type"] == "Looting/property destruction"]
    if run.meta["policy"] == "counter-trafficking":
        assert len(seiz) > 0, "no seizures under counter-trafficking in two years"
    for _, e in seiz.iterrows():
        lk = _links(e)
        assert "seizure" in lk and lk["seizure"]["index"] == place_index[e["place_id"]]
        assert lk["seizure"]["value"] > 0
        if e["actor1_id"] in forces:
            assert "mission_focus" in lk and lk["mission_focus"]["index"] >= 0
        else:
            assert "predation" in lk


def test_sweeps_carry_their_attack(run) -> None:
    ev = run.events.reset_index(drop=True)
    arrests = ev[ev["sub_event_type"] == "Arrests"]
    assert len(arrests) > 0, "no sweeps in two years"
    for i, e in arrests.iterrows():
        lk = _links(e)
        assert {"attack", "sweep", "detentions"} <= set(lk)
        cause = lk["attack"]["index"]
        assert 0 <= cause < i
        attack = ev.loc[cause]
        assert attack["mechanism"] == "violence"
        assert attack["actor2_id"] == e["actor1_id"]  # the force attacked is the force that sweeps
        assert attack["place_id"] == e["place_id"]
        assert attack["day"] < e["day"]
        assert lk["attack"]["value"] == attack["fatalities"]


def test_operations_carry_their_tip(run) -> None:
    ev = run.events.reset_index(drop=True)
    tips = run.tips.set_index("tip_id")
    ops = ev[(ev["mechanism"] == "operations") & ev["event_type"].isin(["Battles", "Explosions/Remote violence"])]
    assert len(ops) > 0, "no operations on tips in two years"
    for i, e in ops.iterrows():
        lk = _links(e)
        assert "tip" in lk and "mission_focus" in lk
        tip = tips.loc[lk["tip"]["index"]]
        assert tip["event_index"] == i and bool(tip["acted_on"])
        assert tip["force"] == e["actor1_id"] and tip["accused"] == e["actor2_id"]
        assert tip["place"] == e["place_id"] and tip["day"] == e["day"]
        assert bool(tip["true"]) == (lk["tip"]["value"] > 0.5)
        assert ("false_tip" in lk) == (not bool(tip["true"]))
    acted = tips[tips["acted_on"]]
    assert len(acted) == len(ops)
    assert int(run.outcomes["tips_acted"]) == len(acted)


def test_protests_name_what_provoked_them(run) -> None:
    ev = run.events
    for _, e in ev[ev["event_type"] == "Protests"].iterrows():
        lk = _links(e)
        assert "misdirected" in lk or "sweep" in lk
        assert e["actor1"] == "Protesters (Mali)"


def test_cause_json_values_written_as_json_writes_them() -> None:
    """The event log writes each cause link's value itself; it must be the text json.dumps gives."""
    from azalai.model.events import _json_float

    for v in (0.1, 2.5, -0.0, 0.0, 1e-7, 5e-324, 1e300, 123456.789012, float("nan"), float("inf"), -float("inf")):
        assert _json_float(v) == json.dumps(v)

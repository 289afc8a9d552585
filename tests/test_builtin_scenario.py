"""The built-in scenario ``mali-2016``: completeness against the seed article, and sanity.

Completeness: every entity the seed article names is present (by id, name or alias), every entity
carries a source, seed quotes are verbatim, uncertain numbers carry a range.
Sanity: references resolve, the route graph is connected and offers alternative corridors, places
lie inside the bbox and match the gazetteer, support shares sum to at most 1, fighters and
populations are non-negative, the monthly transit value lies in the stated band.
"""

from __future__ import annotations

import csv
import math
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from azalai.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILE = ROOT / "azalai" / "scenario" / "builtin" / "mali-2016.yaml"
SHARED = ROOT.parent / "shared"
SEED_FILE = SHARED / "seed" / "000_612a64505dfc431d.txt"
GAZETTEER = SHARED / "data" / "geo" / "mali_places_gazetteer.csv"

# Band for the total transit value of all commodities per month, at central values (USD).
TRANSIT_BAND = (10e6, 40e6)


# ------------------------------------------------------------------------------------------------
# fixtures and helpers
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(SCENARIO_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sc() -> Scenario:
    if (ROOT / "azalai" / "scenario" / "loader.py").exists():
        import azalai

        return azalai.load_scenario("mali-2016")
    return Scenario.model_validate(yaml.safe_load(SCENARIO_FILE.read_text(encoding="utf-8")))


def norm(text: str) -> str:
    """Lower case, accents and punctuation stripped: 'Anéfis' -> 'anefis', 'Aguel-Hoc' -> 'aguel hoc'."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", t).strip()


def names_of(entity) -> set[str]:
    words = [getattr(entity, "id", ""), getattr(entity, "name", "")] + list(getattr(entity, "aliases", []))
    acled = getattr(entity, "acled_name", None)
    if acled:
        words.append(acled)
    return {norm(w) for w in words if w}


def find(entities, wanted: str):
    w = norm(wanted)
    return [e for e in entities if w in names_of(e)]


def great_circle_km(a, b) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def adjacency(sc: Scenario, without: set[str] = frozenset()) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = defaultdict(set)
    for r in sc.routes:
        if r.from_ in without or r.to in without:
            continue
        adj[r.from_].add(r.to)
        adj[r.to].add(r.from_)
    return adj


def reachable(adj: dict[str, set[str]], start: str) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for m in adj.get(stack.pop(), ()):
            if m not in seen:
                seen.add(m)
                stack.append(m)
    return seen


def all_sources(sc: Scenario) -> list[tuple[str, str]]:
    out = [("meta", sc.meta.source), ("calendar", sc.calendar.source)]
    for key in ("regions", "places", "communities", "actors", "commodities", "accords"):
        out += [(f"{key}[{e.id}]", e.source) for e in getattr(sc, key)]
    out += [(f"routes[{r.from_}-{r.to}]", r.source) for r in sc.routes]
    out += [(f"memberships[{m.actor}+{m.also}]", m.source) for m in sc.memberships]
    out += [(f"relations.actors[{r.a}~{r.b}]", r.source) for r in sc.relations.actors]
    out += [(f"relations.communities[{r.a}~{r.b}]", r.source) for r in sc.relations.communities]
    out += [(f"relations.support[{r.community}->{r.actor}]", r.source) for r in sc.relations.support]
    for acc in sc.accords:
        out += [(f"accords[{acc.id}].business[{b.actor}]", b.source) for b in acc.provisions.business]
    out += [(f"international_forces[{f.actor}]", f.source) for f in sc.international_forces]
    return out


# ------------------------------------------------------------------------------------------------
# completeness
# ------------------------------------------------------------------------------------------------

SEED_PLACES = ["Nampala", "Kidal", "Mopti", "Timbuktu", "Gao", "Anéfis", "In Khalil", "Tessalit"]
BRIEF_PLACES = [
    "Aguelhok", "Tin-Zaouatene", "Bourem", "Ansongo", "Ménaka", "Ber", "Léré", "Taoudenni",
    "Sévaré", "Douentza", "Niono", "Diabaly", "Ségou", "Bamako", "Kayes", "Sikasso",
    "Bordj Badji Mokhtar", "Niamey",
]  # fmt: skip
SEED_ACTORS = [
    "GATIA", "MNLA", "HCUA", "AQIM", "Ansar al-Din", "MUJAO", "al-Mourabitoun", "Belmokhtar",
    "FAMa", "Barkhane", "MINUSMA", "CMA", "Plateforme",
]  # fmt: skip
BRIEF_ACTORS = ["Katiba Macina", "ISGS", "MAA-CMA", "MAA-Plateforme", "Ganda Izo"]
SEED_COMMUNITIES = ["Imghad", "Idnan", "Lamhar", "Songhai", "Fulani", "Dogon"]
BRIEF_COMMUNITIES = ["Ifoghas", "Kunta", "Berabiche", "Bambara", "Peul"]


@pytest.mark.parametrize("name", SEED_PLACES + BRIEF_PLACES)
def test_place_present(sc, name):
    assert find(sc.places, name), f"place {name!r} is missing (by id, name or alias)"


@pytest.mark.parametrize("name", ["Tombouctou", "Anefif", "Aguel-Hoc", "Tinzawatene", "Menaka", "Lere"])
def test_variant_spellings_are_aliases(sc, name):
    assert find(sc.places, name), f"variant spelling {name!r} should be an alias"


@pytest.mark.parametrize("name", SEED_ACTORS + BRIEF_ACTORS)
def test_actor_present(sc, name):
    assert find(sc.actors, name), f"actor {name!r} is missing (by id, name, ACLED name or alias)"


@pytest.mark.parametrize("name", SEED_COMMUNITIES + BRIEF_COMMUNITIES)
def test_community_present(sc, name):
    w = norm(name)
    hits = [c for c in sc.communities if any(w in n.split() or w == n for n in names_of(c))]
    assert hits, f"community {name!r} is missing"


def test_coalitions(sc):
    coalition = {a.id: a.coalition for a in sc.actors}
    assert {coalition["mnla"], coalition["hcua"], coalition["maa-cma"]} == {"cma"}
    assert {coalition["gatia"], coalition["maa-plateforme"], coalition["cmfpr"]} == {"plateforme"}
    assert {coalition[a] for a in ("aqim", "ansar-al-din", "al-mourabitoun", "katiba-macina")} == {
        "jnim-precursors"
    }
    assert coalition["fama"] is None and coalition["barkhane"] is None and coalition["minusma"] is None
    # the coalition names are also findable as aliases
    assert find(sc.actors, "CMA")[0].coalition == "cma"
    assert find(sc.actors, "Plateforme")[0].coalition == "plateforme"


def test_accords(sc):
    acc = {a.id: a for a in sc.accords}
    algiers, anefis = acc["algiers-2015"], acc["anefis-2015"]
    assert (algiers.date.year, algiers.date.month) == (2015, 6)
    assert (anefis.date.year, anefis.date.month) == (2015, 10)
    signatories = {"mnla", "hcua", "maa-cma", "gatia", "maa-plateforme", "cmfpr"}
    assert signatories | {"fama"} <= set(algiers.signatories)
    assert signatories <= set(anefis.signatories)
    assert algiers.provisions.ceasefire and algiers.provisions.ddr
    assert sum(algiers.provisions.interim_authorities.values()) <= 1.0 + 1e-9
    assert anefis.provisions.ceasefire and anefis.provisions.business
    protected = [p for b in anefis.provisions.business for p in b.places]
    assert len(protected) == len(set(protected)), "a place is allocated to two groups"


def test_international_forces(sc):
    forces = {f.actor: f for f in sc.international_forces}
    assert set(forces) == {"barkhane", "minusma"}
    assert set(forces["minusma"].organised_crime_units) == {"mopti", "timbuktu", "gao"}
    assert "counter-terrorism" in forces["barkhane"].mandate
    kinds = {a.id: (a.kind.value, a.acled_type.value) for a in sc.actors}
    assert kinds["barkhane"] == ("international", "External/Other forces")
    assert kinds["minusma"] == ("international", "External/Other forces")
    assert kinds["fama"][0] == "state"


def test_dual_hatted_memberships(sc):
    pairs = {(m.actor, m.also): m.share for m in sc.memberships}
    assert 0.1 <= pairs[("hcua", "ansar-al-din")] <= 0.5
    assert 0.05 <= pairs[("maa-plateforme", "al-mourabitoun")] <= 0.3


def test_regions_use_acled_admin1(sc):
    mali = {r.acled_admin1 for r in sc.regions if r.zone != "outside"}
    assert mali == {"Bamako", "Gao", "Kayes", "Kidal", "Koulikoro", "Mopti", "Segou", "Sikasso", "Tombouctou"}
    outside = {r.id for r in sc.regions if r.zone == "outside"}
    assert {"algeria", "niger", "mauritania"} <= outside


def test_acled_names_unique(sc):
    names = [a.acled_name for a in sc.actors]
    assert len(names) == len(set(names))


def test_every_entity_has_a_source(sc):
    pattern = re.compile(r'seed: "|assumption:|GeoNames|OCHA|ACLED|UCDP|Wikipedia|gazetteer', re.I)
    for where, src in all_sources(sc):
        assert src and src.strip(), f"{where} has no source"
        assert pattern.search(src), f"{where}: source is neither a seed quote, a dataset nor an assumption"


@pytest.mark.skipif(not SEED_FILE.exists(), reason="seed article not available")
def test_seed_quotes_are_verbatim(sc):
    seed = SEED_FILE.read_text(encoding="utf-8")
    quotes = 0
    for where, src in all_sources(sc):
        for q in re.findall(r'seed: "(.*?)"(?=;|$)', src):
            quotes += 1
            assert q in seed, f"{where}: not a verbatim seed quote: {q!r}"
    assert quotes >= 50


def test_uncertain_numbers_carry_a_range(raw):
    def check(where, x):
        assert isinstance(x, dict) and "range" in x, f"{where} needs {{value, range}}"
        lo, hi = x["range"]
        assert lo <= x["value"] <= hi and lo < hi, f"{where}: degenerate range"

    for c in raw["communities"]:
        check(f"communities[{c['id']}].trafficking_dependence", c["trafficking_dependence"])
    for a in raw["actors"]:
        check(f"actors[{a['id']}].cash", a["cash"])
        lo, hi = a["fighters_uncertainty"]
        assert lo < 1.0 < hi, f"actors[{a['id']}].fighters_uncertainty must bracket 1"
    for c in raw["commodities"]:
        check(f"commodities[{c['id']}].volume_per_month", c["volume_per_month"])
        check(f"commodities[{c['id']}].value_per_unit", c["value_per_unit"])


def test_no_yaml_anchors():
    text = SCENARIO_FILE.read_text(encoding="utf-8")
    assert not re.search(r"(^|[\s\[{,:])[&*][A-Za-z0-9_-]+", text, re.M)


# ------------------------------------------------------------------------------------------------
# sanity
# ------------------------------------------------------------------------------------------------


def test_references_resolve(sc):
    places = {p.id for p in sc.places}
    actors = {a.id for a in sc.actors}
    communities = {c.id for c in sc.communities}
    regions = {r.id for r in sc.regions}
    bad = []

    def need(x, pool, where):
        if x not in pool:
            bad.append(f"{where}: {x}")

    for p in sc.places:
        need(p.region, regions, f"places[{p.id}].region")
    for r in sc.routes:
        need(r.from_, places, "route from")
        need(r.to, places, "route to")
    for c in sc.communities:
        for k in c.population:
            need(k, places, f"communities[{c.id}].population")
    for a in sc.actors:
        for k in a.fighters:
            need(k, places, f"actors[{a.id}].fighters")
        for k in a.base_communities:
            need(k, communities, f"actors[{a.id}].base_communities")
    for m in sc.memberships:
        need(m.actor, actors, "membership")
        need(m.also, actors, "membership")
    for r in sc.relations.actors:
        need(r.a, actors, "relation")
        need(r.b, actors, "relation")
    for r in sc.relations.communities:
        need(r.a, communities, "community relation")
        need(r.b, communities, "community relation")
    for s in sc.relations.support:
        need(s.community, communities, "support")
        need(s.actor, actors, "support")
    for c in sc.commodities:
        for k in c.entry + c.exit:
            need(k, places, f"commodities[{c.id}]")
    for acc in sc.accords:
        for k in acc.signatories:
            need(k, actors, f"accords[{acc.id}].signatories")
        for k in acc.provisions.interim_authorities:
            need(k, actors, f"accords[{acc.id}].interim_authorities")
        for b in acc.provisions.business:
            need(b.actor, actors, f"accords[{acc.id}].business")
            for k in b.places:
                need(k, places, f"accords[{acc.id}].business")
    for f in sc.international_forces:
        need(f.actor, actors, "international_forces")
        for k in f.bases + f.organised_crime_units:
            need(k, places, f"international_forces[{f.actor}]")
    assert not bad, bad


def test_loader_reports_no_problem():
    loader = pytest.importorskip("azalai.scenario.loader")
    if hasattr(loader, "check_scenario"):
        assert loader.check_scenario("mali-2016") == []


def test_ids_unique_and_no_duplicate_pairs(sc):
    for key in ("regions", "places", "communities", "actors", "commodities", "accords"):
        ids = [e.id for e in getattr(sc, key)]
        assert len(ids) == len(set(ids)), key
    routes = [frozenset((r.from_, r.to)) for r in sc.routes]
    assert len(routes) == len(set(routes)), "duplicate route"
    for group in (sc.relations.actors, sc.relations.communities):
        pairs = [frozenset((r.a, r.b)) for r in group]
        assert len(pairs) == len(set(pairs)), "duplicate relation pair"
    support = [(s.community, s.actor) for s in sc.relations.support]
    assert len(support) == len(set(support))


def test_route_graph_connected(sc):
    adj = adjacency(sc)
    start = sc.places[0].id
    assert reachable(adj, start) == {p.id for p in sc.places}


def test_route_count_and_lengths(sc):
    assert 40 <= len(sc.routes) <= 75
    place = {p.id: p for p in sc.places}
    for r in sc.routes:
        gc = great_circle_km(place[r.from_], place[r.to])
        assert gc <= r.length_km <= 1.6 * gc + 5, f"{r.from_}-{r.to}: {r.length_km} km vs {gc:.0f} km great-circle"


CORRIDORS = [
    # the brief's trafficking corridors, as chains of places that must be linked in this order
    ["bassikounou", "lere", "timbuktu", "ber", "anefis", "kidal", "aguelhok", "tessalit", "in-khalil",
     "bordj-badji-mokhtar"],
    ["bassikounou", "nampala", "lere"],
    ["ber", "bourem", "anefis"],
    ["kidal", "tin-zaouatene"],
    ["anefis", "tin-zaouatene"],
    ["gao", "menaka", "agadez"],
    ["douentza", "boni", "hombori", "gao"],
    ["timbuktu", "taoudenni", "bordj-badji-mokhtar"],
    ["taoudenni", "zouerat"],
]  # fmt: skip


@pytest.mark.parametrize("chain", CORRIDORS, ids=lambda c: "-".join(c))
def test_trafficking_corridors_exist(sc, chain):
    adj = adjacency(sc)
    for a, b in zip(chain, chain[1:]):
        assert b in adj[a], f"no route {a} - {b}"


@pytest.mark.parametrize(
    "cut, source, target",
    [
        ({"kidal"}, "ber", "bordj-badji-mokhtar"),  # Taoudenni track instead of Anéfis-Kidal
        ({"anefis"}, "timbuktu", "bordj-badji-mokhtar"),
        ({"taoudenni"}, "timbuktu", "bordj-badji-mokhtar"),
        ({"in-khalil"}, "kidal", "bordj-badji-mokhtar"),  # Tin-Zaouatene instead of In Khalil
        ({"tin-zaouatene"}, "kidal", "agadez"),
        ({"menaka"}, "gao", "agadez"),  # Gao-Bourem-Anéfis-... instead of Gao-Ménaka
        ({"gao"}, "douentza", "menaka"),
        ({"lere"}, "bassikounou", "timbuktu"),
        ({"nampala"}, "bassikounou", "mopti"),
    ],
)
def test_alternative_corridors(sc, cut, source, target):
    assert target in reachable(adjacency(sc, without=cut), source), f"cutting {cut} isolates {source} from {target}"


def test_trafficked_goods_survive_any_single_interdiction(sc):
    """No single Malian place, once closed, cuts every entry of a drug from every exit (balloon effect)."""
    places = {p.id: p for p in sc.places}
    for c in sc.commodities:
        if c.id not in {"cocaine", "cannabis-resin", "cigarettes"}:
            continue
        ends = set(c.entry) | set(c.exit)
        for cut in [p for p in places if places[p].kind.value != "external_node" and p not in ends]:
            adj = adjacency(sc, without={cut})
            ok = any(set(c.exit) & reachable(adj, e) for e in c.entry)
            assert ok, f"{c.id}: closing {cut} cuts every corridor"


def test_places_inside_bbox(sc):
    b = sc.bbox
    for p in sc.places:
        assert b.lat_min <= p.lat <= b.lat_max and b.lon_min <= p.lon <= b.lon_max, p.id


@pytest.mark.skipif(not GAZETTEER.exists(), reason="gazetteer not available")
def test_coordinates_match_gazetteer(sc):
    with GAZETTEER.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for row in rows:
        base = row["place"].split(" (")[0]
        hits = find(sc.places, base)
        assert hits, f"gazetteer place {row['place']} missing"
        p = hits[0]

        class _Pt:
            lat, lon = float(row["lat"]), float(row["lon"])

        d = great_circle_km(p, _Pt)
        assert d < 1.0, f"{p.id} is {d:.1f} km from the gazetteer's {row['place']}"
        if row["country"] == "Mali":
            region = {r.id: r for r in sc.regions}[p.region]
            assert region.acled_admin1 == row["adm1_ocha_2015"], p.id
            assert p.kind.value in {"town", "border_crossing"}
        else:
            assert p.kind.value == "external_node"


def test_support_sums_at_most_one(sc):
    sums: dict[str, float] = defaultdict(float)
    for s in sc.relations.support:
        sums[s.community] += s.value
    assert set(sums) == {c.id for c in sc.communities}, "every community should back someone"
    for c, v in sums.items():
        assert v <= 1.0 + 1e-9, f"{c}: support sums to {v}"


def test_informant_pools(sc):
    """Barkhane and MINUSMA need some support (their informants) in the north."""
    for force in ("barkhane", "minusma"):
        backers = {s.community for s in sc.relations.support if s.actor == force and s.value > 0}
        assert len(backers) >= 3, force


def test_fighters_and_populations(sc):
    for c in sc.communities:
        assert all(v >= 0 for v in c.population.values()) and sum(c.population.values()) > 0, c.id
        assert 0 <= c.trafficking_dependence.value <= 1
    total = {a.id: sum(a.fighters.values()) for a in sc.actors}
    for a in sc.actors:
        assert all(v >= 0 for v in a.fighters.values()) and total[a.id] > 0, a.id
    # orders of magnitude stated in the scenario's sources
    assert 6000 <= total["fama"] <= 9000
    assert 9000 <= total["minusma"] <= 13000
    assert 1000 <= total["barkhane"] <= 1700
    assert 50 <= total["isgs"] <= 200
    assert 100 <= total["al-mourabitoun"] <= 300
    assert 200 <= total["katiba-macina"] <= 500
    assert total["mnla"] + total["hcua"] + total["maa-cma"] > total["gatia"] + total["maa-plateforme"]


def test_trafficking_dependence_ordering(sc):
    dep = {c.id: c.trafficking_dependence.value for c in sc.communities}
    assert dep["lamhar"] == max(dep.values())
    assert dep["bambara"] <= 0.05 and dep["dogon"] <= 0.05


def test_relations_signs(sc):
    rel = {frozenset((r.a, r.b)): r.value for r in sc.relations.actors}

    def v(a, b):
        return rel.get(frozenset((a, b)), 0.0)

    for a, b in [("mnla", "hcua"), ("mnla", "maa-cma"), ("gatia", "maa-plateforme"), ("gatia", "cmfpr")]:
        assert v(a, b) >= 0.5, (a, b)
    for a in ("mnla", "hcua"):
        assert v("gatia", a) <= -0.6
    jihadists = [a.id for a in sc.actors if a.kind.value == "jihadist"]
    for j in jihadists:
        for s in ("fama", "barkhane", "minusma"):
            assert v(j, s) <= -0.85, (j, s)
        assert v(j, "mnla") < 0, j
    assert v("ansar-al-din", "hcua") > 0
    for m in ("gatia", "maa-plateforme", "cmfpr"):
        assert v("fama", m) > 0
    for m in ("mnla", "hcua", "maa-cma"):
        assert v("fama", m) <= 0
    crel = {frozenset((r.a, r.b)): r.value for r in sc.relations.communities}
    assert crel[frozenset(("imghad", "ifoghas"))] < 0
    assert crel[frozenset(("lamhar", "idnan"))] < 0
    assert crel[frozenset(("fulani", "dogon"))] < 0


def test_transit_value_in_band(sc):
    total = sum(c.volume_per_month.value * c.value_per_unit.value for c in sc.commodities)
    lo, hi = TRANSIT_BAND
    assert lo <= total <= hi, f"total transit value {total / 1e6:.1f} M USD/month outside the band"
    ids = {c.id for c in sc.commodities}
    assert {"cocaine", "cannabis-resin", "cigarettes", "fuel-goods", "arms", "tramadol"} <= ids
    assert not any("ransom" in c.id or "kidnap" in c.id for c in sc.commodities)


def test_calendar_and_meta(sc):
    assert sc.meta.id == "mali-2016"
    assert sc.calendar.start.isoformat() == "2016-07-01"
    assert sc.calendar.horizon_days == 730


def test_sources_doc_up_to_date():
    script = ROOT / "scripts" / "gen_sources.py"
    if not script.exists() or not (ROOT / "docs" / "sources.md").exists():
        pytest.skip("docs/sources.md not generated")
    res = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr

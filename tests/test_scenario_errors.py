"""A catalogue of malformed scenarios: each one must be reported with its exact message, path and line.

Every case is a text edit of the small valid fixture ``tests/fixtures/mini.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from azalai.errors import Problem, ScenarioError
from azalai.scenario.loader import (
    builtin_scenarios,
    load_scenario,
    scenario_hash,
    validate_references,
)
from azalai.scenario.schema import Scenario
from azalai.scenario.yamlio import MAX_BYTES

FIXTURE = Path(__file__).parent / "fixtures" / "mini.yaml"
MINI = FIXTURE.read_text(encoding="utf-8")
# libyaml (used when PyYAML was built with it) words syntax errors slightly differently
FLOW_ERROR = "did not find expected ',' or ']'" if yaml.__with_libyaml__ else "expected ',' or ']', but got ':'"


def edit(*pairs: tuple[str, str]) -> str:
    text = MINI
    for old, new in pairs:
        assert text.count(old) == 1, f"edit target not unique: {old!r}"
        text = text.replace(old, new)
    return text


def problems_of(tmp_path: Path, content: str | bytes) -> list[Problem]:
    path = tmp_path / "case.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    for p in info.value.problems:
        assert p.file == str(path)
    return info.value.problems


# (case id, edited text, exact message, field path, line)
CASES: list[tuple[str, str | bytes, str, str, int | None]] = [
    (
        "yaml-syntax-error",
        edit(("    name: Kidal\n    lat: 18.44", "    name: [Kidal\n    lat: 18.44")),
        f"YAML syntax error: {FLOW_ERROR} (while parsing a flow sequence)",
        "",
        29,
    ),
    (
        "tab-indentation",
        edit(("  id: mini", "\tid: mini")),
        "YAML syntax error: a tab character here; indent with spaces, not tabs",
        "",
        3,
    ),
    ("empty-file", "", "scenario file is empty (or holds only comments)", "", 1),
    ("only-comments", "# nothing here\n\n# still nothing\n", "scenario file is empty (or holds only comments)", "", 1),
    (
        "non-utf8",
        MINI.encode("utf-8").replace(b"name: Anefis", b"name: An\xe9fis"),
        "scenario file is not valid UTF-8: byte 0xe9 at offset 730",
        "",
        34,
    ),
    (
        "alias-bomb",
        b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        "anchors and aliases are not allowed",
        "",
        1,
    ),
    ("anchor", edit(("meta:\n", "meta: &m\n")), "anchors and aliases are not allowed", "", 2),
    ("deep-nesting", "a: " + "[" * 60 + "]" * 60 + "\n", "nesting is deeper than 50 levels", "", 1),
    (
        "python-tag",
        "meta: !!python/object/apply:os.system ['true']\n",
        "unsupported tag 'tag:yaml.org,2002:python/object/apply:os.system'",
        "",
        1,
    ),
    (
        "second-document",
        MINI + "---\nfoo: 1\n",
        "scenario file must hold a single YAML document (found another one here)",
        "",
        166,
    ),
    ("top-level-list", "- kidal\n- gao\n", "the top level must be a mapping of 'key: value' lines, not a list", "", 1),
    (
        "top-level-scalar",
        "just some text\n",
        "the top level must be a mapping of 'key: value' lines, not a single value",
        "",
        1,
    ),
    (
        "duplicate-key",
        edit(("    lon: 0.6\n", "    lon: 0.6\n    lon: 0.7\n")),
        "duplicate key 'lon' (first given on line 36)",
        "places[1].lon",
        37,
    ),
    ("not-a-number", edit(("lat: 18.05", "lat: .nan")), "numbers must be finite (got .nan)", "places[1].lat", 35),
    (
        "impossible-date",
        edit(("start: 2016-07-01", "start: 2016-13-01")),
        "cannot read value '2016-13-01': month must be in 1..12",
        "calendar.start",
        8,
    ),
    # --- schema problems ---
    ("missing-field", edit(("    acled_admin1: Gao\n", "")), "field required", "regions[1].acled_admin1", 21),
    (
        "missing-section",
        edit(("calendar:\n  start: 2016-07-01\n  horizon_days: 90\n", "")),
        "field required",
        "calendar",
        2,
    ),
    (
        "unknown-field",
        edit(("    name: Gao\n    lat: 16.27", "    name: Gao\n    colour: red\n    lat: 16.27")),
        "unknown field 'colour' (allowed: id, name, lat, lon, region, kind, aliases, source)",
        "places[2].colour",
        42,
    ),
    (
        "misspelt-field",
        edit(("    terrain: desert\n", "    terain: desert\n")),
        "unknown field 'terain' (did you mean 'terrain'?)",
        "routes[2].terain",
        67,
    ),
    ("wrong-type-number", edit(("lat: 18.05", "lat: north")), "must be a number (got 'north')", "places[1].lat", 35),
    (
        "wrong-type-list",
        edit(("aspirations: [autonomy]", "aspirations: autonomy")),
        "must be a list (got 'autonomy')",
        "communities[0].aspirations",
        72,
    ),
    (
        "wrong-type-uncertain",
        edit(("cash: 500000", "cash: lots")),
        "must be a number or {value: x, range: [low, high]} (got 'lots')",
        "actors[0].cash",
        93,
    ),
    (
        "reversed-range",
        edit(("range: [100000, 600000]", "range: [600000, 100000]")),
        "range [600000.0, 100000.0] is reversed",
        "actors[1].cash",
        103,
    ),
    (
        "enum-with-hint",
        edit(("terrain: desert", "terrain: dessert")),
        "must be one of 'paved', 'laterite', 'track', 'desert' or 'river' (got 'dessert') (did you mean 'desert'?)",
        "routes[2].terrain",
        67,
    ),
    (
        "bad-zone",
        edit(('    zone: north\n    source: "public fact: Gao', '    zone: nord\n    source: "public fact: Gao')),
        "must be one of 'north', 'centre', 'south' or 'outside' (got 'nord') (did you mean 'north'?)",
        "regions[1].zone",
        24,
    ),
    (
        "invalid-id",
        edit(("  - id: in-khalil", "  - id: In Khalil")),
        "'In Khalil' is not a valid id: use lower-case letters, digits, '_' and '-', starting with a letter or digit",
        "places[3].id",
        46,
    ),
    (
        "negative-population",
        edit(("{kidal: 10000, gao: 15000}", "{kidal: 10000, gao: -5}")),
        "must be >= 0 (got -5)",
        "communities[1].population.gao",
        81,
    ),
    (
        "negative-fighters",
        edit(("{anefis: 300, gao: 400}", "{anefis: -300, gao: 400}")),
        "must be >= 0 (got -300)",
        "actors[1].fighters.anefis",
        102,
    ),
    (
        "relation-out-of-range",
        edit(("value: -0.6", "value: -1.5")),
        "must be >= -1 (got -1.5)",
        "relations.actors[0].value",
        122,
    ),
    ("latitude-out-of-range", edit(("lat: 20.92", "lat: 95")), "must be <= 90 (got 95)", "places[3].lat", 48),
    (
        "share-outside-unit",
        edit(("trafficking_dependence: 0.4", "trafficking_dependence: 1.4")),
        "must lie within 0..1",
        "communities[1].trafficking_dependence",
        82,
    ),
    ("zero-length-route", edit(("length_km: 260", "length_km: 0")), "must be > 0 (got 0)", "routes[1].length_km", 61),
    ("zero-horizon", edit(("horizon_days: 90", "horizon_days: 0")), "must be >= 1 (got 0)", "calendar.horizon_days", 9),
    (
        "too-few-signatories",
        edit(("signatories: [hcua, gatia]", "signatories: [hcua]")),
        "needs at least 2 items (got 1)",
        "accords[0].signatories",
        151,
    ),
    (
        "bbox-reversed",
        edit(("lat_max: 22.0", "lat_max: 12.0")),
        "bounding box minima must be below maxima",
        "bbox",
        10,
    ),
    # --- reference and network problems ---
    (
        "duplicate-id",
        edit(("  - id: gao\n    name: Gao\n    lat", "  - id: anefis\n    name: Gao\n    lat")),
        "duplicate place id 'anefis' (already used by places[1] on line 33)",
        "places[2].id",
        40,
    ),
    (
        "unknown-reference",
        edit(("    to: gao\n", "    to: goa\n")),
        "unknown place 'goa' (did you mean 'gao'?)",
        "routes[1].to",
        60,
    ),
    (
        "reference-by-name",
        edit(("base_communities: [imghad]", "base_communities: [Imghad Tuareg]")),
        "unknown community 'Imghad Tuareg' (did you mean 'imghad'?)",
        "actors[1].base_communities[0]",
        101,
    ),
    (
        "reference-by-alias",
        edit(("places: [anefis]", "places: [Anéfis]")),
        "unknown place 'Anéfis' (did you mean 'anefis'?)",
        "accords[0].provisions.business[0].places[0]",
        157,
    ),
    (
        "unknown-region",
        edit(("    region: gao\n", "    region: gaoo\n")),
        "unknown region 'gaoo' (did you mean 'gao'?)",
        "places[2].region",
        44,
    ),
    (
        "unknown-population-place",
        edit(("{kidal: 20000, anefis: 3000}", "{kidal: 20000, anefiz: 3000}")),
        "unknown place 'anefiz' (did you mean 'anefis'?)",
        "communities[0].population.anefiz",
        74,
    ),
    (
        "unknown-interim-actor",
        edit(("{hcua: 0.5, gatia: 0.3}", "{hcua: 0.5, gatai: 0.3}")),
        "unknown actor 'gatai' (did you mean 'gatia'?)",
        "accords[0].provisions.interim_authorities.gatai",
        154,
    ),
    (
        "unknown-force-base",
        edit(("bases: [gao, kidal]", "bases: [gao, kidall]")),
        "unknown place 'kidall' (did you mean 'kidal'?)",
        "international_forces[0].bases[1]",
        163,
    ),
    (
        "unknown-commodity-entry",
        edit(("entry: [in-khalil]", "entry: [In Khalil]")),
        "unknown place 'In Khalil' (did you mean 'in-khalil'?)",
        "commodities[0].entry[0]",
        141,
    ),
    (
        "unknown-support-actor",
        edit(("      actor: hcua\n      value: 0.6", "      actor: mnla\n      value: 0.6")),
        "unknown actor 'mnla'",
        "relations.support[0].actor",
        131,
    ),
    (
        "place-outside-bbox",
        edit(("lon: -0.04", "lon: -3.5")),
        "place 'gao' at (16.27, -3.5) lies outside the scenario's bbox (lat 14.0..22.0, lon -2.0..4.0)",
        "places[2].lon",
        43,
    ),
    (
        "route-to-itself",
        edit(("    to: in-khalil\n", "    to: kidal\n")),
        "route goes from 'kidal' to itself",
        "routes[2].to",
        65,
    ),
    (
        "unreachable-place",
        edit(("  - from: kidal\n    to: in-khalil\n", "  - from: kidal\n    to: anefis\n")),
        "place 'in-khalil' cannot be reached from the rest of the route network "
        "(add a route linking it to, e.g., 'kidal')",
        "places[3]",
        46,
    ),
    (
        "unknown-signatory",
        edit(("signatories: [hcua, gatia]", "signatories: [hcua, gatiaa]")),
        "unknown signatory 'gatiaa': no actor has this id (did you mean 'gatia'?)",
        "accords[0].signatories[1]",
        151,
    ),
    (
        "support-over-one",
        edit(
            (
                "      actor: gatia\n      value: 0.7",
                '      actor: gatia\n      value: 0.7\n      source: "assumption: x"\n'
                "    - community: imghad\n      actor: hcua\n      value: 0.5",
            )
        ),
        "support for community 'imghad' sums to 1.2, above 1 "
        "(shares of one community's support must add up to at most 1)",
        "relations.support[2]",
        138,
    ),
    (
        "member-of-itself",
        edit(("    also: gatia\n", "    also: hcua\n")),
        "actor 'hcua' cannot be a member of itself",
        "memberships[0].also",
        115,
    ),
    (
        "aim-naming-no-place",
        MINI + "aims:\n  - actor: hcua\n    name: nowhere\n    weight: 1.0\n    source: \"assumption: x\"\n",
        "an aim must name at least one place or region",
        "aims[0]",
        167,
    ),
    (
        "aim-unknown-place",
        MINI + "aims:\n  - actor: hcua\n    places: [kidall]\n    weight: 1.0\n    source: \"assumption: x\"\n",
        "unknown place 'kidall' (did you mean 'kidal'?)",
        "aims[0].places[0]",
        168,
    ),
    (
        "militia-unknown-community",
        MINI + "militias:\n  - id: imghad-militia\n    name: Imghad self-defence\n    community: imghadd\n"
        "    acled_name: Imghad Militia\n    source: \"assumption: x\"\n",
        "unknown community 'imghadd' (did you mean 'imghad'?)",
        "militias[0].community",
        169,
    ),
    (
        "season-outside-the-year",
        MINI + "seasons:\n  - id: harvest\n    name: harvest\n    days: [288, 400]\n    pressure: 1.0\n"
        "    source: \"assumption: x\"\n",
        "day 400 is outside the year (days of the year run 1..366)",
        "seasons[0].days",
        169,
    ),
    (
        "relation-with-itself",
        edit(("      b: imghad\n", "      b: ifoghas\n")),
        "relation of community 'ifoghas' with itself",
        "relations.communities[0].b",
        126,
    ),
]


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len({c[0] for c in CASES}) == len(CASES)


def test_fixture_is_valid() -> None:
    sc = load_scenario(FIXTURE)
    assert isinstance(sc, Scenario)
    assert validate_references(sc) == []


@pytest.mark.parametrize(("content", "message", "path", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_scenario(tmp_path: Path, content: str | bytes, message: str, path: str, line: int) -> None:
    problems = problems_of(tmp_path, content)
    found = [p for p in problems if p.message == message]
    assert found, f"expected {message!r}; got:\n" + "\n".join(map(str, problems))
    assert found[0].path == path
    assert found[0].line == line
    # the rendering a user sees names the file, the line and the field
    text = str(found[0])
    assert f":{line}:" in text and message in text


def test_oversized_file(tmp_path: Path) -> None:
    big = MINI + "#" * MAX_BYTES
    problems = problems_of(tmp_path, big)
    assert len(problems) == 1
    assert "above the 2 MB cap (2,097,152 bytes)" in problems[0].message


def test_three_problems_reported_together(tmp_path: Path) -> None:
    text = edit(
        ("lat: 18.05", "lat: north"),
        ("    to: gao\n", "    to: goa\n"),
        ("{anefis: 300, gao: 400}", "{anefis: -300, gao: 400}"),
    )
    problems = problems_of(tmp_path, text)
    got = [(p.path, p.line, p.message) for p in problems]
    assert got == [
        ("places[1].lat", 35, "must be a number (got 'north')"),
        ("routes[1].to", 60, "unknown place 'goa' (did you mean 'gao'?)"),
        ("actors[1].fighters.anefis", 102, "must be >= 0 (got -300)"),
    ]
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "case.yaml")
    assert info.value.render().startswith("3 problems in scenario:")


def test_missing_file_and_unknown_builtin(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario("no-such-scenario")
    msg = info.value.problems[0].message
    assert msg.startswith("no scenario file or built-in scenario called 'no-such-scenario'")
    assert "built-in scenarios:" in msg
    for name in builtin_scenarios():
        assert name in msg


def test_hash_ignores_layout(tmp_path: Path) -> None:
    a = load_scenario(FIXTURE)
    reordered = "# a comment changes nothing\n" + MINI.replace("lat: 18.44", "lat: 18.440")
    p = tmp_path / "same.yaml"
    p.write_text(reordered, encoding="utf-8")
    b = load_scenario(p)
    assert scenario_hash(a) == scenario_hash(b)
    assert len(scenario_hash(a)) == 64
    p.write_text(MINI.replace("lat: 18.44", "lat: 18.45"), encoding="utf-8")
    assert scenario_hash(load_scenario(p)) != scenario_hash(a)

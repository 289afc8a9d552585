"""Load, check and fingerprint scenarios.

:func:`load_scenario` reads a built-in scenario by name (``mali-2016``) or a YAML file by path and
returns a validated :class:`~azalai.scenario.schema.Scenario`, or raises one
:class:`~azalai.errors.ScenarioError` carrying *every* problem found: schema problems (types,
ranges, unknown or missing fields) and reference problems (unknown ids with a "did you mean" hint,
duplicate ids, places outside the bounding box, unreachable places, over-committed support ...).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from azalai.errors import Problem, ScenarioError
from azalai.scenario.schema import Scenario
from azalai.scenario.problems import PathT, Positions, closest, format_path, position_of, suggest, validation_problems
from azalai.scenario.yamlio import LoadedYaml, load_yaml_file

BUILTIN_DIR = Path(__file__).parent / "builtin"


def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped with azalai."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def builtin_path(name: str) -> Path:
    return BUILTIN_DIR / f"{name}.yaml"


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """A built-in name or a file path -> the YAML file; ScenarioError naming the built-ins otherwise."""
    if isinstance(name_or_path, Path):
        return name_or_path
    text = str(name_or_path)
    if text in builtin_scenarios():
        return builtin_path(text)
    p = Path(text)
    if p.exists() or p.suffix in (".yaml", ".yml") or "/" in text or "\\" in text:
        return p
    names = builtin_scenarios()
    listing = ", ".join(names) if names else "none installed"
    raise ScenarioError(
        [
            Problem(
                text,
                None,
                None,
                "",
                f"no scenario file or built-in scenario called '{text}'{suggest(text, names)}; "
                f"built-in scenarios: {listing}",
            )
        ]
    )


def resolve_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A scenario as given, or loaded from a built-in name or a YAML file."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load and fully check a scenario; raise ScenarioError with every problem found."""
    path = resolve_scenario_path(name_or_path)
    loaded = load_yaml_file(path, ScenarioError, what="scenario file")
    return scenario_from_loaded(loaded)


def scenario_from_loaded(loaded: LoadedYaml) -> Scenario:
    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(loaded.data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, loaded.positions, loaded.file, Scenario))
    references = validate_references(loaded.data, loaded.positions, loaded.file)
    # a reference that is both malformed and unknown is reported once, with its "did you mean"
    ref_paths = {p.path for p in references if p.message.startswith("unknown ")}
    problems = [p for p in problems if not (p.path in ref_paths and "is not a valid id" in p.message)]
    problems.extend(references)
    if problems:
        raise ScenarioError(_sorted(problems))
    assert scenario is not None
    return scenario


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line if p.line is not None else 10**9, p.column or 0))


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of a canonical JSON dump: equal scenarios hash equally, whatever their YAML layout."""
    payload = json.dumps(
        scenario.model_dump(mode="json", by_alias=True),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """Plain data ready to be written back as YAML."""
    return scenario.model_dump(mode="json", by_alias=True)


# --------------------------------------------------------------------------------------------
# reference checks, on raw data so that they run even when the schema check failed
# --------------------------------------------------------------------------------------------


def _items(data: Any, *keys: str) -> Iterator[tuple[PathT, dict[str, Any]]]:
    """(path, item) for every mapping item of the list at ``keys``."""
    cur = data
    for k in keys:
        if not isinstance(cur, dict):
            return
        cur = cur.get(k)
    if not isinstance(cur, list):
        return
    for i, item in enumerate(cur):
        if isinstance(item, dict):
            yield (*keys, i), item


def _is_str(x: Any) -> bool:
    return isinstance(x, str)


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class _Catalogue:
    """Ids of one kind of entity, with names and aliases for "did you mean" hints."""

    def __init__(self, noun: str) -> None:
        self.noun = noun
        self.ids: dict[str, PathT] = {}
        self.hints: dict[str, str] = {}  # id, name or alias -> id

    def add(self, ident: str, item: dict[str, Any], path: PathT) -> None:
        self.ids.setdefault(ident, path)
        for word in [ident, item.get("name")] + list(
            item.get("aliases") if isinstance(item.get("aliases"), list) else []
        ):
            if _is_str(word):
                self.hints.setdefault(word, ident)

    def unknown(self, ref: str) -> str:
        word = closest(ref, self.hints)  # an id, a name or an alias: the hint names its id
        hint = f" (did you mean '{self.hints[word]}'?)" if word is not None else ""
        return f"unknown {self.noun} '{ref}'{hint}"


def validate_references(
    scenario: Scenario | dict[str, Any],
    positions: Positions | None = None,
    file: str = "<scenario>",
) -> list[Problem]:
    """Every broken cross-reference and network problem in a scenario (as a model or raw data)."""
    data = scenario_to_data(scenario) if isinstance(scenario, Scenario) else scenario
    pos = positions or {}
    problems: list[Problem] = []

    def report(path: PathT, message: str) -> None:
        line, col = position_of(pos, path)
        problems.append(Problem(file, line, col, format_path(path), message))

    if not isinstance(data, dict):
        return problems

    cats: dict[str, _Catalogue] = {}
    for key, noun in (
        ("regions", "region"),
        ("places", "place"),
        ("communities", "community"),
        ("actors", "actor"),
        ("commodities", "commodity"),
        ("accords", "accord"),
    ):
        cat = _Catalogue(noun)
        cats[key] = cat
        for path, item in _items(data, key):
            ident = item.get("id")
            if not _is_str(ident):
                continue
            if ident in cat.ids:
                first = cat.ids[ident]
                line, _ = position_of(pos, first)
                where = format_path(first) + (f" on line {line}" if line else "")
                report(path + ("id",), f"duplicate {cat.noun} id '{ident}' (already used by {where})")
            else:
                cat.add(ident, item, path)

    regions, places, communities, actors = (
        cats["regions"],
        cats["places"],
        cats["communities"],
        cats["actors"],
    )

    def ref(path: PathT, value: Any, cat: _Catalogue) -> None:
        if _is_str(value) and value not in cat.ids:
            report(path, cat.unknown(value))

    def ref_list(path: PathT, values: Any, cat: _Catalogue) -> None:
        if isinstance(values, list):
            for i, v in enumerate(values):
                ref(path + (i,), v, cat)

    def ref_keys(path: PathT, mapping: Any, cat: _Catalogue) -> None:
        if isinstance(mapping, dict):
            for k in mapping:
                ref(path + (k,), k, cat)

    # places: region and bounding box
    bbox = data.get("bbox") if isinstance(data.get("bbox"), dict) else {}
    box = [bbox.get(k) for k in ("lat_min", "lat_max", "lon_min", "lon_max")]
    box_ok = all(_is_num(v) for v in box) and box[0] < box[1] and box[2] < box[3]
    for path, place in _items(data, "places"):
        ref(path + ("region",), place.get("region"), regions)
        lat, lon = place.get("lat"), place.get("lon")
        if box_ok and _is_num(lat) and _is_num(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
            lat_min, lat_max, lon_min, lon_max = box
            if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
                field = "lat" if not (lat_min <= lat <= lat_max) else "lon"
                report(
                    path + (field,),
                    f"place '{place.get('id')}' at ({lat}, {lon}) lies outside the scenario's bbox "
                    f"(lat {lat_min}..{lat_max}, lon {lon_min}..{lon_max})",
                )

    # routes: endpoints, loops, connectivity
    adjacency: dict[str, set[str]] = defaultdict(set)
    broken_routes = False
    for path, route in _items(data, "routes"):
        a, b = route.get("from"), route.get("to")
        ref(path + ("from",), a, places)
        ref(path + ("to",), b, places)
        if _is_str(a) and _is_str(b) and a == b:
            report(path + ("to",), f"route goes from '{a}' to itself")
        if _is_str(a) and _is_str(b) and a in places.ids and b in places.ids:
            adjacency[a].add(b)
            adjacency[b].add(a)
        else:
            broken_routes = True
    # with broken route ends the network is not known: report connectivity once they are fixed
    if len(places.ids) >= 2 and not broken_routes:
        components = _components(list(places.ids), adjacency)
        if len(components) > 1:
            main = max(components, key=len)
            stranded = [pid for comp in components if comp is not main for pid in comp]
            names = ", ".join(f"'{p}'" for p in stranded)
            plural = "s" if len(stranded) > 1 else ""
            report(
                places.ids[stranded[0]],
                f"place{plural} {names} cannot be reached from the rest of the route network "
                f"(add a route linking {'them' if plural else 'it'} to, e.g., '{main[0]}')",
            )

    # communities
    for path, com in _items(data, "communities"):
        ref_keys(path + ("population",), com.get("population"), places)

    # actors
    for path, actor in _items(data, "actors"):
        ref_keys(path + ("fighters",), actor.get("fighters"), places)
        ref_list(path + ("base_communities",), actor.get("base_communities"), communities)

    for path, m in _items(data, "memberships"):
        ref(path + ("actor",), m.get("actor"), actors)
        ref(path + ("also",), m.get("also"), actors)
        if _is_str(m.get("actor")) and m.get("actor") == m.get("also"):
            report(path + ("also",), f"actor '{m.get('actor')}' cannot be a member of itself")

    # relations
    for group, cat in (("actors", actors), ("communities", communities)):
        for path, rel in _items(data, "relations", group):
            ref(path + ("a",), rel.get("a"), cat)
            ref(path + ("b",), rel.get("b"), cat)
            if _is_str(rel.get("a")) and rel.get("a") == rel.get("b"):
                report(path + ("b",), f"relation of {cat.noun} '{rel.get('a')}' with itself")
    sums: dict[str, float] = defaultdict(float)
    last: dict[str, PathT] = {}
    for path, sup in _items(data, "relations", "support"):
        ref(path + ("community",), sup.get("community"), communities)
        ref(path + ("actor",), sup.get("actor"), actors)
        c, v = sup.get("community"), sup.get("value")
        if _is_str(c) and _is_num(v) and 0 <= v <= 1:
            sums[c] += float(v)
            last[c] = path
    for c, total in sums.items():
        if total > 1.0 + 1e-9:
            report(
                last[c],
                f"support for community '{c}' sums to {round(total, 6):g}, above 1 "
                "(shares of one community's support must add up to at most 1)",
            )

    # commodities
    for path, com in _items(data, "commodities"):
        ref_list(path + ("entry",), com.get("entry"), places)
        ref_list(path + ("exit",), com.get("exit"), places)

    # accords
    for path, acc in _items(data, "accords"):
        sigs = acc.get("signatories")
        if isinstance(sigs, list):
            for i, s in enumerate(sigs):
                if _is_str(s) and s not in actors.ids:
                    hint = actors.unknown(s).removeprefix(f"unknown actor '{s}'")
                    report(path + ("signatories", i), f"unknown signatory '{s}': no actor has this id{hint}")
        prov = acc.get("provisions")
        if isinstance(prov, dict):
            ref_keys(path + ("provisions", "interim_authorities"), prov.get("interim_authorities"), actors)
            for bpath, alloc in _items(prov, "business"):
                full = path + ("provisions",) + bpath
                ref(full + ("actor",), alloc.get("actor"), actors)
                ref_list(full + ("places",), alloc.get("places"), places)

    # international forces
    for path, force in _items(data, "international_forces"):
        ref(path + ("actor",), force.get("actor"), actors)
        ref_list(path + ("bases",), force.get("bases"), places)
        ref_list(path + ("organised_crime_units",), force.get("organised_crime_units"), places)
        ref_list(path + ("area_of_operations",), force.get("area_of_operations"), regions)

    # aims
    for path, aim in _items(data, "aims"):
        ref(path + ("actor",), aim.get("actor"), actors)
        ref_list(path + ("places",), aim.get("places"), places)
        ref_list(path + ("regions",), aim.get("regions"), regions)

    # militias: a dormant actor per community able to arm
    militia_ids: dict[str, PathT] = {}
    for path, mil in _items(data, "militias"):
        ref(path + ("community",), mil.get("community"), communities)
        ident = mil.get("id")
        if _is_str(ident):
            if ident in actors.ids:
                report(path + ("id",), f"militia id '{ident}' is already an actor id")
            elif ident in militia_ids:
                report(path + ("id",), f"duplicate militia id '{ident}'")
            else:
                militia_ids[ident] = path

    return problems


def _components(nodes: list[str], adjacency: dict[str, set[str]]) -> list[list[str]]:
    seen: set[str] = set()
    out: list[list[str]] = []
    for start in nodes:
        if start in seen:
            continue
        comp = []
        stack = [start]
        seen.add(start)
        while stack:
            n = stack.pop()
            comp.append(n)
            for m in adjacency.get(n, ()):
                if m not in seen:
                    seen.add(m)
                    stack.append(m)
        order = {n: i for i, n in enumerate(nodes)}
        out.append(sorted(comp, key=order.__getitem__))
    return out


def check_scenario(name_or_path: str | Path) -> list[Problem]:
    """Every problem in a scenario (an empty list when it is valid)."""
    try:
        load_scenario(name_or_path)
    except ScenarioError as exc:
        return exc.problems
    return []

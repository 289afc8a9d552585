"""View models of a scenario and a policy: what the dashboard's Scenario page and the reports show.

Plain data (dicts and lists) computed from the scenario and policy files; no web framework, so the
dashboard (:mod:`azalai.app`) and the HTML report (:mod:`azalai.report.html`) share them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from azalai.model.world import build_world
from azalai.policy.loader import load_policy
from azalai.policy.schema import LEVERS, Policy
from azalai.report.maps import dominant_actors, read_outlines
from azalai.scenario.loader import load_scenario

# Approximate label positions of Mali's neighbours (lat, lon): labels only, no geometry.
NEIGHBOURS = [
    ("Algeria", 23.5, 1.5), ("Niger", 16.5, 6.5), ("Mauritania", 19.5, -8.0), ("Burkina Faso", 12.8, -1.6),
    ("Senegal", 14.2, -12.6), ("Guinea", 11.0, -10.2), ("Côte d'Ivoire", 9.6, -6.0), ("Libya", 24.5, 12.0),
]  # fmt: skip


def boundaries_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """The boundaries file to draw: the argument, else ``$AZALAI_BOUNDARIES``, else none."""
    p = explicit or os.environ.get("AZALAI_BOUNDARIES")
    return Path(p) if p else None


def hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull of points (Andrew's monotone chain), counter-clockwise."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def scenario_view(name: str, boundaries: str | os.PathLike | None = None) -> dict[str, Any]:
    """The Scenario page: everything the map, the actor network and the accords table need."""
    sc = load_scenario(name)
    bb = sc.bbox
    outline_kind = "places"
    rings: list[list[tuple[float, float]]] = []
    bpath = boundaries_path(boundaries)
    if bpath is not None:
        rings = [[(float(x), float(y)) for x, y in ring] for ring in read_outlines(bpath)]
        outline_kind = "boundaries"
    else:
        pts = [(p.lon, p.lat) for p in sc.places if getattr(p.kind, "value", p.kind) != "external_node"]
        rings = [hull(pts)]
    places = [
        {"id": p.id, "name": p.name, "lat": p.lat, "lon": p.lon, "region": p.region,
         "kind": getattr(p.kind, "value", p.kind)}
        for p in sc.places
    ]  # fmt: skip
    routes = [
        {"index": i, "from": r.from_, "to": r.to, "length_km": r.length_km, "terrain": getattr(r.terrain, "value", r.terrain)}
        for i, r in enumerate(sc.routes)
    ]  # fmt: skip
    actors = [
        {"id": a.id, "name": a.name, "kind": getattr(a.kind, "value", a.kind), "coalition": a.coalition,
         "fighters": float(sum(a.fighters.values())), "base_communities": list(a.base_communities)}
        for a in sc.actors
    ]  # fmt: skip
    relations = [{"a": r.a, "b": r.b, "value": r.value} for r in sc.relations.actors]
    accords = [
        {"id": c.id, "name": c.name, "date": c.date.isoformat(), "signatories": list(c.signatories),
         "ceasefire": c.provisions.ceasefire, "ddr": c.provisions.ddr,
         "interim_authorities": dict(c.provisions.interim_authorities),
         "business": [{"actor": b.actor, "places": list(b.places)} for b in c.provisions.business]}
        for c in sc.accords
    ]  # fmt: skip
    neighbours = [
        {"name": n, "lat": la, "lon": lo}
        for n, la, lo in NEIGHBOURS
        if bb.lat_min <= la <= bb.lat_max and bb.lon_min <= lo <= bb.lon_max
    ]
    return {
        "id": sc.meta.id, "name": sc.meta.name, "description": sc.meta.description,
        "start": sc.calendar.start.isoformat(), "horizon_days": sc.calendar.horizon_days,
        "bbox": {"lat_min": bb.lat_min, "lat_max": bb.lat_max, "lon_min": bb.lon_min, "lon_max": bb.lon_max},
        "outline": {"kind": outline_kind, "rings": rings}, "neighbours": neighbours,
        "regions": [{"id": r.id, "name": r.name} for r in sc.regions],
        "places": places, "routes": routes, "actors": actors, "relations": relations, "accords": accords,
        "communities": [{"id": c.id, "name": c.name} for c in sc.communities],
        "presence": dominant_actors(sc),
    }  # fmt: skip


def scenario_summary(name: str) -> dict[str, Any]:
    """The scenario in a few numbers (the report's first section)."""
    sc = load_scenario(name)
    return {
        "id": sc.meta.id, "name": sc.meta.name, "description": sc.meta.description,
        "start": sc.calendar.start.isoformat(), "horizon_days": sc.calendar.horizon_days,
        "places": len(sc.places), "routes": len(sc.routes), "communities": len(sc.communities),
        "actors": len(sc.actors), "accords": [c.name for c in sc.accords],
        "commodities": [c.name for c in sc.commodities],
    }  # fmt: skip


def policy_with_overrides(policy: str | Policy, overrides: dict[str, float] | None) -> Policy:
    """A built-in policy with some initial lever values replaced (already range-checked by the caller)."""
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    if not overrides:
        return pol
    data = pol.model_dump(mode="json", by_alias=True)
    data["levers"] = {**{k: v for k, v in (data.get("levers") or {}).items() if v is not None}, **overrides}
    data["id"] = (pol.id + "-custom")[:64]
    return Policy.model_validate(data)


def lever_table(pol: Policy) -> list[dict[str, Any]]:
    """Every lever: the policy's value, its default and range, and whether it was changed."""
    vals = pol.lever_values()
    return [
        {"name": lv.name, "value": vals[lv.name], "default": lv.default, "low": lv.low, "high": lv.high,
         "unit": lv.unit, "description": lv.description, "changed": vals[lv.name] != lv.default}
        for lv in LEVERS
    ]  # fmt: skip


def actor_ids(scenario: str) -> list[str]:
    """Actor ids in the engine's index order."""
    _, idx = build_world(load_scenario(scenario))
    return list(idx.actors)

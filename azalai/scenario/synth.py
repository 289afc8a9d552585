"""Synthetic scenarios N times larger than a real one, for scaling benchmarks.

Replica ``k`` (1..N-1) copies every place, route, community, actor, membership, relation,
support, commodity, accord and international force of the base scenario, with ``-s<k>`` appended
to each id and the references rewritten, so that relations and supports stay within a replica.
Its places are shifted on a grid of small offsets and the bounding box is widened to hold them.
A few new routes join each replica to the original network, so the route graph stays connected.
Regions are shared by all replicas.
"""

from __future__ import annotations

import math
from typing import Any

from azalai.scenario.schema import Scenario

LINKS_PER_REPLICA = 2


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def _suffix(ident: str, k: int) -> str:
    tag = f"-s{k}"
    return ident[: 64 - len(tag)] + tag


def synth_scenario(base: Scenario, scale: int) -> Scenario:
    """A valid scenario about ``scale`` times larger than ``base`` (``scale`` >= 1)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    data: dict[str, Any] = base.model_dump(mode="json", by_alias=True)
    if scale == 1:
        return Scenario.model_validate(data)

    lats = [p["lat"] for p in data["places"]]
    lons = [p["lon"] for p in data["places"]]
    side = math.ceil(math.sqrt(scale))
    # replicas sit on a side x side grid of offsets; the whole grid spans at most ~2x the base extent
    step_lat = max(0.05, (max(lats) - min(lats)) / side)
    step_lon = max(0.05, (max(lons) - min(lons)) / side)

    out: dict[str, list[Any]] = {
        key: list(data.get(key) or [])
        for key in ("places", "routes", "communities", "actors", "memberships", "commodities", "accords",
                    "international_forces")
    }  # fmt: skip
    rel = {key: list(data["relations"].get(key) or []) for key in ("actors", "communities", "support")}
    originals = {p["id"]: p for p in data["places"]}
    # link places: prefer towns spread through the list
    towns = [p["id"] for p in data["places"] if p.get("kind", "town") == "town"] or list(originals)
    anchors = [towns[(i * len(towns)) // LINKS_PER_REPLICA] for i in range(min(LINKS_PER_REPLICA, len(towns)))]

    for k in range(1, scale):
        dlat = (k // side) * step_lat
        dlon = (k % side) * step_lon
        pl = {p["id"]: _suffix(p["id"], k) for p in data["places"]}
        co = {c["id"]: _suffix(c["id"], k) for c in data["communities"]}
        ac = {a["id"]: _suffix(a["id"], k) for a in data["actors"]}
        cm = {c["id"]: _suffix(c["id"], k) for c in data.get("commodities") or []}

        def m(mapping: dict[str, str], v: str) -> str:
            return mapping.get(v, v)

        for p in data["places"]:
            q = dict(p, id=pl[p["id"]], name=f"{p['name']} #{k}", aliases=[])
            q["lat"] = max(-89.9, min(89.9, p["lat"] + dlat))
            q["lon"] = max(-179.9, min(179.9, p["lon"] + dlon))
            out["places"].append(q)
        for r in data["routes"]:
            out["routes"].append(dict(r, **{"from": m(pl, r["from"]), "to": m(pl, r["to"]), "aliases": []}))
        for c in data["communities"]:
            out["communities"].append(
                dict(c, id=co[c["id"]], name=f"{c['name']} #{k}", aliases=[],
                     population={m(pl, key): v for key, v in c["population"].items()})
            )  # fmt: skip
        for a in data["actors"]:
            out["actors"].append(
                dict(a, id=ac[a["id"]], name=f"{a['name']} #{k}", aliases=[],
                     coalition=_suffix(a["coalition"], k) if a.get("coalition") else None,
                     base_communities=[m(co, c) for c in a.get("base_communities") or []],
                     fighters={m(pl, key): v for key, v in a["fighters"].items()})
            )  # fmt: skip
        for mem in data.get("memberships") or []:
            out["memberships"].append(dict(mem, actor=m(ac, mem["actor"]), also=m(ac, mem["also"])))
        for r in data["relations"].get("actors") or []:
            rel["actors"].append(dict(r, a=m(ac, r["a"]), b=m(ac, r["b"])))
        for r in data["relations"].get("communities") or []:
            rel["communities"].append(dict(r, a=m(co, r["a"]), b=m(co, r["b"])))
        for s in data["relations"].get("support") or []:
            rel["support"].append(dict(s, community=m(co, s["community"]), actor=m(ac, s["actor"])))
        for c in data.get("commodities") or []:
            out["commodities"].append(
                dict(c, id=cm[c["id"]], name=f"{c['name']} #{k}", aliases=[],
                     entry=[m(pl, x) for x in c["entry"]], exit=[m(pl, x) for x in c["exit"]])
            )  # fmt: skip
        for acc in data.get("accords") or []:
            prov = dict(acc["provisions"])
            prov["interim_authorities"] = {m(ac, key): v for key, v in prov.get("interim_authorities", {}).items()}
            prov["business"] = [
                dict(b, actor=m(ac, b["actor"]), places=[m(pl, x) for x in b["places"]])
                for b in prov.get("business") or []
            ]
            out["accords"].append(
                dict(acc, id=_suffix(acc["id"], k), name=f"{acc['name']} #{k}", aliases=[],
                     signatories=[m(ac, s) for s in acc["signatories"]], provisions=prov)
            )  # fmt: skip
        for f in data.get("international_forces") or []:
            out["international_forces"].append(
                dict(f, actor=m(ac, f["actor"]), bases=[m(pl, x) for x in f["bases"]],
                     organised_crime_units=[m(pl, x) for x in f.get("organised_crime_units") or []])
            )  # fmt: skip
        for anchor in anchors:
            a, b = originals[anchor], pl[anchor]
            km = _haversine_km(a["lat"], a["lon"], a["lat"] + dlat, a["lon"] + dlon) * 1.3
            out["routes"].append(
                {"from": anchor, "to": b, "length_km": round(min(5000.0, max(1.0, km)), 1), "terrain": "desert",
                 "aliases": [], "source": "assumption: synthetic link between replicas"}
            )  # fmt: skip

    new_lats = [p["lat"] for p in out["places"]]
    new_lons = [p["lon"] for p in out["places"]]
    bb = data["bbox"]
    bbox = {
        "lat_min": max(-90.0, min(bb["lat_min"], min(new_lats) - 0.5)),
        "lat_max": min(90.0, max(bb["lat_max"], max(new_lats) + 0.5)),
        "lon_min": max(-180.0, min(bb["lon_min"], min(new_lons) - 0.5)),
        "lon_max": min(180.0, max(bb["lon_max"], max(new_lons) + 0.5)),
    }
    meta = dict(data["meta"], name=f"{data['meta']['name']} (synthetic x{scale})")
    meta["id"] = f"{data['meta']['id'][:56]}-x{scale}"
    new = dict(data, meta=meta, bbox=bbox, relations=rel, **out)
    return Scenario.model_validate(new)

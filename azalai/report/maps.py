"""Static maps of a scenario with matplotlib only (no tiles, no network access).

Places are drawn as markers by kind with their names, routes as lines whose width shows the
terrain (or the trafficking volume when ``flows`` is given), the colour of each place shows which
actor is present in force there (or who protects it when ``protectors`` is given), and region or
country outlines come from a GeoJSON file when one is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from azalai.plotting import figure_for, save
from azalai.scenario.schema import Scenario

TERRAIN_WIDTH = {"paved": 2.6, "laterite": 2.0, "river": 1.6, "track": 1.2, "desert": 0.8}
KIND_MARKER = {"town": "o", "border_crossing": "D", "external_node": "s"}
KIND_LABEL = {"town": "town", "border_crossing": "border crossing", "external_node": "external node"}
ACTOR_PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
]  # fmt: skip
NOBODY = "#cccccc"


def _value(v: Any) -> str:
    return getattr(v, "value", v)


def read_outlines(path: str | Path) -> list[list[tuple[float, float]]]:
    """Exterior and interior rings of every Polygon/MultiPolygon in a GeoJSON file."""
    from azalai.safeio import read_json

    doc = read_json(path, "boundaries file (GeoJSON)")
    geoms: list[dict[str, Any]] = []

    def collect(obj: Any) -> None:
        if not isinstance(obj, dict):
            return
        kind = obj.get("type")
        if kind == "FeatureCollection":
            for f in obj.get("features") or []:
                collect(f)
        elif kind == "Feature":
            collect(obj.get("geometry"))
        elif kind == "GeometryCollection":
            for g in obj.get("geometries") or []:
                collect(g)
        elif kind in ("Polygon", "MultiPolygon"):
            geoms.append(obj)

    collect(doc)
    rings: list[list[tuple[float, float]]] = []
    for g in geoms:
        polys = [g.get("coordinates") or []] if g["type"] == "Polygon" else g.get("coordinates") or []
        for poly in polys:
            for ring in poly:
                pts = [(float(p[0]), float(p[1])) for p in ring if isinstance(p, list) and len(p) >= 2]
                if len(pts) >= 2:
                    rings.append(pts)
    return rings


def dominant_actors(scenario: Scenario) -> dict[str, str]:
    """Place id -> the actor with the most fighters there (places with no fighters are left out)."""
    best: dict[str, tuple[float, str]] = {}
    for actor in scenario.actors:
        for place, n in actor.fighters.items():
            if n > 0 and (place not in best or n > best[place][0]):
                best[place] = (n, actor.id)
    return {p: a for p, (_, a) in best.items()}


def draw_scenario_map(
    scenario: Scenario,
    out_png: str | Path | None = None,
    boundaries: str | Path | None = None,
    flows: dict[int, float] | None = None,
    protectors: dict[str, str] | None = None,
    title: str | None = None,
    *,
    ax=None,
) -> Figure:
    """Draw the scenario's places, routes, actor presence and optional boundaries (on ``ax``, to ``out_png``)."""
    places = {p.id: p for p in scenario.places}
    fig, ax = figure_for(ax, out_png, figsize=(10, 9), dpi=110)
    if boundaries is not None:
        for ring in read_outlines(boundaries):
            xs, ys = zip(*ring)
            ax.plot(xs, ys, color="#999999", linewidth=0.7, zorder=1)

    max_flow = max((v for v in (flows or {}).values() if v > 0), default=0.0)
    for i, route in enumerate(scenario.routes):
        a, b = places.get(route.from_), places.get(route.to)
        if a is None or b is None:
            continue
        if flows is not None:
            vol = float(flows.get(i, 0.0))
            width = 0.4 + (5.0 * vol / max_flow if max_flow > 0 else 0.0)
            color = "#b2182b" if vol > 0 else "#bbbbbb"
        else:
            width = TERRAIN_WIDTH.get(_value(route.terrain), 1.0)
            color = "#8c6d31"
        ax.plot([a.lon, b.lon], [a.lat, b.lat], color=color, linewidth=width, alpha=0.8, zorder=2)

    presence = protectors if protectors is not None else dominant_actors(scenario)
    shown = sorted({a for a in presence.values() if a})
    actor_names = {a.id: a.name for a in scenario.actors}
    colours = {a: ACTOR_PALETTE[i % len(ACTOR_PALETTE)] for i, a in enumerate(shown)}
    for p in scenario.places:
        who = presence.get(p.id)
        ax.scatter(
            [p.lon],
            [p.lat],
            marker=KIND_MARKER.get(_value(p.kind), "o"),
            s=70,
            color=colours.get(who, NOBODY) if who else NOBODY,
            edgecolor="black",
            linewidth=0.6,
            zorder=3,
        )
        ax.annotate(p.name, (p.lon, p.lat), xytext=(4, 4), textcoords="offset points", fontsize=7, zorder=4)

    handles = [
        Line2D([], [], marker="o", linestyle="", color=colours[a], markeredgecolor="black",
               label=actor_names.get(a, a))
        for a in shown
    ]  # fmt: skip
    handles.append(Line2D([], [], marker="o", linestyle="", color=NOBODY, markeredgecolor="black",
                          label="no armed presence" if protectors is None else "unprotected"))
    kinds = sorted({_value(p.kind) for p in scenario.places})
    handles += [
        Line2D([], [], marker=KIND_MARKER.get(k, "o"), linestyle="", color="white", markeredgecolor="black",
               label=KIND_LABEL.get(k, k))
        for k in kinds
    ]  # fmt: skip
    legend_title = "protector" if protectors is not None else "largest armed presence"
    ax.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
              title_fontsize=8, frameon=False)

    bb = scenario.bbox
    ax.set_xlim(bb.lon_min, bb.lon_max)
    ax.set_ylim(bb.lat_min, bb.lat_max)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(title or f"{scenario.meta.name}" + (" - trafficking flows" if flows else ""))
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return save(fig, out_png)

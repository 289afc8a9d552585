"""Vega-Lite specifications of the Decide page's charts, built once in Python.

The dashboard (``azalai/app/static/decide.js``) and the HTML report (:mod:`azalai.report.decide_report`)
render the same specifications with the vendored Vega, Vega-Lite and vega-embed
(``azalai/app/static/vendor``), so the page and the briefing cannot drift apart. Every function takes the
view of :func:`azalai.analysis.decide.analyse` (or of ``paired_with_baseline``) and returns a JSON-ready dict.
"""

from __future__ import annotations

import math
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier: nothing is fetched
WIDTH = 560
FONT = "system-ui, 'DejaVu Sans', sans-serif"
CONFIG = {"font": FONT, "view": {"stroke": "#ddd6cc"}, "axis": {"labelFontSize": 11, "titleFontSize": 12},
          "legend": {"labelFontSize": 11, "labelLimit": 260}}


def _clean(x: Any) -> Any:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def _base(title: str, **kw) -> dict[str, Any]:
    return {"$schema": SCHEMA, "title": {"text": title, "anchor": "start", "fontSize": 13}, "config": CONFIG, **kw}


def parallel_spec(view: dict[str, Any], metric: str = "mean") -> dict[str, Any]:
    """Parallel coordinates: one line per candidate, one axis per objective (and satisficing), 0 = best.

    Each axis is rescaled over the candidates so that 0 is the best value and 1 the worst (for an
    objective to maximise, the scale is turned round); the tooltip shows the values themselves.
    """
    rows = []
    axes = [o["name"] for o in view["objectives"]]
    for r in view["ranking"]:
        for o in view["objectives"]:
            rows.append({"candidate": r["label"], "axis": f"{o['name']} ({metric})", "value": r["objectives"][o["name"]][metric],
                         "sense": o["sense"], "pareto": r["pareto"], "rank": r["rank"]})
        if view["thresholds"]:
            rows.append({"candidate": r["label"], "axis": "satisficing share", "value": r["satisficing"],
                         "sense": "max", "pareto": r["pareto"], "rank": r["rank"]})
    order = [f"{a} ({metric})" for a in axes] + (["satisficing share"] if view["thresholds"] else [])
    return _clean(_base(
        f"Trade-offs between candidates ({metric} across states of the world; lower on the chart = better)",
        width=WIDTH, height=260, data={"values": rows},
        transform=[
            {"joinaggregate": [{"op": "min", "field": "value", "as": "lo"}, {"op": "max", "field": "value", "as": "hi"}],
             "groupby": ["axis"]},
            {"calculate": "datum.hi > datum.lo ? (datum.value - datum.lo) / (datum.hi - datum.lo) : 0.5", "as": "u"},
            {"calculate": "datum.sense == 'max' ? 1 - datum.u : datum.u", "as": "position"},
        ],
        params=[{"name": "pick", "select": {"type": "point", "fields": ["candidate"]}, "bind": "legend"}],
        mark={"type": "line", "point": True},
        encoding={
            "x": {"field": "axis", "type": "nominal", "sort": order, "title": None, "axis": {"labelAngle": 0,
                                                                                          "labelLimit": 160}},
            "y": {"field": "position", "type": "quantitative", "title": "0 = best candidate, 1 = worst",
                  "scale": {"domain": [0, 1]}},
            "color": {"field": "candidate", "type": "nominal", "sort": [r["label"] for r in view["ranking"]],
                      "legend": {"title": "candidate (click to pick)"}},
            "strokeWidth": {"condition": {"test": "datum.pareto", "value": 3}, "value": 1.3},
            "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.12},
            "tooltip": [{"field": "candidate"}, {"field": "axis"}, {"field": "value", "format": ".4~g"},
                        {"field": "rank"}, {"field": "pareto", "title": "on the Pareto front"}],
        }))


def pareto_spec(view: dict[str, Any]) -> dict[str, Any] | None:
    """The first two objectives' means with 95% CIs; the non-dominated candidates are filled and labelled."""
    objs = view["objectives"]
    if len(objs) < 2:
        return None
    a, b = objs[0]["name"], objs[1]["name"]
    metric = view["pareto_metric"]
    rows = []
    for r in view["ranking"]:
        ma, mb = r["objectives"][a], r["objectives"][b]
        rows.append({"candidate": r["label"], "x": ma[metric], "y": mb[metric], "x_lo": ma["mean_ci"][0],
                     "x_hi": ma["mean_ci"][1], "y_lo": mb["mean_ci"][0], "y_hi": mb["mean_ci"][1],
                     "front": "on the front" if r["pareto"] else "dominated", "rank": r["rank"]})
    enc_x = {"field": "x", "type": "quantitative", "title": f"{a} ({metric}, {objs[0]['sense']})",
             "scale": {"zero": False}}
    enc_y = {"field": "y", "type": "quantitative", "title": f"{b} ({metric}, {objs[1]['sense']})",
             "scale": {"zero": False}}
    layers = [
        {"mark": {"type": "point", "filled": True, "size": 90},
         "encoding": {"x": enc_x, "y": enc_y,
                      "color": {"field": "front", "type": "nominal", "title": None,
                                "scale": {"domain": ["on the front", "dominated"], "range": ["#b2182b", "#9e9e9e"]}},
                      "tooltip": [{"field": "candidate"}, {"field": "x", "title": a, "format": ".4~g"},
                                  {"field": "y", "title": b, "format": ".4~g"}, {"field": "rank"}, {"field": "front"}]}},
        {"mark": {"type": "text", "align": "left", "dx": 7, "dy": -6, "fontSize": 10},
         "encoding": {"x": enc_x, "y": enc_y, "text": {"field": "candidate"}}},
    ]
    if metric == "mean":
        layers[:0] = [
            {"mark": {"type": "rule", "color": "#bbb"},
             "encoding": {"x": {"field": "x_lo", "type": "quantitative"}, "x2": {"field": "x_hi"}, "y": enc_y}},
            {"mark": {"type": "rule", "color": "#bbb"},
             "encoding": {"y": {"field": "y_lo", "type": "quantitative"}, "y2": {"field": "y_hi"}, "x": enc_x}},
        ]
    note = "" if len(objs) == 2 else f" (front computed on all {len(objs)} objectives)"
    return _clean(_base(f"Pareto front: {a} against {b}{note}", width=WIDTH, height=320, data={"values": rows},
                        layer=layers))


def satisficing_spec(view: dict[str, Any]) -> dict[str, Any] | None:
    """Share of states of the world in which every threshold holds, with its 95% CI."""
    if not view["thresholds"]:
        return None
    rows = [{"candidate": r["label"], "share": r["satisficing"], "lo": r["satisficing_ci"][0],
             "hi": r["satisficing_ci"][1]} for r in view["ranking"]]
    y = {"field": "candidate", "type": "nominal", "sort": [r["label"] for r in view["ranking"]], "title": None,
         "axis": {"labelLimit": 260}}
    return _clean(_base("Satisficing: share of worlds meeting " + ", ".join(view["thresholds"]),
                        width=WIDTH - 200, data={"values": rows}, layer=[
        {"mark": {"type": "bar", "color": "#c98b4a"},
         "encoding": {"y": y, "x": {"field": "share", "type": "quantitative", "scale": {"domain": [0, 1]},
                                    "axis": {"format": "%"}, "title": "share of states of the world"},
                      "tooltip": [{"field": "candidate"}, {"field": "share", "format": ".0%"},
                                  {"field": "lo", "format": ".0%", "title": "CI low"},
                                  {"field": "hi", "format": ".0%", "title": "CI high"}]}},
        {"mark": {"type": "rule", "color": "#333"},
         "encoding": {"y": y, "x": {"field": "lo", "type": "quantitative"}, "x2": {"field": "hi"}}},
    ]))


def distribution_spec(view: dict[str, Any], objective: str | None = None) -> dict[str, Any]:
    """Box plots of one objective across the states of the world, one box per candidate (best ranked on top)."""
    name = objective or view["objectives"][0]["name"]
    rows = [{"candidate": d["candidate"], "value": d[name]} for d in view["distribution"]]
    rules = []
    for t in view["thresholds"]:
        out, _, num = t.partition("<=") if "<=" in t else t.partition(">=") if ">=" in t else t.partition("<") if "<" in t \
            else t.partition(">")
        if out == name:
            rules.append({"threshold": float(num), "label": t})
    y = {"field": "candidate", "type": "nominal", "sort": [r["label"] for r in view["ranking"]], "title": None,
         "axis": {"labelLimit": 260}}
    layers: list[dict[str, Any]] = [{"data": {"values": rows}, "mark": {"type": "boxplot", "extent": 1.5, "size": 14},
                                     "encoding": {"y": y, "x": {"field": "value", "type": "quantitative", "title": name},
                                                  "color": {"value": "#8c6d4f"}}}]
    if rules:
        layers.append({"data": {"values": rules}, "mark": {"type": "rule", "color": "#b2182b", "strokeDash": [4, 3]},
                       "encoding": {"x": {"field": "threshold", "type": "quantitative"},
                                    "tooltip": [{"field": "label", "title": "threshold"}]}})
    return _clean(_base(f"{name} across {view['worlds']} states of the world (mean over {view['seeds']} seeds)",
                        width=WIDTH - 200, layer=layers))


def paired_spec(paired: dict[str, Any], top: int = 20) -> dict[str, Any]:
    """Forest plot of candidate − baseline with bootstrap 95% CIs, scaled by the baseline's level."""
    rows = []
    for r in paired["rows"]:
        scale = abs(r["baseline"]) or 1.0
        rows.append({"outcome": r["outcome"], "rel": r["diff"] / scale, "lo": r["ci_low"] / scale,
                     "hi": r["ci_high"] / scale, "diff": r["diff"], "baseline": r["baseline"],
                     "candidate": r["candidate"], "lower": r["share_worlds_lower"],
                     "sig": "CI excludes 0" if r["ci_low"] > 0 or r["ci_high"] < 0 else "CI covers 0"})
    rows.sort(key=lambda d: -abs(d["rel"] or 0))
    rows = rows[:top]
    y = {"field": "outcome", "type": "nominal", "sort": [d["outcome"] for d in rows], "title": None}
    return _clean(_base(f"{paired['candidate']} − {paired['baseline']}: paired over {paired['pairs']} "
                        "(world, seed) pairs, relative to the baseline", width=WIDTH - 180, data={"values": rows},
                        layer=[
        {"mark": {"type": "rule", "color": "#666"}, "encoding": {"y": y, "x": {"field": "lo", "type": "quantitative",
                                                                               "axis": {"format": "+%"},
                                                                               "title": "difference / baseline mean"},
                                                                  "x2": {"field": "hi"}}},
        {"mark": {"type": "point", "filled": True, "size": 60},
         "encoding": {"y": y, "x": {"field": "rel", "type": "quantitative"},
                      "color": {"field": "sig", "type": "nominal", "title": None,
                                "scale": {"domain": ["CI excludes 0", "CI covers 0"], "range": ["#b2182b", "#9e9e9e"]}},
                      "tooltip": [{"field": "outcome"}, {"field": "baseline", "format": ".4~g"},
                                  {"field": "candidate", "format": ".4~g"}, {"field": "diff", "format": ".4~g"},
                                  {"field": "lower", "format": ".0%", "title": "worlds where the candidate is lower"}]}},
        {"data": {"values": [{"zero": 0}]}, "mark": {"type": "rule", "strokeDash": [3, 3], "color": "#333"},
         "encoding": {"x": {"field": "zero", "type": "quantitative"}}},
    ]))


def decide_charts(view: dict[str, Any]) -> dict[str, Any]:
    """Every chart of the Decide page for one view (``None`` where a chart does not apply)."""
    return {"parallel": parallel_spec(view), "pareto": pareto_spec(view), "satisficing": satisficing_spec(view),
            "distribution": {o["name"]: distribution_spec(view, o["name"]) for o in view["objectives"]}}

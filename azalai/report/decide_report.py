"""The Decide page as a self-contained HTML briefing: ``azalai report --robust ROBUST_ID``.

The charts are the dashboard's: the same Vega-Lite specifications (:mod:`azalai.report.decide_charts`)
drawn by the same script (``app/static/vlrender.js``) with the vendored Vega libraries, all inlined in the
file, so the report opens offline and fetches nothing.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Sequence

from azalai.report.decide_charts import decide_charts, paired_spec

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"
VENDOR_SCRIPTS = ("vega.min.js", "vega-interpreter.min.js", "vega-lite.min.js", "vega-embed.min.js")

CSS = """
body{font-family:system-ui,'DejaVu Sans',sans-serif;max-width:1100px;margin:20px auto;color:#222;padding:0 16px}
h1{color:#5b3a1e} h2{color:#5b3a1e;border-bottom:1px solid #ddd;padding-bottom:3px;margin-top:28px}
table{border-collapse:collapse;font-size:12px;margin:8px 0} th,td{border-bottom:1px solid #eee;padding:3px 7px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums} th{background:#faf7f2} .note{color:#666;font-size:13px}
.chart{margin:10px 0} li{margin:4px 0}
#vg-tooltip-element{position:fixed;z-index:20;max-width:360px;padding:6px 8px;background:#fff;border:1px solid #bbb;
border-radius:4px;font-size:12px;pointer-events:none;visibility:hidden} #vg-tooltip-element.visible{visibility:visible}
"""


def _e(s: Any) -> str:
    return html.escape(str(s), quote=True)


def _f(x: float) -> str:
    a = abs(x)
    return f"{x:,.0f}" if a >= 1000 else f"{x:.1f}" if a >= 10 else f"{x:.3g}"


def _script_json(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False, default=float).replace("</", "<\\/")


def _table(view: dict[str, Any]) -> str:
    objs = [o["name"] for o in view["objectives"]]
    head = ["rank", "candidate"] + (["satisficing [95% CI]"] if view["thresholds"] else [])
    for o in objs:
        head += [f"{o} mean [95% CI]", f"{o} regret p90 [95% CI]", f"{o} regret max", f"{o} q10 / q50 / q90"]
    head.append("Pareto")
    rows = []
    for r in view["ranking"]:
        cells = [f"<td class=num>{r['rank']}</td>", f"<td>{_e(r['label'])}{' (baseline)' if r['baseline'] else ''}</td>"]
        if view["thresholds"]:
            lo, hi = r["satisficing_ci"]
            cells.append(f"<td class=num>{r['satisficing']:.0%} [{lo:.0%}, {hi:.0%}]</td>")
        for o in objs:
            m = r["objectives"][o]
            cells += [f"<td class=num>{_f(m['mean'])} [{_f(m['mean_ci'][0])}, {_f(m['mean_ci'][1])}]</td>",
                      f"<td class=num>{_f(m['regret_p90'])} [{_f(m['regret_p90_ci'][0])}, {_f(m['regret_p90_ci'][1])}]</td>",
                      f"<td class=num>{_f(m['regret_max'])}</td>",
                      f"<td class=num>{_f(m['q10'])} / {_f(m['q50'])} / {_f(m['q90'])}</td>"]
        cells.append(f"<td>{'yes' if r['pareto'] else ''}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ("<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>" +
            "".join(rows) + "</tbody></table>")


def render_decide_html(view: dict[str, Any], paired: Sequence[dict[str, Any]] = ()) -> str:
    """The HTML document (a string) for a decision view and paired comparisons with the baseline."""
    charts = decide_charts(view)
    specs: dict[str, Any] = {"parallel": charts["parallel"], "pareto": charts["pareto"],
                             "satisficing": charts["satisficing"]}
    for o in view["objectives"]:
        specs[f"dist-{o['name']}"] = charts["distribution"][o["name"]]
    for i, p in enumerate(paired):
        specs[f"paired-{i}"] = paired_spec(p)
    divs = {k: f'<div class="chart" id="chart-{_e(k)}"></div>' for k in specs}
    vendor = "\n".join(f"<script>{(STATIC / 'vendor' / n).read_text(encoding='utf-8')}</script>" for n in VENDOR_SCRIPTS)
    render = (STATIC / "vlrender.js").read_text(encoding="utf-8")
    fails = "".join(f"<li>{_e(f['text'])}</li>" for f in view["failures"])
    pair_html = []
    for i, p in enumerate(paired):
        rows = sorted(p["rows"], key=lambda r: -abs(r["diff"] / (abs(r["baseline"]) or 1.0)))[:15]
        pair_html.append(
            f"<h3>{_e(p['candidate'])} against {_e(p['baseline'])}</h3>{divs[f'paired-{i}']}<table><thead><tr>"
            "<th>outcome</th><th>baseline</th><th>candidate</th><th>difference</th><th>95% CI</th>"
            "<th>worlds where lower</th></tr></thead><tbody>" +
            "".join(f"<tr><td>{_e(r['outcome'])}</td><td class=num>{_f(r['baseline'])}</td><td class=num>"
                    f"{_f(r['candidate'])}</td><td class=num>{_f(r['diff'])}</td><td class=num>[{_f(r['ci_low'])}, "
                    f"{_f(r['ci_high'])}]</td><td class=num>{r['share_worlds_lower']:.0%}</td></tr>" for r in rows) +
            "</tbody></table>")
    objs = ", ".join(f"{o['name']} ({'lower' if o['sense'] == 'min' else 'higher'} is better)" for o in view["objectives"])
    dist = "".join(divs[f"dist-{o['name']}"] for o in view["objectives"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>azalai: robust decision {_e(view['robust_id'] or '')}</title>
<style>{CSS}</style></head><body>
<h1>Which policy holds up across what we do not know?</h1>
<p>{view['candidates']} candidate policies, each run in the same {view['worlds']} states of the world
(uncertainty: {_e(', '.join(view['sources'] or []))}) with the same {view['seeds']} seeds, {view['days']} days.
Objectives: {_e(objs)}. {('Thresholds: ' + _e(', '.join(view['thresholds'])) + '.') if view['thresholds'] else ''}
Run <code>{_e(view['robust_id'] or '(in memory)')}</code>.</p>
<h2>Candidates, best first</h2>{_table(view)}
<p class="note">Mean, 90th-percentile regret (how much worse than the best candidate of the same world) and satisficing
share, with bootstrap 95% CIs over the states of the world. Ordered by satisficing share when thresholds are given,
then by the largest 90th-percentile regret relative to each objective's spread. Pareto: not dominated on the
{_e(view['pareto_metric'])} of the objectives ({_e(', '.join(view['pareto']))}).</p>
<h2>Trade-offs</h2>{divs['parallel']}{divs['pareto']}
<h2>Satisficing and distributions</h2>{divs['satisficing']}{dist}
<h2>Where the leading candidates fail</h2><p class="note">A failure: the candidate {_e(view['failure_rule'])}.
Boxes found by PRIM over the states of the world.</p><ul>{fails}</ul>
<h2>Paired comparisons with the baseline</h2>{''.join(pair_html) or '<p class="note">none</p>'}
<p class="note">Method and how to read this page: docs/decisions.md.</p>
{vendor}
<script>{render}</script>
<script id="specs" type="application/json">{_script_json(specs)}</script>
<script>
"use strict";
const SPECS = JSON.parse(document.getElementById("specs").textContent);
Promise.all(Object.keys(SPECS).map(k => VL.render(document.getElementById("chart-" + k), SPECS[k])))
  .then(() => {{ document.body.dataset.ready = "1"; }});
</script>
</body></html>
"""


def decide_report(robust_id: str, store: str | None = None, objectives: str | None = None,
                  satisfice: str | None = None, pareto_on: str = "mean", baseline: str | None = None,
                  leaders: int = 3, out_dir: str | Path | None = None) -> Path:
    """Write ``report.html`` for a stored robust run (with paired comparisons of the leaders with the baseline)."""
    from azalai.analysis.decide import DEFAULT_OBJECTIVES, analyse, paired_with_baseline
    from azalai.analysis.robustness import parse_objectives, parse_satisfice
    from azalai.experiment.robust import load_robust
    from azalai.experiment.store import open_store

    con = open_store(store, read_only=True)
    try:
        data = load_robust(con, robust_id)
    finally:
        con.close()
    known = sorted(set(data.frame["outcome"].unique()))
    view = analyse(data, parse_objectives(objectives or DEFAULT_OBJECTIVES, known), parse_satisfice(satisfice, known),
                   leaders=leaders, pareto_metric=pareto_on, baseline=baseline)
    from azalai.model.outcomes import shown_outcomes

    keep = [o["name"] for o in view["objectives"]] + [t.outcome for t in parse_satisfice(satisfice, known)]
    keep += shown_outcomes()
    paired = [paired_with_baseline(data, r["label"], view["baseline"], outcomes=keep)
              for r in view["ranking"][:max(1, leaders)] if not r["baseline"]]
    out = Path(out_dir) if out_dir else Path("reports") / robust_id
    out.mkdir(parents=True, exist_ok=True)
    p = out / "report.html"
    p.write_text(render_decide_html(view, paired), encoding="utf-8")
    (out / "decision.json").write_text(json.dumps(view, indent=1, default=float), encoding="utf-8")
    return p

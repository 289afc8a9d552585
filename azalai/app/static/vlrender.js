/* Render a Vega-Lite specification built in Python (azalai/report/decide_charts.py) with the vendored
   Vega, Vega-Lite and vega-embed. Shared by the dashboard and the HTML report. Expressions are evaluated
   by vega-interpreter (no eval, so the pages keep a strict Content-Security-Policy) and vega-embed adds
   no style element of its own. */
"use strict";
const VL = {
  options: () => ({ actions: false, renderer: "svg", ast: true, expr: vega.expressionInterpreter,
                    defaultStyle: false, tooltip: { disableDefaultStyle: true } }),
  render(el, spec) {
    if (!spec) { el.replaceChildren(); const p = document.createElement("p"); p.className = "note";
                 p.textContent = "(not applicable)"; el.appendChild(p); return Promise.resolve(null); }
    if (el._vlView) { try { el._vlView.finalize(); } catch (e) { /* already gone */ } }
    return vegaEmbed(el, spec, VL.options()).then(res => { el._vlView = res.view; return res.view; });
  },
};

/* azalai dashboard: the Decide page (robust decisions across states of the world). Reads stored robust
   runs; every chart is a Vega-Lite specification sent by the server and drawn by VL.render. */
"use strict";
(() => {
  const $ = id => document.getElementById(id);
  const st = { runs: [], view: null, loaded: false };

  function showError(msg) { $("error-text").textContent = msg; $("error").classList.remove("hidden"); }
  async function get(path) {
    let resp;
    try { resp = await fetch(path); } catch (e) { throw new Error("cannot reach the server: " + e.message); }
    let body = null;
    try { body = await resp.json(); } catch (e) { body = null; }
    if (!resp.ok) throw new Error((body && body.error) || `request failed (${resp.status})`);
    return body;
  }
  const fmt = v => (v === null || v === undefined) ? "" : (typeof v !== "number") ? String(v) :
    Math.abs(v) >= 1000 ? v.toLocaleString("en", { maximumFractionDigits: 0 }) :
    Math.abs(v) >= 10 ? v.toFixed(1) : Number(v.toPrecision(3)).toString();
  const pct = v => (100 * v).toFixed(0) + "%";
  function table(tbl, headers, rows, onclick) {
    tbl.replaceChildren();
    const tr = tbl.createTHead().insertRow();
    headers.forEach(h => { const th = document.createElement("th"); th.textContent = h; tr.appendChild(th); });
    const tb = tbl.createTBody();
    rows.forEach((r, i) => {
      const row = tb.insertRow();
      r.forEach(v => { const td = row.insertCell(); td.textContent = v; if (/^[-+0-9.,%\[\] ]+$/.test(v)) td.className = "num"; });
      if (onclick) row.addEventListener("click", () => onclick(i));
    });
  }

  async function loadRuns() {
    st.runs = (await get("/api/robust")).runs;
    const sel = $("dec-run");
    sel.replaceChildren();
    st.runs.forEach(r => {
      const o = document.createElement("option"); o.value = r.robust_id;
      o.textContent = `${r.robust_id} — ${r.candidates} candidates × ${r.worlds} worlds × ${r.seeds} seeds (${r.status})`;
      sel.appendChild(o);
    });
    $("dec-empty").classList.toggle("hidden", st.runs.length > 0);
    $("dec-form").classList.toggle("hidden", st.runs.length === 0);
  }

  async function draw() {
    const rid = $("dec-run").value;
    if (!rid) return;
    const q = new URLSearchParams({ objectives: $("dec-objectives").value, satisfice: $("dec-satisfice").value,
                                    pareto_on: $("dec-pareto-on").value });
    $("tab-decide").dataset.ready = "0";
    // A newer draw (another run chosen, Apply pressed) may start while this one waits for the server:
    // only the newest draws, so a slower, older answer never overwrites a newer one.
    const token = st.drawToken = (st.drawToken || 0) + 1;
    const v = await get(`/api/robust/${encodeURIComponent(rid)}?` + q.toString());
    if (token !== st.drawToken) return;
    st.view = v;
    $("dec-info").textContent = `${v.candidates} candidates, ${v.worlds} states of the world (${(v.sources || []).join(", ")}), ` +
      `${v.seeds} common seeds, ${v.days} days. Baseline: ${v.baseline}. Pareto front (${v.pareto_metric}): ${v.pareto.join(", ")}.`;
    const objs = v.objectives.map(o => o.name);
    const head = ["rank", "candidate"].concat(v.thresholds.length ? ["satisficing [95% CI]"] : [])
      .concat(...objs.map(o => [`${o} mean [95% CI]`, `${o} regret p90 [95% CI]`, `${o} regret max`])).concat(["Pareto"]);
    const rows = v.ranking.map(r => [String(r.rank), r.label + (r.baseline ? " (baseline)" : "")]
      .concat(v.thresholds.length ? [`${pct(r.satisficing)} [${pct(r.satisficing_ci[0])}, ${pct(r.satisficing_ci[1])}]`] : [])
      .concat(...objs.map(o => { const m = r.objectives[o];
        return [`${fmt(m.mean)} [${fmt(m.mean_ci[0])}, ${fmt(m.mean_ci[1])}]`,
                `${fmt(m.regret_p90)} [${fmt(m.regret_p90_ci[0])}, ${fmt(m.regret_p90_ci[1])}]`, fmt(m.regret_max)]; }))
      .concat([r.pareto ? "yes" : ""]));
    table($("dec-table"), head, rows, i => paired(v.ranking[i].label));
    $("dec-body").classList.remove("hidden");
    const ds = $("dec-dist-obj"), cur = ds.value;
    ds.replaceChildren();
    objs.forEach(o => { const op = document.createElement("option"); op.value = o; op.textContent = o; ds.appendChild(op); });
    if (objs.includes(cur)) ds.value = cur;
    const ul = $("dec-failures"); ul.replaceChildren();
    v.failures.forEach(f => { const li = document.createElement("li"); li.textContent = f.text; ul.appendChild(li); });
    await Promise.all([VL.render($("dec-parallel"), v.charts.parallel), VL.render($("dec-pareto"), v.charts.pareto),
                       VL.render($("dec-satisficing"), v.charts.satisficing), drawDistribution()]);
    $("dec-paired-card").classList.add("hidden");
    $("tab-decide").dataset.ready = "1";
  }
  function drawDistribution() {
    if (!st.view) return Promise.resolve();
    return VL.render($("dec-distribution"), st.view.charts.distribution[$("dec-dist-obj").value]);
  }

  async function paired(label) {
    const rid = $("dec-run").value;
    if (st.view && label === st.view.baseline) {
      $("dec-paired-title").textContent = `${label} is the baseline: pick another candidate to compare with it`;
      $("dec-paired-card").classList.remove("hidden");
      $("dec-paired").replaceChildren(); $("dec-paired-table").replaceChildren();
      return;
    }
    const q = new URLSearchParams({ candidate: label });
    if (st.view) { q.set("baseline", st.view.baseline); q.set("outcomes", st.view.objectives.map(o => o.name).join(",")); }
    const p = await get(`/api/robust/${encodeURIComponent(rid)}/paired?` + q.toString());
    $("dec-paired-title").textContent = `${p.candidate} against ${p.baseline}: the same ${p.pairs} (world, seed) pairs`;
    $("dec-paired-card").classList.remove("hidden");
    await VL.render($("dec-paired"), p.chart);
    const rows = p.rows.slice().sort((a, b) => Math.abs(b.diff / (Math.abs(b.baseline) || 1)) - Math.abs(a.diff / (Math.abs(a.baseline) || 1)));
    table($("dec-paired-table"), ["outcome", p.baseline, p.candidate, "difference", "95% CI", "worlds where lower"],
          rows.map(r => [r.outcome, fmt(r.baseline), fmt(r.candidate), fmt(r.diff), `[${fmt(r.ci_low)}, ${fmt(r.ci_high)}]`,
                         pct(r.share_worlds_lower)]));
    $("dec-paired-card").dataset.candidate = p.candidate;
    $("dec-paired-card").scrollIntoView({ block: "nearest" });
  }

  const guard = fn => (...a) => Promise.resolve(fn(...a)).catch(e => { showError(e.message); $("tab-decide").dataset.ready = "error"; });
  async function open() {
    if (!st.loaded) { st.loaded = true; await loadRuns(); }
    if (st.runs.length && !st.view) await draw();
    if (!st.runs.length) $("tab-decide").dataset.ready = "1";
  }
  $("tab-btn-decide").addEventListener("click", guard(open));
  $("dec-form").addEventListener("submit", guard(ev => { ev.preventDefault(); return draw(); }));
  $("dec-run").addEventListener("change", guard(draw));
  $("dec-dist-obj").addEventListener("change", guard(drawDistribution));
  if ((location.hash || "") === "#decide") guard(open)();
})();

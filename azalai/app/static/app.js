/* azalai dashboard: tabs, API calls, job polling, and the pages. Only talks to its own server. */
"use strict";
(() => {
  const $ = id => document.getElementById(id);
  const state = { options: null, scenarios: {}, runs: [], results: null, events: null, runId: null, actorColour: {} };
  const C = Charts;

  // ------------------------------------------------------------------ helpers
  function showError(msg) { $("error-text").textContent = msg; $("error").classList.remove("hidden"); }
  function clearError() { $("error").classList.add("hidden"); }
  $("error-close").addEventListener("click", clearError);

  async function api(path, opts) {
    let resp;
    try {
      resp = await fetch(path, Object.assign({ headers: { "Content-Type": "application/json" } }, opts || {}));
    } catch (e) { throw new Error("cannot reach the server: " + e.message); }
    let body = null;
    try { body = await resp.json(); } catch (e) { body = null; }
    if (!resp.ok) throw new Error((body && body.error) || `request failed (${resp.status})`);
    return body;
  }
  function guard(fn) { return (...a) => Promise.resolve(fn(...a)).catch(e => showError(e.message)); }
  function option(sel, value, label) { const o = document.createElement("option"); o.value = value; o.textContent = label || value; sel.appendChild(o); return o; }
  function fillSelect(sel, items, keep) {
    const cur = sel.value;
    while (sel.options.length > (keep || 0)) sel.remove(sel.options.length - 1);
    items.forEach(([v, l]) => option(sel, v, l));
    if ([...sel.options].some(o => o.value === cur)) sel.value = cur;
  }
  function table(tbl, headers, rows, onclick) {
    tbl.replaceChildren();
    const thead = tbl.createTHead(), tr = thead.insertRow();
    headers.forEach(h => { const th = document.createElement("th"); th.textContent = h; tr.appendChild(th); });
    const tb = tbl.createTBody();
    rows.forEach((r, i) => {
      const row = tb.insertRow();
      r.forEach(v => {
        const td = row.insertCell();
        if (v instanceof Node) td.appendChild(v);
        else { td.textContent = (typeof v === "number") ? C.fmt(v) : (v === null || v === undefined ? "" : String(v)); if (typeof v === "number") td.className = "num"; }
      });
      if (onclick) row.addEventListener("click", () => onclick(i));
    });
  }
  function actorColour(id) {
    if (!(id in state.actorColour)) state.actorColour[id] = C.PALETTE[Object.keys(state.actorColour).length % C.PALETTE.length];
    return state.actorColour[id];
  }

  // ------------------------------------------------------------------ tabs
  function showTab(name) {
    document.querySelectorAll("nav button").forEach(b => b.classList.toggle("active", b.dataset.tab === name));
    document.querySelectorAll("section.tab").forEach(s => s.classList.toggle("hidden", s.id !== "tab-" + name));
    location.hash = name;
  }
  document.querySelectorAll("nav button").forEach(b => b.addEventListener("click", () => showTab(b.dataset.tab)));

  // ------------------------------------------------------------------ scenario page
  async function scenario(name) {
    if (!state.scenarios[name]) state.scenarios[name] = await api("/api/scenarios/" + encodeURIComponent(name));
    const sc = state.scenarios[name];
    sc.actors.forEach(a => actorColour(a.id));
    return sc;
  }

  async function drawScenario() {
    const sc = await scenario($("sc-select").value);
    const runId = $("sc-run").value;
    let res = null;
    if (runId) res = await api("/api/runs/" + encodeURIComponent(runId));
    const actorIds = sc.actors.map(a => a.id);
    const actorName = Object.fromEntries(sc.actors.map(a => [a.id, a.name]));
    let who;
    if (res && res.protectors && Object.keys(res.protectors).length) {
      who = p => { const i = res.protectors[p.id]; return i >= 0 && i < actorIds.length ? actorIds[i] : null; };
    } else {
      who = p => sc.presence[p.id] || null;
    }
    const flows = res ? res.flows || {} : {};
    const maxFlow = Math.max(0, ...Object.values(flows));
    const fkey = r => `${r.from}|${r.to}`;
    C.geoMap($("sc-map"), sc, {
      placeColour: p => { const a = who(p); return a ? actorColour(a) : "#dddddd"; },
      placeInfo: p => { const a = who(p); return (res ? "protector " : "largest presence ") + (a ? actorName[a] : "none"); },
      routeWidth: r => maxFlow > 0 ? 0.6 + 7 * (flows[fkey(r)] || 0) / maxFlow : 1.2,
      routeColour: r => maxFlow > 0 && flows[fkey(r)] > 0 ? "#b2182b" : "#b59b74",
      routeInfo: r => maxFlow > 0 ? "flow value USD " + C.fmt(flows[fkey(r)] || 0) : `${r.length_km} km, ${r.terrain}`,
    });
    const shown = [...new Set(sc.places.map(who).filter(Boolean))];
    const lg = $("sc-map-legend"); lg.replaceChildren();
    const head = document.createElement("span"); head.textContent = (res ? "Protector at the end of the run (routes: width by trafficking flow)" : "Largest armed presence") + ": ";
    lg.appendChild(head);
    shown.forEach(a => {
      const it = document.createElement("span"); it.className = "item";
      const sw = document.createElement("span"); sw.className = "sw"; sw.style.background = actorColour(a);
      it.appendChild(sw); it.appendChild(document.createTextNode(actorName[a] || a)); lg.appendChild(it);
    });
    const outline = document.createElement("div");
    outline.textContent = sc.outline.kind === "boundaries" ? "Border from the configured boundaries file." : "Dashed outline: hull of the scenario's places (configure --boundaries for Mali's border).";
    lg.appendChild(outline);
    C.network($("sc-network"), sc.actors.map(a => ({ id: a.id, name: a.name, label: a.id, size: a.fighters, colour: actorColour(a.id) })), sc.relations, { minStrength: 0.2 });
    table($("sc-accords"), ["accord", "date", "signatories", "ceasefire", "DDR", "interim authorities", "business provisions"],
      sc.accords.map(a => [a.name, a.date, a.signatories.join(", "), a.ceasefire ? "yes" : "no", a.ddr ? "yes" : "no",
        Object.entries(a.interim_authorities).map(([k, v]) => `${k} ${v}`).join(", "),
        a.business.map(b => `${b.actor}: ${b.places.join(", ")}`).join("; ")]));
  }

  // ------------------------------------------------------------------ run page
  async function loadRuns() {
    const r = await api("/api/runs?limit=100");
    state.runs = r.runs;
    const label = x => `${x.run_id} · ${x.policy} · n=${x.n} · ${x.days} d · ${x.status}`;
    const done = state.runs.filter(x => x.status === "done");
    fillSelect($("sc-run"), done.map(x => [x.run_id, label(x)]), 1);
    fillSelect($("res-run"), done.map(x => [x.run_id, label(x)]), 0);
    table($("runs-table"), ["run", "created", "kind", "scenario", "policy", "seed", "n", "days", "status", ""],
      state.runs.map(x => {
        const b = document.createElement("button"); b.textContent = "open"; b.disabled = x.status !== "done";
        b.className = "open-run";
        b.addEventListener("click", guard(() => openRun(x.run_id)));
        return [x.run_id, String(x.created).slice(0, 19), x.kind, x.scenario, x.policy, String(x.seed), String(x.n), String(x.days), x.status, b];
      }));
  }

  function leverInputs() {
    const box = $("run-levers"); box.replaceChildren();
    state.options.levers.forEach(lv => {
      const l = document.createElement("label");
      l.textContent = `${lv.name} (${lv.low}–${lv.high})`;
      l.title = `${lv.description} [${lv.unit}]`;
      const inp = document.createElement("input");
      inp.type = "number"; inp.min = lv.low; inp.max = lv.high; inp.step = lv.integer ? 1 : 0.05; inp.dataset.lever = lv.name;
      inp.placeholder = "policy value";
      l.appendChild(inp); box.appendChild(l);
    });
  }
  function updateLeverPlaceholders() {
    const pol = state.options.policies.find(p => p.id === $("run-policy").value);
    document.querySelectorAll("#run-levers input").forEach(inp => {
      const v = pol && pol.levers[inp.dataset.lever];
      inp.placeholder = v === undefined ? "policy value" : String(v);
    });
  }

  async function poll(jobId, bar, msg) {
    for (;;) {
      const j = await api("/api/jobs/" + encodeURIComponent(jobId));
      bar.style.width = Math.round(100 * j.progress) + "%";
      msg.textContent = `${j.status}: ${j.message} (${Math.round(100 * j.progress)}%)`;
      if (j.status === "done") return j;
      if (j.status === "failed") throw new Error(j.error || "the run failed");
      await new Promise(r => setTimeout(r, 400));
    }
  }

  async function submitRun(ev) {
    ev.preventDefault(); clearError();
    const levers = {};
    document.querySelectorAll("#run-levers input").forEach(inp => { if (inp.value !== "") levers[inp.dataset.lever] = Number(inp.value); });
    const body = { scenario: $("run-scenario").value, policy: $("run-policy").value, seed: Number($("run-seed").value),
      n: Number($("run-n").value), days: Number($("run-days").value), levers };
    $("run-submit").disabled = true;
    $("run-progress").classList.remove("hidden");
    $("run-bar").style.width = "0";
    try {
      const job = await api("/api/runs", { method: "POST", body: JSON.stringify(body) });
      const j = await poll(job.job_id, $("run-bar"), $("run-msg"));
      await loadRuns();
      await openRun(j.run_id);
    } finally { $("run-submit").disabled = false; }
  }

  // ------------------------------------------------------------------ results page
  async function openRun(runId) {
    showTab("results");
    $("res-run").value = runId;
    await drawResults(runId);
  }

  const TYPE_COLOURS = { "Battles": "#d62728", "Violence against civilians": "#9467bd", "Explosions/Remote violence": "#ff7f0e",
    "Protests": "#1f77b4", "Riots": "#17becf", "Strategic developments": "#7f7f7f" };

  async function drawResults(runId) {
    if (!runId) return;
    const res = await api("/api/runs/" + encodeURIComponent(runId));
    const evs = await api(`/api/runs/${encodeURIComponent(runId)}/events`);
    state.results = res; state.events = evs; state.runId = runId;
    $("res-empty").classList.add("hidden"); $("res-body").classList.remove("hidden");
    const r = res.run;
    $("res-info").textContent = `${r.scenario} · policy ${r.policy} · ${res.n} replicate(s) from seed ${r.seed} · ${r.days} days` +
      (res.n > 1 ? " · bands: 5–95% across replicates; maps and series: first replicate" : "");
    const ens = res.n > 1;
    const KEYS = res.shown_outcomes;  // declared in azalai/model/outcomes.yaml
    table($("res-outcomes"), ens ? ["outcome", "median", "5%", "95%", "mean"] : ["outcome", "value"],
      KEYS.filter(k => res.outcomes[k]).map(k => { const o = res.outcomes[k]; return ens ? [k, o.median, o.lo, o.hi, o.mean] : [k, o.mean]; }));
    table($("res-levers"), ["lever", "value", "default"], res.levers.map(l => {
      const n = document.createElement("span"); n.textContent = l.name; n.title = l.description; if (l.changed) n.className = "sig";
      return [n, l.value, l.default];
    }));
    const band = (f, top) => ({ labels: f.months, series: f.series.slice(0, top).map(s => ({ name: s.name, values: s.median, lo: ens ? s.lo : null, hi: ens ? s.hi : null, color: TYPE_COLOURS[s.name] })), yLabel: "fatalities / month" });
    C.lineChart($("res-fat-region"), band(res.fatalities_by_region, 8));
    C.lineChart($("res-fat-type"), band(res.fatalities_by_type, 8));
    C.stackedBars($("res-revenue"), res.revenue.slice(0, 14).map(x => ({ label: x.actor, parts: x.sources })), { empty: "no revenue recorded" });
    C.lineChart($("res-tension"), { labels: (res.tension.weeks || []).map(d => String(d).slice(0, 7)), series: res.tension.series, yLabel: "tension index", empty: "no accord tension recorded" });
    C.heatmap($("res-support"), res.support, { empty: "no support series" });
    C.heatmap($("res-grievance"), res.grievance, { empty: "no grievance series" });
    // events
    const types = [...new Set(evs.rows.map(x => x[3]))].sort();
    const regions = [...new Set(evs.rows.map(x => x[7]))].sort();
    fillSelect($("ev-type"), types.map(t => [t, t]), 1);
    fillSelect($("ev-region"), regions.map(t => [t, t]), 1);
    $("ev-slider").max = r.days; $("ev-slider").value = r.days;
    drawEventMap(); drawEventTable();
  }

  const COL = { id: 0, date: 1, day: 2, type: 3, sub: 4, a1: 5, a2: 6, admin1: 7, loc: 8, lat: 9, lon: 10, fat: 11, mech: 12 };
  function jitter(id) { let h = 0; for (const c of String(id)) h = (h * 31 + c.charCodeAt(0)) | 0; return [((h & 255) / 255 - 0.5) * 14, (((h >> 8) & 255) / 255 - 0.5) * 14]; }

  async function drawEventMap() {
    if (!state.results) return;
    const sc = await scenario(state.results.run.scenario);
    const day = Number($("ev-slider").value);
    $("ev-day").textContent = `day ${day}` + (sc.start ? ` (${new Date(Date.parse(sc.start) + day * 864e5).toISOString().slice(0, 10)}); events of the last 90 days are solid` : "");
    const dots = state.events.rows.filter(x => x[COL.day] <= day).map(x => {
      const [jx, jy] = jitter(x[COL.id]);
      return { lat: x[COL.lat], lon: x[COL.lon], jx, jy, r: 2.5 + 2 * Math.sqrt(x[COL.fat] || 0), colour: TYPE_COLOURS[x[COL.type]] || "#444",
        opacity: day - x[COL.day] <= 90 ? 0.75 : 0.15, label: `${x[COL.date]} ${x[COL.sub]} at ${x[COL.loc]}: ${x[COL.fat]} killed (click for cause chain)`,
        onclick: guard(() => showEvent(x[COL.id])) };
    });
    C.geoMap($("res-evmap"), sc, { dots, placeColour: () => "#eeeeee", routeWidth: () => 0.8, routeColour: () => "#d5c6ad" });
  }

  function drawEventTable() {
    if (!state.events) return;
    const t = $("ev-type").value, g = $("ev-region").value, q = $("ev-search").value.trim().toLowerCase();
    const rows = state.events.rows.filter(x => (!t || x[COL.type] === t) && (!g || x[COL.admin1] === g) &&
      (!q || [x[COL.a1], x[COL.a2], x[COL.loc], x[COL.mech], x[COL.sub]].join(" ").toLowerCase().includes(q)));
    const shown = rows.slice(0, 500);
    $("ev-count").textContent = `${rows.length} events` + (rows.length > shown.length ? ` (first ${shown.length} shown)` : "") + ` · replicate seed ${state.events.seed}`;
    table($("ev-table"), ["date", "type", "sub-type", "actor 1", "actor 2", "region", "location", "fatalities", "mechanism"],
      shown.map(x => [x[COL.date], x[COL.type], x[COL.sub], x[COL.a1], x[COL.a2], x[COL.admin1], x[COL.loc], String(x[COL.fat]), x[COL.mech]]),
      i => guard(showEvent)(shown[i][COL.id]));
  }

  async function showEvent(eventId) {
    const e = await api(`/api/runs/${encodeURIComponent(state.runId)}/events/${encodeURIComponent(eventId)}`);
    $("modal-title").textContent = `${e.sub_event_type} at ${e.location}, ${e.event_date}`;
    table($("modal-facts"), ["field", "value"], [["event", e.event_id_cnty], ["type", `${e.event_type} / ${e.sub_event_type}`],
      ["actors", [e.actor1, e.actor2].filter(Boolean).join(" vs ")], ["region", e.admin1], ["fatalities", String(e.fatalities)],
      ["mechanism", e.mechanism], ["day", String(e.day)]]);
    const ol = $("modal-chain"); ol.replaceChildren();
    (e.cause_steps || []).forEach((s, i, a) => { const li = document.createElement("li"); li.textContent = s; if (i === a.length - 1) li.className = "final"; ol.appendChild(li); });
    const ex = e.explanation || [];
    $("modal-expl").textContent = ex.join("\n");
    $("modal-expl-box").classList.toggle("hidden", ex.length === 0);
    table($("modal-links"), ["kind", "index", "value"], (e.cause_links || []).map(l => [l.kind, String(l.index), l.value]));
    $("modal").classList.remove("hidden");
  }
  $("modal-close").addEventListener("click", () => $("modal").classList.add("hidden"));
  $("modal").addEventListener("click", ev => { if (ev.target === $("modal")) $("modal").classList.add("hidden"); });
  document.addEventListener("keydown", ev => { if (ev.key === "Escape") $("modal").classList.add("hidden"); });

  // ------------------------------------------------------------------ compare page
  async function submitCompare(ev) {
    ev.preventDefault(); clearError();
    const body = { scenario: $("cmp-scenario").value, policy_a: $("cmp-a").value, policy_b: $("cmp-b").value,
      n: Number($("cmp-n").value), seed: Number($("cmp-seed").value), days: Number($("cmp-days").value) };
    $("cmp-submit").disabled = true; $("cmp-progress").classList.remove("hidden"); $("cmp-bar").style.width = "0";
    try {
      const job = await api("/api/compare", { method: "POST", body: JSON.stringify(body) });
      const j = await poll(job.job_id, $("cmp-bar"), $("cmp-msg"));
      drawCompare(j.result);
    } finally { $("cmp-submit").disabled = false; }
  }
  function drawCompare(res) {
    $("cmp-body").classList.remove("hidden");
    const ul = $("cmp-expl"); ul.replaceChildren();
    res.explanations.forEach(s => { const li = document.createElement("li"); li.textContent = s; ul.appendChild(li); });
    const rows = res.outcomes.filter(r => !r.outcome.startsWith("revenue_") && !r.outcome.startsWith("alienation_") || r.outcome === "alienation_mean");
    C.forest($("cmp-forest"), rows.slice(0, 30).map(r => ({ name: r.outcome, diff: r.diff, lo: r.ci_lo, hi: r.ci_hi })));
    table($("cmp-table"), ["outcome", `A: ${res.policy_a}`, `B: ${res.policy_b}`, "B − A", "95% CI low", "95% CI high", "clear?"],
      res.outcomes.map(r => [r.outcome, r.mean_a, r.mean_b, r.diff, r.ci_lo, r.ci_hi, r.significant ? "yes" : ""]));
  }

  // ------------------------------------------------------------------ start
  async function init() {
    state.options = await api("/api/options");
    const sc = state.options.scenarios.map(s => [s, s]);
    const pols = state.options.policies.map(p => [p.id, `${p.id} — ${p.name}`]);
    [$("sc-select"), $("run-scenario"), $("cmp-scenario")].forEach(s => fillSelect(s, sc));
    [$("run-policy"), $("cmp-a"), $("cmp-b")].forEach(s => fillSelect(s, pols));
    if (state.options.policies.some(p => p.id === "counter-terrorism")) $("cmp-a").value = "counter-terrorism";
    if (state.options.policies.some(p => p.id === "counter-trafficking")) $("cmp-b").value = "counter-trafficking";
    if (state.options.policies.some(p => p.id === "baseline-2016")) $("run-policy").value = "baseline-2016";
    $("run-n").max = state.options.limits.max_ensemble; $("cmp-n").max = state.options.limits.max_compare;
    $("run-days").max = state.options.limits.max_days; $("cmp-days").max = state.options.limits.max_days;
    leverInputs(); updateLeverPlaceholders();
    $("run-policy").addEventListener("change", updateLeverPlaceholders);
    $("sc-select").addEventListener("change", guard(drawScenario));
    $("sc-run").addEventListener("change", guard(drawScenario));
    $("res-run").addEventListener("change", guard(() => drawResults($("res-run").value)));
    $("run-form").addEventListener("submit", guard(submitRun));
    $("cmp-form").addEventListener("submit", guard(submitCompare));
    $("ev-slider").addEventListener("input", guard(drawEventMap));
    ["ev-type", "ev-region"].forEach(id => $(id).addEventListener("change", drawEventTable));
    $("ev-search").addEventListener("input", drawEventTable);
    await loadRuns();
    await drawScenario();
    const want = (location.hash || "").slice(1);
    if (["scenario", "run", "results", "compare", "decide"].includes(want)) showTab(want);
    if ($("res-run").value) await drawResults($("res-run").value);
    document.body.dataset.ready = "1";
  }
  guard(init)();
})();

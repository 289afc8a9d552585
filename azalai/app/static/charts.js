/* A tiny SVG charting helper: line charts with bands, horizontal stacked bars, heatmaps, maps,
   networks and forest plots. No dependencies; everything drawn as inline SVG. */
"use strict";
const Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"];

  function el(tag, attrs, parent) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, s, attrs) {
    const t = el("text", Object.assign({ x, y, "font-size": 11 }, attrs || {}), parent);
    t.textContent = s;
    return t;
  }
  function title(node, s) { const t = el("title", {}, node); t.textContent = s; return node; }
  function svg(target, w, h) {
    target.replaceChildren();
    const s = el("svg", { viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: "img" }, target);
    s.style.maxWidth = w + "px";
    return s;
  }
  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return "n/a";
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(1) + "G";
    if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
    if (a >= 100) return v.toFixed(0);
    if (a >= 1) return v.toFixed(1);
    if (a === 0) return "0";
    return v.toPrecision(2);
  }
  function ticks(lo, hi, n) {
    if (hi <= lo) hi = lo + 1;
    const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(v);
    return out;
  }
  function empty(target, msg) {
    const s = svg(target, 600, 60);
    text(s, 10, 35, msg || "no data", { fill: "#888" });
    return s;
  }
  function legend(s, names, x0, y0, colours, maxw) {
    let x = x0, y = y0;
    names.forEach((n, i) => {
      const w = 18 + n.length * 6.2;
      if (x + w > maxw) { x = x0; y += 14; }
      el("rect", { x, y: y - 8, width: 10, height: 10, fill: colours[i] }, s);
      text(s, x + 13, y + 1, n, { "font-size": 10 });
      x += w;
    });
    return y;
  }

  /* labels: x labels; series: [{name, values, lo?, hi?}] */
  function lineChart(target, opts) {
    const series = (opts.series || []).filter(s => s.values && s.values.length);
    if (!series.length) return empty(target, opts.empty);
    const W = 640, H = opts.height || 300, m = { l: 52, r: 24, t: 22, b: 40 };
    const rows = Math.ceil(series.reduce((a, s) => a + 18 + s.name.length * 6.2, 0) / (W - m.l));
    const Ht = H + rows * 14;
    const s = svg(target, W, Ht);
    const n = opts.labels.length;
    let ymax = 0;
    series.forEach(se => (se.hi || se.values).forEach(v => { if (v > ymax) ymax = v; }));
    if (ymax <= 0) ymax = 1;
    const yt = ticks(0, ymax, 5); ymax = Math.max(ymax, yt[yt.length - 1]);
    const X = i => m.l + (n <= 1 ? 0 : i * (W - m.l - m.r) / (n - 1));
    const Y = v => H - m.b - (v / ymax) * (H - m.t - m.b);
    yt.forEach(v => {
      el("line", { x1: m.l, x2: W - m.r, y1: Y(v), y2: Y(v), stroke: "#eee" }, s);
      text(s, m.l - 4, Y(v) + 4, fmt(v), { "text-anchor": "end", "font-size": 10 });
    });
    const every = Math.max(1, Math.ceil(n / 10));
    opts.labels.forEach((lab, i) => {
      if (i % every === 0) text(s, X(i), H - m.b + 14, String(lab), { "text-anchor": "middle", "font-size": 9 });
    });
    if (opts.yLabel) text(s, m.l, 11, opts.yLabel, { "font-size": 10, fill: "#555" });
    el("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, stroke: "#999" }, s);
    const colours = series.map((se, i) => se.color || PALETTE[i % PALETTE.length]);
    series.forEach((se, k) => {
      if (se.lo && se.hi) {
        let d = se.hi.map((v, i) => `${i ? "L" : "M"}${X(i).toFixed(1)},${Y(v).toFixed(1)}`).join("");
        for (let i = se.lo.length - 1; i >= 0; i--) d += `L${X(i).toFixed(1)},${Y(se.lo[i]).toFixed(1)}`;
        el("path", { d: d + "Z", fill: colours[k], "fill-opacity": 0.15, stroke: "none", class: "band" }, s);
      }
      const d = se.values.map((v, i) => `${i ? "L" : "M"}${X(i).toFixed(1)},${Y(v).toFixed(1)}`).join("");
      title(el("path", { d, fill: "none", stroke: colours[k], "stroke-width": 1.8, class: "line" }, s), se.name);
    });
    legend(s, series.map(x => x.name), m.l, H - 6, colours, W - m.r);
    return s;
  }

  /* rows: [{label, parts: {name: value}}] horizontal stacked bars */
  function stackedBars(target, rows, opts) {
    opts = opts || {};
    if (!rows.length) return empty(target, opts.empty);
    const keys = [...new Set(rows.flatMap(r => Object.keys(r.parts)))];
    const colours = keys.map((k, i) => PALETTE[(i + 3) % PALETTE.length]);
    const bh = 16, m = { l: 120, r: 60, t: 8 }, W = 640;
    const H = m.t + rows.length * (bh + 4) + 40;
    const s = svg(target, W, H);
    const max = Math.max(...rows.map(r => Object.values(r.parts).reduce((a, b) => a + b, 0)), 1);
    rows.forEach((r, i) => {
      const y = m.t + i * (bh + 4);
      text(s, m.l - 4, y + 12, r.label, { "text-anchor": "end", "font-size": 10 });
      let x = m.l, tot = 0;
      keys.forEach((k, j) => {
        const v = r.parts[k] || 0;
        if (v <= 0) return;
        const w = v / max * (W - m.l - m.r);
        title(el("rect", { x, y, width: Math.max(w, 0.5), height: bh, fill: colours[j] }, s), `${r.label} ${k}: ${fmt(v)}`);
        x += w; tot += v;
      });
      text(s, x + 4, y + 12, fmt(tot), { "font-size": 10 });
    });
    legend(s, keys, m.l, H - 14, colours, W - 10);
    return s;
  }

  function heatmap(target, h, opts) {
    opts = opts || {};
    if (!h || !h.rows || !h.rows.length) return empty(target, opts.empty);
    const cw = Math.max(18, Math.min(40, 520 / h.cols.length)), chh = 16, m = { l: 110, t: 80 };
    const W = m.l + cw * h.cols.length + 20, H = m.t + chh * h.rows.length + 10;
    const s = svg(target, W, H);
    let max = 0;
    h.values.forEach(r => r.forEach(v => { if (v > max) max = v; }));
    if (max <= 0) max = 1;
    h.cols.forEach((c, j) => {
      const x = m.l + j * cw + cw / 2;
      text(s, x, m.t - 4, c, { transform: `rotate(-55 ${x} ${m.t - 4})`, "font-size": 9 });
    });
    h.rows.forEach((r, i) => {
      text(s, m.l - 4, m.t + i * chh + 12, r, { "text-anchor": "end", "font-size": 10 });
      h.values[i].forEach((v, j) => {
        const t = Math.sqrt(v / max);
        const c = `rgb(${Math.round(255 - 165 * t)},${Math.round(250 - 190 * t)},${Math.round(240 - 200 * t)})`;
        title(el("rect", { x: m.l + j * cw, y: m.t + i * chh, width: cw - 1, height: chh - 1, fill: c, class: "cell" }, s),
          `${r} / ${h.cols[j]}: ${fmt(v)}`);
      });
    });
    return s;
  }

  /* geographic map: sc = scenario view; opts.routeWidth(route) ; opts.placeColour(place); opts.dots */
  function geoMap(target, sc, opts) {
    opts = opts || {};
    const bb = sc.bbox, W = 640;
    const kx = Math.cos((bb.lat_min + bb.lat_max) / 2 * Math.PI / 180);
    const H = Math.round(W * (bb.lat_max - bb.lat_min) / ((bb.lon_max - bb.lon_min) * kx));
    const s = svg(target, W, H);
    const X = lon => (lon - bb.lon_min) / (bb.lon_max - bb.lon_min) * W;
    const Y = lat => (bb.lat_max - lat) / (bb.lat_max - bb.lat_min) * H;
    el("rect", { x: 0, y: 0, width: W, height: H, fill: "#fbf8f2", stroke: "#ccc" }, s);
    (sc.outline.rings || []).forEach(ring => {
      if (ring.length < 2) return;
      const d = ring.map((p, i) => `${i ? "L" : "M"}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join("") + "Z";
      el("path", { d, fill: "#f3ead9", stroke: "#a08a6a", "stroke-width": 1, "stroke-dasharray": sc.outline.kind === "places" ? "4 3" : "none" }, s);
    });
    sc.neighbours.forEach(n => text(s, X(n.lon), Y(n.lat), n.name.toUpperCase(), { "text-anchor": "middle", "font-size": 12, fill: "#b3a999", "letter-spacing": 2 }));
    const P = Object.fromEntries(sc.places.map(p => [p.id, p]));
    sc.routes.forEach(r => {
      const a = P[r.from], b = P[r.to];
      if (!a || !b) return;
      const w = opts.routeWidth ? opts.routeWidth(r) : 1;
      const col = opts.routeColour ? opts.routeColour(r) : "#b59b74";
      title(el("line", { x1: X(a.lon), y1: Y(a.lat), x2: X(b.lon), y2: Y(b.lat), stroke: col, "stroke-width": w, "stroke-opacity": 0.8, "stroke-linecap": "round", class: "route" }, s),
        `${a.name} – ${b.name}` + (opts.routeInfo ? ": " + opts.routeInfo(r) : ""));
    });
    sc.places.forEach(p => {
      const col = opts.placeColour ? opts.placeColour(p) : "#ccc";
      const shape = p.kind === "town" ? el("circle", { cx: X(p.lon), cy: Y(p.lat), r: 5 }, s)
        : el("rect", { x: X(p.lon) - 4.5, y: Y(p.lat) - 4.5, width: 9, height: 9 }, s);
      shape.setAttribute("fill", col); shape.setAttribute("stroke", "#333"); shape.setAttribute("class", "place");
      title(shape, p.name + (opts.placeInfo ? ": " + opts.placeInfo(p) : ""));
      if (opts.labels !== false) text(s, X(p.lon) + 6, Y(p.lat) - 5, p.name, { "font-size": 9, fill: "#333" });
    });
    (opts.dots || []).forEach(d => {
      const c = el("circle", { cx: X(d.lon) + d.jx, cy: Y(d.lat) + d.jy, r: d.r, fill: d.colour, "fill-opacity": d.opacity || 0.6, stroke: "#222", "stroke-width": 0.4, class: "evdot" }, s);
      title(c, d.label);
      if (d.onclick) c.addEventListener("click", d.onclick);
    });
    return { svg: s, X, Y };
  }

  function network(target, nodes, edges, opts) {
    opts = opts || {};
    if (!nodes.length) return empty(target);
    const W = 640, H = 520, cx = W / 2, cy = H / 2, R = 200;
    const s = svg(target, W, H);
    const pos = {};
    nodes.forEach((n, i) => {
      const a = 2 * Math.PI * i / nodes.length - Math.PI / 2;
      pos[n.id] = [cx + R * Math.cos(a), cy + R * Math.sin(a), a];
    });
    edges.forEach(e => {
      const a = pos[e.a], b = pos[e.b];
      if (!a || !b || Math.abs(e.value || 0) < (opts.minStrength || 0)) return;
      title(el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: e.value > 0 ? "#1a9850" : "#d73027",
        "stroke-width": 0.5 + 3.5 * Math.abs(e.value), "stroke-opacity": 0.7, class: "edge" }, s), `${e.a} – ${e.b}: ${e.value}`);
    });
    const maxf = Math.max(...nodes.map(n => n.size || 1), 1);
    nodes.forEach((n, i) => {
      const [x, y, a] = pos[n.id];
      const r = 5 + 13 * Math.sqrt((n.size || 1) / maxf);
      title(el("circle", { cx: x, cy: y, r, fill: n.colour || PALETTE[i % PALETTE.length], stroke: "#333", class: "node" }, s), `${n.name}: ${fmt(n.size)} fighters`);
      const lx = x + (r + 4) * Math.cos(a), ly = y + (r + 4) * Math.sin(a);
      text(s, lx, ly + 4, n.label || n.id, { "text-anchor": Math.cos(a) > 0.2 ? "start" : Math.cos(a) < -0.2 ? "end" : "middle", "font-size": 10 });
    });
    return s;
  }

  /* rows: [{name, diff, lo, hi}] forest plot of standardised differences (each row its own scale) */
  function forest(target, rows) {
    if (!rows.length) return empty(target);
    const W = 640, rh = 18, m = { l: 170, r: 150, t: 20 };
    const H = m.t + rows.length * rh + 10;
    const s = svg(target, W, H);
    const mid = m.l + (W - m.l - m.r) / 2, half = (W - m.l - m.r) / 2 - 6;
    el("line", { x1: mid, x2: mid, y1: 10, y2: H - 5, stroke: "#999", "stroke-dasharray": "3 3" }, s);
    text(s, mid, 12, "0 (no difference)", { "text-anchor": "middle", "font-size": 9, fill: "#777" });
    rows.forEach((r, i) => {
      const y = m.t + i * rh + 10;
      const sc = Math.max(Math.abs(r.lo), Math.abs(r.hi), Math.abs(r.diff), 1e-12);
      const X = v => mid + v / sc * half;
      text(s, m.l - 6, y + 4, r.name, { "text-anchor": "end", "font-size": 10 });
      const sig = r.lo > 0 || r.hi < 0;
      const col = sig ? (r.diff > 0 ? "#b2182b" : "#2166ac") : "#888";
      el("line", { x1: X(r.lo), x2: X(r.hi), y1: y, y2: y, stroke: col, "stroke-width": 2 }, s);
      title(el("circle", { cx: X(r.diff), cy: y, r: 4, fill: col, class: "fdot" }, s), `${r.name}: ${fmt(r.diff)} [${fmt(r.lo)}, ${fmt(r.hi)}]`);
      text(s, W - m.r + 8, y + 4, `${fmt(r.diff)} [${fmt(r.lo)}, ${fmt(r.hi)}]`, { "font-size": 10, fill: col });
    });
    return s;
  }

  return { el, text, svg, fmt, lineChart, stackedBars, heatmap, geoMap, network, forest, PALETTE };
})();

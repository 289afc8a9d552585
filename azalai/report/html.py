"""A self-contained HTML report of a stored run or of a paired policy comparison.

Figures are drawn with matplotlib, written as PNG files next to the report and embedded in the HTML as
base64 ``data:`` URIs, so the page fetches nothing. ``azalai report RUN_ID`` and
``azalai report --compare A B -n N`` call :func:`run_report` and :func:`compare_report`.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
from pathlib import Path
from typing import Any, Sequence

from azalai import __version__
from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError
from azalai.experiment.store import open_store, store_path
from azalai.model.engine import simulate
from azalai.plotting import subplots
from azalai.policy.loader import load_policy
from azalai.report.compare_view import paired_compare
from azalai.report.maps import draw_scenario_map
from azalai.report.run_view import CLAIMS, KEY_OUTCOMES, protector_ids, run_results
from azalai.report.scenario_view import actor_ids, boundaries_path, lever_table, scenario_summary
from azalai.scenario.loader import load_scenario

CSS = """
body{font-family:system-ui,'DejaVu Sans',sans-serif;max-width:1050px;margin:20px auto;color:#222;padding:0 16px}
h1{color:#5b3a1e} h2{color:#5b3a1e;border-bottom:1px solid #ddd;padding-bottom:3px;margin-top:28px}
table{border-collapse:collapse;font-size:13px;margin:8px 0} th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums} th{background:#faf7f2}
img{max-width:100%;border:1px solid #eee;margin:6px 0} .note{color:#666;font-size:13px} .changed{font-weight:600}
.claim{margin:10px 0;padding:8px 12px;background:#faf7f2;border-left:4px solid #c98b4a}
"""


def _e(s: Any) -> str:
    return html.escape(str(s), quote=True)


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, (int, float)):
        if not math.isfinite(v):
            return "n/a"
        a = abs(v)
        if a >= 1000:
            return f"{v:,.0f}"
        if a >= 10:
            return f"{v:.1f}"
        return f"{v:.3g}"
    return str(v)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], classes: Sequence[str] | None = None) -> str:
    h = "".join(f"<th>{_e(x)}</th>" for x in headers)
    body = []
    for i, r in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        tds = "".join(
            f'<td class="num">{_e(_fmt(x))}</td>' if isinstance(x, (int, float)) and not isinstance(x, bool) else f"<td>{_e(x)}</td>"
            for x in r
        )
        body.append(f"<tr{cls}>{tds}</tr>")
    return f"<table><thead><tr>{h}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _Figs:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.files: list[Path] = []

    def save(self, fig, name: str) -> str:
        p = self.out / f"{name}.png"
        fig.savefig(p, dpi=100, bbox_inches="tight")
        self.files.append(p)
        return self.embed(p, name)

    def embed(self, p: Path, alt: str) -> str:
        b64 = base64.b64encode(p.read_bytes()).decode("ascii")
        return f'<img alt="{_e(alt)}" src="data:image/png;base64,{b64}">'


def _band_figure(figs: _Figs, bands: dict[str, Any], title: str, name: str, ensemble: bool, top: int = 6) -> str:
    if not bands.get("series"):
        return '<p class="note">No events recorded.</p>'
    fig, ax = subplots(figsize=(9, 3.6))
    x = list(range(len(bands["months"])))
    for s in bands["series"][:top]:
        (ln,) = ax.plot(x, s["median"], label=s["name"], linewidth=1.6)
        if ensemble:
            ax.fill_between(x, s["lo"], s["hi"], color=ln.get_color(), alpha=0.15)
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], bands["months"][::step], rotation=45, fontsize=8)
    ax.set_ylabel("fatalities / month")
    ax.set_title(title + (" (median, 5-95% band)" if ensemble else ""))
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(alpha=0.3)
    return figs.save(fig, name)


def _tension_figure(figs: _Figs, tension: dict[str, Any]) -> str:
    if not tension.get("series"):
        return '<p class="note">No accord tension recorded.</p>'
    fig, ax = subplots(figsize=(9, 3.4))
    for s in tension["series"][:8]:
        ax.plot(range(len(s["values"])), s["values"], label=s["name"], linewidth=1.4)
    ax.set_xlabel("week")
    ax.set_ylabel("tension index")
    ax.set_title("Accord tension between signatory pairs (first replicate)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(alpha=0.3)
    return figs.save(fig, "tension")


def _claims_html(values: dict[str, str]) -> str:
    parts = []
    for num, claim, outcomes, sentence in CLAIMS:
        rows = [(o, values[o]) for o in outcomes if o in values]
        parts.append(
            f'<div class="claim"><b>Claim {num}.</b> {_e(claim)}<br><span class="note">{_e(sentence)}</span>'
            + (_table(["outcome", "value"], rows) if rows else '<p class="note">No outcome of this run bears on it.</p>')
            + "</div>"
        )
    return (
        '<p class="note">Which outcomes bear on each claim of the brief, and their values here. A single run or '
        "ensemble does not test a claim: claims are tested by paired comparisons of policies with common random "
        "numbers. No verdict is drawn.</p>" + "".join(parts)
    )


def _page(title: str, sections: list[tuple[str, str]]) -> str:
    body = "".join(f"<h2>{_e(h)}</h2>{c}" for h, c in sections)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{_e(title)}</h1>"
        f'<p class="note">azalai {__version__} · generated {stamp} · self-contained: figures embedded, nothing fetched.</p>'
        f"{body}</body></html>"
    )


def _scenario_html(name: str) -> str:
    s = scenario_summary(name)
    rows = [["scenario", f"{s['name']} ({s['id']})"], ["start", s["start"]], ["places", s["places"]],
            ["routes", s["routes"]], ["communities", s["communities"]], ["armed actors", s["actors"]],
            ["accords", ", ".join(s["accords"])], ["commodities", ", ".join(s["commodities"])]]  # fmt: skip
    return (f"<p>{_e(s['description'])}</p>" if s["description"] else "") + _table(["", ""], rows)


def _levers_html(levers: list[dict[str, Any]]) -> str:
    return _table(
        ["lever", "value", "default", "range", "meaning"],
        [[lv["name"], lv["value"], lv["default"], f"{lv['low']:g}..{lv['high']:g}", lv["description"]] for lv in levers],
        ["changed" if lv["changed"] else "" for lv in levers],
    ) + '<p class="note">Levers in bold differ from the default. Dated changes in the policy file are not listed.</p>'


def _map_html(figs: _Figs, scenario: str, protectors: dict[str, str] | None, flows: dict[int, float] | None,
              boundaries: str | None) -> str:
    sc = load_scenario(scenario)
    p = figs.out / "map_protectors.png"
    draw_scenario_map(sc, p, boundaries=boundaries_path(boundaries), protectors=protectors or None, flows=flows,
                      title=f"{sc.meta.name}: protectors at the end" + (" and trafficking flows" if flows else ""))
    figs.files.append(p)
    return figs.embed(p, "map of protectors")


def run_report(run_id: str, store: str | None = None, out_dir: str | Path | None = None,
               boundaries: str | None = None) -> Path:
    """Write ``report.html`` and its PNG figures for a stored run; returns the HTML path."""
    if not store_path(store).exists():
        raise InputError(f"run store not found: {store_path(store)}")
    con = open_store(store)  # for writing: a store written by an older azalai is brought up to date first
    try:
        res = run_results(con, run_id)
        if res is None:
            raise InputError(f"no run {run_id!r} in the store {store_path(store)}")
        protectors = protector_ids(con, run_id, res["run"]["scenario"])
    finally:
        con.close()
    out = Path(out_dir) if out_dir else Path("reports") / run_id
    out.mkdir(parents=True, exist_ok=True)
    figs = _Figs(out)
    run = res["run"]
    ens = res["n"] > 1
    oc = res["outcomes"]
    keys = [k for k in KEY_OUTCOMES if k in oc]
    if ens:
        table = _table(["outcome", "median", "5%", "95%", "mean"], [[k, oc[k]["median"], oc[k]["lo"], oc[k]["hi"], oc[k]["mean"]] for k in keys])
        table += f'<p class="note">Quantiles across {res["n"]} replicates (seeds {run["seed"]}..{run["seed"] + res["n"] - 1}).</p>'
        values = {k: f"median {_fmt(oc[k]['median'])} [5-95%: {_fmt(oc[k]['lo'])}, {_fmt(oc[k]['hi'])}]" for k in oc}
    else:
        table = _table(["outcome", "value"], [[k, oc[k]["mean"]] for k in keys])
        table += '<p class="note">A single replicate: no interval. Run an ensemble for intervals.</p>'
        values = {k: _fmt(oc[k]["mean"]) for k in oc}
    # flows by route index
    sc = load_scenario(run["scenario"])
    fl = res.get("flows") or {}
    flows = {i: float(fl.get(f"{r.from_}|{r.to}", 0.0)) for i, r in enumerate(sc.routes)} if fl else None
    sections = [
        ("Run", _table(["", ""], [["run", run_id], ["kind", run["kind"]], ["policy", run["policy"]],
                                  ["replicates", res["n"]], ["first seed", run["seed"]], ["days", run["days"]],
                                  ["created", run["created"]], ["version", run.get("version") or ""]])),  # fmt: skip
        ("Scenario", _scenario_html(run["scenario"])),
        ("Policy settings (levers)", _levers_html(res["levers"])),
        ("Key outcomes", table),
        ("Map", _map_html(figs, run["scenario"], protectors, flows, boundaries)),
        ("Time series",
         _band_figure(figs, res["fatalities_by_region"], "Monthly fatalities by region", "fatalities_region", ens)
         + _band_figure(figs, res["fatalities_by_type"], "Monthly fatalities by event type", "fatalities_type", ens)
         + _tension_figure(figs, res["tension"])),
        ("The claims this run bears on", _claims_html(values)),
    ]  # fmt: skip
    p = out / "report.html"
    p.write_text(_page(f"azalai report: {run_id}", sections), encoding="utf-8")
    return p


def compare_report(policy_a: str, policy_b: str, n: int, seed: int = 0, days: int | None = None,
                   out_dir: str | Path | None = None, scenario: str = DEFAULT_SCENARIO,
                   boundaries: str | None = None) -> Path:
    """Run two policies on the same seeds and write a report of the paired differences."""
    if n < 2:
        raise InputError(f"-n must be at least 2 for a paired comparison (got {n})")
    sc = load_scenario(scenario)
    days = int(days or sc.calendar.horizon_days)
    pa, pb = load_policy(policy_a), load_policy(policy_b)
    seeds = list(range(seed, seed + n))
    res = paired_compare(scenario, pa, pb, seeds, days)
    out = Path(out_dir) if out_dir else Path("reports") / f"compare-{pa.id}-vs-{pb.id}"
    out.mkdir(parents=True, exist_ok=True)
    figs = _Figs(out)
    rows = [r for r in res["outcomes"] if not r["outcome"].startswith(("revenue_", "alienation_")) or r["outcome"] == "alienation_mean"]
    key = [r for r in rows if r["outcome"] in KEY_OUTCOMES]
    # forest plot of key outcomes, each scaled by its own CI
    fig, ax = subplots(figsize=(8, 0.32 * len(key) + 1))
    for i, r in enumerate(key):
        sc_ = max(abs(r["ci_lo"] or 0), abs(r["ci_hi"] or 0), abs(r["diff"] or 0), 1e-12)
        col = "#b2182b" if r["significant"] and r["diff"] > 0 else "#2166ac" if r["significant"] else "#888888"
        ax.plot([r["ci_lo"] / sc_, r["ci_hi"] / sc_], [i, i], color=col, linewidth=2)
        ax.plot([r["diff"] / sc_], [i], "o", color=col)
    ax.axvline(0, color="#999", linestyle="--")
    ax.set_yticks(range(len(key)), [r["outcome"] for r in key], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("paired difference B - A, scaled per outcome (dot: mean, line: bootstrap 95% CI)")
    ax.set_title(f"{pb.id} (B) vs {pa.id} (A), {n} paired replicates")
    forest = figs.save(fig, "paired_differences")
    # map: protectors under policy B's first replicate, and monthly fatalities for both policies
    runs = {lab: simulate(scenario, pol, seed=seed, days=days) for lab, pol in (("A", pa), ("B", pb))}
    fig, ax = subplots(figsize=(9, 3.4))
    for lab, r in runs.items():
        ts = r.timeseries
        f = ts[ts["series"] == "fatalities"].sort_values("week")
        ax.plot(f["week"], f["value"], label=f"{lab}: {pa.id if lab == 'A' else pb.id}")
    ax.set_xlabel("week")
    ax.set_ylabel("fatalities / week")
    ax.set_title(f"Weekly fatalities, seed {seed} under both policies")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fat_fig = figs.save(fig, "fatalities_weekly")
    fig, ax = subplots(figsize=(9, 3.4))
    for lab, r in runs.items():
        ts = r.timeseries
        t = ts[ts["series"] == "tension"].groupby("week")["value"].max()
        ax.plot(t.index, t.values, label=f"{lab}: {pa.id if lab == 'A' else pb.id}")
    ax.set_xlabel("week")
    ax.set_ylabel("max tension across signatory pairs")
    ax.set_title(f"Accord tension, seed {seed}")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ten_fig = figs.save(fig, "tension")
    tsB = runs["B"].timeseries
    last = tsB["week"].max()
    prot = tsB[(tsB["series"] == "protector") & (tsB["week"] == last)]
    actors = actor_ids(scenario)
    protectors = {k: actors[int(v)] for k, v in zip(prot["key"], prot["value"]) if 0 <= int(v) < len(actors)}
    fl = tsB[tsB["series"] == "flow_value"].groupby("key")["value"].sum()
    flows = {i: float(fl.get(f"{r.from_}|{r.to}", 0.0)) for i, r in enumerate(sc.routes)}
    map_html = _map_html(figs, scenario, protectors, flows, boundaries) + f'<p class="note">Policy B ({_e(pb.id)}), seed {seed}.</p>'
    values = {r["outcome"]: f"A {_fmt(r['mean_a'])}, B {_fmt(r['mean_b'])}, B−A {_fmt(r['diff'])} "
              f"[95% CI {_fmt(r['ci_lo'])}, {_fmt(r['ci_hi'])}]" for r in res["outcomes"]}  # fmt: skip
    lev_rows = [[d["name"], d["a"], d["b"]] for d in res["lever_diff"]]
    sections = [
        ("Comparison", _table(["", ""], [["policy A", f"{pa.id}: {pa.name}"], ["policy B", f"{pb.id}: {pb.name}"],
                                         ["paired replicates", n], ["seeds", f"{seed}..{seed + n - 1}"], ["days", days]])),  # fmt: skip
        ("Scenario", _scenario_html(scenario)),
        ("Policy settings (levers that differ)", _table(["lever", "A", "B"], lev_rows) if lev_rows else "<p>Same initial levers.</p>"),
        ("Policy A levers", _levers_html(lever_table(pa))),
        ("Policy B levers", _levers_html(lever_table(pb))),
        ("Why they differ", "<ul>" + "".join(f"<li>{_e(s)}</li>" for s in res["explanations"]) + "</ul>"),
        ("Key outcomes: paired differences with bootstrap 95% CIs",
         forest + _table(["outcome", "A", "B", "B − A", "CI low", "CI high", "clear"],
                         [[r["outcome"], r["mean_a"], r["mean_b"], r["diff"], r["ci_lo"], r["ci_hi"], "yes" if r["significant"] else ""] for r in rows])),  # fmt: skip
        ("Events by mechanism", _table(["mechanism", "A", "B", "B − A", "CI low", "CI high"],
                                       [[m["mechanism"], m["mean_a"], m["mean_b"], m["diff"], m["ci_lo"], m["ci_hi"]] for m in res["mechanisms"]])),  # fmt: skip
        ("Map", map_html),
        ("Time series", fat_fig + ten_fig),
        ("The claims this comparison bears on", _claims_html(values)),
    ]
    p = out / "report.html"
    p.write_text(_page(f"azalai comparison: {pb.id} vs {pa.id}", sections), encoding="utf-8")
    return p

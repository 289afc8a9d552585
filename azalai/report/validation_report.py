"""A validation's outputs: the Markdown table, the figures, and the files written by ``azalai validate``."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from azalai.analysis.validation import Validation
from azalai.plotting import subplots


def _shares(t: dict) -> str:
    """Observed and model shares of events and of fatalities (median [90% interval]) of a table row."""
    cells = []
    for key in ("event", "fatality"):
        cells += [_f(t[f"observed_{key}_share"], pct=True),
                  f"{_f(t[f'model_{key}_share_median'], pct=True)} [{_f(t[f'model_{key}_share_lo'], pct=True)}–"
                  f"{_f(t[f'model_{key}_share_hi'], pct=True)}]"]
    return " | ".join(cells)


def _f(x, pct=False, nd=0):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if pct:
        return f"{100 * x:.0f}%"
    return f"{x:,.{nd}f}"


def markdown(v: Validation) -> str:
    r = v.result
    lines = [
        f"# Validation against {r['observed']} ({r['period']['start']} to {r['period']['end']})",
        "",
        f"{r['replicates']} replicates of {r['period']['days']} days; {r['note']}. "
        "Intervals are the ensemble's 5th–95th percentiles.",
        "",
        "## Summary",
        "",
        "| statistic | observed | model (median [90% interval]) | verdict |",
        "|---|---|---|---|",
    ]
    a = r["annual_rate"]
    inside = a["model_lo"] is not None and a["model_lo"] <= a["observed"] <= a["model_hi"]
    lines.append(f"| fatalities per year | {_f(a['observed'])} | {_f(a['model_median'])} "
                 f"[{_f(a['model_lo'])}–{_f(a['model_hi'])}] | {'inside' if inside else 'outside'} the interval |")
    sp = r["regions"]["spearman"]
    lines.append(f"| regional split: Spearman ρ of fatalities by admin1 | 1 | {_f(sp['median'], nd=2)} "
                 f"[{_f(sp['lo'], nd=2)}–{_f(sp['hi'], nd=2)}] | pooled ensemble ρ = "
                 f"{_f(r['regions']['spearman_pooled'], nd=2)} |")
    m = r["monthly"]
    lines.append(f"| monthly fatalities: share of months inside the 90% band | 90% expected | "
                 f"{_f(m['coverage'], pct=True)} | events per month: {_f(m['coverage_events'], pct=True)} |")
    es = r["event_sizes"]
    to, tm = es["observed_tail"], es["model_tail"]
    lines.append(f"| event-size tail exponent α (powerlaw) | {_f(to['alpha'], nd=2)} (xmin {_f(to['xmin'])}) | "
                 f"{_f(tm['alpha'], nd=2)} (xmin {_f(tm['xmin'])}, pooled) | KS distance (events ≥ 1 death) "
                 f"{_f(es['ks']['statistic'], nd=2)} |")
    lines += ["", "## Fatalities by year", "", "| year | days | observed | model median | 90% interval | inside |",
              "|---|---|---|---|---|---|"]
    for y in r["yearly"]:
        lines.append(f"| {y['year']} | {y['days']} | {_f(y['observed'])} | {_f(y['model_median'])} | "
                     f"{_f(y['model_lo'])}–{_f(y['model_hi'])} | {'yes' if y['inside'] else 'no'} |")
    lines += ["", "## Regional split (share of fatalities)", "",
              f"Replicates: of {r['replicates']}, those in which the region is the deadliest, or among the two deadliest.",
              "", "| admin1 | observed (rank) | model median | 90% interval | pooled | deadliest | among the two deadliest |",
              "|---|---|---|---|---|---|---|"]
    for g in r["regions"]["table"]:
        lines.append(f"| {g['region']} | {_f(g['observed_share'], pct=True)} ({g['observed_rank']}) | "
                     f"{_f(g['model_share_median'], pct=True)} | "
                     f"{_f(g['model_share_lo'], pct=True)}–{_f(g['model_share_hi'], pct=True)} | "
                     f"{_f(g['model_share_pooled'], pct=True)} | {g['replicates_deadliest']} | {g['replicates_top_two']} |")
    lines += ["", "## Event-type mix (types the model produces; observed shares renormalised over them)", "",
              "| event type | events: observed | events: model | fatalities: observed | fatalities: model |",
              "|---|---|---|---|---|"]
    for t in r["event_types"]["compared"]:
        lines.append(f"| {t['event_type']} | {_shares(t)} |")
    if r["event_types"]["not_produced"]:
        lines += ["", "Observed types the model does not produce: " + "; ".join(
            f"{t['event_type']} ({_f(t['share_of_observed_events'], pct=True)} of observed events, "
            f"{_f(t['share_of_observed_fatalities'], pct=True)} of fatalities)" for t in r["event_types"]["not_produced"]) + "."]
    if r.get("interactions"):
        lines += ["", "## Who fights whom (violent events, by ACLED's actor types)", "",
                  "| interaction | events: observed | events: model | fatalities: observed | fatalities: model |",
                  "|---|---|---|---|---|"]
        for t in r["interactions"]:
            lines.append(f"| {t['interaction']} | {_shares(t)} |")
    lines += ["", "## Event sizes", "",
              f"Observed: {es['observed_events']} events"
              + (f" (years {', '.join(map(str, es['observed_years']))})" if es.get("observed_years") else "")
              + f"; model: {es['model_events']} events pooled over the ensemble. Tail exponent at the observed "
              f"xmin, per replicate: {_f(es['model_alpha_at_observed_xmin']['median'], nd=2)} "
              f"[{_f(es['model_alpha_at_observed_xmin']['lo'], nd=2)}–{_f(es['model_alpha_at_observed_xmin']['hi'], nd=2)}].",
              ""]
    return "\n".join(lines)


def figures(v: Validation, out_dir: str | Path, prefix: str = "") -> list[Path]:
    """PNG figures of a validation: yearly, regions, monthly band, event-size CCDF, event types."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    r, a = v.result, v.arrays
    paths = []

    def save(fig, name: str) -> None:
        fig.tight_layout()
        paths.append(out / f"{prefix}{name}.png")
        fig.savefig(paths[-1], dpi=110)

    label = r["observed"].upper()

    fig, ax = subplots(figsize=(6, 3.5))
    ys = [y["year"] for y in r["yearly"]]
    x = np.arange(len(ys))
    ax.bar(x - 0.2, [y["observed"] for y in r["yearly"]], 0.4, label=label, color="#444")
    med = np.array([y["model_median"] or 0 for y in r["yearly"]])
    lo = np.array([y["model_lo"] or 0 for y in r["yearly"]])
    hi = np.array([y["model_hi"] or 0 for y in r["yearly"]])
    ax.bar(x + 0.2, med, 0.4, yerr=[med - lo, hi - med], label="model (median, 90%)", color="#c60", capsize=3)
    ax.set_xticks(x, [f"{y['year']}\n({y['days']} d)" for y in r["yearly"]])
    ax.set_ylabel("fatalities")
    ax.legend(frameon=False)
    ax.set_title("Fatalities per year")
    save(fig, "yearly")

    fig, ax = subplots(figsize=(7, 3.5))
    regs = [g["region"] for g in r["regions"]["table"]]
    x = np.arange(len(regs))
    ax.bar(x - 0.2, [g["observed_share"] for g in r["regions"]["table"]], 0.4, label=label, color="#444")
    med = np.array([g["model_share_median"] or 0 for g in r["regions"]["table"]])
    lo = np.array([g["model_share_lo"] or 0 for g in r["regions"]["table"]])
    hi = np.array([g["model_share_hi"] or 0 for g in r["regions"]["table"]])
    ax.bar(x + 0.2, med, 0.4, yerr=[med - lo, hi - med], color="#c60", capsize=3, label="model")
    ax.set_xticks(x, regs, rotation=30, ha="right")
    ax.set_ylabel("share of fatalities")
    sp = r["regions"]["spearman"]
    ax.set_title(f"Fatalities by region (Spearman ρ median {_f(sp['median'], nd=2)})")
    ax.legend(frameon=False)
    save(fig, "regions")

    fig, ax = subplots(figsize=(8, 3.5))
    months = pd.to_datetime(r["monthly"]["months"])
    ax.fill_between(months, r["monthly"]["lower"], r["monthly"]["upper"], color="#c60", alpha=0.3, step="mid",
                    label="model 90% band")
    ax.plot(months, r["monthly"]["median"], color="#c60", drawstyle="steps-mid", label="model median")
    ax.plot(months, r["monthly"]["observed"], color="#222", marker="o", ms=3, lw=1, label=label)
    ax.set_ylabel("fatalities per month")
    ax.set_title(f"Monthly fatalities (coverage {_f(r['monthly']['coverage'], pct=True)})")
    ax.legend(frameon=False, fontsize=8)
    save(fig, "monthly")

    fig, ax = subplots(figsize=(5, 4))
    for arr, lab, col in ((a["o_sizes"], label, "#222"), (a["sim_sizes"], "model (pooled)", "#c60")):
        xs = np.sort(arr[arr >= 1])
        if len(xs):
            ccdf = 1.0 - np.arange(len(xs)) / len(xs)
            ax.loglog(xs, ccdf, marker=".", ls="none", color=col, label=lab)
    es = r["event_sizes"]
    ax.set_xlabel("fatalities per event")
    ax.set_ylabel("P(X ≥ x)")
    ax.set_title(f"Event sizes (α obs {_f(es['observed_tail']['alpha'], nd=2)}, model {_f(es['model_tail']['alpha'], nd=2)})")
    ax.legend(frameon=False)
    save(fig, "event_sizes")

    fig, axes = subplots(1, 2, figsize=(9, 3.5), sharey=True)
    ts = r["event_types"]["compared"]
    names = [t["event_type"].replace("/", "/\n").replace("Violence against", "Violence\nagainst") for t in ts]
    x = np.arange(len(ts))
    for ax, key, title in ((axes[0], "event", "share of events"), (axes[1], "fatality", "share of fatalities")):
        ax.barh(x - 0.2, [t[f"observed_{key}_share"] or 0 for t in ts], 0.4, color="#444", label=label)
        ax.barh(x + 0.2, [t[f"model_{key}_share_median"] or 0 for t in ts], 0.4, color="#c60", label="model")
        ax.set_yticks(x, names, fontsize=8)
        ax.set_title(title)
    axes[0].legend(frameon=False, fontsize=8)
    save(fig, "event_types")
    return paths


def write_outputs(v: Validation, out_dir: str | Path) -> dict[str, Path]:
    """validation.md, validation.json and the figures into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = out / "validation.md"
    js = out / "validation.json"
    md.write_text(markdown(v), encoding="utf-8")
    js.write_text(v.to_json(), encoding="utf-8")
    figs = figures(v, out)
    return {"markdown": md, "json": js, **{p.stem: p for p in figs}}


__all__ = ["markdown", "figures", "write_outputs"]

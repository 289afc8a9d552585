"""`azalai forecast` and `azalai backtest`: ensemble forecasts per region and month, and their scores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

from azalai.cli.formats import TableJson, format_option
from azalai.cli.validate_cmd import Align, align_option, recent_weight_option
from azalai.defaults import DEFAULT_SCENARIO

out = Console()
err = Console(stderr=True)

STORE_HELP = "store file with the imported observed data (default $AZALAI_STORE or ./azalai-runs/azalai.duckdb)"


def _fmt(x, nd=0) -> str:
    return "–" if x is None else f"{x:,.{nd}f}"


def _bad(field: str, msg: str):
    from azalai.errors import InputError, Problem

    return InputError(Problem("<arguments>", None, None, field, msg), file="<arguments>")


def forecast_cmd(
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", help="scenario (built-in name or YAML file)"),
    months: int = typer.Option(24, "--months", min=1, help="months ahead from the scenario's start"),
    members: int = typer.Option(200, "--members", min=1, help="ensemble members (simulated histories)"),
    draws: int = typer.Option(50, "--draws", min=1, help="parameter/scenario draws the members are spread over"),
    posterior: bool = typer.Option(True, "--posterior/--point",
                                   help="sample the calibration posterior and the scenario's ranges (default), "
                                        "or hold both at their point values"),
    calibration: Optional[Path] = typer.Option(None, "--calibration",
                                               help="calibration file (default: the shipped azalai/model/calibrated.yaml)"),
    seed: int = typer.Option(1, "--seed", help="random seed"),
    policy: Optional[str] = typer.Option(None, "--policy", help="policy (built-in name or YAML file)"),
    out_file: Optional[Path] = typer.Option(None, "--out", help="Parquet file of quantiles per region, month, variable"),
    figure: Optional[Path] = typer.Option(None, "--figure", help="PNG of monthly bands by region (default next to --out)"),
    samples_file: Optional[Path] = typer.Option(None, "--samples", help="also write every member's counts (Parquet)"),
    fmt: TableJson = format_option(),
) -> None:
    """Forecast fatalities and violent events per admin1 region and month from a scenario's start."""
    from azalai.analysis.forecast import add_months, quantile_table, run_forecast, write_forecast
    from azalai.scenario.loader import resolve_scenario
    from azalai.model.params import CALIBRATED_FILE
    from azalai.report.forecast_fig import band_figure

    sc = resolve_scenario(scenario)
    cal = calibration if calibration is not None else (CALIBRATED_FILE if CALIBRATED_FILE.exists() else None)
    if cal is not None and not Path(cal).exists():
        raise _bad("--calibration", f"{cal}: calibration file not found")
    start = sc.calendar.start
    last = add_months(start.replace(day=1), months - 1)
    out_file = out_file or Path(f"forecast_{sc.meta.id}_{start:%Y-%m}_{last:%Y-%m}.parquet")
    figure = figure or out_file.with_suffix(".png")
    err.print(f"forecasting {months} months from {start}: {members} members", highlight=False)
    samples, info = run_forecast(sc, months, members, draws, seed, cal, not posterior, "effective", policy,
                                 progress=lambda d, n: err.print(f"  {d}/{n} members", highlight=False))
    table = quantile_table(samples)
    write_forecast(table, out_file, info)
    if samples_file:
        samples.to_parquet(samples_file, index=False)
    band_figure(table, figure, "fatalities", f"{sc.meta.id}: fatalities per month (forecast from {start})")
    tot = samples.groupby(["admin1", "member"])[["fatalities", "events"]].sum()
    regions = tot.groupby("admin1")
    summary = []
    for reg, g in regions:
        row = {"admin1": reg}
        for v in ("fatalities", "events"):
            q = g[v].quantile([0.05, 0.5, 0.95]).to_numpy()
            row.update({f"{v}_q05": float(q[0]), f"{v}_median": float(q[1]), f"{v}_q95": float(q[2])})
        summary.append(row)
    summary.sort(key=lambda r: -r["fatalities_median"])
    nat = samples.groupby("member")[["fatalities", "events"]].sum()
    national = {v: [float(x) for x in nat[v].quantile([0.05, 0.5, 0.95])] for v in ("fatalities", "events")}
    if fmt == "json":
        out.print_json(json.dumps({"forecast": info.__dict__, "regions": summary, "national": national,
                                   "file": str(out_file), "figure": str(figure)}))
        return
    t = Table(title=f"{sc.meta.id}: totals over {start:%Y-%m}..{last:%Y-%m} (median [90%])")
    t.add_column("region")
    t.add_column("fatalities", justify="right")
    t.add_column("violent events", justify="right")
    for r in summary:
        t.add_row(r["admin1"], f"{r['fatalities_median']:,.0f} [{r['fatalities_q05']:,.0f}–{r['fatalities_q95']:,.0f}]",
                  f"{r['events_median']:,.0f} [{r['events_q05']:,.0f}–{r['events_q95']:,.0f}]")
    f, e = national["fatalities"], national["events"]
    t.add_row("all", f"{f[1]:,.0f} [{f[0]:,.0f}–{f[2]:,.0f}]", f"{e[1]:,.0f} [{e[0]:,.0f}–{e[2]:,.0f}]")
    out.print(t)
    out.print(f"sampled: {'; '.join(info.sampled)}", highlight=False)
    out.print(f"wrote {out_file} and {figure}", highlight=False)


def backtest_cmd(
    scenario: List[str] = typer.Option(["mali-2015"], "--scenario",
                                       help="scenario whose start is an origin (repeat for several origins)"),
    observed: str = typer.Option("acled-aggregates", "--observed", help="observed data: acled-aggregates or acled"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    months: int = typer.Option(12, "--months", min=1, help="months scored after each origin"),
    members: int = typer.Option(200, "--members", min=2, help="ensemble members"),
    draws: int = typer.Option(50, "--draws", min=1, help="parameter/scenario draws the members are spread over"),
    posterior: bool = typer.Option(True, "--posterior/--point", help="sample posterior and scenario ranges, or not"),
    calibration: str = typer.Option("run", "--calibration",
                                    help="'run' (calibrate on data before each origin), 'none' (priors) or a "
                                         "calibration file whose period ends before the origin"),
    calibration_period: Optional[str] = typer.Option(None, "--calibration-period",
                                                     help="START:END (default 2014-01-01 to the day before the origin)"),
    particles: int = typer.Option(100, "--particles", min=4, help="ABC-SMC particles"),
    generations: int = typer.Option(5, "--generations", min=1, help="ABC-SMC generations"),
    budget: int = typer.Option(400, "--budget", min=4, help="simulations per generation at most"),
    workers: int = typer.Option(1, "--workers", min=1, help="processes simulating in parallel (calibration)"),
    time_stats: bool = typer.Option(True, "--time-stats/--pooled-stats",
                                    help="calibrate on time-aware statistics too (level, trend, latest year's "
                                         "regions, dispersion), or on the pooled ones only"),
    align: Align = align_option("end"),
    recent_weight: float = recent_weight_option(),
    seed: int = typer.Option(1, "--seed", help="random seed"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="directory for backtest.json, calibrations, forecasts"),
    fmt: TableJson = format_option(),
) -> None:
    """Rolling-origin backtest: calibrate before each origin, forecast, score against observed and benchmarks."""
    from azalai.analysis.validation import source_and_level
    from azalai.analysis.backtest import BacktestConfig, run_backtest

    if observed not in ("acled-aggregates", "acled"):
        source_and_level(observed)
        raise _bad("--observed", f"{observed!r}: backtests score ACLED fatalities per admin1 (acled-aggregates or acled)")
    cfg = BacktestConfig(scenarios=scenario, observed=observed, store=store, months=months, members=members,
                         draws=draws, seed=seed, point=not posterior, calibration=calibration,
                         calibration_period=calibration_period, particles=particles, generations=generations,
                         budget=budget, workers=workers, time_stats=time_stats, align=align,
                         recent_weight=recent_weight, out_dir=out_dir)
    res = run_backtest(cfg, say=lambda s: err.print(s, highlight=False))
    if out_dir:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "backtest.json").write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
    if fmt == "json":
        out.print_json(json.dumps(res, default=str))
        return
    for o in res["origins"]:
        for v, r in o["variables"].items():
            t = Table(title=f"{o['scenario']}: {v}, {o['origin']}..{o['through']} (calibration {o['calibration']['period']})")
            for c in ("forecaster", "CRPS", "log score", "cov 50%", "cov 90%", "model skill [95%]"):
                t.add_column(c, justify="left" if c == "forecaster" else "right")
            for row in r["scores"]:
                sk = "" if "skill_of_model" not in row else (
                    f"{_fmt(row['skill_of_model'], 2)} [{_fmt(row['skill_low'], 2)}, {_fmt(row['skill_high'], 2)}]")
                t.add_row(row["forecaster"], _fmt(row["crps"], 2), _fmt(row["log_score"], 2),
                          f"{100 * row['coverage50']:.0f}%", f"{100 * row['coverage90']:.0f}%", sk)
            out.print(t)
            tot = r["total"]
            out.print(f"  total: observed {_fmt(tot['observed'])}, model {_fmt(tot['median'])} "
                      f"[90%: {_fmt(tot['low'])}–{_fmt(tot['high'])}] {'covered' if tot['covered'] else 'NOT covered'}; "
                      f"regional Spearman ρ {_fmt(r['regional_spearman'], 2)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast_cmd)
    app.command("backtest")(backtest_cmd)

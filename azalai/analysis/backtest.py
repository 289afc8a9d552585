"""Rolling-origin backtests: forecasts made at an origin, scored against what happened next.

For each origin (the start date of a scenario written with facts known at that date):

1. **Calibrate on data before the origin only.** ``calibration='run'`` runs the ABC-SMC of
   :mod:`azalai.analysis.calibration` on the observed data of ``calibration_period`` (default: from
   ``history_start`` to the day before the origin), with the time-aware statistics of
   :mod:`azalai.analysis.time_stats` unless ``time_stats`` is off, starting from the registry's
   priors (the shipped calibration, fitted on later data, is never used). With ``align='end'`` (the
   default, as for the built-in scenario) the model's first year is set against the window's last
   year, the one just before the origin, and against the window's per-year averages
   (:mod:`azalai.analysis.calibration_align`). ``calibration=<file>`` uses a calibration file
   whose recorded ``period`` must end before the origin; ``calibration='none'`` uses the priors.
   Any calibration window that reaches the origin is refused (:class:`LeakError`, exit status 2).
   With ``out_dir``, the calibration checkpoints every generation there and a rerun resumes it.
2. **Forecast** the next ``months`` months from the scenario
   (:func:`azalai.analysis.forecast.run_forecast`, base = the registry's priors).
3. **Score** the forecast of fatalities and of violent events per admin1 region and month against
   the observed panel, next to three benchmarks built from the months before the origin
   (:mod:`azalai.analysis.scoring`): CRPS, binned log score, 50%/90% coverage, the model's CRPS skill
   against each benchmark with a bootstrap interval, the 90% interval of the yearly total, and the
   Spearman correlation of regional totals.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from azalai.analysis.calibration_align import DEFAULT_RECENT_WEIGHT, check_align, check_recent_weight
from azalai.analysis.calibration import CAL_PARAMS
from azalai.errors import InputError, Problem
from azalai.safeio import shown_path



class LeakError(InputError):
    """A calibration window or a benchmark history that would use data at or after the origin."""


@dataclass
class BacktestConfig:
    scenarios: Sequence = ("mali-2015",)
    observed: str = "acled-aggregates"
    store: str | Path | None = None
    months: int = 12
    members: int = 200
    draws: int = 50
    seed: int = 1
    point: bool = False
    calibration: str = "run"  # 'run', 'none' or a calibration file
    calibration_period: str | None = None
    history_start: _dt.date = _dt.date(2014, 1, 1)
    cal_params: Sequence[str] = CAL_PARAMS
    particles: int = 100
    generations: int = 5
    replicates: int = 2
    budget: int = 400
    sim_days: int | None = 365
    workers: int = 1
    time_stats: bool = True
    align: str = "end"  # the model's first year against the last year before the origin
    recent_weight: float = DEFAULT_RECENT_WEIGHT
    n_boot: int = 2000
    out_dir: str | Path | None = None
    extra: dict = field(default_factory=dict)


def _leak(msg: str, field_: str = "--calibration-period") -> LeakError:
    return LeakError(Problem("<arguments>", None, None, field_, msg), file="<arguments>")


def check_window(origin: _dt.date, start: _dt.date | None, end: _dt.date | None, what: str, field_: str) -> None:
    """Refuse a data window that reaches the origin (or has no end)."""
    if end is None:
        raise _leak(f"the {what} has no end date; it must end before the origin {origin}", field_)
    if end >= origin:
        raise _leak(f"the {what} {start or ''}:{end} uses data at or after the origin {origin}; "
                    f"it must end on {origin - _dt.timedelta(days=1)} at the latest", field_)


def calibration_window(origin: _dt.date, cfg: BacktestConfig) -> tuple[_dt.date, _dt.date]:
    from azalai.analysis.observed import parse_period

    if cfg.calibration_period:
        start, end = parse_period(cfg.calibration_period, "--calibration-period")
    else:
        start, end = cfg.history_start, origin - _dt.timedelta(days=1)
    check_window(origin, start, end, "calibration window", "--calibration-period")
    if start is None:
        raise _leak("the calibration window needs a start date")
    return start, end


def calibration_for(origin: _dt.date, sc, cfg: BacktestConfig, say: Callable[[str], None]) -> dict:
    """{'posterior': file or None, 'period': text or None, ...}: the calibration used at ``origin``."""
    from azalai.model.params import defaults

    if cfg.calibration == "none":
        return {"posterior": None, "period": None, "method": "registry priors (no calibration)"}
    if cfg.calibration != "run":
        import yaml

        from azalai.analysis.observed import parse_period

        fp = Path(cfg.calibration)
        if not fp.exists():
            raise InputError(Problem(str(fp), None, None, "--calibration", "calibration file not found"), file=str(fp))
        doc = yaml.safe_load(fp.read_text(encoding="utf-8")) or {}
        period = doc.get("period")
        if not period:
            raise _leak(f"{fp}: the calibration file records no period, so it cannot be shown to end before "
                        f"the origin {origin}", "--calibration")
        start, end = parse_period(str(period), "period")
        check_window(origin, start, end, f"calibration period of {fp.name}", "--calibration")
        return {"posterior": shown_path(fp), "period": str(period), "method": "calibration file"}
    from azalai.analysis.calibration import calibrate, result_document, write_result

    start, end = calibration_window(origin, cfg)
    period = f"{start.isoformat()}:{end.isoformat()}"
    say(f"calibrating on {cfg.observed} {period} ({len(cfg.cal_params)} parameters, {cfg.particles} particles, "
        f"{'time-aware' if cfg.time_stats else 'pooled'} statistics, aligned at the window's {cfg.align})")
    base = defaults()
    res, tg = calibrate(cfg.observed, (start, end), list(cfg.cal_params), particles=cfg.particles,
                        generations=cfg.generations, replicates=cfg.replicates, seed=cfg.seed, store=cfg.store,
                        scenario=sc, base=base, workers=cfg.workers, max_simulations_per_generation=cfg.budget,
                        progress=say, sim_days=cfg.sim_days, time_stats=cfg.time_stats, align=cfg.align,
                        recent_weight=cfg.recent_weight,
                        checkpoint=(Path(cfg.out_dir) / f"calibration_{origin.isoformat()}.ckpt.npz"
                                    if cfg.out_dir else None))
    doc = result_document(res, tg, period, source_note=f"calibrated: ABC-SMC on {cfg.observed} {period} (backtest)")
    out = Path(cfg.out_dir) if cfg.out_dir else Path(_tmpdir())
    fp = write_result(doc, out / f"calibration_{origin.isoformat()}.yaml",
                      header=f"# Backtest calibration for the origin {origin}: data {period} only.")
    return {"posterior": shown_path(fp), "period": period, "method": doc["method"]["name"],
            "simulations": res.simulations, "statistics": list(tg.names), "seconds": round(float(res.meta.get("seconds", 0.0)), 1),
            "posterior_summary": doc["posterior"], "alignment": doc["method"]["alignment"]}


def _tmpdir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="azalai-backtest-")


def _finite(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def score_origin(samples, regions, months, observed, history, cfg: BacktestConfig) -> dict:
    """Scores of the model and the benchmarks for each variable (see the module docstring)."""
    from azalai.analysis import scoring as sc_
    from azalai.analysis.forecast import to_array

    out = {}
    H = len(months)
    for v in ("fatalities", "events"):
        model = to_array(samples, regions, months, v)
        obs = (observed.pivot_table(index="admin1", columns="month", values=v, aggfunc="sum")
               .reindex(index=list(regions), columns=list(months)).fillna(0).to_numpy(dtype=float))
        fc = {
            "model": model,
            "persistence": sc_.persistence(history, regions, H, v),
            "climatology": sc_.climatology(history, regions, H, v),
            "negbin_trend": sc_.negbin_trend(history, regions, H, v, seed=cfg.seed),
        }
        table = sc_.score_table(obs, fc, "model", n_boot=cfg.n_boot, seed=cfg.seed)
        rows = [{k: _finite(val) for k, val in r.items()} for r in table.to_dict(orient="records")]
        out[v] = {
            "scores": rows,
            "total": sc_.totals_check(obs, model, 0.9),
            "regional_spearman": _finite(sc_.regional_spearman(obs, model)),
            "observed_by_region": {r: float(x) for r, x in zip(regions, obs.sum(axis=1))},
            "model_median_by_region": {r: float(x) for r, x in zip(regions, np.median(model.sum(axis=1), axis=1))},
        }
    return out


def run_backtest(cfg: BacktestConfig, say: Callable[[str], None] | None = None) -> dict:
    """Every origin's calibration, forecast and scores, as a JSON-ready dict."""
    from azalai.analysis.panel import data_months, month_list, observed_panel
    from azalai.analysis.forecast import add_months, country_regions, run_forecast
    from azalai.scenario.loader import resolve_scenario

    say = say or (lambda s: None)
    results = []
    for name in cfg.scenarios:
        sc = resolve_scenario(name)
        origin = sc.calendar.start
        if origin.day != 1:
            raise InputError(Problem("<arguments>", None, None, "--scenario",
                                     f"{sc.meta.id} starts on {origin}; a backtest origin must be a month's first day"),
                             file="<arguments>")
        # every data window is checked before any work starts
        if cfg.calibration == "run":
            calibration_window(origin, cfg)
            check_align(cfg.align)
            check_recent_weight(cfg.recent_weight)
        hist_end = origin - _dt.timedelta(days=1)
        check_window(origin, cfg.history_start, hist_end, "benchmark history", "--history-start")
        last = add_months(origin, cfg.months) - _dt.timedelta(days=1)
        first_data, last_data = data_months(cfg.store, cfg.observed)
        if last_data is None or last_data < last.replace(day=1):
            raise InputError(Problem("<store>", None, None, "--observed",
                                     f"the store's {cfg.observed} data end at {last_data}; scoring {origin}..{last} "
                                     f"needs data to {last.replace(day=1)} (shorten --months)"), file="<store>")
        regions = country_regions(sc)
        months = month_list(origin, last)
        history = observed_panel(cfg.store, cfg.observed, cfg.history_start, hist_end, regions)
        assert history["month"].max() < origin  # the benchmarks see only months before the origin
        observed = observed_panel(cfg.store, cfg.observed, origin, last, regions)
        cal = calibration_for(origin, sc, cfg, say)
        say(f"forecasting {cfg.months} months from {origin} ({cfg.members} members)")
        samples, info = run_forecast(sc, cfg.months, cfg.members, cfg.draws, cfg.seed, cal["posterior"], cfg.point,
                                     "registry")
        scores = score_origin(samples, regions, months, observed, history, cfg)
        results.append({"scenario": sc.meta.id, "origin": origin.isoformat(), "through": last.isoformat(),
                        "calibration": cal, "forecast": asdict(info),
                        "history": f"{cfg.history_start.isoformat()}:{hist_end.isoformat()}",
                        "observed": cfg.observed, "variables": scores})
        if cfg.out_dir:
            from azalai.analysis.forecast import quantile_table, write_forecast

            write_forecast(quantile_table(samples), Path(cfg.out_dir) / f"forecast_{origin.isoformat()}.parquet",
                           info, {"calibration_period": cal["period"]})
    return {"origins": results, "months": cfg.months, "members": cfg.members, "seed": cfg.seed}


__all__ = ["BacktestConfig", "run_backtest", "LeakError", "check_window", "calibration_window"]

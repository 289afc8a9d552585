"""`azalai validate` and `azalai calibrate`: the model against observed ACLED or UCDP data."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal, Optional

import typer

from azalai.cli.args import check_out_dir, check_out_file
from azalai.cli.console import err, esc, out
from azalai.cli.formats import TableJson, format_option
from azalai.defaults import DEFAULT_SCENARIO
from azalai.limits import check_all, check_seed_span


STORE_HELP = "store file with the imported observed data (default $AZALAI_STORE or ./azalai-runs/azalai.duckdb)"
OBSERVED_HELP = "observed data to compare with: acled (event rows), ucdp (GED events) or acled-aggregates"
PERIOD_HELP = "observed period START:END, e.g. 2015-01-01:2016-06-30 (the model runs for as many days)"
Align = Literal["start", "end"]
ALIGN_HELP = ("start: each replicate runs the whole period, its first year set against the period's first; "
              "end: each replicate runs the period's last year (the model's first year), set against that "
              "year's statistics and the whole period's per-year averages (no trend)")
RECENT_WEIGHT_HELP = "with --align end: weight of each group of the last year's statistics in the distance"


def align_option(default: str) -> Align:
    return typer.Option(default, "--align", show_choices=True, help=ALIGN_HELP)


def recent_weight_option() -> float:
    from azalai.analysis.calibration_align import DEFAULT_RECENT_WEIGHT

    return typer.Option(DEFAULT_RECENT_WEIGHT, "--recent-weight", min=0.0, help=RECENT_WEIGHT_HELP)


def validate_cmd(
    observed: str = typer.Option(..., "--observed", help=OBSERVED_HELP),
    period: str = typer.Option(..., "--period", help=PERIOD_HELP),
    n: int = typer.Option(50, "-n", "--replicates", min=1, help="ensemble size"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    out_dir: Path = typer.Option(Path("validation"), "--out", help="directory for validation.md, .json and figures"),
    params: Optional[Path] = typer.Option(None, "--params", help="parameter file (YAML: a mapping or {values: ...})"),
    posterior: bool = typer.Option(False, "--posterior",
                                   help="with a calibration file as --params: draw each replicate's parameters "
                                        "from its posterior"),
    seed: int = typer.Option(1, "--seed", help="first seed; replicates use seed, seed+1, ..."),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", help="scenario (built-in name or YAML file)"),
    policy: Optional[str] = typer.Option(None, "--policy", help="policy (default baseline-2016)"),
    fmt: TableJson = format_option(help="table (summary lines) | json (the whole result, as in validation.json)"),
) -> None:
    """Run an ensemble over an observed period's length and compare it with the observed data."""
    from azalai.analysis.validation import source_and_level, validate
    from azalai.report.validation_report import write_outputs
    from azalai.model.params import load_param_file

    check_all(n=(n, "--replicates"), seed=(seed, "--seed"))
    check_seed_span(seed, n, "--seed")
    check_out_dir(out_dir, force=True)
    source_and_level(observed)
    values = load_param_file(params) if params else None
    samples = None
    if posterior:
        if not params:
            from azalai.errors import InputError, Problem

            raise InputError(Problem("<argument>", None, None, "--posterior", "needs --params FILE"), file="<argument>")
        from azalai.analysis.calibration import sample_posterior

        samples = sample_posterior(params, n, seed)
        values = None
    err.print(f"running {n} replicates against {observed} {period} ...", highlight=False, markup=False)
    v = validate(observed, period, n=n, store=store, params=values, param_samples=samples, seed=seed,
                 scenario=scenario, policy=policy)
    paths = write_outputs(v, out_dir)
    if fmt == "json":
        sys.stdout.write(v.to_json() + "\n")
        return
    r = v.result
    a = r["annual_rate"]
    sp = r["regions"]["spearman"]

    def f(x, nd=0):
        return "–" if x is None else f"{x:,.{nd}f}"

    out.print(f"[bold]{esc(observed)}[/] {r['period']['start']} to {r['period']['end']}, {r['replicates']} replicates",
              highlight=False)
    out.print(f"fatalities per year: observed {f(a['observed'])}, model {f(a['model_median'])} "
              f"[{f(a['model_lo'])}–{f(a['model_hi'])}]", highlight=False)
    out.print(f"regional Spearman ρ: median {f(sp['median'], 2)} [{f(sp['lo'], 2)}–{f(sp['hi'], 2)}]", highlight=False)
    cov = r["monthly"]["coverage"]
    out.print(f"monthly coverage of the 90% band: {'–' if cov is None else f'{100 * cov:.0f}%'}", highlight=False)
    es = r["event_sizes"]
    out.print(f"tail exponent: observed {f(es['observed_tail']['alpha'], 2)}, model {f(es['model_tail']['alpha'], 2)}; "
              f"KS {f(es['ks']['statistic'], 2)}", highlight=False)
    out.print(f"wrote {paths['markdown']}, {paths['json']} and {len(paths) - 2} figures", highlight=False, markup=False)


def calibrate_cmd(
    observed: str = typer.Option(..., "--observed", help=OBSERVED_HELP),
    period: str = typer.Option(..., "--period", help=PERIOD_HELP),
    params: str = typer.Option(..., "--params", help="comma-separated parameters to calibrate, e.g. clash_base,attack_base, or 'shipped' for the "
                                                     "twenty of the shipped calibration"),
    particles: int = typer.Option(100, "--particles", min=4, help="particles per generation"),
    generations: int = typer.Option(4, "--generations", min=1, help="ABC-SMC generations (the first is the prior)"),
    replicates: int = typer.Option(4, "--replicates", min=1, help="replicates pooled per particle"),
    out_file: Path = typer.Option(Path("calibrated.yaml"), "--out", help="calibrated parameter set (YAML)"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    seed: int = typer.Option(1, "--seed", help="random seed of the sampler"),
    workers: int = typer.Option(1, "--workers", min=1, help="processes simulating in parallel"),
    backend: Optional[str] = typer.Option(None, "--backend",
                                          help="serial | thread | process | ray (default: process with --workers > 1)"),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (ray backend)"),
    sampler: str = typer.Option("azalai", "--sampler",
                                help="azalai (the project's ABC-SMC) | pyabc (pyABC's ABCSMC on the same problem; "
                                     "--checkpoint is then its SQLite history)"),
    base: Optional[Path] = typer.Option(None, "--base", help="parameter file for the parameters not calibrated"),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", help="scenario (built-in name or YAML file)"),
    policy: Optional[str] = typer.Option(None, "--policy", help="policy (default baseline-2016)"),
    time_stats: bool = typer.Option(False, "--time-stats/--pooled-stats",
                                    help="also fit statistics that see time: level and trend, the latest year's "
                                         "regional split, monthly dispersion (ACLED only; full-length replicates)"),
    align: Align = align_option("start"),
    recent_weight: float = recent_weight_option(),
    interactions: bool = typer.Option(False, "--fit-interactions",
                                      help="also fit who fights whom: the shares of fatalities of forces against "
                                           "armed groups, armed groups against each other and against civilians "
                                           "(ACLED only)"),
    checkpoint: Optional[Path] = typer.Option(None, "--checkpoint",
                                              help="file saved after every generation; run the same command "
                                                   "again after a kill to resume from it"),
    fmt: TableJson = format_option(help="table (posterior lines) | json (the posterior document)"),
) -> None:
    """Calibrate parameters on observed data by ABC-SMC; write the posterior as a parameter file."""
    from azalai.analysis.calibration import (calibrate, check_param_names, check_recent_weight, check_sampler,
                                             result_document, write_result)
    from azalai.analysis.validation import source_and_level
    from azalai.model.params import load_param_file

    check_all(n=(particles, "--particles"), seed=(seed, "--seed"), workers=(workers, "--workers"))
    check_all(n=(generations, "--generations"))
    check_all(n=(replicates, "--replicates"))
    check_out_file(out_file)
    source_and_level(observed)
    if backend is not None:
        from azalai.cli.experiment_cmd import check_choice
        from azalai.experiment.executors import BACKENDS

        check_choice(backend, BACKENDS, "--backend")
    names = check_param_names(params.split(","))
    check_sampler(sampler)
    check_recent_weight(recent_weight)
    base_vals = load_param_file(base) if base else None
    err.print(f"ABC-SMC on {', '.join(names)}: {particles} particles x {generations} generations, "
              f"{replicates} replicates each, aligned at the period's {align}", highlight=False)
    res, tg = calibrate(observed, period, names, particles, generations, replicates, seed, store, scenario, policy,
                        base_vals, workers=workers, progress=lambda s: err.print(s, highlight=False),
                        time_stats=time_stats, checkpoint=checkpoint, backend=backend, address=address,
                        sampler=sampler, align=align, recent_weight=recent_weight, interactions=interactions)
    doc = result_document(res, tg, period, base=base_vals)
    write_result(doc, out_file, header=f"# azalai calibrate --observed {observed} --period {period} --params {params} "
                                       f"--align {align}" + (f" --recent-weight {recent_weight:g}" if align == "end" else "")
                                       + (" --fit-interactions" if interactions else ""))
    if fmt == "json":
        sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")
        return
    for nme, q in doc["posterior"].items():
        out.print(f"{nme}: median {q['median']:g} [90%: {q['q05']:g} – {q['q95']:g}]", highlight=False)
    out.print(f"wrote {out_file} ({res.simulations} simulations)", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
    app.command("calibrate")(calibrate_cmd)

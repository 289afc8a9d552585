"""`azalai ensemble`, `azalai sensitivity`, `azalai discover`: experiments over many runs."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from azalai.cli.args import check_out_dir, check_run_id, check_store_path
from azalai.cli.console import err, out
from azalai.cli.formats import TableJson, format_option
from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
from azalai.errors import InputError, Problem
from azalai.limits import check_all, check_seed_span
from azalai.model.outcomes import key_outcomes



def _bad(field: str, msg: str) -> InputError:
    return InputError(Problem("<arguments>", None, None, field, msg))


def check_choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise _bad(field, f"{value!r} is not one of {', '.join(allowed)}")
    return value


BACKEND_HELP = "serial | thread | process | ray (default: thread with --workers above 1, else serial)"


def pick_backend(backend: Optional[str], workers: Optional[int]) -> str:
    """``--backend`` checked, or when it is not given: threads of this process when more than one worker is
    asked for, else serial."""
    from azalai.experiment.executors import BACKENDS

    if backend is None:
        return "thread" if workers is not None and workers > 1 else "serial"
    return check_choice(backend, BACKENDS, "--backend")


def _split(s: Optional[str]) -> Optional[list[str]]:
    if not s:
        return None
    return [x.strip() for x in s.split(",") if x.strip()]


class _Reporter:
    """Rich progress bar with runs/s on a terminal; one line per stored batch otherwise (logs, CI)."""

    def __init__(self, label: str, quiet: bool = False) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
            TimeRemainingColumn

        self.live = err.is_terminal and not quiet
        self.quiet = quiet
        self.t0 = time.perf_counter()
        self.first: Optional[int] = None
        self.task = None
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} runs/s"), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
            console=err, transient=False,
        ) if self.live else None
        self.label = label

    def __enter__(self):
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, done: int, total: int) -> None:
        if self.first is None:
            self.first = done
            self.t0 = time.perf_counter()
        dt = time.perf_counter() - self.t0
        rate = (done - self.first) / dt if dt > 0 else 0.0
        if self.progress is not None:
            if self.task is None:
                self.task = self.progress.add_task(self.label, total=total, completed=done, rate="-")
            self.progress.update(self.task, completed=done, rate=f"{rate:.1f}")
        elif not self.quiet and done > self.first:
            print(f"stored {done}/{total} replicates ({rate:.1f} runs/s)", file=sys.stderr, flush=True)


def _summary(df, run_id, n, wall, executed, status="done") -> dict:
    from azalai.experiment.summary import summarise

    cols = [c for c in df.columns if c not in ("replicate", "seed")]
    return {
        "run_id": run_id,
        "status": status,
        "n": int(len(df)),
        "planned": int(n),
        "runs_executed": int(executed),
        "wall_seconds": round(float(wall), 4),
        "runs_per_second": round(executed / wall, 3) if wall > 0 else None,
        "outcomes": summarise(df, cols),
    }


def ensemble_cmd(
    ctx: typer.Context,
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", "-s", help="built-in scenario name or YAML file"),
    policy: str = typer.Option(DEFAULT_POLICY, "--policy", "-p", help="built-in policy name or YAML file"),
    n: int = typer.Option(100, "-n", "--n", help="number of replicates"),
    seed: int = typer.Option(0, "--seed", help="first seed; replicate i runs with seed+i"),
    days: Optional[int] = typer.Option(None, "--days", help="days to simulate (default: the scenario's horizon)"),
    backend: Optional[str] = typer.Option(None, "--backend", help=BACKEND_HELP),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", help="workers: threads (thread), processes (process) or Ray CPUs (ray)"),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (ray backend)"),
    resume: Optional[str] = typer.Option(None, "--resume", help="run id of an interrupted ensemble to complete"),
    events: bool = typer.Option(False, "--events", help="also store every replicate's events (run_events)"),
    store: Optional[Path] = typer.Option(None, "--store", help="DuckDB store (default $AZALAI_STORE or "
                                                               "./azalai-runs/azalai.duckdb)"),
    batch_size: int = typer.Option(32, "--batch-size", help="replicates per vectorised batch"),
    param_file: Optional[Path] = typer.Option(None, "--params", help="YAML file of parameter overrides"),
    fmt: TableJson = format_option(),
) -> None:
    """Run N replicates in batches, storing each batch as it completes (resumable with --resume)."""
    from azalai.experiment.ensemble import resume_ensemble, run_ensemble

    backend = pick_backend(backend, workers)
    check_all(n=(n, "-n"), days=(days, "--days"), batch_size=(batch_size, "--batch-size"),
              workers=(workers, "--workers"), seed=(seed, "--seed"))
    check_seed_span(seed, n, "--seed")
    params = None
    if param_file is not None:
        from azalai.model.params import load_param_file

        params = load_param_file(param_file)
    spath = check_store_path(store)
    if resume:
        check_run_id(resume, "--resume")
        _check_resume(ctx, resume, spath, dict(scenario=scenario, policy=policy, n=n, seed=seed, days=days,
                                               events=events, batch_size=batch_size, param_file=params))
    run_ref: dict[str, str] = {}

    def announce(rid: str) -> None:
        run_ref["id"] = rid
        print(f"run {rid} -> {spath}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    try:
        with _Reporter("ensemble") as rep:
            if resume:
                run_ref["id"] = resume
                res = resume_ensemble(resume, store=spath, backend=backend, workers=workers, progress=rep,
                                      address=address, on_run_id=announce)
            else:
                res = run_ensemble(scenario, policy, n=n, seed=seed, days=days, params=params, backend=backend,
                                   workers=workers, store=spath, events=events, progress=rep, batch_size=batch_size,
                                   address=address, on_run_id=announce)
    except (KeyboardInterrupt, Exception) as exc:
        from azalai import interrupts

        # Ctrl-C, or an error a signal caused (DuckDB turns a signal that lands during a store write into its
        # own error): the same message either way; any other error goes to the entry point.
        if not isinstance(exc, KeyboardInterrupt) and interrupts.first() is None:
            raise
        rid = run_ref.get("id", "?")
        err.print(f"interrupted: the completed batches of run {rid} are stored; "
                  f"complete it with `azalai ensemble --resume {rid}`")
        # sys.exit, not typer.Exit: the entry point runs Typer with standalone_mode=False, where click turns
        # Exit into a return value and the status would be lost
        sys.exit(130 if isinstance(exc, KeyboardInterrupt) else 128 + interrupts.first())
    wall = time.perf_counter() - t0
    df, run_id = res
    executed = int(df.attrs.get("runs_executed", len(df)))
    summ = _summary(df, run_id, len(df) if resume else n, wall, executed)
    if fmt == "json":
        print(json.dumps(summ, indent=2))
        return
    t = Table(title=f"ensemble {run_id}: {summ['n']} replicates, {wall:.1f} s, "
                    f"{summ['runs_per_second'] or 0:.1f} runs/s")
    for col in ("outcome", "mean", "5%", "25%", "median", "75%", "95%"):
        t.add_column(col, justify="left" if col == "outcome" else "right")
    for o in key_outcomes():
        s = summ["outcomes"].get(o)
        if s:
            t.add_row(o, *(f"{s[k]:.4g}" for k in ("mean", "q05", "q25", "q50", "q75", "q95")))
    out.print(t)
    out.print(f"all {len(summ['outcomes'])} outcomes: `azalai ensemble --resume {run_id} --format json`")


_RESUME_OPTIONS = {"scenario": "--scenario", "policy": "--policy", "n": "-n", "seed": "--seed", "days": "--days",
                   "events": "--events", "batch_size": "--batch-size", "param_file": "--params"}


def _check_resume(ctx: typer.Context, run_id: str, spath: Path, given: dict) -> None:
    """Refuse options given with --resume that contradict what the stored ensemble was started with."""
    from azalai.experiment.ensemble import stored_spec
    from azalai.experiment.store import open_store

    def typed_by_user(name: str) -> bool:  # compared by name: Typer may bundle its own copy of click
        source = ctx.get_parameter_source(name)
        return getattr(source, "name", "") in ("COMMANDLINE", "ENVIRONMENT")

    typed = [k for k in _RESUME_OPTIONS if typed_by_user(k)]
    if not typed:
        return
    if not spath.exists():
        raise _bad("--resume", f"no store at {spath}")
    con = open_store(spath)
    try:
        spec = stored_spec(con, run_id)
    finally:
        con.close()
    if spec is None:
        raise _bad("--resume", f"no ensemble {run_id!r} in the store {spath}")
    stored = dict(spec, param_file=spec["overrides"])
    problems = []
    for k in typed:
        if given[k] != stored[k]:
            problems.append(Problem("<arguments>", None, None, _RESUME_OPTIONS[k],
                                    f"{_RESUME_OPTIONS[k]} {given[k]!r} contradicts the stored run ({stored[k]!r}); "
                                    "--resume completes a run as it was started: drop the option, or start a new "
                                    "ensemble"))
    if problems:
        raise InputError(problems)


def sensitivity_cmd(
    method: str = typer.Option("sobol", "--method", help="sobol | morris"),
    params: Optional[str] = typer.Option(None, "--params", help="comma-separated registry parameters "
                                                                "(default: the ten most uncertain)"),
    N: int = typer.Option(32, "-N", help="Sobol base samples (power of 2) or Morris trajectories"),
    outcome: str = typer.Option("fatalities,signatory_clashes,jihadist_support,false_tip_share_acted", "--outcome",
                                help="outcome(s), comma-separated"),
    replicates: int = typer.Option(2, "--replicates", "-r", help="seeds per parameter sample (averaged)"),
    days: int = typer.Option(365, "--days"),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", "-s"),
    policy: str = typer.Option(DEFAULT_POLICY, "--policy", "-p"),
    seed: int = typer.Option(0, "--seed"),
    backend: Optional[str] = typer.Option(None, "--backend", help=BACKEND_HELP),
    workers: Optional[int] = typer.Option(None, "--workers", "-w"),
    out_dir: Path = typer.Option(Path("out/sensitivity"), "--out", help="directory for CSV, Markdown and figure"),
    fmt: TableJson = format_option(),
) -> None:
    """Global sensitivity of outcomes to registry parameters (SALib Sobol or Morris)."""
    from azalai.experiment import sensitivity as sa

    check_choice(method, ("sobol", "morris"), "--method")
    backend = pick_backend(backend, workers)
    check_all(n=(N, "-N"), days=(days, "--days"), seed=(seed, "--seed"), workers=(workers, "--workers"))
    check_all(n=(replicates, "--replicates"))
    check_out_dir(out_dir, force=True)
    names = _split(params) or sa.DEFAULT_PARAMS
    outcomes = _split(outcome) or sa.DEFAULT_OUTCOMES
    _check_outcomes(outcomes, scenario)
    problem = sa.problem_from_registry(names)
    with _Reporter(f"{method}", quiet=fmt == "json") as rep:
        ev = sa.model_evaluator(scenario, policy, names, outcomes, replicates=replicates, days=days, seed=seed,
                                backend=backend, workers=workers, progress=rep)
        t0 = time.perf_counter()
        df = sa.sobol(problem, ev, N=N, seed=seed) if method == "sobol" else sa.morris(problem, ev, N=N, seed=seed)
        wall = time.perf_counter() - t0
    df.attrs.update(replicates=replicates, days=days)
    paths = sa.write_results(df, out_dir)
    if fmt == "json":
        print(json.dumps({"method": method, "samples": df.attrs["runs"], "replicates": replicates,
                          "wall_seconds": round(wall, 3), "files": {k: str(v) for k, v in paths.items()},
                          "indices": df.to_dict(orient="records")}, indent=2, default=float))
        return
    cols = ["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else ["mu_star", "mu_star_conf", "sigma", "mu"]
    for o in outcomes:
        t = Table(title=f"{method} indices of {o} ({df.attrs['runs']} samples x {replicates} replicates, {days} days)")
        t.add_column("parameter")
        for c in cols:
            t.add_column(c, justify="right")
        d = df[df["outcome"] == o].sort_values(cols[2] if method == "sobol" else cols[0], ascending=False)
        for _, r in d.iterrows():
            t.add_row(r["parameter"], *(f"{r[c]:.3g}" for c in cols))
        out.print(t)
    out.print(f"written: {', '.join(str(p) for p in paths.values())}", markup=False)


def _check_outcomes(outcomes: list[str], scenario: str = DEFAULT_SCENARIO) -> None:
    import difflib

    from azalai.experiment.summary import outcome_names

    known = outcome_names(scenario)
    bad = [o for o in outcomes if o not in known]
    if bad:
        hint = difflib.get_close_matches(bad[0], known, n=1)
        raise _bad("--outcome", f"unknown outcome {bad[0]!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))


def discover_cmd(
    outcome: str = typer.Option(..., "--outcome", help="outcome to explain"),
    threshold: float = typer.Option(..., "--threshold", help="cases of interest: outcome above/below this"),
    above: bool = typer.Option(True, "--above/--below", help="cases above (default) or below the threshold"),
    policy: str = typer.Option(DEFAULT_POLICY, "--policy", "-p"),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", "-s"),
    n: int = typer.Option(200, "-n", "--n", help="Latin hypercube samples"),
    params: Optional[str] = typer.Option(None, "--params", help="comma-separated registry parameters"),
    days: int = typer.Option(365, "--days"),
    replicates: int = typer.Option(1, "--replicates", "-r", help="seeds per sample (outcome averaged)"),
    seed: int = typer.Option(0, "--seed"),
    density: float = typer.Option(0.8, "--density", help="minimum box density for the chosen box"),
    backend: Optional[str] = typer.Option(None, "--backend", help=BACKEND_HELP),
    workers: Optional[int] = typer.Option(None, "--workers", "-w"),
    out_dir: Path = typer.Option(Path("out/discovery"), "--out"),
    fmt: TableJson = format_option(),
) -> None:
    """Scenario discovery: PRIM boxes of the uncertainty space where an outcome crosses a threshold."""
    from azalai.experiment import discovery as dc
    from azalai.experiment.sensitivity import DEFAULT_PARAMS

    backend = pick_backend(backend, workers)
    check_all(n=(n, "-n"), days=(days, "--days"), seed=(seed, "--seed"), workers=(workers, "--workers"))
    check_all(n=(replicates, "--replicates"))
    if not math.isfinite(threshold):
        raise _bad("--threshold", f"must be a finite number (got {threshold})")
    if not (0.0 < density <= 1.0):
        raise _bad("--density", f"must be in (0, 1] (got {density})")
    check_out_dir(out_dir, force=True)
    _check_outcomes([outcome], scenario)
    names = _split(params) or DEFAULT_PARAMS
    with _Reporter("discover", quiet=fmt == "json") as rep:
        res = dc.discover(outcome, threshold, above, scenario=scenario, policy=policy, n=n, names=names, days=days,
                          replicates=replicates, seed=seed, backend=backend, workers=workers,
                          prim_threshold=density, progress=rep)
    paths = dc.write_discovery(res, out_dir)
    summ = res.summary()
    summ["files"] = {k: str(v) for k, v in paths.items()}
    if fmt == "json":
        print(json.dumps(summ, indent=2, default=float))
        return
    word = "above" if above else "below"
    out.print(f"{int(res.cases.sum())} of {len(res.y)} samples have {outcome} {word} {threshold:g}")
    if not res.boxes:
        out.print("no box found")
    for k, b in enumerate(res.boxes, 1):
        t = Table(title=f"box {k}: coverage {b.coverage:.2f}, density {b.density:.2f}, mass {b.mass:.2f}")
        for c in ("parameter", "min", "max", "quasi-p"):
            t.add_column(c, justify="left" if c == "parameter" else "right")
        for name, (lo, hi) in b.limits.items():
            t.add_row(name, f"{lo:.4g}", f"{hi:.4g}", f"{b.qp.get(name, float('nan')):.2g}")
        out.print(t)
    out.print(f"written: {', '.join(str(p) for p in paths.values())}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("ensemble")(ensemble_cmd)
    app.command("sensitivity")(sensitivity_cmd)
    app.command("discover")(discover_cmd)

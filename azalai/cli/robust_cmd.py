"""`azalai robust`: which candidate policy holds up across the states of the world?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from azalai.cli.formats import TableJson, format_option
from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem

out = Console()
err = Console(stderr=True)


def _bad(field: str, msg: str) -> InputError:
    return InputError(Problem("<arguments>", None, None, field, msg))


def _fmt(x: float) -> str:
    a = abs(x)
    return f"{x:,.0f}" if a >= 1000 else f"{x:.3g}"


def print_table(view: dict) -> None:
    objs = [o["name"] for o in view["objectives"]]
    t = Table(title=f"{view['candidates']} candidates x {view['worlds']} states of the world x {view['seeds']} seeds "
                    f"({', '.join(view['sources'] or [])})")
    t.add_column("rank", justify="right")
    t.add_column("candidate")
    if view["thresholds"]:
        t.add_column("satisficing [95% CI]", justify="right")
    for o in view["objectives"]:
        t.add_column(f"{o['name']} ({o['sense']}) mean [CI]", justify="right")
        t.add_column("regret p90 / max", justify="right")
    t.add_column("Pareto")
    for r in view["ranking"]:
        cells = [str(r["rank"]), r["label"] + (" (baseline)" if r["baseline"] else "")]
        if view["thresholds"]:
            lo, hi = r["satisficing_ci"]
            cells.append(f"{r['satisficing']:.0%} [{lo:.0%}, {hi:.0%}]")
        for name in objs:
            m = r["objectives"][name]
            cells += [f"{_fmt(m['mean'])} [{_fmt(m['mean_ci'][0])}, {_fmt(m['mean_ci'][1])}]",
                      f"{_fmt(m['regret_p90'])} / {_fmt(m['regret_max'])}"]
        cells.append("yes" if r["pareto"] else "")
        t.add_row(*cells)
    out.print(t)
    out.print(f"Pareto front on the {view['pareto_metric']} of {', '.join(objs)}: {', '.join(view['pareto'])}")
    for f in view["failures"]:
        out.print("- " + f["text"])


def register(app: typer.Typer) -> None:
    @app.command("robust")
    def robust(
        policies: str = typer.Option("all", "--policies",
                                     help="'all' (the built-in policies), a comma-separated list, or a policy-space file"),
        uncertainty: str = typer.Option("posterior,scenario", "--uncertainty",
                                        help="sources of the states of the world: posterior, scenario, influential"),
        n: int = typer.Option(200, "-n", help="states of the world"),
        seeds: int = typer.Option(4, "--seeds", help="common seeds per (candidate, world)"),
        seed: int = typer.Option(0, "--seed", help="seed of the world sample and first common seed"),
        days: Optional[int] = typer.Option(None, "--days", help="days per run (default: the scenario's horizon)"),
        scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", help="scenario name or file"),
        objectives: str = typer.Option("fatalities,signatory_clashes,jihadist_support", "--objectives",
                                       help="outcomes to minimise; prefix max: to maximise"),
        satisfice: str = typer.Option("", "--satisfice", help='thresholds, e.g. "fatalities<=600,signatory_clashes<=5"'),
        pareto_on: str = typer.Option("mean", "--pareto-on", help="metric of the Pareto front: mean, q90 or regret_p90"),
        leaders: int = typer.Option(3, "--leaders", help="explain the failures of this many leading candidates"),
        baseline: Optional[str] = typer.Option(None, "--baseline", help="candidate to compare with (default: the first)"),
        backend: str = typer.Option("process", "--backend", help="serial, thread, process or ray"),
        workers: Optional[int] = typer.Option(None, "--workers", help="worker threads or processes / Ray CPUs"),
        address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address"),
        store: Optional[Path] = typer.Option(None, "--store", help="DuckDB store (default $AZALAI_STORE or ./azalai-runs)"),
        no_store: bool = typer.Option(False, "--no-store", help="keep results in memory only"),
        resume: Optional[str] = typer.Option(None, "--resume", help="finish (or re-analyse) a stored robust run"),
        fmt: TableJson = format_option(),
        out_file: Optional[Path] = typer.Option(None, "--out", help="also write the JSON view to this file"),
    ) -> None:
        """Run candidate policies across states of the world and rank them by robustness."""
        from azalai.analysis.decide import PARETO_METRICS, analyse
        from azalai.analysis.robustness import parse_objectives, parse_satisfice
        from azalai.experiment.summary import outcome_names
        from azalai.experiment.executors import BACKENDS
        from azalai.experiment.robust import resume_robust, run_robust
        from azalai.experiment.robust import parse_sources
        from azalai.policy.space import resolve_candidates

        if backend not in BACKENDS:
            raise _bad("--backend", f"must be one of {', '.join(BACKENDS)} (got {backend!r})")
        if pareto_on not in PARETO_METRICS:
            raise _bad("--pareto-on", f"must be one of {', '.join(PARETO_METRICS)} (got {pareto_on!r})")
        if n < 2:
            raise _bad("-n", f"needs at least 2 states of the world (got {n})")
        if not 1 <= seeds <= 1000:
            raise _bad("--seeds", f"must be 1..1000 (got {seeds})")
        if leaders < 0:
            raise _bad("--leaders", f"must be 0 or more (got {leaders})")
        if no_store and resume:
            raise _bad("--resume", "needs the store (drop --no-store)")
        known = outcome_names()
        objs = parse_objectives(objectives, known)
        thresholds = parse_satisfice(satisfice, known)
        parse_sources(uncertainty)
        the_store = None if no_store else (str(store) if store else True)
        from azalai.cli.experiment_cmd import _Reporter

        with _Reporter("robust", quiet=fmt == "json") as rep:
            if resume:
                data = resume_robust(resume, store=the_store, backend=backend, workers=workers, address=address,
                                     progress=rep)
            else:
                cands = resolve_candidates(policies)
                if len(cands) < 2:
                    raise _bad("--policies", "compare at least two candidates")
                data = run_robust(cands, scenario=scenario, sources=uncertainty, n=n, seeds=seeds, seed=seed,
                                  days=days, backend=backend, workers=workers, address=address, store=the_store,
                                  progress=lambda done, total: rep(done * seeds, total * seeds))
        view = analyse(data, objs, thresholds, leaders=leaders, pareto_metric=pareto_on, baseline=baseline, seed=seed)
        view["wall_seconds"] = data.frame.attrs.get("wall_seconds")
        text = json.dumps(view, indent=1, default=float)
        if out_file is not None:
            out_file.parent.mkdir(parents=True, exist_ok=True)
            out_file.write_text(text, encoding="utf-8")
        if fmt == "json":
            print(text)
            return
        print_table(view)
        if data.robust_id:
            out.print(f"stored as {data.robust_id} (open it on the dashboard's Decide page, or "
                      f"`azalai report --robust {data.robust_id}`)")

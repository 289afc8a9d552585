"""`azalai report`: a self-contained HTML report of a stored run or of a paired policy comparison."""

from __future__ import annotations

from pathlib import Path

import typer

from azalai.cli.args import check_run_id
from azalai.cli.console import out
from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError
from azalai.limits import check_all, check_seed_span


def report_cmd(
    run_id: str | None = typer.Argument(None, help="run id in the store (see `azalai serve` or the runs table)"),
    store: Path | None = typer.Option(None, "--store", help="DuckDB run store"),
    out_dir: Path | None = typer.Option(None, "--out", help="output directory (default reports/<id>)"),
    compare: tuple[str, str] | None = typer.Option(None, "--compare", help="two built-in policies A B"),
    n: int = typer.Option(20, "-n", min=2, max=1000, help="paired replicates for --compare"),
    seed: int = typer.Option(0, "--seed", help="first seed for --compare"),
    days: int | None = typer.Option(None, "--days", help="days for --compare (default: horizon)"),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", help="scenario for --compare"),
    boundaries: Path | None = typer.Option(None, "--boundaries", help="GeoJSON border for the map"),
    robust: str | None = typer.Option(None, "--robust", help="a stored robust run (azalai robust): the Decide page"),
    objectives: str | None = typer.Option(None, "--objectives", help="for --robust: outcomes (max: to maximise)"),
    satisfice: str | None = typer.Option(None, "--satisfice", help='for --robust: e.g. "fatalities<=600"'),
) -> None:
    """Write report.html (figures embedded) and the PNG figures.

    azalai report RUN_ID [--store S] [--out DIR]
    azalai report --compare POLICY_A POLICY_B -n N [--seed S] [--days D] [--out DIR]
    azalai report --robust ROBUST_ID [--objectives ...] [--satisfice ...] [--out DIR]
    """
    from azalai.report.html import compare_report, run_report

    check_all(n=(n, "-n"), seed=(seed, "--seed"), days=(days, "--days"))
    check_seed_span(seed, n, "--seed")
    if run_id is not None:
        check_run_id(run_id)

    b = str(boundaries) if boundaries else None
    if robust:
        if run_id or compare:
            raise InputError("give one of RUN_ID, --compare A B or --robust ID")
        from azalai.report.decide_report import decide_report

        p = decide_report(robust, store=str(store) if store else None, objectives=objectives, satisfice=satisfice,
                          out_dir=out_dir)
    elif compare:
        if run_id:
            raise InputError("give either a RUN_ID or --compare A B, not both")
        p = compare_report(compare[0], compare[1], n=n, seed=seed, days=days, out_dir=out_dir, scenario=scenario,
                           boundaries=b)
    elif run_id:
        p = run_report(run_id, store=str(store) if store else None, out_dir=out_dir, boundaries=b)
    else:
        raise InputError("give a RUN_ID, --compare POLICY_A POLICY_B, or --robust ROBUST_ID")
    out.print(f"report written: {p}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)

"""`azalai report`: a self-contained HTML report of a stored run or of a paired policy comparison."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError

out = Console()


def report_cmd(
    run_id: str | None = typer.Argument(None, help="run id in the store (see `azalai serve` or the runs table)"),
    store: Path | None = typer.Option(None, "--store", help="DuckDB run store"),
    out_dir: Path | None = typer.Option(None, "--out", help="output directory (default reports/<id>)"),
    compare: tuple[str, str] | None = typer.Option(None, "--compare", help="two built-in policies A B"),
    n: int = typer.Option(20, "-n", min=2, max=1000, help="paired replicates for --compare"),
    seed: int = typer.Option(0, "--seed", min=0, help="first seed for --compare"),
    days: int | None = typer.Option(None, "--days", min=1, max=36500, help="days for --compare (default: horizon)"),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", help="scenario for --compare"),
    boundaries: Path | None = typer.Option(None, "--boundaries", help="GeoJSON border for the map"),
) -> None:
    """Write report.html (figures embedded) and the PNG figures.

    azalai report RUN_ID [--store S] [--out DIR]
    azalai report --compare POLICY_A POLICY_B -n N [--seed S] [--days D] [--out DIR]
    """
    from azalai.report.html import compare_report, run_report

    b = str(boundaries) if boundaries else None
    if compare:
        if run_id:
            raise InputError("give either a RUN_ID or --compare A B, not both")
        p = compare_report(compare[0], compare[1], n=n, seed=seed, days=days, out_dir=out_dir, scenario=scenario,
                           boundaries=b)
    elif run_id:
        p = run_report(run_id, store=str(store) if store else None, out_dir=out_dir, boundaries=b)
    else:
        raise InputError("give a RUN_ID, or --compare POLICY_A POLICY_B")
    out.print(f"report written: {p}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)

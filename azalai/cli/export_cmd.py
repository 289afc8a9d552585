"""`azalai runs export`: a stored run's events as CSV, ACLED CSV, GeoJSON or GeoPackage."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional

import typer
from rich.console import Console

from azalai.errors import InputError, Problem

out = Console()

STORE_HELP = "store file (default $AZALAI_STORE or ./azalai-runs/azalai.duckdb)"


def export_cmd(
    run_id: str = typer.Argument(..., help="run id (or a unique prefix of one)"),
    fmt: Literal["csv", "acled-csv", "geojson", "gpkg"] = typer.Option(
        "csv", "--format", show_choices=True,
        help="csv (every column) | acled-csv (ACLED's export columns) | geojson | gpkg (points, WGS 84)"),
    to: Optional[Path] = typer.Option(None, "--out", help="file to write (default ./<run id><suffix>)"),
    seed: Optional[int] = typer.Option(None, "--seed", help="only this replicate's events (default: every stored one)"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    force: bool = typer.Option(False, "--force", help="overwrite an existing file"),
) -> None:
    """Export a stored run's events for QGIS, R, Excel or a table of real ACLED downloads."""
    from azalai.experiment.export import SUFFIX, export_run
    from azalai.experiment.store import open_store, store_path

    p = store_path(store)
    if not p.exists():
        raise InputError(Problem(str(p), None, None, "", "no store here; record a run first (`azalai run`)"))
    con = open_store(p)
    try:
        ids = [r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()]
        matches = [i for i in ids if i == run_id] or [i for i in ids if i.startswith(run_id)]
        if len(matches) != 1:
            why = "matches several runs" if matches else "is not in the store; see `azalai runs list`"
            raise InputError(Problem("<arguments>", None, None, "RUN_ID", f"{run_id!r} {why}"))
        target = to or Path(f"{matches[0]}{SUFFIX[fmt]}")
        if target.exists() and not force:
            raise InputError(Problem(str(target), None, None, "", "file exists; use --force to overwrite it"))
        path, n = export_run(con, matches[0], fmt, target, seed)
    finally:
        con.close()
    out.print(f"wrote {path} ({n} events, {fmt})", highlight=False)


def register(app: typer.Typer) -> None:
    from azalai.cli.runs_cmd import runs_app

    runs_app.command("export")(export_cmd)

"""`azalai serve`: the offline browser dashboard."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

out = Console()


def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="address to bind (loopback by default)"),
    port: int = typer.Option(8050, "--port", min=1, max=65535, help="TCP port"),
    store: Path | None = typer.Option(None, "--store", help="DuckDB run store (default $AZALAI_STORE or ./azalai-runs)"),
    boundaries: Path | None = typer.Option(
        None, "--boundaries", help="GeoJSON of Mali's border for the map (default $AZALAI_BOUNDARIES)"
    ),
) -> None:
    """Serve the dashboard: scenario map, runs, results, comparisons. Everything is served locally."""
    from azalai.errors import InputError

    if boundaries is not None and not boundaries.is_file():
        raise InputError(f"boundaries file not found: {boundaries}", str(boundaries))
    if host not in ("127.0.0.1", "localhost", "::1"):
        out.print(f"[yellow]warning:[/] binding {host}: the dashboard has no authentication; anyone who can reach "
                  "this address can start runs.")  # fmt: skip
    out.print(f"azalai dashboard on http://{host}:{port}/  (Ctrl-C to stop)")
    from azalai.app.server import serve

    serve(host=host, port=port, store=str(store) if store else None, boundaries=str(boundaries) if boundaries else None)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)

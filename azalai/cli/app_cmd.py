"""`azalai serve`: the offline browser dashboard."""

from __future__ import annotations

from pathlib import Path

import typer

from azalai.cli.console import esc, out


def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="address to bind (loopback by default)"),
    port: int = typer.Option(8050, "--port", min=1, max=65535, help="TCP port"),
    store: Path | None = typer.Option(None, "--store", help="DuckDB run store (default $AZALAI_STORE or ./azalai-runs)"),
    boundaries: Path | None = typer.Option(
        None, "--boundaries", help="GeoJSON of Mali's border for the map (default $AZALAI_BOUNDARIES)"
    ),
    allow_host: list[str] = typer.Option(
        [], "--allow-host", help="another host name the dashboard answers to (repeatable; e.g. the name a "
                                 "proxy forwards); loopback names and the --host address are always allowed"
    ),
) -> None:
    """Serve the dashboard: scenario map, runs, results, comparisons. Everything is served locally."""
    from azalai.app.guard import LOOPBACK_HOSTS, WILDCARD_BINDS
    from azalai.errors import InputError

    if boundaries is not None and not boundaries.is_file():
        raise InputError(f"boundaries file not found: {boundaries}", str(boundaries))
    for h in allow_host:
        if not h or len(h) > 253 or any(c.isspace() or c in "/@" for c in h):
            raise InputError(f"--allow-host: not a host name: {h[:60]!r}", "<arguments>")

    def announce() -> None:
        if host not in LOOPBACK_HOSTS:
            out.print(f"[yellow]warning:[/] binding {esc(host)}: the dashboard has no authentication; anyone who "
                      "can reach this address can start runs (see docs/security.md).")  # fmt: skip
        if host in WILDCARD_BINDS and not allow_host:
            out.print("[yellow]note:[/] it answers only to loopback names; give the names it is reached by "
                      "with --allow-host.")  # fmt: skip
        out.print(f"azalai dashboard on http://{host}:{port}/  (Ctrl-C to stop)", markup=False)

    from azalai.app.server import serve

    serve(host=host, port=port, store=str(store) if store else None, boundaries=str(boundaries) if boundaries else None,
          allow_hosts=tuple(allow_host), announce=announce)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)

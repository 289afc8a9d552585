"""The `azalai` command line: one Typer app, one sub-module per pipeline stage."""

from __future__ import annotations

import importlib
import os
import sys

import typer
from rich.console import Console

from azalai import __version__
from azalai.errors import InputError

app = typer.Typer(
    name="azalai",
    help="Simulate the political economy of armed conflict in northern and central Mali.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"azalai {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="print the version and exit"),
) -> None:
    """Simulate the political economy of armed conflict in northern and central Mali.

    Shell completion: `azalai --install-completion` (bash, zsh, fish, PowerShell).
    """

# Each command module exposes `register(app)`. Order is the pipeline's:
# scenario -> policy -> model runs -> experiments -> analysis -> report/app.
COMMAND_MODULES = [
    "azalai.cli.scenario_cmd",
    "azalai.cli.policy_cmd",
    "azalai.cli.data_cmd",
    "azalai.cli.experiment_cmd",
    "azalai.cli.validate_cmd",
    "azalai.cli.forecast_cmd",
    "azalai.cli.run_cmd",
    "azalai.cli.export_cmd",
    "azalai.cli.analysis_cmd",
    "azalai.cli.claims_cmd",
    "azalai.cli.robust_cmd",
    "azalai.cli.report_cmd",
    "azalai.cli.app_cmd",
]

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def _headless_backend() -> None:
    """Without a display, figures go to files: pick matplotlib's Agg backend (only for the command line)."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("MPLBACKEND", "Agg")


def run() -> None:
    """Entry point: bad input gets a clear message and exit status 2, never a traceback."""
    _headless_backend()
    try:
        rv = app(standalone_mode=False)
        if isinstance(rv, int) and rv != 0:
            sys.exit(rv)
    except InputError as exc:
        err.print("[bold red]error:[/]", end=" ")
        err.print(exc.render(), markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # usage errors from click (or the copy of click bundled with Typer)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(2 if exc.exit_code in (None, 0, 1) else exc.exit_code)
        raise

if __name__ == "__main__":
    run()

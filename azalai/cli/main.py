"""The `azalai` command line: one Typer app, one sub-module per pipeline stage."""

from __future__ import annotations

import importlib
import os
import sys

import typer

from azalai import __version__, interrupts
from azalai.cli.console import err
from azalai.errors import InputError, clip

app = typer.Typer(
    name="azalai",
    help="Simulate the political economy of armed conflict in northern and central Mali.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


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
    "azalai.cli.runs_cmd",
    "azalai.cli.params_cmd",
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


def _show(exc: InputError) -> None:
    err.print("[bold red]error:[/]", end=" ")
    err.print(exc.render(), markup=False, highlight=False, soft_wrap=True)


def run() -> None:
    """Entry point: bad input gets a clear message and exit status 2, never a traceback.

    A store that cannot be used (locked, damaged, from another version) is bad input too. Anything else
    unexpected is reported on one line with exit status 1; ``AZALAI_DEBUG=1`` shows its traceback.
    """
    _headless_backend()
    interrupts.install()
    try:
        rv = app(standalone_mode=False)
        if isinstance(rv, int) and rv != 0:
            sys.exit(rv)
    except InputError as exc:
        if interrupts.first() is not None:  # e.g. a store error made of an interrupted query
            sys.exit(128 + interrupts.first())
        _show(exc)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except MemoryError:
        err.print("error: out of memory; ask for fewer days, replicates or a smaller batch size", markup=False)
        sys.exit(1)
    except Exception as exc:
        if interrupts.first() is not None:  # the signal's exit came back as another error: it decides the status
            sys.exit(128 + interrupts.first())
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # usage errors from click (or Typer's copy)
            exc.show()
            sys.exit(2 if exc.exit_code in (None, 0, 1) else exc.exit_code)
        duckdb = sys.modules.get("duckdb")
        if duckdb is not None and isinstance(exc, duckdb.Error):
            from azalai.experiment.store import store_path, store_problem

            _show(store_problem(exc, store_path()))
            sys.exit(2)
        if os.environ.get("AZALAI_DEBUG"):
            raise
        err.print(f"internal error: {clip(type(exc).__name__ + ': ' + str(exc))} (this is a bug; run again with "
                  "AZALAI_DEBUG=1 to see where it happened, and please report it)", markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    run()

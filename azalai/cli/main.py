"""The `azalai` command line: one Typer app, one sub-module per pipeline stage."""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from azalai.errors import InputError

app = typer.Typer(
    name="azalai",
    help="Simulate the political economy of armed conflict in northern and central Mali.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

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
    "azalai.cli.analysis_cmd",
    "azalai.cli.claims_cmd",
    "azalai.cli.robust_cmd",
    "azalai.cli.report_cmd",
    "azalai.cli.app_cmd",
]

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def run() -> None:
    """Entry point: bad input gets a clear message and exit status 2, never a traceback."""
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

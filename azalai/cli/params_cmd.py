"""`azalai params ...`: the registry of every model coefficient (list, show, Markdown for the docs)."""

from __future__ import annotations

import json
import sys
from typing import Any, Optional

import typer
from rich.table import Table

from azalai.cli.args import bad
from azalai.cli.console import out
from azalai.cli.formats import TableJson, TableJsonMarkdown, format_option

params_app = typer.Typer(help="Model parameters: the registry of every coefficient.", no_args_is_help=True)


def params_rows(effective: bool = True, mechanism: Optional[str] = None) -> list[dict[str, Any]]:
    """The registry as rows; ``default`` is the effective value (calibrated if calibrated.yaml sets it)."""
    from azalai.model.params import calibrated_defaults, registry

    cal = calibrated_defaults() if effective else {}
    rows = []
    for p in registry():
        if mechanism is not None and p.mechanism != mechanism:
            continue
        rows.append(
            {
                "name": p.name,
                "default": cal.get(p.name, p.default),
                "prior_default": p.default,
                "calibrated": p.name in cal,
                "low": p.low,
                "high": p.high,
                "unit": p.unit,
                "mechanism": p.mechanism,
                "source": p.source,
                "description": p.description,
            }
        )
    return rows


def _g(x: float) -> str:
    return f"{x:g}"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def params_markdown(rows: list[dict[str, Any]], with_description: bool = True) -> str:
    """A Markdown table of parameter rows (as :func:`params_rows` gives them)."""
    head = ["name", "default", "range", "unit", "mechanism", "source"] + (["description"] if with_description else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        default = _g(r["default"]) + (" (calibrated)" if r.get("calibrated") else "")
        cells = [f"`{r['name']}`", default, f"{_g(r['low'])} to {_g(r['high'])}", _md(r["unit"]), r["mechanism"],
                 _md(r["source"])]  # fmt: skip
        if with_description:
            cells.append(_md(r["description"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _mechanisms() -> list[str]:
    from azalai.model.params import registry

    seen: list[str] = []
    for p in registry():
        if p.mechanism not in seen:
            seen.append(p.mechanism)
    return seen


@params_app.command("list")
def params_list_cmd(
    mechanism: Optional[str] = typer.Option(None, "--mechanism", help="only this mechanism's parameters"),
    fmt: TableJsonMarkdown = format_option(),
) -> None:
    """List every parameter: effective default, plausible range, unit, mechanism and source."""
    if mechanism is not None and mechanism not in _mechanisms():
        raise bad("--mechanism", f"unknown mechanism {mechanism!r}; one of: {', '.join(_mechanisms())}")
    rows = params_rows(True, mechanism)
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if fmt == "markdown":
        sys.stdout.write(params_markdown(rows) + "\n")
        return
    t = Table(title="model parameters" + (f" ({mechanism})" if mechanism else ""))
    for col in ("name", "default", "range", "unit", "mechanism", "source"):
        t.add_column(col, no_wrap=col == "name", justify="right" if col == "default" else "left")
    for r in rows:
        default = _g(r["default"]) + (" *" if r["calibrated"] else "")
        t.add_row(r["name"], default, f"{_g(r['low'])}..{_g(r['high'])}", r["unit"], r["mechanism"], r["source"])
    out.print(t)
    if any(r["calibrated"] for r in rows):
        out.print("* calibrated value (azalai/model/calibrated.yaml); set AZALAI_UNCALIBRATED=1 to use the priors")


@params_app.command("show")
def params_show_cmd(
    name: str = typer.Argument(..., help="parameter name"),
    fmt: TableJson = format_option(),
) -> None:
    """Show one parameter in full."""
    from azalai.model.params import spec

    p = spec(name)  # unknown name -> InputError with a suggestion
    row = next(r for r in params_rows(True) if r["name"] == p.name)
    if fmt == "json":
        sys.stdout.write(json.dumps({**row, "prior_default": p.default, "description": p.description}, indent=2) + "\n")
        return
    t = Table(title=p.name, show_header=False)
    t.add_column("field")
    t.add_column("value")
    t.add_row("default", _g(row["default"]) + (" (calibrated)" if row["calibrated"] else ""))
    if row["calibrated"]:
        t.add_row("prior default", _g(p.default))
    t.add_row("range", f"{_g(p.low)} to {_g(p.high)}")
    t.add_row("unit", p.unit)
    t.add_row("mechanism", p.mechanism)
    t.add_row("source", p.source)
    t.add_row("description", p.description)
    out.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(params_app, name="params")


__all__ = ["params_rows", "params_markdown", "register"]

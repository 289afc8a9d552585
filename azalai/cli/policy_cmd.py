"""`azalai policy ...`: list, show, check and export policies."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from azalai.cli.console import esc, out
from azalai.cli.formats import TableJsonCsv, format_option, print_rows
from azalai.errors import InputError, Problem


policy_app = typer.Typer(help="Policies: the levers planners control (Barkhane's focus, vetting, DDR ...).",
                         no_args_is_help=True)  # fmt: skip


def _fmt(v: float) -> str:
    return f"{v:g}"


@policy_app.command("list")
def list_cmd(fmt: TableJsonCsv = format_option()) -> None:
    """List the built-in policies."""
    from azalai.policy.loader import builtin_policies, load_policy

    rows = []
    for name in builtin_policies():
        try:
            pol = load_policy(name)
            rows.append({"name": name, "title": pol.name, "dated changes": len(pol.changes)})
        except InputError:
            rows.append({"name": name, "title": "invalid: run `azalai policy check`", "dated changes": None})
    print_rows(rows, fmt, title="built-in policies", console=out)


@policy_app.command("show")
def show_cmd(
    policy: str = typer.Argument(..., help="built-in name or YAML file"),
    fmt: TableJsonCsv = format_option(help="table | json | csv (one row per lever)"),
) -> None:
    """Show every lever's value in a policy, against its default."""
    from azalai.policy.loader import load_policy
    from azalai.policy.schema import LEVERS

    pol = load_policy(policy)
    if fmt != "table":
        values = pol.lever_values()
        print_rows([{"lever": lv.name, "value": values[lv.name], "default": lv.default, "low": lv.low,
                     "high": lv.high, "unit": lv.unit} for lv in LEVERS], fmt)  # fmt: skip
        return
    out.print(f"[bold]{esc(pol.name)}[/] ({pol.id})")
    if pol.description:
        out.print(pol.description, markup=False)
    out.print(f"source: {pol.source}", markup=False)
    values = pol.lever_values()
    t = Table(title="levers")
    for col in ("lever", "value", "default", "range", "unit"):
        t.add_column(col)
    for lv in LEVERS:
        v = values[lv.name]
        mark = "[bold]" if v != lv.default else ""
        t.add_row(lv.name, f"{mark}{_fmt(v)}", _fmt(lv.default), f"{_fmt(lv.low)}..{_fmt(lv.high)}", lv.unit)
    out.print(t)
    aid = pol.levers.aid_by_region
    if aid:
        out.print("aid by region: " + ", ".join(f"{k}={_fmt(v)}" for k, v in aid.items()))
    if pol.changes:
        t = Table(title="dated changes")
        t.add_column("date")
        t.add_column("levers")
        for ch in pol.changes:
            set_ = {k: v for k, v in ch.levers.model_dump().items() if v is not None and v != {}}
            t.add_row(str(ch.date), ", ".join(f"{k}={v if isinstance(v, dict) else _fmt(v)}" for k, v in set_.items()))
        out.print(t)


@policy_app.command("check")
def check_cmd(policy: str = typer.Argument(..., help="built-in name or YAML file")) -> None:
    """Check a policy; print every problem and exit with status 2 if there is any."""
    from azalai.policy.loader import load_policy

    pol = load_policy(policy)
    out.print(f"{policy}: valid ({pol.id}, {len(pol.changes)} dated changes)", soft_wrap=True, markup=False)


@policy_app.command("export")
def export_cmd(
    policy: str = typer.Argument(..., help="built-in name or YAML file"),
    to: Path = typer.Option(..., "--to", help="where to write the YAML copy"),
    force: bool = typer.Option(False, "--force", help="overwrite an existing file"),
) -> None:
    """Copy a policy's YAML to a file you can edit."""
    from azalai.policy.loader import load_policy, resolve_policy_path

    src = resolve_policy_path(policy)
    load_policy(src)
    if to.exists() and not force:
        raise InputError([Problem(str(to), None, None, "", "file exists; use --force to overwrite it")])
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, to)
    out.print(f"wrote {to}", markup=False)


@policy_app.command("schema")
def schema_cmd(
    to: Optional[Path] = typer.Option(None, "--to", help="write the schema to this file instead of standard output"),
    force: bool = typer.Option(False, "--force", help="overwrite an existing file"),
) -> None:
    """JSON Schema of policy files, for editors that validate and complete YAML (see docs/policies.md)."""
    from azalai.cli.scenario_cmd import write_schema
    from azalai.policy.schema import Policy

    write_schema(Policy, "azalai policy file", to, force)


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")

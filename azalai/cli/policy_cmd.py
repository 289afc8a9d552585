"""`azalai policy ...`: list, show, check and export policies."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from azalai.errors import InputError, Problem

out = Console()

policy_app = typer.Typer(help="Policies: the levers planners control (Barkhane's focus, vetting, DDR ...).",
                         no_args_is_help=True)  # fmt: skip


def _fmt(v: float) -> str:
    return f"{v:g}"


@policy_app.command("list")
def list_cmd() -> None:
    """List the built-in policies."""
    from azalai.policy.loader import builtin_policies, load_policy

    table = Table(title="built-in policies")
    table.add_column("name", no_wrap=True)
    table.add_column("title")
    table.add_column("dated changes", justify="right")
    for name in builtin_policies():
        try:
            pol = load_policy(name)
            table.add_row(name, pol.name, str(len(pol.changes)))
        except InputError:
            table.add_row(name, "[red]invalid: run `azalai policy check`[/]", "")
    out.print(table)


@policy_app.command("show")
def show_cmd(policy: str = typer.Argument(..., help="built-in name or YAML file")) -> None:
    """Show every lever's value in a policy, against its default."""
    from azalai.policy.loader import load_policy
    from azalai.policy.schema import LEVERS

    pol = load_policy(policy)
    out.print(f"[bold]{pol.name}[/] ({pol.id})")
    if pol.description:
        out.print(pol.description)
    out.print(f"source: {pol.source}")
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
    out.print(f"{policy}: valid ({pol.id}, {len(pol.changes)} dated changes)", soft_wrap=True)


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
    out.print(f"wrote {to}")


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")

"""`azalai scenario ...`: list, show, check, export, map and synthesise scenarios."""

from __future__ import annotations

import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from azalai.cli.console import esc, out
from azalai.defaults import DEFAULT_SCENARIO
from azalai.cli.formats import TableJson, TableJsonCsv, format_option, print_rows
from azalai.errors import InputError, Problem


scenario_app = typer.Typer(help="Scenarios: the places, groups, economy and accords of a conflict system.",
                           no_args_is_help=True)  # fmt: skip


def _fmt_num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 or float(x).is_integer() else f"{x:.2f}"


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise InputError([Problem(str(path), None, None, "", "file exists; use --force to overwrite it")])


@scenario_app.command("list")
def list_cmd(fmt: TableJsonCsv = format_option()) -> None:
    """List the built-in scenarios."""
    from azalai.scenario.loader import builtin_scenarios, load_scenario

    rows = []
    for name in builtin_scenarios():
        try:
            sc = load_scenario(name)
            rows.append({"name": name, "title": sc.meta.name, "places": len(sc.places), "actors": len(sc.actors)})
        except InputError:
            rows.append({"name": name, "title": "invalid: run `azalai scenario check`", "places": None, "actors": None})
    print_rows(rows, fmt, title="built-in scenarios", console=out)


@scenario_app.command("show")
def show_cmd(
    scenario: str = typer.Argument(..., help="built-in name or YAML file"),
    fmt: TableJson = format_option(help="table (summary) | json (the whole validated scenario)"),
) -> None:
    """Summarise a scenario: places, actors, communities, commodities and accords."""
    from azalai.scenario.loader import load_scenario, scenario_hash, scenario_to_data

    sc = load_scenario(scenario)
    if fmt == "json":
        print(json.dumps(scenario_to_data(sc), indent=2, default=str))
        return
    out.print(f"[bold]{esc(sc.meta.name)}[/] ({sc.meta.id}, version {esc(sc.meta.version)})")
    if sc.meta.description:
        out.print(sc.meta.description, markup=False)
    out.print(
        f"start {sc.calendar.start}, horizon {sc.calendar.horizon_days} days; "
        f"hash {scenario_hash(sc)[:16]}"
    )
    by_region: dict[str, list[str]] = defaultdict(list)
    for p in sc.places:
        by_region[p.region].append(p.name)
    t = Table(title="places by region")
    t.add_column("region")
    t.add_column("zone")
    t.add_column("places")
    for r in sc.regions:
        t.add_row(r.name, r.zone, ", ".join(by_region.get(r.id, [])))
    out.print(t)

    t = Table(title="armed actors")
    for col in ("id", "name", "kind", "coalition", "fighters", "cash (USD)"):
        t.add_column(col, justify="right" if col in ("fighters", "cash (USD)") else "left")
    for a in sc.actors:
        t.add_row(a.id, a.name, a.kind.value, a.coalition or "", _fmt_num(sum(a.fighters.values())),
                  _fmt_num(a.cash.value))  # fmt: skip
    out.print(t)

    t = Table(title="communities")
    for col in ("id", "name", "status", "aspirations", "population"):
        t.add_column(col, justify="right" if col == "population" else "left")
    for c in sc.communities:
        t.add_row(c.id, c.name, c.social_status.value, ", ".join(x.value for x in c.aspirations),
                  _fmt_num(sum(c.population.values())))  # fmt: skip
    out.print(t)

    if sc.commodities:
        t = Table(title="commodities")
        for col in ("id", "name", "entry", "exit", "volume/month", "USD/unit"):
            t.add_column(col)
        for m in sc.commodities:
            t.add_row(m.id, m.name, ", ".join(m.entry), ", ".join(m.exit),
                      f"{_fmt_num(m.volume_per_month.value)} {m.unit}", _fmt_num(m.value_per_unit.value))  # fmt: skip
        out.print(t)
    if sc.accords:
        t = Table(title="accords")
        for col in ("id", "name", "date", "signatories", "DDR", "business provisions"):
            t.add_column(col)
        for acc in sc.accords:
            t.add_row(acc.id, acc.name, str(acc.date), ", ".join(acc.signatories),
                      "yes" if acc.provisions.ddr else "no", str(len(acc.provisions.business)))  # fmt: skip
        out.print(t)
    if sc.international_forces:
        t = Table(title="international forces")
        for col in ("actor", "mandate", "bases", "organised-crime units"):
            t.add_column(col)
        for f in sc.international_forces:
            t.add_row(f.actor, f.mandate, ", ".join(f.bases), ", ".join(f.organised_crime_units))
        out.print(t)


@scenario_app.command("check")
def check_cmd(scenario: str = typer.Argument(..., help="built-in name or YAML file")) -> None:
    """Check a scenario; print every problem and exit with status 2 if there is any."""
    from azalai.scenario.loader import load_scenario

    sc = load_scenario(scenario)  # raises ScenarioError -> exit 2 with every problem
    out.print(f"{scenario}: valid ({len(sc.places)} places, {len(sc.routes)} routes, {len(sc.actors)} actors)", soft_wrap=True, markup=False)


@scenario_app.command("export")
def export_cmd(
    scenario: str = typer.Argument(..., help="built-in name or YAML file"),
    to: Path = typer.Option(..., "--to", help="where to write the YAML copy"),
    force: bool = typer.Option(False, "--force", help="overwrite an existing file"),
) -> None:
    """Copy a scenario's YAML (for instance a built-in) to a file you can edit."""
    from azalai.scenario.loader import load_scenario, resolve_scenario_path

    src = resolve_scenario_path(scenario)
    load_scenario(src)
    _refuse_overwrite(to, force)
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, to)
    out.print(f"wrote {to}", markup=False)


@scenario_app.command("map")
def map_cmd(
    scenario: str = typer.Argument(..., help="built-in name or YAML file"),
    out_png: Path = typer.Option(..., "--out", help="PNG file to write"),
    boundaries: Path | None = typer.Option(None, "--boundaries", help="GeoJSON file of region outlines"),
) -> None:
    """Draw a map of a scenario's places, routes and armed presence."""
    from azalai.report.maps import draw_scenario_map
    from azalai.scenario.loader import load_scenario

    sc = load_scenario(scenario)
    draw_scenario_map(sc, out_png, boundaries=boundaries)
    out.print(f"wrote {out_png}", markup=False)


@scenario_app.command("synth")
def synth_cmd(
    scale: int = typer.Option(..., "--scale", min=1, max=1000, help="how many times larger"),
    out_yaml: Path = typer.Option(..., "--out", help="YAML file to write"),
    base: str = typer.Option(DEFAULT_SCENARIO, "--base", help="scenario to replicate"),
    force: bool = typer.Option(False, "--force", help="overwrite an existing file"),
) -> None:
    """Write a synthetic scenario N times larger than a base one (for scaling benchmarks)."""
    import yaml

    from azalai.scenario.loader import load_scenario, scenario_to_data
    from azalai.scenario.synth import synth_scenario

    sc = synth_scenario(load_scenario(base), scale)
    _refuse_overwrite(out_yaml, force)
    out_yaml.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(scenario_to_data(sc), sort_keys=False, allow_unicode=True, width=120)
    out_yaml.write_text(text, encoding="utf-8")
    out.print(f"wrote {out_yaml}: {len(sc.places)} places, {len(sc.routes)} routes, {len(sc.actors)} actors", markup=False)


@scenario_app.command("schema")
def schema_cmd(
    to: Optional[Path] = typer.Option(None, "--to", help="write the schema to this file instead of standard output"),
    force: bool = typer.Option(False, "--force", help="overwrite an existing file"),
) -> None:
    """JSON Schema of scenario files, for editors that validate and complete YAML (see docs/scenario.md)."""
    from azalai.scenario.schema import Scenario

    write_schema(Scenario, "azalai scenario file", to, force)


def write_schema(model, title: str, to: Optional[Path], force: bool) -> None:
    """Write a pydantic model's JSON Schema (draft 2020-12) to ``to`` or standard output."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema(), "title": title}
    text = json.dumps(schema, indent=2) + "\n"
    if to is None:
        sys.stdout.write(text)
        return
    _refuse_overwrite(to, force)
    to.parent.mkdir(parents=True, exist_ok=True)
    to.write_text(text, encoding="utf-8")
    out.print(f"wrote {to}")


def register(app: typer.Typer) -> None:
    app.add_typer(scenario_app, name="scenario")

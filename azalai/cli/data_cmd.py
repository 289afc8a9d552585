"""`azalai data ...`: import ACLED and UCDP files into the store, list imports, summarise observed data."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from azalai.cli.console import esc, out
from azalai.cli.formats import TableJson, TableJsonCsv, format_option, print_rows


data_app = typer.Typer(help="Observed data: import ACLED/UCDP exports and summarise them.", no_args_is_help=True)
import_app = typer.Typer(help="Import an observed-data file into the store.", no_args_is_help=True)
data_app.add_typer(import_app, name="import")

STORE_HELP = "store file (default $AZALAI_STORE or ./azalai-runs/azalai.duckdb)"
SCENARIO_HELP = "scenario (built-in name or YAML file) whose regions the rows are mapped to"
BOUNDARIES_HELP = "GeoJSON admin1 boundaries: map rows to regions by their coordinates"
NAME_PROP_HELP = "GeoJSON property holding the region name (default: admin1Name_en, ADM1_EN, admin1Name ...)"


def _print_summary(summary) -> None:
    lines = summary.lines()
    out.print(f"[bold green]imported[/] {esc(lines[0])}", highlight=False)
    for ln in lines[1:]:
        colour = "yellow" if ln.strip().startswith("skipped") else "dim"
        out.print(f"[{colour}]{esc(ln)}[/]", highlight=False)
    if summary.import_id is not None:
        out.print(f"[dim]import {summary.import_id}, sha256 {summary.sha256[:16]}…[/]", highlight=False)


def _event_import_command(name: str, file_help: str, doc: str, module: str, function: str):
    """The `azalai data import NAME` command: an event file imported with ``module.function``."""

    def command(
        file: Path = typer.Argument(..., help=file_help),
        store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
        scenario: Optional[str] = typer.Option(None, "--scenario", help=SCENARIO_HELP),
        boundaries: Optional[Path] = typer.Option(None, "--boundaries", help=BOUNDARIES_HELP),
        name_property: Optional[str] = typer.Option(None, "--name-property", help=NAME_PROP_HELP),
        skip_unmapped: bool = typer.Option(False, "--skip-unmapped", help="skip rows outside the scenario's regions"),
    ) -> None:
        import importlib

        import_fn = getattr(importlib.import_module(module), function)
        _print_summary(import_fn(file, store, scenario, boundaries, name_property, skip_unmapped=skip_unmapped))

    command.__doc__ = doc
    command.__name__ = command.__qualname__ = f"import_{name}_cmd"
    return import_app.command(name)(command)


import_acled_cmd = _event_import_command(
    "acled", "ACLED event export (CSV)", "Import an ACLED event-level export into observed_events.",
    "azalai.data.acled", "import_acled",
)
import_ucdp_cmd = _event_import_command(
    "ucdp", "UCDP GED CSV", "Import a UCDP Georeferenced Event Dataset CSV into observed_events.",
    "azalai.data.ucdp", "import_ucdp",
)


@import_app.command("acled-aggregates")
def import_aggregates_cmd(
    file: Path = typer.Argument(..., help="monthly aggregates CSV: month, admin1, event_type, ..., events, fatalities"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    scenario: Optional[str] = typer.Option(None, "--scenario", help=SCENARIO_HELP),
) -> None:
    """Import ACLED monthly aggregates into observed_monthly."""
    from azalai.data.acled import import_acled_aggregates

    _print_summary(import_acled_aggregates(file, store, scenario))


@import_app.command("acled-sizes")
def import_sizes_cmd(
    file: Path = typer.Argument(..., help="event-size counts CSV: year, fatalities, events"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Import ACLED event-size counts into observed_event_sizes."""
    from azalai.data.acled import import_acled_event_sizes

    _print_summary(import_acled_event_sizes(file, store))


@data_app.command("list")
def list_cmd(
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    fmt: TableJsonCsv = format_option(),
) -> None:
    """List the imports recorded in the store."""
    from azalai.analysis.observed import imports_table

    df = imports_table(store)
    if fmt != "table":
        print_rows(df.to_dict("records"), fmt, columns=list(df.columns))
        return
    if not len(df):
        out.print("no observed data imported yet; see `azalai data import --help`")
        return
    t = Table(title="observed-data imports")
    for c, j in (("id", "right"), ("source", "left"), ("kind", "left"), ("file", "left"), ("rows", "right"),
                 ("replaced", "right"), ("skipped", "right"), ("sha256", "left"), ("imported at", "left")):
        t.add_column(c, justify=j)
    for r in df.itertuples(index=False):
        t.add_row(str(r.import_id), r.source, r.kind, r.file_name, str(r.rows_imported), str(r.rows_replaced),
                  str(r.rows_skipped), r.sha256[:12], str(r.imported_at))
    out.print(t)


def _fmt(x) -> str:
    import numbers

    if isinstance(x, numbers.Integral):
        return f"{int(x):,}"
    if isinstance(x, numbers.Real):
        return f"{float(x):.1%}" if 0 <= x <= 1 else f"{float(x):,.2f}"
    return str(x)


@data_app.command("summary")
def summary_cmd(
    source: str = typer.Option("acled", "--source", help="acled or ucdp"),
    period: Optional[str] = typer.Option(None, "--period", help="START:END, e.g. 2015-01-01:2016-06-30"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    level: str = typer.Option("auto", "--level", help="auto, events or monthly"),
    by: str = typer.Option("admin1", "--by", help="group regions by admin1 (as in the data) or region_id"),
    fmt: TableJson = format_option(help="table | json (every table as a list of records)"),
) -> None:
    """Observed statistics: yearly and monthly fatalities, regions, event types, event sizes."""
    from azalai.analysis import observed as ob

    start, end = ob.parse_period(period, "--period") if period else (None, None)
    s = ob.observed_summary(store, source, start, end, level)
    if fmt == "json":
        doc = {k: v.to_dict("records") if hasattr(v, "to_dict") else v for k, v in s.items()}
        sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")
        return
    span = f"{start or '…'} to {end or '…'}"
    out.print(f"[bold]{source.upper()}[/] {span} (from {'event rows' if s['level'] == 'events' else 'monthly aggregates'})")
    if not len(s["yearly"]):
        out.print(f"[yellow]no {source} data in the store for this period[/]; import some with `azalai data import`")
        return

    def table(title, df, cols):
        t = Table(title=title)
        for c, _ in cols:
            t.add_column(c, justify="left" if c in ("region", "event type", "month") else "right")
        for r in df.itertuples(index=False):
            t.add_row(*[
                "—" if getattr(r, k) is None else str(getattr(r, k)) if k == "year" else _fmt(getattr(r, k))
                for _, k in cols
            ])
        out.print(t)

    table("fatalities by year", s["yearly"], [("year", "year"), ("events", "events"), ("fatalities", "fatalities")])
    table("fatalities by region", s["by_region"],
          [("region", "region"), ("events", "events"), ("fatalities", "fatalities"), ("share", "share")])
    table("event types", s["event_types"],
          [("event type", "event_type"), ("events", "events"), ("share of events", "event_share"),
           ("fatalities", "fatalities"), ("share of fatalities", "fatality_share")])
    table("monthly series", s["monthly"], [("month", "month"), ("events", "events"), ("fatalities", "fatalities")])
    sizes = s["event_sizes"]
    if len(sizes):
        table("event sizes", sizes, [("fatalities", "fatalities"), ("events", "events")])
        tail = s["tail"]
        if tail["alpha"] == tail["alpha"]:
            out.print(
                f"power-law tail: alpha {tail['alpha']:.2f} ± {tail['sigma']:.2f}, xmin {tail['xmin']:g}, "
                f"{tail['n_tail']} of {tail['n']} events with fatalities in the tail"
            )


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")

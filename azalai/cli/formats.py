"""One ``--format`` option for every command that prints results, checked as a choice.

A command declares ``fmt: TableJsonCsv = format_option()`` (or :data:`TableJson`, ...): the annotation
is the set of choices, so a wrong value is a usage error (one line naming ``--format`` and the choices,
exit status 2), ``--help`` lists the choices and shell completion offers them. :func:`print_rows` prints a list of records in the chosen format: a Rich table,
a JSON array, or CSV with a header line, on standard output.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Any, Iterable, Literal, Sequence

import typer
from rich.console import Console
from rich.table import Table

TableJson = Literal["table", "json"]
TableJsonCsv = Literal["table", "json", "csv"]
TableJsonMarkdown = Literal["table", "json", "markdown"]


def format_option(help: str | None = None) -> Any:
    """The ``--format`` option (default ``table``); the choices come from the parameter's annotation."""
    return typer.Option("table", "--format", show_choices=True, help=help or "output format")


def _cell(v: Any) -> Any:
    if hasattr(v, "item") and callable(v.item):  # numpy scalars
        v = v.item()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return str(v)


def print_rows(rows: Iterable[dict[str, Any]], fmt: str, title: str | None = None,
               columns: Sequence[str] | None = None, console: Console | None = None) -> None:
    """Print records as a Rich table (``table``), a JSON array (``json``) or CSV (``csv``)."""
    rows = [{k: _cell(v) for k, v in r.items()} for r in rows]
    cols = list(columns) if columns is not None else list(dict.fromkeys(k for r in rows for k in r))
    if fmt == "json":
        sys.stdout.write(json.dumps([{c: r.get(c) for c in cols} for r in rows], indent=2) + "\n")
    elif fmt == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        t = Table(title=title)
        for c in cols:
            t.add_column(c, justify="right" if rows and isinstance(rows[0].get(c), (int, float)) else "left")
        for r in rows:
            t.add_row(*["" if r.get(c) is None else f"{r[c]:,.4g}" if isinstance(r.get(c), float) else str(r[c])
                        for c in cols])  # fmt: skip
        (console or Console()).print(t)

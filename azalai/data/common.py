"""Shared machinery of the ACLED and UCDP importers (reading the file: :mod:`azalai.data.table`).

Writing (into the ``observed_*`` tables of :mod:`azalai.experiment.store`): :func:`write_import` writes one
import (its rows and its ``observed_imports`` record) in a single transaction, replacing rows with
the same key so that importing a file twice does not duplicate anything.

Rows that are merely unusable (no coordinates, blank fatalities ...) are skipped and counted in a
:class:`ImportSummary`; anything that says the file is not what it claims to be is a hard error
(:class:`~azalai.errors.DataImportError`) and nothing is written.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

from azalai.data.regions import RegionMapper, load_regions
from azalai.data.table import CellError, Problems, Table, cell, read_table
from azalai.experiment.store import borrow, transaction
from azalai.experiment.store_tables import OBSERVED_KEYS, ensure_tables

def run(con, sql: str, params=None) -> list:
    """Execute and fetch everything (DuckDB refuses new work while a result is pending)."""
    cur = con.execute(sql, params) if params is not None else con.execute(sql)
    try:
        return cur.fetchall()
    except Exception:  # statements without a result set
        return []


def table_columns(con, table: str) -> list[str]:
    return [r[0] for r in run(con, f"DESCRIBE {table}")]


# ---------------------------------------------------------------------------------------------
# summary of an import
# ---------------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import did: rows written, rows skipped (with reasons), notes about kept rows."""

    source: str
    kind: str
    file: str
    sha256: str = ""
    rows_read: int = 0
    rows_imported: int = 0
    rows_replaced: int = 0
    import_id: int | None = None
    skipped: Counter = field(default_factory=Counter)
    skipped_lines: dict[str, list[int]] = field(default_factory=dict)
    notes: Counter = field(default_factory=Counter)

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    def skip(self, reason: str, line: int) -> None:
        self.skipped[reason] += 1
        lines = self.skipped_lines.setdefault(reason, [])
        if len(lines) < 10:
            lines.append(line)

    def note(self, what: str) -> None:
        self.notes[what] += 1

    def lines(self) -> list[str]:
        """Human-readable lines describing the import."""
        out = [
            f"{self.file}: {self.rows_imported} rows imported"
            + (f" ({self.rows_replaced} replaced rows from earlier imports)" if self.rows_replaced else "")
            + f", {self.rows_skipped} skipped"
        ]
        for reason, n in self.skipped.most_common():
            ex = ", ".join(str(x) for x in self.skipped_lines.get(reason, [])[:5])
            out.append(f"  skipped {n}: {reason} (lines {ex}{', ...' if n > 5 else ''})")
        for what, n in self.notes.most_common():
            out.append(f"  note {n}: {what}")
        return out

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "kind": self.kind,
            "file": self.file,
            "sha256": self.sha256,
            "import_id": self.import_id,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_replaced": self.rows_replaced,
            "rows_skipped": self.rows_skipped,
            "skipped": dict(self.skipped),
            "notes": dict(self.notes),
        }


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------


def write_import(
    con,
    table: str,
    records: list[dict],
    summary: ImportSummary,
) -> ImportSummary:
    """Write ``records`` into ``table`` and record the import, all in ONE transaction.

    Rows with the same key (see :data:`azalai.experiment.store_tables.OBSERVED_KEYS`) as existing rows replace them, so importing the
    same file twice leaves the table unchanged (except for the ``import_id`` of those rows).
    """
    ensure_tables(con)
    cols = table_columns(con, table)
    key = OBSERVED_KEYS[table]
    with transaction(con):
        row = run(con, "SELECT COALESCE(MAX(import_id), 0) + 1 FROM observed_imports")[0]
        import_id = int(row[0])
        for r in records:
            r["import_id"] = import_id
        df = pd.DataFrame.from_records(records, columns=cols)
        # keep dtypes the store expects even for all-NULL columns
        con.register("_azalai_new_rows", df)
        try:
            cond = " AND ".join(f"t.{k} IS NOT DISTINCT FROM n.{k}" for k in key)
            replaced = run(
                con,
                f"SELECT COUNT(*) FROM {table} t WHERE EXISTS (SELECT 1 FROM _azalai_new_rows n WHERE {cond})",
            )[0][0]
            if replaced:
                run(con, f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM _azalai_new_rows n WHERE {cond})")
            collist = ", ".join(cols)
            casts = ", ".join(f"CAST(n.{c} AS {_sql_type(con, table, c)}) AS {c}" for c in cols)
            run(con, f"INSERT INTO {table} ({collist}) SELECT {casts} FROM _azalai_new_rows n")
        finally:
            con.unregister("_azalai_new_rows")
        summary.import_id = import_id
        summary.rows_imported = len(records)
        summary.rows_replaced = int(replaced)
        run(
            con,
            "INSERT INTO observed_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                summary.source,
                summary.kind,
                Path(summary.file).name,
                summary.sha256,
                summary.rows_imported,
                summary.rows_replaced,
                summary.rows_skipped,
                json.dumps(dict(summary.skipped), ensure_ascii=False),
                _dt.datetime.now().replace(microsecond=0),
            ],
        )
    return summary


_TYPE_CACHE: dict[tuple[str, str], str] = {}


def _sql_type(con, table: str, column: str) -> str:
    k = (table, column)
    if k not in _TYPE_CACHE:
        for name, typ, *_ in run(con, f"DESCRIBE {table}"):
            _TYPE_CACHE[(table, name)] = typ
    return _TYPE_CACHE.get(k, "VARCHAR")


def dedupe_in_file(records: list[tuple[int, dict]], key: list[str], summary: ImportSummary, what: str) -> list[dict]:
    """Keep the first row for each key within one file; later duplicates are skipped."""
    seen: set = set()
    out = []
    for line, r in records:
        k = tuple(r[c] for c in key)
        if k in seen:
            summary.skip(f"duplicate {what} in the file", line)
            continue
        seen.add(k)
        out.append(r)
    return out


def iter_rows(table: Table) -> Iterator[tuple[int, list[str]]]:
    yield from table.rows


# ---------------------------------------------------------------------------------------------
# steps every importer takes
# ---------------------------------------------------------------------------------------------


def start_parse(path, columns, required, what: str, source: str, kind: str) -> tuple[Table, ImportSummary, Problems]:
    """The table read from ``path``, the summary of its import and the list of its problems."""
    t = read_table(path, columns, required, what)
    return t, ImportSummary(source, kind, t.file, sha256=t.sha256), t.problems


def read_cells(t: Table, summary: ImportSummary, problems: Problems):
    """Each row of ``t`` as (line, cells by canonical name, parse), counting it as read.

    ``parse(name, fn, *a, blank=None)`` is ``fn(cell, *a)``; ``blank`` for a blank or absent cell;
    None, with the problem recorded against that line and column, if ``fn`` raises :class:`CellError`."""
    for line, cells in t.rows:
        summary.rows_read += 1
        c = {k: cell(t, cells, k) for k in t.col}
        yield line, c, _cell_parser(t, problems, line, c)


def _cell_parser(t: Table, problems: Problems, line: int, c: dict):
    def parse(name: str, fn, *a, blank=None):
        if not c.get(name):
            return blank
        try:
            return fn(c[name], *a)
        except CellError as exc:
            problems.add(t.problem(line, name, str(exc)))
            return None

    return parse


def skip_row(summary: ImportSummary, line: int, *checks: tuple[object, str]) -> bool:
    """Skip the row, with the reason of the first check whose value is missing (None or ''; a
    tuple when any part is None); False if nothing is missing."""
    for value, reason in checks:
        if value is None or value == "" or (isinstance(value, tuple) and None in value):
            summary.skip(reason, line)
            return True
    return False


def region_mapper(scenario, boundaries, name_property, regions) -> RegionMapper:
    """A mapper to the given regions, or to the scenario's if none are given."""
    if regions is None:
        regions = load_regions(scenario)
    return RegionMapper(regions, boundaries, name_property)


def note_unmapped(mapper: RegionMapper, summary: ImportSummary, admin1: str | None, region_id) -> None:
    if mapper.has_regions and region_id is None:
        summary.note(f"region not in scenario, kept with region_id NULL: {admin1 or '(blank admin1)'}")


def event_region(mapper: RegionMapper, summary: ImportSummary, admin1: str | None, lat: float, lon: float):
    """(admin1, region_id) of an event: a blank admin1 is located by the coordinates where there
    are boundaries; a region outside the scenario is noted."""
    if admin1 is None and mapper.areas:
        admin1 = mapper.locate(lat, lon)
    region_id, _how = mapper.map(admin1, lat, lon)
    note_unmapped(mapper, summary, admin1, region_id)
    return admin1, region_id


def drop_unmapped(records: list[dict], summary: ImportSummary) -> list[dict]:
    """The records with a region id; the others are counted as skipped instead of noted."""
    kept = []
    for r in records:
        if r["region_id"] is None:
            summary.skipped[f"region not in scenario: {r['admin1'] or '(blank)'}"] += 1
        else:
            kept.append(r)
    for k in [k for k in summary.notes if k.startswith("region not in scenario")]:
        del summary.notes[k]
    return kept


def save_import(store, table: str, records: list[dict], summary: ImportSummary) -> ImportSummary:
    """:func:`write_import` into a store path or an open connection (closed again if opened here)."""
    con, own = borrow(True if store is None else store)
    try:
        return write_import(con, table, records, summary)
    finally:
        if own:
            con.close()


def import_events(parse, path, store, scenario, boundaries, name_property, regions, skip_unmapped) -> ImportSummary:
    """Parse an event file with ``parse(path, mapper)`` and write it into ``observed_events``."""
    mapper = region_mapper(scenario, boundaries, name_property, regions)
    records, summary = parse(path, mapper)
    if skip_unmapped and mapper.has_regions:
        records = drop_unmapped(records, summary)
    return save_import(store, "observed_events", records, summary)

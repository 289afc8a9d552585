"""Reading a delimited text file for an importer, and parsing its cells.

:func:`read_table` checks a file (a regular file under the size cap, UTF-8 with or without BOM, a
delimited text table), resolves the header against accepted column names and streams rows with their
line numbers, stopping at the first :data:`MAX_PROBLEMS` problems. The cell parsers turn cells into
dates and numbers and raise :class:`CellError`, which the caller turns into a
:class:`~azalai.errors.Problem` that names the file, the line and the column.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from azalai.errors import DataImportError, Problem
from azalai.safeio import DATA_MAX_BYTES, check_user_file

#: Most problems reported for one file before giving up.
MAX_PROBLEMS = 25

# ---------------------------------------------------------------------------------------------
# reading a delimited file
# ---------------------------------------------------------------------------------------------


def _norm_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


@dataclass
class Table:
    """A decoded, header-resolved table. ``col`` maps canonical names to 0-based column indexes."""

    file: str
    header: list[str]
    col: dict[str, int]
    sha256: str
    rows: Iterator[tuple[int, list[str]]]  # (line number, cells), read as they are consumed
    problems: "Problems" = None  # type: ignore[assignment]

    def column_number(self, name: str) -> int | None:
        i = self.col.get(name)
        return None if i is None else i + 1

    def header_name(self, name: str) -> str:
        i = self.col.get(name)
        return self.header[i] if i is not None else name

    def problem(self, line: int | None, name: str | None, message: str) -> Problem:
        if name is None:
            return Problem(self.file, line, None, "", message)
        return Problem(self.file, line, self.column_number(name), self.header_name(name), message)


class Problems:
    """Collects hard problems for one file; raises them together."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(self, p: Problem) -> None:
        self.items.append(p)
        if len(self.items) >= MAX_PROBLEMS:
            self.items.append(Problem(self.file, None, None, "", f"stopped after {MAX_PROBLEMS} problems"))
            raise DataImportError(self.items, file=self.file)

    def raise_if_any(self) -> None:
        if self.items:
            raise DataImportError(self.items, file=self.file)


class CellError(Exception):
    """A cell that cannot be read; turned into a Problem by the caller."""


_CHUNK = 1 << 20


def _scan(path: Path, file: str) -> str:
    """One streaming pass over the file: its SHA-256, and refusals of empty, UTF-16, binary or non-UTF-8
    content (naming the line and column of the first bad byte). Memory stays at one chunk."""
    h = hashlib.sha256()
    pending = b""
    offset = 0  # file offset of pending[0]
    lines_before = 0  # newlines before pending
    line_start = 0  # file offset where the current line starts
    nonblank = False
    first = True
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            h.update(chunk)
            if first:
                first = False
                if chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    raise DataImportError(
                        Problem(file, 1, 1, "", "the file is UTF-16; save it as UTF-8 CSV and import again"), file=file
                    )
                if b"\x00" in chunk[:4096]:
                    raise DataImportError(
                        Problem(file, None, None, "", "not a CSV file: it contains binary data (is it a spreadsheet "
                                                      "or an archive? export it as CSV)"),
                        file=file,
                    )
            data = pending + chunk
            try:
                _text, used = codecs.utf_8_decode(data, "strict", not chunk)
            except UnicodeDecodeError as exc:
                pos = exc.start
                line = lines_before + data.count(b"\n", 0, pos) + 1
                nl = data.rfind(b"\n", 0, pos)
                col = (pos - nl) if nl >= 0 else (offset + pos - line_start + 1)
                raise DataImportError(
                    Problem(
                        file, line, col, "",
                        f"not UTF-8: byte 0x{data[pos]:02x} cannot be decoded; save the file as UTF-8 (CSV UTF-8) "
                        "and import again",
                    ),
                    file=file,
                ) from None
            done = data[:used]
            nonblank = nonblank or bool(done.strip())
            n_nl = done.count(b"\n")
            if n_nl:
                lines_before += n_nl
                line_start = offset + done.rfind(b"\n") + 1
            pending = data[used:]
            offset += used
            if not chunk:
                break
    if not nonblank:
        raise DataImportError(Problem(file, None, None, "", "the file is empty"), file=file)
    return h.hexdigest()


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_table(
    path: str | os.PathLike,
    columns: dict[str, tuple[str, ...]],
    required: list[str | tuple[str, ...]],
    what: str,
) -> Table:
    """Open a delimited text file, resolve its header and stream its rows.

    ``columns`` maps each canonical column name to the header names accepted for it (compared
    case-insensitively, ignoring punctuation). ``required`` lists canonical names that must be
    present; a tuple means "one of these". ``what`` names the kind of file in messages.

    Only a regular file below :data:`azalai.safeio.DATA_MAX_BYTES` is read. Rows are read one at a time
    as the importer asks for them (``Table.rows`` is an iterator); a row with the wrong number of fields
    is a problem, and reading stops after :data:`MAX_PROBLEMS` problems, so a malformed file is refused
    without being held in memory.
    """
    file = str(path)
    p = check_user_file(path, f"{what} file", DATA_MAX_BYTES, DataImportError)
    sha = _scan(p, file)
    fh = open(p, encoding="utf-8-sig", newline="")
    try:
        head = fh.read(4096)
        stripped = head.lstrip()
        if stripped[:1] in ("{", "[") or stripped[:5].lower() in ("<?xml", "<html", "<!doc"):
            raise DataImportError(
                Problem(file, 1, 1, "", f"not a CSV file (it looks like JSON/XML/HTML); expected {what}"), file=file
            )
        fh.seek(0)
        first_line = fh.readline(_CHUNK)
        fh.seek(0)
        reader = csv.reader(_lines(fh, file), delimiter=_sniff_delimiter(first_line), strict=True)
        header, header_line = _read_header(reader, file)
        col = _resolve_header(header, header_line, columns, required, what, file)
    except BaseException:
        fh.close()
        raise
    problems = Problems(file)
    return Table(file=file, header=header, col=col, sha256=sha, rows=_rows(reader, fh, len(header), problems, file),
                 problems=problems)


def _lines(fh, file: str) -> Iterator[str]:
    """The file's lines, refusing one longer than :data:`_CHUNK` characters (a file with no line breaks)."""
    n = 0
    while True:
        line = fh.readline(_CHUNK)
        if not line:
            return
        n += 1
        if len(line) >= _CHUNK and not line.endswith("\n"):
            raise DataImportError(Problem(file, n, None, "", f"line longer than {_CHUNK:,} characters: not a CSV "
                                                             "table"), file=file)  # fmt: skip
        yield line


def _read_header(reader, file: str) -> tuple[list[str], int]:
    prev = 0
    try:
        for cells in reader:
            start = prev + 1
            prev = reader.line_num
            if cells and any(c.strip() for c in cells):
                return cells, start
    except csv.Error as exc:
        raise DataImportError(Problem(file, reader.line_num, None, "", f"not a valid CSV: {exc}"), file=file) from None
    raise DataImportError(Problem(file, None, None, "", "the file is empty"), file=file)


def _resolve_header(header, header_line, columns, required, what, file) -> dict[str, int]:
    normed = [_norm_header(h) for h in header]
    col: dict[str, int] = {}
    for canon, accepted in columns.items():
        for a in (canon, *accepted):
            na = _norm_header(a)
            if na in normed:
                col[canon] = normed.index(na)
                break

    missing = []
    for req in required:
        alts = req if isinstance(req, tuple) else (req,)
        if not any(a in col for a in alts):
            names = []
            for a in alts:
                names.extend([*columns.get(a, ()), a])
            names = list(dict.fromkeys(names))
            missing.append(names[0] + (f" (or {', '.join(names[1:])})" if len(names) > 1 else ""))
    if missing:
        if len(header) == 1:
            msg = (
                f"not a CSV file of {what}: the header has a single column ({header[0][:60]!r}); "
                f"missing required columns: {'; '.join(missing)}"
            )
        else:
            msg = f"missing required column{'s' if len(missing) > 1 else ''} for {what}: " + "; ".join(missing)
        raise DataImportError(Problem(file, header_line, None, "", msg), file=file)
    return col


def _rows(reader, fh, n: int, problems: Problems, file: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each non-blank data row; rows with the wrong number of fields are problems."""
    prev = reader.line_num
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                problems.add(Problem(file, reader.line_num, None, "", f"not a valid CSV: {exc}"))
                problems.raise_if_any()
                return
            start = prev + 1
            prev = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != n:
                problems.add(Problem(file, start, None, "", f"this row has {len(cells)} fields but the header has {n}"))
                continue
            yield start, cells
    finally:
        fh.close()


def cell(table: Table, cells: list[str], name: str) -> str:
    """The stripped cell for a canonical column, or '' if the column is absent."""
    i = table.col.get(name)
    if i is None:
        return ""
    return cells[i].strip()


# ---------------------------------------------------------------------------------------------
# cell parsers (raise CellError with a message; the caller adds file/line/column)
# ---------------------------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan", "janvier", "janv"),
            ("february", "feb", "fevrier", "fev", "février", "févr"),
            ("march", "mar", "mars"),
            ("april", "apr", "avril", "avr"),
            ("may", "mai"),
            ("june", "jun", "juin"),
            ("july", "jul", "juillet", "juil"),
            ("august", "aug", "aout", "août"),
            ("september", "sep", "sept", "septembre"),
            ("october", "oct", "octobre"),
            ("november", "nov", "novembre"),
            ("december", "dec", "decembre", "décembre", "déc"),
        ],
        start=1,
    )
    for m in names
}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DMY_NAMED = re.compile(r"^(\d{1,2})[\s\-/]+([A-Za-zéèûô]+)\.?[\s\-/,]+(\d{4})$")
_DMY_NUM = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")


def parse_date(s: str) -> _dt.date:
    """A date as ACLED or UCDP write it: ``2015-01-31``, ``2015-01-31 00:00:00``,
    ``31 January 2015``, ``31-January-2015``, ``31/01/2015`` (day first) or ``2015/01/31``."""
    s = s.strip()
    try:
        m = _ISO.match(s)
        if m:
            return _dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY_NAMED.match(s)
        if m and m[2].lower() in _MONTHS:
            return _dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        m = _DMY_NUM.match(s)
        if m:
            return _dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = _YMD_SLASH.match(s)
        if m:
            return _dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise CellError(f"invalid date {s!r}: {exc}") from None
    raise CellError(f"cannot read date {s!r}; expected YYYY-MM-DD or '31 January 2015'")


_YM = re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/]01)?$")


def parse_month(s: str) -> _dt.date:
    """A month ``2015-03`` (or ``2015-03-01``, or ``March 2015``) as the first day of that month."""
    s = s.strip()
    m = _YM.match(s)
    if m:
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return _dt.date(y, mo, 1)
        raise CellError(f"invalid month {s!r}: month must be 1-12")
    parts = re.split(r"[\s\-]+", s)
    if len(parts) == 2 and parts[0].lower() in _MONTHS and parts[1].isdigit():
        return _dt.date(int(parts[1]), _MONTHS[parts[0].lower()], 1)
    raise CellError(f"cannot read month {s!r}; expected YYYY-MM")


def parse_int(s: str, what: str = "a whole number", minimum: int | None = 0) -> int:
    """A non-negative whole number (``12``, ``12.0``); raises CellError otherwise."""
    t = s.strip().replace("\u00a0", "")
    try:
        v = float(t)
    except ValueError:
        raise CellError(f"{t!r} is not a number; expected {what}") from None
    if v != v or v in (float("inf"), float("-inf")) or v != int(v):
        raise CellError(f"{t!r} is not {what}")
    if minimum is not None and v < minimum:
        raise CellError(f"{t!r} is negative; expected {what}")
    return int(v)


def parse_float(s: str, lo: float, hi: float, what: str) -> float:
    t = s.strip().replace(",", ".") if s.count(",") == 1 and "." not in s else s.strip()
    try:
        v = float(t)
    except ValueError:
        raise CellError(f"{s!r} is not a number; expected {what}") from None
    if not (lo <= v <= hi):
        raise CellError(f"{s!r} is outside [{lo}, {hi}]; expected {what}")
    return v

"""A generated table inside a Markdown page, between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``.

Used by the scripts that write the lever and outcome tables from their declarations:
``main(doc, name, table, script)`` rewrites the table in place, or with ``--check`` exits 1 when the page
is out of date (the test suite runs the check).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable


def render(doc: str, name: str, table: str, path: Path) -> str:
    """``doc`` with the text between its ``name`` markers replaced by ``table``."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in doc or end not in doc:
        raise SystemExit(f"{path}: markers {begin} / {end} not found")
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{table}\n{end}{tail}"


def main(path: Path, name: str, table: Callable[[], str], script: str, description: str) -> int:
    """Rewrite the table of ``path`` (or check it with ``--check``); the exit status."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--check", action="store_true", help=f"fail if {path.name} is out of date")
    args = ap.parse_args()
    doc = path.read_text(encoding="utf-8")
    new = render(doc, name, table(), path)
    if args.check:
        if new != doc:
            print(f"{path} is out of date: run python {script}")
            return 1
        return 0
    if new != doc:
        path.write_text(new, encoding="utf-8")
        print(f"updated {path}")
    return 0

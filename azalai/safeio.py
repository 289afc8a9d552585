"""Opening a file a user names: only a regular file, of bounded size, with a clear message otherwise.

Every file a user names (scenario, policy, parameters, calibration results, boundaries, observed data)
goes through :func:`check_user_file` before a byte of it is read, so that ``/dev/zero``, a named pipe, a
directory or a multi-gigabyte file is refused at once instead of being read until memory runs out or
waiting forever. YAML files are then parsed by :mod:`azalai.scenario.yamlio` (no aliases, bounded
nesting), CSV files are streamed by :func:`azalai.data.table.read_table`, and JSON by
:func:`read_json` (bounded nesting).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from azalai.errors import InputError, Problem

#: Caps by kind of file (bytes). Configuration files are small; observed-data exports can be large.
YAML_MAX_BYTES = 2 * 1024 * 1024
RESULTS_MAX_BYTES = 32 * 1024 * 1024
GEOJSON_MAX_BYTES = 64 * 1024 * 1024
DATA_MAX_BYTES = 512 * 1024 * 1024
JSON_MAX_DEPTH = 64


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


def check_user_file(path: str | os.PathLike, what: str, max_bytes: int,
                    error_cls: type[InputError] = InputError) -> Path:
    """``path`` if it is a readable regular file of at most ``max_bytes``; otherwise ``error_cls`` naming it."""
    p = Path(path)
    file = str(path)

    def refuse(message: str) -> InputError:
        return error_cls([Problem(file, None, None, "", message)])

    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise refuse(f"{what} not found") from None
    except NotADirectoryError:
        raise refuse(f"{what} not found (a part of the path is a file, not a directory)") from None
    except OSError as exc:
        raise refuse(f"cannot read {what}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise refuse(f"{file} is a directory, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise refuse(f"{file} is not a regular file (devices, pipes and sockets are refused)")
    if st.st_size > max_bytes:
        raise refuse(f"{what} is {st.st_size:,} bytes, above the {_mb(max_bytes)} cap ({max_bytes:,} bytes)")
    if not os.access(p, os.R_OK):
        raise refuse(f"cannot read {what}: permission denied")
    return p


def read_user_bytes(path: str | os.PathLike, what: str, max_bytes: int,
                    error_cls: type[InputError] = InputError) -> bytes:
    """The bytes of a user-named file (see :func:`check_user_file`); never more than ``max_bytes + 1`` are read."""
    p = check_user_file(path, what, max_bytes, error_cls)
    try:
        with open(p, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise error_cls([Problem(str(path), None, None, "", f"cannot read {what}: {exc.strerror or exc}")]) from None
    if len(raw) > max_bytes:  # grew while being read
        raise error_cls([Problem(str(path), None, None, "", f"{what} is above the {_mb(max_bytes)} cap")])
    return raw


def _depth(raw: str) -> int:
    """Deepest nesting of brackets outside strings (cheap, linear, no recursion)."""
    depth = best = 0
    in_str = esc = False
    for ch in raw:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def read_json(path: str | os.PathLike, what: str, max_bytes: int = GEOJSON_MAX_BYTES,
              error_cls: type[InputError] = InputError) -> Any:
    """A JSON document from a user-named file: size cap, UTF-8, nesting at most :data:`JSON_MAX_DEPTH`."""
    raw = read_user_bytes(path, what, max_bytes, error_cls)
    file = str(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error_cls([Problem(file, None, None, "", f"{what} is not UTF-8 (byte offset {exc.start})")]) from None
    if _depth(text) > JSON_MAX_DEPTH:
        raise error_cls([Problem(file, None, None, "", f"{what} nests deeper than {JSON_MAX_DEPTH} levels")])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error_cls([Problem(file, exc.lineno, exc.colno, "", f"{what} is not valid JSON: {exc.msg}")]) from None


def shown_path(fp: str | Path) -> str:
    """A file's path as a record shows it: relative to the working folder when it lies inside it (so a
    record written in one checkout reads the same in another), else absolute."""
    p = Path(fp).resolve()
    try:
        return p.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(p)

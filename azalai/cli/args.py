"""Checks of command-line arguments shared by every command, run before anything is simulated or written.

Numbers are checked against the ranges of :mod:`azalai.limits` (the same ranges the library and the
dashboard's API use); output folders and files are created or tested for writing first, so that a run is
never lost because its results cannot be saved.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from azalai.errors import InputError, Problem


#: A run id as the store writes them (``run-20240101-120000-a1b2c3``, ``ens-...``, dashboard job ids).
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,79}")


def bad(field: str, message: str) -> InputError:
    return InputError([Problem("<arguments>", None, None, field, message)])


def choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise bad(field, f"{shown!r} is not one of {', '.join(allowed)}")
    return value


def check_run_id(run_id: str, field: str = "RUN_ID") -> str:
    """A run id (or a prefix of one): letters, digits, '-' and '_' only, the whole string."""
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        raise bad(field, "not a run id: letters, digits, '-' and '_' only (see `azalai runs list`)")
    return run_id


def _first_existing_parent(path: Path) -> Path:
    for parent in path.absolute().parents:
        if parent.exists():
            return parent
    return Path("/")


def check_out_dir(path: Path, force: bool, flag: str = "--out") -> None:
    """Refuse an output directory that is a file, or that holds files unless ``force``."""
    if path.exists() and not path.is_dir():
        raise bad(flag, f"{path} is a file, not a directory")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise bad(flag, f"{path} is not empty; use --force to write into it (existing files are kept "
                        "unless a run writes a file of the same name)")  # fmt: skip
    parent = _first_existing_parent(path)
    if not parent.is_dir():
        raise bad(flag, f"{parent} is a file, so {path} cannot be created")


def prepare_out_dir(path: Path, flag: str = "--out") -> Path:
    """Create ``path`` (and its parents) and make sure a file can be written in it, before any work."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".azalai-write-test-"):
            pass
    except OSError as exc:
        raise bad(flag, f"cannot write into {path}: {exc.strerror or exc}") from None
    return path


def check_out_file(path: Path, flag: str = "--out") -> Path:
    """Make sure ``path`` can be written (its folder created if needed) before any work."""
    if path.is_dir():
        raise bad(flag, f"{path} is a directory, not a file")
    prepare_out_dir(path.parent if str(path.parent) else Path("."), flag)
    if path.exists() and not os.access(path, os.W_OK):
        raise bad(flag, f"cannot write {path}: permission denied")
    return path


def check_store_path(store: Path | None) -> Path:
    """The store file to use, refusing a directory or a path under a file."""
    from azalai.experiment.store import store_path

    p = store_path(store)
    if p.exists() and p.is_dir():
        raise bad("--store", f"{p} is a directory, not a store file")
    parent = _first_existing_parent(p)
    if not parent.is_dir():
        raise bad("--store", f"{parent} is a file, so the store {p} cannot be created")
    return p

"""Every coefficient of the model lives in the parameter registry, not in the code.

The test reads the sources of ``azalai/model`` (the engine, the mechanisms, the state and world
builders) and fails on any numeric literal other than

* 0, 1 and 2 (and their negatives): zero, one, identities, halves and doubles (``(a + b) / 2``),
  the first indices of a fixed array;
* integers written in a module-level assignment to a named UPPER_CASE constant: enumeration codes
  (event types, cause kinds, random-number draw sites, actor kinds and roles), the calendar
  (``DAYS_PER_WEEK``), buffer sizes and the random-number generator's hash constants. Each carries
  its name and, where the name does not say it, a comment.

A float coefficient therefore has nowhere to hide: it must be a field of ``Params``, declared in
``azalai/model/parameters.yaml`` with a default, a range, a unit and a source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import azalai.model

MODEL_DIR = Path(azalai.model.__file__).parent
ALLOWED = {0, 1, 2}


def _module_constant_nodes(tree: ast.Module) -> set[int]:
    """ids of the integer literals inside module-level assignments to UPPER_CASE names."""
    ok: set[int] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets = [stmt.target]
        else:
            continue
        names = []
        for t in targets:
            names.extend(t.elts if isinstance(t, ast.Tuple) else [t])
        if not names or not all(isinstance(n, ast.Name) and n.id.lstrip("_").isupper() for n in names):
            continue
        for node in ast.walk(stmt.value):
            if isinstance(node, ast.Constant) and type(node.value) is int:
                ok.add(id(node))
    return ok


def literals(path: Path) -> list[tuple[int, object]]:
    """(line, value) of every numeric literal outside the allowlist."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ok = _module_constant_nodes(tree)
    bad = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or type(node.value) not in (int, float, complex):
            continue
        if node.value in ALLOWED or id(node) in ok:
            continue
        bad.append((node.lineno, node.value))
    return sorted(bad)


def test_model_sources_hold_no_coefficients() -> None:
    files = sorted(MODEL_DIR.rglob("*.py"))
    assert len(files) > 10
    found = [f"{f.relative_to(MODEL_DIR.parent.parent)}:{line}: {value!r}" for f in files for line, value in literals(f)]
    assert not found, "numeric literals in the model's code (declare them in parameters.yaml):\n" + "\n".join(found)


def test_scanner_catches_a_coefficient(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text(
        "KIND_A, KIND_B = 0, 3\nSCALE = 0.7\n\n"
        "def f(p, x):\n    y = x * 0.97 + 2 * p.a - 1\n    return y / 2 + 500\n",
        encoding="utf-8",
    )
    assert literals(src) == [(2, 0.7), (5, 0.97), (6, 500)]

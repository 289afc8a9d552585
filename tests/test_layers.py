"""The packages form layers that point one way: scenario → policy → model → experiment → analysis → report →
app → cli. A module may import from its own layer and the layers before it, never from a later one."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["scenario", "policy", "model", "experiment", "analysis", "report", "app", "cli"]
RANK = {name: i for i, name in enumerate(ORDER)}

KNOWN: set[str] = set()  # modules allowed to import upward: none


def upward_imports(root: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted((root / "azalai").rglob("*.py")):
        parts = path.relative_to(root / "azalai").parts
        if len(parts) < 2 or parts[0] not in RANK:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                q = name.split(".")
                if q[0] == "azalai" and len(q) > 1 and q[1] in RANK and RANK[q[1]] > RANK[parts[0]]:
                    out.setdefault(path.relative_to(root).as_posix(), []).append(f"{node.lineno}: {name}")
    return out


def test_no_import_points_up_the_layers() -> None:
    found = upward_imports(ROOT)
    assert set(found) <= KNOWN, {k: v for k, v in found.items() if k not in KNOWN}
    assert KNOWN <= set(found), f"no longer importing upward, drop from KNOWN: {sorted(KNOWN - set(found))}"


def test_the_scanner_sees_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "azalai" / "report" / "x.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("def f():\n    from azalai.app import api\n", encoding="utf-8")
    (tmp_path / "azalai" / "report" / "y.py").write_text("from azalai.analysis import compare\n", encoding="utf-8")
    assert upward_imports(tmp_path) == {"azalai/report/x.py": ["2: azalai.app"]}

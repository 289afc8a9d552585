"""Regenerate the lever table in docs/policies.md from the lever registry (azalai/policy/levers.yaml).

    python scripts/gen_lever_table.py          # rewrite the table in place
    python scripts/gen_lever_table.py --check  # exit 1 if the table is out of date

The table sits between the markers ``<!-- levers:begin -->`` and ``<!-- levers:end -->``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from azalai.policy.schema import LEVERS  # noqa: E402

DOC = ROOT / "docs" / "policies.md"
BEGIN = "<!-- levers:begin -->"
END = "<!-- levers:end -->"


def _num(x: float) -> str:
    return f"{x:g}"


def lever_table() -> str:
    lines = [
        "| lever | default | range | unit | meaning |",
        "|---|---|---|---|---|",
    ]
    for lv in LEVERS:
        rng = f"{_num(lv.low)} to {_num(lv.high)}" + (" (whole)" if lv.integer else "")
        meaning = lv.description.replace("|", "\\|")
        lines.append(f"| `{lv.name}` | {_num(lv.default)} | {rng} | {lv.unit.replace('|', '/')} | {meaning} |")
    return "\n".join(lines)


def render(doc: str) -> str:
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{DOC}: markers {BEGIN} / {END} not found")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{lever_table()}\n{END}{tail}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if docs/policies.md is out of date")
    args = ap.parse_args()
    doc = DOC.read_text(encoding="utf-8")
    new = render(doc)
    if args.check:
        if new != doc:
            print(f"{DOC} is out of date: run python scripts/gen_lever_table.py")
            return 1
        return 0
    if new != doc:
        DOC.write_text(new, encoding="utf-8")
        print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Regenerate the lever table in docs/policies.md from the lever registry (azalai/policy/levers.yaml).

    python scripts/gen_lever_table.py          # rewrite the table in place
    python scripts/gen_lever_table.py --check  # exit 1 if the table is out of date

The table sits between the markers ``<!-- levers:begin -->`` and ``<!-- levers:end -->``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from azalai.policy.schema import LEVERS  # noqa: E402
from doc_table import main  # noqa: E402

DOC = ROOT / "docs" / "policies.md"


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


if __name__ == "__main__":
    sys.exit(main(DOC, "levers", lever_table, "scripts/gen_lever_table.py", __doc__.splitlines()[0]))

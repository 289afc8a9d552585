"""Regenerate docs/outcomes.md from the outcome registry azalai/model/outcomes.yaml.

    python scripts/gen_outcome_table.py          # rewrite the table in place
    python scripts/gen_outcome_table.py --check  # exit 1 if the table is out of date

The table sits between the markers ``<!-- outcomes:begin -->`` and ``<!-- outcomes:end -->``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from azalai.model.outcomes import registry  # noqa: E402
from doc_table import main  # noqa: E402

DOC = ROOT / "docs" / "outcomes.md"


def outcome_table() -> str:
    lines = ["| outcome | unit | key | claims | meaning |", "|---|---|---|---|---|"]
    for o in registry():
        claims = ", ".join(str(c) for c in o.claims)
        per = f" (one per {o.per})" if o.per else ""
        lines.append(f"| `{o.name}` | {o.unit} | {'yes' if o.key else ''} | {claims} | "
                     f"{o.description.replace('|', '/')}{per} |")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(DOC, "outcomes", outcome_table, "scripts/gen_outcome_table.py", __doc__.splitlines()[0]))

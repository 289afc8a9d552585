"""Regenerate docs/outcomes.md from the outcome registry azalai/model/outcomes.yaml.

    python scripts/gen_outcome_table.py          # rewrite the table in place
    python scripts/gen_outcome_table.py --check  # exit 1 if the table is out of date

The table sits between the markers ``<!-- outcomes:begin -->`` and ``<!-- outcomes:end -->``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from azalai.model.outcomes import registry  # noqa: E402

DOC = ROOT / "docs" / "outcomes.md"
BEGIN = "<!-- outcomes:begin -->"
END = "<!-- outcomes:end -->"


def outcome_table() -> str:
    lines = ["| outcome | unit | key | claims | meaning |", "|---|---|---|---|---|"]
    for o in registry():
        claims = ", ".join(str(c) for c in o.claims)
        per = f" (one per {o.per})" if o.per else ""
        lines.append(f"| `{o.name}` | {o.unit} | {'yes' if o.key else ''} | {claims} | "
                     f"{o.description.replace('|', '/')}{per} |")  # fmt: skip
    return "\n".join(lines)


def render(doc: str) -> str:
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{DOC}: markers {BEGIN} / {END} not found")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{outcome_table()}\n{END}{tail}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if docs/outcomes.md is out of date")
    args = ap.parse_args()
    doc = DOC.read_text(encoding="utf-8")
    new = render(doc)
    if args.check:
        if new != doc:
            print(f"{DOC} is out of date: run python scripts/gen_outcome_table.py")
            return 1
        return 0
    if new != doc:
        DOC.write_text(new, encoding="utf-8")
        print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

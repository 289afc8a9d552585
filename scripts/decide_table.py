"""Markdown table of a robust decision view, for docs/decisions.md's worked example.

    azalai robust --resume ROBUST_ID --store STORE --satisfice "fatalities<=1000,signatory_clashes<=25" \\
        --format json --out view.json
    .venv/bin/python scripts/decide_table.py view.json

Prints the candidates' table (satisficing share, means with 95% CIs and 90th-percentile regrets of the first
three objectives, Pareto membership), the Pareto set and the failure sentences of the leading candidates.
"""

from __future__ import annotations

import json
import sys


def f(x: float) -> str:
    a = abs(x)
    return f"{x:,.0f}" if a >= 1000 else f"{x:.1f}" if a >= 10 else f"{x:.3g}"


def main(path: str) -> None:
    v = json.load(open(path, encoding="utf-8"))
    objs = [o["name"] for o in v["objectives"]][:3]
    head = ["rank", "candidate"] + (["satisficing [95% CI]"] if v["thresholds"] else [])
    for o in objs:
        head += [f"{o} mean [95% CI]", f"{o} regret p90"]
    head.append("Pareto")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in v["ranking"]:
        cells = [str(r["rank"]), r["label"]]
        if v["thresholds"]:
            lo, hi = r["satisficing_ci"]
            cells.append(f"{r['satisficing']:.0%} [{lo:.0%}, {hi:.0%}]")
        for o in objs:
            m = r["objectives"][o]
            cells += [f"{f(m['mean'])} [{f(m['mean_ci'][0])}, {f(m['mean_ci'][1])}]", f(m["regret_p90"])]
        cells.append("yes" if r["pareto"] else "")
        print("| " + " | ".join(cells) + " |")
    print()
    print("Pareto set:", ", ".join(v["pareto"]))
    for x in v["failures"]:
        print("*", x["text"])


if __name__ == "__main__":
    main(sys.argv[1])

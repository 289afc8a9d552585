"""Regenerate docs/claims.md's result tables and figures: ``python scripts/claims_report.py [-n 200]``.

Every number in the generated part of docs/claims.md comes from this script, which calls the same
functions as ``azalai claims`` and the tests in tests/test_claims.py.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from azalai.analysis.claims import CLAIMS, false_tip_clustering, paired_claim, seizure_event_study  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "claims.md"
IMG = ROOT / "docs" / "img" / "claims"
MARK = "<!-- generated below by scripts/claims_report.py -->"


def figure(res: dict, path: Path) -> None:
    rows = res["rows"]
    fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.5 * len(rows)))
    for i, r in enumerate(rows):
        scale = max(abs(r["a"]), abs(r["b"]), 1e-12)
        d, lo, hi = r["diff"] / scale, r["ci_low"] / scale, r["ci_high"] / scale
        ax.errorbar([d], [i], xerr=[[d - lo], [hi - d]], fmt="o", color="tab:green" if r["holds"] else "tab:red")
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(range(len(rows)), [r["outcome"] for r in rows])
    ax.set_xlabel(f"paired difference ({res['b']} minus {res['a']}), relative to the larger mean")
    ax.set_title(f"Claim {res['claim']}: {res['verdict']} (n={res['n']} paired runs)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    IMG.mkdir(parents=True, exist_ok=True)
    out = [MARK, "", f"Results: `python scripts/claims_report.py -n {args.n} --days {args.days} --seed {args.seed}` "
           f"({args.n} paired runs per arm, {args.days} days, seeds {args.seed}..{args.seed + args.n - 1}).", ""]
    allres = []
    for c in CLAIMS:
        out.append(f"### Claim {c.number}")
        out.append("")
        if c.number == 2:
            res = seizure_event_study(n=max(20, args.n // 2), seed=args.seed, days=args.days)
            allres.append(res)
            out += [f"**Verdict: {res['verdict']}.** Over {res['n']} runs of `{res['policy']}`, {res['seizures']} seizures "
                    f"of signatory-owned convoys: {res['clashes_before']} clashes involving the owner at or next to the "
                    f"seizure place in the {res['window_days']} days before, {res['clashes_after']} in the "
                    f"{res['window_days']} days after. Mean after-minus-before per seizure: {res['diff']:.3f} "
                    f"(95% CI [{res['ci_low']:.3f}, {res['ci_high']:.3f}], bootstrap over runs).", ""]
            continue
        res = paired_claim(c, n=args.n, seed=args.seed, days=args.days)
        allres.append(res)
        out.append(f"**Verdict: {res['verdict']}.** Arms: A = `{res['a']}`, B = `{res['b']}`.")
        out.append("")
        out.append("| outcome | expected B−A | A | B | B−A | 95% CI | holds |")
        out.append("|---|---|---|---|---|---|---|")
        for r in res["rows"]:
            out.append(f"| {r['outcome']} | {r['expected']} | {r['a']:.4g} | {r['b']:.4g} | {r['diff']:.4g} | "
                       f"[{r['ci_low']:.4g}, {r['ci_high']:.4g}] | {'yes' if r['holds'] else 'no'} |")
        out.append("")
        fig = IMG / f"claim{c.number}.png"
        figure(res, fig)
        out.append(f"![claim {c.number}](img/claims/{fig.name})")
        out.append("")
        if c.number == 3:
            cl = false_tip_clustering(n=max(10, args.n // 10), seed=args.seed, days=args.days)
            res["clustering"] = cl
            out.append(f"Clustering: of {cl['tips']} tips from informants with a patron group, false tips are "
                       f"{cl['false_share_sharp']:.1%} of those naming a sharp rival (rivalry ≥ 0.5, n={cl['n_sharp']}) "
                       f"and {cl['false_share_mild']:.1%} of the others (n={cl['n_mild']}); per-run difference "
                       f"{cl['diff']:.3f}, 95% CI [{cl['ci_low']:.3f}, {cl['ci_high']:.3f}] — **{cl['verdict']}**. "
                       "Pairs with the most false tips:")
            out.append("")
            out.append("| informant's patron | accused | tips | false share | rivalry |")
            out.append("|---|---|---|---|---|")
            for r in cl["by_pair"][:8]:
                out.append(f"| {r['informant_group']} | {r['accused']} | {r['tips']} | {r['false_share']:.0%} | {r['rivalry']:.2f} |")
            out.append("")
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    head = text.split(MARK)[0].rstrip() + "\n\n" if MARK in text else text
    DOC.write_text(head + "\n".join(out) + "\n", encoding="utf-8")
    (IMG / "results.json").write_text(json.dumps(allres, indent=1, default=str), encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()

"""Write docs/claims.md, all of it, from the claims' results.

    python scripts/claims_report.py -n 200 --workers 2            # run everything, then write
    python scripts/claims_report.py --from docs/img/claims/results.json   # write from stored results

The results are those of ``azalai claims --robust`` (:func:`azalai.analysis.claims_robust.run_claims`);
they are stored next to the figure in ``docs/img/claims/results.json``. Nothing in docs/claims.md is
edited by hand.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


DOC = ROOT / "docs" / "claims.md"
IMG = ROOT / "docs" / "img" / "claims"

INTRO = """# The seed's seven claims

*This file is written by `scripts/claims_report.py` from the results of `azalai claims --robust`; do not edit it
by hand.*

Each claim is an experiment that could fail:

* **Single lever.** The two arms differ in one lever of one policy (named under each claim), run over the same
  seeds (common random numbers). Where the seed speaks of a package of measures, the built-in policies that
  bundle them are a second, labelled comparison.
* **Ablations.** The mechanism terms that carry the claim are switched off one at a time (their registry
  parameter at exactly 0) and the single-lever contrast is rerun. An outcome whose effect disappears when its
  most direct term is off, but survives every other ablation, needs only its own term: it holds **by
  construction**, and says little beyond the assumption written into that term.
* **Robustness.** The single-lever contrast is rerun in worlds drawn from the calibration posterior, the
  scenario's uncertainty ranges and the ranges of the influential parameters (`azalai.experiment.worlds`). In
  a world, an outcome holds when its paired difference has the claimed sign with a Holm-adjusted p < 0.05 over
  the claim's outcomes; the claim holds when all its outcomes do. Verdict: **robust** when the claim holds in
  at least ROBUST_SHARE of the worlds, **conditional** when in at least SUPPORT_SHARE, **not supported** otherwise. For a
  conditional claim, PRIM (as in `azalai discover`) describes the worlds where it fails.
* **Statistics at the point world.** Paired difference (B − A) over seeds, 95% bootstrap CI, paired t test
  p-value adjusted by Holm's method over the claim's outcomes. Negative controls (a policy against itself; a
  lever change after the horizon) give differences of exactly 0 (`tests/test_claims.py`).

Claim 2 is an event study inside runs: clashes between groups involving a convoy's owner near the seizure place
in the 6 weeks after against the 6 weeks before, minus the same for the signatories not seized there in those
weeks (difference in differences), against placebo seizures (same owner and place, random days without a
seizure); raids and strikes by forces on the owner are reported apart. Claim 5 is an interaction: the effect
of interdiction with traffickers who re-route, minus the same effect with route learning switched off. The
second part of claim 3 (untrue tips cluster where rivalries are sharpest) is a statistic inside arm B, judged
with the claim's other outcomes (one Holm correction over all of them), ablated and drawn across worlds like them.

Commands:

```bash
azalai claims                                  # point world: single levers, bundles, ablations
azalai claims --robust -n 200 --format json    # and across 200 drawn worlds
python scripts/claims_report.py -n 200 --workers 2
```
"""


def _row(r: dict) -> str:
    ab = lambda x: "" if x is None else f"{x:.4g}"  # noqa: E731
    return (f"| {r['outcome']} | {r['expected']} | {ab(r.get('a'))} | {ab(r.get('b'))} | {r['diff']:.4g} | "
            f"[{r['ci_low']:.4g}, {r['ci_high']:.4g}] | {r['p_holm']:.2g} | {'yes' if r['holds'] else 'no'} |")


HEAD = ["| outcome | claimed sign | A | B | B − A | 95% CI | p (Holm) | holds |", "|---|---|---|---|---|---|---|---|"]


def render(res: dict, revision: str, command: str) -> str:
    intro = INTRO.replace("ROBUST_SHARE", f"{res.get('robust_share', 0.9):.0%}").replace(
        "SUPPORT_SHARE", f"{res.get('support_share', 0.25):.0%}")
    out = [intro, "## Summary", "",
           f"Model revision: `{revision}`. Command: `{command}`. {res['days']} days per run; point world: "
           f"{res['point_seeds']} paired seeds" + (
               f"; {res['n_worlds']} worlds drawn from {', '.join(res['sources'])}, {res['seeds_per_world']} paired "
               f"seeds each" if "n_worlds" in res else "") + f". Wall time: {res['seconds']['total']:.0f} s.", "",
           *([f"This run is smaller than the default of `azalai claims --robust` (200 worlds, 12 seeds per world, "
              f"40 seeds at the point world): the shares below are estimated from fewer worlds and fewer seeds.", ""]
             if res.get("n_worlds", 200) < 200 or res.get("seeds_per_world", 12) < 12 or res["point_seeds"] < 40
             else []),
           "| claim | lever | holds at the point | by construction | robustness share | verdict |",
           "|---|---|---|---|---|---|"]
    for c in res["claims"]:
        by = ", ".join(k for k, v in c["by_construction"].items() if v) or "no"
        share = f"{c['robustness']['share']:.0%}" if "robustness" in c else "-"
        out.append(f"| {c['claim']} | {c['lever']} | {'yes' if c['holds_at_point'] else 'no'} | {by} | {share} | "
                   f"**{c['verdict']}** |")
    out.append("")
    if (IMG / "robustness.png").exists():
        out += ["![robustness by claim and outcome](img/claims/robustness.png)", ""]
    for c in res["claims"]:
        out += [f"## Claim {c['claim']}", "", f"> {c['text']}", "", f"*Chain:* {c['chain']}.", "",
                f"*Single lever:* {c['lever']}. A = `{c['a']}`, B = `{c['b']}`."
                + (f" Interaction: B − A minus the same with {', '.join(c['interaction'])} at 0." if c["interaction"]
                   else ""), ""]
        out += HEAD + [_row(r) for r in c["single_lever"]] + [""]
        if c.get("placebo"):
            for key, label in (("naive", "after minus before, no control"), ("placebo", "placebo seizures (DiD)"),
                               ("force_raids", "raids and strikes by forces on the owner, after minus before")):
                r = c[key]
                out.append(f"* {label}: {r['diff']:.4g} (95% CI [{r['ci_low']:.4g}, {r['ci_high']:.4g}])")
            out.append("")
        for r in c.get("within", []):
            parts = c.get("within_parts", {})
            g = lambda k: parts.get(k, float("nan"))  # noqa: E731
            out += [f"*Where untrue tips fall* (the claim's second part, inside B = `{c['b']}`; "
                    "`azalai.analysis.claims_tips`). A tip is untrue in the share of the accused's men who did not "
                    "do what they are denounced for, whatever the mandate says about them. A place's rivalry is the "
                    "sharpest starting hostility between two local armed groups present there (0 where there are "
                    "not two). The statistic is the rank correlation, over the places tips point at (about "
                    f"{g('untrue_clustering_places'):.0f} a run), between their rivalry and the untrue share of "
                    f"their tips. Untrue share of the tips at places with a rivalry: {g('untrue_share_rivals'):.3f}; "
                    f"elsewhere: {g('untrue_share_no_rivals'):.3f}. Counting the state's army as a party to "
                    f"rivalries, the correlation is {g('untrue_clustering_with_state'):.2f} (not judged).", "",
                    "| outcome | claimed sign | value in B | 95% CI | p (Holm) | holds |", "|---|---|---|---|---|---|",
                    f"| {r['outcome']} | {r['expected']} | {r['diff']:.4g} | [{r['ci_low']:.4g}, {r['ci_high']:.4g}] | "
                    f"{r['p_holm']:.2g} | {'yes' if r['holds'] else 'no'} |", ""]
        if c.get("bundle"):
            b = c["bundle"]
            out += [f"*Bundle (second comparison):* {b['name']}: A = `{b['a']}`, B = `{b['b']}`.", ""]
            out += HEAD + [_row(r) for r in b["rows"]] + [""]
        out += ["*Ablations* (B − A with the term off, or the value in B for a statistic inside B; the most direct "
                "term of each outcome is marked *):", "",
                "| term off | parameters at 0 | " + " | ".join(r["outcome"] for r in c["single_lever"] + c.get("within", []))
                + " |", "|---|---|" + "---|" * (len(c["single_lever"]) + len(c.get("within", [])))]
        for name, a in c["ablations"].items():
            cells = []
            for r in a["rows"]:
                star = "*" if c["direct"].get(r["outcome"]) == name else ""
                cells.append(f"{star}{r['diff']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}]"
                             f"{' holds' if r['holds'] else ''}")
            out.append(f"| {name} | {', '.join(a['off'])} | " + " | ".join(cells) + " |")
        out.append("")
        by = [k for k, v in c["by_construction"].items() if v]
        out.append("*By construction:* " + (", ".join(by) + " (the effect needs only its most direct term)." if by
                                             else "no outcome's effect rests on its most direct term alone."))
        out.append("")
        if "robustness" in c:
            rb = c["robustness"]
            per = "; ".join(f"{k} {v:.0%} (right sign in {rb['sign_share_by_outcome'][k]:.0%})"
                            for k, v in rb["share_by_outcome"].items())
            out += [f"*Robustness:* the claim holds in {rb['share']:.0%} of {rb['worlds']} worlds; by outcome: {per}.",
                    "", f"**Verdict: {c['verdict']}.**", ""]
            if c.get("prim") and c["prim"].get("words"):
                out += [f"*Where it fails:* {c['prim']['words']}.", ""]
            elif c["verdict"] == "conditional":
                out += ["*Where it fails:* PRIM found no box that separates the failing worlds.", ""]
        else:
            out += [f"**{c['verdict']}** (no robustness run).", ""]
    return "\n".join(out) + "\n"


def figure(res: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, vals = [], []
    for c in res["claims"]:
        if "robustness" not in c:
            continue
        labels.append(f"claim {c['claim']} (all)")
        vals.append(c["robustness"]["share"])
        for k, v in c["robustness"]["share_by_outcome"].items():
            labels.append(f"  {k}")
            vals.append(v)
    if not labels:
        return
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(labels) + 1))
    ax.barh(range(len(labels)), vals, color=["tab:blue" if not lab.startswith("  ") else "tab:gray" for lab in labels])
    ax.axvline(res.get("robust_share", 0.9), color="tab:green", ls="--", lw=0.8)
    ax.axvline(res.get("support_share", 0.25), color="tab:red", ls="--", lw=0.8)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of drawn worlds where the claim (or outcome) holds")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200, help="worlds drawn")
    ap.add_argument("--seeds-per-world", type=int, default=12)
    ap.add_argument("--point-seeds", type=int, default=40)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--from", dest="src", default="", help="write from stored results instead of running")
    args = ap.parse_args()
    IMG.mkdir(parents=True, exist_ok=True)
    store = IMG / "results.json"
    if args.src:
        res = json.loads(Path(args.src).read_text(encoding="utf-8"))
    else:
        from azalai.analysis.claims_robust import run_claims

        res = run_claims(robust=True, n_worlds=args.n, seeds_per_world=args.seeds_per_world,
                         point_seeds=args.point_seeds, days=args.days, seed=args.seed, workers=args.workers,
                         progress=lambda done, total: print(f"{done}/{total} tasks", file=sys.stderr, flush=True))
        res["command"] = (f"python scripts/claims_report.py -n {args.n} --seeds-per-world {args.seeds_per_world} "
                          f"--point-seeds {args.point_seeds} --days {args.days} --seed {args.seed}")
        try:
            res["revision"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                             text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            res["revision"] = "unknown"
        store.write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
    figure(res, IMG / "robustness.png")
    DOC.write_text(render(res, res.get("revision", "unknown"), res.get("command", "")), encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()

"""`azalai claims`: test the seed's seven claims with paired ensembles."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from azalai.cli.formats import TableJson, format_option
from azalai.errors import InputError, Problem


def register(app: typer.Typer) -> None:
    @app.command("claims")
    def claims(
        claim: int = typer.Option(0, "--claim", help="test only this claim (1-7); 0 tests all"),
        n: int = typer.Option(100, "-n", help="replicates per arm (paired seeds)"),
        seed: int = typer.Option(0, "--seed", help="first seed"),
        days: int = typer.Option(730, "--days", help="days per run"),
        fmt: TableJson = format_option(),
    ) -> None:
        """Run the paired experiments behind the seed's claims and print each verdict."""
        from azalai.analysis.claims import CLAIMS, false_tip_clustering, paired_claim, seizure_event_study

        if claim not in range(0, 8):
            raise InputError(Problem("<arguments>", None, None, "--claim", f"must be 1..7 or 0 for all (got {claim})"))
        if n < 2:
            raise InputError(Problem("<arguments>", None, None, "-n", f"must be at least 2 (got {n})"))
        if days < 30:
            raise InputError(Problem("<arguments>", None, None, "--days", f"must be at least 30 (got {days})"))
        results = []
        for c in CLAIMS:
            if claim and c.number != claim:
                continue
            if c.number == 2:
                results.append(seizure_event_study(n=n, seed=seed, days=days))
                continue
            res = paired_claim(c, n=n, seed=seed, days=days)
            if c.number == 3:
                res["clustering"] = false_tip_clustering(n=max(2, n // 5), seed=seed, days=days)
            results.append(res)
        if fmt == "json":
            print(json.dumps(results, indent=1, default=str))
            return
        con = Console()
        for res in results:
            t = Table(title=f"Claim {res['claim']}: {res['verdict']}")
            if res["claim"] == 2:
                for col in ("seizures", "clashes before", "clashes after", "mean diff per seizure", "95% CI"):
                    t.add_column(col)
                t.add_row(str(res["seizures"]), str(res["clashes_before"]), str(res["clashes_after"]),
                          f"{res['diff']:.3f}", f"[{res['ci_low']:.3f}, {res['ci_high']:.3f}]")
            else:
                for col in ("outcome", "expected", res["a"], res["b"], "diff", "95% CI", "holds"):
                    t.add_column(col)
                for r in res["rows"]:
                    t.add_row(r["outcome"], r["expected"], f"{r['a']:.4g}", f"{r['b']:.4g}", f"{r['diff']:.4g}",
                              f"[{r['ci_low']:.4g}, {r['ci_high']:.4g}]", "yes" if r["holds"] else "no")
            con.print(t)
            if "clustering" in res:
                cl = res["clustering"]
                con.print(f"false tips where rivalry is sharp: {cl['false_share_sharp']:.1%}; where mild: "
                          f"{cl['false_share_mild']:.1%} (difference CI [{cl['ci_low']:.3f}, {cl['ci_high']:.3f}])")

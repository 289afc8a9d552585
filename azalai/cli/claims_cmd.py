"""`azalai claims`: test the seed's seven claims: single levers, ablations, and robustness across worlds."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from azalai.cli.formats import TableJson, format_option
from azalai.errors import InputError, Problem
from azalai.limits import check_all, check_seed_span


def _bad(field: str, msg: str) -> InputError:
    return InputError(Problem("<arguments>", None, None, field, msg))


def register(app: typer.Typer) -> None:
    @app.command("claims")
    def claims(
        claim: int = typer.Option(0, "--claim", help="test only this claim (1-7); 0 tests all"),
        robust: bool = typer.Option(False, "--robust", help="also test each claim across -n drawn worlds"),
        n: int = typer.Option(0, "-n", help="with --robust: worlds drawn (default 200); else: seeds at the point "
                                            "world (default 40)"),
        seeds_per_world: int = typer.Option(12, "--seeds-per-world", help="paired seeds in each drawn world"),
        point_seeds: int = typer.Option(40, "--point-seeds", help="paired seeds at the point world"),
        sources: str = typer.Option("posterior,scenario,influential", "--sources",
                                    help="what the worlds draw: posterior, scenario, influential (comma-separated)"),
        point: bool = typer.Option(False, "--point", help="hold every uncertainty at its point value (no --robust)"),
        seed: int = typer.Option(0, "--seed", help="first seed (and the worlds' seed)"),
        days: int = typer.Option(730, "--days", help="days per run"),
        workers: int = typer.Option(1, "--workers", help="worker processes"),
        robust_share: float = typer.Option(0.9, "--robust-share", help="share of worlds for the verdict 'robust'"),
        support_share: float = typer.Option(0.25, "--support-share",
                                            help="share of worlds below which a claim is 'not supported'"),
        fmt: TableJson = format_option(),
        out: str = typer.Option("", "--out", help="also write the JSON results to this file"),
    ) -> None:
        """Run the paired experiments behind the seed's claims and print each verdict."""
        from azalai.analysis.claims_robust import run_claims
        from azalai.experiment.worlds import SOURCES

        if claim not in range(0, 8):
            raise _bad("--claim", f"must be 1..7 or 0 for all (got {claim})")
        if n < 0 or (n and n < 2):
            raise _bad("-n", f"must be at least 2 (got {n})")
        if seeds_per_world < 2 or point_seeds < 2:
            raise _bad("--seeds-per-world" if seeds_per_world < 2 else "--point-seeds", "must be at least 2")
        if days < 30:
            raise _bad("--days", f"must be at least 30 (got {days})")
        if workers < 1:
            raise _bad("--workers", f"must be at least 1 (got {workers})")
        if not 0.0 <= support_share <= robust_share <= 1.0:
            raise _bad("--support-share", f"needs 0 <= support share <= robust share <= 1 (got {support_share}, "
                                          f"{robust_share})")
        src = tuple(s.strip() for s in sources.split(",") if s.strip())
        bad = [s for s in src if s not in SOURCES]
        if bad:
            raise _bad("--sources", f"unknown source {bad[0]!r}: use {', '.join(SOURCES)}")
        if point and robust:
            raise _bad("--point", "holds every uncertainty at its point value: it cannot go with --robust")
        check_all(seed=(seed, "--seed"), days=(days, "--days"), workers=(workers, "--workers"))
        check_seed_span(seed, max(n, seeds_per_world, point_seeds), "--seed")
        n_worlds = n or 200
        if not robust and n:
            point_seeds = n
        res = run_claims([claim] if claim else None, robust=robust, n_worlds=n_worlds,
                         seeds_per_world=seeds_per_world, point_seeds=point_seeds, days=days, seed=seed,
                         sources=src, workers=workers, robust_share=robust_share, support_share=support_share)
        if out:
            from pathlib import Path

            Path(out).write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
        if fmt == "json":
            print(json.dumps(res, indent=1, default=str))
            return
        _print(res)


def _print(res: dict) -> None:
    con = Console()
    for c in res["claims"]:
        by = [k for k, v in c["by_construction"].items() if v]
        title = f"Claim {c['claim']}: {c['verdict']}" + (f" (by construction: {', '.join(by)})" if by else "")
        t = Table(title=title, caption=c["lever"])
        for col in ("outcome", "expected", "effect", "95% CI", "p (Holm)", "holds"):
            t.add_column(col)
        for r in c["single_lever"] + c.get("within", []):
            name = r["outcome"] + (" (inside B)" if r in c.get("within", []) else "")
            t.add_row(name, r["expected"], f"{r['diff']:.4g}", f"[{r['ci_low']:.4g}, {r['ci_high']:.4g}]",
                      f"{r['p_holm']:.3g}", "yes" if r["holds"] else "no")
        con.print(t)
        if c.get("placebo"):
            p = c["placebo"]
            con.print(f"placebo seizures: {p['diff']:.4g} [{p['ci_low']:.4g}, {p['ci_high']:.4g}]")
        for name, a in c["ablations"].items():
            con.print(f"  {name} off ({', '.join(a['off'])}): " + "; ".join(
                f"{r['outcome']} {r['diff']:.4g} [{r['ci_low']:.4g}, {r['ci_high']:.4g}]" for r in a["rows"]))
        if "robustness" in c:
            con.print(f"  holds in {c['robustness']['share']:.0%} of {c['robustness']['worlds']} worlds")
        if c.get("prim") and c["prim"].get("words"):
            con.print("  " + c["prim"]["words"])

"""`azalai compare` and `azalai explain`: paired policy comparisons and the causes of events and differences."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Optional, Tuple

import typer
from rich.table import Table

from azalai.cli.args import check_out_dir, check_run_id, prepare_out_dir
from azalai.cli.console import err, esc, out
from azalai.cli.formats import TableJson, format_option
from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem
from azalai.limits import check_all, check_seed_span


STORE_HELP = "store file (default $AZALAI_STORE or ./azalai-runs/azalai.duckdb)"
FORMATS = ("table", "json")


def _fmt(x: float) -> str:
    """Compact numbers for narrow terminals: 7.24M, 12.3k, 165.7, 0.083, 4.5e-03."""
    ax = abs(x)
    if ax == 0:
        return "0"
    for lim, div, suf in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if ax >= lim:
            return f"{x / div:.3g}{suf}"
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 0.01:
        return f"{x:.3f}"
    return f"{x:.1e}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(text).stem if text.endswith((".yaml", ".yml")) else text)


def _bad(field: str, message: str) -> InputError:
    return InputError(Problem("<arguments>", None, None, field, message))


def _check_policies(*names: str):
    """Load each policy now, so a typo fails before any simulation starts."""
    from azalai.policy.loader import load_policy

    problems = []
    pols = []
    for name in names:
        try:
            pols.append(load_policy(name))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        from azalai.errors import PolicyError

        raise PolicyError(problems)
    return pols


def _check_common(n: int | None = None, days: int | None = None, fmt: str | None = None,
                  seed: int | None = None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise _bad("--format", f"must be one of {', '.join(FORMATS)} (got {fmt[:40]!r})")
    check_all(n=(n, "-n"), days=(days, "--days"), seed=(seed, "--seed"))
    if n is not None and seed is not None:
        check_seed_span(seed, n, "--seed")


# ---------------------------------------------------------------------------------------------- compare


def compare_cmd(
    policy_a: str = typer.Argument(..., help="policy A (built-in name or YAML file): the reference"),
    policy_b: str = typer.Argument(..., help="policy B (built-in name or YAML file): differences are B - A"),
    n: int = typer.Option(200, "-n", "--n", help="replicates (seeds) per policy"),
    seed: int = typer.Option(0, "--seed", help="first seed; replicates use seed, seed+1, ...; also seeds the bootstrap"),
    days: Optional[int] = typer.Option(None, "--days", help="days to simulate (default: the scenario's horizon)"),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", help="built-in name or YAML file"),
    fmt: TableJson = format_option(help="table (Rich) | json (one object keyed by outcome)"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="output directory (default ./azalai-runs/compare-A-vs-B/)"),
    n_boot: int = typer.Option(2000, "--boot", help="bootstrap resamples"),
    all_outcomes: bool = typer.Option(False, "--all", help="show every outcome in the table (default: the main ones and any that differ)"),
) -> None:
    """Compare two policies over the same seeds (common random numbers): paired differences with 95% bootstrap CIs."""
    from azalai.analysis.compare import forest_plot, paired_compare
    from azalai.analysis.explain import explain_difference
    from azalai.model.outcomes import key_outcomes

    _check_common(n, days, fmt, seed)
    check_all(n_boot=(n_boot, "--boot"))
    pa, pb = _check_policies(policy_a, policy_b)
    target = out_dir or Path("azalai-runs") / f"compare-{_slug(policy_a)}-vs-{_slug(policy_b)}"
    check_out_dir(target, force=True)
    prepare_out_dir(target)
    quiet = fmt == "json"

    def progress(done: int, total: int) -> None:
        if not quiet or sys.stderr.isatty():
            err.print(f"  {done}/{total} paired replicates", highlight=False)

    cmp = paired_compare(scenario, pa, pb, n=n, seed=seed, days=days, n_boot=n_boot, with_events=True,
                         progress=progress)  # fmt: skip
    table = cmp.table
    expl = explain_difference(cmp.runs.events_a, cmp.runs.events_b, cmp.runs.outcomes_a, cmp.runs.outcomes_b,
                              scenario=scenario, label_a=pa.id, label_b=pb.id)  # fmt: skip

    target.mkdir(parents=True, exist_ok=True)
    table.to_csv(target / "comparison.csv", index=False)
    (target / "comparison.json").write_text(json.dumps({"meta": cmp.meta, "outcomes": cmp.to_json_dict()}, indent=2))
    forest_plot(table, target / "forest.png", label_a=pa.id, label_b=pb.id,
                title=f"{pb.id} vs {pa.id}: {cmp.meta['n']} paired runs of {cmp.meta['days']} days")  # fmt: skip
    expl.table.to_csv(target / "explanation.csv", index=False)
    (target / "explanation.md").write_text(
        f"# Why {pb.id} differs from {pa.id}\n\n{cmp.meta['n']} paired runs, seeds {seed}..{seed + cmp.meta['n'] - 1}, "
        f"{cmp.meta['days']} days; figures are means per run.\n\n" + "\n".join(f"- {s}" for s in expl.sentences) + "\n"
    )

    if fmt == "json":
        sys.stdout.write(json.dumps(cmp.to_json_dict(), indent=2) + "\n")
        return

    main = key_outcomes()
    shown = table if all_outcomes else table[table["outcome"].isin(main) | table["excludes_zero"]]
    t = Table(title=f"B - A over {cmp.meta['n']} paired runs of {cmp.meta['days']} days (95% bootstrap CI)",
              caption=f"A = {pa.id}, B = {pb.id}; bold: CI excludes 0; d_z = mean diff / sd of diffs")  # fmt: skip
    for col in ("outcome", "A", "B", "B-A", "95% CI", "d_z"):
        t.add_column(col, justify="left" if col == "outcome" else "right", no_wrap=True)
    for r in shown.itertuples(index=False):
        mark = "[bold]" if r.excludes_zero else ""
        t.add_row(r.outcome, _fmt(r.a), _fmt(r.b), f"{mark}{_fmt(r.diff)}", f"{_fmt(r.ci_low)}..{_fmt(r.ci_high)}",
                  f"{r.effect_size:+.2f}")  # fmt: skip
    out.print(t)
    out.print("[bold]why[/] (means per run):")
    for i, s in enumerate(expl.sentences, 1):
        out.print(f"  {i}. {s}", highlight=False, markup=False)
    out.print(f"wrote {target}/ (comparison.csv, comparison.json, forest.png, explanation.md, explanation.csv)",
              highlight=False, soft_wrap=True, markup=False)  # fmt: skip


# ---------------------------------------------------------------------------------------------- explain


def _events_from_store(run_id: str, event_id: str, store: Optional[Path], seed: Optional[int]):
    from azalai.experiment.store import open_store, store_path

    p = store_path(store)
    if not p.exists():
        raise _bad("--store", f"no store at {p}; run something first or give --store")
    con = open_store(p, read_only=True)
    try:
        # Read-only: query the tables directly (get_run would try to create them).
        have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"runs", "run_events"} <= have:
            raise _bad("--run", f"the store {p} holds no runs yet")
        rows = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).fetchdf()
        run = rows.iloc[0].to_dict() if len(rows) else None
        if run is None:
            recent = con.execute("SELECT run_id FROM runs ORDER BY created DESC LIMIT 5").fetchall()
            hint = f"; recent runs: {', '.join(r[0] for r in recent)}" if recent else ""
            raise _bad("--run", f"no run '{run_id}' in {p}{hint}")
        if seed is None:
            hit = con.execute(
                "SELECT seed FROM run_events WHERE run_id = ? AND event_id_cnty = ? LIMIT 1", [run_id, str(event_id)]
            ).fetchall()
            if not hit:
                seeds = [r[0] for r in con.execute(
                    "SELECT DISTINCT seed FROM run_events WHERE run_id = ? ORDER BY seed", [run_id]).fetchall()]  # fmt: skip
                if not seeds:
                    raise _bad("--run", f"run '{run_id}' has no stored events")
                seed = int(seeds[0])
            else:
                seed = int(hit[0][0])
        events = con.execute(
            "SELECT * FROM run_events WHERE run_id = ? AND seed = ? ORDER BY day, rowid", [run_id, seed]
        ).fetchdf()
        tips = None
        if "run_tips" in have:
            tips = con.execute("SELECT * FROM run_tips WHERE run_id = ? AND seed = ?", [run_id, seed]).fetchdf()
    finally:
        con.close()
    if len(events) == 0:
        raise _bad("--seed", f"run '{run_id}' has no stored events for seed {seed}")
    return events, tips, run.get("scenario") or DEFAULT_SCENARIO


def explain_cmd(
    event_id: Optional[str] = typer.Argument(None, help="event id (e.g. AZ3-120) or its number"),
    run: Optional[str] = typer.Option(None, "--run", help="a stored run id: explain one of its events"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", help="scenario for a re-run (built-in name or YAML file)"),
    policy: Optional[str] = typer.Option(None, "--policy", help="re-run one simulation under this policy and explain an event of it"),
    seed: Optional[int] = typer.Option(None, "--seed", help="seed of the re-run (default 0), or which stored replicate"),
    days: Optional[int] = typer.Option(None, "--days", help="days of the re-run (default: the scenario's horizon)"),
    compare: Optional[Tuple[str, str]] = typer.Option(None, "--compare", help="POLICY_A POLICY_B: explain the differences between two paired runs"),
    fmt: TableJson = format_option(help="table (text) | json"),
    top: int = typer.Option(8, "--top", help="sentences to show for --compare"),
) -> None:
    """Explain an event's cause chain (following references), or the differences between two paired runs."""
    from azalai.analysis.causes import count_text
    from azalai.analysis.explain import explain_difference, explain_event

    _check_common(days=days, fmt=fmt, seed=seed)
    if not 1 <= top <= 1000:
        raise _bad("--top", f"must be between 1 and 1,000 (got {top})")
    if run is not None:
        check_run_id(run, "--run")
    if compare:
        if event_id is not None or run is not None:
            raise _bad("--compare", "give either --compare POLICY_A POLICY_B or an EVENT_ID with --run/--policy, not both")
        from azalai.model.engine import prepare, simulate_prepared

        pa, pb = _check_policies(*compare)
        s = 0 if seed is None else seed
        ra = simulate_prepared(prepare(scenario, pa, days), s)
        rb = simulate_prepared(prepare(scenario, pb, days), s)
        ex = explain_difference(ra.events, rb.events, ra.outcomes, rb.outcomes, scenario=scenario,
                                label_a=pa.id, label_b=pb.id, top=top)  # fmt: skip
        if fmt == "json":
            sys.stdout.write(json.dumps(ex.to_dict(), indent=2, default=str) + "\n")
            return
        out.print(f"[bold]{esc(pb.id)} vs {esc(pa.id)}[/], seed {s}, {ra.meta['days']} days:")
        for i, snt in enumerate(ex.sentences, 1):
            out.print(f"  {i}. {snt}", highlight=False, soft_wrap=True, markup=False)
        t = Table(title="the causes behind them (largest changes per category)")
        t.caption = f"A = {pa.id}, B = {pb.id}"
        for col in ("category", "cause", "A", "B", "B-A"):
            t.add_column(col, justify="left" if col in ("category", "cause") else "right",
                         no_wrap=col not in ("cause",))  # fmt: skip
        tab = ex.table[ex.table["diff"] != 0]
        for cat, sub in tab.groupby("category", sort=False):
            for i, r in enumerate(sub.head(4).itertuples(index=False)):
                t.add_row(cat.replace("_", " ") if i == 0 else "", r.group, count_text(r.a), count_text(r.b), f"{r.diff:+,.4g}",
                          end_section=i == min(len(sub), 4) - 1)  # fmt: skip
        out.print(t)
        return

    if event_id is None:
        raise _bad("EVENT_ID", "give an event id to explain (with --run RUN_ID or --policy POLICY), "
                               "or --compare POLICY_A POLICY_B")  # fmt: skip
    if run is not None and policy is not None:
        raise _bad("--run", "give either --run (a stored run) or --policy (a re-run), not both")
    if run is not None:
        events, tips, sc = _events_from_store(run, event_id, store, seed)
    elif policy is not None:
        from azalai.model.engine import simulate

        _check_policies(policy)
        res = simulate(scenario, policy, seed=0 if seed is None else seed, days=days)
        events, tips, sc = res.events, res.tips, scenario
    else:
        raise _bad("--run", "say where the event comes from: --run RUN_ID (stored) or --policy POLICY [--seed S] (re-run)")
    ex = explain_event(events, event_id, tips=tips, scenario=sc)
    if fmt == "json":
        sys.stdout.write(json.dumps(ex.to_dict(), indent=2, default=str) + "\n")
        return
    out.print(ex.text(), highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_cmd)
    app.command("explain")(explain_cmd)

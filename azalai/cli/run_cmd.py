"""`azalai run`, `azalai runs ...`, `azalai params ...` and `azalai demo`: single runs and their records.

``azalai run`` steps the engine in chunks of days so the progress bar is real, writes the run's
outputs (events, tips, weekly time series, outcomes, metadata) into a directory and records the run
in the DuckDB store in one transaction. Every argument is checked before anything runs or is
written; existing outputs are never deleted, and a non-empty output directory is only written into
with ``--force``.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from azalai.cli.args import bad, check_out_dir, check_run_id, check_store_path, prepare_out_dir
from azalai.cli.console import err, esc, out, plain
from azalai.cli.formats import TableJson, TableJsonCsv, TableJsonMarkdown, format_option, print_rows
from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
from azalai.errors import InputError, Problem
from azalai.errors import InputError, Problem, StoreError
from azalai.limits import check_all
from azalai.model.outcomes import key_outcomes


STORE_HELP = "store file (default $AZALAI_STORE or ./azalai-runs/azalai.duckdb)"
OUTPUT_FILES = ("events.parquet", "tips.parquet", "timeseries.parquet", "outcomes.json", "run.json")
COMPILE_NOTE = "The first run compiles the simulation engine (a few minutes, once); later runs start in about a second."
CHUNK_DAYS = 14

runs_app = typer.Typer(help="Runs recorded in the store: list them, show one.", no_args_is_help=True)
params_app = typer.Typer(help="Model parameters: the registry of every coefficient.", no_args_is_help=True)


def _arg_problem(field_: str, message: str) -> InputError:
    return bad(field_, message)


# --- running --------------------------------------------------------------------------------------


@dataclass
class RunOutput:
    """One executed run and everything written about it."""

    prep: Any
    S: Any
    seed: int
    outcomes: dict[str, float]
    events: Any
    tips: Any
    timeseries: Any
    meta: dict[str, Any]
    elapsed: float
    files: dict[str, Path] = field(default_factory=dict)


def _run_chunked(prep, seed: int, check: bool, advance) -> Any:
    """Step the day loop in chunks (for engines whose ``run_prepared`` takes no progress callback)."""
    import numpy as np

    from azalai.model.kernel import finish_batch, init_batch, step_days
    from azalai.model.state import alloc_state

    W = prep.world
    S = alloc_state(W, np.asarray([seed], dtype=np.int64), prep.days, True)
    init_batch(W, S)
    if check:
        from azalai.model.invariants import check_invariants
    d = 0
    while d < prep.days:
        d1 = min(prep.days, d + CHUNK_DAYS)
        if check:
            for day in range(d, d1):
                step_days(W, S, prep.params, prep.levers, prep.aid, day, day + 1)
                check_invariants(W, S, day=day)
        else:
            step_days(W, S, prep.params, prep.levers, prep.aid, d, d1)
        advance(d1)
        d = d1
    finish_batch(W, S, prep.days)
    return S


def execute(prep, seed: int, check: bool = False, console: Console | None = None, progress: bool = True) -> RunOutput:
    """Run one replicate with a progress bar, stepping the compiled day loop in chunks of days.

    Gives exactly the results of :func:`azalai.model.engine.simulate_prepared` (the day loop is the
    same; only the stepping is chunked).
    """
    import inspect

    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from azalai.model import engine

    console = console or err
    t0 = time.perf_counter()
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("day {task.completed:.0f}/{task.total:.0f}"), TimeElapsedColumn()]  # fmt: skip
    doing = "simulating" + (" (checking invariants daily)" if check else "")
    with Progress(*columns, console=console, disable=not progress, transient=False) as bar:
        task = bar.add_task("loading the engine (the first run compiles it: a few minutes, once)", total=prep.days)

        def advance(days_done: int) -> None:
            bar.update(task, completed=days_done, description=doing)

        if "progress" in inspect.signature(engine.run_prepared).parameters:
            S = engine.run_prepared(prep, [seed], record=True, check=check, progress=advance, chunk=CHUNK_DAYS)
        else:
            S = _run_chunked(prep, seed, check, advance)
    with console.status("decoding the event log and time series"):
        res = RunOutput(
            prep=prep,
            S=S,
            seed=int(seed),
            outcomes=engine.outcomes_of(prep, S, 0),
            events=engine.events_frame(prep, S, 0, tag=f"AZ{seed}-"),
            tips=engine.tips_frame(prep, S, 0),
            timeseries=engine._rows_timeseries(prep, S, 0),
            meta=engine.run_meta(prep, seed),
            elapsed=0.0,
        )
    res.elapsed = time.perf_counter() - t0
    return res


def write_outputs(res: RunOutput, out_dir: Path, run_id: str, store: Path, check: bool) -> dict[str, Path]:
    """Write events, tips and time series (Parquet), outcomes and metadata (JSON) into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {name: out_dir / name for name in OUTPUT_FILES}
    res.events.to_parquet(files["events.parquet"], index=False)
    res.tips.to_parquet(files["tips.parquet"], index=False)
    res.timeseries.to_parquet(files["timeseries.parquet"], index=False)
    files["outcomes.json"].write_text(json.dumps(res.outcomes, indent=2) + "\n", encoding="utf-8")
    meta = dict(res.meta)
    meta.update(
        {
            "run_id": run_id,
            "kind": "single",
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "out_dir": str(out_dir),
            "store": str(store),
            "checked_invariants": bool(check),
            "elapsed_seconds": round(res.elapsed, 3),
            "n_events": int(len(res.events)),
            "n_tips": int(len(res.tips)),
            "files": sorted(OUTPUT_FILES),
        }
    )
    files["run.json"].write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    res.files.update(files)
    return files


def record_run(res: RunOutput, store: Path, run_id: str, out_dir: Path, note: str = "") -> None:
    """Record the run, its outcomes, events, tips and time series in the store, in one transaction."""
    from azalai.experiment.runs import insert_frame, insert_outcomes, insert_run
    from azalai.experiment.store import open_store

    try:
        con = open_store(store)
    except StoreError as exc:  # locked by another process, not a DuckDB file, ...
        p = exc.problems[0]
        raise StoreError([Problem(p.file, None, None, "", f"{p.message}; the run's files are in {out_dir}")],
                         file=p.file) from None
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            insert_run(con, run_id, "single", res.meta, n=1, out_dir=str(out_dir), note=note, status="done")
            insert_outcomes(con, run_id, [(0, res.seed, res.outcomes)])
            insert_frame(con, "run_events", run_id, res.seed, res.events)
            insert_frame(con, "run_tips", run_id, res.seed, res.tips)
            insert_frame(con, "run_timeseries", run_id, res.seed, res.timeseries)
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except Exception:  # the transaction may already be gone; the original error matters
                pass
            raise
    finally:
        con.close()


# --- summary --------------------------------------------------------------------------------------


def _money(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f}M"
    if abs(x) >= 1e3:
        return f"{x / 1e3:,.0f}k"
    return f"{x:,.0f}"


def _num(x: float) -> str:
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return str(x)
    if float(x).is_integer() or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def accord_status(timeseries) -> list[dict[str, Any]]:
    """Per signatory pair: tension at the end, its peak, and whether restraint is broken at the end."""
    if timeseries is None or len(timeseries) == 0:
        return []
    ten = timeseries[timeseries["series"] == "tension"]
    brk = timeseries[timeseries["series"] == "restraint_broken"]
    rows = []
    for key, d in ten.groupby("key", sort=True):
        d = d.sort_values("week")
        b = brk[brk["key"] == key].sort_values("week")
        rows.append(
            {
                "pair": str(key).replace("|", " - "),
                "tension_end": float(d["value"].iloc[-1]),
                "tension_max": float(d["value"].max()),
                "broken_end": bool(len(b) and b["value"].iloc[-1] > 0.5),
                "weeks_broken": int((b["value"] > 0.5).sum()) if len(b) else 0,
            }
        )
    return rows


def print_summary(res: RunOutput, console: Console) -> None:
    from azalai.report.figures import revenue_table

    o = res.outcomes
    ev = res.events
    m = res.meta
    console.print(
        f"[bold]{esc(m['scenario'])}[/] under [bold]{esc(m['policy'])}[/], seed {m['seed']}, {m['days']} days from "
        f"{m['start']} ({res.elapsed:.1f} s)",
        highlight=False,
    )
    t = Table(title="headline outcomes")
    t.add_column("outcome")
    t.add_column("value", justify="right")
    for k in key_outcomes():
        if k in o:
            t.add_row(k, _num(o[k]))
    console.print(t)

    if len(ev):
        by_region = ev.groupby("admin1").agg(events=("event_id_cnty", "size"), fatalities=("fatalities", "sum"))
        by_region = by_region.sort_values("fatalities", ascending=False)
        t = Table(title="fatalities by region")
        for col in ("admin1", "events", "fatalities"):
            t.add_column(col, justify="left" if col == "admin1" else "right")
        for name, row in by_region.iterrows():
            t.add_row(str(name), f"{int(row['events']):,}", f"{int(row['fatalities']):,}")
        console.print(t)
        by_type = ev.groupby(["event_type", "sub_event_type"]).agg(
            events=("event_id_cnty", "size"), fatalities=("fatalities", "sum")
        )
        by_type = by_type.sort_values(["fatalities", "events"], ascending=False)
        t = Table(title="fatalities by event type")
        for col in ("event type", "sub-event type", "events", "fatalities"):
            t.add_column(col, justify="right" if col in ("events", "fatalities") else "left")
        for (et, st), row in by_type.iterrows():
            t.add_row(str(et), str(st), f"{int(row['events']):,}", f"{int(row['fatalities']):,}")
        console.print(t)
    else:
        console.print("no events")

    rev = revenue_table(res.timeseries)
    if not rev.empty:
        rev = rev.loc[rev.sum(axis=1).sort_values(ascending=False).index]
        cols = [c for c in rev.columns if rev[c].abs().sum() > 0]
        t = Table(title="revenue by actor and source (USD, whole run)")
        t.add_column("actor")
        for c in cols:
            t.add_column(c, justify="right")
        t.add_column("total", justify="right")
        for actor, row in rev.iterrows():
            if row.sum() <= 0:
                continue
            t.add_row(str(actor), *[_money(float(row[c])) for c in cols], _money(float(row.sum())))
        console.print(t)

    status = accord_status(res.timeseries)
    if status:
        t = Table(title="accords: tension per signatory pair")
        for col in ("pair", "tension (end)", "tension (peak)", "restraint (end)", "weeks broken"):
            t.add_column(col, justify="left" if col == "pair" else "right")
        for s in sorted(status, key=lambda s: -s["tension_max"]):
            t.add_row(s["pair"], f"{s['tension_end']:.2f}", f"{s['tension_max']:.2f}",
                      "[red]broken[/]" if s["broken_end"] else "holds", str(s["weeks_broken"]))  # fmt: skip
        console.print(t)
    if o.get("accord_failed", 0.0) > 0:
        console.print(
            f"[bold red]accord failed[/] on day {o['accord_failure_day']:.0f} "
            f"(restraint broke {o.get('accord_breaks', 0):.0f} times)",
            highlight=False,
        )
    elif o.get("accord_breaks", 0) > 0:
        console.print(f"accords held: restraint broke {o['accord_breaks']:.0f} times and was restored in time",
                      highlight=False)  # fmt: skip
    else:
        console.print("accords held: restraint never broke")


# --- commands -------------------------------------------------------------------------------------


def _prepare(scenario: str, policy: str, days: Optional[int], params: Optional[Path]):
    from azalai.model.engine import prepare
    from azalai.model.params import load_param_file
    from azalai.policy.loader import load_policy
    from azalai.scenario.loader import load_scenario

    overrides = load_param_file(params) if params is not None else None
    sc = load_scenario(scenario)
    pol = load_policy(policy)
    return prepare(sc, pol, days, overrides)


def run_cmd(
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", help="built-in scenario name or YAML file"),
    policy: str = typer.Option(DEFAULT_POLICY, "--policy", help="built-in policy name or YAML file"),
    seed: int = typer.Option(0, "--seed", help="random seed (same seed, same results)"),
    days: Optional[int] = typer.Option(None, "--days", help="days to simulate (default: the scenario's horizon)"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="output directory (default ./azalai-runs/<run_id>/)"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    params: Optional[Path] = typer.Option(None, "--params", help="YAML file of parameter values to override"),
    check: bool = typer.Option(False, "--check", help="check the model's invariants every day (slower)"),
    fmt: TableJson = format_option(help="table (summary) | json (outcome scalars only, on stdout)"),
    force: bool = typer.Option(False, "--force", help="write into a non-empty output directory"),
    note: str = typer.Option("", "--note", help="a note stored with the run"),
) -> None:
    """Run one simulation: progress, a summary, output files and a record in the store."""
    from azalai.experiment.runs import new_run_id
    from azalai.model.invariants import InvariantError

    check_all(seed=(seed, "--seed"), days=(days, "--days"))
    run_id = new_run_id("run")
    target = out_dir if out_dir is not None else Path("azalai-runs") / run_id
    check_out_dir(target, force)
    store_file = check_store_path(store)
    prep = _prepare(scenario, policy, days, params)
    prepare_out_dir(target)

    console = err if fmt == "json" else out
    try:
        res = execute(prep, seed, check=check, console=err)
    except InvariantError as exc:
        err.print(f"[bold red]invariant violated:[/] {esc(exc)}", highlight=False)
        err.print("nothing was written; this is a bug in the model, please report it with the command you ran")
        raise typer.Exit(1) from None
    write_outputs(res, target, run_id, store_file, check)
    record_run(res, store_file, run_id, target, note=note)
    if fmt == "json":
        sys.stdout.write(json.dumps(res.outcomes) + "\n")
        sys.stdout.flush()
    else:
        print_summary(res, console)
    console.print(f"run [bold]{run_id}[/]: outputs in {esc(target)}, recorded in {esc(store_file)}", highlight=False,
                  soft_wrap=True)  # fmt: skip


def _resolve_run_id(con, run_id: str) -> str:
    ids = [r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()]
    if run_id in ids:
        return run_id
    matches = [i for i in ids if i.startswith(run_id)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise _arg_problem("RUN_ID", f"{run_id!r} matches {len(matches)} runs: {', '.join(sorted(matches)[:5])} ...")
    raise _arg_problem("RUN_ID", f"no run {run_id!r} in the store; see `azalai runs list`")


def _open_existing(store: Optional[Path]):
    from azalai.experiment.store import open_store

    p = check_store_path(store)
    if not p.exists():
        return None, p
    con = open_store(p)  # not read-only: the runs helpers create missing tables
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "runs" not in tables:
            con.close()
            return None, p
    except Exception:
        con.close()
        raise
    return con, p


@runs_app.command("list")
def runs_list_cmd(
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    limit: int = typer.Option(50, "--limit", min=1, max=100_000, help="how many of the latest runs to show"),
    fmt: TableJsonCsv = format_option(),
) -> None:
    """List the runs recorded in the store, newest first."""
    from azalai.experiment.runs import list_runs

    con, p = _open_existing(store)
    if con is None:
        out.print(f"no runs recorded in {p}", highlight=False, markup=False)
        return
    try:
        df = list_runs(con, limit=limit)
    finally:
        con.close()
    if fmt != "table":
        print_rows(df.to_dict("records"), fmt)
        return
    if len(df) == 0:
        out.print(f"no runs recorded in {p}", highlight=False, markup=False)
        return
    t = Table(title=f"runs in {p}")
    for col in ("run_id", "created", "kind", "scenario", "policy", "seed", "n", "days", "status"):
        t.add_column(col, no_wrap=col == "run_id", justify="right" if col in ("seed", "n", "days") else "left")
    for _, r in df.iterrows():
        t.add_row(*(plain(x) for x in (r["run_id"], str(r["created"])[:19], r["kind"], r["scenario"], r["policy"],
                                        r["seed"], r["n"], r["days"], r["status"])))  # fmt: skip
    out.print(t)


@runs_app.command("show")
def runs_show_cmd(
    run_id: str = typer.Argument(..., help="run id (or a unique prefix of one)"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    fmt: TableJson = format_option(),
) -> None:
    """Show a run's metadata and outcomes (quantiles across replicates for ensembles)."""
    from azalai.experiment.runs import get_run, outcomes_wide

    check_run_id(run_id)
    con, p = _open_existing(store)
    if con is None:
        raise _arg_problem("RUN_ID", f"no runs recorded in {p}")
    try:
        rid = _resolve_run_id(con, run_id)
        meta = get_run(con, rid) or {}
        wide = outcomes_wide(con, rid)
        counts = {}
        for table in ("run_events", "run_tips", "run_timeseries"):
            counts[table] = int(con.execute(f"SELECT count(*) FROM {table} WHERE run_id = ?", [rid]).fetchone()[0])
    finally:
        con.close()
    outcome_cols = [c for c in wide.columns if c not in ("replicate", "seed")] if len(wide) else []
    n_rep = len(wide)
    if fmt == "json":
        doc = {k: (str(v) if k == "created" else v) for k, v in meta.items() if k not in ("policy_json", "params_json")}
        doc = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in doc.items()}
        doc["replicates"] = n_rep
        if n_rep == 1:
            doc["outcomes"] = {c: float(wide[c].iloc[0]) for c in outcome_cols}
        elif n_rep > 1:
            doc["outcomes"] = {
                c: {q: float(wide[c].quantile(x)) for q, x in (("q05", 0.05), ("q50", 0.5), ("q95", 0.95))}
                | {"mean": float(wide[c].mean())}
                for c in outcome_cols
            }
        sys.stdout.write(json.dumps(doc, default=str) + "\n")
        return
    t = Table(title=f"run {rid}", show_header=False)
    t.add_column("field")
    t.add_column("value")
    for k in ("run_id", "created", "kind", "scenario", "scenario_hash", "policy", "seed", "n", "days", "version",
              "status", "out_dir", "note"):  # fmt: skip
        if k in meta:
            t.add_row(k, plain(str(meta[k])[:19] if k == "created" else meta[k]))
    t.add_row("replicates stored", str(n_rep))
    t.add_row("rows stored", ", ".join(f"{k.removeprefix('run_')} {v:,}" for k, v in counts.items()))
    out.print(t)
    if n_rep == 0:
        out.print("no outcomes recorded")
        return
    if n_rep == 1:
        t = Table(title="outcomes")
        t.add_column("outcome")
        t.add_column("value", justify="right")
        for c in outcome_cols:
            t.add_row(c, _num(float(wide[c].iloc[0])))
    else:
        t = Table(title=f"outcomes across {n_rep} replicates")
        for col in ("outcome", "5%", "median", "95%", "mean"):
            t.add_column(col, justify="left" if col == "outcome" else "right")
        for c in outcome_cols:
            s = wide[c]
            t.add_row(c, _num(float(s.quantile(0.05))), _num(float(s.quantile(0.5))), _num(float(s.quantile(0.95))),
                      _num(float(s.mean())))  # fmt: skip
    out.print(t)


# --- parameters -----------------------------------------------------------------------------------


def params_rows(effective: bool = True, mechanism: Optional[str] = None) -> list[dict[str, Any]]:
    """The registry as rows; ``default`` is the effective value (calibrated if calibrated.yaml sets it)."""
    from azalai.model.params import calibrated_defaults, registry

    cal = calibrated_defaults() if effective else {}
    rows = []
    for p in registry():
        if mechanism is not None and p.mechanism != mechanism:
            continue
        rows.append(
            {
                "name": p.name,
                "default": cal.get(p.name, p.default),
                "prior_default": p.default,
                "calibrated": p.name in cal,
                "low": p.low,
                "high": p.high,
                "unit": p.unit,
                "mechanism": p.mechanism,
                "source": p.source,
                "description": p.description,
            }
        )
    return rows


def _g(x: float) -> str:
    return f"{x:g}"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def params_markdown(rows: list[dict[str, Any]], with_description: bool = True) -> str:
    """A Markdown table of parameter rows (as :func:`params_rows` gives them)."""
    head = ["name", "default", "range", "unit", "mechanism", "source"] + (["description"] if with_description else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        default = _g(r["default"]) + (" (calibrated)" if r.get("calibrated") else "")
        cells = [f"`{r['name']}`", default, f"{_g(r['low'])} to {_g(r['high'])}", _md(r["unit"]), r["mechanism"],
                 _md(r["source"])]  # fmt: skip
        if with_description:
            cells.append(_md(r["description"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _mechanisms() -> list[str]:
    from azalai.model.params import registry

    seen: list[str] = []
    for p in registry():
        if p.mechanism not in seen:
            seen.append(p.mechanism)
    return seen


@params_app.command("list")
def params_list_cmd(
    mechanism: Optional[str] = typer.Option(None, "--mechanism", help="only this mechanism's parameters"),
    fmt: TableJsonMarkdown = format_option(),
) -> None:
    """List every parameter: effective default, plausible range, unit, mechanism and source."""
    if mechanism is not None and mechanism not in _mechanisms():
        raise _arg_problem("--mechanism", f"unknown mechanism {mechanism!r}; one of: {', '.join(_mechanisms())}")
    rows = params_rows(True, mechanism)
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if fmt == "markdown":
        sys.stdout.write(params_markdown(rows) + "\n")
        return
    t = Table(title="model parameters" + (f" ({mechanism})" if mechanism else ""))
    for col in ("name", "default", "range", "unit", "mechanism", "source"):
        t.add_column(col, no_wrap=col == "name", justify="right" if col == "default" else "left")
    for r in rows:
        default = _g(r["default"]) + (" *" if r["calibrated"] else "")
        t.add_row(r["name"], default, f"{_g(r['low'])}..{_g(r['high'])}", r["unit"], r["mechanism"], r["source"])
    out.print(t)
    if any(r["calibrated"] for r in rows):
        out.print("* calibrated value (azalai/model/calibrated.yaml); set AZALAI_UNCALIBRATED=1 to use the priors")


@params_app.command("show")
def params_show_cmd(
    name: str = typer.Argument(..., help="parameter name"),
    fmt: TableJson = format_option(),
) -> None:
    """Show one parameter in full."""
    from azalai.model.params import spec

    p = spec(name)  # unknown name -> InputError with a suggestion
    row = next(r for r in params_rows(True) if r["name"] == p.name)
    if fmt == "json":
        sys.stdout.write(json.dumps({**row, "prior_default": p.default, "description": p.description}, indent=2) + "\n")
        return
    t = Table(title=p.name, show_header=False)
    t.add_column("field")
    t.add_column("value")
    t.add_row("default", _g(row["default"]) + (" (calibrated)" if row["calibrated"] else ""))
    if row["calibrated"]:
        t.add_row("prior default", _g(p.default))
    t.add_row("range", f"{_g(p.low)} to {_g(p.high)}")
    t.add_row("unit", p.unit)
    t.add_row("mechanism", p.mechanism)
    t.add_row("source", p.source)
    t.add_row("description", p.description)
    out.print(t)


# --- demo -----------------------------------------------------------------------------------------


def demo_cmd(
    out_dir: Path = typer.Option(Path("azalai-runs") / "demo", "--out", help="directory for the demo's files"),
    store: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    seed: int = typer.Option(0, "--seed", help="random seed"),
) -> None:
    """Run mali-2016 under baseline-2016, print a summary, draw figures and a map, record the run."""
    from azalai.experiment.runs import new_run_id
    from azalai.report import figures
    from azalai.report.maps import draw_scenario_map

    check_all(seed=(seed, "--seed"))
    check_out_dir(out_dir, force=True)
    store_file = check_store_path(store)
    prep = _prepare(DEFAULT_SCENARIO, DEFAULT_POLICY, None, None)
    prepare_out_dir(out_dir)
    out.print(f"azalai demo: scenario mali-2016 under policy baseline-2016, {prep.days} days from "
              f"{prep.scenario.calendar.start}, seed {seed}", highlight=False)  # fmt: skip
    out.print(COMPILE_NOTE)
    res = execute(prep, seed, console=err)
    run_id = new_run_id("run")
    files = write_outputs(res, out_dir, run_id, store_file, False)
    print_summary(res, out)
    idx = prep.index
    protectors = {idx.places[v]: idx.actors[int(a)] for v, a in enumerate(res.S.protector[0]) if int(a) >= 0}
    figs = {
        "monthly fatalities by region": out_dir / "monthly_fatalities_by_region.png",
        "monthly fatalities by event type": out_dir / "monthly_fatalities_by_type.png",
        "revenue by actor and source": out_dir / "revenue_by_actor.png",
        "accord tension": out_dir / "accord_tension.png",
        "support and grievance": out_dir / "support_grievance.png",
        "map of protectors at the end": out_dir / "map_protectors.png",
    }
    figures.monthly_fatalities_by_region(res.events, figs["monthly fatalities by region"])
    figures.monthly_fatalities_by_type(res.events, figs["monthly fatalities by event type"])
    figures.revenue_by_actor(res.timeseries, figs["revenue by actor and source"])
    figures.accord_tension(res.timeseries, figs["accord tension"], threshold=float(prep.params.tension_threshold))
    figures.support_grievance_heatmap(res.timeseries, figs["support and grievance"])
    draw_scenario_map(prep.scenario, figs["map of protectors at the end"], protectors=protectors,
                      title=f"{prep.scenario.meta.name}: who protects each place on day {prep.days}")  # fmt: skip
    record_run(res, store_file, run_id, out_dir, note="demo")
    t = Table(title="where everything is")
    t.add_column("what")
    t.add_column("file", overflow="fold")
    for name, path in files.items():
        t.add_row(name, str(path))
    for name, path in figs.items():
        t.add_row(name, str(path))
    t.add_row("store", str(store_file))
    t.add_row("run id", run_id)
    out.print(t)
    out.print(f"next: azalai runs show {run_id}", highlight=False, soft_wrap=True)
    out.print("      azalai run --policy counter-trafficking", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("run")(run_cmd)
    app.add_typer(runs_app, name="runs")
    app.add_typer(params_app, name="params")
    app.command("demo")(demo_cmd)


__all__ = ["execute", "write_outputs", "record_run", "params_rows", "params_markdown", "register"]

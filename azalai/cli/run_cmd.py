"""`azalai run` and `azalai demo`: single runs and their records (`runs` and `params` have their own modules).

``azalai run`` steps the engine in chunks of days so the progress bar is real, writes the run's
outputs (events, tips, weekly time series, outcomes, metadata) into a directory and records the run
in the DuckDB store in one transaction. Every argument is checked before anything runs or is
written; existing outputs are never deleted, and a non-empty output directory is only written into
with ``--force``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from azalai.cli.args import bad, check_out_dir, check_store_path, prepare_out_dir
from azalai.cli.console import err, esc, number, out
from azalai.cli.formats import TableJson, format_option
from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
from azalai.errors import InputError, Problem, StoreError
from azalai.limits import check_all
from azalai.model.outcomes import key_outcomes


STORE_HELP = "store file (default $AZALAI_STORE or ./azalai-runs/azalai.duckdb)"
OUTPUT_FILES = ("events.parquet", "tips.parquet", "timeseries.parquet", "outcomes.json", "run.json")
COMPILE_NOTE = "The first run compiles the simulation engine (a few minutes, once); later runs start in about a second."
CHUNK_DAYS = 14



def _arg_problem(field_: str, message: str) -> InputError:
    return bad(field_, message)


# --- running --------------------------------------------------------------------------------------


def execute(prep, seed: int, check: bool = False, console: Console | None = None, progress: bool = True):
    """Run one replicate with a progress bar (:func:`azalai.experiment.runs.run_single`); the result's
    ``meta["elapsed_seconds"]`` holds the wall time."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from azalai.experiment.runs import run_single

    console = console or err
    t0 = time.perf_counter()
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("day {task.completed:.0f}/{task.total:.0f}"), TimeElapsedColumn()]  # fmt: skip
    doing = "simulating" + (" (checking invariants daily)" if check else "")
    with Progress(*columns, console=console, disable=not progress, transient=False) as bar:
        task = bar.add_task("loading the engine (the first run compiles it: a few minutes, once)", total=prep.days)

        def advance(days_done: int) -> None:
            bar.update(task, completed=days_done, description=doing)

        res = run_single(prep, seed, check=check, progress=advance, chunk=CHUNK_DAYS)
    res.meta["elapsed_seconds"] = round(time.perf_counter() - t0, 3)
    return res


def write_outputs(res, out_dir: Path, run_id: str, store: Path, check: bool) -> dict[str, Path]:
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
            "n_events": int(len(res.events)),
            "n_tips": int(len(res.tips)),
            "files": sorted(OUTPUT_FILES),
        }
    )
    files["run.json"].write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    return files


def record_run(res, store: Path, run_id: str, out_dir: Path, note: str = "") -> None:
    """Record the run, its outcomes, events, tips and time series in the store, in one transaction."""
    from azalai.experiment.runs import store_run
    from azalai.experiment.store import open_store

    try:
        con = open_store(store)
    except StoreError as exc:  # locked by another process, not a DuckDB file, ...
        p = exc.problems[0]
        raise StoreError([Problem(p.file, None, None, "", f"{p.message}; the run's files are in {out_dir}")],
                         file=p.file) from None
    try:
        store_run(con, run_id, res, out_dir=str(out_dir), note=note)
    finally:
        con.close()


# --- summary --------------------------------------------------------------------------------------


def _money(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f}M"
    if abs(x) >= 1e3:
        return f"{x / 1e3:,.0f}k"
    return f"{x:,.0f}"



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


def strategic_developments(ev) -> list[tuple[str, Any]]:
    """Places entered and left, militias formed, alliances made and broken: (what, events frame)."""
    from azalai.model.events import STRATEGIC_KINDS

    if ev is None or not len(ev) or "mechanism" not in ev:
        return []
    out = []
    for (mech, sub), what in STRATEGIC_KINDS.items():
        d = ev[(ev["mechanism"] == mech) & (ev["sub_event_type"] == sub)]
        out.append((what, d))
    return out


def print_strategic(ev, console: Console, show: int = 8) -> None:
    rows = strategic_developments(ev)
    if not rows:
        return
    t = Table(title="strategic developments (movement, militias, alliances)")
    for col in ("development", "count", "first ones (date, actor, place)"):
        t.add_column(col, justify="right" if col == "count" else "left")
    for what, d in rows:
        first = esc("; ".join(f"{r.event_date} {r.actor1_id}{'/' + r.actor2_id if r.actor2_id else ''} at {r.location}"
                              for r in d.head(show).itertuples()))
        t.add_row(what, f"{len(d):,}", first)
    console.print(t)


def print_summary(res, console: Console) -> None:
    from azalai.report.figures import revenue_table

    o = res.outcomes
    ev = res.events
    m = res.meta
    console.print(
        f"[bold]{esc(m['scenario'])}[/] under [bold]{esc(m['policy'])}[/], seed {m['seed']}, {m['days']} days from "
        f"{m['start']} ({m.get('elapsed_seconds', 0.0):.1f} s)",
        highlight=False,
    )
    t = Table(title="headline outcomes")
    t.add_column("outcome")
    t.add_column("value", justify="right")
    for k in key_outcomes():
        if k in o:
            t.add_row(k, number(o[k]))
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
        print_strategic(ev, console)
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
    protectors = {idx.places[v]: idx.actors[int(a)] for v, a in enumerate(res.state.protector[0]) if int(a) >= 0}
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
    app.command("demo")(demo_cmd)


__all__ = ["execute", "write_outputs", "record_run", "register"]

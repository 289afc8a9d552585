"""`azalai runs ...`: the runs recorded in the store: list them, show one (`runs export` is in export_cmd)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from azalai.cli.args import bad, check_run_id, check_store_path
from azalai.cli.console import number, out, plain
from azalai.cli.formats import TableJson, TableJsonCsv, format_option, print_rows

STORE_HELP = "store file (default $AZALAI_STORE or ./azalai-runs/azalai.duckdb)"

runs_app = typer.Typer(help="Runs recorded in the store: list them, show one, export one.", no_args_is_help=True)


def _resolve_run_id(con, run_id: str) -> str:
    ids = [r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()]
    if run_id in ids:
        return run_id
    matches = [i for i in ids if i.startswith(run_id)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise bad("RUN_ID", f"{run_id!r} matches {len(matches)} runs: {', '.join(sorted(matches)[:5])} ...")
    raise bad("RUN_ID", f"no run {run_id!r} in the store; see `azalai runs list`")


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
        raise bad("RUN_ID", f"no runs recorded in {p}")
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
            t.add_row(c, number(float(wide[c].iloc[0])))
    else:
        t = Table(title=f"outcomes across {n_rep} replicates")
        for col in ("outcome", "5%", "median", "95%", "mean"):
            t.add_column(col, justify="left" if col == "outcome" else "right")
        for c in outcome_cols:
            s = wide[c]
            t.add_row(c, number(float(s.quantile(0.05))), number(float(s.quantile(0.5))), number(float(s.quantile(0.95))),
                      number(float(s.mean())))  # fmt: skip
    out.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")

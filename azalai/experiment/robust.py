"""Candidates x states of the world x common seeds: the runs behind a robust decision.

>>> from azalai.experiment.robust import run_robust
>>> from azalai.policy.space import resolve_candidates
>>> res = run_robust(resolve_candidates("all"), sources="posterior,scenario", n=200, seeds=4)

Every candidate policy runs in every state of the world (:mod:`azalai.experiment.worlds`) with the same
seeds (common random numbers), so differences between candidates in a world come from the policies.
Each (candidate, world) pair is one batch of the ensemble executors (serial, thread, process or Ray); with a
store, each finished batch is written in one transaction to ``robust_outcomes`` (tables declared in
:mod:`azalai.experiment.store`), so :func:`resume_robust` runs only the pairs that are missing.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from azalai.defaults import DEFAULT_SCENARIO
from azalai.interrupts import raise_if_signalled
from azalai.errors import InputError, Problem
from azalai.experiment.executors import Batch, RunSpec, execute
from azalai.experiment.store import append, borrow, transaction
from azalai.experiment.store_tables import ensure_tables
from azalai.experiment.worlds import SOURCES, World, sample_worlds

Progress = Callable[[int, int], None]


@dataclass
class RobustData:
    """Everything stored for one robust run; ``frame`` is long: candidate, world, seed, outcome, value."""

    robust_id: str | None
    labels: list[str]
    policies: list[Any]
    worlds: list[World]
    seeds: list[int]
    frame: Any
    spec: dict[str, Any]
    status: str = "done"

    def values(self, outcomes: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """``{outcome: V}`` with ``V[c, w]`` the mean over seeds (NaN where a pair is missing)."""
        df = self.frame
        if outcomes is not None:
            df = df[df["outcome"].isin(list(outcomes))]
        g = df.groupby(["outcome", "candidate", "world"], sort=True)["value"].mean()
        C, W = len(self.labels), len(self.worlds)
        out = {}
        for name, s in g.groupby(level=0):
            V = np.full((C, W), np.nan)
            idx = s.index.droplevel(0)
            V[idx.get_level_values(0).to_numpy(), idx.get_level_values(1).to_numpy()] = s.to_numpy()
            out[str(name)] = V
        return out

    def seed_values(self, outcome: str) -> np.ndarray:
        """``V[c, w, s]`` for one outcome (paired comparisons over worlds and seeds)."""
        df = self.frame[self.frame["outcome"] == outcome]
        pos = {s: i for i, s in enumerate(self.seeds)}
        V = np.full((len(self.labels), len(self.worlds), len(self.seeds)), np.nan)
        V[df["candidate"].to_numpy(), df["world"].to_numpy(), df["seed"].map(pos).to_numpy()] = df["value"].to_numpy()
        return V

    def complete(self) -> bool:
        return len(self.frame.groupby(["candidate", "world"])) == len(self.labels) * len(self.worlds)


def _bad(field: str, msg: str) -> InputError:
    return InputError(Problem("<arguments>", None, None, field, msg))


def parse_sources(text: str | Sequence[str]) -> tuple[str, ...]:
    """``"posterior,scenario"`` -> ("posterior", "scenario"), with a clear error for unknown names."""
    items = [s.strip() for s in (text.split(",") if isinstance(text, str) else text) if s and s.strip()]
    if not items:
        raise _bad("--uncertainty", f"name at least one source of uncertainty: {', '.join(SOURCES)}")
    bad = [s for s in items if s not in SOURCES]
    if bad:
        raise _bad("--uncertainty", f"unknown source {bad[0]!r}: use {', '.join(SOURCES)} (comma-separated)")
    return tuple(dict.fromkeys(items))


def world_to_dict(w: World) -> dict[str, Any]:
    return {"index": int(w.index), "params": dict(w.params), "scenario": dict(w.scenario)}


def world_from_dict(d: dict[str, Any]) -> World:
    return World(int(d["index"]), {k: float(v) for k, v in d.get("params", {}).items()},
                 {k: float(v) for k, v in d.get("scenario", {}).items()})


def world_features(worlds: Sequence[World]):
    """One row per world, one column per drawn quantity (what scenario discovery explains)."""
    return pd.DataFrame([w.features() for w in worlds], index=[w.index for w in worlds])


def _batches(candidates_pol, worlds, seeds, todo: set[tuple[int, int]] | None) -> list[Batch]:
    """One batch per (candidate, world), world by world; the worker applies the world's draws."""
    out = []
    S = len(seeds)
    C = len(candidates_pol)
    for w in worlds:
        pairs = [c for c in range(C) if todo is None or (c, w.index) in todo]
        for c in pairs:
            first = (c * len(worlds) + w.index) * S
            out.append(Batch(len(out), tuple(range(first, first + S)), tuple(seeds), dict(w.params) or None,
                             policy=candidates_pol[c], world=w if w.scenario else None, variant=f"c{c}w{w.index}"))
    return out


def _write(con, robust_id: str, c: int, w: int, res) -> None:
    recs = [(robust_id, c, w, int(seed), k, float(v)) for seed, outs in zip(res.seeds, res.outcomes)
            for k, v in outs.items()]
    df = pd.DataFrame(recs, columns=["robust_id", "candidate", "world", "seed", "outcome", "value"])
    with transaction(con):
        append(con, "robust_outcomes", df)


def _drive(con, robust_id, spec, batches, n_worlds, S, total, done, backend, workers, address, progress):
    frames = []
    if progress is not None:
        progress(done, total)
    t0 = time.perf_counter()
    try:
        for res in execute(spec, batches, backend=backend, workers=workers, address=address):
            pair = res.replicates[0] // S
            c, w = divmod(pair, n_worlds)
            if con is not None:
                _write(con, robust_id, c, w, res)
            frames.append(pd.DataFrame([(c, w, int(seed), k, float(v)) for seed, outs in zip(res.seeds, res.outcomes)
                                        for k, v in outs.items()],
                                       columns=["candidate", "world", "seed", "outcome", "value"]))
            done += 1
            if progress is not None:
                progress(done, total)
            raise_if_signalled()  # a signal whose exception a library swallowed still stops the run here
    except BaseException:
        if con is not None:
            _set_status(con, robust_id, "interrupted")
        raise
    if con is not None:
        _set_status(con, robust_id, "done")
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["candidate", "world", "seed", "outcome", "value"])
    frame.attrs["wall_seconds"] = time.perf_counter() - t0
    return frame


def _set_status(con, robust_id: str, status: str) -> None:
    try:
        con.execute("UPDATE robust_runs SET status = ? WHERE robust_id = ?", [status, robust_id])
    except Exception:  # noqa: BLE001 - best effort while unwinding
        pass


def run_robust(candidates: Sequence[Any], scenario: Any = DEFAULT_SCENARIO, sources: Any = ("posterior", "scenario"),
               n: int = 200, seeds: int = 4, seed: int = 0, days: int | None = None, backend: str = "serial",
               workers: int | None = None, address: str | None = None, store: Any = None,
               progress: Progress | None = None, note: str = "", worlds: Sequence[World] | None = None) -> RobustData:
    """Run every candidate (:class:`azalai.policy.space.Candidate`) in ``n`` worlds with ``seeds`` common seeds."""
    from azalai import __version__
    from azalai.experiment.executors.base import model_stamp
    from azalai.model.engine import prepare
    from azalai.scenario.loader import resolve_scenario

    if not candidates:
        raise _bad("--policies", "no candidate policies")
    if seeds < 1:
        raise _bad("--seeds", f"must be at least 1 (got {seeds})")
    sc = resolve_scenario(scenario)
    srcs = parse_sources(sources)
    worlds = list(worlds) if worlds is not None else list(sample_worlds(sc, srcs, n, seed))
    seed_list = [int(seed) + i for i in range(int(seeds))]
    base = prepare(sc, candidates[0].policy, days)  # checks days before anything is stored
    labels = [c.label for c in candidates]
    pols = [c.policy for c in candidates]
    spec_doc = {"scenario_ref": scenario if isinstance(scenario, str) else None, "sources": list(srcs),
                "n": len(worlds), "seed": int(seed), "seeds": seed_list, "days": int(base.days), "labels": labels,
                "origins": [c.origin for c in candidates], "policies": [p.model_dump(mode="json", exclude_none=True) for p in pols],
                "worlds": [world_to_dict(w) for w in worlds]}
    con, close = borrow(store)
    robust_id = None
    try:
        if con is not None:
            import uuid

            ensure_tables(con)
            robust_id = "robust-" + dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
            con.execute("INSERT INTO robust_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [robust_id, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), "running",
                         sc.id if hasattr(sc, "id") else str(scenario), sc.model_dump_json(by_alias=True),
                         json.dumps(spec_doc), __version__, model_stamp(), note])
        spec = RunSpec(sc, pols[0], int(base.days), None, False, key=f"robust|{robust_id or id(spec_doc)}")
        batches = _batches(pols, worlds, seed_list, None)
        frame = _drive(con, robust_id, spec, batches, len(worlds), len(seed_list), len(batches), 0, backend, workers,
                       address, progress)
        return RobustData(robust_id, labels, pols, worlds, seed_list, frame, spec_doc)
    finally:
        if close:
            con.close()


def _stored_pairs(con, robust_id: str) -> set[tuple[int, int]]:
    rows = con.execute("SELECT DISTINCT candidate, world FROM robust_outcomes WHERE robust_id = ?",
                       [robust_id]).fetchall()
    return {(int(c), int(w)) for c, w in rows}


def list_robust(con) -> list[dict[str, Any]]:
    ensure_tables(con)
    rows = con.execute("SELECT robust_id, created, status, scenario, spec_json, note FROM robust_runs "
                       "ORDER BY created DESC").fetchall()
    out = []
    for rid, created, status, scen, spec_json, note in rows:
        spec = json.loads(spec_json)
        out.append({"robust_id": rid, "created": str(created), "status": status, "scenario": scen,
                    "candidates": len(spec["labels"]), "worlds": spec["n"], "seeds": len(spec["seeds"]),
                    "sources": spec["sources"], "note": note})
    return out


def _drop_none(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _drop_none(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [_drop_none(v) for v in x]
    return x


def load_robust(con, robust_id: str) -> RobustData:
    """A stored robust run (possibly incomplete: see :meth:`RobustData.complete`)."""
    from azalai.policy.schema import Policy

    ensure_tables(con)
    row = con.execute("SELECT spec_json, status FROM robust_runs WHERE robust_id = ?", [robust_id]).fetchone()
    if row is None:
        raise _bad("robust run", f"no robust run {robust_id!r} in the store")
    spec = json.loads(row[0])
    frame = con.execute("SELECT candidate, world, seed, outcome, value FROM robust_outcomes WHERE robust_id = ? "
                        "ORDER BY candidate, world, seed, outcome", [robust_id]).df()
    return RobustData(robust_id, spec["labels"], [Policy.model_validate(_drop_none(p)) for p in spec["policies"]],
                      [world_from_dict(w) for w in spec["worlds"]], [int(s) for s in spec["seeds"]], frame, spec,
                      row[1])


def resume_robust(robust_id: str, store: Any = True, backend: str = "serial", workers: int | None = None,
                  address: str | None = None, progress: Progress | None = None) -> RobustData:
    """Run the (candidate, world) pairs of ``robust_id`` that are not stored yet; return the whole run."""
    from azalai.experiment.executors.base import model_stamp
    from azalai.scenario.schema import Scenario

    con, close = borrow(store)
    if con is None:
        raise _bad("--resume", "resuming needs a store")
    try:
        data = load_robust(con, robust_id)
        stamp = con.execute("SELECT model, scenario_json FROM robust_runs WHERE robust_id = ?", [robust_id]).fetchone()
        if stamp[0] != model_stamp():
            raise _bad("--resume", f"the model changed since {robust_id} started: its results would mix two models; "
                                   "start a new run")
        sc = Scenario.model_validate_json(stamp[1])
        todo = {(c, w.index) for c in range(len(data.labels)) for w in data.worlds} - _stored_pairs(con, robust_id)
        con.execute("UPDATE robust_runs SET status = 'running' WHERE robust_id = ?", [robust_id])
        spec = RunSpec(sc, data.policies[0], int(data.spec["days"]), None, False, key=f"robust|{robust_id}")
        batches = _batches(data.policies, data.worlds, data.seeds, todo)
        total = len(data.labels) * len(data.worlds)
        _drive(con, robust_id, spec, batches, len(data.worlds), len(data.seeds), total, total - len(todo), backend,
               workers, address, progress)
        return load_robust(con, robust_id)
    finally:
        if close:
            con.close()

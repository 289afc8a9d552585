"""The dashboard's service: checked requests, the job queue, and the store (held only while it is used).

A :class:`Service` runs at most :data:`MAX_RUNNING` jobs at once and queues at most :data:`MAX_QUEUED`;
simulations run in worker processes (the compiled day loop holds Python's global lock). Reads open a
read-only connection for the call and writes a read-write one for the batch, so the command line can use
the store while the dashboard is up.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing as mp
import os
import re
import threading
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
from azalai.errors import InputError, clip
from azalai.experiment import jobs
from azalai.experiment.executors.lifeline import die_with_parent
from azalai.experiment.runs import new_run_id, set_status
from azalai.experiment.store import connection
from azalai.limits import API_MAX_COMPARE, API_MAX_DAYS, API_MAX_REPLICATES, SEED
from azalai.policy.loader import builtin_policies
from azalai.policy.schema import LEVERS
from azalai.report import compare_view, scenario_view
from azalai.scenario.loader import builtin_scenarios

log = logging.getLogger("azalai.app")

MAX_ENSEMBLE = API_MAX_REPLICATES
MAX_COMPARE = API_MAX_COMPARE
MAX_DAYS = API_MAX_DAYS
MAX_RUNNING = 2
MAX_QUEUED = 6
MAX_SEED = SEED.high
MAX_NAME = 200
RUN_ID_RE = re.compile(r"[A-Za-z0-9_\-]{1,80}")
EVENT_ID_RE = re.compile(r"[A-Za-z0-9_\-\.]{1,80}")
INTERNAL_ERROR = "internal error (the details are in the server's log)"
#: Seconds a request waits for the store while another process (a command) holds it.
BUSY_WAIT = 10.0
LEVER_RANGES = {lv.name: (lv.low, lv.high) for lv in LEVERS}


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def scenario_names() -> list[str]:
    """The built-in scenarios' ids (the only scenarios a page may name)."""
    return list(builtin_scenarios())


def policy_names() -> list[str]:
    """The built-in policies' ids (the only policies a page may name)."""
    return list(builtin_policies())


def check_name(v: str, names: list[str], what: str) -> str:
    """``v`` if it is one of ``names``, else a request error naming ``what``."""
    if not isinstance(v, str) or v not in names:
        shown = v if isinstance(v, str) and len(v) <= 40 and v.isprintable() else "(value)"
        raise ValueError(f"unknown {what} {shown!r}: choose one of {', '.join(names)}")
    return v


def _seed_span(seed: int, n: int) -> None:
    if seed + n - 1 > MAX_SEED:
        raise ValueError(f"seed + n - 1 must be at most {MAX_SEED} (2**63 - 1)")


class _Request(BaseModel):
    """What every request from a page shares: a built-in scenario, and seeds ``seed .. seed + n - 1`` in range."""

    model_config = ConfigDict(extra="forbid")
    scenario: str = Field(DEFAULT_SCENARIO, max_length=MAX_NAME)

    @model_validator(mode="after")
    def _span(self):
        _seed_span(self.seed, self.n)
        return self

    @field_validator("scenario")
    @classmethod
    def _sc(cls, v: str) -> str:
        return check_name(v, scenario_names(), "scenario")


class RunRequest(_Request):
    policy: str = Field(DEFAULT_POLICY, max_length=MAX_NAME)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    n: int = Field(1, ge=1, le=MAX_ENSEMBLE, description="replicates (1 = single run)")
    days: int = Field(365, ge=1, le=MAX_DAYS)
    levers: dict[str, float] = Field(default_factory=dict)

    @field_validator("policy")
    @classmethod
    def _pol(cls, v: str) -> str:
        return check_name(v, policy_names(), "policy")

    @field_validator("levers")
    @classmethod
    def _levers(cls, v: dict[str, float]) -> dict[str, float]:
        if len(v) > len(LEVER_RANGES):
            raise ValueError("too many lever overrides")
        for k, x in v.items():
            if k not in LEVER_RANGES:
                raise ValueError(f"unknown lever {k[:40]!r}: choose among {', '.join(LEVER_RANGES)}")
            lo, hi = LEVER_RANGES[k]
            if not (lo <= x <= hi):  # also refuses NaN
                raise ValueError(f"lever {k} must be within {lo:g}..{hi:g} (got {clip(repr(x), 40)})")
        return v


class CompareRequest(_Request):
    policy_a: str = Field("counter-terrorism", max_length=MAX_NAME)
    policy_b: str = Field("counter-trafficking", max_length=MAX_NAME)
    n: int = Field(10, ge=2, le=MAX_COMPARE)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    days: int = Field(365, ge=1, le=MAX_DAYS)

    @field_validator("policy_a", "policy_b")
    @classmethod
    def _pol(cls, v: str) -> str:
        return check_name(v, policy_names(), "policy")


class Job:
    def __init__(self, kind: str, request: dict[str, Any]) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.kind = kind
        self.request = request
        self.status = "queued"
        self.progress = 0.0
        self.message = "waiting for a free worker"
        self.run_id: str | None = None
        self.result: Any = None
        self.error: str | None = None

    def view(self, with_result: bool = True) -> dict[str, Any]:
        out = {"job_id": self.id, "kind": self.kind, "status": self.status, "progress": round(self.progress, 3),
               "message": self.message, "run_id": self.run_id, "error": self.error, "request": self.request}
        if with_result and self.result is not None:
            out["result"] = self.result
        return out


class Service:
    """The store, the job queue and a cache of finished runs' views.

    The store is held only for the length of a read (a read-only connection) or of a write, never
    between requests, so that the command line can use it while the dashboard is up."""

    def __init__(self, store: str | None = None, boundaries: str | None = None, max_running: int = MAX_RUNNING,
                 max_queued: int = MAX_QUEUED, processes: bool = True) -> None:
        self.store = store
        self.boundaries = boundaries
        with connection(store):  # a store that cannot be used is refused here; creates the tables
            pass
        self.lock = threading.RLock()
        self.closed = False
        self.max_running, self.max_queued = int(max_running), int(max_queued)
        self.pool = ThreadPoolExecutor(max_workers=self.max_running, thread_name_prefix="azalai-run")
        # The compiled day loop holds the GIL: simulations run in worker processes so that the server keeps
        # answering while they run. Started lazily, shared by all jobs.
        self.use_processes = processes
        self._procs = None
        self._procs_lock = threading.Lock()
        self.jobs: dict[str, Job] = {}
        self.jobs_lock = threading.Lock()
        self.cache: dict[tuple, bytes] = {}
        self.done_runs: set[str] = set()

    def procs(self):
        if not self.use_processes:
            return None
        with self._procs_lock:
            if self._procs is None:
                self._procs = ProcessPoolExecutor(max_workers=self.max_running, mp_context=mp.get_context("spawn"),
                                                  initializer=die_with_parent, initargs=(os.getpid(),))
            return self._procs

    # ---- the store (serialised: one connection at a time in this process)
    def query(self, fn, *args):
        """``fn(connection, *args)`` on a read-only connection opened for the call."""
        with self.lock, connection(self.store, read_only=True, wait=BUSY_WAIT) as con:
            return fn(con, *args)

    @contextlib.contextmanager
    def writing(self):
        """A read-write connection for the length of a ``with`` block (none once the service is closed)."""
        with self.lock:
            if self.closed:
                raise RuntimeError("the dashboard is stopping")
            with connection(self.store, wait=BUSY_WAIT) as con:
                yield con

    def cached(self, key: tuple, fn) -> Response:
        """A JSON response serialised once and kept (only for immutable data: finished runs, scenarios)."""
        hit = self.cache.get(key)
        if hit is not None:
            return Response(hit, media_type="application/json")
        body = json_bytes(fn())
        if len(self.cache) > 256:
            self.cache.clear()
        self.cache[key] = body
        return Response(body, media_type="application/json")

    def run_status(self, run_id: str) -> str | None:
        if run_id in self.done_runs:
            return "done"
        row = self.query(lambda c: c.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone())
        if row and row[0] == "done":
            self.done_runs.add(run_id)
        return row[0] if row else None

    # ---- jobs
    def submit(self, kind: str, request: dict[str, Any], work) -> Job:
        with self.jobs_lock:
            active = [j for j in self.jobs.values() if j.status in ("queued", "running")]
            if len(active) >= self.max_running + self.max_queued:
                raise ApiError(429, f"too many runs in progress ({len(active)}); wait for one to finish")
            job = Job(kind, request)
            self.jobs[job.id] = job
            if len(self.jobs) > 500:
                for k in [k for k, j in self.jobs.items() if j.status in ("done", "failed")][:100]:
                    del self.jobs[k]

        def body() -> None:
            job.status = "running"

            def progress(f: float, msg: str) -> None:
                job.progress = max(job.progress, min(1.0, float(f)))
                job.message = msg

            try:
                work(job, progress)
                job.progress = 1.0
                job.status = "done"
                job.message = "done"
            except Exception as exc:  # reported to the page as a message, logged in full here
                log.error("job %s failed:\n%s", job.id, traceback.format_exc())
                job.status = "failed"
                job.error = short_error(exc)
                job.message = "failed"

        self.pool.submit(body)
        return job

    def start_run(self, req: RunRequest) -> Job:
        pol = scenario_view.policy_with_overrides(req.policy, req.levers or None)
        seeds = list(range(req.seed, req.seed + req.n))
        run_id = new_run_id("single" if req.n == 1 else "ensemble")

        def work(job: Job, progress) -> None:
            job.run_id = run_id
            jobs.execute_run(self.writing, req.scenario, pol, seeds, req.days, progress=progress, run_id=run_id,
                          pool=self.procs())

        job = self.submit("run", req.model_dump(), work)
        job.run_id = run_id
        return job

    def start_compare(self, req: CompareRequest) -> Job:
        seeds = list(range(req.seed, req.seed + req.n))

        def work(job: Job, progress) -> None:
            job.result = compare_view.paired_compare(req.scenario, req.policy_a, req.policy_b, seeds, req.days, progress=progress,
                                          pool=self.procs())

        return self.submit("compare", req.model_dump(), work)

    def close(self) -> None:
        """Stop: queued jobs are dropped, and runs still in progress are marked ``interrupted``."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        if self._procs is not None:
            self._procs.shutdown(wait=False, cancel_futures=True)
        left = [job.run_id for job in list(self.jobs.values()) if job.status in ("queued", "running") and job.run_id]
        try:
            with self.writing() as con:
                self.closed = True  # jobs still running in threads write nothing more
                for run_id in left:
                    row = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
                    if row and row[0] == "running":
                        set_status(con, run_id, "interrupted")
        except Exception:  # noqa: BLE001 - closing anyway; logged
            self.closed = True
            log.exception("could not mark runs %s interrupted", ", ".join(left))


def short_error(exc: BaseException) -> str:
    """What a page is told about a failed job: the message of bad input, nothing of an internal error."""
    if isinstance(exc, InputError):
        return clip(exc.render(), 600)
    return INTERNAL_ERROR


def json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False, default=str).encode("utf-8")

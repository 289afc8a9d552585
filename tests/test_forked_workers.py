"""Forked workers taking batches from one queue (azalai.experiment.executors.forked): every batch runs once
whatever the number of workers, a worker's exception reaches the driver, a killed worker stops the
ensemble, and no worker outlives the call."""

from __future__ import annotations

import os
import signal

import pytest

from azalai.experiment.ensemble import run_ensemble
from azalai.experiment.executors import base, forked, process

DAYS = 5


FORKED: list[int] = []


@pytest.fixture(autouse=True)
def _fork(monkeypatch):
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no fork on this system")
    monkeypatch.setenv(process.START_ENV, "fork")
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            FORKED.append(pid)
        return pid

    FORKED.clear()
    monkeypatch.setattr(os, "fork", fork)


def _no_children() -> bool:
    """Every worker forked by the call has exited and been waited for."""
    for pid in FORKED:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return bool(FORKED)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_every_batch_once(workers: int) -> None:
    serial, _ = run_ensemble("mali-2016", None, n=7, seed=5, days=DAYS)
    df, _ = run_ensemble("mali-2016", None, n=7, seed=5, days=DAYS, backend="process", workers=workers,
                         batch_size=1)
    assert df.equals(serial)
    assert _no_children()


def test_worker_exception_reaches_the_driver(monkeypatch) -> None:
    run = base.Runner.run

    def failing(self, batch):
        if batch.batch_id == 2:
            raise ValueError("no such thing in batch 2")
        return run(self, batch)

    monkeypatch.setattr(base.Runner, "run", failing)
    with pytest.raises(ValueError, match="no such thing in batch 2") as info:
        run_ensemble("mali-2016", None, n=6, days=DAYS, backend="process", workers=2, batch_size=1)
    assert "Traceback" in str(info.value.__cause__)  # the worker's traceback, as text
    assert _no_children()


def test_killed_worker_stops_the_ensemble(monkeypatch) -> None:
    run = base.Runner.run

    def dying(self, batch):
        if batch.batch_id == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return run(self, batch)

    monkeypatch.setattr(base.Runner, "run", dying)
    with pytest.raises(forked.WorkerLost, match="SIGKILL"):
        run_ensemble("mali-2016", None, n=6, days=DAYS, backend="process", workers=2, batch_size=1)
    assert _no_children()

"""Forked workers taking batches from one queue (azalai.experiment.executors.forked), with the driver taking
batches too: every batch runs once whatever the number of workers, ``workers`` processes compute (the driver
and ``workers - 1`` forked ones), a worker's exception reaches the driver, an exception in the driver's own
batch stops the workers, a killed worker stops the ensemble, and no worker outlives the call."""

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
    return True


@pytest.mark.parametrize("driver_runs", [True, False])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_every_batch_once(workers: int, driver_runs: bool, monkeypatch) -> None:
    monkeypatch.setattr(forked, "DRIVER_RUNS", driver_runs)
    serial, _ = run_ensemble("mali-2016", None, n=7, seed=5, days=DAYS)
    seen: list[str] = []
    run = base.Runner.run

    def recording(self, batch):
        res = run(self, batch)
        seen.append(res.worker)
        return res

    monkeypatch.setattr(base.Runner, "run", recording)
    df, _ = run_ensemble("mali-2016", None, n=7, seed=5, days=DAYS, backend="process", workers=workers,
                         batch_size=1)
    assert df.equals(serial)
    assert len(FORKED) == (workers - 1 if driver_runs else workers)  # the driver is one of the workers
    assert _no_children()
    if driver_runs and workers == 1:
        assert seen == [str(os.getpid())] * 7  # no fork at all: the driver ran every batch


def test_exception_in_the_drivers_batch_stops_the_workers(monkeypatch) -> None:
    run = base.Runner.run
    driver = os.getpid()

    def failing(self, batch):
        if os.getpid() == driver:
            raise ValueError("the driver's own batch failed")
        return run(self, batch)

    monkeypatch.setattr(base.Runner, "run", failing)
    with pytest.raises(ValueError, match="the driver's own batch failed"):
        run_ensemble("mali-2016", None, n=6, days=DAYS, backend="process", workers=2, batch_size=1)
    assert len(FORKED) == 1 and _no_children()


def test_worker_exception_reaches_the_driver(monkeypatch) -> None:
    monkeypatch.setattr(forked, "DRIVER_RUNS", False)  # which batches a forked worker takes is then certain
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
    monkeypatch.setattr(forked, "DRIVER_RUNS", False)  # batch 1 must not run in this process
    run = base.Runner.run

    def dying(self, batch):
        if batch.batch_id == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return run(self, batch)

    monkeypatch.setattr(base.Runner, "run", dying)
    with pytest.raises(forked.WorkerLost, match="SIGKILL"):
        run_ensemble("mali-2016", None, n=6, days=DAYS, backend="process", workers=2, batch_size=1)
    assert _no_children()


def test_long_queue(monkeypatch) -> None:
    """A queue longer than a default pipe (64 KiB) asks for a larger pipe; where Linux refuses one,
    :func:`forked.queue` says so and a pool runs the batches."""
    import fcntl

    n = 20_000  # 80,000 bytes of indices
    fd = forked.queue(n)
    if fd is not None:  # this system gave the larger pipe
        try:
            data = b"".join(iter(lambda: os.read(fd, 1 << 16), b""))
        finally:
            os.close(fd)
        assert [forked._INDEX.unpack_from(data, 4 * i)[0] for i in range(n)] == list(range(n))

    def refuse(fd, cmd, arg=0):
        raise PermissionError("over the pipe quota")

    monkeypatch.setattr(fcntl, "fcntl", refuse)
    assert forked.queue(n) is None
    monkeypatch.setattr(forked, "queue", lambda count: None)
    serial, _ = run_ensemble("mali-2016", None, n=5, seed=2, days=DAYS)
    df, _ = run_ensemble("mali-2016", None, n=5, seed=2, days=DAYS, backend="process", workers=2, batch_size=1)
    assert df.equals(serial)

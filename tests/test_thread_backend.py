"""The thread backend (azalai.experiment.executors.threaded): batches run in threads of this process, the
calling thread included. Its results are the serial backend's whatever the number of threads; every
batch runs once; an exception in a thread's batch or in the caller's own batch reaches the caller and
stops the other threads; an early close or an interrupt leaves no thread running; a session keeps one
prepared world; the compiled day loop's entry points release the interpreter lock."""

from __future__ import annotations

import threading

import pytest

from azalai.experiment.ensemble import run_ensemble
from azalai.experiment.executors import Session, base, threaded
from azalai.experiment.executors.base import Batch, RunSpec

DAYS = 5


def _ours() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("azalai-batches-")]


def _spec() -> RunSpec:
    import azalai

    return RunSpec(azalai.load_scenario("mali-2016"), azalai.load_policy("baseline-2016"), DAYS)


def _batches(n: int) -> list[Batch]:
    return [Batch(i, (i,), (100 + i,)) for i in range(n)]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_same_results_as_serial(workers: int, monkeypatch) -> None:
    serial, _ = run_ensemble("mali-2016", None, n=7, seed=5, days=DAYS)
    who: list[str] = []
    run = base.Runner.run

    def recording(self, batch):
        who.append(threading.current_thread().name)
        return run(self, batch)

    monkeypatch.setattr(base.Runner, "run", recording)
    df, _ = run_ensemble("mali-2016", None, n=7, seed=5, days=DAYS, backend="thread", workers=workers, batch_size=1)
    assert df.equals(serial)
    assert len(who) == 7  # every batch once
    assert all(w == threading.current_thread().name or w.startswith("azalai-batches-") for w in who)
    assert len(set(who)) <= workers
    if workers == 1:
        assert set(who) == {threading.current_thread().name}  # no thread started: the caller ran every batch
    assert not _ours()


def test_parameter_sets_per_batch() -> None:
    samples = [{"move_rate": 0.1 + 0.05 * (i % 3)} for i in range(6)]
    serial, _ = run_ensemble("mali-2016", None, n=6, seed=2, days=DAYS, param_samples=samples)
    df, _ = run_ensemble("mali-2016", None, n=6, seed=2, days=DAYS, param_samples=samples, backend="thread",
                         workers=2)
    assert df.equals(serial)


def test_exception_in_a_threads_batch_reaches_the_caller(monkeypatch) -> None:
    run = base.Runner.run
    caller = threading.current_thread()

    def failing(self, batch):
        if threading.current_thread() is not caller:
            raise ValueError("a thread's batch failed")
        return run(self, batch)

    monkeypatch.setattr(base.Runner, "run", failing)
    with pytest.raises(ValueError, match="a thread's batch failed"):
        list(threaded.execute(_spec(), _batches(6), workers=2))
    assert not _ours()


def test_exception_in_the_callers_batch_stops_the_threads(monkeypatch) -> None:
    run = base.Runner.run
    caller = threading.current_thread()
    ran: list[int] = []

    def failing(self, batch):
        if threading.current_thread() is caller:
            raise KeyboardInterrupt  # as Ctrl-C arrives: in the main thread, when its batch returns
        ran.append(batch.batch_id)
        return run(self, batch)

    monkeypatch.setattr(base.Runner, "run", failing)
    with pytest.raises(KeyboardInterrupt):
        list(threaded.execute(_spec(), _batches(40), workers=2))
    assert not _ours()
    assert len(ran) < 39  # the other thread stopped after its batch instead of running the rest


def test_early_close_leaves_no_thread() -> None:
    gen = threaded.execute(_spec(), _batches(8), workers=3)
    first = next(gen)
    assert first.outcomes
    gen.close()
    assert not _ours()


def test_session_keeps_one_prepared_world(monkeypatch) -> None:
    made: list[int] = []
    init = base.Runner.__init__

    def counting(self, spec):
        made.append(1)
        init(self, spec)

    monkeypatch.setattr(base.Runner, "__init__", counting)
    spec = _spec()
    with Session(spec, "thread", workers=2) as s:
        a = sorted(s.run(_batches(4)), key=lambda r: r.batch_id)
        b = sorted(s.run(_batches(4)), key=lambda r: r.batch_id)
    assert [r.outcomes for r in a] == [r.outcomes for r in b]
    assert len(made) == 1
    serial = [base.run_batch_local(spec, x) for x in _batches(4)]
    assert [r.outcomes for r in a] == [r.outcomes for r in serial]


def test_day_loop_releases_the_interpreter_lock() -> None:
    from azalai.model import kernel

    for fn in (kernel.init_batch, kernel.step_days, kernel.finish_batch):
        assert fn.targetoptions.get("nogil") is True, fn.py_func.__name__


def test_commands_default_to_threads_with_several_workers() -> None:
    from azalai.cli.experiment_cmd import pick_backend
    from azalai.errors import InputError

    assert pick_backend(None, None) == "serial"
    assert pick_backend(None, 1) == "serial"
    assert pick_backend(None, 2) == "thread"
    assert pick_backend("process", 2) == "process"
    assert pick_backend("serial", 4) == "serial"
    with pytest.raises(InputError, match="--backend"):
        pick_backend("mpi", 2)


def test_ensemble_command_with_workers(tmp_path) -> None:
    import json
    import subprocess
    import sys

    def summary(*extra: str) -> dict:
        r = subprocess.run([sys.executable, "-m", "azalai.cli.main", "ensemble", "-n", "6", "--days", str(DAYS),
                            "--batch-size", "1", "--format", "json", "--store", str(tmp_path / f"s{len(extra)}.duckdb"),
                            *extra], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["outcomes"]

    assert summary("--workers", "2") == summary()  # threads, then serial: the same outcomes

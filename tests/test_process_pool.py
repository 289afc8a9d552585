"""The process backend: how workers start (fork, fork server, spawn) changes nothing in the results;
batches are balanced across workers; a store held open in the parent survives forked workers."""

from __future__ import annotations

import threading

import duckdb
import pandas as pd
import pytest

from azalai.errors import InputError
from azalai.experiment.ensemble import make_batches, run_ensemble
from azalai.experiment.executors import process

DAYS = 30


def _numeric(df: pd.DataFrame) -> pd.DataFrame:
    df = df.sort_values("replicate").reset_index(drop=True)
    cols = sorted(c for c in df.columns if c not in ("replicate", "seed"))
    return df[["replicate", "seed", *cols]].astype(float)


def test_balanced_batches() -> None:
    sizes = lambda n, bs, parts: [len(b) for b in make_batches(list(range(n)), list(range(n)), None, bs, parts)]  # noqa: E731
    assert sizes(50, 32, 2) == [13, 10, 7, 5, 4, 3, 2, 2, 1, 1, 1, 1]  # each a quarter of what is left
    assert sizes(100, 32, 2) == [25, 19, 14, 11, 8, 6, 5, 3, 3, 2, 1, 1, 1, 1]
    assert sizes(100, 16, 2) == [16, 16, 16, 13, 10, 8, 6, 4, 3, 2, 2, 1, 1, 1, 1]  # at most batch_size
    assert sizes(5, 32, 3) == [1, 1, 1, 1, 1]
    assert sizes(1, 32, 2) == [1]
    assert sizes(70, 32, 1) == [32, 32, 6]  # serial: batches as asked
    assert sizes(1024, 32, 2) == [32] * 32  # enough batches per worker: left as they are
    bs = make_batches(list(range(10)), list(range(100, 110)), None, 4, 2)
    assert [b.replicates for b in bs] == [(0, 1, 2), (3, 4), (5, 6), (7,), (8,), (9,)]  # contiguous chunks
    assert [b.seeds for b in bs] == [(100, 101, 102), (103, 104), (105, 106), (107,), (108,), (109,)]
    assert max(len(b) for b in bs) <= 4


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_start_methods_agree(method: str, monkeypatch) -> None:
    kw = dict(n=6, seed=11, days=DAYS, backend="process", workers=2)
    monkeypatch.setenv(process.START_ENV, "fork")
    forked, _ = run_ensemble("mali-2016", "counter-trafficking", **kw)
    monkeypatch.setenv(process.START_ENV, method)
    other, _ = run_ensemble("mali-2016", "counter-trafficking", **kw)
    serial, _ = run_ensemble("mali-2016", "counter-trafficking", n=6, seed=11, days=DAYS)
    pd.testing.assert_frame_equal(_numeric(forked), _numeric(other), check_exact=True)
    pd.testing.assert_frame_equal(_numeric(forked), _numeric(serial), check_exact=True)


def test_fork_only_without_other_threads(monkeypatch) -> None:
    # The test process may already run other threads (e.g. a pytest-xdist worker's connection, or a
    # library's); fork is then refused, and the check of "fork when alone" needs a process without them.
    monkeypatch.delenv(process.START_ENV, raising=False)
    alone = threading.active_count() == 1
    if alone:
        assert process.start_method() == "fork"
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        assert not process.fork_is_safe()
        assert process.start_method() == "forkserver"
    finally:
        stop.set()
        t.join()
    if alone:
        assert process.start_method() == "fork"


def test_bad_start_method(monkeypatch) -> None:
    monkeypatch.setenv(process.START_ENV, "threads")
    with pytest.raises(InputError, match="AZALAI_WORKER_START"):
        run_ensemble("mali-2016", None, n=2, days=DAYS, backend="process", workers=2)


def test_store_open_in_the_parent_survives_forked_workers(tmp_path, monkeypatch) -> None:
    """The parent holds the store open (and DuckDB's threads run) while workers are forked; the workers never
    touch it, and the store has every batch, intact, afterwards."""
    monkeypatch.setenv(process.START_ENV, "fork")
    store = tmp_path / "s.duckdb"
    con = duckdb.connect(str(store))
    try:
        df, run_id = run_ensemble("mali-2016", None, n=8, seed=3, days=DAYS, backend="process", workers=2,
                                  store=con, batch_size=2)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    con = duckdb.connect(str(store), read_only=True)
    try:
        status, = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
        have, = con.execute("SELECT count(DISTINCT replicate) FROM run_outcomes WHERE run_id = ?", [run_id]).fetchone()
    finally:
        con.close()
    assert (status, have, len(df)) == ("done", 8, 8)

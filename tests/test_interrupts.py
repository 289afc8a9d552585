"""A signal whose exception a library swallowed still stops an ensemble at the next batch."""

from __future__ import annotations

import signal

import duckdb
import pytest

from azalai import interrupts
from azalai.experiment.ensemble import run_ensemble


@pytest.fixture
def clean_signals():
    interrupts.received.clear()
    yield
    interrupts.received.clear()


def test_recorded_sigint_stops_the_ensemble_after_a_batch(tmp_path, clean_signals) -> None:
    store = tmp_path / "s.duckdb"
    seen = []

    def progress(done, total):
        seen.append(done)
        if done >= 4 and not interrupts.received:
            interrupts.received.append(signal.SIGINT)  # as if the handler ran and its exception was lost

    with pytest.raises(KeyboardInterrupt):
        run_ensemble("mali-2016", None, n=16, days=10, store=store, batch_size=4, progress=progress)
    con = duckdb.connect(str(store), read_only=True)
    try:
        status, = con.execute("SELECT status FROM runs").fetchone()
        have, = con.execute("SELECT count(DISTINCT replicate) FROM run_outcomes").fetchone()
    finally:
        con.close()
    assert status == "interrupted"
    assert have == 4 and max(seen) == 4


def test_recorded_sigterm_exits_with_its_status(clean_signals) -> None:
    interrupts.received.append(signal.SIGTERM)
    with pytest.raises(SystemExit) as exc:
        interrupts.raise_if_signalled()
    assert exc.value.code == 128 + signal.SIGTERM


def test_nothing_recorded_nothing_raised(clean_signals) -> None:
    interrupts.raise_if_signalled()


def test_an_ignored_sigint_stays_ignored(clean_signals) -> None:
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        interrupts.install()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        signal.signal(signal.SIGINT, signal.default_int_handler)
        interrupts.install()
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler) and handler is not signal.default_int_handler
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        for s, h in old.items():
            signal.signal(s, h)

"""Forked workers that take batches from one shared queue: the process backend's path when it may fork.

The driver writes the batches' indices into a pipe before it forks the workers; each worker reads the
next index (a 4-byte read from a pipe is atomic, so no two workers take the same batch), runs the
batch, and writes its pickled result into a pipe of its own; when the queue is empty it exits. Compared
with a ``concurrent.futures`` pool, there is no manager or feeder thread in the driver, no round trip to
the driver to get the next batch (a worker that finishes early takes the next one at once), and a worker
whose share is done exits while the others still run instead of waiting for the driver to close the
pool. The driver still waits for every worker to exit before it returns (so a worker's CPU time is
counted as the driver's children's when the call ends).

The driver is one of the ``n`` processes that compute: it forks ``n - 1`` workers and takes batches from
the same queue, reading the workers' results between two of its own batches (:data:`DRIVER_RUNS`). A
process holding the compiled engine costs 10-20 ms to fork and as much to exit, and the driver would
otherwise only wait. An exception in the driver's own batch stops the workers and propagates as it is.

What a worker inherits, its signals and its lifeline are those of the pool's forked workers
(:mod:`azalai.experiment.executors.process`); results and exceptions are those of that pool.
"""

from __future__ import annotations

import fcntl
import gc
import os
import pickle
import select
import signal
import struct
import threading
import traceback
from typing import Iterator, Sequence

from azalai.experiment.executors.base import Batch, BatchResult, RunSpec

_INDEX = struct.Struct("<i")  # a batch's index in the queue
_SIZE = struct.Struct("<Q")  # a message's length before the message
READ_CHUNK = 1 << 20
PAGE = 4096  # what a pipe holds at the least
DRIVER_RUNS = True  # the driver takes batches from the queue as its workers do (see execute)


class WorkerLost(RuntimeError):
    """A worker ended before it had sent the results of the batches it took."""


class _RemoteTraceback(Exception):
    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return self.tb


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _send(fd: int, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(fd, _SIZE.pack(len(data)) + data)


def _worker(spec: RunSpec, batches: Sequence[Batch], queue: int, out: int, driver_pid: int, main: bool) -> None:
    """A worker's life: set up as a pool's forked worker, run batches from the queue, exit (never returns)."""
    code = 0
    try:
        from azalai.experiment.executors import process

        process._init_worker(spec, driver_pid, main, "fork")
        runner = process._RUNNER
        while True:
            raw = os.read(queue, _INDEX.size)
            if not raw:
                break
            _send(out, ("ok", runner.run(batches[_INDEX.unpack(raw)[0]])))
    except BaseException as e:  # noqa: BLE001 - sent to the driver, which raises it
        code = 1
        tb = traceback.format_exc()
        try:
            _send(out, ("error", e, tb))
        except BaseException:  # noqa: BLE001 - the exception does not pickle: send its text
            try:
                _send(out, ("error", RuntimeError(f"{type(e).__name__}: {e}"), tb))
            except BaseException:  # noqa: BLE001 - the driver is gone; nothing to tell
                pass
    finally:
        os._exit(code)


def queue(count: int) -> int | None:
    """A pipe holding the indices 0 .. count-1, written whole before any worker starts: its read end, or
    None when the pipe cannot hold them all (the caller then uses a pool). A pipe holds at least one page
    (1,024 indices); a longer queue asks Linux for a larger pipe, which a user's pipe quota may refuse."""
    data = b"".join(_INDEX.pack(i) for i in range(count))
    r, w = os.pipe()
    try:
        if len(data) > PAGE and hasattr(fcntl, "F_SETPIPE_SZ"):
            try:
                fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, len(data))
            except OSError:  # above the system's maximum, or over the quota
                pass
        os.set_blocking(w, False)
        try:
            written = os.write(w, data)
        except BlockingIOError:
            written = 0
    finally:
        os.close(w)  # the workers read an end of file once the queue is empty
    if written == len(data):
        return r
    os.close(r)
    return None


def execute(spec: RunSpec, batches: Sequence[Batch], n: int, queue_r: int) -> Iterator[BatchResult]:
    """Results of ``batches`` run by ``n`` processes, as they finish: this process and ``n - 1`` workers
    forked from it, all taking batches from one :func:`queue` (its read end ``queue_r``, closed here).

    This process runs batches too (when :data:`DRIVER_RUNS`): a fork and a process's exit (tens of
    milliseconds each for a process that holds the compiled engine) are saved, and the driver, which would
    otherwise wait for results, computes. Between two of its own batches it reads what the workers have
    sent and hands it on; a worker never waits long on a full pipe, since its results are a few kilobytes
    (larger ones, with events, when the driver is busy, wait in the pipe until its batch ends)."""
    from azalai.experiment.executors.lifeline import prepare_fork

    forks = n - 1 if DRIVER_RUNS else n
    if forks > 0:
        prepare_fork()
    main = threading.current_thread() is threading.main_thread()
    driver = os.getpid()
    pids: dict[int, int] = {}  # result pipe -> worker
    ours = gc.get_freeze_count() == 0  # leave frozen what the program itself froze
    if forks > 0:
        gc.freeze()  # what the workers inherit is never collected (destroyed) in them
    try:
        for _ in range(forks):
            r, w = os.pipe()
            try:
                pid = os.fork()
            except BaseException:
                os.close(r)
                os.close(w)
                raise
            if pid == 0:  # the worker: the queue, its own pipe's write end, nothing else of this call
                os.close(r)
                for fd in pids:
                    os.close(fd)
                _worker(spec, batches, queue_r, w, driver, main)
            os.close(w)
            pids[r] = pid
    except BaseException:
        _end(pids, set(), kill=True)
        for fd in pids:
            os.close(fd)
        os.close(queue_r)
        raise
    finally:
        if ours and forks > 0:
            gc.unfreeze()
    yield from _gather(pids, len(batches), queue_r, (spec, batches) if DRIVER_RUNS else None)


def _gather(pids: dict[int, int], expected: int, queue_r: int, own=None) -> Iterator[BatchResult]:
    """Read the workers' results as they come; a worker's end of file is its exit, waited for at once (a
    worker that ends with an error or is killed stops the ensemble then, the other workers with it).
    ``queue_r``, the queue's read end, is closed here.

    ``own`` = (spec, batches): this process takes batches from the queue too, and reads the workers'
    pipes, without waiting, between two of them."""
    bufs = {fd: bytearray() for fd in pids}
    reaped: set[int] = set()
    received = 0
    try:
        poller = select.poll()
        for fd in pids:
            poller.register(fd, select.POLLIN)
        runner = None
        while own is not None:
            raw = os.read(queue_r, _INDEX.size)
            if not raw:
                break
            if runner is None:
                from azalai.experiment.executors.base import Runner

                runner = Runner(own[0])
            received += 1
            yield runner.run(own[1][_INDEX.unpack(raw)[0]])
            for res in _poll(poller, pids, bufs, reaped, 0):
                received += 1
                yield res
        while len(reaped) < len(pids):
            for res in _poll(poller, pids, bufs, reaped, None):
                received += 1
                yield res
        if received < expected:  # never expected: a worker only exits once the queue is empty
            raise WorkerLost(f"{expected - received} of {expected} batches were not run")
    finally:
        os.close(queue_r)
        _end(pids, reaped, kill=True)  # only the workers still running: after an error or an interrupt
        for fd in pids:
            os.close(fd)


def _poll(poller, pids: dict[int, int], bufs: dict[int, bytearray], reaped: set[int], timeout) -> Iterator[BatchResult]:
    """The results that have arrived (waiting up to ``timeout`` ms for some; None: until there are); a
    worker whose pipe ends is waited for, and raises :class:`WorkerLost` unless it ended cleanly."""
    for fd, _ in poller.poll(timeout):
        chunk = os.read(fd, READ_CHUNK)
        if chunk:
            bufs[fd] += chunk
            for msg in _messages(bufs[fd]):
                if msg[0] == "error":
                    raise msg[1] from _RemoteTraceback(msg[2])
                yield msg[1]
            continue
        poller.unregister(fd)
        status = _end({fd: pids[fd]}, reaped, kill=False)[pids[fd]]
        if status != 0 or bufs[fd]:
            raise WorkerLost(f"a worker ({pids[fd]}) ended before sending all its results ({_how(status)})")


def _messages(buf: bytearray) -> Iterator[tuple]:
    """The whole messages at the start of ``buf``, removed from it as they are read."""
    while len(buf) >= _SIZE.size:
        size = _SIZE.unpack_from(buf)[0]
        if len(buf) < _SIZE.size + size:
            return
        msg = pickle.loads(memoryview(buf)[_SIZE.size:_SIZE.size + size])
        del buf[:_SIZE.size + size]
        yield msg


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"killed by {signal.Signals(sig).name}" if sig in signal.valid_signals() else f"signal {sig}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _end(pids: dict[int, int], reaped: set[int], kill: bool) -> dict[int, int]:
    """Wait for the workers of ``pids`` not yet in ``reaped`` to exit (after SIGTERM when ``kill``); their
    wait statuses."""
    todo = [pid for pid in pids.values() if pid not in reaped]
    if kill:
        for pid in todo:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    out = {}
    for pid in todo:
        try:
            out[pid] = os.waitpid(pid, 0)[1]
        except ChildProcessError:
            out[pid] = 0
        reaped.add(pid)
    return out

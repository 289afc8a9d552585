"""Worker processes die with the process that started them.

A worker pool's processes normally exit when their parent closes the pool. If the parent is killed
outright (``kill -9``, the out-of-memory killer) nothing closes it, and the workers would go on holding
hundreds of MB each. Every worker therefore calls :func:`die_with_parent` when it starts:

* on Linux it asks the kernel to send it SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``),
  when the parent started it from its main thread (the kernel ties the signal to the thread that
  started the process, and the main thread lives as long as the process);
* on every system a daemon thread checks once a second that the parent is still there (the worker's
  parent id changes when the parent dies) and ends the worker if it is not.

A worker started by a fork server (:mod:`multiprocessing.forkserver`) is the server's child, not the
driver's: :func:`die_with_driver` ties it to the server (which exits when the driver does) and watches
the driver's process id as well.

For a local Ray, whose workers are children of Ray's own processes, :func:`watch_pid` ends a worker
when the driver's process is gone.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0


def _pdeathsig() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that is not available."""
    prctl = _prctl()
    if prctl is None:
        return False
    try:
        return prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


_PRCTL: list = []  # the C library's prctl (or None), once found: a forked worker inherits it


def _prctl():
    """The C library's ``prctl``, or None. Finding the library can run ``ldconfig`` (milliseconds): a driver
    looks it up once before forking (:func:`prepare_fork`), so its forked workers do not."""
    if not _PRCTL:
        fn = None
        if sys.platform.startswith("linux"):
            import ctypes
            import ctypes.util

            try:
                fn = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
            except (OSError, AttributeError):
                fn = None
        _PRCTL.append(fn)
    return _PRCTL[0]


def prepare_fork() -> None:
    """Called by a driver before it forks workers: what every worker needs at start is looked up once, here."""
    _prctl()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else (a reused pid): treat as gone only if reparented
        return True
    return True


def _watchdog(check, name: str) -> None:
    def loop() -> None:
        while True:
            time.sleep(POLL_SECONDS)
            if not check():
                os._exit(1)

    threading.Thread(target=loop, name=name, daemon=True).start()


def die_with_parent(parent_pid: int, parent_main_thread: bool = True) -> None:
    """Called first in a worker process: end it when ``parent_pid`` (its parent) dies."""
    if os.getppid() != parent_pid:  # the parent died before this worker started
        os._exit(1)
    if parent_main_thread:
        _pdeathsig()
        if os.getppid() != parent_pid:  # died between the check and the prctl
            os._exit(1)
    _watchdog(lambda: os.getppid() == parent_pid, "azalai-lifeline")


def die_with_driver(driver_pid: int, driver_main_thread: bool = True) -> None:
    """Called first in a pool's worker: end it when the driver (``driver_pid``) dies, whether the driver
    started it (``fork``, ``spawn``) or a fork server did."""
    if os.getppid() == driver_pid:
        die_with_parent(driver_pid, driver_main_thread)
        return
    die_with_parent(os.getppid(), True)  # the fork server forks from its only thread
    watch_pid(driver_pid)


_WATCHED: set[int] = set()


def watch_pid(pid: int) -> None:
    """End this process when process ``pid`` is gone (once per pid and process; for Ray's workers)."""
    if pid in _WATCHED or pid == os.getpid():
        return
    _WATCHED.add(pid)
    _watchdog(lambda: _alive(pid), f"azalai-lifeline-{pid}")

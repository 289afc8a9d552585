"""Signals that end a command: Ctrl-C (SIGINT), SIGTERM and SIGHUP.

A handler raises where the signal lands (``KeyboardInterrupt`` for SIGINT, ``SystemExit(128 + signum)``
for the others), so every ``finally`` runs: run records are closed as ``interrupted``, worker processes
stopped. It also records the signal, because a library may swallow or replace the exception raised
inside one of its calls (DuckDB turns a signal that lands during a query into its own error). Long
loops call :func:`raise_if_signalled` between units of work, so a recorded signal is acted on at the
next batch even when its exception was lost; the entry point exits with ``128 + signum``.
"""

from __future__ import annotations

import signal

received: list[int] = []  # the signals received by this process, in order


def _handle(signum, _frame) -> None:
    received.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def install() -> None:
    """Handle SIGINT, SIGTERM and SIGHUP in the main thread. A SIGINT that the parent process set to be
    ignored (a job started in the background by a shell) stays ignored."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _handle)
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _handle)


def first() -> int | None:
    """The first signal received, if any."""
    return received[0] if received else None


def raise_if_signalled() -> None:
    """Raise the exception of a signal already received (in case a library swallowed it)."""
    sig = first()
    if sig is None:
        return
    if sig == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + sig)

"""Compiled functions that only compiled code calls, and how Python calls one anyway.

numba gives every compiled function a Python entry point and a C entry point, which unpack each
argument (the parameter tuple alone has over 180 fields) and are typed, lowered, optimised and turned
into machine code with the function; for the mechanisms, which only the day loop calls, that is wasted
compilation (docs/performance.md, "Start-up"). :func:`compiled_only` compiles a function without
them. Calling such a function from Python raises :class:`TypeError` (numba would crash the process);
tests and profiling tools call it through :func:`python_entry`, a small compiled function that calls it.
"""

from __future__ import annotations

from numba import njit
from numba.core.registry import CPUDispatcher


class CompiledOnlyDispatcher(CPUDispatcher):
    """A numba dispatcher whose compiled code has no Python entry point: compiled callers only."""

    def __call__(self, *args, **kwargs):
        raise TypeError(f"{self.py_func.__qualname__} is compiled for compiled callers only; "
                        "call it from Python through azalai.model.jit.python_entry")


def compiled_only(fn=None, *, nrt=True):
    """``njit(cache=True)`` without the Python and C entry points; ``compiled_only(nrt=False)`` also
    without reference counting (numba's ``_nrt=False``: for helpers that take arrays and allocate none)."""
    if fn is None:
        return lambda f: compiled_only(f, nrt=nrt)
    options = {"nopython": True, "no_cpython_wrapper": True, "no_cfunc_wrapper": True}
    if not nrt:
        options["_nrt"] = False
    disp = CompiledOnlyDispatcher(py_func=fn, locals={}, targetoptions=options)
    disp.enable_caching()
    return disp


_ENTRIES: dict = {}


def python_entry(fn):
    """A Python-callable compiled function that calls the compiled-only ``fn`` with its arguments."""
    entry = _ENTRIES.get(fn)
    if entry is None:
        def call(*args):
            return fn(*args)

        entry = _ENTRIES[fn] = njit(call)
    return entry

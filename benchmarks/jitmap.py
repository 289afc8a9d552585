"""Where numba put the engine's machine code: the address, size and name of every compiled function.

numba loads its cached machine code into anonymous memory, which ``perf`` and ``gdb`` cannot name. A
process that calls :func:`capture` before it imports the engine keeps the object code of every library
numba loads; :func:`functions` then lists each function's address, size and symbol (``nm`` on the object
code, the address from numba's own lookup), and :func:`short` names a symbol ``module.function``.
Used by ``profile_perf.py`` (a perf map) and ``runtime_counts.py`` (gdb breakpoints and return addresses).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile

_LIBS: list = []


def capture() -> None:
    """Keep the object code of every library numba loads from here on (call before importing the engine)."""
    import numba.core.codegen as cg

    original = cg.CPUCodeLibrary._set_compiled_object

    def keep(self, value):
        _LIBS.append((self, value))
        return original(self, value)

    cg.CPUCodeLibrary._set_compiled_object = keep


def functions() -> list[tuple[int, int, str]]:
    """(address, size, symbol) of every function of the libraries loaded since :func:`capture`."""
    where = {}
    for lib, obj in _LIBS:
        with tempfile.NamedTemporaryFile(suffix=".o", delete=False) as fh:
            fh.write(obj)
        out = subprocess.run(["nm", "-S", "--defined-only", fh.name], capture_output=True, text=True).stdout
        os.unlink(fh.name)
        for line in out.splitlines():
            f = line.split()
            if len(f) != 4 or f[2] not in "tTWC":
                continue
            try:
                addr = lib.get_pointer_to_function(f[3])
            except Exception:  # noqa: BLE001 - a symbol the engine does not export: not named
                addr = 0
            if addr:
                where[addr] = (int(f[1], 16), f[3])
    return sorted((addr, size, sym) for addr, (size, sym) in where.items())


def short(sym: str) -> str:
    """``module.function`` of a mangled numba symbol."""
    if not sym.startswith("_ZN"):
        return sym
    i, parts = 3, []
    while i < len(sym) and sym[i].isdigit():
        m = re.match(r"\d+", sym[i:])
        n = int(m.group())
        i += len(m.group())
        parts.append(sym[i:i + n])
        i += n
    return ".".join(parts[-2:]) if parts else sym

"""Compiling the engine in parallel when numba's cache is empty.

numba compiles a function when it is first called with new argument types, and a caller's compilation
waits for every callee's. The day loop's callees (one per mechanism, the state constructors, the entry
points around the loop) are independent of one another, so with an empty cache they are compiled
eagerly, for the argument types the loop passes them, in worker processes (one per CPU, this process
included), which take the jobs in turn, largest first, each writing what it compiled to the disk cache. The loop itself then compiles in this process and
finds its callees in the cache. The compiled code is the same as a serial compilation's: the same
functions for the same types (numba still links every callee's code into the loop and optimises it
there, so the loop's own compilation stays serial; see docs/performance.md, "Start-up").

The argument types come from the loop's source: a call in ``kernel.step_days`` (or a function it inlines)
whose arguments are all variables of known type (the entry points' parameters in :data:`PARAMETERS`,
loop counters over ``range``, flags only ever set to ``True`` or ``False``, and 1-d or 2-d arrays made by
``np.zeros``/``np.empty`` with an explicit dtype) is
planned here; any other call is left to the loop's own compilation, so the plan can miss a callee but
cannot compile a wrong one.
"""

from __future__ import annotations

import ast
import inspect
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from numba.core.dispatcher import Dispatcher

# The parameters of the compiled entry points (and of the functions they inline): what each is.
_WORLD, _STATE, _PARAMS, _LEVERS, _AID, _INT = "world", "state", "params", "levers", "aid", "int"
_BOOL = "bool"
PARAMETERS = {
    "W": _WORLD, "S": _STATE, "p": _PARAMS, "lev": _LEVERS, "aid": _AID,
    "r": _INT, "day": _INT, "week": _INT, "d0": _INT, "d1": _INT, "days": _INT,
}
_ARRAY_MAKERS = ("zeros", "empty", "ones")
_DTYPES = ("int64", "float64", "bool_")  # the dtypes of the arrays a planned call may take (C order, 1-d or 2-d)
ROOTS = ("step_days", "init_batch", "finish_batch")  # the compiled entry points of kernel.py
WORKERS_ENV = "AZALAI_COMPILE_WORKERS"  # number of processes compiling (default: the CPUs)


def _types(prep) -> dict:
    from numba import typeof, types

    from azalai.model._structs_gen import LEVERS_T, STATE_T, WORLD_T

    out = {_WORLD: WORLD_T, _STATE: STATE_T, _LEVERS: LEVERS_T, _PARAMS: typeof(prep.params), _AID: typeof(prep.aid),
           _INT: types.int64, _BOOL: types.boolean}
    scalar = {"int64": types.int64, "float64": types.float64, "bool_": types.boolean}
    for name in _DTYPES:
        for ndim in (1, 2):
            out[_array_kind(name, ndim)] = types.Array(scalar[name], ndim, "C")
    return out


def _array_kind(dtype: str, ndim: int) -> str:
    """The kind of a C-ordered array of ``dtype`` with ``ndim`` dimensions (``int64[::1]``, ``bool_[:, ::1]``)."""
    return f"{dtype}[{':, ' * (ndim - 1)}::1]"


def _locals(tree: ast.AST) -> dict[str, str]:
    """Local variables whose type the source states: ``range`` loop counters, flags only ever assigned
    ``True`` or ``False``, and 1-d or 2-d arrays of an explicit dtype."""
    out: dict[str, str] = {}
    flags: dict[str, bool] = {}  # name -> every assignment so far is a bool literal
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and isinstance(node.iter, ast.Call) \
                and isinstance(node.iter.func, ast.Name) and node.iter.func.id == "range":
            out[node.target.id] = _INT
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            v, name = node.value, node.targets[0].id
            flags[name] = flags.get(name, True) and isinstance(v, ast.Constant) and type(v.value) is bool
            if not (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr in _ARRAY_MAKERS
                    and len(v.args) == 1):
                continue
            shape = v.args[0]
            ndim = len(shape.elts) if isinstance(shape, (ast.Tuple, ast.List)) else 1
            dtype = [k.value for k in v.keywords if k.arg == "dtype"]
            if ndim in (1, 2) and len(dtype) == 1 and isinstance(dtype[0], ast.Attribute) and dtype[0].attr in _DTYPES:
                out[name] = _array_kind(dtype[0].attr, ndim)
    for node in ast.walk(tree):  # an augmented assignment (x |= y) makes a flag's value unknown here
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            flags[node.target.id] = False
    out.update((name, _BOOL) for name, ok in flags.items() if ok)
    return out


def _calls(fn, glb: dict, seen: set) -> list[tuple[Dispatcher, tuple[str, ...]]]:
    """(callee, kinds of its arguments) of the calls in ``fn``'s source whose arguments all have a known type.

    Callees inlined by numba (``inline="always"``) are not compilation units: their own calls are
    collected instead. So are those of a callee of the same module that calls compiled functions (the
    weekly step, in the day loop's module): it compiles with the loop, after its callees."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    known = {n: k for n, k in PARAMETERS.items() if n in inspect.signature(fn).parameters} | _locals(tree)
    out = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        callee = glb.get(node.func.id)
        if not isinstance(callee, Dispatcher) or callee in seen:
            continue
        if callee.targetoptions.get("inline") == "always" or (callee.py_func.__globals__ is glb and any(
                isinstance(glb.get(n), Dispatcher) for n in callee.py_func.__code__.co_names)):
            seen.add(callee)
            out += _calls(callee.py_func, callee.py_func.__globals__, seen)
            continue
        kinds = [_kind(a, known, glb) for a in node.args]
        if node.keywords or None in kinds:
            continue
        seen.add(callee)
        out.append((callee, tuple(kinds)))
    return out


def _kind(node: ast.AST, known: dict[str, str], glb: dict) -> str | None:
    """What an argument is: a variable of known type, or integer arithmetic (``day // DAYS_PER_WEEK``) on
    such variables, integer literals and module-level integer constants; None if not known here. (A
    literal or a constant alone is not planned: numba types it as a literal, a specialisation of its own.)"""
    if isinstance(node, ast.Name):
        return known.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)):
        return _INT if _is_int(node.left, known, glb) and _is_int(node.right, known, glb) else None
    return None


def _is_int(node: ast.AST, known: dict[str, str], glb: dict) -> bool:
    if isinstance(node, ast.Name):
        return known.get(node.id) == _INT or (node.id not in known and type(glb.get(node.id)) is int)
    if isinstance(node, ast.Constant):
        return type(node.value) is int
    return _kind(node, known, glb) == _INT


def _cost(disp: Dispatcher) -> int:
    """A proxy of a function's compilation time: the length of its source and of every compiled function it calls."""
    seen, todo, total = {disp}, [disp], 0
    while todo:
        fn = todo.pop().py_func
        total += len(inspect.getsource(fn))
        for name in fn.__code__.co_names:
            other = fn.__globals__.get(name)
            if isinstance(other, Dispatcher) and other not in seen:
                seen.add(other)
                todo.append(other)
    return total


def plan(prep) -> list[tuple[str, int, Dispatcher, tuple]]:
    """The independent compilations, each (name, cost, function, argument types), largest first."""
    from azalai.model import kernel
    from azalai.model._structs_gen import new_levers, new_state, new_world
    from azalai.model.engine import _contig
    from azalai.model.state import alloc_state
    from numba import typeof

    import numpy as np

    ty = _types(prep)
    jobs = []
    seen: set = set()
    for root in ROOTS:
        disp = getattr(kernel, root)
        if root != "step_days":  # the loop itself compiles after its callees
            params = list(inspect.signature(disp.py_func).parameters)
            if all(n in PARAMETERS for n in params):
                seen.add(disp)
                jobs.append((disp, tuple(PARAMETERS[n] for n in params)))
        jobs += _calls(disp.py_func, vars(kernel), seen)
    out = []
    for disp, kinds in jobs:
        sig = tuple(ty[k] for k in kinds)
        out.append((disp.py_func.__qualname__, _cost(disp), disp, sig))
    state = alloc_state(prep.world, np.zeros(1, dtype=np.int64), prep.days, True)
    for ctor, args in ((new_world, [_contig(x) for x in prep.world]), (new_levers, [_contig(x) for x in prep.levers]),
                       (new_state, list(state))):
        sig = tuple(typeof(a) for a in args)
        # a constructor's many short assignments compile about twice as slowly per character
        out.append((ctor.py_func.__qualname__, _cost(ctor) * 2, ctor, sig))
    return sorted(out, key=lambda j: (-j[1], j[0]))


def claim(claims: Path, job: int, name: str) -> bool:
    """Claim a job of the plan for this process: True if no other process has (the claim is a file
    created exclusively in the folder the compiling processes share)."""
    try:
        os.close(os.open(claims / f"{job}-{name}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def compile_claimed(prep, claims: Path) -> int:
    """Compile every job of the plan, largest first, that no other process has claimed; the number compiled.

    The processes share the plan as they go (each takes the largest job left when it is free), so a
    worker that starts later, or a job that takes longer than its estimate, does not leave one process
    idle while the other still compiles."""
    _sort_with_reference_counting()
    done = 0
    for i, (name, _cost, disp, sig) in enumerate(plan(prep)):
        if claim(claims, i, name):
            try:
                disp.compile(sig)
            except Exception:  # noqa: BLE001 - left to the loop's own compilation, which reports it
                continue
            done += 1
    return done


def _sort_with_reference_counting() -> None:
    """numba compiles its array sort once per process, with the options of the first function that needs
    it; from a function compiled without reference counting (``compiled_only(nrt=False)``: the route
    helpers, through ``presence.sort_head``) it fails to compile. Which job comes first depends on how the
    processes share the plan, so every compiling process compiles the sort first in an ordinary function."""
    import numpy as np
    from numba import njit

    @njit
    def sort(x):
        x.sort()

    sort(np.zeros(1, dtype=np.int64))


def loop_is_cached(prep) -> bool:
    """Whether numba's cache holds the day loop compiled for this run's types (and the current sources)."""
    from azalai.model.kernel import step_days

    index = getattr(step_days._cache, "_cache_file", None)
    if index is None:  # caching disabled: nothing to share between processes
        return True
    ty = _types(prep)
    params = list(inspect.signature(step_days.py_func).parameters)
    if not all(n in PARAMETERS for n in params):
        return True  # the loop's arguments are not known here: let it compile as usual
    sig = tuple(ty[PARAMETERS[n]] for n in params)
    return any(key[0] == sig for key in index._load_index())


def workers_wanted() -> int:
    """Processes to compile with: ``AZALAI_COMPILE_WORKERS`` when set, else one per CPU."""
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if not raw:
        return os.cpu_count() or 1
    if not raw.isdigit() or int(raw) < 1:
        from azalai.errors import InputError

        raise InputError(f"{WORKERS_ENV}={raw!r}: expected a whole number of processes, at least 1",
                         file="environment")
    return int(raw)


def compile_parallel(prep, workers: int | None = None) -> int:
    """Compile the day loop's callees in ``workers`` processes (this one included); returns the number used.

    Each worker runs ``python -m azalai.model.warmup --claims DIR`` with this process's environment (so
    the same numba cache); the processes take the plan's jobs in turn (:func:`compile_claimed`). A
    worker that fails or cannot start only leaves more jobs to the others, or to the loop's own
    compilation here."""
    n = workers or workers_wanted()
    if n <= 1:
        return 1
    with tempfile.TemporaryDirectory(prefix="azalai-compile-") as tmp:
        claims = Path(tmp)
        procs = []
        for _ in range(1, n):
            try:
                procs.append(subprocess.Popen([sys.executable, "-m", "azalai.model.warmup", "--claims", str(claims)],
                                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
            except OSError:  # no interpreter to start (an embedded Python): this process compiles the rest
                break
        try:
            compile_claimed(prep, claims)
        finally:
            for p in procs:
                p.wait()
    return n

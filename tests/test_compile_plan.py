"""The parallel compilation plan compiles exactly what the day loop then asks for."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from azalai.model.compile_plan import claim, loop_is_cached, plan
from azalai.model.engine import prepare, simulate_batch

ROOT = Path(__file__).resolve().parents[1]

# numba tags each compiled function with a process-local counter ("B4v135" in "...11record_weekB4v135B52c8t...");
# it changes with the order in which processes compiled or loaded the functions, not with the argument types.
_UID_TAG = re.compile(r"B\d+v\d+(?=[BE])")


def _without_uid(mangled: str) -> str:
    return _UID_TAG.sub("", mangled)


def test_every_planned_compilation_is_one_the_loop_uses() -> None:
    from azalai.model.kernel import step_days

    prep = prepare("mali-2016", "baseline-2016", days=14)
    simulate_batch(prep, [0])  # calls the constructors and the entry points from Python, and the loop
    jobs = plan(prep)
    names = {name for name, _cost, _disp, _sig in jobs}
    # the mechanisms called daily and weekly, the entry points around the loop and the struct constructors
    for expected in ("clashes_inlined", "tips_and_operations_inlined", "reallocate", "update_communities", "record_week",
                     "init_batch", "finish_batch", "new_state", "new_world", "new_levers"):
        assert expected in names
    # the loop itself, and the weekly step, which compiles with it after its callees
    assert "step_days" not in names and "weekly" not in names
    # every compiled function the loop calls is planned (a call the plan cannot type would compile serially)
    from numba.core.dispatcher import Dispatcher

    weekly = step_days.py_func.__globals__["weekly"]
    for fn in (step_days, weekly):
        for callee in fn.py_func.__code__.co_names:
            obj = fn.py_func.__globals__.get(callee)
            if isinstance(obj, Dispatcher) and obj.targetoptions.get("inline") != "always" and obj is not weekly:
                assert callee in names or f"{obj.py_func.__qualname__}" in names, callee
    # The functions linked into the compiled loop and into init_batch (the only caller of local_support), by
    # their mangled names (which encode the argument types).
    (loop,) = step_days.overloads.values()
    (first,) = step_days.py_func.__globals__["init_batch"].overloads.values()
    linked = {_without_uid(f.name) for lib in (loop.library, first.library)
              for f in lib._get_module_for_linking().functions}
    checked = 0
    for name, _cost, disp, sig in jobs:
        if disp in (step_days.py_func.__globals__[n] for n in ("init_batch", "finish_batch")) or name.startswith("new_"):
            # called from Python: the run dispatched on exactly these argument types
            assert tuple(sig) in [tuple(s) for s in disp.signatures], name
            continue
        disp.compile(sig)  # loads it from the cache
        mangled = _without_uid(disp.overloads[sig].fndesc.mangled_name)
        same_function = [n for n in linked if f"{len(name)}{name}" in n]
        if same_function:  # (absent when LLVM inlined every call to it)
            assert mangled in linked, f"the loop calls {name} with other argument types than planned"
            checked += 1
    # The day loop's inlined mechanisms (kernel._inlined: LLVM inlines every call) are never in the linked
    # code; of the others, most must be found there with the planned argument types.
    inlined = sum(1 for _name, _cost, disp, _sig in jobs if disp.targetoptions.get("forceinline"))
    assert checked >= (len(jobs) - inlined) // 2


def test_each_job_is_claimed_by_one_process(tmp_path) -> None:
    jobs = plan(prepare("mali-2016", "baseline-2016", days=14))
    assert len({name for name, *_ in jobs}) == len(jobs)
    assert claim(tmp_path, 0, jobs[0][0])
    assert not claim(tmp_path, 0, jobs[0][0])  # another process already took it
    assert claim(tmp_path, 1, jobs[1][0])
    # the processes take the largest jobs first
    costs = [cost for _name, cost, *_ in jobs]
    assert costs == sorted(costs, reverse=True)


def test_an_empty_cache_is_detected(tmp_path) -> None:
    prep = prepare("mali-2016", "baseline-2016", days=14)
    simulate_batch(prep, [0])
    assert loop_is_cached(prep)
    code = "from azalai.model.engine import prepare; from azalai.model.compile_plan import loop_is_cached; " \
           "print(loop_is_cached(prepare('mali-2016', 'baseline-2016', days=14)))"
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT), AZALAI_SEED_CACHE="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_empty_numba_cache_dir_is_seeded_from_the_installed_build(tmp_path) -> None:
    """The engine compiled at installation (``__pycache__``) fills an empty NUMBA_CACHE_DIR, so the
    first run there loads the loop instead of compiling it, and gives the same results."""
    prep = prepare("mali-2016", "baseline-2016", days=14)
    here = simulate_batch(prep, [3])[0]
    assert loop_is_cached(prep)
    code = ("from azalai.model.engine import prepare, simulate_batch; "
            "from azalai.model.compile_plan import loop_is_cached; "
            "prep = prepare('mali-2016', 'baseline-2016', days=14); c = loop_is_cached(prep); "
            "print(c, simulate_batch(prep, [3])[0][0]['fatalities'])")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    env.pop("AZALAI_SEED_CACHE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    cached, fatalities = out.stdout.split()
    assert cached == "True"
    assert float(fatalities) == here[0]["fatalities"]
    installed = {f.name for f in (ROOT / "azalai" / "model").rglob("__pycache__/*.nbi")}
    seeded = {f.name for f in tmp_path.rglob("*.nbi")}
    assert seeded and seeded <= installed


def test_a_stale_cache_in_numba_cache_dir_is_cleared(tmp_path) -> None:
    """With NUMBA_CACHE_DIR set, compiled code of other sources is deleted on import (numba itself only
    checks the file of each function, not its callees')."""
    code = ("import azalai.model as m, pathlib; here = pathlib.Path(m.__file__).parent; "
            "print('\\n'.join(str(d) for d, _ in m._cache_dirs(here, sorted(here.rglob('*.py')))[1:]))")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    dirs = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.split()
    assert len(dirs) == 2 and all(d.startswith(str(tmp_path)) for d in dirs)  # model/ and model/mechanisms/
    stale = Path(dirs[-1]) / "kernel.step_days-1.py311.nbi"
    stale.write_bytes(b"compiled from other sources")
    (Path(dirs[-1]) / "numba-source.stamp").write_text("other sources")
    subprocess.run([sys.executable, "-c", "import azalai.model"], env=env, check=True)
    assert not stale.exists()
    stale.write_bytes(b"compiled from these sources")  # same stamp now: kept
    subprocess.run([sys.executable, "-c", "import azalai.model"], env=env, check=True)
    assert stale.exists()


def test_the_number_of_compiling_processes_comes_from_the_environment(monkeypatch) -> None:
    import pytest

    from azalai.errors import InputError
    from azalai.model.compile_plan import WORKERS_ENV, workers_wanted

    monkeypatch.delenv(WORKERS_ENV, raising=False)
    assert workers_wanted() == (os.cpu_count() or 1)
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert workers_wanted() == 3
    for bad in ("two", "0", "-1"):
        monkeypatch.setenv(WORKERS_ENV, bad)
        with pytest.raises(InputError, match=WORKERS_ENV):
            workers_wanted()

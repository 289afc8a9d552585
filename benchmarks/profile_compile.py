"""Where numba's compilation time goes: per compiled function, from numba's own timing events.

    NUMBA_CACHE_DIR=$(mktemp -d) .venv/bin/python benchmarks/profile_compile.py [--top 25]

Runs ``azalai.model.warmup`` (the engine's entry points on a short run) while recording numba's
``numba:compile`` events, and prints, per function, the time spent compiling it *excluding* the nested
compilations of its callees (self time), the number of specialisations compiled, and the whole wall
time. Run it with an empty cache directory, or it measures cache loading instead. Writes
``benchmarks/results/compile_profile.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


def _cpu_recorder():
    """numba's event recorder, with the process's CPU time beside the wall time of each event."""
    from numba.core.event import Listener

    class CpuRecorder(Listener):
        def __init__(self):
            self.buffer = []

        def on_start(self, e):
            self.buffer.append((time.perf_counter(), time.process_time(), e))

        on_end = on_start

    return CpuRecorder()


by_library: dict[tuple[str, str], float] = defaultdict(float)  # (library, LLVM step): CPU seconds


def _time_llvm_steps() -> dict[str, float]:
    """CPU seconds in numba's LLVM steps, by step (accumulated while the returned dict lives), and by
    library and step in :data:`by_library`."""
    from numba.core.codegen import CPUCodeLibrary, JITCodeLibrary

    out: dict[str, float] = defaultdict(float)
    for cls, meth, label in ((CPUCodeLibrary, "_optimize_functions", "function passes"),
                             (CPUCodeLibrary, "_optimize_final_module", "module passes"),
                             (JITCodeLibrary, "_finalize_specific", "machine code")):
        orig = getattr(cls, meth)

        def timed(self, *args, _orig=orig, _label=label):
            c = time.process_time()
            try:
                return _orig(self, *args)
            finally:
                dt = time.process_time() - c
                out[_label] += dt
                by_library[(self.name, _label)] += dt

        setattr(cls, meth, timed)
    return out


def main(argv=None) -> None:
    from bench_engine import machine

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "compile_profile.json")
    a = ap.parse_args(argv)

    from numba.core import event

    info = machine()
    llvm = _time_llvm_steps()
    rec = _cpu_recorder()
    t0, c0 = time.perf_counter(), time.process_time()
    with event.install_listener("numba:compile", rec):
        import azalai.model.warmup as w

        w.warmup(verbose=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    # Events nest (a caller's compilation contains its callees'): self time = own span minus children.
    stack: list[list] = []
    selft: dict[str, float] = defaultdict(float)
    selfc: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for ts, cs, e in rec.buffer:
        name = e.data["dispatcher"].py_func.__module__ + "." + e.data["dispatcher"].py_func.__qualname__
        if e.is_start:
            stack.append([name, ts, cs, 0.0, 0.0])
        else:
            n, start, cstart, child, cchild = stack.pop()
            span, cspan = ts - start, cs - cstart
            selft[n] += span - child
            selfc[n] += cspan - cchild
            count[n] += 1
            if stack:
                stack[-1][3] += span
                stack[-1][4] += cspan
    total, ctotal = sum(selft.values()), sum(selfc.values())
    rows = sorted(selft.items(), key=lambda kv: -selfc[kv[0]])
    print(f"wall {wall:.1f} s, of which compiling {total:.1f} s; CPU {cpu:.1f} s, of which compiling {ctotal:.1f} s "
          f"({len(rows)} functions, {sum(count.values())} specialisations); load {os.getloadavg()[0]:.2f}")
    print("LLVM, CPU s: " + ", ".join(f"{k} {v:.1f}" for k, v in llvm.items()))
    print("LLVM by library, CPU s: " + ", ".join(
        f"{lib} {step} {v:.1f}" for (lib, step), v in sorted(by_library.items(), key=lambda kv: -kv[1])[:8]))
    print("| function | self s | self CPU s | specialisations |\n|---|---:|---:|---:|")
    for n, s in rows[: a.top]:
        print(f"| {n} | {s:.2f} | {selfc[n]:.2f} | {count[n]} |")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    info["load_average_end"] = os.getloadavg()
    a.out.write_text(json.dumps({
        "machine": info, "cache_dir": os.environ.get("NUMBA_CACHE_DIR", ""),
        "wall_s": wall, "compile_s": total, "cpu_s": cpu, "compile_cpu_s": ctotal, "llvm_cpu_s": llvm,
        "functions": [{"name": n, "self_s": s, "self_cpu_s": selfc[n], "specialisations": count[n]}
                      for n, s in rows],
    }, indent=1))


if __name__ == "__main__":
    main()

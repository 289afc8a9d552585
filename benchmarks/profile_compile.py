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


def main(argv=None) -> None:
    from bench_engine import machine

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "compile_profile.json")
    a = ap.parse_args(argv)

    from numba.core import event

    info = machine()
    t0 = time.perf_counter()
    with event.install_recorder("numba:compile") as rec:
        import azalai.model.warmup as w

        w.warmup(verbose=False)
    wall = time.perf_counter() - t0
    # Events nest (a caller's compilation contains its callees'): self time = own span minus children.
    stack: list[list] = []
    selft: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for ts, e in rec.buffer:
        name = e.data["dispatcher"].py_func.__module__ + "." + e.data["dispatcher"].py_func.__qualname__
        if e.is_start:
            stack.append([name, ts, 0.0])
        else:
            n, start, child = stack.pop()
            span = ts - start
            selft[n] += span - child
            count[n] += 1
            if stack:
                stack[-1][2] += span
    total = sum(selft.values())
    rows = sorted(selft.items(), key=lambda kv: -kv[1])
    print(f"wall {wall:.1f} s, of which compiling {total:.1f} s ({len(rows)} functions, "
          f"{sum(count.values())} specialisations); load {os.getloadavg()[0]:.2f}")
    print("| function | self s | specialisations |\n|---|---:|---:|")
    for n, s in rows[: a.top]:
        print(f"| {n} | {s:.2f} | {count[n]} |")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    info["load_average_end"] = os.getloadavg()
    a.out.write_text(json.dumps({
        "machine": info, "cache_dir": os.environ.get("NUMBA_CACHE_DIR", ""),
        "wall_s": wall, "compile_s": total,
        "functions": [{"name": n, "self_s": s, "specialisations": count[n]} for n, s in rows],
    }, indent=1))


if __name__ == "__main__":
    main()

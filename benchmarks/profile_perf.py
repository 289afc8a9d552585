"""Where the compiled engine's time goes, per compiled function, sampled by Linux ``perf``.

    .venv/bin/python benchmarks/profile_perf.py [--scales 1,10] [--runs 500,60] [--out FILE]

For each synthetic scale, a child process runs ``--runs`` warm 365-day runs of ``azalai scenario synth``
at that scale under ``perf record``; before the timed runs it writes ``/tmp/perf-<pid>.map``, the address
and size of every function in the engine's machine code, which ``perf report`` reads to name the
samples that fall in compiled code (numba loads its cached machine code into anonymous memory, which
perf cannot name by itself). The table gives, per function, the samples per run at each scale (at
``--freq`` samples a second: 4,000 by default, so 4 samples are 1 ms) and their growth between the
first and the last scale; functions that grow much faster than the world are where a larger world
costs more than it should. Functions inlined into their caller count as the caller. It needs ``perf``
(Debian: ``linux-perf``) and permission to use it; the engine's results are not changed by it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent

# The child: load the engine, record where each compiled function lies, then run.
CHILD = r'''
import os, sys
import jitmap

jitmap.capture()  # before the engine is imported

from azalai.model.engine import prepare, simulate_batch
from azalai.scenario.loader import load_scenario
from azalai.scenario.synth import synth_scenario

scale, runs = int(sys.argv[1]), int(sys.argv[2])
prep = prepare(synth_scenario(load_scenario("mali-2016"), scale), "baseline-2016", days=365)
simulate_batch(prep, [0])
with open(f"/tmp/perf-{os.getpid()}.map", "w") as fh:
    for addr, size, sym in jitmap.functions():
        fh.write(f"{addr:x} {size:x} {jitmap.short(sym)}\n")
for s in range(runs):
    simulate_batch(prep, [s + 1])
'''


def samples(data: Path) -> dict[str, int]:
    out = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--sort", "sym", "-F", "sample,sym"],
                         capture_output=True, text=True).stdout
    got: dict[str, int] = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+\[.\]\s+(\S.*)", line)
        if m and not m.group(2).startswith("0x"):
            got[m.group(2).strip()] = got.get(m.group(2).strip(), 0) + int(m.group(1))
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="1,10")
    ap.add_argument("--runs", default="500,60", help="runs per scale (as many as --scales)")
    ap.add_argument("--freq", type=int, default=4000, help="perf samples a second")
    ap.add_argument("--top", type=int, default=30, help="rows of the table")
    ap.add_argument("--out", type=Path, default=None, help="JSON of samples per run, per function and scale")
    a = ap.parse_args()
    if shutil.which("perf") is None or shutil.which("nm") is None:
        sys.exit("profile_perf.py needs Linux perf and nm (Debian: linux-perf, binutils)")
    scales = [int(x) for x in a.scales.split(",")]
    runs = [int(x) for x in a.runs.split(",")]
    if len(runs) != len(scales):
        sys.exit("--runs needs one number per scale")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]), NUMBA_NUM_THREADS="1")
    per_run: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        child = Path(tmp) / "child.py"
        child.write_text(CHILD)
        for k, n in zip(scales, runs):
            data = Path(tmp) / f"perf{k}.data"
            subprocess.run(["perf", "record", "-q", "-F", str(a.freq), "-o", str(data), sys.executable, str(child),
                            str(k), str(n)], check=True, env=env)
            per_run[k] = {f: c / n for f, c in samples(data).items()}
    # Compiled code only: the engine's modules, numba's helpers (np.sort's quicksort is ``<locals>``) and its
    # runtime (``NRT_``); the rest is start-up and Python.
    modules = {f.stem for f in (ROOT / "azalai" / "model").rglob("*.py")} | {"_3clocals_3e"}
    first, last = scales[0], scales[-1]
    names = sorted({f for k in scales for f in per_run[k] if f.split(".")[0] in modules or f.startswith("NRT_")},
                   key=lambda f: -per_run[last].get(f, 0.0))
    tot = {k: sum(per_run[k].get(f, 0.0) for f in names) for k in scales}
    print("| function | " + " | ".join(f"x{k} samples/run" for k in scales) + f" | x{last} / x{first} |")
    print("|---|" + "---:|" * (len(scales) + 1))
    for f in names[: a.top]:
        x0, x1 = per_run[first].get(f, 0.0), per_run[last].get(f, 0.0)
        grow = f"{x1 / x0:.1f}" if x0 > 0 else "-"
        print(f"| {f} | " + " | ".join(f"{per_run[k].get(f, 0.0):.2f}" for k in scales) + f" | {grow} |")
    print("| all compiled code | " + " | ".join(f"{tot[k]:.1f}" for k in scales) + f" | {tot[last] / tot[first]:.1f} |")
    if a.out is not None:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps({"freq": a.freq, "runs": dict(zip(map(str, scales), runs)),
                                     "samples_per_run": {str(k): {f: per_run[k][f] for f in names if f in per_run[k]}
                                                         for k in scales}}, indent=1))


if __name__ == "__main__":
    main()

"""Write the benchmark tables of docs/performance.md from the results in ``benchmarks/results/``.

    .venv/bin/python benchmarks/render_doc.py [--check]

Each generated block sits between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` in the document
and is rewritten from ``results/NAME.json`` (``versions``: bench_versions.py; ``compile_profile``:
profile_compile.py; ``cold_start``: bench_cold.py; ``vs_mesa``: vs_mesa.py; ``ensemble``: bench_ensemble.py's
pool start-up; ``profile``: profile_mechanisms.py). The prose around the blocks is written by hand. With ``--check``, exit 1 when the document
is not what the results give.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
DOC = HERE.parent / "docs" / "performance.md"
TOP_FUNCTIONS = 12


def _load(name: str) -> dict | None:
    f = HERE / "results" / f"{name}.json"
    return json.loads(f.read_text()) if f.exists() else None


def _conditions(m: dict) -> str:
    la = m.get("load_average") or [float("nan")]
    le = m.get("load_average_end") or [float("nan")]
    return (f"{m.get('cpus')} CPUs ({m.get('cpu', '?')}), Python {m.get('python')}, numba {m.get('numba', '?')}, "
            f"azalai {m.get('azalai', '?')} at {m.get('commit', '?')}; load average {la[0]:.1f} at the start, "
            f"{le[0]:.1f} at the end")


LABELS = {
    "start": "`azalai run --days 30`, warm cache, wall (s)",
    "import_prepare": "imports and `prepare` in a fresh process (s)",
    "load": "loading the compiled engine from the cache (s)",
    "warm_730": "one 730-day run of mali-2016, warm (s)",
    "batch_50_per_run": "per run in a batch of 50 (s)",
    "scale_1_ms_per_day": "synthetic scale 1, ms per simulated day",
    "scale_10_ms_per_day": "synthetic scale 10, ms per simulated day",
    "scale_ratio": "scale 10 / scale 1, cost per simulated day",
    "scale_1_cpu_ms_per_day": "synthetic scale 1, CPU ms per simulated day",
    "scale_10_cpu_ms_per_day": "synthetic scale 10, CPU ms per simulated day",
    "scale_ratio_cpu": "scale 10 / scale 1, CPU cost per simulated day",
}


def versions(d: dict) -> str:
    out = [f"Base `{d['base']}`, this version `{d['this']}`; {_conditions(d['machine'])}. "
           f"Medians of {len(d['rounds'])} alternating rounds.", "",
           "| measurement | before | after | before / after |", "|---|---:|---:|---:|"]
    if "cold" in d:
        for m in ("wall", "cpu"):
            b, n = d["cold"]["base"][m], d["cold"]["this"][m]
            out.append(f"| first `azalai run --days 30`, empty numba cache, {m} (s) | {b:.1f} | {n:.1f} | {b / n:.2f} |")
    for k, label in LABELS.items():
        b, n = d["median"]["base"].get(k), d["median"]["this"].get(k)
        if b is not None and n is not None:
            out.append(f"| {label} | {b:.4g} | {n:.4g} | {b / n:.2f} |")
    return "\n".join(out)


def compile_profile(d: dict) -> str:
    out = [f"{_conditions(d['machine'])}: compiling took {d['compile_s']:.1f} s of the {d['wall_s']:.1f} s wall time, "
           f"{len(d['functions'])} functions, {sum(f['specialisations'] for f in d['functions'])} specialisations.", "",
           "| function (self time: its own compilation, callees excluded) | s | share | specialisations |",
           "|---|---:|---:|---:|"]
    for f in d["functions"][:TOP_FUNCTIONS]:
        out.append(f"| `{f['name'].removeprefix('azalai.model.')}` | {f['self_s']:.1f} | "
                   f"{100 * f['self_s'] / d['compile_s']:.0f}% | {f['specialisations']} |")
    return "\n".join(out)


def cold_start(d: dict) -> str:
    m = d["median"]
    loads = [r[k]["load_average"] for r in d["rounds"] for k in ("serial", "parallel")]
    out = [f"{_conditions(d['machine'])}; load average {min(loads):.1f}-{max(loads):.1f} at the start of the "
           f"empty-cache runs. Medians of {len(d['rounds'])} alternating rounds.", "",
           "| `azalai run --days 30` | wall (s) | CPU (s), workers included |", "|---|---:|---:|"]
    if "installed" in m:
        out.append(f"| empty numba cache, seeded from the engine compiled at installation (default) | "
                   f"{m['installed']['wall']:.1f} | {m['installed']['cpu']:.1f} |")
    out += [f"| empty numba cache, compiled serially (`AZALAI_SEED_CACHE=0 AZALAI_COMPILE_WORKERS=1`) | {m['serial']['wall']:.1f} | "
           f"{m['serial']['cpu']:.1f} |",
           f"| empty numba cache, callees compiled in parallel (`AZALAI_SEED_CACHE=0`) | {m['parallel']['wall']:.1f} | "
           f"{m['parallel']['cpu']:.1f} |",
           f"| warm cache | {m['warm']['wall']:.2f} | {m['warm']['cpu']:.2f} |", "",
           f"In a fresh process with a warm cache: imports and `prepare` {m['warm']['import_prepare']:.2f} s, loading "
           f"the compiled engine (first 730-day run minus the second) {m['warm']['load']:.2f} s."]
    return "\n".join(out)


def vs_mesa(d: dict) -> str:
    cpu = all("cpu_ratio" in r for r in d["rows"])
    out = [f"{_conditions(d['machine'])}; Mesa {d['mesa']}. Medians of {d['repeats']} repeats "
           f"({d['mesa_repeats']} for the Mesa ensemble, `mesa.batch_run` with {d['workers']} processes"
           + ("; engine and Mesa timings alternate" if cpu else "") + ").", "",
           "| benchmark | azalai | azalai time | Mesa time | ratio |" + (" CPU-time ratio |" if cpu else ""),
           "|---|---|---:|---:|---:|" + ("---:|" if cpu else "")]
    for r in d["rows"]:
        out.append(f"| {r['benchmark']} | {r['azalai']} | {r['azalai_s']:.3f} s | {r['mesa_s']:.2f} s | "
                   f"**{r['ratio']:.0f}×** |" + (f" {r['cpu_ratio']:.0f}× |" if cpu else ""))
    return "\n".join(out)


def ensemble(d: dict) -> str:
    st = d.get("startup")
    if not st:
        return ""
    secs = st["seconds"]
    rounds = max(len(v) for v in secs.values())
    out = [f"{_conditions(st['machine'])}. Wall time of `run_ensemble` of 2 one-day replicates on 2 workers "
           f"(nearly all of it starting and stopping the pool), {rounds} calls in a row per start method.", "",
           "| start method | first call (s) | later calls (s) |", "|---|---:|---:|"]
    for method, ts in secs.items():
        later = ", ".join(f"{t:.2f}" for t in ts[1:]) or "-"
        out.append(f"| {method} | {ts[0]:.2f} | {later} |")
    return "\n".join(out)


def profile(d: dict) -> str:
    scales = d["scales"]
    rows = d["ms_per_day"]
    lo, hi = str(scales[0]), str(scales[-1])
    out = [f"{_conditions(d['machine'])}. CPU ms per simulated day over {d['days']} days (weekly processes "
           "averaged over the days); each call from Python, so about 0.02 ms of call overhead is included in "
           "every daily row.", "",
           "| mechanism | " + " | ".join(f"scale {s}" for s in scales) + f" | scale {hi} / scale {lo} |",
           "|---|" + "---:|" * (len(scales) + 1)]
    for name in rows[lo]:
        vals = [rows[str(s)][name] for s in scales]
        out.append(f"| {name} | " + " | ".join(f"{x:.3f}" for x in vals) + f" | {vals[-1] / vals[0]:.1f} |")
    tot = [sum(rows[str(s)].values()) for s in scales]
    out.append("| total | " + " | ".join(f"{x:.3f}" for x in tot) + f" | {tot[-1] / tot[0]:.1f} |")
    return "\n".join(out)


RENDER = {"versions": versions, "compile_profile": compile_profile, "cold_start": cold_start, "vs_mesa": vs_mesa,
          "ensemble": ensemble, "profile": profile}


def render(text: str) -> str:
    for name, fn in RENDER.items():
        d = _load(name)
        if d is None:
            continue
        pat = re.compile(rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.S)
        text = pat.sub(lambda m, d=d, fn=fn: m.group(1) + fn(d) + "\n" + m.group(2), text)
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args(argv)
    old = DOC.read_text(encoding="utf-8")
    new = render(old)
    if a.check:
        if new != old:
            print(f"{DOC} is not up to date with benchmarks/results: run benchmarks/render_doc.py")
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Check that an engine change leaves every result bit-identical.

    .venv/bin/python benchmarks/check_identical.py save  [--out PATH]   # before the change
    .venv/bin/python benchmarks/check_identical.py check [--out PATH]   # after it

Runs 12 seeds x 4 policies x 730 days of mali-2016 and 4 seeds of the synthetic x3 scenario, and
stores, per run, the outcomes (all keys), the full events and tips frames and the complete final
state arrays (time series included). ``check`` reruns and compares exactly: ``==`` on the outcome
dicts, ``DataFrame.equals`` on the frames, byte equality on every state array.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
DEFAULT = Path(tempfile.gettempdir()) / "azalai_identical_reference.pkl"
POLICIES = ["baseline-2016", "counter-trafficking", "restraint", "political-track"]
SEEDS = list(range(12))
SYNTH_SEEDS = list(range(4))
DAYS = 730


def collect() -> dict:
    from azalai.model.engine import events_frame, outcomes_of, prepare, run_prepared, tips_frame
    from azalai.scenario.loader import load_scenario
    from azalai.scenario.synth import synth_scenario

    cases = [("mali-2016", pol, SEEDS) for pol in POLICIES]
    cases.append(("synth-x3", "baseline-2016", SYNTH_SEEDS))
    out = {}
    for scen, pol, seeds in cases:
        t0 = time.perf_counter()
        sc = synth_scenario(load_scenario("mali-2016"), 3) if scen == "synth-x3" else scen
        prep = prepare(sc, pol, days=DAYS)
        S = run_prepared(prep, seeds, record=True)
        for r, seed in enumerate(seeds):
            out[(scen, pol, seed)] = {
                "outcomes": outcomes_of(prep, S, r),
                "events": events_frame(prep, S, r, tag=f"AZ{seed}-"),
                "tips": tips_frame(prep, S, r),
            }
        out[(scen, pol, "state")] = {name: np.asarray(arr).copy() for name, arr in zip(S._fields, S)}
        print(f"{scen} {pol}: {time.perf_counter() - t0:.1f} s", flush=True)
    return out


def compare(ref: dict, new: dict) -> list[str]:
    bad = []
    for key, a in ref.items():
        b = new.get(key)
        if b is None:
            bad.append(f"{key}: missing")
            continue
        if key[2] == "state":
            for name, x in a.items():
                y = b[name]
                if x.shape != y.shape or x.dtype != y.dtype or x.tobytes() != y.tobytes():
                    bad.append(f"{key} state.{name} differs")
            continue
        if a["outcomes"] != b["outcomes"]:
            diff = [k for k in a["outcomes"] if a["outcomes"][k] != b["outcomes"].get(k)]
            bad.append(f"{key} outcomes differ: {diff[:8]}")
        for frame in ("events", "tips"):
            if not a[frame].equals(b[frame]):
                bad.append(f"{key} {frame} frame differs ({len(a[frame])} vs {len(b[frame])} rows)")
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["save", "check"])
    ap.add_argument("--out", type=Path, default=DEFAULT)
    a = ap.parse_args()
    res = collect()
    if a.mode == "save":
        a.out.parent.mkdir(parents=True, exist_ok=True)
        with a.out.open("wb") as fh:
            pickle.dump(res, fh)
        n = sum(1 for k in res if k[2] != "state")
        print(f"saved {n} runs to {a.out}")
        return
    with a.out.open("rb") as fh:
        ref = pickle.load(fh)
    bad = compare(ref, res)
    n = sum(1 for k in ref if k[2] != "state")
    if bad:
        print(f"DIFFERENT: {len(bad)} mismatches over {n} runs")
        for line in bad[:40]:
            print("  " + line)
        sys.exit(1)
    print(f"IDENTICAL: {n} runs (outcomes, events, tips, all state arrays)")


if __name__ == "__main__":
    main()

"""`make bench`: the engine and ensemble benchmarks, then the Mesa comparison if present."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    rc = 0
    for script, args in (("bench_engine.py", []), ("bench_ensemble.py", []), ("vs_mesa.py", [])):
        path = HERE / script
        if not path.exists():
            continue
        print(f"\n== {script} ==", flush=True)
        rc |= subprocess.call([sys.executable, str(path), *args])
    return rc


if __name__ == "__main__":
    sys.exit(main())

"""The model: state arrays, the compiled day loop, one module per mechanism, and the event log.

Compiled functions are cached on disk by numba. Numba does not notice when a function's callees in
other files change, so the cache is keyed here on a hash of every model source file and cleared
when any of them changes: in ``__pycache__`` next to the sources, and in ``NUMBA_CACHE_DIR`` when
that is set (numba then keeps one folder per source folder there).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

STAMP = "numba-source.stamp"
# LLVM's optimisation level for the compiled engine: numba's default is 3; at 2 the engine compiles in
# less CPU time, runs as fast and gives the same results (docs/performance.md, "Start-up"). Set here,
# before anything is compiled, unless NUMBA_OPT is set; it applies to the whole process.
OPT_LEVEL = "2"
os.environ.setdefault("NUMBA_OPT", OPT_LEVEL)


def _cache_dirs(here: Path, sources: list[Path]) -> list[Path]:
    """The folders where numba caches the compiled functions of these sources."""
    dirs = [here / "__pycache__"]
    if os.environ.get("NUMBA_CACHE_DIR"):
        from numba.core.caching import _CacheLocator

        root = Path(os.environ["NUMBA_CACHE_DIR"])
        folders = sorted({f.parent for f in sources if f.is_relative_to(here)})
        dirs += [root / _CacheLocator.get_suitable_cache_subpath(str(d / "x.py")) for d in folders]
    return dirs


def _refresh_numba_cache() -> None:
    here = Path(__file__).parent
    sources = sorted(here.rglob("*.py")) + [here.parent / "policy" / "schema.py"]
    h = hashlib.sha256()
    for f in sources:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    stamp = h.hexdigest()
    for cache in _cache_dirs(here, sources):
        marker = cache / STAMP
        try:
            if marker.exists() and marker.read_text() == stamp:
                continue
            pattern_root = here if cache == here / "__pycache__" else cache
            for pattern in ("*.nbi", "*.nbc"):
                for f in pattern_root.rglob(pattern):
                    f.unlink(missing_ok=True)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(stamp)
        except OSError:  # read-only installation: numba falls back to its own cache locator
            pass


_refresh_numba_cache()

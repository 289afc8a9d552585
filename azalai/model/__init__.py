"""The model: state arrays, the compiled day loop, one module per mechanism, and the event log.

Compiled functions are cached on disk by numba. Numba does not notice when a function's callees in
other files change, so the cache is keyed here on a hash of every model source file and cleared
when any of them changes: in ``__pycache__`` next to the sources, and in ``NUMBA_CACHE_DIR`` when
that is set (numba then keeps one folder per source folder there).

Installing compiles the engine into ``__pycache__`` (``make``, or ``python -m azalai.model.warmup``
after ``pip install``). A ``NUMBA_CACHE_DIR`` that does not hold the engine for the current sources (an
empty one, for a new user, worker or node) is seeded from that installed build when its key matches,
instead of compiling again; ``AZALAI_SEED_CACHE=0`` turns this off (docs/performance.md, "Start-up").
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

STAMP = "numba-source.stamp"
SEED_ENV = "AZALAI_SEED_CACHE"  # "0": never copy the installed build into an empty NUMBA_CACHE_DIR
# LLVM's optimisation level for the compiled engine: numba's default is 3; at 2 the engine compiles in
# less CPU time, runs as fast and gives the same results (docs/performance.md, "Start-up"). Set here,
# before anything is compiled, unless NUMBA_OPT is set; it applies to the whole process.
OPT_LEVEL = "2"
os.environ.setdefault("NUMBA_OPT", OPT_LEVEL)


def _cache_dirs(here: Path, sources: list[Path]) -> list[tuple[Path, Path | None]]:
    """The folders where numba caches the compiled functions of these sources: ``__pycache__`` (the
    installed build), then, when ``NUMBA_CACHE_DIR`` is set, one folder there per source folder, each
    with the source folder whose installed build can seed it."""
    dirs: list[tuple[Path, Path | None]] = [(here / "__pycache__", None)]
    if os.environ.get("NUMBA_CACHE_DIR"):
        from numba.core.caching import _CacheLocator

        root = Path(os.environ["NUMBA_CACHE_DIR"])
        folders = sorted({f.parent for f in sources if f.is_relative_to(here)})
        dirs += [(root / _CacheLocator.get_suitable_cache_subpath(str(d / "x.py")), d) for d in folders]
    return dirs


def _seed(built: Path, cache: Path) -> None:
    """Copy into ``cache`` each compiled function of ``built`` (an installed ``__pycache__``) that it does
    not index: data files before the index that names them, each written under a temporary name and
    renamed, so a process starting beside this one finds either no entry or a whole one."""
    for index in sorted(built.glob("*.nbi")):
        if (cache / index.name).exists():
            continue
        for f in sorted(built.glob(index.name[: -len(".nbi")] + ".*.nbc")) + [index]:
            tmp = cache / f".{f.name}.{os.getpid()}.tmp"
            shutil.copyfile(f, tmp)
            os.replace(tmp, cache / f.name)


def _refresh_numba_cache() -> None:
    here = Path(__file__).parent
    sources = sorted(here.rglob("*.py")) + [here.parent / "policy" / "schema.py"]
    h = hashlib.sha256()
    for f in sources:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    stamp = h.hexdigest()
    installed = False
    for cache, folder in _cache_dirs(here, sources):
        marker = cache / STAMP
        try:
            if not (marker.exists() and marker.read_text() == stamp):
                pattern_root = here if folder is None else cache
                for pattern in ("*.nbi", "*.nbc"):
                    for f in pattern_root.rglob(pattern):
                        f.unlink(missing_ok=True)
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.write_text(stamp)
            elif folder is None:
                installed = True  # the installed build is of these sources
            if folder is not None and installed and os.environ.get(SEED_ENV, "1") != "0":
                _seed(folder / "__pycache__", cache)
        except OSError:  # read-only installation: numba falls back to its own cache locator
            pass


_refresh_numba_cache()

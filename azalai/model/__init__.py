"""The model: state arrays, the compiled day loop, one module per mechanism, and the event log.

Compiled functions are cached on disk by numba. Numba does not notice when a function's callees in
other files change, so the cache is keyed here on a hash of every model source file and cleared
when any of them changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def _refresh_numba_cache() -> None:
    here = Path(__file__).parent
    sources = sorted(here.rglob("*.py")) + [here.parent / "policy" / "schema.py"]
    h = hashlib.sha256()
    for f in sources:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    stamp = h.hexdigest()
    marker = here / "__pycache__" / "numba-source.stamp"
    try:
        if marker.exists() and marker.read_text() == stamp:
            return
        for pattern in ("*.nbi", "*.nbc"):
            for f in here.rglob(pattern):
                f.unlink(missing_ok=True)
        marker.parent.mkdir(exist_ok=True)
        marker.write_text(stamp)
    except OSError:  # read-only installation: numba falls back to its own cache locator
        pass


_refresh_numba_cache()

"""Checkpoints of an ABC-SMC run, so that a killed calibration resumes where it stopped.

After every finished generation :func:`azalai.analysis.abc_smc.abc_smc` writes one ``.npz`` file
(atomically: a temporary file, then a rename) holding every generation so far (parameters, weights,
distances, statistics, epsilon, simulations, acceptance, seconds), the distance scales, the sampler's
random state and its simulation counter, and a fingerprint of the run's settings (observed values,
prior bounds, particles, seed, quantile, statistic names). Started again with the same settings and
file, the run loads it and continues with the next generation, drawing exactly the numbers an
uninterrupted run would have drawn: the resumed result is identical. A generation in progress when
the run was killed is simulated again. A file written by a run with other settings is refused; the
fingerprint does not cover the model's code, so delete a checkpoint after changing the model.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from azalai.errors import InputError, Problem

FIELDS = ("epsilon", "theta", "weights", "distances", "stats", "simulations", "acceptance", "seconds")


def fingerprint(**settings: Any) -> str:
    def norm(v):
        if isinstance(v, np.ndarray):
            return [None if not np.isfinite(x) else round(float(x), 12) for x in v.ravel()]
        return v

    text = json.dumps({k: norm(v) for k, v in sorted(settings.items())}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def save(path: str | Path, fp: str, generations: list, scales: np.ndarray, rng: np.random.Generator,
         counter: int) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {"scales": np.asarray(scales, dtype=float)}
    for i, g in enumerate(generations):
        for f in FIELDS:
            arrays[f"g{i}_{f}"] = np.asarray(getattr(g, f))
    meta = {"fingerprint": fp, "generations": len(generations), "counter": int(counter),
            "rng": rng.bit_generator.state}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    tmp = p.with_name(p.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, p)


def load(path: str | Path, fp: str, generation_type) -> tuple[list, np.ndarray, dict, int] | None:
    """(generations, scales, rng state, counter) from ``path``, or None if there is no file."""
    p = Path(path)
    if not p.exists():
        return None
    with np.load(p) as z:
        meta = json.loads(bytes(z["meta"]).decode())
        if meta.get("fingerprint") != fp:
            raise InputError(Problem(str(p), None, None, "--checkpoint",
                                     "this checkpoint was written by a calibration with other settings "
                                     "(data, parameters, particles, seed); remove it or choose another file"),
                             file=str(p))
        gens = []
        for i in range(int(meta["generations"])):
            vals = {f: z[f"g{i}_{f}"] for f in FIELDS}
            gens.append(generation_type(float(vals["epsilon"]), vals["theta"], vals["weights"], vals["distances"],
                                        vals["stats"], int(vals["simulations"]), float(vals["acceptance"]),
                                        float(vals["seconds"])))
        return gens, z["scales"].copy(), meta["rng"], int(meta["counter"])


__all__ = ["fingerprint", "save", "load"]

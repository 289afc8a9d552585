"""Draws from a calibration file's posterior: the parameter sets of worlds, validations and robust decisions."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from azalai.errors import InputError, Problem


def sample_posterior(file: str | Path, n: int, seed: int = 0) -> list[dict[str, float]]:
    """``n`` parameter dicts drawn from a calibration file's posterior.

    With ``particles`` in the file, the draws resample the weighted particles (the joint
    posterior). Otherwise each parameter is drawn independently by inverting a piecewise-linear
    distribution function through (range low, q05, median, q95, range high). Draws stay inside
    the registry ranges."""
    from azalai.safeio import RESULTS_MAX_BYTES
    from azalai.scenario.yamlio import load_yaml_file

    doc = load_yaml_file(file, InputError, what="calibration file", max_bytes=RESULTS_MAX_BYTES).data
    try:
        return _sample_posterior(doc, n, seed)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise InputError(Problem(str(file), None, None, "", f"not a calibration result of azalai calibrate "
                                 f"({type(exc).__name__}: {exc})"), file=str(file)) from None


def _sample_posterior(doc: dict, n: int, seed: int) -> list[dict[str, float]]:
    from azalai.model.params import spec

    rng = np.random.default_rng(seed)
    parts = doc.get("particles")
    out: list[dict[str, float]] = []
    if parts and parts.get("values"):
        names = list(parts["names"])
        vals = np.array(parts["values"], dtype=float)
        w = np.array(parts.get("weights") or [1.0] * len(vals), dtype=float)
        w = w / w.sum()
        idx = rng.choice(len(vals), size=int(n), p=w)
        for i in idx:
            d = {}
            for j, name in enumerate(names):
                s = spec(name)
                d[name] = float(min(s.high, max(s.low, vals[i, j])))
            out.append(d)
        return out
    post = doc.get("posterior") or {}
    if not post:
        vals = doc.get("values") or {}
        return [{k: float(v) for k, v in vals.items()} for _ in range(int(n))]
    u = rng.uniform(size=(int(n), len(post)))
    for i in range(int(n)):
        d = {}
        for j, (name, q) in enumerate(post.items()):
            s = spec(name)
            xs = np.array([s.low, q.get("q05", q["median"]), q["median"], q.get("q95", q["median"]), s.high], dtype=float)
            xs = np.maximum.accumulate(np.clip(xs, s.low, s.high))
            d[name] = float(np.interp(u[i, j], [0.0, 0.05, 0.5, 0.95, 1.0], xs))
        out.append(d)
    return out


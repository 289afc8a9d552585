"""The calibration's result: the YAML document written by ``azalai calibrate`` and draws from its posterior.

The output file (YAML) holds ``values`` (posterior medians, loadable with ``--params``), a
``posterior`` summary (median, q05, q95 per parameter), the final weighted ``particles`` (so
ensembles can sample the joint posterior with :func:`sample_posterior`), and the method's record.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping

import numpy as np

from azalai.analysis.abc_smc import ABCResult
from azalai.analysis.calibration_align import describe
from azalai.analysis.calibration_stats import Targets
from azalai.experiment.posterior import sample_posterior


def result_document(res: ABCResult, tg: Targets, period_text: str | None = None, source_note: str | None = None,
                    base: Mapping[str, float] | None = None) -> dict:
    """The calibrated parameter set as a YAML-ready dict (see the module docstring)."""
    q = res.quantiles((0.05, 0.5, 0.95))
    last = res.generations[-1]
    best = int(np.argmin(last.distances))
    period = period_text or f"{tg.start.isoformat()}:{tg.end.isoformat()}"
    src = source_note or f"calibrated: ABC-SMC on {tg.observed} {period}"
    post_stats = np.average(np.where(np.isfinite(last.stats), last.stats, np.nan), axis=0, weights=res.weights) \
        if np.isfinite(last.stats).all() else np.nanmedian(last.stats, axis=0)
    pyabc = res.meta.get("sampler") == "pyabc"
    doc = {
        "values": {n: _round(q[n][1]) for n in res.names},
        "source": {n: src for n in res.names},
        "posterior": {n: {"median": _round(q[n][1]), "q05": _round(q[n][0]), "q95": _round(q[n][2])}
                      for n in res.names},
        "method": {
            "name": (f"ABC-SMC with pyABC {res.meta.get('pyabc', '')} (ABCSMC, the project's prior, simulator "
                     "and distance)" if pyabc else
                     "ABC-SMC (adaptive population Monte Carlo ABC; Beaumont et al. 2009, Toni et al. 2009)"),
            "prior": "uniform over each parameter's registry range",
            "particles": int(len(last.theta)),
            "generations": len(res.generations),
            "epsilon_quantile": "0.5 of the previous generation's distances",
            "kernel": ("pyABC MultivariateNormalTransition (Silverman bandwidth)" if pyabc else
                       "Gaussian, covariance 2 x weighted covariance of the previous generation"),
            "replicates_per_particle": res.meta.get("replicates"),
            "alignment": describe(tg),
            "days_per_replicate": res.meta.get("days_per_replicate") or "the period's length",
            "simulations": int(res.meta.get("simulations_total") or res.simulations),
            "seconds": round(float(res.meta.get("seconds", 0.0)), 1),
            "epsilons": [None if not math.isfinite(g.epsilon) else round(g.epsilon, 4) for g in res.generations],
            "acceptance": [round(g.acceptance, 4) for g in res.generations],
            "ess": round(res.ess(), 1),
            "stopped_early": res.stopped_early or None,
            "best_particle": {n: _round(v) for n, v in zip(res.names, last.theta[best])},
            "best_distance": round(float(last.distances[best]), 4),
        },
        "observed": tg.observed,
        "period": period,
        "statistics": {
            n: {"observed": _round(o), "posterior_mean": _round(m), "scale": _round(s), "group": tg.group_names[g]}
            for n, o, m, s, g in zip(tg.names, tg.values, post_stats, res.scales, tg.groups)
        },
        "distance": (f"sqrt({'mean' if tg.group_weights is None else 'weighted mean'} over groups "
                     f"[{', '.join(_weighted(tg))}] of the mean squared difference / scale within the group); "
                     "scales = 1.4826 x MAD over the prior-predictive generation, floored (see scale_floors)"),
        "base": {k: _round(v) for k, v in (base or {}).items()},
        "particles": {
            "names": list(res.names),
            "weights": [_round(w) for w in res.weights],
            "values": [[_round(v) for v in row] for row in last.theta],
        },
    }
    return doc


def _weighted(tg: Targets) -> list[str]:
    if tg.group_weights is None:
        return list(tg.group_names)
    return [f"{g} x{w:g}" for g, w in zip(tg.group_names, tg.group_weights)]


def _round(x, sig: int = 6):
    x = float(x)
    if not math.isfinite(x):
        return None
    if x == 0:
        return 0.0
    return float(f"{x:.{sig}g}")


def write_result(doc: dict, path: str | Path, header: str = "") -> Path:
    import yaml

    class _NoAliases(yaml.SafeDumper):  # the reader refuses anchors and aliases
        def ignore_aliases(self, data):
            return True

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(doc, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=110)
    p.write_text((header + "\n" if header else "") + text, encoding="utf-8")
    return p


__all__ = ["result_document", "write_result", "sample_posterior"]

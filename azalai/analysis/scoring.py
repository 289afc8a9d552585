"""Proper scores of ensemble forecasts of counts, and the benchmarks they are measured against.

A forecast here is an *ensemble*: for each unit (a region-month) an array of equally likely
values. The scores follow the VIEWS prediction challenges (Hegre et al. 2022; Vesco et al. 2022):

* **CRPS** (continuous ranked probability score) of the ensemble's empirical distribution, from
  the ``scoringrules`` package (``crps_ensemble``, estimator ``"nrg"``: E|X − y| − ½ E|X − X'|
  over the ensemble members). Lower is better; for a point forecast it is the absolute error.
* **Log score on binned counts**: −log p(bin of the observed count), with p the ensemble's share
  of members in that bin plus one pseudo-count spread evenly over the bins
  (p = (k + 1/B) / (m + 1) for k of m members in the bin and B bins), so an outcome no member
  reached costs a finite amount. Bins: :data:`BINS`.
* **Coverage** of the central 50% and 90% intervals (ensemble quantiles, linear interpolation,
  bounds included).
* **Skill** against a benchmark: 1 − ΣCRPS(model) / ΣCRPS(benchmark) over the same region-months,
  with a percentile bootstrap interval that resamples region-months with replacement.

The benchmarks use only a history of monthly counts that ends before the forecast's first month:

* **persistence**: each region's last 12 months, as an empirical distribution, for every month
  ahead;
* **climatology**: each region's months since the start of the history (2014-01 by default);
* **negative binomial trend**: per region, a negative-binomial regression (``statsmodels``
  ``NegativeBinomial``: log mean linear in time, dispersion estimated) on the last
  ``window`` months, its predictive distribution at each month ahead sampled by ``members`` draws;
  the mean is capped at the window's largest month.
  Where the fit fails (all zeros, no convergence), a Poisson GLM on the same months stands in,
  then the region's mean.
"""

from __future__ import annotations

import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

BINS = (0, 1, 3, 6, 11, 26, 51, 101, 251)  # lower edges: 0 | 1-2 | 3-5 | 6-10 | 11-25 | 26-50 | 51-100 | 101-250 | 251+


def crps(observed: Sequence[float], ensemble: np.ndarray) -> np.ndarray:
    """CRPS of each row of ``ensemble`` (units × members) against ``observed`` (one per unit)."""
    import scoringrules as sr

    obs = np.asarray(observed, dtype=float)
    ens = np.atleast_2d(np.asarray(ensemble, dtype=float))
    return np.asarray(sr.crps_ensemble(obs, ens, m_axis=-1, estimator="nrg"), dtype=float)


def bin_index(x: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(BINS), np.asarray(x, dtype=float), side="right") - 1


def log_score(observed: Sequence[float], ensemble: np.ndarray) -> np.ndarray:
    """−log probability of the observed count's bin (see the module docstring)."""
    obs = np.asarray(observed, dtype=float)
    ens = np.atleast_2d(np.asarray(ensemble, dtype=float))
    B, m = len(BINS), ens.shape[1]
    ob = bin_index(obs)
    eb = bin_index(ens)
    k = (eb == ob[:, None]).sum(axis=1)
    return -np.log((k + 1.0 / B) / (m + 1.0))


def covered(observed: Sequence[float], ensemble: np.ndarray, level: float) -> np.ndarray:
    """Whether each observed value lies in the ensemble's central ``level`` interval."""
    obs = np.asarray(observed, dtype=float)
    ens = np.atleast_2d(np.asarray(ensemble, dtype=float))
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(ens, [a, 1.0 - a], axis=1)
    return (obs >= lo) & (obs <= hi)


def skill(crps_model: np.ndarray, crps_bench: np.ndarray, n_boot: int = 2000, seed: int = 0,
          level: float = 0.95) -> dict[str, float]:
    """1 − ΣCRPS(model)/ΣCRPS(benchmark) with a bootstrap interval over units (region-months)."""
    cm, cb = np.asarray(crps_model, dtype=float), np.asarray(crps_bench, dtype=float)
    point = 1.0 - cm.sum() / cb.sum() if cb.sum() > 0 else float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(cm), size=(int(n_boot), len(cm)))
    sm, sb = cm[idx].sum(axis=1), cb[idx].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        boots = 1.0 - sm / sb
    boots = boots[np.isfinite(boots)]
    a = (1.0 - level) / 2.0
    lo, hi = (np.quantile(boots, [a, 1.0 - a]) if len(boots) else (float("nan"), float("nan")))
    return {"skill": float(point), "low": float(lo), "high": float(hi)}


# ---------------------------------------------------------------------------------------------
# benchmarks
# ---------------------------------------------------------------------------------------------


def _history_matrix(history: pd.DataFrame, regions: Sequence[str], value: str) -> tuple[list, np.ndarray]:
    """(months, regions × months array) from a long frame with columns admin1, month, <value>."""
    months = sorted(history["month"].unique())
    wide = (history.pivot_table(index="admin1", columns="month", values=value, aggfunc="sum")
            .reindex(index=list(regions), columns=months).fillna(0.0))
    return months, wide.to_numpy(dtype=float)


def persistence(history: pd.DataFrame, regions: Sequence[str], horizon: int, value: str = "fatalities",
                window: int = 12) -> np.ndarray:
    """regions × horizon × window: each region's last ``window`` months, for every month ahead."""
    _m, H = _history_matrix(history, regions, value)
    last = H[:, -window:]
    return np.repeat(last[:, None, :], horizon, axis=1)


def climatology(history: pd.DataFrame, regions: Sequence[str], horizon: int, value: str = "fatalities") -> np.ndarray:
    """regions × horizon × months-of-history: every month of the history, for every month ahead."""
    _m, H = _history_matrix(history, regions, value)
    return np.repeat(H[:, None, :], horizon, axis=1)


def _nb_fit(y: np.ndarray):
    """(mean function of t, dispersion alpha or None for Poisson) fitted on y at t = 0..n-1."""
    import statsmodels.api as sm

    t = np.arange(len(y), dtype=float)
    X = sm.add_constant(t / max(1, len(y)))
    if y.sum() > 0 and np.count_nonzero(y) >= 3:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = sm.NegativeBinomial(y, X).fit(disp=0, maxiter=200)
                b = np.asarray(res.params, dtype=float)
                alpha = float(b[-1])
                if res.mle_retvals.get("converged", False) and np.all(np.isfinite(b)) and 0 < alpha < 1e3:
                    return (lambda tt: np.exp(b[0] + b[1] * tt / max(1, len(y)))), alpha
            except (np.linalg.LinAlgError, ValueError, OverflowError):
                pass
            try:
                res = sm.GLM(y, X, family=sm.families.Poisson()).fit()
                b = np.asarray(res.params, dtype=float)
                if np.all(np.isfinite(b)):
                    return (lambda tt: np.exp(b[0] + b[1] * tt / max(1, len(y)))), None
            except (np.linalg.LinAlgError, ValueError, OverflowError):
                pass
    mu = float(y.mean())
    return (lambda tt: np.full(np.shape(tt), mu)), None


def negbin_trend(history: pd.DataFrame, regions: Sequence[str], horizon: int, value: str = "fatalities",
                 window: int = 24, members: int = 1000, seed: int = 0, cap: float = 1.0) -> np.ndarray:
    """regions × horizon × members: draws from a per-region negative-binomial trend regression on the
    last ``window`` months. The fitted mean is capped at ``cap`` × the window's largest month, so
    that an exponential trend fitted on a few months cannot run away over the horizon (without the
    cap a region going from 0 to 15 fatalities a month was extrapolated to ~300 a month)."""
    _m, H = _history_matrix(history, regions, value)
    H = H[:, -window:]
    n = H.shape[1]
    rng = np.random.default_rng(seed)
    out = np.zeros((len(regions), horizon, members))
    tt = np.arange(n, n + horizon, dtype=float)
    for i in range(len(regions)):
        f, alpha = _nb_fit(H[i])
        mu = np.minimum(f(tt), cap * max(1.0, H[i].max()))
        for h in range(horizon):
            if mu[h] <= 0:
                continue
            if alpha is None:
                out[i, h] = rng.poisson(mu[h], size=members)
            else:
                r = 1.0 / alpha
                out[i, h] = rng.negative_binomial(r, r / (r + mu[h]), size=members)
    return out


# ---------------------------------------------------------------------------------------------
# one forecast scored
# ---------------------------------------------------------------------------------------------


def score_table(observed: np.ndarray, forecasts: Mapping[str, np.ndarray], reference: str = "model",
                n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """One row per forecaster: mean CRPS, mean log score, coverage 50/90 and the reference's skill
    against it. ``observed``: regions × months; each forecast: regions × months × members."""
    obs = np.asarray(observed, dtype=float).ravel()
    per = {k: crps(obs, v.reshape(len(obs), -1)) for k, v in forecasts.items()}
    rows = []
    for k, v in forecasts.items():
        ens = v.reshape(len(obs), -1)
        row = {"forecaster": k, "crps": float(per[k].mean()), "log_score": float(log_score(obs, ens).mean()),
               "coverage50": float(covered(obs, ens, 0.5).mean()), "coverage90": float(covered(obs, ens, 0.9).mean())}
        if k != reference and reference in per:
            s = skill(per[reference], per[k], n_boot=n_boot, seed=seed)
            row.update({"skill_of_" + reference: s["skill"], "skill_low": s["low"], "skill_high": s["high"]})
        rows.append(row)
    return pd.DataFrame(rows)


def totals_check(observed: np.ndarray, ensemble: np.ndarray, level: float = 0.9) -> dict[str, float]:
    """Whether the ensemble's ``level`` interval of the all-region, all-month total covers the
    observed total (members are summed jointly: each member is one simulated history)."""
    tot = np.asarray(ensemble, dtype=float).sum(axis=(0, 1))
    a = (1.0 - level) / 2.0
    lo, med, hi = np.quantile(tot, [a, 0.5, 1.0 - a])
    o = float(np.asarray(observed, dtype=float).sum())
    return {"observed": o, "median": float(med), "low": float(lo), "high": float(hi), "covered": bool(lo <= o <= hi)}


def regional_spearman(observed: np.ndarray, ensemble: np.ndarray) -> float:
    """Spearman ρ between observed regional totals and the ensemble's median regional totals."""
    from scipy.stats import spearmanr

    o = np.asarray(observed, dtype=float).sum(axis=1)
    m = np.median(np.asarray(ensemble, dtype=float).sum(axis=1), axis=1)
    if np.ptp(o) == 0 or np.ptp(m) == 0:
        return float("nan")
    return float(spearmanr(o, m).statistic)


__all__ = ["BINS", "crps", "log_score", "covered", "skill", "persistence", "climatology", "negbin_trend",
           "score_table", "totals_check", "regional_spearman"]

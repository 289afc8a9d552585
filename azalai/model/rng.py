"""Counter-based random numbers: every draw is a pure function of (seed, day, site, i, j).

No generator state is carried between draws, so replicate *r* of a batch sees exactly the numbers a
single run with the same seed sees, whatever else is in the batch, and the order in which
mechanisms run does not shift anyone else's stream. The mixing function is SplitMix64's finaliser
(Steele, Lea & Flood 2014), applied to a key that combines the counters with odd multipliers.

Draw sites are small integer constants, one per place in the code that draws (see ``SITE_*``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, types

from azalai.model.jit import compiled_only

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_K_SEED = np.uint64(0x9E3779B97F4A7C15)
_K_DAY = np.uint64(0xD1B54A32D192ED03)
_K_SITE = np.uint64(0x8CB92BA72F3D8DD7)
_K_I = np.uint64(0xABC98388FB8FAC03)
_K_J = np.uint64(0xC2B2AE3D27D4EB4F)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 2**53
_NORMAL_MIN_LAM = 30  # Poisson means above which the normal approximation is used
_SUBSTREAM = 64  # counters j*64 .. j*64+63 belong to the Poisson draw j
_MAX_K = 200  # cap of a Poisson draw by inversion
_TINY = np.finfo(np.float64).tiny
STREAM_KEY = 1000  # a draw keyed by two indices (i, k) uses the counter i * STREAM_KEY + k

# Draw sites: one per stochastic decision in the model.
SITE_CONVOY_COUNT = 1
SITE_CONVOY_ENTRY = 2
SITE_SEIZE = 3
SITE_PREDATION = 4
SITE_ROUTE_NOISE = 5
SITE_CLASH = 10
SITE_CLASH_SIZE = 11
SITE_CLASH_WIN = 12
SITE_ATTACK = 13
SITE_ATTACK_KIND = 14
SITE_ATTACK_SIZE = 15
SITE_ASSASSIN = 16
SITE_REPRISAL = 17
SITE_REPRISAL_SIZE = 18
SITE_KIDNAP = 19
SITE_TIP_COUNT = 30
SITE_TIP_SOURCE = 31
SITE_TIP_LIE = 32
SITE_TIP_TARGET = 33
SITE_TIP_VET = 34
SITE_TIP_CATCH = 35
SITE_OP_KIND = 40
SITE_OP_SIZE = 41
SITE_OP_CIV = 42
SITE_OP_PROTEST = 43
SITE_OP_ESCAPE = 44
SITE_SWEEP = 45
SITE_SWEEP_SIZE = 46
SITE_SWEEP_PROTEST = 47
SITE_MEDIATION = 50
SITE_CONTROL = 51
SITE_TIP_DISCOVER = 52
SITE_CIV_SIZE = 53
SITE_ASSASSIN_SIZE = 54
SITE_DISPUTE = 60
SITE_ESCALATE = 61
SITE_ESCALATE_SIZE = 62
SITE_ARBITRATE = 63
SITE_DISPUTE_BATTLE = 64
SITE_DISPUTE_BATTLE_SIZE = 65


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


# Explicit signatures: compiled once, eagerly, for int64 keys. Without them numba compiles a separate
# copy for every combination of literal arguments at the call sites (37 copies of ``uniform``).
_KEYS = (types.int64, types.int64, types.int64, types.int64, types.int64)


@njit(types.float64(*_KEYS), cache=True)
def uniform(seed, day, site, i, j):
    """A uniform number in [0, 1) keyed by (seed, day, site, i, j)."""
    k = _mix(np.uint64(seed) * _K_SEED + np.uint64(day + 1) * _K_DAY)
    k = _mix(k ^ (np.uint64(site) * _K_SITE) ^ (np.uint64(i + 1) * _K_I) ^ (np.uint64(j + 1) * _K_J))
    return float(k >> _S11) * _INV53


@njit(types.int64(types.float64, *_KEYS), cache=True)
def poisson(lam, seed, day, site, i, j):
    """A Poisson draw by inversion; the k-th uniform comes from counter j*64+k. Capped at 200."""
    if lam <= 0.0:
        return 0
    if lam > _NORMAL_MIN_LAM:
        # Normal approximation for large means (rare in this model).
        u1 = max(uniform(seed, day, site, i, j * _SUBSTREAM), _TINY)
        u2 = uniform(seed, day, site, i, j * _SUBSTREAM + 1)
        z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
        return max(0, round(lam + np.sqrt(lam) * z))
    u = uniform(seed, day, site, i, j * _SUBSTREAM)
    p = np.exp(-lam)
    c = p
    k = 0
    while u > c and k < _MAX_K:
        k += 1
        p *= lam / k
        c += p
    return k


@njit(types.float64(types.float64, *_KEYS), cache=True)
def lomax(alpha, seed, day, site, i, j):
    """A heavy-tailed draw x >= 0 with P(X > x) = (1 + x)^-alpha (Pareto II)."""
    u = uniform(seed, day, site, i, j)
    return (1.0 - u) ** (-1.0 / alpha) - 1.0


@compiled_only
def choice_weighted(weights, n, u):
    """Index drawn from the first n non-negative weights with uniform u; -1 when all are zero."""
    tot = 0.0
    for k in range(n):
        tot += weights[k]
    if tot <= 0.0:
        return -1
    x = u * tot
    acc = 0.0
    last = -1
    for k in range(n):
        if weights[k] > 0.0:
            acc += weights[k]
            last = k
            if x < acc:
                return k
    return last

"""Invariants of the model state, checked every day in tests and on demand with ``azalai run --check``.

* no negative stocks (fighters, cash, population, detainees, grievance, risk);
* money conservation: every rent paid is received by a protector, the state (collusion cut) or
  communities, or is declared leakage;
* population conservation: civilians + local armed groups' fighters (posted or in transit) + detainees + the dead stay equal
  to the starting population (recruitment, DDR, desertion and release only move people);
* probabilities and shares within [0, 1]: support (and each community's total support), cooperation,
  perceived risk;
* no NaN anywhere.
"""

from __future__ import annotations

import numpy as np

from azalai.model.state import ACC, SRC_COLLUSION, SRC_RENT
from azalai.model.world import KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY


TOL = 10 ** -6  # relative tolerance of the accounting checks (floating-point sums)


class InvariantError(AssertionError):
    """The model state broke one of its invariants."""


def check_invariants(w, S, day: int | None = None, tol: float = TOL) -> None:
    where = f" on day {day}" if day is not None else ""
    for name in S._fields:
        arr = getattr(S, name)
        if isinstance(arr, np.ndarray) and arr.dtype.kind == "f" and np.isnan(arr).any():
            raise InvariantError(f"NaN in {name}{where}")
    from azalai.model.mechanisms.placesets import place_mask

    P = S.pop.shape[2]
    if ((S.pop != 0.0) & ~place_mask(S.pop_bits, P)).any():
        raise InvariantError(f"people live where their community's set of places does not hold them{where}")
    if ((S.fighters != 0.0) & ~place_mask(S.fighter_bits, P)).any():
        raise InvariantError(f"fighters are where their actor's set of places does not hold them{where}")
    if ((S.transit_n != 0) & ~place_mask(S.transit_bits, P)).any():
        raise InvariantError(f"fighters travel where their actor's set of places on the road does not hold them{where}")
    if (((S.insecurity != 0.0) | (S.harm_place != 0.0)) & ~place_mask(S.insec_bits, P)).any():
        raise InvariantError(f"a community is insecure or harmed where its set of such places does not hold it{where}")
    for name in ("fighters", "transit", "cash", "pop", "detained", "grievance", "risk", "income"):
        arr = getattr(S, name)
        if (arr < -tol).any():
            raise InvariantError(f"negative {name}{where}: min {arr.min()}")
    for name in ("support", "coop", "risk"):
        arr = getattr(S, name)
        if (arr > 1 + tol).any() or (arr < -tol).any():
            raise InvariantError(f"{name} outside [0, 1]{where}")
    if (S.support.sum(axis=2) > 1 + tol).any():
        raise InvariantError(f"a community's support sums above 1{where}")
    R = S.seed.shape[0]
    local = np.isin(w.actor_kind, [KIND_SIGNATORY, KIND_JIHADIST, KIND_MILITIA])
    for r in range(R):
        acc = S.acc[r]
        paid = acc[ACC["rent_paid"]]
        received = (
            S.income[r, :, SRC_RENT].sum()
            + S.income[r, :, SRC_COLLUSION].sum()
            + acc[ACC["rent_to_communities"]]
        )
        leaked = acc[ACC["rent_leaked"]]
        if abs(paid - received - leaked) > tol * max(1.0, paid):
            raise InvariantError(
                f"money not conserved{where} (replicate {r}): paid {paid:.2f} != received {received:.2f} + leaked {leaked:.2f}"
            )
        people = (
            S.pop[r].sum()
            + S.fighters[r][local].sum()
            + S.transit[r][local].sum()
            + S.detained[r].sum()
            + acc[ACC["civilian_deaths_pop"]]
            + acc[ACC["local_fighter_deaths"]]
        )
        start = acc[ACC["population_start"]]
        if abs(people - start) > tol * max(1.0, start):
            raise InvariantError(
                f"population not conserved{where} (replicate {r}): {people:.3f} != {start:.3f}"
            )

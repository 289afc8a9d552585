"""Mechanism 8: the state — slow redeployment northward, and collusion with allied militias.

Seed: "After the 2006 Tuareg rebellion, Mali's government increasingly turned to largely ethnic
militias, especially the Imghad Tuareg and Lamhar Arabs, as a way to counterbalance separatist
militancy. In return, the government looked the other way or actively profited from the trafficking
activities of these and related groups." And: "the Malian government, whose reimplantation in Mali's
central and northern regions has been halting at best."

Each week the state moves a slice of its forces (the redeployment pace lever) from the south toward
northern and central towns, in proportion to their population, until the target share is reached.
Collusion acts in the trafficking mechanism (allied convoys pass state posts; officials take a cut of
allied militias' rents) and the state's abuses act in the violence mechanism (reprisals by state
forces, weighted by ``state_abuse``). The state's presence reduces the grievance of absence in the
communities mechanism.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.state import WEEKS_PER_YEAR
from azalai.model.world import ZONE_CENTRE, ZONE_SOUTH


@njit(cache=True)
def redeploy(W, S, p, lev, r, day):
    s = W.state_actor
    if s < 0:
        return
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    total = 0.0
    north = 0.0
    for v in range(P):
        total += S.fighters[r, s, v]
        if W.place_zone[v] <= ZONE_CENTRE and W.place_ext[v] == 0:
            north += S.fighters[r, s, v]
    gap = p.redeploy_target * total - north
    if gap <= 0.0 or total <= 0.0:
        return
    move = min(gap, total * lev.state_redeployment[day] / WEEKS_PER_YEAR)
    if move <= 0.0:
        return
    south = 0.0
    for v in range(P):
        if W.place_zone[v] == ZONE_SOUTH and W.place_ext[v] == 0:
            south += S.fighters[r, s, v]
    if south <= 0.0:
        return
    move = min(move, south)
    # Where to: northern and central towns, by the square root of their population.
    wsum = 0.0
    weights = np.zeros(P)
    for v in range(P):
        if W.place_zone[v] <= ZONE_CENTRE and W.place_ext[v] == 0:
            pop = 0.0
            for c in range(C):
                pop += S.pop[r, c, v]
            weights[v] = np.sqrt(pop)
            wsum += weights[v]
    if wsum <= 0.0:
        return
    for v in range(P):
        if W.place_zone[v] == ZONE_SOUTH and W.place_ext[v] == 0 and S.fighters[r, s, v] > 0.0:
            S.fighters[r, s, v] -= move * S.fighters[r, s, v] / south
    for v in range(P):
        if weights[v] > 0.0:
            S.fighters[r, s, v] += move * weights[v] / wsum

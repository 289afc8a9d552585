"""Who is present where: per-place lists of armed actors and communities, built once a day.

Violence, tips, operations, movement and land disputes read these lists instead of scanning every actor at
every place: only actors present at a place interact there (docs/ODD.md §7.3).
"""

from __future__ import annotations

import numpy as np
from numba import njit



@njit(cache=True)
def fill_lists(M, minv, ptr, idx):
    """Per place, the rows of M (rows x places) with at least ``minv`` there, in ascending row order,
    written into ``ptr`` (over places) and ``idx`` (rows), a CSR list built in place."""
    n = M.shape[0]
    P = M.shape[1]
    for v in range(P + 1):
        ptr[v] = 0
    for a in range(n):
        for v in range(P):
            if M[a, v] >= minv:
                ptr[v + 1] += 1
    for v in range(P):
        ptr[v + 1] += ptr[v]
    for a in range(n):
        for v in range(P):
            if M[a, v] >= minv:
                idx[ptr[v]] = a
                ptr[v] += 1
    for v in range(P, 0, -1):  # each ptr[v] now holds the end of place v: shift back to the starts
        ptr[v] = ptr[v - 1]
    ptr[0] = 0


@njit(cache=True)
def lists_by_place(M, minv, sel):
    """Per place, the selected rows of M (rows x places) with at least ``minv`` there, in ascending row
    order (CSR: ``ptr`` over places, ``idx`` of rows)."""
    n = M.shape[0]
    P = M.shape[1]
    ptr = np.zeros(P + 1, dtype=np.int64)
    for a in range(n):
        if not sel[a]:
            continue
        for v in range(P):
            if M[a, v] >= minv:
                ptr[v + 1] += 1
    for v in range(P):
        ptr[v + 1] += ptr[v]
    idx = np.empty(ptr[P], dtype=np.int64)
    cur = ptr[:P].copy()
    for a in range(n):
        if not sel[a]:
            continue
        for v in range(P):
            if M[a, v] >= minv:
                idx[cur[v]] = a
                cur[v] += 1
    return ptr, idx


@njit(cache=True)
def present_lists(S, p, r, aptr, aidx, cptr, cidx):
    """Who is where, once a day before the violence: per place, the actors with at least
    ``min_presence`` fighters there (``aptr``/``aidx``) and the communities with at least the smaller
    of the assassination and reprisal population floors (``cptr``/``cidx``), in ascending order.

    Fighters and people only fall during the day's violence, tips and operations, so these lists
    hold everyone present at any later moment of the day (a superset): each mechanism tests presence,
    its own population floor and the kind of actor it concerns again, and so visits exactly whom a
    list built at its own start would have given, in the same order.
    """
    fill_lists(S.fighters[r], p.min_presence, aptr, aidx)
    fill_lists(S.pop[r], min(p.assassination_min_pop, p.reprisal_min_pop), cptr, cidx)


@njit(cache=True)
def nonzero_by_row(M):
    """Per row of M (rows x places), the places where it is not zero, in ascending order (CSR:
    ``ptr`` over rows, ``idx`` of places). A sum over a row's places that skips exact zeros, in
    this order, is the sum over all places bit for bit."""
    n = M.shape[0]
    P = M.shape[1]
    ptr = np.zeros(n + 1, dtype=np.int64)
    for c in range(n):
        k = 0
        for v in range(P):
            if M[c, v] != 0.0:
                k += 1
        ptr[c + 1] = ptr[c] + k
    idx = np.empty(ptr[n], dtype=np.int64)
    for c in range(n):
        i = ptr[c]
        for v in range(P):
            if M[c, v] != 0.0:
                idx[i] = v
                i += 1
    return ptr, idx

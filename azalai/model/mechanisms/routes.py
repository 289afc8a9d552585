"""Mechanism 1 (continued): route choice.

Seed: "the proceeds from trafficking as with other business endeavors are often distributed through
family and community networks. Additionally, these networks seek to protect not just their businesses
but their communities from attack".

Each week, traffickers of every commodity choose, from each entry node, the least expected-cost path to
an exit (Dijkstra with a binary heap, one search per entry node for all the commodities entering there): distance by terrain, plus the protection rent at every place
crossed, plus the perceived seizure risk, which learns from recent seizures and fades. Re-routing
around interdiction (the "balloon effect") emerges from the risk term. Convoys, rents and seizures are
in :mod:`azalai.model.mechanisms.trafficking`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.jit import compiled_only
from azalai.model.mechanisms.buffers import carve
from azalai.model.mechanisms.presence import KEEP_NONZERO, rows_into, sort_head
from azalai.model.mechanisms.trafficking import _rent_rate as rent_rate_at, terrain_factor
from azalai.model.rng import SITE_ROUTE_NOISE, uniform
from azalai.model.world import KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY


@njit(cache=True, inline="always")
def _heap_less(hk, hv, i, j):
    return hk[i] < hk[j] or (hk[i] == hk[j] and hv[i] < hv[j])


# The helpers of the search take arrays, not the World and State structs, and are compiled without
# reference counting: each struct or array handed to a helper with branches otherwise costs an atomic
# increment and decrement of its reference count per call (per heap operation, per path).


@compiled_only(nrt=False, inline=True)
def _heap_push(hk, hv, n, key, v):
    """Push (key, v) on the binary min-heap of n entries ordered by (key, node); returns the new size."""
    i = n
    hk[i] = key
    hv[i] = v
    while i > 0:
        up = (i - 1) // 2
        if not _heap_less(hk, hv, i, up):
            break
        hk[i], hk[up] = hk[up], hk[i]
        hv[i], hv[up] = hv[up], hv[i]
        i = up
    return n + 1


@compiled_only(nrt=False, inline=True)
def _heap_pop(hk, hv, n):
    """Remove the smallest entry of the heap of n entries (it is read from hk[0], hv[0] before)."""
    n -= 1
    hk[0] = hk[n]
    hv[0] = hv[n]
    i = 0
    while True:
        lo = 2 * i + 1
        if lo >= n:
            break
        if lo + 1 < n and _heap_less(hk, hv, lo + 1, lo):
            lo += 1
        if not _heap_less(hk, hv, lo, i):
            break
        hk[i], hk[lo] = hk[lo], hk[i]
        hv[i], hv[lo] = hv[lo], hv[i]
        i = lo
    return n


@compiled_only(nrt=False)
def _owner(protector, path_nodes, actor_kind, r, k, slot, n, count, depth, seen):
    """The owning network of a path: the armed group that protects most places on it (ties go to the
    network nearer the exit, then to the lower index). ``count``/``depth`` are zero on entry and on return."""
    ns = 0
    for i in range(n):
        g = protector[r, path_nodes[r, k, slot, i]]
        if g >= 0 and (actor_kind[g] == KIND_SIGNATORY or actor_kind[g] == KIND_JIHADIST or actor_kind[g] == KIND_MILITIA):
            if count[g] == 0.0:
                seen[ns] = g
                ns += 1
            count[g] += 1.0
            depth[g] += i  # ties go to the network nearer the exit
    # Only the groups on the path can own it: visited in ascending order, as a scan of all actors would.
    sort_head(seen, ns)
    owner = -1
    bc = 0.0
    bdep = 0.0
    for j in range(ns):
        a = seen[j]
        if count[a] > bc or (count[a] == bc and bc > 0.0 and depth[a] > bdep):
            bc = count[a]
            bdep = depth[a]
            owner = a
        count[a] = 0.0
        depth[a] = 0.0
    return owner


@compiled_only(nrt=False)
def _record(paths, r, k, slot, target, prev, count, depth, seen):
    """Store the path from the entry to ``target`` (unwound along ``prev``) and its owning network.
    ``paths``: (path_nodes, path_len, path_owner, protector, actor_kind)."""
    path_nodes, path_len, path_owner, protector, actor_kind = paths
    P = prev.shape[0]
    n = 0
    v = target
    while v >= 0 and n <= P:
        path_nodes[r, k, slot, n] = v
        n += 1
        v = prev[v]
    for i in range(n // 2):  # reverse in place
        t = path_nodes[r, k, slot, i]
        path_nodes[r, k, slot, i] = path_nodes[r, k, slot, n - 1 - i]
        path_nodes[r, k, slot, n - 1 - i] = t
    path_len[r, k, slot] = n
    path_owner[r, k, slot] = _owner(protector, path_nodes, actor_kind, r, k, slot, n, count, depth, seen)


@compiled_only(nrt=False)
def _routes_from(graph, paths, r, src, ents, ent_k, nent, edge_cost, node_cost, dist, prev, done, hk, hv, count, depth,
                 seen, tch, exits, mark):
    """Dijkstra from ``src`` for the entries ``ents[:nent]`` that start there: each takes the path to
    the nearest exit of its commodity (none if no exit is reachable).

    ``graph``: (adj_ptr, adj_nbr, adj_edge, k_exit, k_entry_ptr); ``paths``: as :func:`_record` takes them.

    A binary heap keyed by (distance, place) settles places in exactly the order of a scan for the
    smallest tentative distance with ties to the lowest index: stale entries (a place whose distance
    fell after it was pushed, or already settled) are skipped when popped. A settled place's distance
    and predecessor never change again, so one search serves every commodity entering at ``src``: each
    entry's path is taken when the first exit of its commodity is settled, as a search of its own that
    stopped there would have found it.

    ``dist``, ``prev`` and ``done`` hold no distance, no predecessor and nothing settled on entry, and
    again on return: the places the search reached (listed in ``tch``) are reset, not every place.

    ``exits``: (``ex_ptr``, ``ex_idx``), per commodity its exits (CSR). ``mark[v]`` is set to this search's
    first entry at the exits of the commodities entering here, so that a settled place is compared with
    the entries only where it is an exit of one of them (the same comparisons where it is, none elsewhere).
    """
    adj_ptr, adj_nbr, adj_edge, k_exit, k_entry_ptr = graph
    ex_ptr, ex_idx = exits
    path_len = paths[1]
    stamp = ents[0]
    for i in range(nent):
        k = ent_k[ents[i]]
        for j in range(ex_ptr[k], ex_ptr[k + 1]):
            mark[ex_idx[j]] = stamp
    dist[src] = 0.0
    tch[0] = src
    nt = 1
    n = _heap_push(hk, hv, 0, 0.0, src)
    left = nent
    while n > 0 and left > 0:
        d = hk[0]
        u = hv[0]
        n = _heap_pop(hk, hv, n)
        if done[u] or d != dist[u]:
            continue
        done[u] = True
        if u != src and mark[u] == stamp:
            for i in range(nent):
                ei = ents[i]
                if ei >= 0 and k_exit[ent_k[ei], u] == 1:
                    k = ent_k[ei]
                    _record(paths, r, k, ei - k_entry_ptr[k], u, prev, count, depth, seen)
                    ents[i] = -1
                    left -= 1
        for j in range(adj_ptr[u], adj_ptr[u + 1]):
            v = adj_nbr[j]
            if done[v]:
                continue
            nd = dist[u] + edge_cost[adj_edge[j]] + node_cost[v]
            if nd < dist[v]:
                if dist[v] == np.inf:
                    tch[nt] = v
                    nt += 1
                dist[v] = nd
                prev[v] = u
                n = _heap_push(hk, hv, n, nd, v)
    for i in range(nent):  # no exit of its commodity reachable
        ei = ents[i]
        if ei >= 0:
            k = ent_k[ei]
            path_len[r, k, ei - k_entry_ptr[k]] = 0
    for i in range(nt):
        v = tch[i]
        dist[v] = np.inf
        prev[v] = -1
        done[v] = False


@compiled_only
def choose_routes(W, S, p, lev, r, day, week):
    """Weekly least-expected-cost route choice for every commodity and entry node (Dijkstra), one search
    per place where commodities enter."""
    P = W.place_ext.shape[0]
    E = W.route_a.shape[0]
    A = W.actor_kind.shape[0]
    NE = W.k_entry.shape[0]
    K = W.k_exit.shape[0]
    cap = W.adj_nbr.shape[0] + 1  # at most one heap entry per improved edge, plus the source
    # The searches' work arrays, three allocations carved by :func:`_choose_routes` (its loops run
    # without reference counting).
    fbuf = np.empty(P + E + P + cap + A + A)  # node_cost, edge_cost, dist, hk, count, depth
    ibuf = np.empty(P + P + cap + (P + 1) + NE + NE + P + (K + 1) + K * P, dtype=np.int64)  # prev ... ex_idx
    _choose_routes(W, S, p, r, week, fbuf, ibuf, np.empty(P + NE, dtype=np.bool_))


@compiled_only(nrt=False)
def _choose_routes(W, S, p, r, week, fbuf, ibuf, bbuf):
    """:func:`choose_routes` with its work arrays carved from ``fbuf``, ``ibuf`` and ``bbuf`` (their
    contents not read before they are written: each array is filled as ``np.zeros``, ``np.full`` or
    the loops that made it did)."""
    P = W.place_ext.shape[0]
    K = W.k_value_day.shape[0]
    seed = S.seed[r]
    # The arrays the loops below read, looked up once (the same arrays, the same operations).
    place_ext = W.place_ext
    protector = S.protector
    kind = W.actor_kind
    risk = S.risk[r]
    E = W.route_a.shape[0]
    A = W.actor_kind.shape[0]
    NE = W.k_entry.shape[0]
    cap = W.adj_nbr.shape[0] + 1
    o = 0
    node_cost, o = carve(fbuf, o, P)
    edge_cost, o = carve(fbuf, o, E)
    dist, o = carve(fbuf, o, P)
    hk, o = carve(fbuf, o, cap)
    count, o = carve(fbuf, o, A)
    depth = fbuf[o:o + A]
    o = 0
    prev, o = carve(ibuf, o, P)
    tch, o = carve(ibuf, o, P)  # the places a search reached
    hv, o = carve(ibuf, o, cap)
    seen, o = carve(ibuf, o, P + 1)
    ent_k, o = carve(ibuf, o, NE)  # the commodity of each entry
    ents, o = carve(ibuf, o, NE)
    mark, o = carve(ibuf, o, P)
    Kn = W.k_exit.shape[0]  # (at least one row, also without commodities)
    ex_ptr, o = carve(ibuf, o, Kn + 1)
    ex_idx = ibuf[o:o + Kn * P]
    done = bbuf[:P]
    taken = bbuf[P:P + NE]
    for v in range(P):
        node_cost[v] = rent_rate_at(place_ext, protector, kind, p.rent_rate, r, v) + p.risk_aversion * risk[v]
    route_len = W.route_len
    terrain = W.route_terrain
    for e in range(E):
        z = uniform(seed, week, SITE_ROUTE_NOISE, e, 0)
        noise = np.exp(p.route_noise * (2.0 * z - 1.0))  # log-uniform within +-route_noise
        edge_cost[e] = p.transport_cost_per_km * route_len[e] * terrain_factor(p, terrain[e]) * noise
    for v in range(P):
        dist[v] = np.inf
        prev[v] = -1
        done[v] = False
        mark[v] = -1
    for a in range(A):
        count[a] = 0.0
        depth[a] = 0.0
    k_entry = W.k_entry
    k_entry_ptr = W.k_entry_ptr
    for k in range(K):
        for ei in range(k_entry_ptr[k], k_entry_ptr[k + 1]):
            ent_k[ei] = k
    for ei in range(NE):
        taken[ei] = False
    # Per commodity, its exits (ascending): :func:`presence.by_row` of ``k_exit`` (not zero), written here.
    ex_ptr[0] = 0
    rows_into(W.k_exit, 0.0, KEEP_NONZERO, ex_ptr, ex_idx)
    exits = (ex_ptr, ex_idx)
    graph = (W.adj_ptr, W.adj_nbr, W.adj_edge, W.k_exit, W.k_entry_ptr)
    paths = (S.path_nodes, S.path_len, S.path_owner, S.protector, W.actor_kind)
    for e0 in range(NE):
        if taken[e0]:
            continue
        src = k_entry[e0]
        nent = 0
        for ei in range(e0, NE):
            if not taken[ei] and k_entry[ei] == src:
                taken[ei] = True
                ents[nent] = ei
                nent += 1
        _routes_from(graph, paths, r, src, ents, ent_k, nent, edge_cost, node_cost, dist, prev, done, hk, hv, count,
                     depth, seen, tch, exits, mark)

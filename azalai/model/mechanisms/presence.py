"""Who is present where: per-place lists of armed actors and communities.

Violence, tips, operations, movement and land disputes read these lists instead of scanning every actor at
every place: only actors present at a place interact there (docs/ODD.md §7.3).

The day loop also lists, per actor, the places where it has fighters (attacks and kidnappings read
them instead of a scan of every place for every group). It keeps the lists up to date as people and
fighters move rather than rebuilding them every day:
fighters arrive, recruit, defect and redeploy only in the weekly processes, and during the days they
only fall, so the actors' lists are built after each week's processes; people only fall during the
day, except detainees released home, so the communities' lists are built again after a release has
raised a population that was under the lists' floor. Between rebuilds the lists hold everyone present
(a superset): each mechanism tests presence, its own population floor and the kind of actor it
concerns again, and so visits exactly whom a list built at its own start would have given, in the
same (ascending) order.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from azalai.model.jit import compiled_only
from azalai.model.mechanisms.placesets import row_places

SHORT_LIST = 32  # lists up to this length are sorted by insertion (no call into numpy's quicksort)
SCAN_BLOCK = 8  # entries a row's scan tests at a time (see row_kept)

# How the CSR builders (by_row, by_column) test an entry against their threshold.
KEEP_NONZERO = 0  # not zero (the threshold is not read)
KEEP_AT_LEAST = 1  # at least the threshold
KEEP_BELOW = 2  # below the threshold
_FLOAT_BITS = 64  # the width of the floats whose bits :func:`magnitude` reads


@intrinsic
def magnitude(typingctx, x):
    """An integer that is zero exactly where ``x`` is zero: a float64's bits shifted left by one (its sign
    dropped, so that -0.0 gives zero too; a NaN does not), an integer itself. Blocks of entries are tested
    for a non-zero one by an OR of these, a test of integers the compiler turns into a few vector
    instructions (a comparison of floats, for the same test, it does not)."""
    if isinstance(x, types.Float) and x.bitwidth == _FLOAT_BITS:
        def codegen(context, builder, sig, args):
            word = ir.IntType(_FLOAT_BITS)
            return builder.shl(builder.bitcast(args[0], word), ir.Constant(word, 1))
        return types.int64(x), codegen
    if isinstance(x, types.Integer):
        def codegen(context, builder, sig, args):
            return context.cast(builder, args[0], x, types.int64)
        return types.int64(x), codegen
    return None


@njit(cache=True, inline="always")
def _kept(x, minv, keep):
    if keep == KEEP_AT_LEAST:
        return x >= minv
    if keep == KEEP_BELOW:
        return x < minv
    return x != 0.0


@njit(cache=True, inline="always")
def _zero_fails(minv, keep):
    """Whether an entry that is zero fails the test: then only the entries that are not zero can pass."""
    if keep == KEEP_AT_LEAST:
        return minv > 0.0
    if keep == KEEP_BELOW:
        return minv <= 0.0
    return True


@njit(cache=True, inline="always")
def _any_nonzero(M, c, v0):
    """Whether one of the ``SCAN_BLOCK`` entries of row c of M from v0 on is not zero (an OR of their
    :func:`magnitude`, no branches)."""
    bits = 0
    for k in range(SCAN_BLOCK):
        bits |= magnitude(M[c, v0 + k])
    return bits != 0


@njit(cache=True, inline="always")
def _any_kept(M, c, v0, minv, keep):
    """Whether one of the ``SCAN_BLOCK`` entries of row c of M from v0 on passes the test (every test made)."""
    hit = False
    for k in range(SCAN_BLOCK):
        hit |= _kept(M[c, v0 + k], minv, keep)
    return hit


@njit(cache=True, inline="always")
def _entries_kept(M, c, v0, v1, minv, keep, out, i):
    """Columns v0 to v1 (excluded) of row c of M whose entry passes the test, written from ``out[i]`` on."""
    for v in range(v0, v1):
        if _kept(M[c, v], minv, keep):
            out[i] = v
            i += 1
    return i


@njit(cache=True, inline="always")
def row_kept(M, c, minv, keep, out, i):
    """The columns of row c of M whose entry passes the test, ascending, written from ``out[i]`` on; returns
    the index after the last one written. The row is tested ``SCAN_BLOCK`` entries at a time (a test of
    fixed length the compiler vectorises; where zero fails the test, whether one is not zero) and single
    entries are looked at only in a block where one may pass: in who-is-where most entries fail."""
    P = M.shape[1]
    full = P - P % SCAN_BLOCK
    if _zero_fails(minv, keep):
        for v0 in range(0, full, SCAN_BLOCK):
            if _any_nonzero(M, c, v0):
                i = _entries_kept(M, c, v0, v0 + SCAN_BLOCK, minv, keep, out, i)
    else:
        for v0 in range(0, full, SCAN_BLOCK):
            if _any_kept(M, c, v0, minv, keep):
                i = _entries_kept(M, c, v0, v0 + SCAN_BLOCK, minv, keep, out, i)
    return _entries_kept(M, c, full, P, minv, keep, out, i)


@compiled_only(nrt=True)
def _sort(x):
    """numpy's sort of ``x`` in place, in a function of its own compiled with reference counting: numba
    compiles its array sort once per process with the options of the first function that needs it, and
    it does not compile without reference counting (the functions compiled with ``nrt=False`` that call
    :func:`sort_head`)."""
    x.sort()


@njit(cache=True, inline="always")
def sort_head(x, n):
    """Sort ``x[:n]`` ascending in place: insertion for a short list (a day's area or posts within
    reach), numpy's sort otherwise. Integers, so the order is the same whichever sort is used."""
    if n > SHORT_LIST:
        _sort(x[:n])
        return
    for i in range(1, n):
        y = x[i]
        k = i - 1
        while k >= 0 and x[k] > y:
            x[k + 1] = x[k]
            k -= 1
        x[k + 1] = y


@njit(cache=True, inline="always")
def starts_from_counts(ptr, n):
    """A CSR pointer array built from counts: ``ptr[1:n + 1]`` holds each of the n lists' counts
    (``ptr[0]`` zero); summed in place, ``ptr[v]`` becomes the start of list v."""
    for v in range(n):
        ptr[v + 1] += ptr[v]


@njit(cache=True, inline="always")
def back_to_starts(ptr, n):
    """After each list's entries were written at ``ptr[v]``, which advanced past them (``ptr[v]`` now holds
    the end of list v, the start of list v + 1): shifted back to the starts."""
    for v in range(n, 0, -1):
        ptr[v] = ptr[v - 1]
    ptr[0] = 0


@compiled_only
def _fill(M, minv, keep, ptr, idx):
    """Per column of M (rows x columns), the rows whose entry passes the test ``keep`` (see :func:`by_row`),
    in ascending row order, written into ``ptr`` (over columns) and ``idx`` (rows), a CSR list built in
    place from one pass over M in memory order (two with the fill)."""
    n = M.shape[0]
    P = M.shape[1]
    for v in range(P + 1):
        ptr[v] = 0
    cols = np.empty(P, dtype=np.int64)
    for a in range(n):
        for j in range(row_kept(M, a, minv, keep, cols, 0)):
            ptr[cols[j] + 1] += 1
    starts_from_counts(ptr, P)
    for a in range(n):
        for j in range(row_kept(M, a, minv, keep, cols, 0)):
            v = cols[j]
            idx[ptr[v]] = a
            ptr[v] += 1
    back_to_starts(ptr, P)


@compiled_only
def fill_lists(M, minv, ptr, idx):
    """Per place, the rows of M (rows x places) with at least ``minv`` there, in ascending row order,
    written into ``ptr`` (over places) and ``idx`` (rows), a CSR list built in place."""
    _fill(M, minv, KEEP_AT_LEAST, ptr, idx)


@compiled_only(nrt=False)
def count_nonzero(M):
    """How many entries of M (rows x columns) are not zero."""
    n = 0
    for a in range(M.shape[0]):
        for v in range(M.shape[1]):
            n += M[a, v] != 0.0
    return n


@compiled_only(nrt=False)
def by_column_into(ptr, idx, ncols, cptr, cidx, cur):
    """A CSR list by row (``ptr`` over rows, ``idx`` of columns) regrouped per column into ``cptr``
    (``ncols + 1`` long) and ``cidx`` (as long as ``idx``), each column's rows ascending; ``cur``: room for
    ``ncols`` entries. The entries are visited row by row, so each column's rows come in ascending order."""
    for v in range(ncols + 1):
        cptr[v] = 0
    n = ptr.shape[0] - 1
    for i in range(ptr[n]):
        cptr[idx[i] + 1] += 1
    starts_from_counts(cptr, ncols)
    for v in range(ncols):
        cur[v] = cptr[v]
    for a in range(n):
        for i in range(ptr[a], ptr[a + 1]):
            v = idx[i]
            cidx[cur[v]] = a
            cur[v] += 1


@compiled_only
def by_column(M, minv, keep):
    """Per column of M (rows x columns), the rows whose entry passes the test ``keep`` against ``minv``,
    in ascending order (CSR: ``ptr`` over columns, ``idx`` of rows): :func:`by_row`'s lists (M read once,
    in memory order) regrouped per column."""
    ptr, idx = by_row(M, minv, keep)
    cptr = np.empty(M.shape[1] + 1, dtype=np.int64)
    cidx = np.empty(idx.shape[0], dtype=np.int64)
    by_column_into(ptr, idx, M.shape[1], cptr, cidx, np.empty(M.shape[1], dtype=np.int64))
    return cptr, cidx


@compiled_only
def lists_by_place(M, minv, sel):
    """Per place, the selected rows of M (rows x places) with at least ``minv`` there, in ascending row
    order (CSR: ``ptr`` over places, ``idx`` of rows)."""
    n = M.shape[0]
    P = M.shape[1]
    ptr = np.zeros(P + 1, dtype=np.int64)
    cols = np.empty(P, dtype=np.int64)
    for a in range(n):
        if not sel[a]:
            continue
        for j in range(row_kept(M, a, minv, KEEP_AT_LEAST, cols, 0)):
            ptr[cols[j] + 1] += 1
    starts_from_counts(ptr, P)
    idx = np.empty(ptr[P], dtype=np.int64)
    cur = ptr[:P].copy()
    for a in range(n):
        if not sel[a]:
            continue
        for j in range(row_kept(M, a, minv, KEEP_AT_LEAST, cols, 0)):
            v = cols[j]
            idx[cur[v]] = a
            cur[v] += 1
    return ptr, idx


@njit(cache=True, inline="always")
def block_nonzero(row, v):
    """Whether any of the ``SCAN_BLOCK`` entries of ``row`` from v is not zero (an OR of their
    :func:`magnitude`, no branches)."""
    bits = 0
    for k in range(v, v + SCAN_BLOCK):
        bits |= magnitude(row[k])
    return bits != 0


@njit(cache=True, inline="always")
def next_nonzero(row, v):
    """The first index from v on where ``row`` is not zero (its length if none), passing over a block of
    ``SCAN_BLOCK`` zeros that starts at a multiple of it at once (:func:`block_nonzero`). Visiting the
    entries of a row from ``next_nonzero(row, 0)`` on, each time from the next index, visits those that
    are not zero in ascending order."""
    n = row.shape[0]
    while v < n:
        if v % SCAN_BLOCK == 0 and v + SCAN_BLOCK <= n and not block_nonzero(row, v):
            v += SCAN_BLOCK
        elif row[v] != 0.0:
            return v
        else:
            v += 1
    return n


@njit(cache=True, inline="always")
def add_row(row, tot):
    """``row`` summed in order, skipping exact zeros, and ``tot`` with the same terms added in the same order
    (a running sum over several rows). Skipping zeros gives the same sum bit for bit (adding a zero to a
    sum that is not -0.0 leaves it unchanged, and a sum started at 0.0 is never -0.0), without a long
    chain of additions over a row that is mostly zeros (an actor's fighters over the places); the row is
    looked at a block at a time, and single entries only in a block with one that is not zero."""
    t = 0.0
    n = row.shape[0]
    for v in range(0, n - n % SCAN_BLOCK, SCAN_BLOCK):
        if block_nonzero(row, v):
            for k in range(v, v + SCAN_BLOCK):
                x = row[k]
                if x != 0.0:
                    tot += x
                    t += x
    for k in range(n - n % SCAN_BLOCK, n):
        x = row[k]
        if x != 0.0:
            tot += x
            t += x
    return t, tot


@njit(cache=True, inline="always")
def row_total(M, r, a):
    """``M[r, a, :]`` summed in order, skipping exact zeros (:func:`add_row`)."""
    return add_row(M[r, a], 0.0)[0]


@compiled_only
def by_row(M, minv, keep):
    """Per row of M (rows x columns), the columns whose entry passes the test ``keep`` against ``minv``
    (:data:`KEEP_NONZERO`, :data:`KEEP_AT_LEAST`, :data:`KEEP_BELOW`), in ascending order (CSR: ``ptr``
    over rows, ``idx`` of columns). Pass ``M.T`` for the rows per column."""
    n = M.shape[0]
    P = M.shape[1]
    ptr = np.zeros(n + 1, dtype=np.int64)
    buf = np.empty(n * P, dtype=np.int64)  # one pass over M: the rows are filled in order
    i = rows_into(M, minv, keep, ptr, buf)
    return ptr, buf[:i]


@compiled_only(nrt=False)
def rows_into(M, minv, keep, ptr, buf):
    """:func:`by_row`'s lists written into ``ptr`` (rows + 1 long, ``ptr[0]`` zero) and ``buf`` (long enough
    for every entry of M); returns how many entries were written. Without reference counting: a count per
    row for the arrays the inlined :func:`row_kept` is handed would otherwise be its main cost."""
    i = 0
    for c in range(M.shape[0]):
        i = row_kept(M, c, minv, keep, buf, i)
        ptr[c + 1] = i
    return i


@compiled_only(nrt=False)
def actor_lists(S, p, r, aptr, aidx, gptr, gidx):
    """Per place, the actors with at least ``min_presence`` fighters there (``aptr``/``aidx``), and per
    actor, the places where it has fighters, not zero (``gptr``/``gidx``); both in ascending order.

    One pass over the actors x places array lists each actor's places; with a positive floor the
    places' lists are regrouped from them (at least the floor there means fighters there), the
    actors in ascending order, as a pass over the array would list them."""
    fi = S.fighters[r]
    A, P = fi.shape
    gptr[0] = 0
    for a in range(A):
        gptr[a + 1] = row_places(fi, S.fighter_bits[r], a, gidx, gptr[a])  # the places where a has fighters
    minv = p.min_presence
    if minv <= 0.0:
        fill_lists(fi, minv, aptr, aidx)  # places without fighters are listed too
        return
    for v in range(P + 1):
        aptr[v] = 0
    for a in range(A):
        for i in range(gptr[a], gptr[a + 1]):
            if fi[a, gidx[i]] >= minv:
                aptr[gidx[i] + 1] += 1
    starts_from_counts(aptr, P)
    for a in range(A):
        for i in range(gptr[a], gptr[a + 1]):
            v = gidx[i]
            if fi[a, v] >= minv:
                aidx[aptr[v]] = a
                aptr[v] += 1
    back_to_starts(aptr, P)


@compiled_only
def people_floor(p):
    """The smallest population the communities' per-place lists must hold (assassinations, reprisals)."""
    return min(p.assassination_min_pop, p.reprisal_min_pop)


@njit(cache=True, inline="always")
def _count_person(M, c, v, floor, cptr, nptr):
    """Count community c at place v in the per-place lists of :func:`people_lists` it belongs to."""
    x = M[c, v]
    if x != 0.0:
        nptr[v + 1] += 1
    if x >= floor:
        cptr[v + 1] += 1


@njit(cache=True, inline="always")
def _list_person(M, c, v, floor, cptr, cidx, nptr, nidx):
    """List community c at place v in the per-place lists of :func:`people_lists` it belongs to."""
    x = M[c, v]
    if x != 0.0:
        nidx[nptr[v]] = c
        nptr[v] += 1
    if x >= floor:
        cidx[cptr[v]] = c
        cptr[v] += 1


@compiled_only(nrt=False)
def people_lists(S, p, r, cptr, cidx, lptr, lidx, nptr, nidx):
    """The communities' lists, from one pass over the communities x places array (two with the fill):

    * ``cptr``/``cidx``: per place, the communities with at least :func:`people_floor` people there;
    * ``lptr``/``lidx``: per community, the places where it has people (not zero);
    * ``nptr``/``nidx``: per place, the communities with people there (not zero).

    All in ascending order. A sum over a community's places (or a place's communities) that skips
    exact zeros, in this order, is the sum over all of them bit for bit."""
    M = S.pop[r]
    C = M.shape[0]
    P = M.shape[1]
    floor = people_floor(p)
    for v in range(P + 1):
        cptr[v] = 0
        nptr[v] = 0
    lptr[0] = 0
    # Each row's places with people, listed once and read by both passes; a floor that is not positive
    # is passed where nobody lives too: then every place is visited.
    sparse = floor > 0.0
    bits = S.pop_bits[r]
    for c in range(C):
        k = row_places(M, bits, c, lidx, lptr[c])  # the places where c has people, ascending
        lptr[c + 1] = k
        if sparse:
            for i in range(lptr[c], k):
                _count_person(M, c, lidx[i], floor, cptr, nptr)
        else:
            for v in range(P):
                _count_person(M, c, v, floor, cptr, nptr)
    starts_from_counts(cptr, P)
    starts_from_counts(nptr, P)
    for c in range(C):
        if sparse:
            for i in range(lptr[c], lptr[c + 1]):
                _list_person(M, c, lidx[i], floor, cptr, cidx, nptr, nidx)
        else:
            for v in range(P):
                _list_person(M, c, v, floor, cptr, cidx, nptr, nidx)
    back_to_starts(cptr, P)
    back_to_starts(nptr, P)

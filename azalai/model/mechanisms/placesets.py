"""Where each community lives and each actor has fighters: bit sets over places, kept up to date as
people and fighters arrive.

The weekly processes and the day loop's lists need, per community, the places where it has people
(``S.pop[r, c, v]`` not zero) and, per actor, the places where it has fighters (``S.fighters[r, a, v]`` not
zero), in ascending order. Built from the communities x places or actors x places array, each such list
costs a pass over every place of every row, although a community lives, and a group holds fighters, in a
few places: in a world ten times larger, a hundred times the work for ten times the people and groups.
``S.pop_bits[r, c]`` and ``S.fighter_bits[r, a]`` hold instead a set of places (bit ``v % PLACE_WORD`` of
word ``v // PLACE_WORD``) that contains every place where the row is not zero, and perhaps some where it
no longer is:

* people and fighters arrive somewhere only where a mechanism adds them, and each of those marks the
  place (:func:`mark_place`): fighters going home and released detainees for the people
  (:func:`azalai.model.mechanisms.purses.go_home`, :func:`azalai.model.mechanisms.operations.releases`);
  arrivals, reinforcements, recruits, defectors and a militia's first fighters for the groups
  (:mod:`azalai.model.mechanisms.movement`, :mod:`azalai.model.mechanisms.purses`,
  :func:`azalai.model.mechanisms.groups.militias`); everywhere else they only fall;
* the lists are read from the sets, testing each place a set holds (:func:`row_places`): the places where
  the row is not zero, in ascending order, exactly the list a pass over all places gives; a place found
  empty is dropped from the set on the way;
* a fresh state's sets hold every place (:func:`all_places`); each call of the day loop sets them from
  the arrays as they are (:func:`set_all`), so that changes made between calls (by a caller that edits
  the state) are seen; a caller that edits ``S.pop`` or ``S.fighters`` and then calls a mechanism
  directly calls :func:`refresh` first; :func:`azalai.model.invariants.check_invariants` checks that the
  sets hold every place with people or fighters.

``S.transit_bits[r, a]`` is kept the same way for the places with fighters of a on the road to them
(``S.transit_n[r, a, v]`` not zero): :func:`azalai.model.mechanisms.movement.add_to_ring` marks a place
when its ring gets its first non-zero slot, and the week's arrivals read the places from the set; and
``S.insec_bits[r, c]`` for the places where community c is insecure or was harmed this week
(``S.insecurity`` or ``S.harm_place`` not zero): the killings of its people (targeted, operations, land)
and the disputes over land mark the place, and :func:`azalai.model.mechanisms.groups.local_insecurity`
reads the places from the set.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from azalai.model.jit import compiled_only

PLACE_WORD = 64  # places per word of a row's bit set (the bits of an int64)


def place_words(P: int) -> int:
    """Words of a bit set over P places."""
    return (P + PLACE_WORD - 1) // PLACE_WORD


def bits_of(mask: np.ndarray) -> np.ndarray:
    """The bit sets (int64 words, place v at bit ``v % PLACE_WORD`` of word ``v // PLACE_WORD``) of a
    boolean array whose last axis is the places."""
    P = mask.shape[-1]
    nbytes = place_words(P) * np.dtype(np.int64).itemsize
    packed = np.packbits(np.asarray(mask, dtype=bool), axis=-1, bitorder="little")
    out = np.zeros(mask.shape[:-1] + (nbytes,), dtype=np.uint8)
    out[..., : packed.shape[-1]] = packed
    return np.ascontiguousarray(out).view("<i8").astype(np.int64)


def place_mask(bits: np.ndarray, P: int) -> np.ndarray:
    """The boolean array (last axis: the P places) of bit sets made by :func:`bits_of`."""
    raw = np.ascontiguousarray(bits.astype("<i8")).view(np.uint8)
    return np.unpackbits(raw, axis=-1, bitorder="little")[..., :P].astype(bool)


def all_places(shape: tuple[int, ...], P: int) -> np.ndarray:
    """Bit sets holding every one of P places (a fresh state's: people and fighters may be anywhere)."""
    return bits_of(np.ones(shape + (P,), dtype=bool))


def refresh(S) -> None:
    """Set every replicate's sets from ``S.pop``, ``S.fighters`` and ``S.transit_n`` as they are (after
    editing them outside the day loop)."""
    S.pop_bits[...] = bits_of(S.pop != 0.0)
    S.fighter_bits[...] = bits_of(S.fighters != 0.0)
    S.transit_bits[...] = bits_of(S.transit_n != 0)
    S.insec_bits[...] = bits_of((S.insecurity != 0.0) | (S.harm_place != 0.0))


@njit(cache=True, inline="always")
def mark_place(bits, row, v):
    """Add place v to the set of ``row`` (``bits``: one replicate's ``S.pop_bits[r]`` or
    ``S.fighter_bits[r]``)."""
    bits[row, v // PLACE_WORD] |= np.int64(1) << np.int64(v % PLACE_WORD)


@njit(cache=True, inline="always")
def row_places_either(M, N, bits, row, out, i):
    """Write into ``out`` from position i the places where ``M[row]`` or ``N[row]`` is not zero, ascending,
    from the row's set (lowest bit of each word first); returns the position after the last. A place of
    the set where both are zero is dropped from it. ``M``, ``N``: one replicate's rows x places (the same
    array twice for one); ``bits``: their sets."""
    for k in range(bits.shape[1]):
        w = bits[row, k]
        while w != 0:
            b = trailing_zeros(w)
            w &= w - 1  # the lowest bit, cleared
            v = k * PLACE_WORD + b
            if M[row, v] != 0.0 or N[row, v] != 0.0:
                out[i] = v
                i += 1
            else:
                bits[row, k] &= ~(np.int64(1) << np.int64(b))
    return i


@njit(cache=True, inline="always")
def row_places(M, bits, row, out, i):
    """:func:`row_places_either` for one array: the places where ``M[row]`` is not zero (``M``: one
    replicate's communities x places or actors x places; ``bits``: its sets)."""
    return row_places_either(M, M, bits, row, out, i)


@compiled_only(nrt=False)
def count_places(bits):
    """How many places the sets hold, over every row (at least the entries :func:`places_into` writes)."""
    n = 0
    for c in range(bits.shape[0]):
        for k in range(bits.shape[1]):
            w = bits[c, k]
            while w != 0:
                w &= w - 1
                n += 1
    return n


@compiled_only(nrt=False)
def places_into(M, bits, ptr, idx):
    """:func:`places_by_row` written into ``ptr`` (rows + 1 long) and ``idx`` (:func:`count_places` long
    at least); returns how many places were written."""
    ptr[0] = 0
    i = 0
    for c in range(M.shape[0]):
        i = row_places(M, bits, c, idx, i)
        ptr[c + 1] = i
    return i


@compiled_only
def places_by_row(M, bits):
    """Per row, the places where it is not zero, ascending (CSR: ``ptr`` over rows, ``idx`` of places):
    :func:`azalai.model.mechanisms.presence.by_row` of ``M`` (not zero), entry for entry, from the rows'
    sets (:func:`row_places`)."""
    ptr = np.empty(M.shape[0] + 1, dtype=np.int64)
    buf = np.empty(count_places(bits), dtype=np.int64)
    i = places_into(M, bits, ptr, buf)
    return ptr, buf[:i]


@compiled_only(nrt=False)
def add_places(M, bits):
    """Add to each row's set the places where the row is not zero (``M``, ``bits``: one replicate's rows x
    places and their sets)."""
    n_rows, P = M.shape
    for c in range(n_rows):
        for v in range(P):
            if M[c, v] != 0.0:
                mark_place(bits, c, v)


@compiled_only(nrt=False)
def set_places(M, bits):
    """Set each row's set to exactly the places where it is not zero (``M``, ``bits``: one replicate's
    rows x places and their sets)."""
    for c in range(M.shape[0]):
        for k in range(bits.shape[1]):
            bits[c, k] = 0
    add_places(M, bits)


@compiled_only(nrt=False)
def set_all(S, r):
    """Set every set of replicate r from the arrays as they are: where each community lives (``S.pop``),
    where each actor has fighters (``S.fighters``) and fighters on the road (``S.transit_n``), and where each
    community is insecure or was harmed (``S.insecurity``, ``S.harm_place``)."""
    set_places(S.pop[r], S.pop_bits[r])
    set_places(S.fighters[r], S.fighter_bits[r])
    set_places(S.transit_n[r], S.transit_bits[r])
    set_places(S.insecurity[r], S.insec_bits[r])
    add_places(S.harm_place[r], S.insec_bits[r])

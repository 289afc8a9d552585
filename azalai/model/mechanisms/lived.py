"""Where each community may live: a bit set over places, kept up to date as people arrive.

The weekly processes and the day loop's lists need, per community, the places where it has people
(``S.pop[r, c, v]`` not zero), in ascending order. Built from the communities x places array, each such
list costs a pass over every place of every community, although a community lives in a few places: in a
world ten times larger, a hundred times the work for ten times the people. ``S.pop_bits[r, c]`` holds
instead a set of places (bit ``v % PLACE_WORD`` of word ``v // PLACE_WORD``) that contains every place
where c has people, and perhaps some where it no longer has any:

* people arrive somewhere only where a mechanism adds them (fighters going home,
  :func:`azalai.model.mechanisms.purses.return_home`; released detainees,
  :func:`azalai.model.mechanisms.operations.releases`), and each of those marks the place
  (:func:`mark_lived`); everywhere else people only fall;
* the lists are read from the set, testing each place it holds (:func:`lived_row`): the places where c
  has people, in ascending order, exactly the list a pass over all places gives; a place found empty is
  dropped from the set on the way;
* a fresh state holds every place (:func:`all_places`); each call of the day loop sets the bits from the
  populations as they are (:func:`set_lived`), so that populations changed between calls (by a caller
  that edits the state) are seen; :func:`azalai.model.invariants.check_invariants` checks that the set
  holds every place with people.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from azalai.model.jit import compiled_only

PLACE_WORD = 64  # places per word of a community's bit set (the bits of an int64)


def place_words(P: int) -> int:
    """Words of a bit set over P places."""
    return (P + PLACE_WORD - 1) // PLACE_WORD


def bits_of(mask: np.ndarray) -> np.ndarray:
    """The bit sets (int64 words, place v at bit ``v % PLACE_WORD`` of word ``v // PLACE_WORD``) of a
    boolean array whose last axis is the places."""
    P = mask.shape[-1]
    nbytes = place_words(P) * (PLACE_WORD // 8)
    packed = np.packbits(np.asarray(mask, dtype=bool), axis=-1, bitorder="little")
    out = np.zeros(mask.shape[:-1] + (nbytes,), dtype=np.uint8)
    out[..., : packed.shape[-1]] = packed
    return np.ascontiguousarray(out).view("<i8").astype(np.int64)


def lived_mask(bits: np.ndarray, P: int) -> np.ndarray:
    """The boolean array (last axis: the P places) of bit sets made by :func:`bits_of`."""
    raw = np.ascontiguousarray(bits.astype("<i8")).view(np.uint8)
    return np.unpackbits(raw, axis=-1, bitorder="little")[..., :P].astype(bool)


def all_places(shape: tuple[int, ...], P: int) -> np.ndarray:
    """Bit sets holding every one of P places (a fresh state's: people may be anywhere)."""
    return bits_of(np.ones(shape + (P,), dtype=bool))


@njit(cache=True, inline="always")
def mark_lived(bits, c, v):
    """Add place v to community c's set (``bits``: one replicate's ``S.pop_bits[r]``)."""
    bits[c, v // PLACE_WORD] |= np.int64(1) << np.int64(v % PLACE_WORD)


@njit(cache=True, inline="always")
def lived_row(pop, bits, c, out, i):
    """Write into ``out`` from position i the places where community c has people (``pop[c, v]`` not
    zero), ascending, from its set (lowest bit of each word first); returns the position after the last.
    A place of the set where nobody lives is dropped from it. ``pop``: one replicate's communities x
    places; ``bits``: its ``S.pop_bits[r]``."""
    for k in range(bits.shape[1]):
        w = bits[c, k]
        while w != 0:
            b = trailing_zeros(w)
            w &= w - 1  # the lowest bit, cleared
            v = k * PLACE_WORD + b
            if pop[c, v] != 0.0:
                out[i] = v
                i += 1
            else:
                bits[c, k] &= ~(np.int64(1) << np.int64(b))
    return i


@compiled_only
def lived_by_row(pop, bits):
    """Per community, the places where it has people, ascending (CSR: ``ptr`` over communities, ``idx``
    of places): :func:`azalai.model.mechanisms.presence.nonzero_by_row` of ``pop``, entry for entry,
    from the communities' sets (:func:`lived_row`)."""
    C = pop.shape[0]
    ptr = np.zeros(C + 1, dtype=np.int64)
    n = 0
    for c in range(C):  # the places of each set, counted (each visited once more below)
        for k in range(bits.shape[1]):
            w = bits[c, k]
            while w != 0:
                w &= w - 1
                n += 1
    buf = np.empty(n, dtype=np.int64)
    i = 0
    for c in range(C):
        i = lived_row(pop, bits, c, buf, i)
        ptr[c + 1] = i
    return ptr, buf[:i]


@compiled_only(nrt=False)
def set_lived(pop, bits):
    """Set each community's set to exactly the places where it has people (``pop``, ``bits``: one
    replicate's communities x places and ``S.pop_bits[r]``)."""
    C, P = pop.shape
    for c in range(C):
        for k in range(bits.shape[1]):
            bits[c, k] = 0
        for v in range(P):
            if pop[c, v] != 0.0:
                mark_lived(bits, c, v)

"""Marks: the positions in a row whose entries pass a test, found without testing every entry in a branch.

A pass over the row sets a mark (a byte) per entry from a test made without branches, which the compiler
vectorises; the marks are then read a word at a time, and single marks only in a word with one set. In
most of the model's rows (an actor's fighters over the places, a community's insecurity, an actor's
relations) most entries fail the test: a loop over the marked positions visits what a loop over the row
that skips the failing entries would, in the same (ascending) order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.mechanisms.buffers import carve

_WORD = np.dtype(np.uint64).itemsize  # marks (bytes) read at a time by :func:`marked`


@njit(cache=True, inline="always")
def mark_words(n):
    """The words of ``_WORD`` marks that hold a row of ``n`` marks (padded to whole words)."""
    return -(-n // _WORD)


@njit(cache=True, inline="always")
def marks(n):
    """A row of ``n`` marks (bytes, zero) padded to whole words of ``_WORD`` bytes, and the same
    memory read a word at a time (see :func:`marked`)."""
    mask = np.zeros(mark_words(n) * _WORD, dtype=np.uint8)
    return mask, mask.view(np.uint64)


@njit(cache=True, inline="always")
def carve_marks(ibuf, o, n):
    """:func:`marks` carved from a work buffer of 64-bit integers (a word holds ``_WORD`` marks) from
    ``o`` on, zeroed, instead of allocated: the bytes, the same memory as words, and the offset after it."""
    w, o = carve(ibuf, o, mark_words(n))
    for i in range(w.shape[0]):
        w[i] = 0
    return w.view(np.uint8), w.view(np.uint64), o


@njit(cache=True, inline="always")
def marked(mask, words, out, k):
    """The positions of the marks set in ``mask`` (``words``: the same bytes, :func:`marks`), ascending,
    written into ``out`` from ``out[k]`` on; returns the index after the last one written. The marks
    are read a word of ``_WORD`` at a time, single marks only in a word with one set."""
    for w in range(words.shape[0]):
        if words[w] != 0:
            for v in range(w * _WORD, (w + 1) * _WORD):
                if mask[v]:
                    out[k] = v
                    k += 1
    return k


@njit(cache=True, inline="always")
def sort_marked(x, n, mask, words):
    """Sort ``x[:n]``, distinct positions of ``mask`` (none marked), ascending in place: each is marked,
    the marks are read back in order (:func:`marked`) and cleared. A pass over the marks' words instead of
    a comparison sort, cheaper for a long list; integers, so the order is the one any sort gives."""
    for i in range(n):
        mask[x[i]] = 1
    marked(mask, words, x, 0)
    for i in range(n):
        mask[x[i]] = 0

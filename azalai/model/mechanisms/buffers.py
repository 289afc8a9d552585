"""Work buffers: the mechanisms that run without reference counting take their work arrays as views
carved one after the other from a few buffers their caller allocates (one per dtype), instead of
allocating each array."""

from __future__ import annotations

from numba import njit


@njit(cache=True, inline="always")
def carve(buf, o, n):
    """``buf[o:o + n]`` and the offset after it."""
    return buf[o:o + n], o + n

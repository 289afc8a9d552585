"""Figures without a global backend: the one place the project creates matplotlib figures.

A figure drawn to be saved (``out`` given, no ``ax``) is a standalone :class:`matplotlib.figure.Figure`
that never touches pyplot, so the CLI, the report and the dashboard's worker threads need no display
and never switch the backend of the process that imported them (a notebook keeps its own). A figure
drawn for interactive use (no ``out``, no ``ax``) is made with pyplot so a notebook shows it; with
``ax=`` the caller's axes are drawn on. Every figure function returns the figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def subplots(nrows: int = 1, ncols: int = 1, *, interactive: bool = False, **kw: Any):
    """``(fig, axes)`` as :func:`matplotlib.pyplot.subplots`; pyplot-free unless ``interactive``."""
    if interactive:
        import matplotlib.pyplot as plt

        return plt.subplots(nrows, ncols, **kw)
    from matplotlib.figure import Figure  # imported when drawing: importing matplotlib costs about a second

    fig_kw = {k: kw.pop(k) for k in ("figsize", "dpi") if k in kw}
    fig = Figure(**fig_kw)
    return fig, fig.subplots(nrows, ncols, **kw)


def figure_for(ax=None, out: str | Path | None = None, nrows: int = 1, ncols: int = 1, **kw: Any):
    """``(fig, axes)`` to draw on: the figure of the given ``ax``, or a new one (see the module docstring)."""
    if ax is not None:
        first = ax if hasattr(ax, "figure") else list(ax)[0]  # one Axes, or a sequence / array of them
        return first.figure, ax
    return subplots(nrows, ncols, interactive=out is None, **kw)


def save(fig, out: str | Path | None, **kw: Any):
    """Write ``fig`` to ``out`` (creating its folder) when ``out`` is given; return the figure."""
    if out is not None:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, **({"bbox_inches": "tight"} | kw))
    return fig

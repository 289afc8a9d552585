"""Figure of a forecast: monthly bands per admin1 region (matplotlib, no backend chosen: see azalai.plotting)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def band_figure(table: pd.DataFrame, path: str | Path | None = None, variable: str = "fatalities", title: str = "",
                observed: pd.DataFrame | None = None):
    """Median, 50% and 90% bands per month, one panel per region (largest mean first); ``observed``
    (admin1, month, <variable>) is drawn as points where given. Written to ``path`` when given; returns
    the figure."""
    from azalai.plotting import save, subplots

    t = table[table["variable"] == variable].copy()
    t["month"] = pd.to_datetime(t["month"])
    order = t.groupby("admin1")["mean"].sum().sort_values(ascending=False).index.tolist()
    n = len(order)
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = subplots(rows, cols, interactive=path is None, figsize=(4.2 * cols, 2.6 * rows), sharex=True,
                         squeeze=False)  # fmt: skip
    for ax, reg in zip(axes.ravel(), order):
        d = t[t["admin1"] == reg].sort_values("month")
        ax.fill_between(d["month"], d["q05"], d["q95"], color="#9ecae1", label="90%")
        ax.fill_between(d["month"], d["q25"], d["q75"], color="#4292c6", label="50%")
        ax.plot(d["month"], d["q50"], color="#08306b", lw=1.2, label="median")
        if observed is not None:
            o = observed[observed["admin1"] == reg].copy()
            o["month"] = pd.to_datetime(o["month"])
            ax.plot(o["month"], o[variable], "o", ms=3, color="#d62728", label="observed")
        ax.set_title(reg, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_ylim(0, max(1.0, ax.get_ylim()[1]))
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=6, loc="upper right")
    fig.suptitle(title or f"{variable} per month", fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    return save(fig, path, dpi=110, bbox_inches=None)


__all__ = ["band_figure"]

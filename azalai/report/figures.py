"""Figures of one run, drawn with matplotlib.

Every function takes data frames as the engine writes them (the ACLED-style event frame, the long
weekly time-series frame ``week, date, series, key, value``), draws on ``ax=`` (or a new figure),
writes a PNG when ``out`` is given, and returns the figure. No backend is chosen at import: figures
that are only saved never touch pyplot (see :mod:`azalai.plotting`), so a notebook keeps its backend.
The command line, the HTML report and the dashboard share these functions.

Helpers that only reshape data (``monthly_fatalities``, ``revenue_table``, ``final_matrix``) are
public so the command line can print the same numbers it draws.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd

from azalai.plotting import figure_for, save

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn, not by the table helpers' callers
    from matplotlib.figure import Figure

PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
]  # fmt: skip


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])


# --- reshaping --------------------------------------------------------------------------------------


def monthly_fatalities(events: pd.DataFrame, by: str = "admin1") -> pd.DataFrame:
    """Fatalities per calendar month (rows, ``YYYY-MM``) and per value of ``by`` (columns)."""
    if events is None or len(events) == 0:
        return pd.DataFrame()
    d = pd.DataFrame(
        {
            "month": pd.to_datetime(events["event_date"]).dt.strftime("%Y-%m"),
            "by": events[by].astype(str),
            "fatalities": events["fatalities"].astype(float),
        }
    )
    table = d.pivot_table(index="month", columns="by", values="fatalities", aggfunc="sum", fill_value=0.0)
    # Months without any event still get a bar position.
    months = pd.period_range(min(table.index), max(table.index), freq="M").strftime("%Y-%m")
    table = table.reindex(months, fill_value=0.0)
    order = table.sum(axis=0).sort_values(ascending=False).index
    return table[order]


def revenue_table(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Cumulative revenue by actor (rows) and income source (columns) at the end of a run."""
    if timeseries is None or len(timeseries) == 0:
        return pd.DataFrame()
    inc = timeseries[timeseries["series"].astype(str).str.startswith("income_")]
    if len(inc) == 0:
        return pd.DataFrame()
    last = inc[inc["week"] == inc["week"].max()]
    table = last.pivot_table(index="key", columns="series", values="value", aggfunc="sum", fill_value=0.0)
    table.columns = [str(c)[len("income_"):] for c in table.columns]
    table.index.name = "actor"
    return table


def final_matrix(timeseries: pd.DataFrame, series: str) -> pd.DataFrame:
    """A ``community|actor`` series (support, grievance, cooperation) at the last week, community x actor."""
    if timeseries is None or len(timeseries) == 0:
        return pd.DataFrame()
    s = timeseries[timeseries["series"] == series]
    if len(s) == 0:
        return pd.DataFrame()
    last = s[s["week"] == s["week"].max()]
    parts = last["key"].astype(str).str.split("|", n=1, expand=True)
    d = pd.DataFrame({"community": parts[0].values, "actor": parts[1].values, "value": last["value"].values})
    return d.pivot_table(index="community", columns="actor", values="value", aggfunc="sum", fill_value=0.0)


# --- figures -----------------------------------------------------------------------------------------


def _stacked_monthly(table: pd.DataFrame, out, title: str, legend_title: str, ax) -> Figure:
    fig, ax = figure_for(ax, out, figsize=(11, 5), dpi=110)
    if table.empty:
        _empty(ax, "no events")
    else:
        x = np.arange(len(table.index))
        bottom = np.zeros(len(x))
        for i, col in enumerate(table.columns):
            vals = table[col].to_numpy(dtype=float)
            ax.bar(x, vals, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=str(col), width=0.85)
            bottom += vals
        step = max(1, len(x) // 18)
        ax.set_xticks(x[::step])
        ax.set_xticklabels(list(table.index)[::step], rotation=45, ha="right", fontsize=8)
        ax.set_ylabel("fatalities")
        ax.legend(title=legend_title, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        ax.grid(True, axis="y", linewidth=0.3, alpha=0.6)
    ax.set_title(title)
    return save(fig, out)


def monthly_fatalities_by_region(events: pd.DataFrame, out: str | Path | None = None, title: str | None = None,
                                 *, ax=None) -> Figure:
    """Stacked bars: fatalities per month, one colour per admin1 region."""
    return _stacked_monthly(
        monthly_fatalities(events, "admin1"), out, title or "Fatalities per month by region", "admin1", ax
    )


def monthly_fatalities_by_type(events: pd.DataFrame, out: str | Path | None = None, title: str | None = None,
                               *, ax=None) -> Figure:
    """Stacked bars: fatalities per month, one colour per ACLED event type."""
    return _stacked_monthly(
        monthly_fatalities(events, "event_type"), out, title or "Fatalities per month by event type", "event type", ax
    )


def revenue_by_actor(
    data: pd.DataFrame | Mapping[str, Any], out: str | Path | None = None, title: str | None = None, *, ax=None
) -> Figure:
    """Horizontal stacked bars of each actor's revenue by source.

    ``data`` is either the weekly time-series frame (its ``income_*`` series are used) or a table
    already shaped by :func:`revenue_table` (actors as rows, sources as columns), or outcomes
    (``revenue_<actor>`` keys; totals only).
    """
    if isinstance(data, pd.DataFrame) and "series" in data.columns:
        table = revenue_table(data)
    elif isinstance(data, pd.DataFrame):
        table = data
    else:
        tot = {k[len("revenue_"):]: float(v) for k, v in dict(data).items() if k.startswith("revenue_")}
        tot.pop("signatories", None)
        table = pd.DataFrame({"total": pd.Series(tot, dtype=float)})
    fig, ax = figure_for(ax, out, figsize=(10, max(3.0, 0.35 * max(len(table), 1) + 1.5)), dpi=110)
    if table.empty or float(table.to_numpy().sum()) <= 0:
        _empty(ax, "no revenue")
    else:
        table = table.loc[table.sum(axis=1).sort_values().index]
        y = np.arange(len(table.index))
        left = np.zeros(len(y))
        for i, col in enumerate(table.columns):
            vals = table[col].to_numpy(dtype=float) / 1e6
            ax.barh(y, vals, left=left, color=PALETTE[i % len(PALETTE)], label=str(col))
            left += vals
        ax.set_yticks(y)
        ax.set_yticklabels(list(table.index), fontsize=8)
        ax.set_xlabel("revenue over the run (million USD)")
        ax.legend(title="source", loc="lower right", fontsize=8)
        ax.grid(True, axis="x", linewidth=0.3, alpha=0.6)
    ax.set_title(title or "Revenue by actor and source")
    return save(fig, out)


def accord_tension(
    timeseries: pd.DataFrame, out: str | Path | None = None, threshold: float | None = None,
    title: str | None = None, *, ax=None,
) -> Figure:
    """Weekly accord tension of every signatory pair (series ``tension``), with the breaking threshold."""
    fig, ax = figure_for(ax, out, figsize=(11, 5), dpi=110)
    s = timeseries[timeseries["series"] == "tension"] if timeseries is not None and len(timeseries) else None
    if s is None or len(s) == 0:
        _empty(ax, "no signatory pairs")
    else:
        peak = s.groupby("key")["value"].max().sort_values(ascending=False)
        shown = list(peak.index[:12])
        for i, key in enumerate(shown):
            d = s[s["key"] == key].sort_values("week")
            ax.plot(pd.to_datetime(d["date"]), d["value"], color=PALETTE[i % len(PALETTE)], linewidth=1.2,
                    label=str(key).replace("|", " - "))  # fmt: skip
        if threshold is not None:
            ax.axhline(threshold, color="black", linestyle="--", linewidth=0.8, label="restraint fails")
        ax.set_ylabel("tension")
        extra = f" (12 highest of {len(peak)})" if len(peak) > 12 else ""
        ax.legend(title="pair" + extra, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        ax.grid(True, linewidth=0.3, alpha=0.6)
    ax.set_title(title or "Accord tension between signatories")
    return save(fig, out)


def support_grievance_heatmap(timeseries: pd.DataFrame, out: str | Path | None = None, title: str | None = None,
                              *, ax=None) -> Figure:
    """Two heat maps at the end of the run: support and grievance, community x actor (``ax``: a pair of axes)."""
    sup = final_matrix(timeseries, "support")
    grv = final_matrix(timeseries, "grievance")
    actors = sorted(set(sup.columns) | set(grv.columns))
    comms = sorted(set(sup.index) | set(grv.index))
    fig, axes = figure_for(ax, out, 1, 2, figsize=(max(10, 0.9 * len(actors) + 4), max(4, 0.4 * len(comms) + 2)),
                           dpi=110)  # fmt: skip
    for ax, mat, name, cmap in ((axes[0], sup, "support", "Greens"), (axes[1], grv, "grievance", "Reds")):
        if mat.empty or not actors:
            _empty(ax, f"no {name}")
            ax.set_title(name)
            continue
        m = mat.reindex(index=comms, columns=actors, fill_value=0.0)
        im = ax.imshow(m.to_numpy(dtype=float), aspect="auto", cmap=cmap, vmin=0.0)
        ax.set_xticks(np.arange(len(actors)))
        ax.set_xticklabels(actors, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(np.arange(len(comms)))
        ax.set_yticklabels(comms, fontsize=7)
        ax.set_title(f"{name} (community x actor, end of run)")
        fig.colorbar(im, ax=ax, shrink=0.8)
    if title:
        fig.suptitle(title)
    return save(fig, out)

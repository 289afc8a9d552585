"""Summary statistics that calibration compares: the observed data's and the model's.

Statistics (pooled over R replicates of one particle, each run for the
period's length and shifted onto it; see :mod:`azalai.analysis.validation`):

* ``log_fatalities_per_year``: log(1 + fatalities per year), and ``log_violent_events_per_year``:
  log(1 + violent events per year) (the "volume" group);
* ``region_share:<admin1>``: share of fatalities in each of the observed top regions, plus the rest;
* ``event_share:<type>`` and ``fatality_share:<type>``: shares of events and fatalities among the
  violent event types (ACLED: Battles, Explosions/Remote violence, Violence against civilians;
  UCDP: the three types of violence);
* ``tail_alpha``: power-law exponent of event sizes above the observed xmin (closed-form discrete
  estimate of Clauset et al. 2009, eq. 3.7; the observed xmin is fitted once with ``powerlaw``).

:mod:`azalai.analysis.time_stats` adds statistics that see time (level and trend, the latest year's
regions, monthly dispersion). :func:`scale_floors` gives the lowest distance scale of each statistic.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

import numpy as np

from azalai.scenario.acled import VIOLENT_TYPES

ACLED_VIOLENT = list(VIOLENT_TYPES)
# Who fights whom (azalai.analysis.observed.INTERACTIONS): the fatality shares of its first three classes
# (forces vs armed groups, armed groups vs armed groups, against civilians); "other" is their complement.
FITTED_INTERACTIONS = 3


def _interaction_shares(fatalities) -> list[float]:
    """Shares of the fatalities (per interaction class, in order) of the fitted classes."""
    fi = np.asarray(fatalities, dtype=float)
    return [(x / fi.sum()) if fi.sum() else float("nan") for x in fi[:FITTED_INTERACTIONS]]


@dataclass
class Targets:
    """What the model is compared with: the observed statistics and how to compute the model's.

    ``recent_start`` (alignment ``end``, :mod:`azalai.analysis.calibration_align`): the runs cover
    only ``recent_start..end`` (the period's last year) and the vector begins with the "recent"
    groups, computed for ``recent_regions``; ``group_weights``: each group's weight in the distance
    (None: equal)."""

    observed: str
    start: _dt.date
    end: _dt.date
    regions: list[str]
    types: list[str]
    xmin: float
    values: np.ndarray
    names: list[str]
    groups: list[int]
    group_names: list[str]
    recent_start: _dt.date | None = None
    recent_regions: list[str] | None = None
    group_weights: list[float] | None = None
    interactions: bool = False

    @property
    def run_start(self) -> _dt.date:
        """The date day 0 of a run is put on."""
        return self.recent_start or self.start


def _stat_vector(events_list, regions, types, xmin, years, interactions: bool = False) -> np.ndarray:
    import pandas as pd

    ev = pd.concat(events_list, ignore_index=True) if events_list else pd.DataFrame(
        {"admin1": [], "event_type": [], "fatalities": []})
    R = max(1, len(events_list))
    fat = ev["fatalities"].to_numpy(dtype=float)
    total = fat.sum()
    vio = ev[ev["event_type"].isin(types)]
    out = [math.log1p(total / R / years), math.log1p(len(vio) / R / years)]
    by_reg = ev.groupby("admin1")["fatalities"].sum() if len(ev) else {}
    shares = [(float(by_reg.get(g, 0.0)) / total) if total else float("nan") for g in regions]
    out += shares + [1.0 - sum(shares) if total else float("nan")]
    nv, fv = len(vio), vio["fatalities"].sum()
    out += [((vio["event_type"] == t).sum() / nv) if nv else float("nan") for t in types]
    out += [(vio.loc[vio["event_type"] == t, "fatalities"].sum() / fv) if fv else float("nan") for t in types]
    if interactions:
        from azalai.analysis.observed import interaction_totals

        it = interaction_totals(ev["inter1"], ev["inter2"], ev["event_type"], np.ones(len(ev)), ev["fatalities"])
        out += _interaction_shares(it["fatalities"])
    from azalai.analysis.validation import tail_alpha_fixed_xmin

    out.append(tail_alpha_fixed_xmin(fat, xmin))
    return np.array(out, dtype=float)


def targets_from_observed(obs: dict, top_regions: int = 5, interactions: bool = False) -> Targets:
    """Observed summary vector (see the module docstring) from :func:`validation.load_observed`."""
    from azalai.analysis.observed import event_size_tail
    from azalai.analysis.ucdp_form import TYPE_NAMES
    from azalai.analysis.validation import period_days, tail_alpha_fixed_xmin

    start, end = obs["start"], obs["end"]
    years = period_days(start, end) / 365.25
    reg = obs["regions"]
    reg = reg[reg["region"].notna()].sort_values("fatalities", ascending=False)
    regions = [str(r) for r in reg["region"].head(top_regions)]
    types = list(TYPE_NAMES.values()) if obs["source"] == "ucdp" else list(ACLED_VIOLENT)
    tail = event_size_tail(obs["sizes"])
    xmin = float(tail["xmin"]) if np.isfinite(tail["xmin"]) else 1.0
    total = float(obs["yearly"]["fatalities"].sum())
    ot = obs["types"].set_index("event_type")
    vio = ot.loc[[t for t in types if t in ot.index]]
    nv, fv = float(vio["events"].sum()), float(vio["fatalities"].sum())
    by_reg = dict(zip(reg["region"].astype(str), reg["fatalities"].astype(float)))
    shares = [by_reg.get(g, 0.0) / total if total else float("nan") for g in regions]
    vals = [math.log1p(total / years), math.log1p(nv / years)] + shares + [1.0 - sum(shares)]
    vals += [float(ot["events"].get(t, 0.0)) / nv if nv else float("nan") for t in types]
    vals += [float(ot["fatalities"].get(t, 0.0)) / fv if fv else float("nan") for t in types]
    names = (["log_fatalities_per_year", "log_violent_events_per_year"] + [f"region_share:{g}" for g in regions] + ["region_share:other"]
             + [f"event_share:{t}" for t in types] + [f"fatality_share:{t}" for t in types])
    groups = [0, 0] + [1] * (len(regions) + 1) + [2] * (2 * len(types))
    group_names = ["volume", "regions", "event_types"]
    inter = obs.get("interactions")
    with_inter = interactions and inter is not None
    if with_inter:
        from azalai.analysis.observed import INTERACTIONS

        vals += _interaction_shares(inter["fatalities"])
        names += [f"interaction_share:{c}" for c in INTERACTIONS[:FITTED_INTERACTIONS]]
        groups += [len(group_names)] * FITTED_INTERACTIONS
        group_names.append("interactions")
    vals.append(tail_alpha_fixed_xmin(obs["sizes"], xmin))
    names.append("tail_alpha")
    groups.append(len(group_names))
    group_names.append("tail")
    return Targets(obs["observed"], start, end, regions, types, xmin, np.array(vals, dtype=float), names, groups,
                   group_names, interactions=with_inter)


def scale_floors(tg: Targets) -> np.ndarray:
    """Lowest scale of each statistic: 0.1 for the log rates and the tail exponent, and for shares
    the larger of 0.02 and a fifth of the observed share (about the sampling error of a share
    estimated from a few hundred events)."""
    out = []
    for n, v in zip(tg.names, tg.values):
        if "share" in n:
            out.append(max(0.02, 0.2 * abs(v)) if np.isfinite(v) else 0.02)
        else:
            out.append(0.1)
    return np.array(out)


def model_statistics(events_list, targets: Targets, days: int | None = None) -> np.ndarray:
    """The model's summary vector (same order as ``targets.names``) from replicate event frames
    already in the observed form and shifted onto the runs' window; ``days``: the runs' length
    (default the window's). With recent groups, the same events give both parts (the recent ones
    without the tail)."""
    from azalai.analysis.validation import period_days

    years = (days or period_days(targets.run_start, targets.end)) / 365.25
    out = _stat_vector(events_list, targets.regions, targets.types, targets.xmin, years, targets.interactions)
    if targets.recent_regions is None:
        return out
    recent = _stat_vector(events_list, targets.recent_regions, targets.types, targets.xmin, years,
                          targets.interactions)[:-1]
    return np.concatenate([recent, out])


__all__ = ["ACLED_VIOLENT", "Targets", "targets_from_observed", "scale_floors", "model_statistics"]

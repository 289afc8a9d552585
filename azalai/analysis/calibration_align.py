"""Which stretch of a run is set against which stretch of the observed period (``azalai calibrate --align``).

The scenario starts where the observed data end, so the question is which part of the past the
model's runs should be asked to look like.

* ``start`` (the default of ``azalai calibrate``): each replicate runs for the whole period, day 0
  on the period's first day. The pooled statistics compare the run with the whole period per year,
  so the model's first year weighs no more than its later ones; with the time statistics, the run's
  *last* 12 months are set against the period's last 12 months.
* ``end``: each replicate runs only for the length of the period's last year (365 or 366 days: the
  model's first year, dated onto that year) and is set against two things:

  - the **recent** groups (``recent_volume``, ``recent_regions``, ``recent_event_types``): the
    pooled statistics computed from the observed last 12 months, with their own five deadliest
    regions, weighted ``recent_weight`` each in the distance: the model's first year should look
    like the regime it starts in;
  - the **regime** groups (``volume``, ``event_types``, ``tail``): the whole period's per-year
    averages and shares and the tail of its event sizes where the data have sizes, weight 1 each: a
    year of the model should look like a year of the period too. The period's regional shares
    (``regions``) are computed and reported but weigh 0: the conflict's geography moved within the
    period (ACLED Mali: Mopti had 1 of 2014's 382 fatalities and 112 of the last year's 338, Kidal 33%
    of the whole period and 17% of the last year), so a first year that looks like the period's
    average map cannot look like the map it starts in. What the period does share (how much
    violence, of which types, how heavy-tailed) stays in the fit.

  With the time statistics only the monthly dispersion of the last 12 months is added
  (:mod:`azalai.analysis.time_stats`): the level and the latest year's regions are the recent groups
  already, and the trend, which needs a run spanning the whole period, is left out.

:data:`DEFAULT_RECENT_WEIGHT` is 2: the three recent groups then carry 6 of the 9 units of weight
(6 of 10 with the dispersion), so the last year leads, while the whole period (two and a half times
as long, and the only source of the event-size tail) keeps the fit from chasing one year's noise (a
share estimated from one year's events, 126 violent ones in ACLED Mali 2015-07..2016-06, moves by
several points from chance alone).
"""

from __future__ import annotations

import datetime as _dt
import math

import numpy as np

from azalai.analysis.calibration_stats import Targets, targets_from_observed
from azalai.errors import InputError, Problem

ALIGNS = ("start", "end")
DEFAULT_RECENT_WEIGHT = 2.0
NON_STATIONARY = ("regions",)  # regime groups that weigh 0 under ``end`` (the map moved; module docstring)


def _bad(field: str, message: str) -> InputError:
    return InputError(Problem("<argument>", None, None, field, message), file="<argument>")


def check_align(align: str) -> str:
    """``align`` if it is one of :data:`ALIGNS`, else a clear InputError."""
    if align not in ALIGNS:
        raise _bad("--align", f"{str(align)[:40]!r} is not one of {', '.join(ALIGNS)}")
    return align


def check_recent_weight(weight: float) -> float:
    """``weight`` as a float if it is a finite number >= 0, else a clear InputError."""
    try:
        w = float(weight)
    except (TypeError, ValueError):
        w = math.nan
    if not math.isfinite(w) or w < 0:
        raise _bad("--recent-weight", f"must be a finite number >= 0 (got {str(weight)[:40]})")
    return w


def last_year(start: _dt.date, end: _dt.date) -> _dt.date:
    """First day of the period's last year: the day after ``end``'s date a year before (28 February
    for a 29 February), or ``start`` if the period is shorter."""
    prev = end.replace(year=end.year - 1, day=28) if (end.month, end.day) == (2, 29) else end.replace(year=end.year - 1)
    return max(start, prev + _dt.timedelta(days=1))


def end_targets(store, tg: Targets, recent_weight: float = DEFAULT_RECENT_WEIGHT) -> Targets:
    """The targets of alignment ``end`` (see the module docstring) from the whole period's ``tg``."""
    from azalai.analysis.validation import load_observed_period

    rs = last_year(tg.start, tg.end)
    rec = targets_from_observed(load_observed_period(store, tg.observed, (rs, tg.end))[0], interactions=tg.interactions)
    assert rec.names[-1] == "tail_alpha" and rec.groups[-1] == len(rec.group_names) - 1
    k = len(rec.group_names) - 1  # the recent groups: all but the tail
    return Targets(tg.observed, tg.start, tg.end, tg.regions, tg.types, tg.xmin,
                   values=np.concatenate([rec.values[:-1], tg.values]),
                   names=[f"recent:{n}" for n in rec.names[:-1]] + tg.names,
                   groups=rec.groups[:-1] + [g + k for g in tg.groups],
                   group_names=[f"recent_{g}" for g in rec.group_names[:k]] + tg.group_names,
                   recent_start=rs, recent_regions=rec.regions,
                   group_weights=[float(recent_weight)] * k
                   + [0.0 if g in NON_STATIONARY else 1.0 for g in tg.group_names],
                   interactions=tg.interactions)


def describe(tg: Targets) -> str:
    """One line for the result file: what a run is set against."""
    from azalai.analysis.validation import period_days

    if tg.recent_start is None:
        return (f"start: each replicate runs the whole period ({period_days(tg.start, tg.end)} days), "
                "day 0 on its first day")
    w = tg.group_weights[0] if tg.group_weights else 1.0
    return (f"end: each replicate runs the period's last year ({period_days(tg.recent_start, tg.end)} days, "
            f"{tg.recent_start}:{tg.end}), set against that year's statistics (recent groups, weight {w:g}) "
            f"and the whole period's per-year averages (weight 1; its regional shares weight 0, the map moved); "
            f"the trend is left out")


__all__ = ["ALIGNS", "DEFAULT_RECENT_WEIGHT", "check_align", "check_recent_weight", "last_year", "end_targets",
           "describe"]

"""The daily lever matrix: filled span by span between the policy's changes, it equals a day-by-day
reading of the policy (each day takes every change dated on or before it, in date order)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import azalai
from azalai.model.world import lever_matrix
from azalai.policy.levers import LEVER_INDEX
from azalai.policy.schema import Policy

SC = azalai.load_scenario("mali-2016")
START = SC.calendar.start
REGIONS = [r.id for r in SC.regions]


def day_by_day(policy: Policy, start: dt.date, days: int) -> tuple[np.ndarray, np.ndarray]:
    rid = {r: i for i, r in enumerate(REGIONS)}
    lev = np.zeros((days, len(LEVER_INDEX)))
    aid = np.zeros((days, len(REGIONS)))
    for d in range(days):
        today = start + dt.timedelta(days=d)
        cur, cur_aid = policy.lever_values(), dict(policy.levers.aid_by_region)
        for ch in sorted(policy.changes, key=lambda c: c.date):
            if ch.date <= today:
                cur.update({k: float(v) for k, v in ch.levers.model_dump(exclude={"aid_by_region"}).items()
                            if v is not None})
                cur_aid.update(ch.levers.aid_by_region)
        for k, v in cur.items():
            lev[d, LEVER_INDEX[k]] = v
        aid[d, :] = cur["aid"]
        for region, v in cur_aid.items():
            if region in rid:
                aid[d, rid[region]] = v
    return lev, aid


def _policy() -> Policy:
    day = lambda n: (START + dt.timedelta(days=n)).isoformat()  # noqa: E731
    return Policy.model_validate({
        "id": "spans", "name": "spans", "source": "assumption: a test policy",
        "levers": {"vetting": 0.2, "aid": 0.1, "aid_by_region": {REGIONS[0]: 0.5}},
        "changes": [  # out of order, two on one day, one before the start, one after the horizon
            {"date": day(40), "levers": {"vetting": 0.9, "aid_by_region": {REGIONS[1]: 0.7}}},
            {"date": day(-10), "levers": {"sweeps": 0.1}},
            {"date": day(3), "levers": {"aid": 0.4, "minusma_toc_units": True}},
            {"date": day(3), "levers": {"vetting": 0.5}},
            {"date": day(41), "levers": {"barkhane_focus": "counter-trafficking"}},
            {"date": day(5000), "levers": {"vetting": 0.0}},
        ]})


@pytest.mark.parametrize("days", [1, 3, 4, 41, 42, 120])
@pytest.mark.parametrize("offset", [0, -20, 2, 40])
def test_spans_equal_day_by_day(days: int, offset: int) -> None:
    pol = _policy()
    start = START + dt.timedelta(days=offset)
    lev, aid = lever_matrix(pol, SC, start, days)
    ref_lev, ref_aid = day_by_day(pol, start, days)
    assert np.array_equal(lev, ref_lev) and np.array_equal(aid, ref_aid)


def test_the_changes_change_the_levers() -> None:
    lev, aid = lever_matrix(_policy(), SC, START, 120)
    assert len(np.unique(lev, axis=0)) == 4  # from day 0, 3, 40 and 41
    assert len(np.unique(aid, axis=0)) == 3  # from day 0, 3 and 40

"""Calibration aligned at the period's end: the model's first year against the last observed year
and the period's per-year averages, with the recent groups weighted in the distance."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from azalai.analysis import calibration as cal
from azalai.analysis.calibration_align import end_targets, last_year
from azalai.errors import InputError

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "observed"
MONTHLY = DATA / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv"
SIZES = DATA / "acled_mali_event_size_counts_2012_2015.csv"
have_data = pytest.mark.skipif(not (MONTHLY.exists() and SIZES.exists()), reason="shared reference data not available")
PERIOD = "2014-01-01:2016-06-30"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes

    st = tmp_path_factory.mktemp("align") / "store.duckdb"
    import_acled_aggregates(MONTHLY, st)
    import_acled_event_sizes(SIZES, st)
    return st


def test_last_year_of_a_period():
    assert last_year(dt.date(2014, 1, 1), dt.date(2016, 6, 30)) == dt.date(2015, 7, 1)
    assert last_year(dt.date(2014, 1, 1), dt.date(2015, 6, 30)) == dt.date(2014, 7, 1)
    assert last_year(dt.date(2014, 1, 1), dt.date(2016, 2, 29)) == dt.date(2015, 3, 1)
    assert last_year(dt.date(2016, 1, 1), dt.date(2016, 6, 30)) == dt.date(2016, 1, 1)  # shorter than a year


def test_group_weights_enter_the_distance():
    stats, obs, scales = np.array([[1.0, 3.0]]), np.zeros(2), np.ones(2)
    assert cal.group_distance(stats, obs, scales, [0, 1])[0] == pytest.approx(math.sqrt((1 + 9) / 2))
    assert cal.group_distance(stats, obs, scales, [0, 1], [2.0, 1.0])[0] == pytest.approx(math.sqrt((2 + 9) / 3))
    assert cal.group_distance(stats, obs, scales, [0, 1], [1.0, 1.0])[0] == pytest.approx(math.sqrt(5))

    # and the sampler uses them: its prior generation's distances are the weighted ones
    def sim(theta, seed):
        return np.array([theta[0], theta[1]])

    prior = cal.UniformPrior(["a", "b"], np.zeros(2), np.ones(2))
    w = cal.abc_smc(sim, np.array([0.5, 0.5]), prior, [0, 1], particles=20, generations=1, seed=4,
                    group_weights=[5.0, 1.0])
    g = w.generations[0]
    np.testing.assert_allclose(g.distances, cal.group_distance(g.stats, w.observed, w.scales, [0, 1], [5.0, 1.0]))
    assert not np.allclose(g.distances, cal.group_distance(g.stats, w.observed, w.scales, [0, 1]))


@have_data
def test_end_targets_are_the_last_year_and_the_period_averages(store):
    from azalai.analysis import time_stats as ts
    from azalai.analysis.calibration_stats import targets_from_observed
    from azalai.analysis.validation import load_observed_period

    whole = cal.calibration_targets(store, "acled-aggregates", PERIOD)
    tg = cal.calibration_targets(store, "acled-aggregates", PERIOD, time_stats=True, align="end", recent_weight=3.0)
    last = targets_from_observed(load_observed_period(store, "acled-aggregates", "2015-07-01:2016-06-30")[0])
    assert tg.run_start == dt.date(2015, 7, 1) and tg.end == dt.date(2016, 6, 30)
    n_rec = len(last.values) - 1  # the last year's statistics, without its tail
    np.testing.assert_allclose(tg.values[:n_rec], last.values[:-1])
    assert tg.names[:n_rec] == [f"recent:{n}" for n in last.names[:-1]]
    assert tg.recent_regions[0] == "Mopti" and whole.regions[0] != "Mopti"  # the deadliest region of the last year
    # the whole period's statistics follow, unchanged (per year, shares, tail)
    np.testing.assert_allclose(tg.values[n_rec:n_rec + len(whole.values)], whole.values)
    assert tg.names[n_rec:n_rec + len(whole.values)] == whole.names
    assert tg.group_names == ["recent_volume", "recent_regions", "recent_event_types", "volume", "regions",
                              "event_types", "tail", "time_dispersion"]
    # the period's regional shares are kept in the vector but weigh nothing: the map moved within it
    assert tg.group_weights == [3.0] * 3 + [1.0, 0.0, 1.0, 1.0, 1.0]
    # of the time statistics only the dispersion is kept, over the last 12 months; no trend
    assert "trend" not in tg.names and tg.names[-1] == "dispersion"
    assert tg.values[-1] == pytest.approx(ts.observed_statistics(store, "acled-aggregates", tg.regions,
                                                                 dt.date(2015, 7, 1), tg.end)[-1])


@have_data
def test_the_model_first_year_gives_both_the_recent_and_the_regime_statistics(store):
    """Synthetic first-year events: the recent part is computed for the last year's regions, the
    regime part for the period's, both from the same 366 days."""
    tg = end_targets(store, cal.calibration_targets(store, "acled-aggregates", PERIOD))
    day0 = pd.Timestamp(tg.run_start)
    ev = pd.DataFrame({"event_date": [day0, day0 + pd.Timedelta(days=200), day0 + pd.Timedelta(days=365)],
                       "admin1": ["Mopti", "Mopti", "Gao"], "event_type": ["Battles"] * 3,
                       "fatalities": [20, 10, 10]})
    v = cal.model_statistics([ev, ev], tg, 366)
    assert len(v) == len(tg.values)
    by = dict(zip(tg.names, v))
    years = 366 / 365.25
    assert by["recent:log_fatalities_per_year"] == pytest.approx(math.log1p(40 / years))
    assert by["log_fatalities_per_year"] == pytest.approx(math.log1p(40 / years))
    assert by["recent:log_violent_events_per_year"] == pytest.approx(math.log1p(3 / years))
    assert by["recent:region_share:Mopti"] == by["region_share:Mopti"] == pytest.approx(0.75)
    assert by["recent:event_share:Battles"] == pytest.approx(1.0)
    assert [n for n in tg.names if n.endswith("tail_alpha")] == ["tail_alpha"]  # the tail only from the period


def test_the_simulator_runs_the_last_year_under_end(monkeypatch):
    """Under ``end`` each replicate is run for the last year's length, dated from its first day."""
    import azalai.experiment.executors as ex
    from azalai.analysis.calibration_stats import Targets

    seen = {}

    class FakeSession:
        def __init__(self, spec, *a):
            seen["days"], seen["start"] = spec.days, spec.summary.targets.run_start

        def run(self, batches):
            return iter(())

        def close(self):
            pass

    monkeypatch.setattr(ex, "Session", FakeSession)
    base = dict(observed="acled-aggregates", start=dt.date(2014, 1, 1), end=dt.date(2016, 6, 30), regions=[],
                types=[], xmin=1.0, values=np.zeros(1), names=["x"], groups=[0], group_names=["g"])
    cal.model_simulator(Targets(**base), ["clash_base"], replicates=1)
    assert seen == {"days": 912, "start": dt.date(2014, 1, 1)}
    cal.model_simulator(Targets(**base, recent_start=dt.date(2015, 7, 1), recent_regions=[]), ["clash_base"],
                        replicates=1)
    assert seen == {"days": 366, "start": dt.date(2015, 7, 1)}


@have_data
def test_calibration_aligned_at_the_end_runs_the_model_first_year(store):
    res, tg = cal.calibrate("acled-aggregates", PERIOD, ["clash_base"], particles=4, generations=1, replicates=1,
                            seed=3, store=store, align="end", sim_days=30)
    assert res.meta["days_per_replicate"] == 366 and res.meta["align"] == "end"  # sim_days is ignored
    st = res.generations[0].stats
    idx = {n: i for i, n in enumerate(tg.names)}
    # both parts come from the same first year of each run: equal volumes, equal shares of shared regions
    np.testing.assert_allclose(st[:, idx["recent:log_fatalities_per_year"]], st[:, idx["log_fatalities_per_year"]])
    np.testing.assert_allclose(st[:, idx["recent:region_share:Gao"]], st[:, idx["region_share:Gao"]])
    doc = cal.result_document(res, tg)
    assert doc["method"]["alignment"].startswith("end: each replicate runs the period's last year (366 days")
    assert "recent_regions x2" in doc["distance"]


def test_bad_alignment_and_weight_are_clear_errors():
    with pytest.raises(InputError, match="--align"):
        cal.check_align("middle")
    for w in (-1, float("nan"), float("inf"), "two"):
        with pytest.raises(InputError, match="--recent-weight"):
            cal.check_recent_weight(w)
    assert cal.check_recent_weight(0) == 0.0


@pytest.mark.parametrize("args,message", [(["--align", "middle"], "--align"),
                                          (["--align", "end", "--recent-weight", "-1"], "--recent-weight"),
                                          (["--align", "end", "--recent-weight", "nan"], "--recent-weight")])
def test_calibrate_cli_refuses_a_bad_alignment(tmp_path, args, message):
    r = subprocess.run([sys.executable, "-m", "azalai.cli.main", "calibrate", "--observed", "acled-aggregates",
                        "--period", PERIOD, "--params", "clash_base", "--out", str(tmp_path / "c.yaml"),
                        "--store", str(tmp_path / "none.duckdb"), *args], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert message in r.stderr
    assert not (tmp_path / "c.yaml").exists()


def test_backtest_calibrates_aligned_at_the_window_end(monkeypatch):
    """The backtest's calibration sets the model's first year against the year before the origin."""
    import azalai.analysis.calibration as calmod
    from azalai.analysis.backtest import BacktestConfig, calibration_for

    class Called(Exception):
        pass

    def fake(observed, period, params, **kw):
        raise Called(period, kw)

    monkeypatch.setattr(calmod, "calibrate", fake)
    with pytest.raises(Called) as e:
        calibration_for(dt.date(2015, 7, 1), None, BacktestConfig(), lambda s: None)
    period, kw = e.value.args
    assert period == (dt.date(2014, 1, 1), dt.date(2015, 6, 30))
    assert kw["align"] == "end" and kw["recent_weight"] == cal.DEFAULT_RECENT_WEIGHT


@have_data
def test_who_fights_whom_can_be_fitted_for_the_last_year_and_the_period(store):
    """With ``interactions`` the vector gains the fatality shares of the first three interaction classes, as a
    group of its own for the last year (weight of the recent groups) and for the whole period (weight 1); the
    model's side is computed from the events' actor types."""
    tg = cal.calibration_targets(store, "acled-aggregates", PERIOD, align="end", recent_weight=2.0, interactions=True)
    assert tg.interactions
    assert tg.group_names == ["recent_volume", "recent_regions", "recent_event_types", "recent_interactions",
                              "volume", "regions", "event_types", "interactions", "tail"]
    assert tg.group_weights == [2.0] * 4 + [1.0, 0.0, 1.0, 1.0, 1.0]
    recent = [n for n in tg.names if n.startswith("recent:interaction_share:")]
    assert recent == ["recent:interaction_share:forces vs armed groups",
                      "recent:interaction_share:armed groups vs armed groups",
                      "recent:interaction_share:against civilians"]
    by = dict(zip(tg.names, tg.values))
    assert by["recent:interaction_share:armed groups vs armed groups"] == pytest.approx(70 / 336, abs=0.01)
    day0 = pd.Timestamp(tg.run_start)
    # a battle between two rebel groups (2 dead), an operation of external forces on a rebel group (6 dead)
    ev = pd.DataFrame({"event_date": [day0, day0 + pd.Timedelta(days=10)], "admin1": ["Kidal", "Kidal"],
                       "event_type": ["Battles", "Battles"], "inter1": [2, 8], "inter2": [2, 2],
                       "fatalities": [2, 6]})
    v = dict(zip(tg.names, cal.model_statistics([ev], tg, 366)))
    assert v["recent:interaction_share:armed groups vs armed groups"] == pytest.approx(0.25)
    assert v["interaction_share:forces vs armed groups"] == pytest.approx(0.75)
    assert v["interaction_share:against civilians"] == 0.0

"""Forecast scores, the no-leak rule of backtests, and a small end-to-end backtest."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from azalai.analysis import scoring

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"


# --- scores on known cases ------------------------------------------------------------------


def test_crps_hand_check_three_values():
    # ensemble {0, 1, 2}: CRPS(y) = mean|x - y| - 0.5 * mean|x - x'| with mean|x - x'| = 8/9
    ens = np.array([[0.0, 1.0, 2.0]] * 3)
    obs = np.array([1.0, 3.0, 0.5])
    hand = np.array([2 / 3 - 4 / 9, 2.0 - 4 / 9, (0.5 + 0.5 + 1.5) / 3 - 4 / 9])
    np.testing.assert_allclose(scoring.crps(obs, ens), hand, rtol=1e-12)


def test_perfect_forecast_scores():
    obs = np.array([0.0, 4.0, 30.0, 120.0])
    ens = np.repeat(obs[:, None], 20, axis=1)
    np.testing.assert_allclose(scoring.crps(obs, ens), 0.0, atol=1e-12)
    assert scoring.covered(obs, ens, 0.5).all() and scoring.covered(obs, ens, 0.9).all()
    B = len(scoring.BINS)
    np.testing.assert_allclose(scoring.log_score(obs, ens), -math.log((20 + 1 / B) / 21))
    assert scoring.skill(scoring.crps(obs, ens), np.ones(4))["skill"] == 1.0


def test_constant_forecast_is_absolute_error():
    obs = np.array([0.0, 3.0, 10.0, 7.0])
    ens = np.full((4, 15), 5.0)
    np.testing.assert_allclose(scoring.crps(obs, ens), np.abs(obs - 5.0))
    np.testing.assert_array_equal(scoring.covered(obs, ens, 0.9), obs == 5.0)
    # the observed bin is never reached: only the pseudo-count remains
    B = len(scoring.BINS)
    np.testing.assert_allclose(scoring.log_score(np.array([0.0]), ens[:1]), -math.log((1 / B) / 16))


def test_skill_of_identical_forecasts_is_zero_with_interval():
    c = np.array([1.0, 2.0, 0.5, 4.0, 3.0])
    s = scoring.skill(c, c, n_boot=200)
    assert s["skill"] == 0.0 and s["low"] == 0.0 and s["high"] == 0.0
    s = scoring.skill(c * 0.5, c, n_boot=200)
    assert s["skill"] == pytest.approx(0.5) and s["low"] == pytest.approx(0.5)


def test_benchmarks_use_the_history_they_are_given():
    months = [dt.date(2014, m, 1) for m in range(1, 13)] + [dt.date(2015, m, 1) for m in range(1, 7)]
    hist = pd.DataFrame({"admin1": ["A"] * 18, "month": months, "fatalities": np.arange(18)})
    p = scoring.persistence(hist, ["A", "B"], 3)
    assert p.shape == (2, 3, 12)
    np.testing.assert_array_equal(p[0, 2], np.arange(6, 18))
    np.testing.assert_array_equal(p[1], 0)  # a region without data: zeros
    c = scoring.climatology(hist, ["A"], 2)
    np.testing.assert_array_equal(c[0, 1], np.arange(18))
    nb = scoring.negbin_trend(hist, ["A"], 4, members=500)
    assert nb.shape == (1, 4, 500) and nb.max() <= 10 * 17  # draws, not means; mean capped at the max month
    assert abs(nb[0].mean() - 17) < 4  # a rising trend, capped at the largest month (17)


def test_totals_and_spearman():
    obs = np.array([[10.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    ens = np.stack([obs + k for k in range(-2, 3)], axis=-1)
    t = scoring.totals_check(obs, ens)
    assert t["observed"] == 12.0 and t["median"] == 12.0 and t["covered"]
    assert scoring.regional_spearman(obs, ens) == pytest.approx(1.0)


# --- the no-leak rule -----------------------------------------------------------------------


def test_check_window_refuses_the_origin():
    from azalai.analysis.backtest import LeakError, check_window

    o = dt.date(2015, 7, 1)
    check_window(o, dt.date(2014, 1, 1), dt.date(2015, 6, 30), "calibration window", "--calibration-period")
    with pytest.raises(LeakError, match="at or after the origin 2015-07-01"):
        check_window(o, dt.date(2014, 1, 1), o, "calibration window", "--calibration-period")
    with pytest.raises(LeakError, match="no end date"):
        check_window(o, dt.date(2014, 1, 1), None, "calibration window", "--calibration-period")


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "azalai.cli.main", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT)


def _store(tmp_path: Path, last: dt.date = dt.date(2016, 9, 1)) -> Path:
    """A store with synthetic monthly aggregates for Kidal and Gao, 2015-01 to ``last``."""
    from azalai.data.acled import import_acled_aggregates

    months = pd.date_range("2015-01-01", last, freq="MS")
    rows = []
    for i, m in enumerate(months):
        rows.append((m.strftime("%Y-%m"), "Kidal", "Battles", "Armed clash", 2, 3, 1 + i % 3, (i * 7) % 11))
        rows.append((m.strftime("%Y-%m"), "Gao", "Violence against civilians", "Attack", 2, 7, 1, i % 4))
    csv = tmp_path / "agg.csv"
    pd.DataFrame(rows, columns=["month", "admin1", "event_type", "sub_event_type", "inter1", "inter2", "events",
                                "fatalities"]).to_csv(csv, index=False)
    store = tmp_path / "store.duckdb"
    import_acled_aggregates(csv, store)
    return store


def test_backtest_refuses_leaking_windows(tmp_path):
    store = _store(tmp_path)
    r = _cli("backtest", "--scenario", str(MINI), "--store", str(store),
             "--calibration-period", "2015-01-01:2016-07-31")
    assert r.returncode == 2, r.stderr
    assert "at or after the origin 2016-07-01" in r.stderr and "Traceback" not in r.stderr
    # the shipped calibration was fitted on data to 2016-06-30: refused for an origin in 2015
    r = _cli("backtest", "--scenario", "mali-2015", "--store", str(store),
             "--calibration", str(ROOT / "azalai" / "model" / "calibrated.yaml"))
    assert r.returncode == 2 and "at or after the origin 2015-07-01" in r.stderr, r.stderr


def test_backtest_refuses_unscorable_months(tmp_path):
    store = _store(tmp_path, last=dt.date(2016, 7, 1))
    r = _cli("backtest", "--scenario", str(MINI), "--store", str(store), "--calibration", "none", "--months", "3")
    assert r.returncode == 2 and "end at 2016-07-01" in r.stderr, r.stderr


# --- end to end -----------------------------------------------------------------------------


def test_small_backtest_end_to_end(tmp_path):
    from azalai.analysis.backtest import BacktestConfig, run_backtest

    store = _store(tmp_path)
    cfg = BacktestConfig(scenarios=[str(MINI)], store=store, months=3, members=8, draws=2, calibration="none",
                         history_start=dt.date(2015, 1, 1), n_boot=100, out_dir=tmp_path / "bt")
    res = run_backtest(cfg)
    (o,) = res["origins"]
    assert o["origin"] == "2016-07-01" and o["through"] == "2016-09-30"
    assert o["history"] == "2015-01-01:2016-06-30"
    f = o["variables"]["fatalities"]
    assert [r["forecaster"] for r in f["scores"]] == ["model", "persistence", "climatology", "negbin_trend"]
    # observed Jul-Sep 2016 = months 18..20 of the synthetic series
    assert f["observed_by_region"] == {"Kidal": float(sum((i * 7) % 11 for i in (18, 19, 20))),
                                       "Gao": float(sum(i % 4 for i in (18, 19, 20)))}
    for row in f["scores"]:
        assert row["crps"] >= 0 and 0 <= row["coverage50"] <= row["coverage90"] <= 1
        if row["forecaster"] != "model":
            assert row["skill_low"] <= row["skill_of_model"] <= row["skill_high"]
    pq = tmp_path / "bt" / "forecast_2016-07-01.parquet"
    table = pd.read_parquet(pq)
    assert set(table["admin1"]) == {"Kidal", "Gao"} and len(table) == 2 * 3 * 2
    assert (table["q05"] <= table["q50"]).all() and (table["q50"] <= table["q95"]).all()
    json.dumps(res)  # JSON-ready


def test_forecast_cli_writes_parquet_and_figure(tmp_path):
    out = tmp_path / "f.parquet"
    r = _cli("forecast", "--scenario", str(MINI), "--months", "2", "--members", "6", "--draws", "3",
             "--out", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["forecast"]["members"] == 6 and "scenario ranges" in " ".join(doc["forecast"]["sampled"])
    from azalai.analysis.forecast import read_forecast_info

    assert read_forecast_info(out)["start"] == "2016-07-01"
    assert out.with_suffix(".png").stat().st_size > 1000
    r = _cli("forecast", "--scenario", str(MINI), "--months", "2", "--members", "4", "--point", "--out", str(out),
             "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["forecast"]["sampled"] == ["engine randomness (seeds)"]


# --- time-aware calibration statistics ---------------------------------------------------------


def test_time_statistics_on_a_known_series():
    from azalai.analysis import time_stats as ts

    start, end = dt.date(2014, 1, 1), dt.date(2015, 6, 30)
    months = pd.date_range(start, end, freq="MS").date
    # 6 months of 10/month in region A, then 12 months of 30/month split 2:1 between A and B
    rows = [("A", m, 10.0) for m in months[:6]] + [("A", m, 20.0) for m in months[6:]] + \
           [("B", m, 10.0) for m in months[6:]]
    df = pd.DataFrame(rows, columns=["admin1", "month", "fatalities"])
    v = ts.series_statistics(df, ["A", "B"], start, end)
    names, groups = ts.names_and_groups(["A", "B"], 4)
    assert names == ["level_recent", "trend", "recent_share:A", "recent_share:B", "dispersion"]
    assert groups == [4, 4, 5, 5, 6]
    nat = np.array([10.0] * 6 + [30.0] * 12)
    np.testing.assert_allclose(v, [math.log1p(360), math.log1p(360) - math.log1p(120), 2 / 3, 1 / 3,
                                   math.log1p(nat.var() / nat.mean())])
    # a flat series has no trend and no over-dispersion
    flat = pd.DataFrame({"admin1": "A", "month": months, "fatalities": 5.0})
    f = ts.series_statistics(flat, ["A"], start, end)
    assert f[1] == pytest.approx(0.0) and f[-1] == pytest.approx(0.0)


# --- the mali-2015 scenario -------------------------------------------------------------------


def _sources(obj, where="scenario"):
    from pydantic import BaseModel

    if isinstance(obj, BaseModel):
        src = getattr(obj, "source", None)
        if isinstance(src, str):
            yield where, src
        for name in type(obj).model_fields:
            yield from _sources(getattr(obj, name), f"{where}.{name}")
    elif isinstance(obj, (list, tuple)):
        for i, x in enumerate(obj):
            yield from _sources(x, f"{where}[{i}]")


def test_mali_2015_uses_facts_up_to_june_2015_only():
    from azalai.scenario.loader import load_scenario

    sc = load_scenario("mali-2015")
    assert sc.calendar.start == dt.date(2015, 7, 1)
    assert all(a.date < sc.calendar.start for a in sc.accords)
    assert [a.id for a in sc.accords] == ["algiers-2015"]  # the Anéfis accords (October 2015) are left out
    gatia = next(a for a in sc.actors if a.id == "gatia")
    assert not {"kidal", "anefis"} & set(gatia.fighters)  # GATIA held neither before August 2015
    later_events = ["deadly fighting broke out in the city of Kidal", "armed attackers struck the Malian army base",
                    "killed three French soldiers near Tessalit", "local accords first signed at Anéfis",
                    "the reauthorization for MINUSMA"]
    seed_file = ROOT.parent / "shared" / "seed" / "000_612a64505dfc431d.txt"
    seed = seed_file.read_text(encoding="utf-8") if seed_file.exists() else None
    n = 0
    for where, src in _sources(sc):
        assert src.strip(), f"{where} has no source"
        assert not any(e in src for e in later_events), f"{where} cites an event after June 2015: {src}"
        for q in __import__("re").findall(r'seed: "(.*?)"(?=;|$)', src):
            n += 1
            assert seed is None or q in seed, f"{where}: not a verbatim seed quote: {q!r}"
    assert n >= 50

"""Observed summary statistics computed from the store, on the real ACLED aggregates and UCDP events."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from azalai.analysis import observed as ob
from azalai.data.acled import import_acled, import_acled_aggregates, import_acled_event_sizes
from azalai.data.ucdp import import_ucdp
from azalai.errors import InputError

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
OBSERVED = DATA / "observed"
UCDP = OBSERVED / "ucdp_ged211_mali_precise_1990_to_2016-06.csv"
MONTHLY = OBSERVED / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv"
SIZES = OBSERVED / "acled_mali_event_size_counts_2012_2015.csv"
ADM1 = DATA / "geo" / "mali_adm1_ocha_cod_simplified.geojson"

pytestmark = pytest.mark.skipif(
    not (UCDP.exists() and MONTHLY.exists() and SIZES.exists()), reason="shared reference data not available"
)


def rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    st = tmp_path_factory.mktemp("obs") / "store.duckdb"
    import_ucdp(UCDP, st)
    import_acled_aggregates(MONTHLY, st)
    import_acled_event_sizes(SIZES, st)
    return st


# ---------------------------------------------------------------------------------------------
# ACLED aggregates
# ---------------------------------------------------------------------------------------------


def test_acled_yearly_fatalities(store):
    y = ob.yearly_fatalities(store, "acled", "2012-01-01", "2015-12-31")
    assert list(y["year"]) == [2012, 2013, 2014, 2015]
    expected = Counter()
    for r in rows(MONTHLY):
        expected[int(r["month"][:4])] += int(r["fatalities"])
    assert dict(zip(y["year"], y["fatalities"])) == {k: v for k, v in expected.items() if k <= 2015}
    # README: ACLED recorded 382-883 fatalities a year in 2012-2015
    assert y["fatalities"].between(382, 883).all()


def test_acled_2015_regions_ranked_as_readme(store):
    r = ob.fatalities_by_region(store, "acled", "2015-01-01", "2015-12-31")
    assert list(r["region"][:6]) == ["Gao", "Tombouctou", "Mopti", "Kidal", "Bamako", "Segou"]
    assert r["share"].sum() == pytest.approx(1.0)
    assert r["fatalities"].is_monotonic_decreasing


def test_acled_event_type_mix(store):
    mix = ob.event_type_mix(store, "acled", "2012-01-01", "2016-06-30")
    assert mix["event_type"].iloc[0] == "Battles"
    assert mix.sort_values("fatalities", ascending=False)["event_type"].iloc[0] == "Battles"
    assert mix["event_share"].sum() == pytest.approx(1.0)
    assert mix["fatality_share"].sum() == pytest.approx(1.0)
    assert int(mix["events"].sum()) == sum(int(r["events"]) for r in rows(MONTHLY))


def test_acled_monthly_series(store):
    m = ob.monthly_series(store, "acled", "2012-01-01", "2016-06-30")
    assert len(m) == 54
    assert m["month"].iloc[0] == dt.date(2012, 1, 1) and m["month"].iloc[-1] == dt.date(2016, 6, 1)
    expected = defaultdict(int)
    for r in rows(MONTHLY):
        expected[r["month"]] += int(r["fatalities"])
    got = {d.strftime("%Y-%m"): f for d, f in zip(m["month"], m["fatalities"])}
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}
    # a period starting mid-month still counts that month
    part = ob.monthly_series(store, "acled", "2015-03-15", "2015-05-31")
    assert [d.month for d in part["month"]] == [3, 4, 5]


def test_acled_event_sizes_and_tail(store):
    sizes = ob.event_sizes(store, "acled", "2012-01-01", "2015-12-31")
    assert int(sizes["events"].sum()) == sum(int(r["events"]) for r in rows(SIZES))
    one_year = ob.event_sizes(store, "acled", "2015-01-01", "2015-12-31")
    assert int(one_year["events"].sum()) == sum(int(r["events"]) for r in rows(SIZES) if r["year"] == "2015")
    x = ob.size_list(sizes)
    assert len(x) == sizes["events"].sum()
    tail = ob.event_size_tail(sizes)
    assert 1.5 < tail["alpha"] < 4
    assert tail["xmin"] >= 1 and 0 < tail["n_tail"] <= tail["n"] == int((x >= 1).sum())
    assert tail["sigma"] > 0
    same = ob.event_size_tail(x)  # a list of sizes gives the same fit as the count table
    assert same["alpha"] == pytest.approx(tail["alpha"])
    fixed = ob.event_size_tail(x, xmin=5)
    assert fixed["xmin"] == 5 and fixed["n_tail"] == int((x >= 5).sum())


def test_tail_on_too_little_data_is_nan():
    t = ob.event_size_tail([0, 0, 3])
    assert np.isnan(t["alpha"]) and t["n"] == 1


def test_ks_distance():
    rng = np.random.default_rng(1)
    a = rng.poisson(3, 400)
    assert ob.ks_distance(a, a)["statistic"] == 0
    d = ob.ks_distance(a, a + 5)
    assert d["statistic"] > 0.5 and d["pvalue"] < 1e-6 and d["n_a"] == d["n_b"] == 400
    assert np.isnan(ob.ks_distance([], a)["statistic"])


# ---------------------------------------------------------------------------------------------
# UCDP events
# ---------------------------------------------------------------------------------------------


def test_ucdp_statistics_from_events(store):
    rs = [r for r in rows(UCDP) if "2015-01-01" <= r["date_start"][:10] <= "2016-06-30"]
    s = ob.observed_summary(store, "ucdp", "2015-01-01", "2016-06-30")
    assert s["level"] == "events"
    y = dict(zip(s["yearly"]["year"], s["yearly"]["fatalities"]))
    assert y == {
        2015: sum(int(r["best_death"]) for r in rs if r["year"] == "2015"),
        2016: sum(int(r["best_death"]) for r in rs if r["year"] == "2016"),
    }
    assert int(s["yearly"]["events"].sum()) == len(rs)
    reg = s["by_region"]
    expected = Counter()
    for r in rs:
        expected[r["adm1_ocha_pip"]] += int(r["best_death"])
    assert dict(zip(reg["region"], reg["fatalities"])) == dict(expected)
    assert set(s["event_types"]["event_type"]) <= {"Battles", "Violence against civilians"}
    assert s["event_types"]["event_type"].iloc[0] == "Battles"
    sizes = s["event_sizes"]
    assert dict(zip(sizes["fatalities"], sizes["events"])) == dict(Counter(int(r["best_death"]) for r in rs))
    assert len(s["monthly"]) == 18 and int(s["monthly"]["fatalities"].sum()) == sum(expected.values())


def test_ucdp_whole_history_tail(store):
    sizes = ob.event_sizes(store, "ucdp")
    assert int(sizes["events"].sum()) == len(rows(UCDP))
    t = ob.event_size_tail(sizes)
    assert 1.2 < t["alpha"] < 5


def test_empty_period_and_missing_tables(store, tmp_path):
    assert len(ob.yearly_fatalities(store, "acled", "1995-01-01", "1995-12-31")) == 0
    assert len(ob.fatalities_by_region(store, "ucdp", "2030-01-01", "2030-12-31")) == 0
    m = ob.monthly_series(store, "ucdp", "2030-01-01", "2030-03-31")
    assert list(m["events"]) == [0, 0, 0]
    with pytest.raises(InputError, match="no store"):
        ob.yearly_fatalities(tmp_path / "none.duckdb", "acled")


# ---------------------------------------------------------------------------------------------
# event-level ACLED next to the aggregates: level selection
# ---------------------------------------------------------------------------------------------


def test_event_level_acled_preferred_over_aggregates(tmp_path):
    st = tmp_path / "s.duckdb"
    import_acled_aggregates(MONTHLY, st)
    f = tmp_path / "ev.csv"
    f.write_text(
        "event_id_cnty,event_date,event_type,inter1,inter2,admin1,latitude,longitude,fatalities\n"
        "A1,2015-02-01,Battles,State forces,Rebel group,Kidal,18.4,1.4,7\n"
        "A2,2015-02-03,Riots,5,0,Gao,16.3,0.0,1\n"
        "A3,2015-03-03,Battles,1,2,Gao,16.3,0.0,0\n",
        encoding="utf-8",
    )
    import_acled(f, st)
    assert ob.resolve_level_for(st, "acled", "2015-01-01", "2015-12-31") == "events"
    y = ob.yearly_fatalities(st, "acled", "2015-01-01", "2015-12-31")
    assert list(y["fatalities"]) == [8] and list(y["events"]) == [3]
    agg = ob.yearly_fatalities(st, "acled", "2015-01-01", "2015-12-31", level="monthly")
    assert int(agg["fatalities"].iloc[0]) == 428
    # outside the event rows' span, auto falls back to the aggregates
    assert ob.resolve_level_for(st, "acled", "2013-01-01", "2013-12-31") == "monthly"
    sizes = ob.event_sizes(st, "acled", "2015-01-01", "2015-12-31")
    assert dict(zip(sizes["fatalities"], sizes["events"])) == {0: 1, 1: 1, 7: 1}


def test_builtin_scenario_region_ids(tmp_path):
    import azalai

    try:
        sc = azalai.load_scenario("mali-2016")
    except Exception as exc:
        pytest.skip(f"built-in scenario not loadable: {exc}")
    st = tmp_path / "s.duckdb"
    import_acled_aggregates(MONTHLY, st, regions=sc.regions)
    r = ob.fatalities_by_region(st, "acled", "2015-01-01", "2015-12-31", by="region_id")
    ids = {x.id for x in sc.regions}
    named = [x for x in r["region"] if x is not None]
    assert set(named) <= ids
    assert named[:4] == [
        next(x.id for x in sc.regions if x.acled_admin1 == n) for n in ("Gao", "Tombouctou", "Mopti", "Kidal")
    ]
    if ADM1.exists():
        s = import_ucdp(UCDP, st, regions=sc.regions, boundaries=ADM1)
        assert not any(k.startswith("region not in scenario") for k in s.notes)


# ---------------------------------------------------------------------------------------------
# periods
# ---------------------------------------------------------------------------------------------


def test_parse_period():
    assert ob.parse_period("2015-01-01:2016-06-30") == (dt.date(2015, 1, 1), dt.date(2016, 6, 30))
    assert ob.parse_period("2015") == (dt.date(2015, 1, 1), dt.date(2015, 12, 31))
    assert ob.parse_period("2014:2015") == (dt.date(2014, 1, 1), dt.date(2015, 12, 31))
    assert ob.parse_period(":2016-06-30") == (None, dt.date(2016, 6, 30))
    for bad in ("2015-01-01..2016", "2016-01-01:2015-01-01", "a:b:c", "", "2015-02-30:2016-01-01"):
        with pytest.raises(InputError) as ei:
            ob.parse_period(bad)
        assert "--period" in str(ei.value)
    with pytest.raises(InputError, match="source"):
        ob.yearly_fatalities(None, "gdelt")


def test_returns_plain_types(store):
    s = ob.observed_summary(store, "acled", "2015-01-01", "2016-06-30")
    for k in ("yearly", "by_region", "event_types", "monthly", "event_sizes"):
        assert isinstance(s[k], pd.DataFrame)
    assert isinstance(s["tail"], dict) and set(s["tail"]) >= {"alpha", "xmin", "sigma", "n_tail"}

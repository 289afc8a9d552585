"""Validation against observed data: UCDP form, the comparison statistics, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from azalai.analysis import validation as va
from azalai.analysis.observed import INTERACTIONS, interaction_class, interaction_totals
from azalai.analysis.ucdp_form import to_ged, violence_type
from azalai.errors import InputError
from azalai.report.validation_report import write_outputs

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
OBSERVED = DATA / "observed"
UCDP = OBSERVED / "ucdp_ged211_mali_precise_1990_to_2016-06.csv"
MONTHLY = OBSERVED / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv"
SIZES = OBSERVED / "acled_mali_event_size_counts_2012_2015.csv"
have_data = pytest.mark.skipif(
    not (UCDP.exists() and MONTHLY.exists() and SIZES.exists()), reason="shared reference data not available"
)


# ---------------------------------------------------------------------------------------------
# UCDP GED form
# ---------------------------------------------------------------------------------------------


def _frame(rows):
    cols = ["event_id_cnty", "event_date", "event_type", "actor1", "actor2", "inter1", "inter2", "civilian_targeting",
            "admin1", "fatalities"]
    return pd.DataFrame(rows, columns=cols)


def test_ucdp_form_mapping():
    d = dt.date(2016, 7, 3)
    ev = _frame([
        # state-based: FAMa vs rebels, the state on side_a even when it is actor2
        ("e1", d, "Battles", "MNLA: National Movement for the Liberation of Azawad", "Military Forces of Mali (2013-)",
         "Rebel group", "State forces", "", "Kidal", 4),
        # state-based with an external force (inter 8) against jihadists
        ("e2", d, "Explosions/Remote violence", "Operation Barkhane", "AQIM: Al Qaeda in the Islamic Maghreb",
         8, 2, "", "Kidal", 2),
        # non-state: two armed groups
        ("e3", d, "Battles", "GATIA: Imghad Tuareg and Allies Self-Defense Group",
         "HCUA: High Council for the Unity of Azawad", 3, 2, "", "Kidal", 7),
        # one-sided: violence against civilians
        ("e4", d, "Violence against civilians", "Katiba Macina", "Civilians (Mali)", 2, 7, "Civilian targeting",
         "Mopti", 3),
        # no deaths: dropped, as in the GED
        ("e5", d, "Battles", "MNLA: National Movement for the Liberation of Azawad", "Military Forces of Mali (2013-)",
         2, 1, "", "Gao", 0),
        # state vs external force: not counted
        ("e6", d, "Battles", "Military Forces of Mali (2013-)", "Operation Barkhane", 1, 8, "", "Gao", 1),
        # an arrest with a death of a protester by state forces: one-sided
        ("e7", d, "Protests", "Protesters (Mali)", "Military Forces of Mali (2013-)", 6, 1, "", "Kidal", 1),
    ])
    g = to_ged(ev)
    assert list(g["source_event_id"]) == ["e1", "e2", "e3", "e4", "e7"]
    assert list(g["type_of_violence"]) == [1, 1, 2, 3, 3]
    assert g.loc[0, "side_a"] == "Government of Mali" and g.loc[0, "side_b"].startswith("MNLA")
    assert g.loc[1, "side_a"] == "Government of France" and g.loc[1, "side_b"].startswith("AQIM")
    assert g.loc[2, "side_a"].startswith("GATIA") and g.loc[2, "side_b"].startswith("HCUA")
    assert g.loc[3, "side_a"] == "Katiba Macina" and g.loc[3, "side_b"] == "Civilians"
    assert g.loc[4, "side_a"] == "Government of Mali" and g.loc[4, "side_b"] == "Civilians"
    assert list(g["best"]) == [4, 2, 7, 3, 1]
    assert (g["best"] == g["low"]).all() and (g["best"] == g["high"]).all()
    assert list(g["year"]) == [2016] * 5
    assert list(g["adm_1"]) == ["Kidal", "Kidal", "Kidal", "Mopti", "Kidal"]


def test_violence_type_rules():
    assert violence_type(1, 2) == 1 and violence_type(4, 8) == 1
    assert violence_type(2, 3) == 2 and violence_type(4, 4) == 2
    assert violence_type(2, 7) == 3 and violence_type(7, 1) == 3
    assert violence_type(2, 0, civilian_targeting=True) == 3
    assert violence_type(1, 8) == 0 and violence_type(2, 0) == 0 and violence_type(5, 0) == 0
    assert len(to_ged(_frame([]))) == 0


# ---------------------------------------------------------------------------------------------
# statistics on synthetic inputs
# ---------------------------------------------------------------------------------------------


def test_spearman_matches_definition():
    a = [10, 20, 30, 40, 50]
    assert va.spearman(a, [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    assert va.spearman(a, [5, 4, 3, 2, 1]) == pytest.approx(-1.0)
    # one swap of neighbours: 1 - 6*sum(d^2)/(n(n^2-1)) = 1 - 6*2/120 = 0.9
    assert va.spearman(a, [2, 1, 3, 4, 5]) == pytest.approx(0.9)
    # ties get average ranks (Pearson on ranks)
    x, y = [1, 2, 2, 3], [1, 3, 2, 4]
    rx, ry = np.array([1, 2.5, 2.5, 4]), np.array([1, 3, 2, 4])
    assert va.spearman(x, y) == pytest.approx(np.corrcoef(rx, ry)[0, 1])
    assert np.isnan(va.spearman([1, 1, 1], [1, 2, 3]))


def test_coverage_counts_points_inside_the_band():
    rng = np.random.default_rng(0)
    sims = rng.normal(0, 1, size=(2000, 4)) + np.array([0, 10, 20, 30])
    obs = [0.0, 10.5, 25.0, 29.0]  # 25 is 5 sd out; the others well inside
    c = va.coverage(obs, sims)
    assert c["inside"] == [True, True, False, True]
    assert c["coverage"] == pytest.approx(0.75)
    assert c["lower"][0] == pytest.approx(-1.645, abs=0.15) and c["upper"][0] == pytest.approx(1.645, abs=0.15)
    # exactly on the band's edge counts as inside
    sims2 = np.tile(np.arange(101, dtype=float)[:, None], (1, 2))
    c2 = va.coverage([5.0, 95.0], sims2)
    assert c2["coverage"] == 1.0
    with pytest.raises(ValueError):
        va.coverage([1, 2, 3], sims)


def test_compare_on_synthetic_frames():
    start, end = dt.date(2015, 1, 1), dt.date(2015, 12, 31)
    obs = {
        "observed": "acled-aggregates", "source": "acled", "level": "monthly", "start": start, "end": end,
        "yearly": pd.DataFrame({"year": [2015], "events": [3], "fatalities": [30]}),
        "regions": pd.DataFrame({"region": ["Gao", "Kidal", "Mopti"], "events": [1, 1, 1], "fatalities": [20, 10, 0],
                                 "share": [2 / 3, 1 / 3, 0]}),
        "types": pd.DataFrame({"event_type": ["Battles", "Riots"], "events": [2, 1], "fatalities": [30, 0]}),
        "monthly": pd.DataFrame({"month": va.period_months(start, end), "events": [0] * 12, "fatalities": [30] + [0] * 11}),
        "sizes": np.array([1, 2, 3, 5, 8, 13, 21, 1, 1, 2]),
        "size_years": [2015],
    }

    def ev(fg, fk):
        return pd.DataFrame({"event_date": [dt.date(2015, 1, 5), dt.date(2015, 2, 5)], "event_type": ["Battles"] * 2,
                             "admin1": ["Gao", "Kidal"], "fatalities": [fg, fk]})

    v = va.compare(obs, [ev(20, 10), ev(10, 20)], start, end)
    r = v.result
    assert r["replicates"] == 2
    assert r["regions"]["spearman_per_replicate"] == pytest.approx([1.0, 0.5])
    assert r["yearly"][0]["observed"] == 30 and r["yearly"][0]["model_median"] == 30
    assert r["event_types"]["compared"][0]["event_type"] == "Battles"
    assert r["event_types"]["compared"][0]["observed_event_share"] == pytest.approx(1.0)
    assert [t["event_type"] for t in r["event_types"]["not_produced"]] == ["Riots"]
    assert 0.0 <= r["monthly"]["coverage"] <= 1.0
    json.dumps(r)  # JSON-able


# ---------------------------------------------------------------------------------------------
# against the shared data (engine runs)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes
    from azalai.data.ucdp import import_ucdp

    st = tmp_path_factory.mktemp("val") / "store.duckdb"
    import_ucdp(UCDP, st)
    import_acled_aggregates(MONTHLY, st)
    import_acled_event_sizes(SIZES, st)
    return st


@have_data
def test_validate_acled_aggregates_writes_table_and_json(store, tmp_path):
    v = va.validate("acled-aggregates", "2015-01-01:2016-06-30", n=3, store=store, seed=5, days=120)
    r = v.result
    assert r["period"]["start"] == "2015-01-01" and r["period"]["days"] == 120
    for key in ("yearly", "annual_rate", "regions", "event_types", "monthly", "event_sizes"):
        assert key in r
    assert len(r["regions"]["spearman_per_replicate"]) == 3
    assert len(r["monthly"]["months"]) == 4 and 0 <= r["monthly"]["coverage"] <= 1
    assert r["event_sizes"]["observed_tail"]["alpha"] > 1
    assert "ks" in r["event_sizes"]
    # Ranks: each replicate has at least one deadliest region and at least two among the two deadliest
    # (more when tied); the observed ranks follow the observed fatalities.
    table = r["regions"]["table"]
    assert sum(g["replicates_deadliest"] for g in table) >= 3
    assert sum(g["replicates_top_two"] for g in table) >= 6
    assert all(g["replicates_deadliest"] <= g["replicates_top_two"] <= 3 for g in table)
    by_obs = sorted(table, key=lambda g: -g["observed_fatalities"])
    assert by_obs[0]["observed_rank"] == 1
    assert all(a["observed_rank"] <= b["observed_rank"] for a, b in zip(by_obs, by_obs[1:]))
    assert sum(g["model_share_pooled"] for g in table) == pytest.approx(1.0)
    # Who fights whom: every class, observed shares summing to one over the violent events.
    inter = r["interactions"]
    assert [row["interaction"] for row in inter] == list(INTERACTIONS)
    assert sum(row["observed_fatality_share"] for row in inter) == pytest.approx(1.0)
    assert all(0.0 <= row["model_event_share_median"] <= 1.0 for row in inter)
    paths = write_outputs(v, tmp_path / "out")
    md = paths["markdown"].read_text()
    assert "| fatalities per year |" in md and "Spearman" in md and "tail exponent" in md
    js = json.loads(paths["json"].read_text())
    assert js["observed"] == "acled-aggregates" and js["replicates"] == 3
    for name in ("yearly", "regions", "monthly", "event_sizes", "event_types"):
        assert (tmp_path / "out" / f"{name}.png").stat().st_size > 1000


def test_interaction_classes_follow_the_actor_types():
    # state vs rebel, external vs identity militia, rebel vs political militia, militia vs civilians,
    # external forces alone (an IED with no counterpart), protesters, state vs external
    inter1 = [1, 8, 2, 4, 8, 6, 1]
    inter2 = [2, 4, 3, 7, 0, 0, 8]
    assert [INTERACTIONS[k] for k in interaction_class(inter1, inter2)] == [
        "forces vs armed groups", "forces vs armed groups", "armed groups vs armed groups", "against civilians",
        "other", "other", "other"]
    t = interaction_totals(inter1, inter2, ["Battles"] * 6 + ["Protests"], [1] * 7, [3, 2, 5, 4, 1, 0, 9])
    assert t["fatalities"].tolist() == [5.0, 5.0, 4.0, 1.0]  # the protest row is not a violent event


@have_data
def test_validate_ucdp_uses_ged_form(store):
    v = va.validate("ucdp", "2015-01-01:2016-06-30", n=2, store=store, seed=1, days=90)
    types = {t["event_type"] for t in v.result["event_types"]["compared"]}
    assert types <= {"State-based violence", "Non-state violence", "One-sided violence"}
    assert v.result["interactions"] == []  # UCDP has no actor types: its type of violence is the mix above


@have_data
def test_validate_cli(store, tmp_path):
    from typer.testing import CliRunner

    from azalai.cli.main import app

    res = CliRunner().invoke(app, ["validate", "--observed", "acled-aggregates", "--period", "2015-01-01:2015-03-31",
                                   "-n", "2", "--store", str(store), "--out", str(tmp_path / "v")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "v" / "validation.md").exists() and (tmp_path / "v" / "validation.json").exists()


def test_validate_without_data_errors_clearly(tmp_path):
    from azalai.data.acled import import_acled_event_sizes

    with pytest.raises(InputError, match="azalai data import"):
        va.validate("acled-aggregates", "2015-01-01:2015-12-31", n=1, store=tmp_path / "none.duckdb")
    if SIZES.exists():
        st = tmp_path / "sizes_only.duckdb"
        import_acled_event_sizes(SIZES, st)
        with pytest.raises(InputError, match="acled-aggregates"):
            va.validate("acled-aggregates", "2015-01-01:2015-12-31", n=1, store=st)
    with pytest.raises(InputError, match="unknown observed"):
        va.validate("gdelt", "2015-01-01:2015-12-31", n=1, store=tmp_path / "none.duckdb")

"""Simulated events carry every column of ACLED's export and load into the same tables as a real download."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from azalai.scenario.acled import DISORDER_TYPES, EXPORT_COLUMNS, INTER_TYPES, interaction_text

pytestmark = pytest.mark.xdist_group("acled_export")


def azalai(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("AZALAI_STORE", None)
    env.update({"COLUMNS": "200", "MPLBACKEND": "Agg"})
    return subprocess.run([sys.executable, "-m", "azalai.cli.main", *args], capture_output=True, text=True,
                          timeout=900, env=env, cwd=cwd)  # fmt: skip


def test_the_reader_knows_every_column_of_the_export() -> None:
    from azalai.data import acled

    assert [names[0] for names in acled.EVENT_COLUMNS.values()] == EXPORT_COLUMNS
    assert len(EXPORT_COLUMNS) == 31 and EXPORT_COLUMNS[0] == "event_id_cnty" and EXPORT_COLUMNS[-1] == "timestamp"


def test_event_frame_has_the_export_columns_then_the_causes() -> None:
    from azalai.model.engine import simulate
    from azalai.model.events import EXTRA_COLUMNS

    ev = simulate("mali-2016", "counter-trafficking", seed=5, days=120).events
    assert len(ev) > 20
    assert list(ev.columns) == EXPORT_COLUMNS + EXTRA_COLUMNS
    assert ev["event_id_cnty"].is_unique
    types = set(INTER_TYPES.values())
    assert set(ev["inter1"]) <= types and set(ev["inter2"]) <= types | {""}
    for r in ev.itertuples(index=False):
        codes = {v: k for k, v in INTER_TYPES.items()}
        assert r.interaction == interaction_text(codes[r.inter1], codes.get(r.inter2, 0))
        assert r.disorder_type == DISORDER_TYPES[r.event_type]
        assert r.timestamp == int(dt.datetime.combine(r.event_date, dt.time(), dt.timezone.utc).timestamp())
        assert r.year == r.event_date.year and r.time_precision == 1 and r.geo_precision == 1
    mali = ev[ev["country"] == "Mali"]
    assert len(mali) and set(mali["iso"]) == {466} and set(ev["region"]) == {"Western Africa"}
    assert set(ev["tags"]) == {"simulated"} and set(ev["source"]) == {"azalai simulation"}
    assert "State forces-Rebel group" in set(ev["interaction"]) or "Rebel group-External/Other forces" in set(
        ev["interaction"])


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    store = str(tmp / "s.duckdb")
    r = azalai("run", "--policy", "counter-trafficking", "--seed", "3", "--days", "90", "--store", store,
               "--out", str(tmp / "run"), "--format", "json", cwd=tmp)  # fmt: skip
    assert r.returncode == 0, r.stderr
    rid = json.loads(azalai("runs", "list", "--store", store, "--format", "json", cwd=tmp).stdout)[0]["run_id"]
    n = duckdb.connect(store, read_only=True).execute("SELECT count(*) FROM run_events").fetchone()[0]
    return tmp, store, rid, n


def test_acled_csv_export_agrees_column_for_column_and_imports(stored_run) -> None:
    tmp, store, rid, n = stored_run
    out = tmp / "events.acled.csv"
    r = azalai("runs", "export", rid[:12], "--format", "acled-csv", "--out", str(out), "--store", store, cwd=tmp)
    assert r.returncode == 0, r.stderr
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == EXPORT_COLUMNS  # the reader's columns (test above), in ACLED's order
    assert len(rows) - 1 == n
    # The reader imports the simulated file like a real download, every row.
    r = azalai("data", "import", "acled", str(out), "--scenario", "mali-2016", "--store", str(tmp / "obs.duckdb"),
               cwd=tmp)  # fmt: skip
    assert r.returncode == 0, r.stderr
    con = duckdb.connect(str(tmp / "obs.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM observed_events WHERE source = 'acled'").fetchone()[0] == n
    first = rows[1]
    got = con.execute("SELECT inter1_type, event_type FROM observed_events WHERE event_id = ?", [first[0]]).fetchone()
    assert got == (first[EXPORT_COLUMNS.index("inter1")], first[EXPORT_COLUMNS.index("event_type")])
    again = azalai("runs", "export", rid, "--format", "acled-csv", "--out", str(out), "--store", store, cwd=tmp)
    assert again.returncode == 2 and "--force" in again.stderr


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv"])
def test_geo_and_full_exports_open(stored_run, fmt: str) -> None:
    tmp, store, rid, n = stored_run
    out = tmp / f"events.{fmt}"
    r = azalai("runs", "export", rid, "--format", fmt, "--out", str(out), "--store", store, cwd=tmp)
    assert r.returncode == 0, r.stderr
    if fmt == "csv":
        import pandas as pd

        df = pd.read_csv(out)
        assert list(df.columns[:2]) == ["run_id", "seed"] and "cause_chain" in df.columns and len(df) == n
        return
    gpd = pytest.importorskip("geopandas")
    gdf = gpd.read_file(out, **({"layer": "events"} if fmt == "gpkg" else {}))
    assert len(gdf) == n and gdf.crs.to_epsg() == 4326
    assert set(EXPORT_COLUMNS) <= set(gdf.columns)
    assert (gdf.geometry.x - gdf["longitude"]).abs().max() < 1e-9 and (gdf.geometry.y - gdf["latitude"]).abs().max() < 1e-9


def test_wrong_run_and_format(stored_run) -> None:
    tmp, store, rid, n = stored_run
    r = azalai("runs", "export", "nope", "--store", store, cwd=tmp)
    assert r.returncode == 2 and "RUN_ID" in r.stderr and "Traceback" not in r.stderr
    r = azalai("runs", "export", rid, "--format", "shp", "--store", store, cwd=tmp)
    assert r.returncode == 2 and "'--format'" in r.stderr


OLD_RUN_EVENTS = """CREATE TABLE run_events (
    run_id TEXT, seed BIGINT, event_id TEXT, event_date DATE, year INTEGER, event_type TEXT,
    sub_event_type TEXT, actor1 TEXT, assoc_actor_1 TEXT, inter1 INTEGER, actor2 TEXT, assoc_actor_2 TEXT,
    inter2 INTEGER, interaction INTEGER, civilian_targeting TEXT, admin1 TEXT, location TEXT,
    latitude DOUBLE, longitude DOUBLE, fatalities INTEGER, notes TEXT, day INTEGER, mechanism TEXT,
    cause_chain TEXT, cause_json TEXT, actor1_id TEXT, actor2_id TEXT, place_id TEXT, region_id TEXT)"""


def test_a_store_written_before_is_upgraded(tmp_path: Path) -> None:
    from azalai.experiment.runs import EVENT_COLUMNS
    from azalai.experiment.store_tables import ensure_tables

    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(OLD_RUN_EVENTS)
    con.execute("INSERT INTO run_events VALUES ('r', 1, 'AZ1-1', DATE '2016-07-02', 2016, 'Battles', 'Armed clash', "
                "'FAMa', '', 1, 'MNLA', '', 2, 12, '', 'Kidal', 'Kidal', 18.4, 1.4, 3, 'n', 1, 'violence', 'c', '[]', "
                "'fama', 'mnla', 'kidal', 'kidal'), ('r', 1, 'AZ1-2', DATE '2016-07-03', 2016, 'Protests', "
                "'Peaceful protest', 'Protesters (Mali)', '', 6, '', '', 0, 60, '', 'Gao', 'Gao', 16.3, 0.0, 0, 'n', 2, "
                "'operations', 'c', '[]', 'protesters', '', 'gao', 'gao')")  # fmt: skip
    ensure_tables(con)
    cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'run_events' ORDER BY ordinal_position").fetchall()]
    assert cols == ["run_id", "seed", *EVENT_COLUMNS]
    rows = con.execute("SELECT event_id_cnty, inter1, inter2, interaction, disorder_type, timestamp FROM run_events "
                       "ORDER BY day").fetchall()  # fmt: skip
    assert rows == [
        ("AZ1-1", "State forces", "Rebel group", "State forces-Rebel group", "Political violence", 1467417600),
        ("AZ1-2", "Protesters", "", "Protesters only", "Demonstrations", 1467504000),
    ]

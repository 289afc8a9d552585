"""Export a stored run's events for other tools: CSV, ACLED's CSV layout, GeoJSON and GeoPackage.

* ``csv``: every column of ``run_events`` (run id, seed, the ACLED columns, then the cause columns);
* ``acled-csv``: exactly the columns of ACLED's current export, in its order
  (:data:`azalai.scenario.acled.EXPORT_COLUMNS`), so the file stacks with a real download and loads
  with ``azalai data import acled``;
* ``geojson`` and ``gpkg``: one point per event (WGS 84) with every column, written by GeoPandas
  through pyogrio (``pip install 'azalai[geo]'``), for QGIS, R (sf) or any GIS.
"""

from __future__ import annotations

import os
from pathlib import Path

from azalai.errors import InputError, Problem
from azalai.experiment.store_tables import ensure_tables
from azalai.scenario.acled import EXPORT_COLUMNS

FORMATS = ("csv", "acled-csv", "geojson", "gpkg")
SUFFIX = {"csv": ".csv", "acled-csv": ".acled.csv", "geojson": ".geojson", "gpkg": ".gpkg"}


def run_events(con, run_id: str, seed: int | None = None):
    """The stored events of a run (every replicate, or the one with ``seed``), ordered by seed and day."""
    where, args = "run_id = ?", [run_id]
    if seed is not None:
        where, args = where + " AND seed = ?", [run_id, int(seed)]
    return con.execute(f"SELECT * FROM run_events WHERE {where} ORDER BY seed, day, event_id_cnty", args).fetchdf()


def acled_frame(events):
    """The events in ACLED's export layout: its columns only, dates as YYYY-MM-DD, blanks as empty text."""
    df = events[EXPORT_COLUMNS].copy()
    df["event_date"] = [str(d)[:10] for d in df["event_date"]]
    return df


def _geo_frame(events):
    import geopandas as gpd

    df = events.copy()
    df["event_date"] = [str(d)[:10] for d in df["event_date"]]
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]), crs="EPSG:4326")


def export_run(con, run_id: str, fmt: str, path: str | os.PathLike, seed: int | None = None) -> tuple[Path, int]:
    """Write a run's events to ``path`` in ``fmt`` (see :data:`FORMATS`); returns (path, events written)."""
    if fmt not in FORMATS:
        raise InputError(Problem("<arguments>", None, None, "--format", f"must be one of {', '.join(FORMATS)}"))
    ensure_tables(con)  # a store written before the ACLED columns is upgraded first
    events = run_events(con, run_id, seed)
    if not len(events):
        what = f"seed {seed} of run {run_id}" if seed is not None else f"run {run_id}"
        raise InputError(Problem("<arguments>", None, None, "RUN_ID",
                                 f"no stored events for {what} (ensembles store the events of their first replicates)"))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        events.to_csv(out, index=False)
    elif fmt == "acled-csv":
        acled_frame(events).to_csv(out, index=False)
    else:
        try:
            import geopandas  # noqa: F401
        except ImportError:
            raise InputError(Problem("<arguments>", None, None, "--format",
                                     f"{fmt} needs GeoPandas and pyogrio: pip install 'azalai[geo]'")) from None
        gdf = _geo_frame(events)
        driver = "GeoJSON" if fmt == "geojson" else "GPKG"
        if out.exists():
            out.unlink()
        gdf.to_file(out, driver=driver, engine="pyogrio", **({"layer": "events"} if fmt == "gpkg" else {}))
    return out, len(events)

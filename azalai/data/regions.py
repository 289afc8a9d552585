"""Map observed region names and coordinates to a scenario's region ids.

By name: ACLED's ``admin1`` or UCDP's ``adm_1`` is compared, ignoring case, accents, punctuation and
a trailing "region"/"région", with each scenario region's ``acled_admin1``, ``name`` and
``aliases``, plus a few spellings every Mali dataset uses (Timbuktu = Tombouctou, OCHA's
"Koulikouro" = Koulikoro ...).

By place: when a GeoJSON boundaries file is given (for example OCHA's admin1 polygons), a point is
located by ray casting in the polygons (Polygon and MultiPolygon, holes respected) and the polygon's
name property is then mapped by name. The property is configurable; by default the first of
``admin1Name_en``, ``ADM1_EN``, ``admin1Name``, ``shapeName``, ``NAME_1``, ``name`` present is used.

Regions are any objects (or dicts) with ``id``, ``name``, ``acled_admin1`` and ``aliases``, such as
:class:`azalai.scenario.schema.Region`; :func:`RegionMapper.from_scenario` takes a scenario.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from azalai.errors import DataImportError, Problem
from azalai.scenario.loader import load_scenario

DEFAULT_NAME_PROPERTIES = ("admin1Name_en", "ADM1_EN", "admin1Name", "shapeName", "NAME_1", "name")

# Spellings of the same Malian admin1 region seen across ACLED, UCDP, OCHA and GeoNames.
# Keys and values are normalised names; values are the canonical spelling.
KNOWN_VARIANTS = {
    "timbuktu": "tombouctou",
    "timbuctoo": "tombouctou",
    "tumbutu": "tombouctou",
    "koulikouro": "koulikoro",
    "taoudeni": "taoudenit",
    "taoudenni": "taoudenit",
    "district de bamako": "bamako",
    "bamako district": "bamako",
}

# Regions created in 2016 out of older ones (Ménaka from Gao, Taoudénit from Tombouctou). A name
# that no scenario region claims falls back to the region it was carved from.
PARENT_REGIONS = {"menaka": "gao", "taoudenit": "tombouctou"}

_SUFFIXES = re.compile(r"\s+(region|province|district|cercle|prefecture)$")
_PREFIXES = re.compile(r"^(region|district) (de |du |of )?")


def normalise_name(name: str | None) -> str:
    """Lower case, no accents, punctuation as spaces, without a "region" prefix/suffix."""
    if not name:
        return ""
    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()
    s = _SUFFIXES.sub("", s)
    s = _PREFIXES.sub("", s).strip()
    return KNOWN_VARIANTS.get(s, s)


def _get(obj: Any, attr: str, default=None):
    if isinstance(obj, dict):
        return obj.get(attr, default)
    return getattr(obj, attr, default)


# ---------------------------------------------------------------------------------------------
# geometry
# ---------------------------------------------------------------------------------------------


def point_in_ring(lon: float, lat: float, ring: list[list[float]]) -> bool:
    """Ray casting (even-odd rule): is (lon, lat) inside the closed ring of [lon, lat] pairs?"""
    inside = False
    n = len(ring)
    if n < 3:
        return False
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def point_in_polygon(lon: float, lat: float, rings: list) -> bool:
    """Inside the outer ring and outside every hole."""
    if not rings or not point_in_ring(lon, lat, rings[0]):
        return False
    return not any(point_in_ring(lon, lat, hole) for hole in rings[1:])


@dataclass
class Area:
    name: str
    polygons: list  # list of polygons, each a list of rings
    bbox: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max

    def contains(self, lat: float, lon: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            return False
        return any(point_in_polygon(lon, lat, poly) for poly in self.polygons)


def load_boundaries(path: str | os.PathLike, name_property: str | None = None) -> list[Area]:
    """Read a GeoJSON FeatureCollection of Polygon/MultiPolygon features into :class:`Area` objects."""
    from azalai.safeio import read_json

    file = str(path)
    doc = read_json(path, "boundaries file (GeoJSON)", error_cls=DataImportError)
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or not features:
        raise DataImportError(
            Problem(file, None, None, "features", "expected a GeoJSON FeatureCollection with features"), file=file
        )
    props0 = features[0].get("properties") or {}
    if name_property is None:
        name_property = next((p for p in DEFAULT_NAME_PROPERTIES if p in props0), None)
        if name_property is None:
            raise DataImportError(
                Problem(
                    file, None, None, "properties",
                    f"no region name property among {', '.join(DEFAULT_NAME_PROPERTIES)}; "
                    f"the features have {', '.join(props0) or 'no properties'}; choose one with --name-property",
                ),
                file=file,
            )
    areas = []
    for i, f in enumerate(features):
        props = f.get("properties") or {}
        if name_property not in props:
            raise DataImportError(
                Problem(file, None, None, f"features[{i}].properties",
                        f"property {name_property!r} missing; the feature has {', '.join(props) or 'none'}"),
                file=file,
            )
        geom = f.get("geometry") or {}
        gtype = geom.get("type")
        coords = geom.get("coordinates")
        if gtype == "Polygon":
            polygons = [coords]
        elif gtype == "MultiPolygon":
            polygons = list(coords)
        else:
            continue  # points, lines: nothing to be inside of
        xs = [pt[0] for poly in polygons for ring in poly[:1] for pt in ring]
        ys = [pt[1] for poly in polygons for ring in poly[:1] for pt in ring]
        if not xs:
            continue
        areas.append(Area(str(props[name_property]), polygons, (min(xs), min(ys), max(xs), max(ys))))
    if not areas:
        raise DataImportError(
            Problem(file, None, None, "features", "no Polygon or MultiPolygon features"), file=file
        )
    return areas


# ---------------------------------------------------------------------------------------------
# mapper
# ---------------------------------------------------------------------------------------------


class RegionMapper:
    """Maps observed admin1 names and coordinates to scenario region ids.

    ``regions``: scenario regions (objects or dicts with id, name, acled_admin1, aliases), or
    ``None`` to map nothing to ids (``region_id`` stays NULL) while still locating points.
    ``boundaries``: an optional GeoJSON file for point-in-polygon; with it, coordinates win over
    the admin1 name given in the row, which is used only when the point falls outside every polygon.
    """

    def __init__(
        self,
        regions: Iterable[Any] | None = None,
        boundaries: str | os.PathLike | None = None,
        name_property: str | None = None,
    ) -> None:
        self.regions = list(regions) if regions is not None else []
        self._by_name: dict[str, str] = {}
        for r in self.regions:
            rid = _get(r, "id")
            names = [_get(r, "acled_admin1"), _get(r, "name"), rid, *(_get(r, "aliases", []) or [])]
            for n in names:
                key = normalise_name(n)
                if key and key not in self._by_name:
                    self._by_name[key] = rid
        self.areas: list[Area] = load_boundaries(boundaries, name_property) if boundaries else []

    @classmethod
    def from_scenario(cls, scenario, boundaries=None, name_property=None) -> "RegionMapper":
        return cls(scenario.regions, boundaries, name_property)

    @property
    def has_regions(self) -> bool:
        return bool(self.regions)

    def by_name(self, name: str | None) -> str | None:
        """The region id for an admin1 name, or None."""
        key = normalise_name(name)
        rid = self._by_name.get(key)
        if rid is None and key in PARENT_REGIONS:
            rid = self._by_name.get(PARENT_REGIONS[key])
        return rid

    def locate(self, lat: float | None, lon: float | None) -> str | None:
        """The boundaries file's name of the polygon holding the point, or None."""
        if lat is None or lon is None or not self.areas:
            return None
        for a in self.areas:
            if a.contains(lat, lon):
                return a.name
        return None

    def by_point(self, lat: float | None, lon: float | None) -> str | None:
        """The region id for a point (through the polygon's name), or None."""
        name = self.locate(lat, lon)
        return self.by_name(name) if name is not None else None

    def map(self, admin1: str | None, lat: float | None = None, lon: float | None = None) -> tuple[str | None, str]:
        """``(region_id, how)``; ``how`` is 'point', 'name' or 'unmapped'."""
        if self.areas and lat is not None and lon is not None:
            rid = self.by_point(lat, lon)
            if rid is not None:
                return rid, "point"
        rid = self.by_name(admin1)
        if rid is not None:
            return rid, "name"
        return None, "unmapped"


def map_region(regions, admin1: str | None, lat=None, lon=None, boundaries=None, name_property=None) -> str | None:
    """One-off convenience: the region id for a name and/or point."""
    return RegionMapper(regions, boundaries, name_property).map(admin1, lat, lon)[0]


def load_regions(scenario: str | os.PathLike | None):
    """The regions of a scenario given by name or path (``None`` → ``None``)."""
    if scenario is None:
        return None
    if hasattr(scenario, "regions"):
        return list(scenario.regions)
    return list(load_scenario(str(scenario)).regions)

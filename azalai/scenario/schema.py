"""The scenario language: pydantic models of a conflict system.

A scenario is a YAML file whose top-level keys are the fields of :class:`Scenario`.
Every entity carries a ``source`` (a seed quote, a dataset citation, or ``assumption: <why>``)
and may carry ``aliases``. Uncertain numbers are written either as a plain number or as
``{value: 120, range: [60, 250]}``.

Cross-references (a route's ``from``/``to``, an actor's ``base_communities`` ...) are checked by
:func:`azalai.scenario.loader.validate_references`, which reports every broken reference with a
"did you mean" hint; the models here check types, ranges and local consistency only.
"""

from __future__ import annotations

import datetime as _dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", min_length=1, max_length=64)]
Source = Annotated[str, Field(min_length=3, max_length=2000)]


class Strict(BaseModel):
    """Base for every scenario model: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Uncertain(Strict):
    """A number known only within a plausible range."""

    value: float
    range: tuple[float, float]

    @model_validator(mode="after")
    def _range_holds_value(self) -> "Uncertain":
        lo, hi = self.range
        if lo > hi:
            raise ValueError(f"range [{lo}, {hi}] is reversed")
        if not (lo <= self.value <= hi):
            raise ValueError(f"value {self.value} lies outside its range [{lo}, {hi}]")
        return self


def _as_uncertain(v: object) -> object:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return {"value": float(v), "range": (float(v), float(v))}
    return v


class UncertainNonNeg(Uncertain):
    @model_validator(mode="after")
    def _non_negative(self) -> "UncertainNonNeg":
        if self.value < 0 or self.range[0] < 0:
            raise ValueError("must not be negative")
        return self


Number = Annotated[UncertainNonNeg, Field()]


class PlaceKind(str, Enum):
    town = "town"
    border_crossing = "border_crossing"
    external_node = "external_node"


class Terrain(str, Enum):
    paved = "paved"
    laterite = "laterite"
    track = "track"
    desert = "desert"
    river = "river"


class ActorKind(str, Enum):
    state = "state"
    signatory = "signatory"
    jihadist = "jihadist"
    international = "international"
    militia = "militia"  # a community's self-defence militia


class AcledActorType(str, Enum):
    state_forces = "State forces"
    rebel_group = "Rebel group"
    political_militia = "Political militia"
    identity_militia = "Identity militia"
    external_other = "External/Other forces"


ACLED_INTER_CODE = {
    AcledActorType.state_forces: 1,
    AcledActorType.rebel_group: 2,
    AcledActorType.political_militia: 3,
    AcledActorType.identity_militia: 4,
    AcledActorType.external_other: 8,
}


class Aspiration(str, Enum):
    independence = "independence"
    autonomy = "autonomy"
    representation = "representation"
    status = "status"  # raise the standing of formerly subordinate groups
    security = "security"
    religious_order = "religious_order"


class Livelihood(str, Enum):
    """What a community mainly lives from (farmer-herder competition, docs/ODD.md §7.11)."""

    herding = "herding"
    farming = "farming"
    fishing = "fishing"
    trade = "trade"
    other = "other"


class SocialStatus(str, Enum):
    dominant = "dominant"
    intermediate = "intermediate"
    subordinate = "subordinate"


class Meta(Strict):
    id: Id
    name: str
    description: str = ""
    version: str = "1"
    source: Source
    country: str = Field("", description="country of the scenario's territory, as ACLED writes it (events' `country`)")
    iso: int | None = Field(None, ge=0, le=999, description="ISO 3166 numeric code of that country (events' `iso`)")
    acled_region: str = Field("", description="ACLED's world region of that country, e.g. Western Africa")


class Calendar(Strict):
    start: _dt.date
    horizon_days: int = Field(ge=1, le=36500)
    source: Source = "assumption: default calendar"


class BoundingBox(Strict):
    lat_min: float = Field(ge=-90, le=90)
    lat_max: float = Field(ge=-90, le=90)
    lon_min: float = Field(ge=-180, le=180)
    lon_max: float = Field(ge=-180, le=180)

    @model_validator(mode="after")
    def _ordered(self) -> "BoundingBox":
        if self.lat_min >= self.lat_max or self.lon_min >= self.lon_max:
            raise ValueError("bounding box minima must be below maxima")
        return self


class Region(Strict):
    id: Id
    name: str
    acled_admin1: str = Field(description="admin1 name as ACLED/UCDP write it")
    zone: Literal["north", "centre", "south", "outside"]
    aliases: list[str] = []
    country: str | None = Field(None, description="country, when not the scenario's (regions outside it)")
    iso: int | None = Field(None, ge=0, le=999, description="ISO 3166 numeric code of `country`")
    source: Source


class Place(Strict):
    id: Id
    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    region: Id
    kind: PlaceKind = PlaceKind.town
    aliases: list[str] = []
    source: Source


class Route(Strict):
    from_: Id = Field(alias="from")
    to: Id
    length_km: float = Field(gt=0, le=5000)
    terrain: Terrain
    aliases: list[str] = []
    source: Source


class Community(Strict):
    id: Id
    name: str
    aspirations: list[Aspiration] = Field(min_length=1)
    social_status: SocialStatus
    population: dict[Id, Annotated[float, Field(ge=0)]] = Field(description="people by place id")
    trafficking_dependence: Uncertain = Field(description="share of livelihood from trafficking, 0..1")
    livelihood: Livelihood = Field(Livelihood.other, description="herding, farming, fishing, trade or other")
    aliases: list[str] = []
    source: Source

    @field_validator("trafficking_dependence", mode="before")
    @classmethod
    def _u(cls, v: object) -> object:
        return _as_uncertain(v)

    @field_validator("trafficking_dependence")
    @classmethod
    def _unit(cls, v: Uncertain) -> Uncertain:
        if not (0.0 <= v.range[0] and v.range[1] <= 1.0):
            raise ValueError("must lie within 0..1")
        return v


class Actor(Strict):
    id: Id
    name: str
    acled_name: str
    acled_type: AcledActorType
    kind: ActorKind
    coalition: Id | None = None
    base_communities: list[Id] = []
    fighters: dict[Id, Annotated[float, Field(ge=0)]] = Field(description="fighters by place id")
    fighters_uncertainty: tuple[float, float] = Field(
        (1.0, 1.0), description="multiplicative plausible range applied to every fighter count"
    )
    cash: UncertainNonNeg = Field(description="cash in hand, USD")
    aliases: list[str] = []
    source: Source

    @field_validator("cash", mode="before")
    @classmethod
    def _u(cls, v: object) -> object:
        return _as_uncertain(v)


class Membership(Strict):
    """Dual-hatted fighters: a share of ``actor``'s fighters also belong to ``also``."""

    actor: Id
    also: Id
    share: float = Field(ge=0, le=1)
    source: Source


class ActorRelation(Strict):
    a: Id
    b: Id
    value: float = Field(ge=-1, le=1)
    source: Source


class CommunityRelation(Strict):
    a: Id
    b: Id
    value: float = Field(ge=-1, le=1)
    source: Source


class Support(Strict):
    community: Id
    actor: Id
    value: float = Field(ge=0, le=1)
    source: Source


class Relations(Strict):
    actors: list[ActorRelation] = []
    communities: list[CommunityRelation] = []
    support: list[Support] = []


class Commodity(Strict):
    id: Id
    name: str
    entry: list[Id] = Field(min_length=1)
    exit: list[Id] = Field(min_length=1)
    volume_per_month: UncertainNonNeg
    unit: str
    value_per_unit: UncertainNonNeg = Field(description="USD per unit at the point of transit")
    aliases: list[str] = []
    source: Source

    @field_validator("volume_per_month", "value_per_unit", mode="before")
    @classmethod
    def _u(cls, v: object) -> object:
        return _as_uncertain(v)


class BusinessAllocation(Strict):
    """A (reportedly secret) provision: ``actor`` protects trade through ``places``."""

    actor: Id
    places: list[Id] = Field(min_length=1)
    source: Source


class Provisions(Strict):
    ceasefire: bool = True
    ddr: bool = False
    interim_authorities: dict[Id, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict, description="share of interim posts promised to each signatory"
    )
    business: list[BusinessAllocation] = []


class Accord(Strict):
    id: Id
    name: str
    date: _dt.date
    signatories: list[Id] = Field(min_length=2)
    provisions: Provisions
    aliases: list[str] = []
    source: Source


class InternationalForce(Strict):
    actor: Id
    mandate: str
    bases: list[Id] = Field(min_length=1)
    organised_crime_units: list[Id] = []
    area_of_operations: list[Id] = Field(
        default_factory=list, description="region ids where the force may deploy (default: its bases' regions)"
    )
    source: Source


class Aim(Strict):
    """A declared aim of an actor: places (or whole regions) it seeks to hold, with a weight.

    Aims add to the value of those places when the actor reallocates its fighters (docs/ODD.md §7.9).
    """

    actor: Id
    name: str = ""
    places: list[Id] = []
    regions: list[Id] = []
    weight: float = Field(gt=0, le=10, description="value of holding one of these places, in units of a reference rent")
    source: Source

    @model_validator(mode="after")
    def _names_a_place(self) -> "Aim":
        if not self.places and not self.regions:
            raise ValueError("an aim must name at least one place or region")
        return self


class Season(Strict):
    """A part of the year when competition over land, pasture and water runs high (docs/ODD.md §7.11).

    ``days`` are days of the year, 1..366, start to end; a season may wrap around the new year.
    """

    id: Id
    name: str
    days: tuple[int, int]
    pressure: float = Field(ge=0, le=1, description="strength of farmer-herder competition in this season")
    source: Source

    @field_validator("days")
    @classmethod
    def _in_year(cls, v: tuple[int, int]) -> tuple[int, int]:
        for d in v:
            if not 1 <= d <= 366:
                raise ValueError(f"day {d} is outside the year (days of the year run 1..366)")
        return v


class Militia(Strict):
    """A community able to arm itself: a dormant actor the dynamics may call up (docs/ODD.md §7.10)."""

    id: Id
    name: str
    community: Id
    acled_name: str
    acled_type: AcledActorType = AcledActorType.identity_militia
    aliases: list[str] = []
    source: Source


class Scenario(Strict):
    meta: Meta
    calendar: Calendar
    bbox: BoundingBox
    regions: list[Region] = Field(min_length=1)
    places: list[Place] = Field(min_length=2)
    routes: list[Route] = Field(min_length=1)
    communities: list[Community] = Field(min_length=1)
    actors: list[Actor] = Field(min_length=2)
    memberships: list[Membership] = []
    relations: Relations = Relations()
    commodities: list[Commodity] = []
    accords: list[Accord] = []
    international_forces: list[InternationalForce] = []
    aims: list[Aim] = []
    militias: list[Militia] = []
    seasons: list[Season] = []

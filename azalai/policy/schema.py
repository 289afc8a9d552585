"""Policies: the levers a planner controls, declared once, validated as data.

A policy file sets some levers (the rest keep their defaults) and may change them on given dates::

    id: counter-trafficking
    name: Barkhane turns to the trafficking economy
    source: "seed: 'Barkane intended to target ... drug trafficking'"
    levers:
      barkhane_focus: counter-trafficking
      minusma_toc_units: true
    changes:
      - date: 2016-10-01
        levers: {vetting: 0.8}

Each lever is declared in :data:`LEVERS` with its default, range, unit and meaning; the policy
schema, the engine, the dashboard and the EMA connector all read that declaration.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

FOCUS_NAMES = {"counter-terrorism": 0.0, "mixed": 0.5, "counter-trafficking": 1.0}


@dataclass(frozen=True)
class Lever:
    name: str
    default: float
    low: float
    high: float
    unit: str
    description: str
    integer: bool = False


LEVERS: tuple[Lever, ...] = (
    Lever("barkhane_focus", 0.0, 0.0, 1.0, "0=counter-terrorism, 0.5=mixed, 1=counter-trafficking",
          "Barkhane's mission focus; also accepts the names counter-terrorism, mixed, counter-trafficking"),
    Lever("barkhane_tempo", 1.0, 0.0, 3.0, "x baseline operations per day",
          "Barkhane's operations tempo relative to mid-2016"),
    Lever("vetting", 0.3, 0.0, 1.0, "share of tips cross-checked",
          "intelligence vetting level of all international forces"),
    Lever("sweeps", 0.6, 0.0, 1.0, "probability of a sweep after an attack",
          "search-and-detain sweeps after attacks on international or state posts"),
    Lever("release_delay_days", 21.0, 1.0, 180.0, "days", "detention-release delay", True),
    Lever("harm_mitigation", 0.5, 0.0, 1.0, "share of civilian harm avoided",
          "civilian-harm mitigation in strikes and raids"),
    Lever("minusma_posture", 0.3, 0.0, 1.0, "0=static protection, 1=robust",
          "MINUSMA's posture: how often it patrols, raids and interdicts"),
    Lever("minusma_toc_units", 0.0, 0.0, 1.0, "0/1",
          "MINUSMA's transnational organised crime units in Mopti, Timbuktu and Gao"),
    Lever("state_redeployment", 0.2, 0.0, 1.0, "share of the northward target reached per year",
          "pace of the Malian state's (FAMa's) redeployment to the north"),
    Lever("state_collusion", 0.6, 0.0, 1.0, "share of allied militias' convoys let through",
          "the state's collusion with allied militias' trafficking"),
    Lever("ddr_pace", 0.05, 0.0, 1.0, "share of signatory fighters demobilised per year",
          "pace of disarmament, demobilisation and reintegration"),
    Lever("interim_fairness", 0.3, 0.0, 1.0, "0=posts by power, 1=posts by population",
          "fairness of the interim authorities' share-out of posts"),
    Lever("aid", 0.1, 0.0, 1.0, "share of unmet needs covered", "development aid (default for every region)"),
    Lever("business_respected", 0.7, 0.0, 1.0, "0..1",
          "whether the accords' (reportedly secret) business provisions are respected"),
)

LEVER_INDEX = {lv.name: i for i, lv in enumerate(LEVERS)}


def _lever_field(lv: Lever) -> tuple[Any, Any]:
    return (
        Annotated[float, Field(ge=lv.low, le=lv.high, description=f"{lv.description} [{lv.unit}]")],
        None,
    )


def _focus_name(v: object) -> object:
    if isinstance(v, str) and v in FOCUS_NAMES:
        return FOCUS_NAMES[v]
    if isinstance(v, str):
        raise ValueError(f"unknown mission focus {v!r}: use one of {', '.join(FOCUS_NAMES)} or a number 0..1")
    return v


def _bool_as_float(v: object) -> object:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    return v


class _LeverBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aid_by_region: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict, description="aid per region id, overriding `aid`"
    )

    @field_validator("barkhane_focus", mode="before", check_fields=False)
    @classmethod
    def _focus(cls, v: object) -> object:
        return _focus_name(v)

    @field_validator("minusma_toc_units", mode="before", check_fields=False)
    @classmethod
    def _toc(cls, v: object) -> object:
        return _bool_as_float(v)


LeverSettings = create_model(
    "LeverSettings",
    __base__=_LeverBase,
    **{lv.name: _lever_field(lv) for lv in LEVERS},
)


class LeverChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: _dt.date
    levers: LeverSettings  # type: ignore[valid-type]


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)]
    name: str
    description: str = ""
    source: Annotated[str, Field(min_length=3)]
    levers: LeverSettings = Field(default_factory=LeverSettings)  # type: ignore[valid-type]
    changes: list[LeverChange] = []

    def lever_values(self) -> dict[str, float]:
        """Initial lever values with defaults filled in."""
        out = {lv.name: lv.default for lv in LEVERS}
        for k, v in self.levers.model_dump(exclude={"aid_by_region"}).items():
            if v is not None:
                out[k] = float(v)
        return out

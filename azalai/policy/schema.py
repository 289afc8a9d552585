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

Each lever is declared once in ``levers.yaml`` (read by :mod:`azalai.policy.levers`) with its type,
default, range, unit and meaning; the policy schema, the engine, the dashboard and the EMA connector
all read that declaration.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from azalai.policy.levers import LEVER_INDEX, LEVERS, Lever

__all__ = ["FOCUS_NAMES", "LEVERS", "LEVER_INDEX", "Lever", "LeverChange", "LeverSettings", "Policy"]

FOCUS_NAMES = LEVERS[LEVER_INDEX["barkhane_focus"]].names


def _json_schema(lv: Lever):
    """JSON Schema of a lever for editors: a number in range, or one of its names, or a boolean."""
    number = {"type": "integer" if lv.integer else "number", "minimum": lv.low, "maximum": lv.high}
    alts = [number]
    if lv.names:
        alts.append({"enum": list(lv.names)})
    if lv.type == "boolean":
        alts.append({"type": "boolean"})

    def edit(schema: dict) -> None:
        for k in ("type", "minimum", "maximum", "anyOf"):
            schema.pop(k, None)
        if len(alts) == 1:
            schema.update(number)
        else:
            schema["anyOf"] = alts
        named = [k for k, v in lv.names.items() if v == lv.default]
        schema["default"] = bool(lv.default) if lv.type == "boolean" else (named[0] if named else lv.default)

    return edit


def _lever_field(lv: Lever) -> tuple[Any, Any]:
    return (
        Annotated[float, Field(ge=lv.low, le=lv.high, description=f"{lv.description} [{lv.unit}]",
                               json_schema_extra=_json_schema(lv))],
        None,
    )


def _lever_value(lv: Lever, v: object) -> object:
    """A lever's name (``counter-trafficking``) or boolean as the engine's float."""
    if isinstance(v, bool) and lv.type == "boolean":
        return 1.0 if v else 0.0
    if isinstance(v, str) and lv.names:
        if v in lv.names:
            return lv.names[v]
        raise ValueError(f"unknown name {v!r}: use one of {', '.join(lv.names)} or a number {lv.low:g}..{lv.high:g}")
    return v


class _LeverBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aid_by_region: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict, description="aid per region id, overriding `aid`"
    )

    @field_validator(*[lv.name for lv in LEVERS if lv.names or lv.type == "boolean"], mode="before",
                     check_fields=False)  # fmt: skip
    @classmethod
    def _named(cls, v: object, info) -> object:
        return _lever_value(LEVERS[LEVER_INDEX[info.field_name]], v)


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

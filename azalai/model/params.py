"""The parameter registry: each coefficient declared once in ``parameters.yaml``.

The engine receives parameters as a :class:`Params` namedtuple whose fields follow the registry's
order, so compiled code sees field names in its type (a changed registry recompiles the engine).
Sensitivity analysis, calibration, the EMA connector and the docs read the same registry through
:func:`registry`.
"""

from __future__ import annotations

import difflib
import os
from collections import namedtuple
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from azalai.errors import InputError, Problem

# libyaml's parser when available (8x faster at start-up; the same values as yaml.safe_load)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REGISTRY_FILE = Path(__file__).with_name("parameters.yaml")


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    mechanism: str
    source: str
    description: str


@lru_cache(maxsize=1)
def registry() -> tuple[ParamSpec, ...]:
    """Every parameter of the model, in declaration order."""
    with open(REGISTRY_FILE, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_YAML_LOADER)
    out = []
    for name, d in raw.items():
        lo, hi = d["range"]
        spec = ParamSpec(
            name=name,
            default=float(d["default"]),
            low=float(lo),
            high=float(hi),
            unit=str(d["unit"]),
            mechanism=str(d["mechanism"]),
            source=str(d["source"]),
            description=str(d["description"]),
        )
        if not (spec.low <= spec.default <= spec.high):
            raise ValueError(f"parameter {name}: default {spec.default} outside its range [{lo}, {hi}]")
        out.append(spec)
    return tuple(out)


def names() -> list[str]:
    return [p.name for p in registry()]


def spec(name: str) -> ParamSpec:
    for p in registry():
        if p.name == name:
            return p
    raise InputError(Problem("<parameters>", None, None, name, _unknown(name)))


def _unknown(name: str) -> str:
    hint = difflib.get_close_matches(name, names(), n=1)
    return f"unknown parameter {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")


Params = namedtuple("Params", names())  # type: ignore[misc]


def defaults() -> dict[str, float]:
    return {p.name: p.default for p in registry()}


def check_overrides(overrides: Mapping[str, float], origin: str = "<parameters>") -> list[Problem]:
    """Problems with a set of parameter values: unknown names, non-numbers, values outside the range."""
    problems = []
    known = {p.name: p for p in registry()}
    for k, v in overrides.items():
        if k not in known:
            problems.append(Problem(origin, None, None, k, _unknown(k)))
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            problems.append(Problem(origin, None, None, k, f"must be a number (got {v!r})"))
            continue
        p = known[k]
        if not (p.low <= x <= p.high):
            problems.append(
                Problem(origin, None, None, k, f"{x} is outside the plausible range [{p.low}, {p.high}] {p.unit}")
            )
    return problems


def make_params(overrides: Mapping[str, float] | None = None, origin: str = "<parameters>") -> Params:
    """A full parameter set: registry defaults, then calibrated values if present, then overrides."""
    values = defaults()
    values.update(calibrated_defaults())
    if overrides:
        problems = check_overrides(overrides, origin)
        if problems:
            raise InputError(problems)
        values.update({k: float(v) for k, v in overrides.items()})
    return Params(**values)


def params_dict(p: Params) -> dict[str, float]:
    return dict(p._asdict())


CALIBRATED_FILE = Path(__file__).with_name("calibrated.yaml")


@lru_cache(maxsize=1)
def _calibrated_cached(path: str) -> dict[str, float]:
    fp = Path(path)
    if not fp.exists():
        return {}
    with open(fp, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_YAML_LOADER) or {}
    vals = raw.get("values", {})
    return {k: float(v) for k, v in vals.items() if k in set(names())}


def calibrated_defaults() -> dict[str, float]:
    """Calibrated point values shipped with the package (``calibrated.yaml``), unless disabled.

    Set ``AZALAI_UNCALIBRATED=1`` to run with the registry's prior defaults.
    """
    if os.environ.get("AZALAI_UNCALIBRATED"):
        return {}
    return _calibrated_cached(str(CALIBRATED_FILE))


def load_param_file(path: str | os.PathLike) -> dict[str, float]:
    """Parameter values from a YAML file: either a flat mapping or ``{values: {...}}``.

    Read with the project's safe YAML reader (size cap, no aliases, bounded nesting), so a hostile file
    is refused with a one-line message instead of being expanded."""
    from azalai.scenario.yamlio import load_yaml_file

    loaded = load_yaml_file(path, InputError, what="parameter file")
    raw: Any = loaded.data
    prefix: tuple = ()
    if isinstance(raw, dict) and "values" in raw:
        raw, prefix = raw["values"], ("values",)
    if not isinstance(raw, dict):
        line, col = loaded.where(prefix)
        raise InputError(Problem(str(path), line, col, "", "expected a mapping of parameter names to numbers"))
    problems = [
        Problem(p.file, *(loaded.where(prefix + (p.path,)) if p.path in raw else (None, None)), p.path, p.message)
        for p in check_overrides(raw, str(path))
    ]
    if problems:
        raise InputError(problems)
    return {k: float(v) for k, v in raw.items()}

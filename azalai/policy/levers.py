"""The lever registry: every lever a planner controls, declared once in ``levers.yaml``.

The policy schema (:mod:`azalai.policy.schema`), the engine, the dashboard, the EMA connector and
``docs/policies.md`` read :data:`LEVERS`, in the file's order (the engine's lever columns follow it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

LEVERS_FILE = Path(__file__).with_name("levers.yaml")
TYPES = ("real", "integer", "boolean")

# libyaml's parser when available (8x faster at start-up; the same values as yaml.safe_load)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Lever:
    """One declared lever; ``default``, ``low`` and ``high`` are the engine's float values."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    description: str
    type: str = "real"
    names: dict[str, float] = field(default_factory=dict)

    @property
    def integer(self) -> bool:
        return self.type == "integer"


def load_levers(path: Path = LEVERS_FILE) -> tuple[Lever, ...]:
    """Read and check the lever registry (a malformed file is a programming error: ValueError)."""
    with open(path, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_YAML_LOADER)
    out = []
    for name, d in raw.items():
        typ = str(d.get("type", "real"))
        if typ not in TYPES:
            raise ValueError(f"{path}: lever {name}: type {typ!r} is not one of {', '.join(TYPES)}")
        lo, hi = (float(x) for x in d["range"])
        lv = Lever(name=name, default=float(d["default"]), low=lo, high=hi, unit=str(d["unit"]),
                   description=str(d["description"]), type=typ,
                   names={str(k): float(v) for k, v in (d.get("names") or {}).items()})  # fmt: skip
        if not lo <= lv.default <= hi or any(not lo <= v <= hi for v in lv.names.values()):
            raise ValueError(f"{path}: lever {name}: default or named value outside its range [{lo:g}, {hi:g}]")
        out.append(lv)
    return tuple(out)


LEVERS: tuple[Lever, ...] = load_levers()
LEVER_INDEX = {lv.name: i for i, lv in enumerate(LEVERS)}

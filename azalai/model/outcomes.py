"""The outcome registry: every per-run outcome, declared once in ``outcomes.yaml``.

:func:`azalai.model.engine.outcomes_of` produces exactly the declared outcomes (a test checks both
directions). Summary tables show the ``key`` outcomes; the dashboard, the report and the claims read
which outcomes bear on which of the seed's claims from here; the EMA connector and the docs read the
units and descriptions.

A family with one outcome per actor or community is declared once under a pattern such as
``revenue_{actor}``; :func:`find` matches a concrete name (``revenue_mnla``) to its declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

OUTCOMES_FILE = Path(__file__).with_name("outcomes.yaml")
PER = ("actor", "community")

# libyaml's parser when available (8x faster at start-up; the same values as yaml.safe_load)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Outcome:
    """One declared outcome (or, with ``per``, a family of them)."""

    name: str
    unit: str
    description: str
    key: bool = False
    claims: tuple[int, ...] = ()
    per: str | None = None

    def matches(self, name: str) -> bool:
        if self.per is None:
            return name == self.name
        prefix = self.name.split("{", 1)[0]
        return name.startswith(prefix) and len(name) > len(prefix)


@lru_cache(maxsize=1)
def registry() -> tuple[Outcome, ...]:
    """Every declared outcome, in the file's order."""
    with open(OUTCOMES_FILE, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_YAML_LOADER)
    out = []
    for name, d in raw.items():
        per = d.get("per")
        if per is not None and (per not in PER or "{" + per + "}" not in name):
            raise ValueError(f"{OUTCOMES_FILE}: outcome {name}: per must be one of {PER} and appear in the name")
        out.append(Outcome(name=name, unit=str(d["unit"]), description=str(d["description"]),
                           key=bool(d.get("key", False)), claims=tuple(int(c) for c in d.get("claims", ())),
                           per=per))  # fmt: skip
    return tuple(out)


def names() -> list[str]:
    """Names of the declared scalar outcomes (families excluded), in declaration order."""
    return [o.name for o in registry() if o.per is None]


def key_outcomes() -> list[str]:
    """The outcomes every summary table shows, in declaration order."""
    return [o.name for o in registry() if o.key]


def claim_outcomes(claim: int) -> list[str]:
    """The outcomes that bear on one of the seed's claims, in declaration order."""
    return [o.name for o in registry() if claim in o.claims]


def shown_outcomes() -> list[str]:
    """Key outcomes and every outcome a claim uses: what the dashboard and the report tabulate."""
    return [o.name for o in registry() if o.per is None and (o.key or o.claims)]


def find(name: str) -> Outcome | None:
    """The declaration of a concrete outcome name (exact names before families), or None."""
    reg = registry()
    exact = next((o for o in reg if o.per is None and o.name == name), None)
    return exact or next((o for o in reg if o.per is not None and o.matches(name)), None)


def describe(name: str) -> str:
    """``description [unit]`` of an outcome, or an empty string for an undeclared name."""
    o = find(name)
    return f"{o.description} [{o.unit}]" if o else ""

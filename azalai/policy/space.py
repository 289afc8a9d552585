"""Policy spaces: the candidates a robust decision compares, declared as data.

A policy-space file names built-in (or file) policies, combinations of them, and/or a design over
levers, from which :func:`candidates` enumerates or samples the candidate policies::

    id: focus-and-politics
    name: Mission focus against the political track
    source: assumption (a planning exercise)
    policies: [baseline-2016, counter-trafficking, political-track]
    combinations:
      - [counter-trafficking, political-track]   # members' departures from the lever defaults, in order
    design:
      base: baseline-2016
      method: lhs          # or grid
      n: 6                 # lhs: number of samples
      steps: 3             # grid: points per range
      seed: 0
      levers:
        vetting: {range: [0.3, 0.9]}
        barkhane_focus: {values: [counter-terrorism, counter-trafficking]}

A *combination* starts from the ``combine_from`` policy (default ``baseline-2016``) and applies, member
after member, every lever the member sets to something other than that policy does (a later member
wins where two move the same lever); dated changes of the members are merged by date. A *design* starts from its ``base`` policy and sets
the listed levers: ranges are cut into ``steps`` points (grid) or sampled by Latin hypercube (lhs);
lists of values are enumerated (grid) or drawn evenly (lhs). Problems are reported with file and line.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from azalai.defaults import DEFAULT_POLICY
from azalai.errors import PolicyError, Problem
from azalai.policy.schema import LEVER_INDEX, LEVERS, Policy
from azalai.scenario.problems import suggest, validation_problems
from azalai.scenario.yamlio import load_yaml_file

MAX_CANDIDATES = 1000


class LeverDomain(BaseModel):
    """Where a lever may go in a design: a ``range`` [low, high] or a list of ``values``."""

    model_config = ConfigDict(extra="forbid")
    range: tuple[float, float] | None = None
    values: list[float | str | bool] | None = None

    @model_validator(mode="after")
    def _one(self) -> "LeverDomain":
        if (self.range is None) == (self.values is None):
            raise ValueError("give either range: [low, high] or values: [...]")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range [{self.range[0]}, {self.range[1]}] is reversed")
        if self.values is not None and not self.values:
            raise ValueError("values must not be empty")
        return self


class Design(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base: str = DEFAULT_POLICY
    method: Literal["lhs", "grid"] = "lhs"
    n: Annotated[int, Field(ge=1, le=MAX_CANDIDATES)] = 8
    steps: Annotated[int, Field(ge=2, le=11)] = 3
    seed: Annotated[int, Field(ge=0)] = 0
    levers: dict[str, LeverDomain] = Field(min_length=1)


class PolicySpace(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)]
    name: str
    description: str = ""
    source: Annotated[str, Field(min_length=3)]
    policies: list[str] = []
    combinations: list[Annotated[list[str], Field(min_length=2)]] = []
    combine_from: str = DEFAULT_POLICY
    design: Design | None = None

    @model_validator(mode="after")
    def _something(self) -> "PolicySpace":
        if not (self.policies or self.combinations or self.design):
            raise ValueError("name at least one of policies, combinations or design")
        return self


@dataclass(frozen=True)
class Candidate:
    """A candidate policy: a short label for tables and the full policy."""

    label: str
    policy: Policy
    origin: str  # "policy", "combination" or "design"


def load_space(path: str | Path, loaded=None) -> PolicySpace:
    """Load and check a policy-space file; raise PolicyError with every problem (file:line field: message)."""
    if loaded is None:
        loaded = load_yaml_file(Path(path), PolicyError, what="policy-space file")
    try:
        space = PolicySpace.model_validate(loaded.data)
    except ValidationError as exc:
        raise PolicyError(validation_problems(exc, loaded.positions, loaded.file, PolicySpace)) from None
    problems = _check_references(space, loaded)
    if problems:
        raise PolicyError(problems)
    return space


def _check_references(space: PolicySpace, loaded) -> list[Problem]:
    from azalai.policy.loader import load_policy
    problems: list[Problem] = []

    def report(path: tuple, msg: str) -> None:
        problems.append(loaded.problem(path, msg) if loaded is not None else Problem("<space>", None, None,
                                                                                     ".".join(map(str, path)), msg))

    def check_policy(name: str, path: tuple) -> None:
        try:
            load_policy(name)
        except PolicyError as exc:
            report(path, exc.problems[0].message)

    for i, name in enumerate(space.policies):
        check_policy(name, ("policies", i))
    if space.combinations:
        check_policy(space.combine_from, ("combine_from",))
    for i, combo in enumerate(space.combinations):
        for j, name in enumerate(combo):
            check_policy(name, ("combinations", i, j))
    if space.design is not None:
        d = space.design
        check_policy(d.base, ("design", "base"))
        names = [lv.name for lv in LEVERS]
        for lever, dom in d.levers.items():
            path = ("design", "levers", lever)
            if lever not in LEVER_INDEX:
                report(path, f"unknown lever '{lever}'{suggest(lever, names)}")
                continue
            lv = LEVERS[LEVER_INDEX[lever]]
            if dom.range is not None:
                lo, hi = dom.range
                if lo < lv.low or hi > lv.high:
                    report(path + ("range",), f"must lie within {lv.low:g}..{lv.high:g} ({lv.unit}) (got [{lo:g}, {hi:g}])")
            else:
                for k, v in enumerate(dom.values or []):
                    try:
                        Policy.model_validate({"id": "x", "name": "x", "source": "check", "levers": {lever: v}})
                    except ValidationError as exc:
                        msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
                        report(path + ("values", k), f"{msg} (lever {lever}: {lv.low:g}..{lv.high:g}, {lv.unit})")
        if d.method == "grid":
            size = 1
            for dom in d.levers.values():
                size *= d.steps if dom.range is not None else len(dom.values or [])
            if size > MAX_CANDIDATES:
                report(("design", "levers"), f"the grid has {size} candidates; at most {MAX_CANDIDATES} (fewer steps or "
                                             "values, or method: lhs)")
    return problems


def _departures(pol: Policy, ref: Policy) -> dict[str, Any]:
    base = ref.lever_values()
    out: dict[str, Any] = {}
    for k, v in pol.lever_values().items():
        if float(v) != base[k]:
            out[k] = float(v)
    if pol.levers.aid_by_region != ref.levers.aid_by_region:
        out["aid_by_region"] = dict(pol.levers.aid_by_region)
    return out


def combine(names: list[str], cid: str, ref: str = DEFAULT_POLICY) -> Policy:
    """One policy from several: each member's departures from ``ref``, applied in order on top of ``ref``."""
    from azalai.policy.loader import load_policy

    members = [load_policy(n) for n in names]
    base = load_policy(ref)
    levers: dict[str, Any] = {**base.lever_values(), "aid_by_region": dict(base.levers.aid_by_region)}
    changes: dict[str, dict[str, Any]] = {}
    for ch in base.changes:
        changes.setdefault(ch.date.isoformat(), {}).update(
            {k: v for k, v in ch.levers.model_dump(exclude={"aid_by_region"}).items() if v is not None})
    for m in members:
        levers.update(_departures(m, base))
        for ch in m.changes:
            changes.setdefault(ch.date.isoformat(), {}).update(
                {k: v for k, v in ch.levers.model_dump(exclude={"aid_by_region"}).items() if v is not None})
    return Policy.model_validate({
        "id": cid, "name": " + ".join(m.name for m in members),
        "description": "combination of " + ", ".join(names), "source": "combination of built-in policies: " + ", ".join(names),
        "levers": levers, "changes": [{"date": d, "levers": lv} for d, lv in sorted(changes.items())],
    })


def _design_points(d: Design) -> list[dict[str, Any]]:
    keys = list(d.levers)
    if d.method == "grid":
        axes = []
        for k in keys:
            dom = d.levers[k]
            if dom.range is not None:
                lo, hi = dom.range
                integer = LEVERS[LEVER_INDEX[k]].integer
                axes.append([round(lo + (hi - lo) * i / (d.steps - 1), 0 if integer else 6) for i in range(d.steps)])
            else:
                axes.append(list(dom.values or []))
        return [dict(zip(keys, combo)) for combo in itertools.product(*axes)]
    import numpy as np
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(d.seed)).random(d.n)
    pts = []
    for row in u:
        p: dict[str, Any] = {}
        for k, x in zip(keys, row):
            dom = d.levers[k]
            if dom.range is not None:
                lo, hi = dom.range
                v = lo + (hi - lo) * float(x)
                p[k] = round(v) if LEVERS[LEVER_INDEX[k]].integer else round(v, 4)
            else:
                vals = dom.values or []
                p[k] = vals[min(len(vals) - 1, int(x * len(vals)))]
        pts.append(p)
    return pts


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v).lower() if isinstance(v, bool) else str(v)


def candidates(space: PolicySpace) -> list[Candidate]:
    """Every candidate of a space: its policies, its combinations, then its design points (labels unique)."""
    from azalai.policy.loader import load_policy

    out: list[Candidate] = [Candidate(n, load_policy(n), "policy") for n in space.policies]
    for i, combo in enumerate(space.combinations):
        out.append(Candidate(" + ".join(combo), combine(combo, f"combination-{i + 1}", space.combine_from),
                             "combination"))
    if space.design is not None:
        base = load_policy(space.design.base)
        for i, pt in enumerate(_design_points(space.design)):
            doc = base.model_dump(mode="json", exclude_none=True)
            doc["levers"] = {**doc.get("levers", {}), **pt}
            doc["id"] = f"design-{i + 1}"
            doc["name"] = f"{base.name} with " + ", ".join(f"{k}={_fmt(v)}" for k, v in pt.items())
            label = f"{space.design.base} [" + ", ".join(f"{k}={_fmt(v)}" for k, v in pt.items()) + "]"
            out.append(Candidate(label, Policy.model_validate(doc), "design"))
    seen: dict[str, int] = {}
    uniq = []
    for c in out:
        seen[c.label] = seen.get(c.label, 0) + 1
        uniq.append(c if seen[c.label] == 1 else Candidate(f"{c.label} ({seen[c.label]})", c.policy, c.origin))
    return uniq


def resolve_candidates(spec: str) -> list[Candidate]:
    """``all`` (the built-in policies), a comma-separated list of policies, or a policy-space file."""
    from azalai.policy.loader import builtin_policies, load_policy

    text = spec.strip()
    if text == "all":
        return [Candidate(n, load_policy(n), "policy") for n in builtin_policies()]
    if text.endswith((".yaml", ".yml")) and "," not in text:
        p = Path(text)
        if not p.exists():
            raise PolicyError([Problem(text, None, None, "", "policy-space file not found")])
        from azalai.policy.loader import policy_from_loaded
        loaded = load_yaml_file(p, PolicyError, what="policy or policy-space file")  # size, syntax, aliases checked
        head = loaded.data
        if "levers" in head and not any(k in head for k in ("policies", "combinations", "design")):
            return [Candidate(p.stem, policy_from_loaded(loaded), "policy")]  # a single policy file
        return candidates(load_space(p, loaded))
    names = [s.strip() for s in text.split(",") if s.strip()]
    if not names:
        raise PolicyError([Problem("<arguments>", None, None, "--policies", "name at least one policy, or 'all'")])
    return [Candidate(n, load_policy(n), "policy") for n in dict.fromkeys(names)]

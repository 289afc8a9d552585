"""Outcomes and levers are declared once (``outcomes.yaml``, ``levers.yaml``) and the code agrees with them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from azalai.analysis.claims import CLAIMS
from azalai.model import outcomes as O
from azalai.policy.levers import LEVERS, load_levers

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def produced() -> dict[str, float]:
    from azalai.model.engine import outcomes_of, prepare, run_prepared

    prep = prepare("mali-2016", "counter-trafficking", days=21)
    S = run_prepared(prep, [3], record=True)
    return outcomes_of(prep, S, 0)


def test_every_produced_outcome_is_declared(produced: dict[str, float]) -> None:
    undeclared = [k for k in produced if O.find(k) is None]
    assert not undeclared, f"outcomes produced but not declared in outcomes.yaml: {undeclared}"


def test_every_declared_outcome_is_produced(produced: dict[str, float]) -> None:
    missing = [o.name for o in O.registry() if not any(o.matches(k) for k in produced)]
    assert not missing, f"outcomes declared in outcomes.yaml but not produced by the engine: {missing}"


def test_families_expand_to_the_scenario_members(produced: dict[str, float]) -> None:
    from azalai.model.engine import prepare

    idx = prepare("mali-2016", "counter-trafficking", days=7).index
    assert {k for k in produced if k.startswith("revenue_") and k != "revenue_signatories"} == {
        f"revenue_{a}" for a in idx.actors
    }
    assert {k for k in produced if k.startswith("alienation_") and k != "alienation_mean"} == {
        f"alienation_{c}" for c in idx.communities
    }
    assert O.find("revenue_signatories").per is None and O.find(f"revenue_{idx.actors[0]}").per == "actor"


def test_claims_use_declared_outcomes() -> None:
    for c in CLAIMS:
        if c.event_study:  # measures of the event study inside runs, not per-run engine outcomes
            continue
        for name in c.expect:
            assert c.number in O.find(name).claims, f"claim {c.number} tests {name}, which does not declare it"
        assert O.claim_outcomes(c.number), f"claim {c.number} has no declared outcome"


def test_key_outcomes_are_declared_scalars() -> None:
    keys = O.key_outcomes()
    assert "fatalities" in keys and "transit_share" in keys
    assert all(O.find(k).per is None for k in keys)
    assert set(keys) <= set(O.shown_outcomes())


def test_no_outcome_list_is_typed_twice() -> None:
    """Summary tables read the declaration: no module spells out a list of outcome names."""
    pattern = re.compile(r'"fatalities",\s*"fatalities_civilian",\s*"(signatory_clashes|fatalities_battles)"')
    files = [*(ROOT / "azalai").rglob("*.py"), *(ROOT / "azalai").rglob("*.js")]
    # state.py names the engine's accumulators; the reference model lists the counters it keeps.
    allowed = {ROOT / "azalai" / "model" / "state.py", ROOT / "azalai" / "reference" / "model.py"}
    hits = [p.relative_to(ROOT) for p in files if p not in allowed and pattern.search(p.read_text())]
    assert not hits, hits


def test_levers_file_round_trip() -> None:
    again = load_levers()
    assert again == LEVERS
    assert [lv.name for lv in LEVERS][:3] == ["barkhane_focus", "barkhane_tempo", "vetting"]
    focus = next(lv for lv in LEVERS if lv.name == "barkhane_focus")
    assert focus.names["counter-trafficking"] == 1.0
    assert next(lv for lv in LEVERS if lv.name == "release_delay_days").integer


def test_bad_levers_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "levers.yaml"
    p.write_text("x:\n  type: real\n  default: 2\n  range: [0, 1]\n  unit: u\n  description: d\n")
    with pytest.raises(ValueError, match="outside its range"):
        load_levers(p)
    p.write_text("x:\n  type: fuzzy\n  default: 0\n  range: [0, 1]\n  unit: u\n  description: d\n")
    with pytest.raises(ValueError, match="type 'fuzzy'"):
        load_levers(p)


def test_default_scenario_and_policy_named_once() -> None:
    literal = re.compile(r'"(mali-2016|baseline-2016)"')
    hits = []
    for p in (ROOT / "azalai").rglob("*.py"):
        if p.name == "defaults.py":
            continue
        for i, line in enumerate(p.read_text().splitlines(), 1):
            if literal.search(line) and ">>>" not in line:
                hits.append(f"{p.relative_to(ROOT)}:{i}")
    assert not hits, hits


def test_outcome_table_is_current() -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_outcome_table.py"), "--check"],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr

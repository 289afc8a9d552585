"""Fuzzing the scenario loader: any mutation of the built-in data either loads or raises ScenarioError."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from azalai.errors import ScenarioError  # noqa: E402
from azalai.scenario.loader import builtin_path, load_scenario  # noqa: E402
from azalai.scenario.yamlio import load_yaml_file  # noqa: E402

BUILTIN = builtin_path("mali-2016")
pytestmark = pytest.mark.skipif(not BUILTIN.exists(), reason="built-in scenario mali-2016 not written yet")

ODD_VALUES = [
    None, True, False, 0, -1, -5.5, 1e300, -1e300, 10**30, 2.5, "", "x", "Kidal", "kidal", "gao",
    "not an id", "2016-02-30", [], [1, 2], {}, {"value": 1}, {"value": 5, "range": [10, 1]}, "\u00e9\u00e8", "0",
]  # fmt: skip


def _base() -> dict[str, Any]:
    return load_yaml_file(BUILTIN).data


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in [k, *_strings(v)]]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    ids = sorted({s for s in _strings(BASE) if 0 < len(s) < 30})
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = _get(data, path[:-1])
        key = path[-1]
        value = parent[key]
        op = draw(st.sampled_from(["delete", "retype", "negate", "huge", "swap_ref", "duplicate", "odd", "rename"]))
        if op == "delete":
            del parent[key]
        elif op == "retype":
            parent[key] = draw(st.sampled_from([str(value), [value], {"v": value}, 7, None]))
        elif op == "negate" and isinstance(value, (int, float)) and not isinstance(value, bool):
            parent[key] = -abs(value) - 1
        elif op == "huge" and isinstance(value, (int, float)) and not isinstance(value, bool):
            parent[key] = draw(st.sampled_from([1e12, 1e308, 10**25, 5000.5]))
        elif op == "swap_ref" and isinstance(value, str):
            parent[key] = draw(st.sampled_from(ids))
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(value))
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["colour", "id", "name", "Kidal", "from", "value"]))] = parent.pop(key)
        else:  # a copy: a later mutation must not change the shared ODD_VALUES (the draws would differ)
            parent[key] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
    return data


BASE: dict[str, Any] = _base() if BUILTIN.exists() else {}


def test_builtin_loads() -> None:
    sc = load_scenario("mali-2016")
    assert len(sc.places) >= 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_load_or_raise_scenario_error(data: dict[str, Any]) -> None:
    text = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, allow_unicode=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutant.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_scenario(path)
        except ScenarioError as exc:
            assert exc.problems
            for p in exc.problems:
                assert p.message
                assert p.line is None or p.line >= 1


@pytest.mark.parametrize("ref", ["Aguel'hoc", "aguel'hoc", "Aguelhoc"])
def test_unknown_reference_hint_with_an_apostrophe(ref: str) -> None:
    """A reference that is a place's name or alias (one holding a quote) gets the place's id as its hint."""
    data = _base()
    data["routes"][0]["from"] = ref
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutant.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
    messages = [p.message for p in info.value.problems]
    assert f"unknown place '{ref}' (did you mean 'aguelhok'?)" in messages, messages

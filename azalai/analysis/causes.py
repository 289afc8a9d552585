"""What the explanations of :mod:`azalai.analysis.explain` share: a scenario's name index, events' cause
links, and names and counts in words."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Mapping

from azalai.defaults import DEFAULT_SCENARIO
from azalai.model.events import CK, describe_link
from azalai.model.world import build_world
from azalai.scenario.loader import load_scenario

SEIZURE_SUB = "Looting/property destruction"


@lru_cache(maxsize=8)
def _index_by_name(name: str):
    return build_world(load_scenario(name))[1]


def scenario_index(scenario: Any = DEFAULT_SCENARIO):
    """The name index (places, communities, actors ...) of a scenario given by name, path or object."""
    if scenario is None:
        scenario = DEFAULT_SCENARIO
    if isinstance(scenario, str):
        return _index_by_name(scenario)
    if hasattr(scenario, "places") and hasattr(scenario, "actors") and hasattr(scenario, "communities"):
        if hasattr(scenario, "meta"):  # a Scenario
            return build_world(scenario)[1]
        return scenario  # already an Index
    raise TypeError(f"not a scenario: {scenario!r}")


def links(cell: Any) -> list[dict]:
    """An event's cause links (``cause_json``, as stored or already parsed)."""
    if isinstance(cell, list):
        return cell
    if cell is None or (isinstance(cell, float) and cell != cell) or cell == "":
        return []
    return json.loads(cell)


def with_links(events):
    """The events with a ``cause_links`` column of parsed links."""
    if "cause_links" not in events.columns:
        events = events.copy()
        events["cause_links"] = [links(c) for c in events["cause_json"]]
    return events


def split_id(event_id: str) -> tuple[str, int] | None:
    """``'AZ3-17'`` -> ``('AZ3-', 17)``: an event id's prefix and number (None if it ends in no number)."""
    m = re.match(r"^(.*?)(\d+)$", str(event_id))
    if not m:
        return None
    return m.group(1), int(m.group(2))


def place_name(idx, i: int) -> str:
    """Place ``i``'s name in the index (a placeholder when out of range)."""
    return idx.place_names[i] if 0 <= i < len(idx.places) else f"place {i}"


def community_name(idx, i: int) -> str:
    """Community ``i``'s id in the index (a placeholder when out of range)."""
    return idx.communities[i] if 0 <= i < len(idx.communities) else f"community {i}"


def link_text(idx, link: Mapping[str, Any]) -> str:
    """A cause link in words."""
    kind = CK.get(link["kind"], -1)
    if kind < 0:
        return f"{link['kind']} {link['index']} {link['value']}"
    return describe_link(idx, kind, int(link["index"]), float(link["value"]))


def count_text(x: float) -> str:
    """A count in a sentence: whole numbers with thousands separators, others to one decimal."""
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}"

"""The compiled-side struct types are generated from the field table; the containers follow the table."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from azalai.model import fields as F
from azalai.model.gen_structs import GEN_FILE, generate

ROOT = Path(__file__).resolve().parents[1]


def test_generated_structs_are_current() -> None:
    assert generate() == GEN_FILE.read_text(encoding="utf-8"), "run: python -m azalai.model.gen_structs"
    r = subprocess.run([sys.executable, "-m", "azalai.model.gen_structs", "--check"], capture_output=True,
                       text=True, cwd=ROOT)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_import_circle_through_the_structs() -> None:
    """structs and the generator import nothing of the engine (the old circle: _structs_gen -> structs -> engine)."""
    for mod in ("structs.py", "gen_structs.py", "fields.py"):
        tree = ast.parse((ROOT / "azalai" / "model" / mod).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        bad = {m for m in imported if m and m.startswith("azalai.model") and m.split(".")[-1] in
               ("engine", "state", "world", "kernel", "_structs_gen")}  # fmt: skip
        assert not bad, f"{mod} imports {bad}"


def _sizes(w, R: int, days: int, W: int) -> dict[str, int]:
    from azalai.model.state import CHAIN, NACC, NSRC, RING, TIP_SERIES, TRANSIT_WEEKS, event_capacity, tip_capacity
    from azalai.model.mechanisms.placesets import place_words
    from azalai.model.world import ASPIRATION_CODE, YEAR_DAYS

    A, P = w.fighters0.shape
    K, NP = len(w.k_value_day), len(w.pair_a)
    return {
        "R": R, "A": A, "P": P, "P1": P + 1, "PW": place_words(P), "C": w.pop0.shape[0], "E": len(w.route_a), "2E": 2 * len(w.route_a),
        "G": w.comm_region_w.shape[1], "K": K, "K1": K + 1, "Kn": max(K, 1), "KE": int(w.k_entry_ptr[-1]),
        "X": max([1] + [int(w.k_entry_ptr[k + 1] - w.k_entry_ptr[k]) for k in range(K)]),
        "NP": NP, "NPn": max(NP, 1), "D": days, "W": W, "EV": event_capacity(days), "TP": tip_capacity(days, int(np.count_nonzero(w.actor_role))),
        "SRC": NSRC, "NACC": NACC, "RING": RING, "CHAIN": CHAIN, "TIPS": TIP_SERIES, "ASP": len(ASPIRATION_CODE), "TW": TRANSIT_WEEKS,
        "Y": YEAR_DAYS,
    }  # fmt: skip


@pytest.mark.parametrize("scenario", ["mali-2016", "synth-x3"])
@pytest.mark.parametrize("record", [True, False])
def test_containers_follow_the_field_table(scenario: str, record: bool) -> None:
    from azalai.model.engine import prepare
    from azalai.model.state import alloc_state
    from azalai.scenario.synth import synth_scenario

    from azalai.scenario.loader import load_scenario

    sc = synth_scenario(load_scenario("mali-2016"), 3) if scenario == "synth-x3" else scenario
    days = 10
    prep = prepare(sc, None, days=days)
    S = alloc_state(prep.world, np.array([0, 1]), days, record)
    size = _sizes(prep.world, 2, days, (days // 7 + 2) if record else 0)
    for container, fields in (("world", F.WORLD_FIELDS), ("state", F.STATE_FIELDS), ("levers", F.LEVER_FIELDS)):
        obj = {"world": prep.world, "state": S, "levers": prep.levers}[container]
        assert list(obj._fields) == F.names(fields)
        for f in fields:
            x = getattr(obj, f.name)
            assert np.asarray(x).dtype == np.dtype(f.dtype), f"{container}.{f.name}: dtype"
            assert np.shape(x) == tuple(size[a] for a in f.axes), f"{container}.{f.name}: shape"


def test_a_world_with_many_forces_has_room_for_all_its_tips() -> None:
    """The tip buffer grows with the forces: a synthetic world three times mali-2016's size (nine forces)
    drops no tip in two years, so every tip can be acted on as in mali-2016 (a dropped tip is never acted on)."""
    from azalai.model.engine import prepare, run_prepared
    from azalai.model.state import ACC
    from azalai.scenario.loader import load_scenario
    from azalai.scenario.synth import synth_scenario

    prep = prepare(synth_scenario(load_scenario("mali-2016"), 3), None, days=730)
    assert int(np.count_nonzero(prep.world.actor_role)) == 9
    S = run_prepared(prep, [1])
    assert S.acc[0, ACC["tips"]] > 6 * 730 + 256  # more tips than the old buffer (6 a day, for any world) held
    assert S.acc[0, ACC["tips_dropped"]] == 0

"""Groups that form and ally (docs/ODD.md §7.10), shown on the small fixture scenario.

A militia forms when its community is repeatedly attacked with no protector, and never otherwise;
an alliance forms against a shared enemy and breaks when the allies' rents diverge.
"""

from __future__ import annotations

import numpy as np

from azalai.model.engine import prepare, simulate_batch, state_struct
from azalai.model.jit import python_entry
from azalai.model.mechanisms import groups
from azalai.model.state import ACC, alloc_state
from azalai.scenario.loader import load_scenario
from azalai.scenario.schema import Actor, ActorRelation, Militia

militias, relations, update_groups = (
    python_entry(f) for f in (groups.militias, groups.relations, groups.update_groups))

FIXTURE = "tests/fixtures/mini.yaml"


def _with_militia():
    sc = load_scenario(FIXTURE)
    mil = Militia(id="imghad-militia", name="Imghad self-defence", community="imghad",
                  acled_name="Imghad Self-Defence Militia", source="assumption: test")
    return sc.model_copy(update={"militias": [mil]})


def _weeks_of_militia_check(prep, attacks: bool, protected: bool, weeks: int = 12):
    """Run the militia check weekly; each week (when ``attacks``) HCUA kills Imghad civilians."""
    idx = prep.index
    S = alloc_state(prep.world, np.array([1]), prep.days, False)
    Wr, Sr = prep.world_struct(), state_struct(S)
    c, hcua = idx.communities.index("imghad"), idx.actors.index("hcua")
    gatia, v = idx.actors.index("gatia"), idx.places.index("kidal")
    for w in range(weeks):
        S.protector[0, :] = gatia if protected else -1  # GATIA is based on the Imghad
        if attacks:
            S.harm_week[0, c, hcua] = prep.params.harm_grievance * 30.0
            S.harm_place[0, c, v] = S.harm_week[0, c, hcua]
            S.grievance[0, c, hcua] += S.harm_week[0, c, hcua]
        militias(Wr, Sr, prep.params, 0, 7 * w)
        S.harm_week[0] = 0.0
    return S


def test_militia_forms_when_its_community_is_attacked_without_protector_and_never_otherwise():
    prep = prepare(_with_militia(), "baseline-2016", days=120)
    m = prep.index.actors.index("imghad-militia")
    assert prep.world.fighters0[m].sum() == 0.0
    attacked = _weeks_of_militia_check(prep, attacks=True, protected=False)
    assert attacked.active[0, m] == 1 and attacked.fighters[0, m].sum() > 0
    assert attacked.acc[0, ACC["militias_formed"]] == 1.0
    assert attacked.rel[0, m, prep.index.actors.index("hcua")] < 0.0  # hostile to its attacker
    for attacks, protected in ((False, False), (True, True)):
        S = _weeks_of_militia_check(prep, attacks=attacks, protected=protected)
        assert S.active[0, m] == 0 and S.fighters[0, m].sum() == 0.0
        assert S.acc[0, ACC["militias_formed"]] == 0.0


def test_a_formed_militia_is_logged_with_its_causes_and_dormant_ones_stay_out_of_runs():
    prep = prepare(_with_militia(), "baseline-2016", days=120)
    m = prep.index.actors.index("imghad-militia")
    S = _weeks_of_militia_check(prep, attacks=True, protected=False)
    ev = [e for e in range(S.ev_n[0]) if S.ev_a1[0, e] == m]
    assert len(ev) == 1
    from azalai.model.events import CK

    kinds = set(S.ev_ck[0, ev[0]])
    assert {CK["attacks_on_community"], CK["grievance"], CK["no_protector"]} <= kinds
    # In a whole run of the quiet fixture nobody attacks the Imghad enough: the militia never forms.
    outs, evs = simulate_batch(prep, [1, 2, 3], with_events=True)
    assert all(o["militias_formed"] == 0 for o in outs)
    assert all((e.actor1_id != "imghad-militia").all() for e in evs)


def _alliance_scenario():
    """HCUA and GATIA neutral to each other, both hostile to a strong jihadist group at Anefis."""
    sc = load_scenario(FIXTURE)
    jih = Actor(id="jihad", name="Jihadists", acled_name="JNIM", acled_type="Political militia", kind="jihadist",
                fighters={"anefis": 900}, cash=100000, source="assumption: test")
    rels = [ActorRelation(a="hcua", b="gatia", value=0.0, source="assumption: test"),
            ActorRelation(a="hcua", b="jihad", value=-0.9, source="assumption: test"),
            ActorRelation(a="gatia", b="jihad", value=-0.9, source="assumption: test")]
    return sc.model_copy(update={"actors": sc.actors + [jih],
                                 "relations": sc.relations.model_copy(update={"actors": rels})})


def test_alliance_forms_against_a_shared_enemy_and_breaks_when_rents_diverge():
    prep = prepare(_alliance_scenario(), "baseline-2016", days=364)
    idx = prep.index
    a, b, j = idx.actors.index("hcua"), idx.actors.index("gatia"), idx.actors.index("jihad")
    S = alloc_state(prep.world, np.array([1]), prep.days, False)
    Wr, Sr = prep.world_struct(), state_struct(S)
    p = prep.params
    made = broken = None
    for w in range(60):
        if w < 35:  # both earn alike while the jihadists are strong
            S.rent_ema[0, a] = S.rent_ema[0, b] = p.rent_ref
        else:  # the jihadists are gone and only HCUA still earns
            S.fighters[0, j] = 0.0
            S.rent_ema[0, a], S.rent_ema[0, b] = 3.0 * p.rent_ref, 0.0
        relations(Wr, Sr, p, 0, 7 * w, w)
        if made is None and S.allied[0, a, b] == 1:
            made = w
        if made is not None and broken is None and S.allied[0, a, b] == 0:
            broken = w
    assert made is not None and made < 35, "no alliance against the shared enemy"
    assert broken is not None and broken > 35, "the alliance did not break when rents diverged"
    assert S.acc[0, ACC["alliances_made"]] == 1.0 and S.acc[0, ACC["alliances_broken"]] == 1.0
    types = [int(S.ev_type[0, e]) for e in range(S.ev_n[0])]
    from azalai.model.events import EV_AGREEMENT, EV_OTHER

    assert types.count(EV_AGREEMENT) == 1 and types.count(EV_OTHER) == 1


def test_without_a_shared_enemy_no_alliance_forms():
    prep = prepare(_alliance_scenario(), "baseline-2016", days=364)
    idx = prep.index
    a, b, j = idx.actors.index("hcua"), idx.actors.index("gatia"), idx.actors.index("jihad")
    S = alloc_state(prep.world, np.array([1]), prep.days, False)
    S.fighters[0, j] = 0.0
    Wr, Sr = prep.world_struct(), state_struct(S)
    for w in range(30):
        update_groups(Wr, Sr, prep.params, prep.levers_struct(), 0, 7 * w, w)
    assert S.allied[0, a, b] == 0 and S.acc[0, ACC["alliances_made"]] == 0.0

"""Communal grievance and battles after land disputes (docs/ODD.md §7.10-§7.11), each shown both ways:

* a community blames its rival for the rival's armed men: attacks by a group based on a rival community
  raise a grievance against that community (``communal_blame`` of the harm), and none with no blame or
  no rivalry;
* a grievance against a rival community alone can make a community arm; just under the threshold it does not;
* a dispute the state does not arbitrate aggrieves both communities; one it arbitrates does not;
* where both sides of a dispute have armed men present, revenge is fought as a battle between them
  (``dispute_battle_share``); with a share of 0 it falls only on civilians.
"""

from __future__ import annotations

import numpy as np

from azalai.model.engine import prepare, state_struct
from azalai.model.events import CK, EV_CLASH, M_GROUPS, M_LAND
from azalai.model.jit import python_entry
from azalai.model.mechanisms import groups
from azalai.model.params import make_params
from azalai.model.state import ACC, alloc_state
from azalai.scenario.loader import load_scenario
from azalai.scenario.schema import Militia
from delta import tenenkou_alone

militias, communal_grievances = (python_entry(f) for f in (groups.militias, groups.communal_grievances))

FIXTURE = "tests/fixtures/mini.yaml"
WEEK = 7


def _mini(rival: float = -0.4, **params):
    """The fixture with an Imghad militia slot; the Ifoghas-Imghad relation set to ``rival``."""
    sc = load_scenario(FIXTURE)
    mil = Militia(id="imghad-militia", name="Imghad self-defence", community="imghad",
                  acled_name="Imghad Self-Defence Militia", source="assumption: test")
    rel = sc.relations.model_copy(update={"communities": [
        c.model_copy(update={"value": rival}) for c in sc.relations.communities]})
    sc = sc.model_copy(update={"militias": [mil], "relations": rel})
    prep = prepare(sc, "baseline-2016", days=120, params=make_params()._replace(**params))
    S = alloc_state(prep.world, np.array([1]), prep.days, False)
    return prep, S, prep.index


def _blamed(rival: float, **params) -> tuple[float, float, float]:
    """One week in which HCUA (based on the Ifoghas) harms the Imghad: (Imghad against Ifoghas, the
    reverse, the blame expected from the registry's formula)."""
    prep, S, idx = _mini(rival, **params)
    c, d, hcua = idx.communities.index("imghad"), idx.communities.index("ifoghas"), idx.actors.index("hcua")
    harm = 0.4
    S.harm_week[0, c, hcua] = harm
    communal_grievances(prep.world_struct(), state_struct(S), prep.params, 0)
    expected = prep.params.communal_blame * harm * prep.world.base_w[hcua, d]
    return S.cgriev[0, c, d], S.cgriev[0, d, c], expected


def test_a_community_blames_its_rival_for_the_rivals_armed_men():
    got, reverse, expected = _blamed(-0.4)
    assert expected > 0.0 and got == expected
    assert reverse == 0.0  # the Ifoghas were not harmed


def test_no_blame_without_rivalry_or_with_communal_blame_switched_off():
    assert _blamed(0.2)[0] == 0.0
    assert _blamed(-0.4, communal_blame=0.0)[0] == 0.0


def _grieved_at_kidal(grievance: float):
    """The Imghad hold ``grievance`` against the Ifoghas (none against any actor) and are insecure at Kidal."""
    prep, S, idx = _mini()
    c, d, v = idx.communities.index("imghad"), idx.communities.index("ifoghas"), idx.places.index("kidal")
    S.protector[0, :] = -1
    S.pop[0, c, v] = max(S.pop[0, c, v], 10 * prep.params.dispute_min_pop)
    S.insecurity[0, c, v] = 10.0 * prep.params.militia_insecurity
    S.cgriev[0, c, d] = grievance / prep.params.grievance_decay  # what is left after this week's fading
    militias(prep.world_struct(), state_struct(S), prep.params, 0, WEEK)
    return prep, S, idx


def test_a_grievance_against_a_rival_community_alone_makes_it_arm_against_the_rivals_groups():
    prep, S, idx = _grieved_at_kidal(1.01 * make_params().militia_grievance)
    m, hcua = idx.actors.index("imghad-militia"), idx.actors.index("hcua")
    assert S.grievance[0].max() == 0.0
    assert S.active[0, m] == 1 and S.acc[0, ACC["militias_formed"]] == 1.0
    assert S.rel[0, m, hcua] < 0.0  # hostile to the armed group of the community it blames
    n = int(S.ev_n[0])
    formed = [e for e in range(n) if S.ev_mech[0, e] == M_GROUPS]
    assert len(formed) == 1
    assert CK["communal_grievance"] in S.ev_ck[0, formed[0]].tolist()
    assert S.ev_a2[0, formed[0]] == hcua  # its rival's strongest armed group stands for the rival


def test_just_under_the_threshold_it_does_not_arm():
    _, S, idx = _grieved_at_kidal(0.99 * make_params().militia_grievance)
    assert S.active[0, idx.actors.index("imghad-militia")] == 0


def _tenenkou(post: float, armed_both: bool, **params):
    """Ténenkou alone (tests/delta.py), Katiba Macina with 1,000 fighters; if ``armed_both``, an active
    Bambara militia of 1,000 hostile to it."""
    def arm(prep, S, v):
        km, bm = prep.index.actors.index("katiba-macina"), prep.index.actors.index("bambara-militia")
        if armed_both:
            S.active[0, bm] = 1
            S.fighters[0, bm, v] = 1000.0
            S.rel[0, bm, km] = S.rel[0, km, bm] = -0.8
    prep, S, _ = tenenkou_alone(post, jihadists=1000.0, before=arm, **params)
    return prep, S, prep.index


def test_unsettled_disputes_aggrieve_both_communities_and_arbitrated_ones_do_not():
    _, S, idx = _tenenkou(post=20.0, armed_both=False)
    fulani = idx.communities.index("fulani")
    assert S.acc[0, ACC["land_disputes"]] > 0
    assert S.cgriev[0, fulani].max() > 0.0
    np.testing.assert_array_equal(S.cgriev[0], S.cgriev[0].T)  # both sides, equally
    _, S, _ = _tenenkou(post=5000.0, armed_both=False)
    assert S.acc[0, ACC["land_disputes"]] > 0 and S.cgriev[0].max() == 0.0


def _land_battles(S) -> list[int]:
    n = int(S.ev_n[0])
    return [e for e in range(n) if S.ev_mech[0, e] == M_LAND and S.ev_type[0, e] == EV_CLASH]


def test_when_both_sides_are_armed_revenge_is_fought_between_them():
    prep, S, idx = _tenenkou(post=20.0, armed_both=True)
    battles = _land_battles(S)
    assert battles and S.acc[0, ACC["clashes"]] == len(battles)
    v, km, bm = idx.places.index("tenenkou"), idx.actors.index("katiba-macina"), idx.actors.index("bambara-militia")
    assert {int(S.ev_a1[0, e]) for e in battles} <= {km, bm}
    lost = 2000.0 - S.fighters[0, km, v] - S.fighters[0, bm, v]
    assert lost > 0.0 and S.acc[0, ACC["fatalities_battles"]] == round(lost)
    _, S0, _ = _tenenkou(post=20.0, armed_both=True, dispute_battle_share=0.0)
    assert not _land_battles(S0) and S0.acc[0, ACC["communal_attacks"]] > 0

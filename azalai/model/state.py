"""The engine's state: numpy arrays with a leading batch (replicate) axis.

Dimensions: R replicates, A actors, P places, C communities, E routes, K commodities,
NP signatory pairs, W recorded weeks. Everything an agent-based model would keep in agent objects
lives here as arrays, so one compiled loop can step many replicates.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from azalai.model.fields import STATE_FIELDS, names

# Income sources (last axis of ``income``).
SRC_RENT, SRC_MARGIN, SRC_RANSOM, SRC_LEVY, SRC_BUDGET, SRC_DDR, SRC_COLLUSION = range(7)
SOURCES = ["rent", "trafficking_margin", "ransom", "levy", "state_budget", "ddr", "collusion"]
NSRC = len(SOURCES)

# Outcome accumulators (last axis of ``acc``).
ACC_NAMES = [
    "fatalities", "fatalities_civilian", "signatory_clashes", "transit_value", "seized_value", "seizures",
    "tips", "tips_false", "tips_acted", "false_tips_acted", "misdirected_ops", "detentions", "protests",
    "accord_failure_day", "rent_paid", "rent_received", "rent_leaked", "civilian_deaths_pop",
    "local_fighter_deaths", "recruits", "demobilised", "predations", "convoys", "events_dropped",
    "value_entered", "jihadist_recruits", "clashes", "attacks", "desertions", "tips_dropped",
    "fatalities_battles", "fatalities_remote", "fatalities_vac", "state_seizures", "international_seizures",
    "livelihood_lost", "rent_to_communities", "sweeps", "kidnappings", "assassinations", "reprisals",
    "operations", "accord_breaks", "mediations", "population_start", "tips_untrue", "untrue_tips_acted",
    "defections", "attrition", "spending",
    "places_entered", "places_left", "militias_formed", "alliances_made", "alliances_broken",
    "land_disputes", "communal_attacks", "force_reinforced", "force_withdrawn",
]
ACC = {n: i for i, n in enumerate(ACC_NAMES)}
NACC = len(ACC_NAMES)
RING = 256  # detention-release ring buffer (days); release delays are capped below this
CHAIN = 4  # links in an event's cause chain
DAYS_PER_WEEK = 7
WEEKS_PER_YEAR = 52
EVENTS_PER_DAY, EVENTS_SPARE = 8, 512  # event buffer: room for this many events a day, plus a margin
TIPS_PER_FORCE_DAY, TIPS_SPARE = 2, 256  # tip buffer: room for this many tips a day per force, plus a margin
TIP_SERIES = 4  # weekly tip counters: tips, false tips, tips acted on, false tips acted on
TS_TIPS, TS_TIPS_FALSE, TS_TIPS_ACTED, TS_FALSE_ACTED = range(TIP_SERIES)
TRANSIT_WEEKS = 8  # fighters-in-transit ring buffer (weeks); journeys are capped below this

# Field names, dtypes and axes are declared in azalai/model/fields.py.
State = namedtuple("State", names(STATE_FIELDS))


def event_capacity(days: int) -> int:
    return EVENTS_PER_DAY * days + EVENTS_SPARE


def tip_capacity(days: int, forces: int) -> int:
    """Room for every tip of a run: tips reach forces (actors with a role), so a world with more forces needs
    more room; a tip that finds no room is dropped and never acted on (``tips_dropped``)."""
    return TIPS_PER_FORCE_DAY * max(1, forces) * days + TIPS_SPARE


def weeks_recorded(days: int) -> int:
    """Index of the last weekly snapshot of a run of ``days`` days (snapshots 0..this are taken)."""
    return -(-days // DAYS_PER_WEEK)


def aims_and_bases(w) -> tuple[np.ndarray, np.ndarray]:
    """Per actor, the places where it has a declared aim or a base (``valued_n[a]`` of them, ascending,
    at the head of ``valued_at[a]``): the only places where those terms of a place's value to it
    (mechanisms/valuation.py) are not zero, listed once instead of every week."""
    A, P = w.aim_w.shape
    keep = (w.aim_w != 0.0) | (w.force_base != 0)
    n = keep.sum(axis=1).astype(np.int64)
    at = np.zeros((A, P), dtype=np.int64)
    for a in range(A):
        at[a, :n[a]] = np.flatnonzero(keep[a])
    return n, at


def alloc_state(w, seeds: np.ndarray, days: int, record: bool) -> State:
    """Fresh state for ``len(seeds)`` replicates, initialised from the world."""
    from azalai.model.mechanisms.placesets import all_places

    R = len(seeds)
    A, P = w.fighters0.shape
    C = w.pop0.shape[0]
    E = len(w.route_a)
    K = len(w.k_value_day)
    NP = len(w.pair_a)
    maxe = 1
    for k in range(K):
        maxe = max(maxe, int(w.k_entry_ptr[k + 1] - w.k_entry_ptr[k]))
    W = (days // DAYS_PER_WEEK + 2) if record else 0  # room for every snapshot (weeks_recorded + 1)
    cap = event_capacity(days)
    tcap = tip_capacity(days, int(np.count_nonzero(w.actor_role)))
    f = np.zeros
    i64 = np.int64
    valued_n, valued_at = aims_and_bases(w)
    s = State(
        seed=np.asarray(seeds, dtype=np.int64).copy(),
        fighters=np.repeat(w.fighters0[None], R, axis=0).copy(),
        cash=np.repeat(w.cash0[None], R, axis=0).copy(),
        income=f((R, A, NSRC)),
        rent_week=f((R, A)),
        rent_ema=f((R, A)),
        rent_ref=f((R, A)),
        protector=-np.ones((R, P), dtype=i64),
        place_rent_week=f((R, P)),
        place_rent_ema=f((R, P)),
        pop=np.repeat(w.pop0[None], R, axis=0).copy(),
        support=np.repeat(w.support0[None], R, axis=0).copy(),
        grievance=f((R, C, A)),
        coop=f((R, C, A)),
        harm_week=f((R, C, A)),
        livelihood_week=f((R, C)),
        livelihood_ema=f((R, C)),
        livelihood_ref=f((R, C)),
        interdict_loss_week=f((R, C, A)),
        risk=f((R, P)),
        path_nodes=-np.ones((R, max(K, 1), maxe, P + 1), dtype=i64),
        path_len=np.zeros((R, max(K, 1), maxe), dtype=i64),
        path_owner=-np.ones((R, max(K, 1), maxe), dtype=i64),
        flow_week=f((R, E)),
        seized_place_week=f((R, P)),
        tension=f((R, max(NP, 1))),
        broken=np.zeros((R, max(NP, 1)), dtype=i64),
        broken_weeks=np.zeros((R, max(NP, 1)), dtype=i64),
        incidents_week=f((R, max(NP, 1))),
        balance_prev=-np.ones((R, max(NP, 1))),
        post_share=f((R, A)),
        aggr=f((R, A)),
        last_loss_place=-np.ones((R, A), dtype=i64),
        last_loss_day=-np.ones((R, A), dtype=i64),
        last_loss_value=f((R, A)),
        last_loss_by=-np.ones((R, A), dtype=i64),
        release=f((R, RING, C)),
        detained=f((R, C)),
        sweep_due=-np.ones((R, P), dtype=i64),
        sweep_force=-np.ones((R, P), dtype=i64),
        sweep_cause=-np.ones((R, P), dtype=i64),
        manip=f((R, C)),
        tips_recent=f((R, C)),
        ops_budget=f((R, A)),
        acc=f((R, NACC)),
        ev_n=np.zeros(R, dtype=i64),
        ev_day=np.zeros((R, cap), dtype=i64),
        ev_type=np.zeros((R, cap), dtype=i64),
        ev_a1=np.zeros((R, cap), dtype=i64),
        ev_a2=np.zeros((R, cap), dtype=i64),
        ev_place=np.zeros((R, cap), dtype=i64),
        ev_fat=np.zeros((R, cap), dtype=i64),
        ev_civ=np.zeros((R, cap), dtype=i64),
        ev_mech=np.zeros((R, cap), dtype=i64),
        ev_ck=np.zeros((R, cap, CHAIN), dtype=i64),
        ev_ci=np.zeros((R, cap, CHAIN), dtype=i64),
        ev_cv=f((R, cap, CHAIN)),
        tip_n=np.zeros(R, dtype=i64),
        tip_day=np.zeros((R, tcap), dtype=i64),
        tip_force=np.zeros((R, tcap), dtype=i64),
        tip_comm=np.zeros((R, tcap), dtype=i64),
        tip_informant=np.zeros((R, tcap), dtype=i64),
        tip_accused=np.zeros((R, tcap), dtype=i64),
        tip_place=np.zeros((R, tcap), dtype=i64),
        tip_true=np.zeros((R, tcap), dtype=i64),
        tip_untrue=f((R, tcap)),
        tip_vetted=np.zeros((R, tcap), dtype=i64),
        tip_caught=np.zeros((R, tcap), dtype=i64),
        tip_acted=np.zeros((R, tcap), dtype=i64),
        tip_event=np.zeros((R, tcap), dtype=i64),
        ts_fighters=f((R, W, A)),
        ts_cash=f((R, W, A)),
        ts_income=f((R, W, A, NSRC)),
        ts_protector=np.zeros((R, W, P), dtype=i64),
        ts_support=f((R, W, C, A)),
        ts_grievance=f((R, W, C, A)),
        ts_coop=f((R, W, C, A)),
        ts_flow=f((R, W, E)),
        ts_seized=f((R, W, P)),
        ts_tension=f((R, W, max(NP, 1))),
        ts_broken=np.zeros((R, W, max(NP, 1)), dtype=i64),
        ts_tips=f((R, W, TIP_SERIES)),
        ts_misdirected=f((R, W)),
        ts_livelihood=f((R, W, C)),
        ts_risk=f((R, W, P)),
        ts_fatalities=f((R, W)),
        fail_flag=np.zeros(R, dtype=i64),
        loc_support=f((R, A, P)),
        prot_ref=f((R, C, A)),
        enemy_support=f((R, A, C)),
        transit=f((R, A, P, TRANSIT_WEEKS)),
        transit_n=np.zeros((R, A, P), dtype=i64),
        mv_value=f((R, A, P)),
        mv_term=np.zeros((R, A, P), dtype=i64),
        mv_termval=f((R, A, P)),
        mv_from=-np.ones((R, A, P), dtype=i64),
        transit_due=np.zeros((R, A, TRANSIT_WEEKS), dtype=i64),
        valued_n=np.repeat(valued_n[None], R, axis=0).copy(),
        valued_at=np.repeat(valued_at[None], R, axis=0).copy(),
        active=np.repeat((w.militia_comm < 0).astype(i64)[None], R, axis=0).copy(),
        rel=np.repeat(w.rel0[None], R, axis=0).copy(),
        allied=np.zeros((R, A, A), dtype=i64),
        hist=f((R, A, A)),
        insecurity=f((R, C, P)),
        cgriev=f((R, C, C)),
        harm_place=f((R, C, P)),
        ev_seen=np.zeros(R, dtype=i64),
        # The sets of places (mechanisms/placesets.py) hold every place until the day loop sets them from
        # where people live, fighters are and travel to, and communities are insecure or harmed.
        pop_bits=all_places((R, C), P),
        fighter_bits=all_places((R, A), P),
        transit_bits=all_places((R, A), P),
        insec_bits=all_places((R, C), P),
    )
    s.acc[:, ACC["accord_failure_day"]] = -1.0
    return s

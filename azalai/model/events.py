"""The event log: ACLED-compatible rows, each with the mechanism and state chain that caused it.

Inside the compiled loop an event is a few integers (day, type, actors, place, fatalities) and a
cause chain of up to four links, each link a (kind, index, value) triple. :func:`decode_events`
turns them into ACLED's columns plus ``mechanism`` and ``cause_chain`` (readable) and
``cause_json`` (machine-readable).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from numba import njit

from azalai.model.state import ACC
from azalai.scenario.acled import DISORDER_TYPES, EXPORT_COLUMNS, inter_text, interaction_text

# (event_type, sub_event_type) pairs, ACLED's vocabulary.
EVENT_TYPES = [
    ("Battles", "Armed clash"),  # 0
    ("Battles", "Government regains territory"),  # 1
    ("Battles", "Non-state actor overtakes territory"),  # 2
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),  # 3
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),  # 4
    ("Explosions/Remote violence", "Air/drone strike"),  # 5
    ("Violence against civilians", "Attack"),  # 6
    ("Violence against civilians", "Abduction/forced disappearance"),  # 7
    ("Protests", "Peaceful protest"),  # 8
    ("Strategic developments", "Arrests"),  # 9
    ("Strategic developments", "Looting/property destruction"),  # 10
    ("Strategic developments", "Non-violent transfer of territory"),  # 11
    ("Strategic developments", "Agreement"),  # 12
    ("Strategic developments", "Other"),  # 13
    ("Strategic developments", "Headquarters or base established"),  # 14
    ("Strategic developments", "Change to group/activity"),  # 15
]
EV_CLASH, EV_GOV_REGAINS, EV_NSA_OVERTAKES, EV_IED, EV_SHELLING, EV_AIRSTRIKE = 0, 1, 2, 3, 4, 5
EV_VAC_ATTACK, EV_ABDUCTION, EV_PROTEST, EV_ARRESTS, EV_SEIZURE, EV_TRANSFER = 6, 7, 8, 9, 10, 11
EV_AGREEMENT, EV_OTHER = 12, 13
EV_BASE, EV_GROUP_CHANGE = 14, 15

MECHANISMS = ["", "trafficking", "control", "violence", "intelligence", "operations", "communities", "accords", "state",
              "movement", "groups", "land"]
M_TRAFFICKING, M_CONTROL, M_VIOLENCE, M_INTELLIGENCE, M_OPERATIONS, M_COMMUNITIES, M_ACCORDS, M_STATE = range(1, 9)
M_MOVEMENT, M_GROUPS, M_LAND = 9, 10, 11
# What a movement or groups event records (its mechanism and sub-event type tell them apart).
STRATEGIC_KINDS = {
    ("movement", "Headquarters or base established"): "place entered",
    ("movement", "Change to group/activity"): "place left",
    ("groups", "Change to group/activity"): "militia formed",
    ("groups", "Agreement"): "alliance made",
    ("groups", "Other"): "alliance broken",
}

# Cause-chain link kinds.
CAUSE_KINDS = [
    "", "seizure", "rent_loss", "tension", "restraint_broken", "rent_stake", "hostility", "tip", "false_tip",
    "attack", "sweep", "detentions", "grievance", "support", "cooperation", "local_strength", "dual_hatted",
    "mission_focus", "control_shift", "aggression", "ransom", "misdirected", "unmet_demands", "collusion",
    "mediation", "predation", "civilian_harm", "informant_activity", "communal_hostility", "losses",
    "local_support", "place_value", "aim", "recruitment_pool", "enemies_present", "better_place", "moved_from",
    "insecurity", "attacks_on_community", "no_protector", "shared_enemy", "shared_rent", "rent_divergence",
    "cooperation_history", "relation", "land_dispute", "season", "state_absent", "communal_grievance",
]
CK = {n: i for i, n in enumerate(CAUSE_KINDS)}
CK_SEIZURE = 1
CK_RENT_LOSS = 2
CK_TENSION = 3
CK_RESTRAINT_BROKEN = 4
CK_RENT_STAKE = 5
CK_HOSTILITY = 6
CK_TIP = 7
CK_FALSE_TIP = 8
CK_ATTACK = 9
CK_SWEEP = 10
CK_DETENTIONS = 11
CK_GRIEVANCE = 12
CK_SUPPORT = 13
CK_COOPERATION = 14
CK_LOCAL_STRENGTH = 15
CK_DUAL_HATTED = 16
CK_MISSION_FOCUS = 17
CK_CONTROL_SHIFT = 18
CK_AGGRESSION = 19
CK_RANSOM = 20
CK_MISDIRECTED = 21
CK_UNMET_DEMANDS = 22
CK_COLLUSION = 23
CK_MEDIATION = 24
CK_PREDATION = 25
CK_CIVILIAN_HARM = 26
CK_INFORMANT_ACTIVITY = 27
CK_COMMUNAL_HOSTILITY = 28
CK_LOSSES = 29
CK_LOCAL_SUPPORT = 30
CK_PLACE_VALUE = 31
CK_AIM = 32
CK_POOL = 33
CK_ENEMIES_PRESENT = 34
CK_BETTER_PLACE = 35
CK_MOVED_FROM = 36
CK_INSECURITY = 37
CK_ATTACKS_ON_COMMUNITY = 38
CK_NO_PROTECTOR = 39
CK_SHARED_ENEMY = 40
CK_SHARED_RENT = 41
CK_RENT_DIVERGENCE = 42
CK_COOP_HISTORY = 43
CK_RELATION = 44
CK_LAND_DISPUTE = 45
CK_SEASON = 46
CK_STATE_ABSENT = 47
CK_COMMUNAL_GRIEVANCE = 48

# Actor slot codes for non-actor parties.
CIVILIANS = -2
PROTESTERS = -3
NOBODY = -1
INTER_CIVILIANS, INTER_PROTESTERS = 7, 6  # ACLED inter codes
PAIR_CODE = 1000  # a pair (i, j) in a cause link is stored as i * PAIR_CODE + j
VALUE_DIGITS = 6  # decimals of a cause link's value in the event log
_EVENTS_DROPPED = ACC["events_dropped"]
_FATALITIES = ACC["fatalities"]


@njit(cache=True, inline="always")
def emit(S, r, day, etype, a1, a2, place, fat, civ, mech):
    """Append an event for replicate r; returns its index, or -1 when the buffer is full."""
    n = S.ev_n[r]
    if n >= S.ev_day.shape[1]:
        S.acc[r, _EVENTS_DROPPED] += 1.0
        return -1
    S.ev_day[r, n] = day
    S.ev_type[r, n] = etype
    S.ev_a1[r, n] = a1
    S.ev_a2[r, n] = a2
    S.ev_place[r, n] = place
    S.ev_fat[r, n] = fat
    S.ev_civ[r, n] = civ
    S.ev_mech[r, n] = mech
    for k in range(S.ev_ck.shape[2]):
        S.ev_ck[r, n, k] = 0
    S.ev_n[r] = n + 1
    S.acc[r, _FATALITIES] += fat
    return n


@njit(cache=True, inline="always")
def link(S, r, n, slot, kind, idx, val):
    """Set link ``slot`` of event n's cause chain."""
    if n >= 0 and slot < S.ev_ck.shape[2]:
        S.ev_ck[r, n, slot] = kind
        S.ev_ci[r, n, slot] = idx
        S.ev_cv[r, n, slot] = val


# Every column of ACLED's current export, in its order (azalai/scenario/acled.py), then the cause columns.
ACLED_COLUMNS = list(EXPORT_COLUMNS)
SOURCE = "azalai simulation"  # the `source` of simulated events; `tags` says "simulated"
EXTRA_COLUMNS = ["day", "mechanism", "cause_chain", "cause_json", "actor1_id", "actor2_id", "place_id", "region_id"]
EVENT_COLUMNS = ACLED_COLUMNS + EXTRA_COLUMNS


def _party(idx, code: int) -> tuple[str, int, str]:
    """ACLED name, inter code and scenario id of an event party."""
    if code >= 0:
        return idx.actor_acled[code], idx.actor_inter[code], idx.actors[code]
    if code == CIVILIANS:
        return "Civilians (Mali)", INTER_CIVILIANS, "civilians"
    if code == PROTESTERS:
        return "Protesters (Mali)", INTER_PROTESTERS, "protesters"
    return "", 0, ""


def describe_link(idx, kind: int, i: int, v: float) -> str:
    """One cause link in words."""
    name = CAUSE_KINDS[kind] if 0 <= kind < len(CAUSE_KINDS) else f"cause{kind}"
    A = len(idx.actors)

    def actor(k: int) -> str:
        return idx.actors[k] if 0 <= k < A else "?"

    def place(k: int) -> str:
        return idx.places[k] if 0 <= k < len(idx.places) else "?"

    def pair(code: int) -> str:
        return f"{actor(code // PAIR_CODE)}-{actor(code % PAIR_CODE)}"

    def community(k: int) -> str:
        return idx.communities[k] if 0 <= k < len(idx.communities) else "?"

    def comm_actor(code: int) -> str:
        return f"{community(code // PAIR_CODE)}->{actor(code % PAIR_CODE)}"

    if name == "seizure":
        return f"convoy seized at {place(i)} (recent convoy losses near here USD {v:,.0f})"
    if name == "local_support":
        return f"{actor(i)} local support {v:.2f}"
    if name == "rent_loss":
        return f"{actor(i)} rent {-v:+.0%}"
    if name == "tension":
        return f"tension {pair(i)} {v:.2f}"
    if name == "restraint_broken":
        return f"accord restraint broken {pair(i)} for {v:.0f} weeks"
    if name == "rent_stake":
        return f"rents at stake at {place(i)} USD {v:,.0f}/week"
    if name == "hostility":
        return f"hostility {pair(i)} {v:.2f}"
    if name == "tip":
        return f"tip #{i} ({'true' if v > 0.0 else 'false'})"
    if name == "false_tip":
        return f"false tip from {community(i)} (rivalry {v:.2f})"
    if name == "attack":
        return f"after the attack logged as event {i + 1} of this run ({v:.0f} killed)"
    if name == "sweep":
        return f"sweep at {place(i)}"
    if name == "detentions":
        return f"{v:.0f} detained from {community(i)}"
    if name in ("grievance", "support", "cooperation"):
        return f"{name} {comm_actor(i)} {v:.2f}"
    if name == "local_strength":
        return f"{actor(i)} has {v:.0f} fighters here"
    if name == "dual_hatted":
        return f"dual-hatted members of {actor(i)} ({v:.0%})"
    if name == "mission_focus":
        return f"{actor(i)} mission focus {v:.2f} (0=CT, 1=counter-trafficking)"
    if name == "control_shift":
        return f"control of {place(i)} contested (strength ratio {v:.2f})"
    if name == "aggression":
        return f"{actor(i)} aggrieved by recent losses ({v:.2f})"
    if name == "ransom":
        return f"ransom USD {v:,.0f}"
    if name == "misdirected":
        return f"misdirected operation against {actor(i)}"
    if name == "unmet_demands":
        return f"{actor(i)} unmet political demands {v:.2f}"
    if name == "collusion":
        return f"state collusion with {actor(i)} ({v:.2f})"
    if name == "mediation":
        return f"mediation restored restraint {pair(i)}"
    if name == "predation":
        return f"{actor(i)} seized a rival's convoy"
    if name == "civilian_harm":
        return f"civilians harmed ({v:.0f})"
    if name == "informant_activity":
        return f"informants active in {community(i)} ({v:.2f})"
    if name == "communal_hostility":
        return f"communal hostility {v:.2f}"
    if name == "losses":
        return f"{actor(i)} lost {v:.0f} fighters recently"
    if name == "place_value":
        return f"{place(i)} worth {v:.2f} to the group"
    if name == "aim":
        return f"declared aim ({actor(i)}, weight {v:.2f})"
    if name == "recruitment_pool":
        return f"people for {actor(i)} here: supporters, recruits or civilians to protect ({v:.2f})"
    if name == "enemies_present":
        return f"enemies present ({v:.0f} fighters)"
    if name == "better_place":
        return f"better placed at {place(i)} (worth {v:.2f})"
    if name == "moved_from":
        return f"came from {place(i)} ({v:,.0f} km)"
    if name == "insecurity":
        return f"insecurity of {community(i)} {v:.2f}"
    if name == "attacks_on_community":
        return f"attacks on {community(i)} (insecurity {v:.2f})"
    if name == "no_protector":
        return f"no protector of {community(i)} (protected share {v:.2f})"
    if name == "shared_enemy":
        return f"shared enemy {actor(i)} ({v:.2f})"
    if name == "shared_rent":
        return f"shared rents {pair(i)} ({v:.2f})"
    if name == "rent_divergence":
        return f"rents diverge {pair(i)} ({v:.2f})"
    if name == "cooperation_history":
        return f"past cooperation/violence {pair(i)} ({v:+.2f})"
    if name == "relation":
        return f"relation {pair(i)} {v:+.2f}"
    if name == "land_dispute":
        pair_ = f"{community(i // PAIR_CODE)}-{community(i % PAIR_CODE)}"
        return f"land, pasture or water dispute {pair_} (hostility {v:.2f})"
    if name == "season":
        return f"seasonal pressure on land and water {v:.2f}"
    if name == "state_absent":
        return f"the state did not arbitrate at {place(i)} (its post polices {v:.0%} of the people there)"
    if name == "communal_grievance":
        return f"grievance of {community(i // PAIR_CODE)} against {community(i % PAIR_CODE)} {v:.2f}"
    return f"{name} {i} {v:.3g}"


_EPOCH = dt.date(1970, 1, 1)


def _json_float(v: float) -> str:
    """A float as ``json.dumps`` writes it."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    return float.__repr__(v)


def event_rows(S, r: int, idx, run_tag: str = "AZ") -> list[tuple]:
    """Replicate r's events as tuples of ACLED's columns, then the cause columns (``EVENT_COLUMNS``).

    The values are those of :func:`decode_events`'s dict rows; tuples, with what depends only on an
    event's type, day, parties or place looked up once per distinct value, cost a fraction of a dict per
    row (decoding the events is most of the cost of a run's full outputs)."""
    n = int(S.ev_n[r])
    start = idx.start
    types, days = S.ev_type[r, :n].tolist(), S.ev_day[r, :n].tolist()
    a1s, a2s, places = S.ev_a1[r, :n].tolist(), S.ev_a2[r, :n].tolist(), S.ev_place[r, :n].tolist()
    civ, fat, mechs = S.ev_civ[r, :n].tolist(), S.ev_fat[r, :n].tolist(), S.ev_mech[r, :n].tolist()
    cks, cis, cvs = S.ev_ck[r, :n].tolist(), S.ev_ci[r, :n].tolist(), S.ev_cv[r, :n].tolist()
    by_day: dict[int, tuple] = {}
    by_party: dict[int, tuple] = {}
    by_place: dict[int, tuple] = {}
    region = idx.acled_region
    rows = []
    for e in range(n):
        et, st = EVENT_TYPES[types[e]]
        day = days[e]
        dd = by_day.get(day)
        if dd is None:
            date = start + dt.timedelta(days=day)
            dd = by_day[day] = (date, date.year, int((date - _EPOCH).total_seconds()))
        p1 = by_party.get(a1s[e])
        if p1 is None:
            p1 = by_party[a1s[e]] = _party(idx, a1s[e])
        p2 = by_party.get(a2s[e])
        if p2 is None:
            p2 = by_party[a2s[e]] = _party(idx, a2s[e])
        pl = places[e]
        pp = by_place.get(pl)
        if pp is None:
            pp = by_place[pl] = (idx.place_iso[pl] if idx.place_iso else 0,
                                 idx.place_country[pl] if idx.place_country else "", idx.place_region_name[pl],
                                 idx.place_names[pl], idx.lat[pl], idx.lon[pl], idx.places[pl],
                                 idx.place_region_id[pl])
        links, words = [], []
        for kind, ii, vv in zip(cks[e], cis[e], cvs[e]):
            if kind == 0:
                continue
            links.append(f'{{"kind":"{CAUSE_KINDS[kind]}","index":{ii},"value":{_json_float(round(vv, VALUE_DIGITS))}}}')
            words.append(describe_link(idx, kind, ii, vv))
        iso, country, admin1, pname, lat, lon, place_id, region_id = pp
        date, year, stamp = dd
        name1, inter1, id1 = p1
        name2, inter2, id2 = p2
        mech = MECHANISMS[mechs[e]]
        chain = " -> ".join(words + [f"{st.lower()} at {pname}"])
        rows.append((
            f"{run_tag}{e + 1}", date, year, 1, DISORDER_TYPES[et], et, st,  # time_precision 1: the day is known
            name1, "", inter_text(inter1), name2, "", inter_text(inter2), interaction_text(inter1, inter2),
            "Civilian targeting" if civ[e] else "", iso, region, country, admin1, "", "", pname, lat, lon,
            1, SOURCE, "Other", f"[{mech}] {chain}", fat[e], "simulated",  # geo_precision 1: the place's own
            # ACLED's upload time; here the event's day (00:00 UTC), so runs stay reproducible
            stamp, day, mech, chain, "[" + ",".join(links) + "]", id1, id2, place_id, region_id,
        ))
    return rows


def decode_events(S, r: int, idx, run_tag: str = "AZ") -> list[dict]:
    """Replicate r's events as ACLED-style dict rows (with cause columns)."""
    return [dict(zip(EVENT_COLUMNS, row)) for row in event_rows(S, r, idx, run_tag)]

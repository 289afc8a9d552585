"""The field table: every array the compiled engine reads, with its dtype and axes, declared once.

The containers :class:`azalai.model.world.World`, :class:`azalai.model.state.State` and the engine's
``Levers`` take their field names (in this order) from here, and ``python -m azalai.model.gen_structs``
generates the numba struct types of ``_structs_gen.py`` from this table alone (no scenario is loaded).
A test checks that the containers built for a scenario have exactly these dtypes and shapes.

Axes (a field with no axes is a scalar):

====== ==============================================================================
R      replicates in a batch
A, P   actors, places;  ``P1`` = P + 1;  ``PW`` = words of a bit set over places (``mechanisms.placesets``)
C, E   communities, routes
K      commodities;  ``K1`` = K + 1;  ``Kn`` = max(K, 1);  ``KE`` = entry points of all commodities
X      most entry points of one commodity (at least 1);  ``2E`` = route ends (each route both ways)
NP     signatory pairs;  ``NPn`` = max(NP, 1);  ``G`` = regions
D      simulated days;  ``W`` = recorded weeks (0 when the run records no time series)
EV, TP event and tip capacity of a replicate (``state.event_capacity``, ``state.tip_capacity``)
SRC    income sources (``state.SOURCES``);  ``NACC`` outcome accumulators (``state.ACC_NAMES``)
RING   days of the detention-release ring buffer;  ``CHAIN`` links in an event's cause chain
TIPS   the four tip counters (tips, false, acted on, false acted on)
ASP    the political aspirations a community can hold (``world.ASPIRATION_CODE``)
TW     weeks of the fighters-in-transit ring buffer (``state.TRANSIT_WEEKS``);  ``Y`` = days of the
       seasonal calendar's year (``world.YEAR_DAYS``)
====== ==============================================================================
"""

from __future__ import annotations

from typing import NamedTuple

from azalai.policy.levers import LEVERS

DTYPES = ("float64", "int64")


class Field(NamedTuple):
    name: str
    dtype: str
    axes: tuple[str, ...]


def _table(text: str) -> tuple[Field, ...]:
    out = []
    for line in text.strip().splitlines():
        name, dtype, *axes = line.split()
        if dtype not in DTYPES:
            raise ValueError(f"field {name}: dtype {dtype!r} is not one of {DTYPES}")
        out.append(Field(name, dtype, tuple(a for a in axes if a != "-")))
    return tuple(out)


WORLD_FIELDS = _table("""
place_region    int64   P
place_zone      int64   P
place_ext       int64   P
place_lat       float64 P
place_lon       float64 P
route_a         int64   E
route_b         int64   E
route_len       float64 E
route_terrain   int64   E
adj_ptr         int64   P1
adj_nbr         int64   2E
adj_edge        int64   2E
pop0            float64 C P
comm_dep        float64 C
comm_sub        float64 C
comm_asp        float64 C ASP
comm_indep      float64 C
comm_rel        float64 C C
comm_region_w   float64 C G
actor_kind      int64   A
actor_coal      int64   A
actor_role      int64   A
base_w          float64 A C
fighters0       float64 A P
cash0           float64 A
rel0            float64 A A
overlap         float64 A A
support0        float64 C A
force_base      int64   A P
oc_unit         float64 P
k_value_day     float64 K
k_entry_ptr     int64   K1
k_entry         int64   KE
k_exit          int64   Kn P
sig             int64   A
pair_a          int64   NP
pair_b          int64   NP
pair_of         int64   A A
entitled        float64 A P
promised        float64 A
ddr_ok          int64   A
state_actor     int64   -
jihad_overlap   float64 A
communal        float64 A C
dist_km         float64 P P
dist_order      int64   P P
aim_w           float64 A P
area            int64   A P
militia_comm    int64   A
comm_live       int64   C
compete         int64   C C
season          float64 Y
doy0            int64   -
""")

STATE_FIELDS = _table("""
seed                int64   R
fighters            float64 R A P
cash                float64 R A
income              float64 R A SRC
rent_week           float64 R A
rent_ema            float64 R A
rent_ref            float64 R A
protector           int64   R P
place_rent_week     float64 R P
place_rent_ema      float64 R P
pop                 float64 R C P
support             float64 R C A
grievance           float64 R C A
coop                float64 R C A
harm_week           float64 R C A
livelihood_week     float64 R C
livelihood_ema      float64 R C
livelihood_ref      float64 R C
interdict_loss_week float64 R C A
risk                float64 R P
path_nodes          int64   R Kn X P1
path_len            int64   R Kn X
path_owner          int64   R Kn X
flow_week           float64 R E
seized_place_week   float64 R P
tension             float64 R NPn
broken              int64   R NPn
broken_weeks        int64   R NPn
incidents_week      float64 R NPn
balance_prev        float64 R NPn
post_share          float64 R A
aggr                float64 R A
last_loss_place     int64   R A
last_loss_day       int64   R A
last_loss_value     float64 R A
last_loss_by        int64   R A
release             float64 R RING C
detained            float64 R C
sweep_due           int64   R P
sweep_force         int64   R P
sweep_cause         int64   R P
manip               float64 R C
tips_recent         float64 R C
ops_budget          float64 R A
acc                 float64 R NACC
ev_n                int64   R
ev_day              int64   R EV
ev_type             int64   R EV
ev_a1               int64   R EV
ev_a2               int64   R EV
ev_place            int64   R EV
ev_fat              int64   R EV
ev_civ              int64   R EV
ev_mech             int64   R EV
ev_ck               int64   R EV CHAIN
ev_ci               int64   R EV CHAIN
ev_cv               float64 R EV CHAIN
tip_n               int64   R
tip_day             int64   R TP
tip_force           int64   R TP
tip_comm            int64   R TP
tip_informant       int64   R TP
tip_accused         int64   R TP
tip_place           int64   R TP
tip_true            int64   R TP
tip_untrue          float64 R TP
tip_vetted          int64   R TP
tip_caught          int64   R TP
tip_acted           int64   R TP
tip_event           int64   R TP
ts_fighters         float64 R W A
ts_cash             float64 R W A
ts_income           float64 R W A SRC
ts_protector        int64   R W P
ts_support          float64 R W C A
ts_grievance        float64 R W C A
ts_coop             float64 R W C A
ts_flow             float64 R W E
ts_seized           float64 R W P
ts_tension          float64 R W NPn
ts_broken           int64   R W NPn
ts_tips             float64 R W TIPS
ts_misdirected      float64 R W
ts_livelihood       float64 R W C
ts_risk             float64 R W P
ts_fatalities       float64 R W
fail_flag           int64   R
loc_support         float64 R A P
prot_ref            float64 R C A
enemy_support       float64 R A C
transit             float64 R A P TW
transit_n           int64   R A P
mv_value            float64 R A P
mv_term             int64   R A P
mv_termval          float64 R A P
mv_from             int64   R A P
transit_due         int64   R A TW
valued_n            int64   R A
valued_at           int64   R A P
active              int64   R A
rel                 float64 R A A
allied              int64   R A A
hist                float64 R A A
insecurity          float64 R C P
cgriev              float64 R C C
harm_place          float64 R C P
ev_seen             int64   R
pop_bits            int64   R C PW
fighter_bits        int64   R A PW
transit_bits        int64   R A PW
insec_bits          int64   R C PW
""")

# One float64 column per declared lever (azalai/policy/levers.yaml), indexed by day.
LEVER_FIELDS = tuple(Field(lv.name, "float64", ("D",)) for lv in LEVERS)

CONTAINERS = {"world": WORLD_FIELDS, "state": STATE_FIELDS, "levers": LEVER_FIELDS}


def names(fields: tuple[Field, ...]) -> list[str]:
    return [f.name for f in fields]

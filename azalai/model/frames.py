"""Tables of one replicate's outputs: weekly time series, tips and the ACLED-style event log.

pandas is imported when a table is made, so that running the engine alone (as workers of an ensemble do)
does not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from azalai.model.state import DAYS_PER_WEEK, SOURCES, weeks_recorded

if TYPE_CHECKING:
    from azalai.model.engine import Prepared

SUPPORT_LISTED = 1 / 100  # support level from which a community-actor series is written out


def timeseries_frame(prep: Prepared, S, r: int):
    import pandas as pd

    idx = prep.index
    start = idx.start
    Wk = S.ts_fighters.shape[1]
    last = min(Wk, weeks_recorded(prep.days) + 1)
    dates = [start + np.timedelta64(DAYS_PER_WEEK * k, "D").astype(object) for k in range(last)]
    recs: list[tuple] = []

    def add(series, key, arr):
        for k in range(last):
            recs.append((k, dates[k], series, key, float(arr[k])))

    for a, aid in enumerate(idx.actors):
        add("fighters", aid, S.ts_fighters[r, :, a])
        add("cash", aid, S.ts_cash[r, :, a])
        for s, src in enumerate(SOURCES):
            add(f"income_{src}", aid, S.ts_income[r, :, a, s])
    for v, pid in enumerate(idx.places):
        prot = S.ts_protector[r, :, v]
        for k in range(last):
            recs.append((k, dates[k], "protector", pid, float(prot[k])))
        add("seized_value", pid, S.ts_seized[r, :, v])
        add("perceived_risk", pid, S.ts_risk[r, :, v])
    for c, cid in enumerate(idx.communities):
        add("livelihood", cid, S.ts_livelihood[r, :, c])
        for a, aid in enumerate(idx.actors):
            if prep.world.support0[c, a] > 0 or S.ts_support[r, last - 1, c, a] > SUPPORT_LISTED:
                add("support", f"{cid}|{aid}", S.ts_support[r, :, c, a])
            if S.ts_grievance[r, :last, c, a].max() > 0:
                add("grievance", f"{cid}|{aid}", S.ts_grievance[r, :, c, a])
            if prep.world.actor_role[a] != 0:
                add("cooperation", f"{cid}|{aid}", S.ts_coop[r, :, c, a])
    for e, (a, b) in enumerate(idx.routes):
        add("flow_value", f"{a}|{b}", S.ts_flow[r, :, e])
    for n, (a, b) in enumerate(idx.pairs):
        add("tension", f"{a}|{b}", S.ts_tension[r, :, n])
        add("restraint_broken", f"{a}|{b}", S.ts_broken[r, :, n])
    for i, name in enumerate(["tips", "tips_false", "tips_acted", "false_tips_acted"]):
        add(name, "all", S.ts_tips[r, :, i])
    add("misdirected_ops", "all", S.ts_misdirected[r])
    add("fatalities", "all", S.ts_fatalities[r])
    df = pd.DataFrame(recs, columns=["week", "date", "series", "key", "value"])
    return df


def tips_frame(prep: Prepared, S, r: int):
    import pandas as pd

    idx = prep.index
    n = int(S.tip_n[r])
    import datetime as dt

    rows = []
    for t in range(n):
        acc = int(S.tip_accused[r, t])
        inf = int(S.tip_informant[r, t])
        rows.append(
            {
                "tip_id": t,
                "date": idx.start + dt.timedelta(days=int(S.tip_day[r, t])),
                "day": int(S.tip_day[r, t]),
                "force": idx.actors[int(S.tip_force[r, t])],
                "source_community": idx.communities[int(S.tip_comm[r, t])],
                "informant_group": idx.actors[inf] if inf >= 0 else "",
                "accused": idx.actors[acc] if acc >= 0 else "",
                "place": idx.places[int(S.tip_place[r, t])],
                "true": bool(S.tip_true[r, t]),
                "vetted": bool(S.tip_vetted[r, t]),
                "caught": bool(S.tip_caught[r, t]),
                "acted_on": bool(S.tip_acted[r, t]),
                "event_index": int(S.tip_event[r, t]),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["tip_id", "date", "day", "force", "source_community", "informant_group", "accused", "place",
                 "true", "vetted", "caught", "acted_on", "event_index"],
    )


def events_frame(prep: Prepared, S, r: int, tag: str = "AZ"):
    import pandas as pd

    from azalai.model.events import EVENT_COLUMNS, event_rows

    return pd.DataFrame(event_rows(S, r, prep.index, run_tag=tag), columns=EVENT_COLUMNS)

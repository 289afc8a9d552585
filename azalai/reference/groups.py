"""Militias and alliances in the Mesa reference (docs/ODD.md §7.10), written from the description.

Relations live in each actor's ``rel`` list, which every other reference mechanism reads, so
changing them here is all it takes for alliances to matter.
"""

from __future__ import annotations

from azalai.reference.land import state_reach

BATTLES = ("clash", "overtakes", "attack", "operation", "land-battle")  # violence between two actors


def read_groups(model, sc):
    """Dormant militias (their community), relations at the start, histories and insecurity."""
    cid = {c.id: i for i, c in enumerate(sc.communities)}
    aid = {a.name: a.idx for a in model.actors}
    for a in model.actors:
        a.militia_of = None
        a.active = True
    for mil in sc.militias:
        a = model.actors[aid[mil.id]]
        a.militia_of = cid[mil.community]
        a.active = False
        # Its relations come from its community's relations with the other actors' communities.
        com = model.communities[a.militia_of]
        for b in model.actors:
            if b is not a and sum(b.base_w) > 0:
                x = max(-1.0, min(1.0, sum(w * com.rel[c] for c, w in enumerate(b.base_w))))
                a.rel[b.idx] = b.rel[a.idx] = x
    for a in model.actors:
        a.rel0 = list(a.rel)
    model.hist = {}
    model.allied = {}
    for c in model.communities:
        c.insecurity = [0.0] * model.P  # at each place
        c.cgriev = [0.0] * len(model.communities)  # against each community
        c.harm_place = [0.0] * model.P
    model.events_seen = 0


def _remember_battles(model):
    p = model.p
    for key in model.hist:
        model.hist[key] *= p.history_decay
    new = [e for e in model.events[model.events_seen:]
           if e[1] in BATTLES and isinstance(e[2], int) and isinstance(e[3], int) and e[2] >= 0 and e[3] >= 0]
    model.events_seen = len(model.events)

    def add(a, b, x):
        model.hist[(a, b)] = model.hist.get((a, b), 0.0) + x
        model.hist[(b, a)] = model.hist.get((b, a), 0.0) + x

    for i, (_, _, a, b, v, _) in enumerate(new):
        add(a, b, -1.0)
        for (_, _, x, y, u, _) in new[:i]:
            if u != v:
                continue
            for me, enemy in ((a, b), (b, a)):
                ally = x if (y == enemy and x != me) else (y if (x == enemy and y != me) else None)
                if ally is not None:
                    add(me, ally, 1.0)


def _militias(model):
    p, s = model.p, model.state
    for c in model.communities:  # insecurity where the community is attacked, against its people there
        for v in range(model.P):
            x = c.harm_place[v] * p.pool_ref / c.pop[v] if c.harm_place[v] > 0.0 and c.pop[v] > 0.0 else 0.0
            c.insecurity[v] = p.insecurity_decay * c.insecurity[v] + x
            c.harm_place[v] = 0.0
    _communal_grievances(model)
    for m in model.actors:
        if m.militia_of is None or m.active:
            continue
        c = model.communities[m.militia_of]
        gw, worst = max(((c.grievance[a.idx], a) for a in model.actors if a is not m), key=lambda t: t[0])
        rival = None
        gc = max(c.cgriev)
        if gc > gw:  # against a rival community: its strongest active armed group stands for it
            gw, rival = gc, c.cgriev.index(gc)
            groups = [a for a in model.actors if a.active and a.local and a.base_w[rival] > 0.0]
            worst = max(groups, key=lambda a: a.total_fighters(), default=None)
        if gw < p.militia_grievance or gw <= 0.0:
            continue

        def exposed(v):
            """Local insecurity less the state's reach (none against the state's own abuses); 0 if protected."""
            g = model.places[v].protector
            if g >= 0 and model.actors[g].base_w[c.idx] > 0.0:
                return 0.0
            reach = state_reach(model, v) if worst is not s else 0.0
            return c.insecurity[v] * (1.0 - reach)

        where = [v for v in range(model.P) if not model.places[v].ext and c.pop[v] >= p.dispute_min_pop]
        if not where:
            continue
        home = max(where, key=exposed)
        if exposed(home) <= 0.0 or exposed(home) < p.militia_insecurity:
            continue
        n = min(p.militia_initial * c.pop[home], c.pop[home])
        c.pop[home] -= n
        m.fighters[home] += n
        m.active = True
        tot = sum(c.support)
        if tot + p.militia_support > 1.0:
            c.support = [x * (1.0 - p.militia_support) / tot for x in c.support]
        c.support[m.idx] = p.militia_support
        for a in model.actors:
            if a is m:
                continue
            gs = [c.grievance[a.idx]]
            if a.local:
                gs += [g * a.base_w[d] for d, g in enumerate(c.cgriev) if d != c.idx]
            for g in gs:
                if g > 0.0 and -min(1.0, g / p.militia_grievance) < m.rel[a.idx]:
                    m.rel[a.idx] = a.rel[m.idx] = -min(1.0, g / p.militia_grievance)
        model.count("militias_formed")
        model.emit("militia", m.idx, worst.idx if worst is not None else -1, home, 0)


def _communal_grievances(model):
    """A community blames its rival for the rival's armed men (docs/ODD.md §7.10)."""
    p = model.p
    for c in model.communities:
        for d in model.communities:
            x = c.cgriev[d.idx] * p.grievance_decay
            if d is not c and c.rel[d.idx] < 0.0:
                x += p.communal_blame * sum(c.harm_week[g.idx] * g.base_w[d.idx] for g in model.actors
                                            if g.local and c.harm_week[g.idx] > 0.0)
            c.cgriev[d.idx] = min(x, p.grievance_cap)


def _relations(model):
    p = model.p
    live = [a for a in model.actors if a.active and a.kind != 3]
    prev = {a.idx: list(a.rel) for a in model.actors}  # every pair moves from last week's relations
    for i, a in enumerate(live):
        for b in live[i + 1:]:
            se = sum(-prev[a.idx][x.idx] * -prev[b.idx][x.idx] * min(1.0, x.total_fighters() / p.force_ref)
                     for x in model.actors if x is not a and x is not b and x.active
                     and prev[a.idx][x.idx] < 0.0 and prev[b.idx][x.idx] < 0.0)
            target = a.rel0[b.idx] + p.rel_shared_enemy * se + p.rel_history * model.hist.get((a.idx, b.idx), 0.0)
            ra, rb = a.rent_ema, b.rent_ema
            if prev[a.idx][b.idx] > 0.0:
                target += p.rel_rent * (min(ra, rb) - abs(ra - rb)) / (ra + rb + p.rent_ref)
            target = max(-1.0, min(1.0, target))
            rel = prev[a.idx][b.idx] + p.rel_rate * (target - prev[a.idx][b.idx])
            a.rel[b.idx] = b.rel[a.idx] = rel
            was = model.allied.get((a.idx, b.idx), False)
            now = (rel >= p.alliance_threshold) if not was else (rel >= p.alliance_threshold - p.alliance_hysteresis)
            if now == was:
                continue
            model.allied[(a.idx, b.idx)] = now
            if model.week > 0:
                model.count("alliances_made" if now else "alliances_broken")


def update_groups(model):
    _remember_battles(model)
    _militias(model)
    _relations(model)

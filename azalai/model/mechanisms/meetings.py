"""Who meets whom, for the weekly community update (mechanism 6, ``mechanisms/communities.py``).

Seed: "If French and international forces seek to target the political economy of war in Mali in a
more focused manner, they will run the risk of ... pushing local communities further toward armed
groups." A community is pushed toward the groups it meets: those with fighters, or the protector,
where it has people, and the state, whose reach and absence every community feels (docs/ODD.md §7.6).
Support evolves, and groups recruit, only between the pairs these lists name, so the weekly update
costs what the pairs that exist cost rather than communities x actors.
"""

from __future__ import annotations

from azalai.model.jit import compiled_only


@compiled_only(nrt=False)  # called per community: no reference counting of the arrays it takes
def met_actors(protector, c, s, lptr, lidx, aptr, aidx, meet, lst):
    """The actors community c meets, flagged in ``meet`` and listed in ``lst`` (returns how many): those
    present where it has people, the protectors of those places, and the state (whose reach, and
    whose absence, every community feels)."""
    n = 0
    for i in range(lptr[c], lptr[c + 1]):
        v = lidx[i]
        for j in range(aptr[v], aptr[v + 1]):
            a = aidx[j]
            if not meet[a]:
                meet[a] = True
                lst[n] = a
                n += 1
        g = protector[v]
        if g >= 0 and not meet[g]:
            meet[g] = True
            lst[n] = g
            n += 1
    if s >= 0 and not meet[s]:
        meet[s] = True
        lst[n] = s
        n += 1
    return n

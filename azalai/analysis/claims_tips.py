"""Claim 3, second part: untrue tips cluster where rivalries are sharpest.

Two things the measure keeps apart, as the engine records them per tip:

* *untrue*: the share of the accused's men who did not do what the tip denounces them for (``tip_untrue``:
  ``1 - involvement`` for a denunciation of a rival, 0 for a tip on a legitimate target found in the area).
  Whether the accused is outside the force's mandate (``tip_true``) is a different question and plays no
  part here: a tip naming a signatory under counter-terrorism is outside the mandate whether or not it is
  untrue.
* *where rivalries are sharpest*: a property of places fixed before anything happens, not of the tips: a
  place's **rivalry** is the sharpest hostility (minus the starting relation, ``rel0``) between two local
  armed groups (signatories, jihadists, militias: the parties an informant can settle scores for; the
  forces are the instrument, not a party) present there at the start (at least ``min_presence``
  fighters); 0 where fewer than two are present.

Per run, over the places that at least one tip points at (``tip_place``), each place's untrue share is the
sum of ``tip_untrue`` over its tips divided by their number, and

* ``untrue_clustering``: Spearman's rank correlation between the places' rivalry and their untrue share
  (NaN, and left out, with fewer than three such places or no variation): positive when untrue tips fall
  where rivalries are sharper;
* ``untrue_clustering_with_state``: the same with the state's army counted as a party (reported, not
  judged: it shows how much the result rests on who counts as a rival);
* ``untrue_share_rivals``, ``untrue_share_no_rivals``: the untrue share of all tips pointing at places with
  a rivalry above 0, and at the others; ``untrue_clustering_places``: the number of places.

The claim holds when ``untrue_clustering`` is positive across runs. Its most direct term is the rivalry
term of the informant's chance to lie (``lie_rivalry``): if the clustering disappears with it at 0, and
survives the other ablations, it holds by construction. A path that is not that term: a rival can only be
denounced where it is present, so untrue tips can only point at places where an informant's patron has a
rival.
"""

from __future__ import annotations

import numpy as np

from azalai.model.world import KIND_STATE, LOCAL_KINDS

PARTS = ("untrue_share_rivals", "untrue_share_no_rivals", "untrue_clustering_with_state", "untrue_clustering_places")


def place_rivalry(prep, kinds: tuple[int, ...] = LOCAL_KINDS) -> np.ndarray:
    """Sharpest starting hostility between two armed groups of ``kinds`` present at each place (0 without two)."""
    W = prep.world
    present = np.asarray(W.fighters0) >= prep.params.min_presence  # (A, P)
    present &= np.isin(np.asarray(W.actor_kind), kinds)[:, None]
    hostility = np.maximum(0.0, -np.asarray(W.rel0, dtype=float))  # (A, A)
    np.fill_diagonal(hostility, 0.0)
    out = np.zeros(present.shape[1])
    for v in range(len(out)):
        g = np.flatnonzero(present[:, v])
        if len(g) >= 2:
            out[v] = float(hostility[np.ix_(g, g)].max())
    return out


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.ptp(x) == 0.0 or np.ptp(y) == 0.0:
        return float("nan")
    from scipy import stats

    return float(stats.spearmanr(x, y).statistic)


def untrue_clustering(prep, S, r: int) -> dict[str, float]:
    """The clustering statistics of replicate r; a ``measure`` for :func:`azalai.experiment.worlds.run_paired`."""
    n = int(S.tip_n[r])
    place = np.asarray(S.tip_place[r, :n])
    untrue = np.asarray(S.tip_untrue[r, :n], dtype=float)
    ok = place >= 0
    place, untrue = place[ok], untrue[ok]
    tipped, inverse = np.unique(place, return_inverse=True)
    share = np.bincount(inverse, weights=untrue, minlength=len(tipped)) / np.bincount(inverse, minlength=len(tipped))
    riv = place_rivalry(prep)
    riv_state = place_rivalry(prep, LOCAL_KINDS + (KIND_STATE,))
    rivals = riv[place] > 0.0
    return {
        "untrue_clustering": _spearman(riv[tipped], share),
        "untrue_clustering_with_state": _spearman(riv_state[tipped], share),
        "untrue_share_rivals": float(untrue[rivals].mean()) if rivals.any() else float("nan"),
        "untrue_share_no_rivals": float(untrue[~rivals].mean()) if (~rivals).any() else float("nan"),
        "untrue_clustering_places": float(len(tipped)),
    }


__all__ = ["PARTS", "place_rivalry", "untrue_clustering"]

"""Replicates grouped into batches: one parameter set per batch, balanced across parallel workers."""

from __future__ import annotations

from typing import Mapping, Sequence

from azalai.errors import InputError, Problem
from azalai.experiment.executors.base import Batch, params_key

DEFAULT_BATCH = 32
BALANCE_BELOW = 4  # batches per worker under which make_batches balances the batches' sizes
GUIDED_SHARE = 2  # a balanced batch takes 1 / (GUIDED_SHARE x workers) of the replicates left


def make_batches(
    replicates: Sequence[int],
    seeds: Sequence[int],
    param_sets: Sequence[Mapping[str, float] | None] | None = None,
    batch_size: int = DEFAULT_BATCH,
    parts: int = 1,
) -> list[Batch]:
    """Group replicates into batches of at most ``batch_size`` sharing one parameter set.

    Replicates keep their order within a parameter set; parameter sets appear in first-seen order. With
    ``parts`` > 1 (the number of workers) and fewer than ``BALANCE_BELOW`` batches per worker, each
    parameter set is cut instead into contiguous batches of decreasing size (guided scheduling): each
    takes 1 / (``GUIDED_SHARE`` x ``parts``) of the replicates left, at most ``batch_size`` and at least
    one. The workers take batches from one queue in this order, so the large ones come first (few
    batches, little cost per batch) and the last ones are single replicates: a worker that got less of
    the machine takes fewer of them, and all finish within about one run of each other. 50 replicates on
    2 workers are 13, 10, 7, 5, 4, 3, 2, 2, 1, 1, 1, 1, not 32 + 18 or 25 + 25. (With more batches per
    worker the last one is a small share of the work.)
    """
    if batch_size < 1:
        raise InputError(Problem("<arguments>", None, None, "batch_size", f"must be at least 1 (got {batch_size})"))
    groups: dict[str, list[int]] = {}
    group_params: dict[str, Mapping[str, float] | None] = {}
    for j, rep in enumerate(replicates):
        p = param_sets[j] if param_sets is not None else None
        key = params_key(p) if p is not None else ""
        groups.setdefault(key, []).append(j)
        group_params.setdefault(key, p)
    parts = max(1, int(parts))
    plain = sum(-(-len(idx) // batch_size) for idx in groups.values())
    if plain >= BALANCE_BELOW * parts:
        parts = 1
    out: list[Batch] = []
    for key, idx in groups.items():
        for chunk in _chunks(idx, batch_size, parts):
            out.append(Batch(len(out), tuple(int(replicates[j]) for j in chunk), tuple(int(seeds[j]) for j in chunk),
                             group_params[key]))
    return out


def _chunks(idx: list[int], batch_size: int, parts: int) -> list[list[int]]:
    if parts == 1:
        return [idx[k:k + batch_size] for k in range(0, len(idx), batch_size)]
    out, k = [], 0
    while k < len(idx):
        size = min(batch_size, max(1, -(-(len(idx) - k) // (GUIDED_SHARE * parts))))
        out.append(idx[k:k + size])
        k += size
    return out


def parallel_parts(backend: str, workers: int | None) -> int:
    """How many batches run at once: the batches of a parallel backend are balanced across them."""
    if backend == "serial":
        return 1
    from azalai.experiment.executors.process import default_workers

    return max(1, int(workers or default_workers()))

"""The ranges every numeric argument must fall in: one definition for the command line, the library and the
dashboard's API.

A value outside its range is refused before any run record is written or any simulation starts, with a
one-line message naming the argument. The engine draws its random numbers from 64-bit seeds, so a seed is a
whole number in ``0 .. 2**63 - 1`` and an ensemble's last seed (``seed + n - 1``) must be one too. Days
match the scenario schema's horizon (at most 100 years). Replicates and batch sizes are capped so that a
typo cannot ask for terabytes: a batch holds ``batch_size`` replicates' state in memory at once.

The dashboard serves whoever can reach it and so has tighter caps (:data:`API_MAX_REPLICATES`,
:data:`API_MAX_DAYS`); they sit inside the ranges below.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from azalai.errors import InputError, Problem


@dataclass(frozen=True)
class Range:
    """An inclusive range of whole numbers with the words to explain it."""

    name: str
    low: int
    high: int
    unit: str = ""

    def problem(self, value: object, field: str | None = None) -> Problem | None:
        """A Problem if ``value`` is not a whole number in the range, else None."""
        where = field or self.name
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            return Problem("<arguments>", None, None, where, f"must be a whole number (got {_short(value)})")
        unit = f" {self.unit}" if self.unit else ""
        if int(value) < self.low:
            return Problem("<arguments>", None, None, where,
                           f"must be at least {self.low:,}{unit} (got {_short(value)})")
        if int(value) > self.high:
            return Problem("<arguments>", None, None, where,
                           f"must be at most {self.high:,}{unit} (got {_short(value)})")
        return None

    def check(self, value: object, field: str | None = None) -> int:
        """``value`` itself, or :class:`InputError` if it is outside the range."""
        p = self.problem(value, field)
        if p is not None:
            raise InputError([p])
        return int(value)  # type: ignore[arg-type]


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


#: Seeds of the engine's 64-bit random number generator.
SEED = Range("seed", 0, 2**63 - 1)
#: Days to simulate (the scenario schema's horizon has the same cap).
DAYS = Range("days", 1, 36_500, "days")
#: Replicates of an ensemble, a comparison or an experiment's sample.
REPLICATES = Range("n", 1, 1_000_000, "replicates")
#: Replicates simulated together in one vectorised batch.
BATCH_SIZE = Range("batch_size", 1, 1_024, "replicates")
#: Worker processes (or Ray CPUs) of an ensemble.
WORKERS = Range("workers", 1, 1_024, "workers")
#: Bootstrap resamples of a comparison.
BOOTSTRAP = Range("n_boot", 1, 1_000_000, "resamples")

#: The dashboard's caps (inside the ranges above): anyone who can reach it can ask for runs.
API_MAX_REPLICATES = 200
API_MAX_COMPARE = 100
API_MAX_DAYS = 1460
#: Largest request body the dashboard reads (its requests are a few hundred bytes).
API_MAX_BODY = 64 * 1024


def check_seed_span(seed: int, n: int, field: str = "seed") -> None:
    """Refuse a first seed whose ensemble of ``n`` replicates would run past the last seed."""
    SEED.check(seed, field)
    REPLICATES.check(n, "n")
    if seed + n - 1 > SEED.high:
        raise InputError([Problem("<arguments>", None, None, field,
                                  f"seed + n - 1 must be at most {SEED.high:,} (2**63 - 1); "
                                  f"the largest first seed for {n:,} replicates is {SEED.high - n + 1:,}")])


def check_all(**values: object) -> None:
    """Check several arguments at once (``None`` means "not given"); every problem is reported.

    Keywords are the names of the ranges above (``seed``, ``days``, ``n``, ``batch_size``, ``workers``,
    ``n_boot``), or ``name=(value, "--flag")`` to name the argument as the user typed it.
    """
    ranges = {r.name: r for r in (SEED, DAYS, REPLICATES, BATCH_SIZE, WORKERS, BOOTSTRAP)}
    problems = []
    for key, v in values.items():
        field = None
        if isinstance(v, tuple):
            v, field = v
        if v is None:
            continue
        p = ranges[key].problem(v, field)
        if p is not None:
            problems.append(p)
    if problems:
        raise InputError(problems)

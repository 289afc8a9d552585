"""azalai: a stochastic agent-based simulator of the political economy of armed conflict in Mali.

The pipeline, one sub-package per stage::

    scenario/   the scenario language (YAML + pydantic) and the built-in ``mali-2016``
    policy/     levers as validated policy files, and the built-in policies
    model/      state arrays, the daily step, one module per mechanism, the event log
    experiment/ ensembles, executors (serial, process, Ray), the DuckDB store, sensitivity
    analysis/   outcomes, paired comparison, explanation, validation and calibration
    data/       importers for ACLED and UCDP exports
    report/     figures, maps and the HTML report
    app/        the offline browser dashboard
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["load_scenario", "load_policy", "simulate", "__version__"]


def load_scenario(name_or_path):  # noqa: D103 - thin re-export
    from azalai.scenario.loader import load_scenario as _load

    return _load(name_or_path)


def load_policy(name_or_path):  # noqa: D103
    from azalai.policy.loader import load_policy as _load

    return _load(name_or_path)


def simulate(*args, **kwargs):
    """Run one simulation; see :func:`azalai.model.engine.simulate`."""
    from azalai.model.engine import simulate as _simulate

    return _simulate(*args, **kwargs)

"""azalai: a stochastic agent-based simulator of the political economy of armed conflict in Mali.

The pipeline, one sub-package per stage::

    scenario/   the scenario language (YAML + pydantic) and the built-in ``mali-2016``
    policy/     levers as validated policy files, and the built-in policies
    model/      state arrays, the daily step, one module per mechanism, the event log
    experiment/ ensembles, executors (serial, threads, processes, Ray), the DuckDB store, sensitivity
    analysis/   outcomes, paired comparison, explanation, validation and calibration
    data/       importers for ACLED and UCDP exports
    report/     figures, maps and the HTML report
    app/        the offline browser dashboard

The top-level functions are thin wrappers for scripts and notebooks (their results show as tables in
Jupyter)::

    >>> import azalai
    >>> run = azalai.simulate("mali-2016", "counter-trafficking", seed=1, days=365)
    >>> ens = azalai.ensemble("mali-2016", "counter-trafficking", n=50, days=365)
    >>> cmp = azalai.compare("counter-terrorism", "counter-trafficking", n=50, days=365)
    >>> val = azalai.validate("acled", "2015-01-01:2016-06-30", n=20)   # needs imported ACLED data
"""

from __future__ import annotations

from azalai.defaults import DEFAULT_SCENARIO

__version__ = "0.1.0"

__all__ = ["load_scenario", "load_policy", "simulate", "ensemble", "compare", "validate", "__version__"]


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


def ensemble(scenario=DEFAULT_SCENARIO, policy=None, n: int = 100, *, seed: int = 0, days: int | None = None,
             params=None, store=None, progress=None, **kwargs):
    """Run ``n`` replicates (seeds ``seed .. seed+n-1``) of one scenario and policy.

    Returns an :class:`~azalai.experiment.ensemble.EnsembleResult` (``outcomes``: one row per replicate;
    ``run_id``: the stored run, or None when ``store`` is None, the default). Other keyword arguments
    (``backend``, ``workers``, ``events``, ``param_samples``, ...) are those of
    :func:`azalai.experiment.ensemble.run_ensemble`.
    """
    from azalai.experiment.ensemble import run_ensemble

    return run_ensemble(scenario, policy, n=n, seed=seed, days=days, params=params, store=store,
                        progress=progress, **kwargs)  # fmt: skip


def compare(policy_a, policy_b, *, scenario=DEFAULT_SCENARIO, n: int = 100, seed: int = 0, days: int | None = None,
            params=None, n_boot: int = 2000, progress=None, **kwargs):
    """Compare two policies over the same ``n`` seeds (common random numbers).

    Returns a :class:`~azalai.analysis.compare.Comparison`: ``table`` has one row per outcome with the
    means under A and B, the mean paired difference B - A, its 95% bootstrap CI and the effect size
    d_z. Other keyword arguments are those of :func:`azalai.analysis.compare.paired_compare`.
    """
    from azalai.analysis.compare import paired_compare

    return paired_compare(scenario, policy_a, policy_b, n=n, seed=seed, days=days, params=params, n_boot=n_boot,
                          progress=progress, **kwargs)  # fmt: skip


def validate(observed: str, period, *, n: int = 50, store=None, scenario=DEFAULT_SCENARIO, policy=None, seed: int = 1,
             params=None, **kwargs):
    """Run an ensemble over an observed period and compare it with observed data in the store.

    ``observed`` is ``acled``, ``ucdp`` or ``acled-aggregates`` (imported with ``azalai data import``);
    ``period`` is ``START:END`` or a pair of dates. Returns a :class:`~azalai.analysis.validation.Validation`
    (``result``: the statistics as a JSON-able dict). Other keyword arguments are those of
    :func:`azalai.analysis.validation.validate`.
    """
    from azalai.analysis.validation import validate as _validate

    return _validate(observed, period, n=n, store=store, params=params, seed=seed, scenario=scenario,
                     policy=policy, **kwargs)  # fmt: skip

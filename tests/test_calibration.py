"""ABC-SMC calibration: recovery on a toy simulator, the model end to end, posterior sampling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from azalai.analysis import calibration as cal
from azalai.errors import InputError
from azalai.model.params import load_param_file, make_params, spec

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
MONTHLY = DATA / "observed" / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv"
SIZES = DATA / "observed" / "acled_mali_event_size_counts_2012_2015.csv"
have_data = pytest.mark.skipif(not (MONTHLY.exists() and SIZES.exists()), reason="shared reference data not available")


def _toy(theta, seed):
    """Mean of 20 Poisson draws with rate theta[0], and of 20 normal draws around 3*theta[1]."""
    rng = np.random.default_rng(seed)
    return np.array([rng.poisson(theta[0], 20).mean(), rng.normal(3 * theta[1], 1.0, 20).mean()])


def test_abc_smc_recovers_known_parameters():
    true = np.array([7.0, 1.5])
    obs = _toy(true, 12345)
    prior = cal.UniformPrior(["rate", "shift"], np.array([0.0, -5.0]), np.array([30.0, 5.0]))
    res = cal.abc_smc(_toy, obs, prior, groups=[0, 1], particles=150, generations=6, seed=7)
    q = res.quantiles((0.05, 0.5, 0.95))
    assert abs(q["rate"][1] - 7.0) < 1.0
    assert abs(q["shift"][1] - 1.5) < 0.3
    assert q["rate"][0] < 7.0 < q["rate"][2]
    # tolerances decrease and the posterior is much narrower than the prior
    eps = [g.epsilon for g in res.generations[1:]]
    assert all(b < a for a, b in zip(eps, eps[1:]))
    assert q["rate"][2] - q["rate"][0] < 0.2 * 30
    assert abs(res.weights.sum() - 1) < 1e-9 and res.ess() > 20


def test_distance_and_scales():
    stats = np.array([[0.0, 10.0], [1.0, 20.0], [2.0, 30.0], [3.0, 40.0]])
    sc = cal.robust_scales(stats)
    assert sc[1] == pytest.approx(10 * sc[0])
    d = cal.group_distance(np.array([[1.0, 10.0], [np.nan, 0.0]]), np.array([0.0, 0.0]), np.array([1.0, 10.0]), [0, 1])
    assert d[0] == pytest.approx(1.0)  # sqrt((1 + 1) / 2)
    assert d[1] == pytest.approx(np.sqrt((cal.NAN_PENALTY ** 2 + 0) / 2))
    w = np.array([1.0, 1.0, 2.0])
    x = np.array([1.0, 2.0, 3.0])
    assert cal.weighted_quantile(x, np.ones(3), 0.5) == pytest.approx(2.0)
    assert 2.0 < cal.weighted_quantile(x, w, 0.5) < 3.0  # mass moved toward 3 moves the median up


@have_data
def test_model_calibration_end_to_end(tmp_path):
    from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes

    st = tmp_path / "store.duckdb"
    import_acled_aggregates(MONTHLY, st)
    import_acled_event_sizes(SIZES, st)
    res, tg = cal.calibrate("acled-aggregates", "2015-01-01:2016-06-30", ["clash_base", "fatality_scale"],
                            particles=6, generations=2, replicates=1, seed=3, store=st, days=60)
    assert len(res.generations) >= 1 and res.theta.shape[1] == 2
    assert tg.names[0] == "log_fatalities_per_year" and tg.names[-1] == "tail_alpha"
    doc = cal.result_document(res, tg, "2015-01-01:2016-06-30")
    out = cal.write_result(doc, tmp_path / "cal.yaml")
    raw = yaml.safe_load(out.read_text())
    for key in ("values", "posterior", "method", "observed", "period", "statistics", "distance"):
        assert key in raw
    assert set(raw["posterior"]["clash_base"]) == {"median", "q05", "q95"}
    vals = load_param_file(out)
    assert set(vals) == {"clash_base", "fatality_scale"}
    p = make_params(vals)
    assert p.clash_base == pytest.approx(vals["clash_base"])
    draws = cal.sample_posterior(out, 20, seed=1)
    assert len(draws) == 20
    for d in draws:
        for k, v in d.items():
            assert spec(k).low <= v <= spec(k).high


def test_sample_posterior_within_ranges(tmp_path):
    # from quantiles only (no particles)
    doc = {"values": {"clash_base": 0.003, "attack_base": 0.002},
           "posterior": {"clash_base": {"median": 0.003, "q05": 0.001, "q95": 0.006},
                         "attack_base": {"median": 0.002, "q05": 0.0006, "q95": 0.004}}}
    f = tmp_path / "post.yaml"
    f.write_text(yaml.safe_dump(doc))
    draws = cal.sample_posterior(f, 500, seed=2)
    cb = np.array([d["clash_base"] for d in draws])
    assert cb.min() >= spec("clash_base").low and cb.max() <= spec("clash_base").high
    assert 0.0025 < np.median(cb) < 0.0035
    assert 0.8 < np.mean((cb >= 0.001) & (cb <= 0.006)) < 0.97
    assert cal.sample_posterior(f, 3, seed=2) == cal.sample_posterior(f, 3, seed=2)
    # from weighted particles: only particle values come out, in proportion to their weights
    doc2 = {"values": {"clash_base": 0.002}, "particles": {"names": ["clash_base"], "weights": [0.9, 0.1],
                                                           "values": [[0.002], [0.008]]}}
    f2 = tmp_path / "post2.yaml"
    f2.write_text(yaml.safe_dump(doc2))
    d2 = np.array([d["clash_base"] for d in cal.sample_posterior(f2, 1000, seed=0)])
    assert set(np.unique(d2)) <= {0.002, 0.008} and 0.85 < np.mean(d2 == 0.002) < 0.95
    with pytest.raises(InputError):
        cal.sample_posterior(tmp_path / "missing.yaml", 1)


def test_unknown_parameter_is_a_clear_error():
    with pytest.raises(InputError, match="unknown parameter"):
        cal.check_param_names(["clash_bse"])


def test_shipped_names_the_calibrated_parameters_of_the_registry():
    from azalai.model.params import registry

    names = cal.check_param_names(["shipped"])
    assert names == list(cal.CAL_PARAMS) and len(set(names)) == len(names)
    assert set(names) <= {s.name for s in registry()}
    assert cal.check_param_names(["clash_base", " attack_base"]) == ["clash_base", "attack_base"]
    with pytest.raises(InputError, match="unknown parameter"):
        cal.check_param_names(["shipped", "clash_base"])  # the word stands alone


def test_abc_smc_resumes_from_a_checkpoint_with_identical_results(tmp_path):
    """A run stopped after two generations and resumed equals an uninterrupted run of three."""
    from azalai.analysis.calibration import UniformPrior, abc_smc

    def sim(theta, seed):
        r = np.random.default_rng(seed)
        return np.array([theta[0] + 0.1 * r.standard_normal(), theta[1] + 0.1 * r.standard_normal()])

    prior = UniformPrior(["a", "b"], np.array([0.0, 0.0]), np.array([2.0, 2.0]))
    obs = np.array([1.2, 0.4])
    full = abc_smc(sim, obs, prior, particles=30, generations=3, seed=5)
    ck = tmp_path / "abc.npz"
    part = abc_smc(sim, obs, prior, particles=30, generations=2, seed=5, checkpoint=ck)
    assert ck.exists() and len(part.generations) == 2
    msgs = []
    resumed = abc_smc(sim, obs, prior, particles=30, generations=3, seed=5, checkpoint=ck, progress=msgs.append)
    assert msgs[0].startswith("resumed from") and len(resumed.generations) == 3
    np.testing.assert_array_equal(resumed.theta, full.theta)
    np.testing.assert_array_equal(resumed.weights, full.weights)
    # a checkpoint of other settings is refused
    from azalai.errors import InputError

    with pytest.raises(InputError, match="other settings"):
        abc_smc(sim, obs, prior, particles=30, generations=3, seed=6, checkpoint=ck)


@have_data
def test_calibration_on_a_process_pool_equals_the_serial_run(tmp_path):
    """Particles run as batches on the executors; seeds are fixed before dispatch, so two worker
    processes give exactly the serial result."""
    from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes

    st = tmp_path / "store.duckdb"
    import_acled_aggregates(MONTHLY, st)
    import_acled_event_sizes(SIZES, st)
    kw = dict(particles=6, generations=2, replicates=2, seed=3, store=st, days=45)
    serial, _ = cal.calibrate("acled-aggregates", "2015-01-01:2016-06-30", ["clash_base", "fatality_scale"], **kw)
    pooled, _ = cal.calibrate("acled-aggregates", "2015-01-01:2016-06-30", ["clash_base", "fatality_scale"],
                              workers=2, **kw)
    assert serial.meta["backend"] == "serial" and pooled.meta["backend"] == "process"
    assert len(pooled.generations) == len(serial.generations) == 2
    for a, b in zip(serial.generations, pooled.generations):
        np.testing.assert_array_equal(a.theta, b.theta)
        np.testing.assert_array_equal(a.stats, b.stats)
    np.testing.assert_array_equal(serial.weights, pooled.weights)


def test_calibrate_refuses_an_unknown_backend(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "azalai.cli.main", "calibrate", "--observed", "acled-aggregates",
                        "--period", "2015-01-01:2015-12-31", "--params", "clash_base", "--backend", "threads",
                        "--out", str(tmp_path / "c.yaml")], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--backend: 'threads' is not one of serial, thread, process, ray" in r.stderr


def test_pyabc_on_the_same_problem_recovers_known_parameters():
    """pyABC's ABCSMC with the project's prior, simulator and distance finds the toy's parameters too."""
    pytest.importorskip("pyabc")
    from azalai.analysis.abc_pyabc import pyabc_smc

    true = np.array([7.0, 1.5])
    obs = _toy(true, 12345)
    prior = cal.UniformPrior(["rate", "shift"], np.array([0.0, -5.0]), np.array([30.0, 5.0]))
    many = lambda th, seeds: np.array([_toy(t, s) for t, s in zip(th, seeds)])  # noqa: E731
    res = pyabc_smc(many, obs, prior, [0, 1], particles=150, generations=5, seed=7)
    q = res.quantiles((0.05, 0.5, 0.95))
    assert abs(q["rate"][1] - 7.0) < 1.0 and abs(q["shift"][1] - 1.5) < 0.3
    assert q["rate"][2] - q["rate"][0] < 0.2 * 30
    assert len(res.generations) == 5 and res.meta["simulations_total"] > 5 * 150
    # reproducible: the same seed gives the same posterior
    again = pyabc_smc(many, obs, prior, [0, 1], particles=150, generations=5, seed=7)
    np.testing.assert_array_equal(np.sort(res.theta, axis=0), np.sort(again.theta, axis=0))


@have_data
def test_model_calibration_with_the_pyabc_sampler(tmp_path):
    pytest.importorskip("pyabc")
    from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes

    st = tmp_path / "store.duckdb"
    import_acled_aggregates(MONTHLY, st)
    import_acled_event_sizes(SIZES, st)
    res, tg = cal.calibrate("acled-aggregates", "2015-01-01:2016-06-30", ["clash_base", "fatality_scale"],
                            particles=6, generations=2, replicates=1, seed=3, store=st, days=45, sampler="pyabc",
                            checkpoint=tmp_path / "history.db")
    assert (tmp_path / "history.db").exists() and res.theta.shape == (6, 2)
    doc = cal.result_document(res, tg)
    assert doc["method"]["name"].startswith("ABC-SMC with pyABC") and doc["method"]["simulations"] >= 12
    with pytest.raises(InputError, match="--sampler"):
        cal.check_sampler("elfi")

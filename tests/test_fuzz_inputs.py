"""Fuzzing what users and pages send: API request bodies and the CLI's numeric options.

Whatever arrives, the answer is a 2xx/4xx JSON response or exit status 2 with a message: never a 5xx,
never a traceback, and never a simulation started by an invalid request (simulations are replaced by a
stub here, so a valid request returns at once and time stays bounded)."""

from __future__ import annotations

import json
import sys
from urllib.parse import quote

import pytest

hypothesis = pytest.importorskip("hypothesis")
pytest.importorskip("fastapi")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

pytestmark = pytest.mark.xdist_group("app")

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

numbers = st.one_of(
    st.integers(min_value=-(2**130), max_value=2**130),
    st.sampled_from([0, 1, -1, 2**62, 2**63 - 1, 2**63, 2**64, 1460, 1461, 200, 201, 36500, 36501]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=50))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                              st.dictionaries(st.text(max_size=20), inner, max_size=5)),
                           max_leaves=20)
FIELDS = ["scenario", "policy", "seed", "n", "days", "levers", "policy_a", "policy_b", "extra"]
LEVER_NAMES = ["vetting", "aid_level", "no_such_lever", "", "../x"]
bodies = st.one_of(
    st.fixed_dictionaries({}, optional={f: st.one_of(numbers, scalars, json_values) for f in FIELDS}),
    st.fixed_dictionaries({"levers": st.dictionaries(st.sampled_from(LEVER_NAMES) | st.text(max_size=10),
                                                     numbers | scalars, max_size=6)}),
    json_values,
)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from azalai.app import api
    from azalai.experiment import jobs
    from azalai.report import compare_view

    mp = pytest.MonkeyPatch()
    mp.setattr(jobs, "execute_run", lambda *a, **k: None)
    mp.setattr(compare_view, "paired_compare", lambda *a, **k: {})
    store = tmp_path_factory.mktemp("fuzz") / "s.duckdb"
    app = api.create_app(store=str(store), processes=False, max_queued=10_000)
    with TestClient(app, base_url="http://127.0.0.1:8050", raise_server_exceptions=False) as c:
        yield c
    mp.undo()


def _check(r) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:500])
    assert "Traceback" not in r.text and 'File "' not in r.text
    if r.status_code >= 400:
        body = r.json()
        assert set(body) == {"error"} and isinstance(body["error"], str) and len(body["error"]) < 2000


@SETTINGS
@given(body=bodies, path=st.sampled_from(["/api/runs", "/api/compare"]))
def test_fuzz_api_bodies(client, body, path) -> None:
    raw = json.dumps(body, allow_nan=True).encode()
    _check(client.post(path, content=raw, headers={"Content-Type": "application/json"}))


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_fuzz_api_raw_bytes(client, raw) -> None:
    _check(client.post("/api/runs", content=raw, headers={"Content-Type": "application/json"}))


@SETTINGS
@given(seed=numbers | st.text(max_size=30), limit=numbers | st.text(max_size=30),
       run_id=st.text(max_size=100))
def test_fuzz_api_queries(client, seed, limit, run_id) -> None:
    _check(client.get("/api/runs/run-x/events", params={"seed": str(seed), "limit": str(limit)}))
    _check(client.get("/api/runs", params={"limit": str(limit)}))
    _check(client.get("/api/runs/" + quote(run_id, safe="")))


# ------------------------------------------------------------------------------------------- CLI


@pytest.fixture(scope="module")
def cli_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    (d / "bad.yaml").write_text("no_such_parameter: 1\n")  # every valid set of numbers stops here, unsimulated
    return d


def _cli(args: list[str], capsys) -> tuple[int, str]:
    from azalai.cli.main import run

    old = sys.argv
    sys.argv = ["azalai", *args]
    try:
        with pytest.raises(SystemExit) as info:
            run()
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return info.value.code, captured.err + captured.out


cli_numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70),
                        st.sampled_from(["2**63", "1e3", "", "-", "0x10", "nan", " 5", "9" * 40]))


@SETTINGS
@given(seed=cli_numbers, days=cli_numbers)
def test_fuzz_run_numbers(cli_dir, monkeypatch, capsys, seed, days) -> None:
    monkeypatch.chdir(cli_dir)
    code, text = _cli(["run", "--seed", str(seed), "--days", str(days), "--params", "bad.yaml",
                       "--store", str(cli_dir / "s.duckdb")], capsys)
    assert code == 2, text
    assert "Traceback" not in text and "internal error" not in text
    assert not (cli_dir / "s.duckdb").exists()


@SETTINGS
@given(n=cli_numbers, seed=cli_numbers, batch=cli_numbers, workers=cli_numbers)
def test_fuzz_ensemble_numbers(cli_dir, monkeypatch, capsys, n, seed, batch, workers) -> None:
    monkeypatch.chdir(cli_dir)
    code, text = _cli(["ensemble", "-n", str(n), "--seed", str(seed), "--batch-size", str(batch), "--workers",
                       str(workers), "--params", "bad.yaml", "--store", str(cli_dir / "s.duckdb")], capsys)
    assert code == 2, text
    assert "Traceback" not in text and "internal error" not in text
    assert not (cli_dir / "s.duckdb").exists()

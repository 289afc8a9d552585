"""The dashboard's JSON API: every endpoint, and bad requests rejected with clean JSON errors."""

from __future__ import annotations

import time

import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

pytestmark = pytest.mark.xdist_group("app")

DAYS = 30


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from azalai.app.api import create_app

    store = tmp_path_factory.mktemp("store") / "runs.duckdb"
    with TestClient(create_app(store=str(store)), base_url="http://127.0.0.1:8050", raise_server_exceptions=False) as c:
        yield c


def wait_job(client, job_id: str, timeout: float = 600) -> dict:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        j = client.get(f"/api/jobs/{job_id}").json()
        if j["status"] in ("done", "failed"):
            return j
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture(scope="module")
def single_run(client):
    r = client.post("/api/runs", json={"policy": "baseline-2016", "seed": 3, "n": 1, "days": DAYS})
    assert r.status_code == 202, r.text
    j = wait_job(client, r.json()["job_id"])
    assert j["status"] == "done", j
    return j["run_id"]


@pytest.fixture(scope="module")
def ensemble_run(client):
    r = client.post("/api/runs", json={"policy": "counter-trafficking", "seed": 0, "n": 3, "days": DAYS,
                                       "levers": {"vetting": 0.1}})  # fmt: skip
    assert r.status_code == 202, r.text
    j = wait_job(client, r.json()["job_id"])
    assert j["status"] == "done", j
    return j["run_id"]


def assert_clean_error(r, status: int | tuple[int, ...]):
    statuses = (status,) if isinstance(status, int) else status
    assert r.status_code in statuses, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in r.text and 'File "' not in r.text


def test_static_pages(client):
    r = client.get("/")
    assert r.status_code == 200 and "<title>azalai dashboard</title>" in r.text
    assert "Content-Security-Policy" in r.headers
    for name in ("app.js", "charts.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert_clean_error(client.get("/static/missing.js"), 404)
    assert_clean_error(client.get("/static/..%2F..%2Fapi.py"), 404)
    assert_clean_error(client.get("/nowhere"), 404)


def test_health_and_options(client):
    assert client.get("/api/health").json()["ok"] is True
    o = client.get("/api/options").json()
    assert "mali-2016" in o["scenarios"]
    ids = [p["id"] for p in o["policies"]]
    assert "baseline-2016" in ids and "counter-trafficking" in ids
    assert {lv["name"] for lv in o["levers"]} >= {"vetting", "barkhane_focus"}
    assert o["limits"]["max_ensemble"] <= 200


def test_scenario(client):
    s = client.get("/api/scenarios/mali-2016").json()
    assert len(s["places"]) > 10 and len(s["routes"]) > 10 and len(s["actors"]) > 5
    assert s["accords"] and s["relations"] and s["outline"]["rings"][0]
    assert any(n["name"] == "Algeria" for n in s["neighbours"])
    assert_clean_error(client.get("/api/scenarios/nope"), 404)


def test_single_run_results_events_detail(client, single_run):
    runs = client.get("/api/runs").json()["runs"]
    assert any(r["run_id"] == single_run and r["status"] == "done" for r in runs)
    res = client.get(f"/api/runs/{single_run}").json()
    assert res["n"] == 1 and res["run"]["policy"] == "baseline-2016" and res["run"]["days"] == DAYS
    assert "fatalities" in res["outcomes"]
    assert res["fatalities_by_region"]["months"]
    assert res["tension"]["weeks"] and res["protectors"] and res["flows"]
    assert any(lv["name"] == "vetting" for lv in res["levers"])
    ev = client.get(f"/api/runs/{single_run}/events").json()
    assert ev["columns"][0] == "event_id_cnty"
    assert ev["rows"], "a 30-day run should have events"
    eid = ev["rows"][0][0]
    d = client.get(f"/api/runs/{single_run}/events/{eid}").json()
    assert d["event_id_cnty"] == eid and d["cause_steps"] and isinstance(d["cause_links"], list)
    assert_clean_error(client.get(f"/api/runs/{single_run}/events/XX-999999"), 404)


def test_ensemble_run(client, ensemble_run):
    res = client.get(f"/api/runs/{ensemble_run}").json()
    assert res["n"] == 3
    o = res["outcomes"]["fatalities"]
    assert o["lo"] <= o["median"] <= o["hi"]
    vet = next(lv for lv in res["levers"] if lv["name"] == "vetting")
    assert vet["value"] == pytest.approx(0.1)
    for s in res["fatalities_by_type"]["series"]:
        assert len(s["lo"]) == len(s["hi"]) == len(res["fatalities_by_type"]["months"])
    jobs = client.get("/api/jobs").json()["jobs"]
    assert any(j["run_id"] == ensemble_run for j in jobs)


def test_compare(client):
    r = client.post("/api/compare", json={"policy_a": "counter-terrorism", "policy_b": "counter-trafficking",
                                          "n": 3, "days": DAYS, "seed": 1})  # fmt: skip
    assert r.status_code == 202, r.text
    j = wait_job(client, r.json()["job_id"])
    assert j["status"] == "done", j
    res = j["result"]
    assert res["n"] == 3 and res["seeds"] == [1, 2, 3]
    row = next(x for x in res["outcomes"] if x["outcome"] == "fatalities")
    assert row["ci_lo"] <= row["diff"] <= row["ci_hi"]
    assert res["explanations"] and res["lever_diff"]


@pytest.mark.parametrize(
    "body",
    [
        {"n": 100000},
        {"n": 201},
        {"n": 0},
        {"days": -5},
        {"days": 0},
        {"days": 5000},
        {"seed": -1},
        {"policy": "no-such-policy"},
        {"policy": "../../etc/passwd"},
        {"policy": "/tmp/x.yaml"},
        {"policy": "baseline-2016.yaml"},
        {"scenario": "../../etc/passwd"},
        {"scenario": "/tmp/x.yaml"},
        {"levers": {"vetting": 7}},
        {"levers": {"no_such_lever": 0.5}},
        {"levers": {"../../etc/passwd": 0.5}},
        {"path": "/etc/passwd"},
        {"days": "many"},
    ],
)
def test_bad_run_requests(client, body):
    assert_clean_error(client.post("/api/runs", json=body), (400, 422))


@pytest.mark.parametrize(
    "body",
    [{"n": 1000}, {"n": 1}, {"policy_a": "../../etc/passwd"}, {"policy_b": "/tmp/x.yaml"}, {"days": -1}, {"seed": -3}],
)
def test_bad_compare_requests(client, body):
    assert_clean_error(client.post("/api/compare", json=body), (400, 422))


def test_malformed_bodies(client):
    assert_clean_error(client.post("/api/runs", content=b"{not json", headers={"Content-Type": "application/json"}),
                       (400, 422))  # fmt: skip
    assert_clean_error(client.post("/api/runs", json=[1, 2, 3]), (400, 422))


def test_bad_ids(client):
    for path in ("/api/runs/..%2F..%2Fetc%2Fpasswd", "/api/runs/no-such-run", "/api/runs/a%20b/events",
                 "/api/jobs/nope", "/api/jobs/..%2Fx", "/api/runs/x'%3B--/events/1"):  # fmt: skip
        assert_clean_error(client.get(path), (400, 404))
    assert_clean_error(client.get("/api/runs/no-such-run/events?seed=-1"), (400, 404, 422))
    assert_clean_error(client.get("/api/runs?limit=abc"), 422)


def test_concurrency_limit(tmp_path, monkeypatch):
    """More runs than workers + queue are refused with 429, not queued without bound."""
    import threading

    from azalai.app import api
    from azalai.experiment import jobs

    gate = threading.Event()

    def slow(*a, **k):
        gate.wait(30)
        return "x"

    monkeypatch.setattr(jobs, "execute_run", slow)
    app = api.create_app(store=str(tmp_path / "s.duckdb"), max_running=1, max_queued=1)
    with TestClient(app, base_url="http://localhost") as c:
        codes = [c.post("/api/runs", json={"days": 5}).status_code for _ in range(4)]
        gate.set()
    assert codes[:2] == [202, 202] and codes[2:] == [429, 429]

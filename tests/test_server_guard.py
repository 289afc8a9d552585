"""The dashboard against hostile pages and clients: foreign Host and Origin headers, oversized bodies,
unbounded values, and internal errors, on a real uvicorn server (and in-process where a fault is injected)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

pytestmark = pytest.mark.xdist_group("app")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from azalai.app.server import BackgroundServer

    store = tmp_path_factory.mktemp("guard") / "s.duckdb"
    with BackgroundServer(store=str(store), processes=False) as url:
        yield url


def clean_error(r, *statuses: int) -> str:
    assert r.status_code in statuses, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"} and body["error"]
    assert "Traceback" not in r.text and "duckdb" not in r.text.lower()
    return body["error"]


def test_foreign_host_refused(server):
    port = server.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.nip.io", ""):
        r = httpx.get(server + "/api/runs", headers={"Host": host})
        assert "host not allowed" in clean_error(r, 400)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
        assert httpx.get(server + "/api/health", headers={"Host": host}).status_code == 200


def test_cross_origin_posts_refused(server):
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": server.replace("127.0.0.1", "localhost")}):
        r = httpx.post(server + "/api/runs", json={"days": 5}, headers=headers)
        assert "refused" in clean_error(r, 403)
    # same origin (and no Origin at all, as from a script) reaches validation: an invalid body is a 422
    for headers in ({"Origin": server}, {}):
        r = httpx.post(server + "/api/runs", json={"n": 0}, headers=headers)
        clean_error(r, 422)
    # reading is allowed from anywhere the Host is right (the page's own requests carry no Origin on GET)
    assert httpx.get(server + "/api/health", headers={"Origin": "http://evil.example"}).status_code == 200


def test_large_declared_body_refused_before_reading(server):
    """A 36 MB Content-Length is refused at once, without the body being sent or read."""
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"POST /api/runs HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {36 * 1024 * 1024}\r\n\r\n".encode() + b'{"levers": {' + b'"k": 1,' * 1000)
        data = b""
        while b"too large" not in data.partition(b"\r\n\r\n")[2].lower() and len(data) < 65536:  # the body may come apart
            part = s.recv(4096)
            if not part:
                break
            data += part
        reply = data.decode("latin-1")
    assert reply.startswith("HTTP/1.1 413"), reply[:200]
    assert "too large" in reply.lower().split("\r\n\r\n", 1)[-1], reply[-300:]


def test_chunked_body_refused_while_health_answers(server):
    """A body streamed without a length is cut off past 64 KB; health checks are answered meanwhile."""
    stop = threading.Event()
    result = {}

    def body():
        chunk = b'{"levers": {' + b'"lever_x": 0.5, ' * 4096
        for _ in range(2000):  # up to ~130 MB if nothing stopped it
            if stop.is_set():
                return
            yield chunk

    def send():
        try:
            r = httpx.post(server + "/api/runs", content=body(), headers={"Content-Type": "application/json"},
                           timeout=60)
            result["status"], result["text"] = r.status_code, r.text
        except httpx.HTTPError as exc:  # the server may close the connection once it has answered
            result["error"] = exc

    t = threading.Thread(target=send)
    t.start()
    healthy = [httpx.get(server + "/api/health", timeout=10).status_code for _ in range(5)]
    t.join(timeout=60)
    stop.set()
    assert healthy == [200] * 5
    assert not t.is_alive()
    assert result.get("status") == 413 or "error" in result, result


def test_bounded_query_values(server):
    for q in ("seed=170141183460469231731687303715884105728", "seed=-1", "limit=0", "limit=99999999999999999999"):
        r = httpx.get(server + f"/api/runs/no-such-run/events?{q}")
        clean_error(r, 404, 422)
    clean_error(httpx.get(server + "/api/runs?limit=100000000000000000000000"), 422)
    clean_error(httpx.get(server + "/api/runs/run-1%0A"), 400)
    clean_error(httpx.get(server + "/api/jobs/abc%0A"), 400)


def test_seed_span_and_nan_levers(server):
    r = httpx.post(server + "/api/runs", json={"seed": 2**63 - 1, "n": 2, "days": 5})
    assert "seed + n - 1" in clean_error(r, 422)
    r = httpx.post(server + "/api/runs", content=b'{"levers": {"vetting": NaN}}',
                   headers={"Content-Type": "application/json"})
    clean_error(r, 422)


def test_internal_errors_are_not_shown(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from azalai.app import api
    from azalai.report import run_view

    def boom(*a, **k):
        raise RuntimeError("secret detail /home/user/store.duckdb Binder Error")

    monkeypatch.setattr(run_view, "run_results", boom)
    app = api.create_app(store=str(tmp_path / "s.duckdb"), processes=False)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        with app.state.service.writing() as con:
            con.execute("INSERT INTO runs (run_id, status) VALUES ('run-x', 'done')")
        r = c.get("/api/runs/run-x")
        msg = clean_error(r, 500)
        assert "secret" not in r.text and "Binder" not in r.text and "internal error" in msg


def test_server_closes_runs_it_leaves(tmp_path, monkeypatch):
    """Stopping the server marks the runs of its unfinished jobs interrupted (none is left "running")."""
    import duckdb
    from fastapi.testclient import TestClient

    from azalai.app import api
    from azalai.experiment import jobs

    gate = threading.Event()

    def slow(writing, *a, run_id=None, **k):
        from azalai.experiment.runs import insert_run

        with writing() as con:
            insert_run(con, run_id, "single", {}, 1, note="dashboard")
        gate.wait(30)

    monkeypatch.setattr(jobs, "execute_run", slow)
    store = tmp_path / "s.duckdb"
    with TestClient(api.create_app(store=str(store), processes=False), base_url="http://localhost") as c:
        job = c.post("/api/runs", json={"days": 5}).json()
        for _ in range(100):
            if c.get(f"/api/jobs/{job['job_id']}").json()["status"] == "running":
                break
            time.sleep(0.1)
        time.sleep(0.5)
    gate.set()
    con = duckdb.connect(str(store), read_only=True)
    try:
        assert con.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
    finally:
        con.close()

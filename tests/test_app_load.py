"""A bounded load test on loopback: 20 concurrent clients x 50 requests against a real uvicorn server."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytestmark = pytest.mark.xdist_group("app")

CLIENTS = 20
REQUESTS = 50
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def test_load(tmp_path):
    from azalai.app.server import BackgroundServer

    with BackgroundServer(store=str(tmp_path / "load.duckdb"), max_running=2, max_queued=CLIENTS * 2) as url:
        with httpx.Client(base_url=url, timeout=120) as c:
            job = c.post("/api/runs", json={"days": 30, "n": 1, "seed": 1}).json()
            while (j := c.get(f"/api/jobs/{job['job_id']}").json())["status"] not in ("done", "failed"):
                time.sleep(0.1)
            assert j["status"] == "done", j
            run_id = j["run_id"]
            eid = c.get(f"/api/runs/{run_id}/events").json()["rows"][0][0]
        reads = ["/api/health", "/api/options", "/api/scenarios/mali-2016", "/api/runs", f"/api/runs/{run_id}",
                 f"/api/runs/{run_id}/events", f"/api/runs/{run_id}/events/{eid}", "/", "/static/app.js"]  # fmt: skip
        lat: dict[str, list[float]] = {"read": [], "run": []}
        errors: list[str] = []
        jobs: list[str] = []
        lock = threading.Lock()

        def client(k: int) -> None:
            rng = random.Random(k)
            with httpx.Client(base_url=url, timeout=120) as c:
                for i in range(REQUESTS):
                    kind = "run" if i == 25 else "read"
                    t0 = time.perf_counter()
                    try:
                        if kind == "run":
                            r = c.post("/api/runs", json={"days": 30, "n": 1, "seed": 100 + k})
                            ok = r.status_code == 202
                            if ok:
                                with lock:
                                    jobs.append(r.json()["job_id"])
                        else:
                            path = rng.choice(reads)
                            r = c.get(path)
                            ok = r.status_code == 200
                    except Exception as exc:  # noqa: BLE001
                        ok, r = False, exc
                    dt = time.perf_counter() - t0
                    with lock:
                        lat[kind].append(dt)
                        if not ok:
                            errors.append(f"{kind}: {getattr(r, 'status_code', r)}")

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        wall = time.perf_counter() - t0
        # every submitted run completes
        with httpx.Client(base_url=url, timeout=60) as c:
            t1 = time.monotonic()
            pending = set(jobs)
            while pending and time.monotonic() - t1 < 600:
                for jid in list(pending):
                    st = c.get(f"/api/jobs/{jid}").json()["status"]
                    if st == "failed":
                        errors.append(f"job {jid} failed")
                    if st in ("done", "failed"):
                        pending.discard(jid)
                time.sleep(0.2)
            assert not pending, f"runs still pending: {pending}"

    def q(xs: list[float], p: float) -> float:
        xs = sorted(xs)
        return 1000 * xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")

    allx = lat["read"] + lat["run"]
    report = {
        "clients": CLIENTS, "requests_per_client": REQUESTS, "total_requests": len(allx), "errors": len(errors),
        "wall_s": round(wall, 2), "throughput_rps": round(len(allx) / wall, 1),
        "p50_ms": round(q(allx, 0.5), 1), "p95_ms": round(q(allx, 0.95), 1),
        "read_p50_ms": round(q(lat["read"], 0.5), 1), "read_p95_ms": round(q(lat["read"], 0.95), 1),
        "run_submit_p50_ms": round(q(lat["run"], 0.5), 1), "run_submit_p95_ms": round(q(lat["run"], 0.95), 1),
        "runs_completed": len(jobs),
    }  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(report, indent=2) + "\n")
    assert not errors, errors[:10]
    assert len(allx) == CLIENTS * REQUESTS

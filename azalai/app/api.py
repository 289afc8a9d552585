"""The dashboard's JSON API (FastAPI). Every request is validated; errors come back as ``{"error": ...}``.

Safety rules:

* scenario and policy ids are matched against the built-in names (the client never passes a path);
* lever overrides are checked against the declared ranges in :data:`azalai.policy.schema.LEVERS`;
* numbers are bounded by :mod:`azalai.limits` (the ranges the command line uses, with the dashboard's
  tighter caps: :data:`MAX_ENSEMBLE` replicates, 1..1460 days), ids are matched whole;
* at most :data:`MAX_RUNNING` runs execute at once and at most :data:`MAX_QUEUED` wait; more get HTTP 429;
* :class:`azalai.app.guard.Guard` refuses foreign ``Host`` and ``Origin`` headers and bodies above 64 KB
  before any parsing;
* unexpected exceptions are logged on the server; the response says only that an internal error happened.
"""

from __future__ import annotations

import contextlib
import logging
import re
import traceback
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from azalai import __version__
from azalai.app.decide_api import register as register_decide  # the Decide page (robust decisions)
from azalai.app.guard import Guard, allowed_hosts
from azalai.app.service import (
    EVENT_ID_RE,
    INTERNAL_ERROR,
    MAX_COMPARE,
    MAX_DAYS,
    MAX_ENSEMBLE,
    MAX_QUEUED,
    MAX_RUNNING,
    MAX_SEED,
    RUN_ID_RE,
    ApiError,
    CompareRequest,
    RunRequest,
    Service,
    check_name,
    json_bytes,
    policy_names,
    scenario_names,
)
from azalai.errors import StoreError, clip
from azalai.experiment.runs import list_runs
from azalai.policy.loader import load_policy
from azalai.policy.schema import LEVERS
from azalai.report import run_view, scenario_view

log = logging.getLogger("azalai.app")

STATIC = Path(__file__).parent / "static"


def _err(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for e in exc.errors()[:5]:
        loc = ".".join(clip(x, 40) for x in e.get("loc", ()) if x not in ("body", "query", "path"))
        msg = clip(str(e.get("msg", "invalid")).removeprefix("Value error, "), 200)
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "invalid request: " + "; ".join(parts)


def _check_id(value: str, pattern: re.Pattern, what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ApiError(400, f"invalid {what}: letters, digits, '-' and '_' only")
    return value


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_app(store: str | None = None, boundaries: str | None = None, max_running: int = MAX_RUNNING,
               max_queued: int = MAX_QUEUED, processes: bool = True,
               hosts: frozenset[str] | None = None) -> FastAPI:
    """The dashboard application: static front-end at ``/``, JSON API under ``/api``.

    ``hosts`` are the host names it answers to (default: loopback names, see :func:`allowed_hosts`)."""
    svc = Service(store, boundaries, max_running, max_queued, processes)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        svc.close()

    app = FastAPI(title="azalai dashboard", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.service = svc
    app.add_middleware(Guard, hosts=hosts if hosts is not None else allowed_hosts())

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return _err(exc.status, exc.message)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError):
        if "in use by another" in exc.problems[0].message:
            return _err(503, "the store is in use by another azalai command; try again when it has finished")
        log.error("request %s failed: %s", request.url.path, exc)
        return _err(500, INTERNAL_ERROR)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return _err(422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return _err(exc.status_code, clip(exc.detail, 200) if exc.status_code != 404 else "not found")

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception):
        log.error("request %s failed:\n%s", request.url.path, traceback.format_exc())
        return _err(500, INTERNAL_ERROR)

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        try:
            resp = await call_next(request)
        except Exception as exc:  # errors escaping the handlers
            log.error("request %s failed:\n%s", request.url.path, traceback.format_exc())
            resp = _err(500, INTERNAL_ERROR)
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp

    # ---------------------------------------------------------------- static front-end
    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str):
        allowed = {p.name: p for p in STATIC.iterdir() if p.is_file()}
        if name not in allowed:
            raise ApiError(404, "not found")
        media = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml",
                 ".png": "image/png"}.get(allowed[name].suffix, "application/octet-stream")  # fmt: skip
        return FileResponse(allowed[name], media_type=media)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(status_code=204)

    # ---------------------------------------------------------------- read endpoints
    @app.get("/api/health")
    def health():
        return {"ok": True, "version": __version__}

    @app.get("/api/options")
    def options():
        return svc.cached(("options",), _options)

    def _options():
        pols = []
        for name in policy_names():
            try:
                p = load_policy(name)
                pols.append({"id": name, "name": p.name, "description": p.description, "levers": p.lever_values()})
            except Exception:
                pols.append({"id": name, "name": name, "description": "(invalid)", "levers": {}})
        return {
            "scenarios": scenario_names(),
            "policies": pols,
            "levers": [{"name": lv.name, "default": lv.default, "low": lv.low, "high": lv.high, "unit": lv.unit,
                        "description": lv.description, "integer": lv.integer} for lv in LEVERS],  # fmt: skip
            "limits": {"max_ensemble": MAX_ENSEMBLE, "max_compare": MAX_COMPARE, "max_days": MAX_DAYS,
                       "max_running": svc.max_running},  # fmt: skip
        }

    @app.get("/api/scenarios/{name}")
    def scenario(name: str):
        try:
            check_name(name, scenario_names(), "scenario")
        except ValueError as exc:
            raise ApiError(404, str(exc)) from None
        return svc.cached(("scenario", name), lambda: scenario_view.scenario_view(name, svc.boundaries))

    @app.get("/api/runs")
    def runs(limit: int = Query(50, ge=1, le=500)):
        df = svc.query(list_runs, limit)
        df["created"] = df["created"].astype(str)
        return {"runs": run_view.clean(df.to_dict(orient="records"))}

    def _done_run(run_id: str) -> str:
        _check_id(run_id, RUN_ID_RE, "run id")
        st = svc.run_status(run_id)
        if st is None:
            raise ApiError(404, f"no run {run_id!r} in the store")
        return st

    @app.get("/api/runs/{run_id}")
    def run_results(run_id: str):
        st = _done_run(run_id)
        fn = lambda: svc.query(run_view.run_results, run_id)  # noqa: E731
        return svc.cached(("results", run_id), fn) if st == "done" else Response(json_bytes(fn()), media_type="application/json")

    @app.get("/api/runs/{run_id}/events")
    def events(run_id: str, seed: int | None = Query(None, ge=0, le=MAX_SEED),
               limit: int = Query(5000, ge=1, le=20000)):
        st = _done_run(run_id)
        fn = lambda: svc.query(run_view.run_events, run_id, seed, limit)  # noqa: E731
        if st != "done":
            return Response(json_bytes(fn()), media_type="application/json")
        return svc.cached(("events", run_id, seed, limit), fn)

    @app.get("/api/runs/{run_id}/events/{event_id}")
    def event(run_id: str, event_id: str):
        _done_run(run_id)
        _check_id(event_id, EVENT_ID_RE, "event id")
        def fn():
            ev = svc.query(run_view.event_detail, run_id, event_id)
            if ev is None:
                raise ApiError(404, f"no event {event_id!r} in run {run_id!r}")
            return ev

        return svc.cached(("event", run_id, event_id), fn)

    @app.get("/api/jobs")
    def jobs():
        return {"jobs": [j.view(False) for j in list(svc.jobs.values())[-50:]]}

    @app.get("/api/jobs/{job_id}")
    def job(job_id: str):
        _check_id(job_id, RUN_ID_RE, "job id")
        j = svc.jobs.get(job_id)
        if j is None:
            raise ApiError(404, f"no job {job_id!r}")
        return j.view()

    # ---------------------------------------------------------------- actions
    @app.post("/api/runs", status_code=202)
    def start_run(req: RunRequest):
        return svc.start_run(req).view()

    @app.post("/api/compare", status_code=202)
    def start_compare(req: CompareRequest):
        return svc.start_compare(req).view()

    register_decide(app, svc, ApiError, json_bytes)
    return app

"""The Decide page's API: stored robust runs, their decision view with the user's thresholds, and the
paired comparison of a candidate with the baseline; plus the vendored chart library.

* ``GET /api/robust``: the stored robust runs (``azalai robust``);
* ``GET /api/robust/{id}?objectives=...&satisfice=...&pareto_on=...&baseline=...``: ranking, metrics with
  CIs, Pareto front, failure conditions and the Vega-Lite specifications of the charts;
* ``GET /api/robust/{id}/paired?candidate=...&baseline=...``: paired differences over (world, seed);
* ``GET /static/vendor/{name}``: Vega, Vega-Lite and vega-embed (served locally: no CDN).

Query strings are parsed by the same functions as the command line, so a bad threshold gets the same
one-line message; the store is only read.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

from azalai.analysis.decide import DEFAULT_OBJECTIVES, analyse, paired_with_baseline
from azalai.analysis.robustness import parse_objectives, parse_satisfice
from azalai.errors import InputError
from azalai.experiment.robust import list_robust, load_robust
from azalai.model.outcomes import shown_outcomes
from azalai.report.decide_charts import decide_charts, paired_spec

VENDOR = Path(__file__).parent / "static" / "vendor"
ROBUST_ID_RE = re.compile(r"^robust-[A-Za-z0-9_\-]{1,80}$")
MAX_QUERY = 500
CACHE_SIZE = 4


def register(app: FastAPI, svc, api_error, json_bytes) -> None:
    """Add the Decide routes to the dashboard ``app`` (``svc``: its Service; ``api_error(status, msg)``)."""
    cache: dict[str, Any] = {}
    lock = threading.Lock()

    @app.get("/static/vendor/{name}", include_in_schema=False)
    def vendor(name: str):
        allowed = {p.name: p for p in VENDOR.iterdir() if p.is_file()}
        if name not in allowed:
            raise api_error(404, "not found")
        media = "text/javascript" if name.endswith(".js") else "text/plain"
        return FileResponse(allowed[name], media_type=media, headers={"Cache-Control": "max-age=86400"})

    def _id(robust_id: str) -> str:
        if not ROBUST_ID_RE.match(robust_id or ""):
            raise api_error(400, "malformed robust run id")
        return robust_id

    def _data(robust_id: str):
        with lock:
            hit = cache.get(robust_id)
        if hit is not None:
            return hit
        try:
            data = svc.query(load_robust, robust_id)
        except InputError as exc:
            raise api_error(404, exc.problems[0].message) from None
        if data.status == "done" and data.complete():
            with lock:
                if len(cache) >= CACHE_SIZE:
                    cache.pop(next(iter(cache)))
                cache[robust_id] = data
        return data

    def _text(value: str | None, what: str) -> str | None:
        if value is not None and (len(value) > MAX_QUERY or not value.isprintable()):
            raise api_error(400, f"{what} is too long or not printable")
        return value

    def _input(fn, *args, **kw):
        try:
            return fn(*args, **kw)
        except InputError as exc:
            p = exc.problems[0]
            raise api_error(400, f"{p.path}: {p.message}" if p.path else p.message) from None

    @app.get("/api/robust")
    def robust_runs():
        return {"runs": svc.query(list_robust)}

    @app.get("/api/robust/{robust_id}")
    def robust_view(robust_id: str, objectives: str | None = None, satisfice: str | None = None,
                    pareto_on: str = "mean", baseline: str | None = None, leaders: int = 3):
        data = _data(_id(robust_id))
        known = sorted(set(data.frame["outcome"].unique()))
        objs = _input(parse_objectives, _text(objectives, "objectives") or DEFAULT_OBJECTIVES, known)
        ths = _input(parse_satisfice, _text(satisfice, "satisfice"), known)
        leaders = max(0, min(int(leaders), 10))
        view = _input(analyse, data, objs, ths, leaders=leaders, pareto_metric=pareto_on,
                      baseline=_text(baseline, "baseline"))
        view["charts"] = decide_charts(view)
        view["outcomes"] = known
        return Response(json_bytes(view), media_type="application/json")

    @app.get("/api/robust/{robust_id}/paired")
    def robust_paired(robust_id: str, candidate: str, baseline: str | None = None, outcomes: str | None = None):
        data = _data(_id(robust_id))
        wanted = [k.strip() for k in (_text(outcomes, "outcomes") or "").split(",") if k.strip()] + shown_outcomes()
        out = _input(paired_with_baseline, data, _text(candidate, "candidate"), _text(baseline, "baseline"), wanted)
        out["chart"] = paired_spec(out)
        return Response(json_bytes(out), media_type="application/json")

"""Serve the dashboard with uvicorn: ``azalai serve`` (127.0.0.1:8050 by default)."""

from __future__ import annotations

import logging


def serve(host: str = "127.0.0.1", port: int = 8050, store: str | None = None, boundaries: str | None = None,
          log_level: str = "info") -> None:
    import uvicorn

    from azalai.app.api import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(store=store, boundaries=boundaries)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, server_header=False)

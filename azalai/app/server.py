"""Serve the dashboard with uvicorn: ``azalai serve`` (127.0.0.1:8050 by default)."""

from __future__ import annotations

import logging


def serve(host: str = "127.0.0.1", port: int = 8050, store: str | None = None, boundaries: str | None = None,
          log_level: str = "info", allow_hosts: tuple[str, ...] = (), announce=None) -> None:
    """Open the store (a store that cannot be used is refused before the server starts), then serve.

    The server answers to the loopback names, the ``host`` it binds (unless a wildcard) and ``allow_hosts``
    (see :mod:`azalai.app.guard`). ``announce()`` is called once the store is open."""
    import uvicorn

    from azalai.app.api import create_app
    from azalai.app.guard import allowed_hosts

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(store=store, boundaries=boundaries, hosts=allowed_hosts(host, allow_hosts))
    if announce is not None:
        announce()
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, server_header=False,
                h11_max_incomplete_event_size=16 * 1024)


class BackgroundServer:
    """A uvicorn server in a thread (for tests and screenshots)::

        with BackgroundServer(store="/tmp/s.duckdb") as url:
            httpx.get(url + "/api/health")
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **app_kwargs) -> None:
        import socket

        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.host, self.port, self.app_kwargs = host, port, app_kwargs
        self.url = f"http://{host}:{port}"
        self.server = None
        self.thread = None

    def __enter__(self) -> str:
        import threading
        import time

        import uvicorn

        from azalai.app.api import create_app

        app = create_app(**self.app_kwargs)
        config = uvicorn.Config(app, host=self.host, port=self.port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        t0 = time.monotonic()
        while not self.server.started:
            if time.monotonic() - t0 > 30 or not self.thread.is_alive():
                raise RuntimeError("dashboard server did not start")
            time.sleep(0.05)
        return self.url

    def __exit__(self, *exc) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=15)

"""What the dashboard checks before any request reaches it (an ASGI middleware).

* **Host**: only the names the server is reached by (loopback names and addresses, plus the ``--host``
  address and any ``--allow-host`` names) are answered, so a web page cannot reach the dashboard through
  DNS rebinding (a hostile name that resolves to 127.0.0.1 carries its own name in ``Host``).
* **Origin**: a request that can change state (anything but GET, HEAD and OPTIONS) that comes from a
  page of another origin (``Origin`` or ``Sec-Fetch-Site`` says so) is refused, so a page the user visits
  cannot start runs.
* **Body size**: a body above :data:`azalai.limits.API_MAX_BODY` is refused with 413 as soon as its
  ``Content-Length`` (or, for a chunked body, its first bytes past the limit) say so, before anything is
  parsed: the server never holds more than the limit of one request in memory.

Refusals are short JSON messages (``{"error": ...}``), like every other error of the API.
"""

from __future__ import annotations

import json
from typing import Iterable

from azalai.limits import API_MAX_BODY

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
WILDCARD_BINDS = ("0.0.0.0", "::", "")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def allowed_hosts(bind: str = "127.0.0.1", extra: Iterable[str] = ()) -> frozenset[str]:
    """Host names the dashboard answers to: loopback, the bound address (unless a wildcard), ``extra``.

    ``"*"`` in ``extra`` allows any host (only sensible behind a proxy that checks it)."""
    names = set(LOOPBACK_HOSTS)
    if bind not in WILDCARD_BINDS:
        names.add(bind.strip("[]").lower())
    names.update(h.strip().strip("[]").lower() for h in extra if h.strip())
    return frozenset(names)


def host_name(host: str) -> str:
    """``example.org:8050`` -> ``example.org``; ``[::1]:8050`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class Guard:
    """ASGI middleware: Host allow-list, same-origin check on state-changing requests, body-size cap."""

    def __init__(self, app, hosts: frozenset[str] = frozenset(LOOPBACK_HOSTS), max_body: int = API_MAX_BODY) -> None:
        self.app = app
        self.hosts = hosts
        self.any_host = "*" in hosts
        self.max_body = int(max_body)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = {}
        for k, v in scope.get("headers", ()):
            headers.setdefault(k.lower(), v)
        try:
            host = headers.get(b"host", b"").decode("latin-1")
            self._check_host(host)
            if scope.get("method", "GET") not in SAFE_METHODS:
                self._check_origin(headers, host)
            body = await self._read_body(headers, receive)
        except _Refused as exc:
            await _reply(send, exc.status, exc.message)
            return
        await self.app(scope, _replay(body, receive), send)

    def _check_host(self, host: str) -> None:
        if self.any_host:
            return
        if not host or host_name(host) not in self.hosts:
            raise _Refused(400, "host not allowed: the dashboard answers only to its own address (see "
                                "`azalai serve --allow-host`)")

    def _check_origin(self, headers: dict[bytes, bytes], host: str) -> None:
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
        if site == "cross-site":
            raise _Refused(403, "cross-site request refused")
        origin = headers.get(b"origin")
        if origin is None:
            return  # not sent by a browser page (curl, scripts); browsers send Origin on every POST
        # compared without the scheme: behind a TLS proxy the page is https while the dashboard sees http
        text = origin.decode("latin-1").lower()
        if "://" not in text or text.split("://", 1)[1].rstrip("/") != host.lower():
            raise _Refused(403, "cross-origin request refused: start runs from the dashboard's own page")

    async def _read_body(self, headers: dict[bytes, bytes], receive) -> bytes:
        length = headers.get(b"content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                raise _Refused(400, "invalid Content-Length") from None
            if n > self.max_body:
                raise _Refused(413, f"request body too large (limit {self.max_body:,} bytes)")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _Refused(400, "client disconnected")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _Refused(413, f"request body too large (limit {self.max_body:,} bytes)")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive):
    """A ``receive`` that gives the already-read body once, then waits on the real one (disconnects)."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _reply(send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})

"""What the browser tests share: Debian's Chromium driven by Playwright, and a page guard that records every
request to another host (and aborts it) and every console error."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                    reason=f"{CHROMIUM} is missing (`make browser` installs it)")


def launch(p):
    """A headless Chromium from a ``sync_playwright()`` handle, with its background traffic switched off."""
    return p.chromium.launch(executable_path=CHROMIUM, headless=True,
                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                   "--disable-component-update", "--disable-sync", "--no-first-run"])


def guard(page, host: str, foreign: list[str], errors: list[str]) -> None:
    """Abort and record in ``foreign`` every http(s)/ws request to a host other than ``host``; record
    console errors and page errors in ``errors``."""
    def route(r):
        u = urlparse(r.request.url)
        if u.scheme in ("http", "https", "ws", "wss") and u.netloc != host:
            foreign.append(r.request.url)
            return r.abort()
        return r.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

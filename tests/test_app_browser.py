"""End to end in Debian's Chromium: open every page, run a small ensemble from the page, check that the
charts render, open an event's cause chain, and make sure nothing is requested from another host."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from browser import ARTIFACTS, guard, launch, needs_chromium

pytestmark = [pytest.mark.xdist_group("app"), needs_chromium]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from azalai.app.server import BackgroundServer

    store = tmp_path_factory.mktemp("browser") / "runs.duckdb"
    with BackgroundServer(store=str(store)) as url:
        yield url


def svg_count(page, selector: str) -> int:
    return page.eval_on_selector(selector, "el => el.querySelectorAll('svg *').length")


def test_dashboard_end_to_end(server):
    ARTIFACTS.mkdir(exist_ok=True)
    host = urlparse(server).netloc
    foreign: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            def on_request(req):
                u = urlparse(req.url)
                if u.scheme in ("data", "blob", "about"):
                    return
                if u.netloc != host:
                    foreign.append(req.url)

            page.on("request", on_request)
            guard(page, host, foreign, errors)

            # Scenario page
            page.goto(server + "/")
            page.wait_for_selector("body[data-ready='1']", timeout=60000)
            assert page.locator("#sc-map svg .place").count() > 10
            assert page.locator("#sc-map svg .route").count() > 10
            assert page.locator("#sc-network svg .node").count() > 5
            assert page.locator("#sc-network svg .edge").count() > 0
            assert page.locator("#sc-accords tbody tr").count() >= 1
            page.screenshot(path=str(ARTIFACTS / "dashboard-scenario.png"), full_page=True)

            # Run page: a small ensemble
            page.click("#tab-btn-run")
            page.select_option("#run-policy", "counter-trafficking")
            page.fill("#run-n", "3")
            page.fill("#run-days", "45")
            page.fill("#run-seed", "7")
            page.click("#run-submit")
            page.wait_for_selector("#tab-results:not(.hidden) #res-body:not(.hidden)", timeout=600000)
            page.screenshot(path=str(ARTIFACTS / "dashboard-run.png"), full_page=False)

            # Results page
            for sel in ("#res-fat-region", "#res-fat-type", "#res-revenue", "#res-tension", "#res-support",
                        "#res-grievance", "#res-evmap"):  # fmt: skip
                assert page.locator(f"{sel} svg").count() == 1, sel
                assert svg_count(page, sel) > 3, sel
            assert page.locator("#res-fat-type svg path.band").count() >= 1, "ensemble bands drawn"
            assert page.locator("#res-outcomes tbody tr").count() > 5
            assert page.locator("#ev-table tbody tr").count() > 0
            page.screenshot(path=str(ARTIFACTS / "dashboard-results.png"), full_page=True)

            # time slider and filters
            page.fill("#ev-search", "zzzz-nothing")
            assert page.locator("#ev-table tbody tr").count() == 0
            page.fill("#ev-search", "")
            page.eval_on_selector("#ev-slider", "el => { el.value = 10; el.dispatchEvent(new Event('input')); }")
            assert "day 10" in page.inner_text("#ev-day")

            # Event detail from the table
            page.locator("#ev-table tbody tr").first.click()
            page.wait_for_selector("#modal:not(.hidden)")
            assert page.locator("#modal-chain li").count() >= 1
            assert page.inner_text("#modal-chain").strip()
            page.screenshot(path=str(ARTIFACTS / "dashboard-event.png"))
            page.click("#modal-close")
            # ... and from the map
            page.eval_on_selector("#ev-slider", "el => { el.value = el.max; el.dispatchEvent(new Event('input')); }")
            dot = page.locator("#res-evmap svg circle.evdot").first
            dot.dispatch_event("click")
            page.wait_for_selector("#modal:not(.hidden)")
            assert page.locator("#modal-chain li").count() >= 1
            page.click("#modal-close")

            # Scenario page with the run overlaid (protectors and flows)
            page.click("#tab-btn-scenario")
            page.select_option("#sc-run", index=1)
            page.wait_for_selector("#sc-map-legend:has-text('Protector')")
            assert page.locator("#sc-map svg .route").count() > 10

            # Compare page
            page.click("#tab-btn-compare")
            page.fill("#cmp-n", "2")
            page.fill("#cmp-days", "30")
            page.click("#cmp-submit")
            page.wait_for_selector("#cmp-body:not(.hidden)", timeout=600000)
            assert page.locator("#cmp-expl li").count() >= 1
            assert svg_count(page, "#cmp-forest") > 3
            page.screenshot(path=str(ARTIFACTS / "dashboard-compare.png"), full_page=True)

            # an invalid request shows a clean error in the page (the browser logs the 422 itself)
            errors_before_invalid = list(errors)
            page.click("#tab-btn-run")
            page.eval_on_selector("#run-n", "el => { el.removeAttribute('max'); el.value = 5000; }")
            page.click("#run-submit")
            page.wait_for_selector("#error:not(.hidden)")
            msg = page.inner_text("#error-text")
            assert "n" in msg and "Traceback" not in msg
            late = [e for e in errors[len(errors_before_invalid):] if "422" not in e]
            errors[:] = errors_before_invalid + late
        finally:
            browser.close()
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not errors, f"console errors: {errors}"

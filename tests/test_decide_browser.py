"""The Decide page in Debian's Chromium: load a stored robust run, pick thresholds, click through to a
paired comparison; and the same page as a self-contained report, opened from disk. Nothing may be
requested from another host and the console must stay clean (the pages keep a strict CSP)."""

from __future__ import annotations

from urllib.parse import urlparse

import numpy as np
import pytest
from browser import ARTIFACTS, guard, launch, needs_chromium

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.browser, needs_chromium]
sync_api = pytest.importorskip("playwright.sync_api")



CANDIDATES = "baseline-2016,restraint,counter-trafficking,political-track"


@pytest.fixture(scope="module")
def robust_store(tmp_path_factory):
    from azalai.experiment.robust import run_robust
    from azalai.policy.space import resolve_candidates

    store = tmp_path_factory.mktemp("decide") / "runs.duckdb"
    data = run_robust(resolve_candidates(CANDIDATES), sources="posterior,scenario", n=10, seeds=2, days=60,
                      store=str(store))
    fat = data.values(["fatalities"])["fatalities"]
    return store, data.robust_id, float(np.median(fat))


def wait_ready(page, timeout: float = 180_000) -> None:
    """Wait until the Decide page has drawn (or failed: then say why)."""
    page.wait_for_function("() => ['1', 'error'].includes(document.getElementById('tab-decide').dataset.ready)",
                           timeout=timeout)
    state = page.get_attribute("#tab-decide", "data-ready")
    assert state == "1", page.inner_text("#error-text")


def svg_marks(page, selector: str) -> int:
    return page.eval_on_selector(selector, "el => el.querySelectorAll('svg path, svg line, svg rect, svg text').length")


def test_decide_page(robust_store):
    from azalai.app.server import BackgroundServer

    store, rid, median = robust_store
    ARTIFACTS.mkdir(exist_ok=True)
    foreign: list[str] = []
    errors: list[str] = []
    with BackgroundServer(store=str(store)) as url, sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            guard(page, urlparse(url).netloc, foreign, errors)
            page.goto(url + "/")
            page.wait_for_selector("body[data-ready='1']", timeout=120000)
            page.click("#tab-btn-decide")
            wait_ready(page)
            assert rid in page.inner_text("#dec-run")
            assert page.locator("#dec-table tbody tr").count() == 4
            for sel in ("#dec-parallel", "#dec-pareto", "#dec-distribution"):
                assert page.locator(f"{sel} svg").count() == 1, sel
                assert svg_marks(page, sel) > 10, sel
            assert page.locator("#dec-failures li").count() == 3  # the three leading candidates
            # no thresholds yet: no satisficing column
            assert "satisficing" not in page.inner_text("#dec-table thead")

            # pick thresholds: about half the worlds stay under the median. Apply is pressed twice, first with
            # no thresholds, and the server's answer to that first request is held back until the second has
            # been drawn: an older, slower answer must not overwrite the newer one.
            held = []
            page.route("**/api/robust/*", lambda route: held.append(route) if "satisfice=&" in route.request.url
                       else route.continue_())
            page.fill("#dec-satisfice", "")
            page.click("#dec-apply")
            page.fill("#dec-satisfice", f"fatalities<={median:.0f},signatory_clashes<=1000")
            page.click("#dec-apply")  # sets data-ready to 0 before its first request
            wait_ready(page)
            assert len(held) == 1
            held[0].continue_()
            page.unroute("**/api/robust/*")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
            assert "satisficing" in page.inner_text("#dec-table thead")
            assert svg_marks(page, "#dec-satisficing") > 10
            shares = page.locator("#dec-table tbody tr td:nth-child(3)").all_inner_texts()
            assert all("%" in s for s in shares) and len(shares) == 4
            assert "fatalities<=" in page.inner_text("#dec-failures")
            # the candidates table is ordered by satisficing share
            vals = [int(s.split("%")[0]) for s in shares]
            assert vals == sorted(vals, reverse=True), vals

            # click through: a candidate that is not the baseline, compared with it over the same pairs
            rows = page.locator("#dec-table tbody tr")
            i = next(k for k in range(4) if "(baseline)" not in rows.nth(k).inner_text())
            label = rows.nth(i).locator("td").nth(1).inner_text()
            rows.nth(i).click()
            page.wait_for_selector("#dec-paired-card:not(.hidden) svg", timeout=180000)
            assert page.get_attribute("#dec-paired-card", "data-candidate") == label
            assert "against baseline-2016" in page.inner_text("#dec-paired-title")
            assert page.locator("#dec-paired-table tbody tr").count() > 3
            assert svg_marks(page, "#dec-paired") > 10
            page.screenshot(path=str(ARTIFACTS / "decide.png"), full_page=True)

            # a malformed threshold: a clean message in the page
            errors_before = list(errors)
            page.fill("#dec-satisfice", "fatalities=600")
            page.click("#dec-apply")
            page.wait_for_selector("#error:not(.hidden)")
            msg = page.inner_text("#error-text")
            assert "OUTCOME<=NUMBER" in msg and "Traceback" not in msg
            errors[:] = errors_before + [e for e in errors[len(errors_before):] if "400" not in e]
        finally:
            browser.close()
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not errors, f"console errors: {errors}"


def test_decide_report_is_self_contained(robust_store, tmp_path):
    from azalai.report.decide_report import decide_report

    store, rid, median = robust_store
    path = decide_report(rid, store=str(store), satisfice=f"fatalities<={median:.0f}", out_dir=tmp_path)
    text = path.read_text()
    assert "<script src=" not in text and "https://cdn" not in text
    foreign: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            guard(page, "", foreign, errors)
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=60000)
            for key in ("parallel", "pareto", "satisficing", "dist-fatalities", "paired-0"):
                assert svg_marks(page, f"#chart-{key}") > 10, key
        finally:
            browser.close()
    assert not [u for u in foreign if not u.startswith("file:")], foreign
    assert not errors, errors

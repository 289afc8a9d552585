"""Screenshot of the dashboard's Decide page for docs/img/decide.png.

    .venv/bin/python scripts/decide_screenshot.py --store STORE [--robust ROBUST_ID] \\
        [--satisfice "fatalities<=650,signatory_clashes<=12"] [--candidate vetted-intelligence]

Serves the dashboard on the given store (a store holding an `azalai robust` run, e.g. the one kept by
`benchmarks/bench_robust.py --keep-store`), opens the Decide page in Debian's Chromium, applies the
thresholds, clicks through to one candidate's paired comparison with the baseline and saves a full-page
screenshot.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--robust", default=None, help="robust run id (default: the newest)")
    ap.add_argument("--satisfice", default="fatalities<=650,signatory_clashes<=12")
    ap.add_argument("--candidate", default=None, help="candidate to click through to (default: the leader)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "decide.png")
    a = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from azalai.app.server import BackgroundServer

    with BackgroundServer(store=a.store) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready='1']", timeout=120000)
        page.click("#tab-btn-decide")
        page.wait_for_selector("#tab-decide[data-ready='1']", timeout=300000)
        if a.robust:
            page.select_option("#dec-run", a.robust)
        page.fill("#dec-satisfice", a.satisfice)
        page.click("#dec-apply")
        # The page is marked ready before Apply too: wait for the thresholds' column in the candidates' table.
        page.wait_for_function("() => (document.querySelector('#dec-table') || {innerText: ''})"
                               ".innerText.includes('satisficing [95% CI]')", timeout=300000)
        page.wait_for_selector("#tab-decide[data-ready='1']", timeout=300000)
        rows = page.locator("#dec-table tbody tr")
        labels = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
        want = a.candidate or next(x for x in labels if "(baseline)" not in x)
        rows.nth(labels.index(want)).click()
        page.wait_for_selector("#dec-paired-card:not(.hidden) svg", timeout=300000)
        a.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(a.out), full_page=True)
        browser.close()
    print("screenshot:", a.out)


if __name__ == "__main__":
    main()

"""Both report forms write a self-contained HTML with embedded images and no remote asset references."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.xdist_group("app")


def check_self_contained(html: str) -> None:
    assert html.startswith("<!doctype html>")
    assert "http://" not in html and "https://" not in html
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html)
    for m in re.finditer(r'(?:src|href)="([^"]+)"', html):
        assert m.group(1).startswith("data:"), m.group(1)
    assert "<script" not in html.lower()


def test_run_report(tmp_path):
    from functools import partial

    from azalai.experiment.jobs import execute_run
    from azalai.experiment.store import connection
    from azalai.report.html import run_report

    store = tmp_path / "r.duckdb"
    run_id = execute_run(partial(connection, store), "mali-2016", "baseline-2016", [0, 1, 2], 40)
    p = run_report(run_id, store=str(store), out_dir=tmp_path / "rep")
    html = p.read_text(encoding="utf-8")
    check_self_contained(html)
    for s in ("Policy settings", "Key outcomes", "Claim 1.", "Claim 7.", "signatory_clashes", "livelihood_handlers",
              "5%", "barkhane_focus"):  # fmt: skip
        assert s in html, s
    pngs = sorted(x.name for x in (tmp_path / "rep").glob("*.png"))
    assert "map_protectors.png" in pngs and "fatalities_region.png" in pngs and "tension.png" in pngs


def test_compare_report(tmp_path):
    from azalai.report.html import compare_report

    p = compare_report("counter-terrorism", "counter-trafficking", n=3, seed=0, days=30, out_dir=tmp_path / "cmp")
    html = p.read_text(encoding="utf-8")
    check_self_contained(html)
    for s in ("Why they differ", "95% CI", "Claim 3.", "false_tip_share_acted", "barkhane_focus"):
        assert s in html, s
    assert (tmp_path / "cmp" / "paired_differences.png").exists()


def test_report_cli_errors(tmp_path):
    from typer.testing import CliRunner

    from azalai.cli.main import app

    r = CliRunner().invoke(app, ["report", "no-such-run", "--store", str(tmp_path / "none.duckdb")])
    assert r.exit_code != 0
    r = CliRunner().invoke(app, ["report"])
    assert r.exit_code != 0

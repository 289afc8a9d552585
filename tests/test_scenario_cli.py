"""`azalai scenario ...` end to end, in a subprocess as a user would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from azalai.scenario.loader import builtin_path, builtin_scenarios, load_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "mini.yaml"
BOUNDARIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "geo" / "mali_adm1_ocha_cod_simplified.geojson"
HAVE_BUILTIN = builtin_path("mali-2016").exists()
needs_builtin = pytest.mark.skipif(not HAVE_BUILTIN, reason="built-in scenario mali-2016 not written yet")


def azalai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "azalai.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"},
    )


def _broken(tmp_path: Path) -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    text = text.replace("    to: gao\n", "    to: goa\n").replace("lat: 18.05", "lat: north")
    p = tmp_path / "broken.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_list() -> None:
    r = azalai("scenario", "list")
    assert r.returncode == 0, r.stderr
    for name in builtin_scenarios():
        assert name in r.stdout


@needs_builtin
def test_show_builtin() -> None:
    r = azalai("scenario", "show", "mali-2016")
    assert r.returncode == 0, r.stderr
    for title in ("places by region", "armed actors", "communities"):
        assert title in r.stdout


def test_show_file() -> None:
    r = azalai("scenario", "show", str(FIXTURE))
    assert r.returncode == 0, r.stderr
    assert "GATIA" in r.stdout and "Ifoghas Tuareg" in r.stdout and "anefis-2015" in r.stdout


def test_check_good() -> None:
    r = azalai("scenario", "check", str(FIXTURE))
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout


@needs_builtin
def test_check_builtin() -> None:
    r = azalai("scenario", "check", "mali-2016")
    assert r.returncode == 0, r.stderr + r.stdout


def test_check_bad_lists_every_problem(tmp_path: Path) -> None:
    bad = _broken(tmp_path)
    r = azalai("scenario", "check", str(bad))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "2 problems in scenario" in r.stderr
    assert f"{bad}:35:5: places[1].lat: must be a number (got 'north')" in r.stderr
    assert f"{bad}:60:5: routes[1].to: unknown place 'goa' (did you mean 'gao'?)" in r.stderr


def test_check_unknown_name() -> None:
    r = azalai("scenario", "check", "atlantis")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "built-in scenarios:" in r.stderr


def test_check_bad_yaml(tmp_path: Path) -> None:
    p = tmp_path / "bomb.yaml"
    p.write_text('a: &a ["x","x"]\nb: [*a,*a]\n', encoding="utf-8")
    r = azalai("scenario", "check", str(p))
    assert r.returncode == 2
    assert "anchors and aliases are not allowed" in r.stderr
    assert "Traceback" not in r.stderr


def test_export_refuses_overwrite(tmp_path: Path) -> None:
    dest = tmp_path / "copy.yaml"
    r = azalai("scenario", "export", str(FIXTURE), "--to", str(dest))
    assert r.returncode == 0, r.stderr
    assert dest.read_bytes() == FIXTURE.read_bytes()
    dest.write_text("mine\n", encoding="utf-8")
    r = azalai("scenario", "export", str(FIXTURE), "--to", str(dest))
    assert r.returncode == 2
    assert "use --force" in r.stderr
    assert dest.read_text(encoding="utf-8") == "mine\n"
    r = azalai("scenario", "export", str(FIXTURE), "--to", str(dest), "--force")
    assert r.returncode == 0, r.stderr
    assert dest.read_bytes() == FIXTURE.read_bytes()


@needs_builtin
def test_export_builtin(tmp_path: Path) -> None:
    dest = tmp_path / "mali.yaml"
    r = azalai("scenario", "export", "mali-2016", "--to", str(dest))
    assert r.returncode == 0, r.stderr
    assert load_scenario(dest) == load_scenario("mali-2016")


@pytest.mark.skipif(not BOUNDARIES.exists(), reason="boundaries file not available")
def test_map_with_boundaries(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    target = "mali-2016" if HAVE_BUILTIN else str(FIXTURE)
    r = azalai("scenario", "map", target, "--out", str(out), "--boundaries", str(BOUNDARIES))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 10_000


def test_map_functions_directly(tmp_path: Path) -> None:
    from azalai.report.maps import draw_scenario_map

    sc = load_scenario(FIXTURE)
    out = tmp_path / "flows.png"
    fig = draw_scenario_map(sc, out, flows={0: 10.0, 1: 3.0}, protectors={"kidal": "hcua"})
    assert fig.axes[0].get_title() and out.exists() and out.stat().st_size > 5_000


def test_map_bad_boundaries(tmp_path: Path) -> None:
    bad = tmp_path / "b.geojson"
    bad.write_text("{not json", encoding="utf-8")
    r = azalai("scenario", "map", str(FIXTURE), "--out", str(tmp_path / "m.png"), "--boundaries", str(bad))
    assert r.returncode == 2
    assert "GeoJSON" in r.stderr and "Traceback" not in r.stderr


def test_synth(tmp_path: Path) -> None:
    out = tmp_path / "big.yaml"
    base = "mali-2016" if HAVE_BUILTIN else str(FIXTURE)
    r = azalai("scenario", "synth", "--scale", "3", "--out", str(out), "--base", base)
    assert r.returncode == 0, r.stderr
    big = load_scenario(out)
    small = load_scenario(base)
    assert len(big.places) == 3 * len(small.places)
    assert len(big.actors) == 3 * len(small.actors)
    assert len(big.routes) > 3 * len(small.routes)
    r = azalai("scenario", "check", str(out))
    assert r.returncode == 0, r.stderr

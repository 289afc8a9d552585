"""Policies: the built-ins load, malformed files are reported precisely, the CLI exits 0 or 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from azalai.errors import PolicyError, Problem
from azalai.policy.loader import builtin_policies, load_policy
from azalai.policy.schema import LEVERS

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_BUILTINS = {
    "baseline-2016",
    "counter-terrorism",
    "counter-trafficking",
    "vetted-intelligence",
    "restraint",
    "political-track",
    "counter-trafficking-political",
    "counter-trafficking-vetted-restraint",
    "counter-trafficking-from-october",
}
HEAD = 'id: test\nname: Test\nsource: "assumption: test"\n'


def azalai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "azalai.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


def problems(tmp_path: Path, text: str) -> list[Problem]:
    p = tmp_path / "policy.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(p)
    return info.value.problems


def test_every_builtin_loads() -> None:
    assert EXPECTED_BUILTINS <= set(builtin_policies())
    for name in builtin_policies():
        pol = load_policy(name)
        assert pol.id == name
        assert len(pol.source) > 10
        assert pol.source.startswith(("seed:", "assumption:"))


def test_builtin_lever_values() -> None:
    base = load_policy("baseline-2016").lever_values()
    assert base == {
        "barkhane_focus": 0.15, "barkhane_tempo": 1.0, "vetting": 0.3, "sweeps": 0.6, "release_delay_days": 21.0,
        "harm_mitigation": 0.5, "minusma_posture": 0.3, "minusma_toc_units": 0.0, "state_redeployment": 0.2,
        "state_collusion": 0.6, "ddr_pace": 0.05, "interim_fairness": 0.3, "aid": 0.1, "business_respected": 0.7,
        "fama_troops": 1.0, "barkhane_troops": 1.0, "minusma_troops": 1.0,
    }  # fmt: skip

    def diff(name: str) -> dict[str, float]:
        vals = load_policy(name).lever_values()
        return {k: v for k, v in vals.items() if v != base[k]}

    assert diff("counter-terrorism") == {"barkhane_focus": 0.0, "barkhane_tempo": 1.2}
    ct = {"barkhane_focus": 1.0, "minusma_toc_units": 1.0, "minusma_posture": 0.6}
    assert diff("counter-trafficking") == ct
    assert diff("vetted-intelligence") == {"vetting": 0.9}
    assert diff("restraint") == {"sweeps": 0.0, "harm_mitigation": 0.8}
    pt = {"interim_fairness": 0.9, "ddr_pace": 0.3, "aid": 0.5, "business_respected": 0.9}
    assert diff("political-track") == pt
    assert diff("counter-trafficking-political") == ct | pt
    assert diff("counter-trafficking-vetted-restraint") == ct | {"vetting": 0.9, "sweeps": 0.0}
    oct_ = load_policy("counter-trafficking-from-october")
    assert diff("counter-trafficking-from-october") == {}
    assert len(oct_.changes) == 1 and str(oct_.changes[0].date) == "2016-10-01"
    changed = {k: v for k, v in oct_.changes[0].levers.model_dump().items() if v is not None and v != {}}
    assert changed == ct


def test_unknown_lever_did_you_mean(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, HEAD + "levers:\n  vettting: 0.8\n  sweeps: 0.1\n")
    assert (p.line, p.path, p.message) == (5, "levers.vettting", "unknown lever 'vettting' (did you mean 'vetting'?)")


def test_unknown_lever_in_changes(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, HEAD + "changes:\n  - date: 2016-10-01\n    levers: {sweep: 0.2}\n")
    assert (p.line, p.path) == (6, "changes[0].levers.sweep")
    assert p.message == "unknown lever 'sweep' (did you mean 'sweeps'?)"


def test_out_of_range_names_the_line(tmp_path: Path) -> None:
    got = problems(tmp_path, HEAD + "levers:\n  vetting: 1.5\n  release_delay_days: 0\n")
    assert [(p.line, p.path, p.message) for p in got] == [
        (5, "levers.vetting", "must be <= 1 (got 1.5)"),
        (6, "levers.release_delay_days", "must be >= 1 (got 0)"),
    ]
    assert str(got[0]).endswith("policy.yaml:5:3: levers.vetting: must be <= 1 (got 1.5)")


def test_whole_days(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, HEAD + "levers:\n  release_delay_days: 21.5\n")
    assert (p.line, p.message) == (5, "must be a whole number (days) (got 21.5)")


def test_bad_focus_name(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, HEAD + "levers:\n  barkhane_focus: counter-narcotics\n")
    assert (p.line, p.path) == (5, "levers.barkhane_focus")
    assert p.message == (
        "unknown name 'counter-narcotics': use one of counter-terrorism, mixed, counter-trafficking "
        "or a number 0..1"
    )


def test_focus_names_accepted(tmp_path: Path) -> None:
    p = tmp_path / "ok.yaml"
    p.write_text(HEAD + "levers:\n  barkhane_focus: mixed\n", encoding="utf-8")
    assert load_policy(p).lever_values()["barkhane_focus"] == 0.5


def test_unordered_changes(tmp_path: Path) -> None:
    text = HEAD + (
        "changes:\n"
        "  - date: 2016-10-01\n    levers: {vetting: 0.8}\n"
        "  - date: 2016-09-01\n    levers: {vetting: 0.5}\n"
    )
    (p,) = problems(tmp_path, text)
    assert (p.line, p.path) == (7, "changes[1].date")
    assert p.message == "changes must be in increasing date order: 2016-09-01 does not come after 2016-10-01"


def test_aid_by_region_keys(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, HEAD + "levers:\n  aid_by_region: {Kidal: 0.5, gao: 0.3}\n")
    assert (p.line, p.path) == (5, "levers.aid_by_region.Kidal")
    assert p.message.startswith("'Kidal' does not look like a region id")


def test_missing_fields_and_bad_yaml(tmp_path: Path) -> None:
    got = problems(tmp_path, "id: x\n")
    assert [(p.path, p.message) for p in got] == [("name", "field required"), ("source", "field required")]
    got = problems(tmp_path, HEAD + "levers: &x {vetting: 0.1}\nchanges: *x\n")
    assert got[0].message == "anchors and aliases are not allowed"
    got = problems(tmp_path, HEAD + "levers:\n  vetting: 0.1\n  vetting: 0.2\n")
    assert got[0].message == "duplicate key 'vetting' (first given on line 5)"


def test_unknown_builtin() -> None:
    with pytest.raises(PolicyError) as info:
        load_policy("counter-trafficing")
    assert "(did you mean 'counter-trafficking'?)" in info.value.problems[0].message


def test_cli_list_show_check_export(tmp_path: Path) -> None:
    r = azalai("policy", "list")
    assert r.returncode == 0, r.stderr
    assert "baseline-2016" in r.stdout
    r = azalai("policy", "show", "counter-trafficking-from-october")
    assert r.returncode == 0, r.stderr
    assert "2016-10-01" in r.stdout and "barkhane_focus" in r.stdout
    for name in builtin_policies():
        r = azalai("policy", "check", name)
        assert r.returncode == 0, r.stderr
    dest = tmp_path / "mine.yaml"
    assert azalai("policy", "export", "restraint", "--to", str(dest)).returncode == 0
    assert load_policy(dest).id == "restraint"
    r = azalai("policy", "export", "restraint", "--to", str(dest))
    assert r.returncode == 2 and "use --force" in r.stderr
    assert azalai("policy", "export", "restraint", "--to", str(dest), "--force").returncode == 0


def test_cli_check_bad(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "levers:\n  vettting: 0.8\n  sweeps: 2\n", encoding="utf-8")
    r = azalai("policy", "check", str(bad))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert f"{bad}:5:3: levers.vettting: unknown lever 'vettting' (did you mean 'vetting'?)" in r.stderr
    assert f"{bad}:6:3: levers.sweeps: must be <= 1 (got 2)" in r.stderr


def test_lever_table_in_docs_is_current() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_lever_table.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    doc = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    for lv in LEVERS:
        assert f"`{lv.name}`" in doc

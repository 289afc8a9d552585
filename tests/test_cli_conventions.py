"""Conventions every command follows: --version, shell completion, a checked --format, JSON Schemas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# Every command that prints results, and the formats it offers.
PRINTS_RESULTS = {
    "run": {"table", "json"}, "runs list": {"table", "json", "csv"}, "runs show": {"table", "json"},
    "params list": {"table", "json", "markdown"}, "params show": {"table", "json"},
    "ensemble": {"table", "json"}, "sensitivity": {"table", "json"}, "discover": {"table", "json"},
    "compare": {"table", "json"}, "explain": {"table", "json"}, "claims": {"table", "json"},
    "validate": {"table", "json"}, "calibrate": {"table", "json"},
    "data list": {"table", "json", "csv"}, "data summary": {"table", "json"},
    "scenario list": {"table", "json", "csv"}, "scenario show": {"table", "json"},
    "policy list": {"table", "json", "csv"}, "policy show": {"table", "json", "csv"},
    "forecast": {"table", "json"}, "backtest": {"table", "json"}, "robust": {"table", "json"},
    "runs export": {"csv", "acled-csv", "geojson", "gpkg"},  # writes a file in the chosen format
}  # fmt: skip


def azalai(*args: str, cwd: Path, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("AZALAI_STORE", None)
    env.update({"COLUMNS": "200", "MPLBACKEND": "Agg"})
    env.update(env_extra or {})
    code = "import sys; sys.argv[0] = 'azalai'; from azalai.cli.main import run; run()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, env=env,
                          cwd=cwd)  # fmt: skip


def _commands() -> dict[str, typing.Callable]:
    from azalai.cli.main import app

    found = {}

    def walk(t, prefix: str) -> None:
        for c in t.registered_commands:
            found[(prefix + " " + (c.name or c.callback.__name__)).strip()] = c.callback
        for g in t.registered_groups:
            walk(g.typer_instance, prefix + " " + g.name)

    walk(app, "")
    return found


def test_version(tmp_path: Path) -> None:
    import azalai as az

    r = azalai("--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == f"azalai {az.__version__}", r.stdout + r.stderr


def test_shell_completion_offers_commands_and_format_choices(tmp_path: Path) -> None:
    r = azalai(cwd=tmp_path, env_extra={"_AZALAI_COMPLETE": "complete_bash", "_TYPER_COMPLETE_ARGS": "azalai sce",
                                        "COMP_WORDS": "azalai sce", "COMP_CWORD": "1"})  # fmt: skip
    assert r.stdout.split() == ["scenario"], r.stdout + r.stderr
    r = azalai(cwd=tmp_path, env_extra={"_AZALAI_COMPLETE": "complete_bash",
                                        "_TYPER_COMPLETE_ARGS": "azalai scenario list --format ",
                                        "COMP_WORDS": "azalai scenario list --format ", "COMP_CWORD": "4"})  # fmt: skip
    assert set(r.stdout.split()) == {"table", "json", "csv"}, r.stdout + r.stderr


def test_every_printing_command_has_a_checked_format() -> None:
    cmds = _commands()
    assert set(PRINTS_RESULTS) <= set(cmds), set(PRINTS_RESULTS) - set(cmds)
    for name, fn in cmds.items():
        hints = typing.get_type_hints(fn)
        if "fmt" not in hints:
            assert name not in PRINTS_RESULTS, f"{name} prints results but has no --format"
            continue
        assert typing.get_origin(hints["fmt"]) is typing.Literal, f"{name}: --format is not a checked choice"
        assert set(typing.get_args(hints["fmt"])) == PRINTS_RESULTS[name], name


@pytest.mark.parametrize("cmd", ["scenario list", "policy list", "runs list", "data list", "validate"])
def test_a_wrong_format_is_one_line_and_status_2(cmd: str, tmp_path: Path) -> None:
    r = azalai(*cmd.split(), "--format", "xml", cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "'--format'" in r.stderr and "'xml' is not one of" in r.stderr


def test_list_formats_agree(tmp_path: Path) -> None:
    rows = json.loads(azalai("policy", "list", "--format", "json", cwd=tmp_path).stdout)
    csv_lines = azalai("policy", "list", "--format", "csv", cwd=tmp_path).stdout.splitlines()
    assert csv_lines[0] == "name,title,dated changes"
    assert [r["name"] for r in rows] == [line.split(",")[0] for line in csv_lines[1:]]
    assert "baseline-2016" in {r["name"] for r in rows}
    levers = json.loads(azalai("policy", "show", "restraint", "--format", "json", cwd=tmp_path).stdout)
    assert {r["lever"] for r in levers} >= {"sweeps", "vetting"}


@pytest.mark.parametrize("kind", ["scenario", "policy"])
def test_json_schema_validates_the_builtin_files(kind: str, tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    r = azalai(kind, "schema", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    schema = json.loads(r.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    if kind == "scenario":
        from azalai.scenario.loader import builtin_scenarios, resolve_scenario_path as resolve

        names = builtin_scenarios()
    else:
        from azalai.policy.loader import builtin_policies, resolve_policy_path as resolve

        names = builtin_policies()
    for name in names:
        # YAML dates arrive as date objects; an editor sees them as the strings they are written as.
        doc = json.loads(json.dumps(yaml.safe_load(Path(resolve(name)).read_text(encoding="utf-8")), default=str))
        jsonschema.validate(doc, schema)
    if kind == "policy":
        bad = {"id": "x", "name": "x", "source": "assumption: x", "levers": {"vettting": 0.5}}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
        named = {"id": "x", "name": "x", "source": "assumption: x", "levers": {"barkhane_focus": "mixed"}}
        jsonschema.validate(named, schema)
    out = tmp_path / "s.json"
    assert azalai(kind, "schema", "--to", str(out), cwd=tmp_path).returncode == 0
    assert json.loads(out.read_text()) == schema
    again = azalai(kind, "schema", "--to", str(out), cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr


def test_importing_the_package_leaves_the_matplotlib_backend_alone(tmp_path: Path) -> None:
    """A notebook's backend survives importing every module that draws (no matplotlib.use at import)."""
    code = (
        "import matplotlib\n"
        "import azalai.report.figures, azalai.report.maps, azalai.report.html, azalai.analysis.compare\n"
        "import azalai.analysis.validation, azalai.experiment.discovery, azalai.experiment.sensitivity\n"
        "import azalai.report.forecast_fig\n"
        "import azalai.cli.main\n"
        "print(matplotlib.rcParams._get_backend_or_none())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "None", r.stdout


def test_installed_dependencies_lie_within_the_declared_bounds() -> None:
    """Every dependency has an upper bound, and the versions the suite runs against satisfy the ranges."""
    import tomllib
    from importlib.metadata import PackageNotFoundError, version

    from packaging.requirements import Requirement

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in meta["dependencies"]]
    reqs += [Requirement(r) for extra in meta["optional-dependencies"].values() for r in extra
             if not r.startswith("azalai")]  # fmt: skip
    for req in reqs:
        assert any(s.operator in ("<", "<=", "~=", "==") for s in req.specifier), f"{req} has no upper bound"
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            continue
        assert req.specifier.contains(installed, prereleases=True), f"{req.name} {installed} is outside {req}"

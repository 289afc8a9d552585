"""Load and check policy files (built-in by name, or any YAML file by path).

Problems are reported like scenario problems: file, line, column, field path and a readable
message, all collected into one :class:`~azalai.errors.PolicyError`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from pydantic import ValidationError

from azalai.errors import PolicyError, Problem
from azalai.policy.schema import LEVERS, Policy
from azalai.scenario.problems import format_path, looks_like_id, position_of, suggest, validation_problems
from azalai.scenario.yamlio import LoadedYaml, load_yaml_file

BUILTIN_DIR = Path(__file__).parent / "builtin"
LEVER_NAMES = [lv.name for lv in LEVERS]


def builtin_policies() -> list[str]:
    """Names of the policies shipped with azalai."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def resolve_policy_path(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, Path):
        return name_or_path
    text = str(name_or_path)
    if text in builtin_policies():
        return BUILTIN_DIR / f"{text}.yaml"
    p = Path(text)
    if p.exists() or p.suffix in (".yaml", ".yml") or "/" in text or "\\" in text:
        return p
    names = builtin_policies()
    raise PolicyError(
        [
            Problem(
                text,
                None,
                None,
                "",
                f"no policy file or built-in policy called '{text}'{suggest(text, names)}; "
                f"built-in policies: {', '.join(names) if names else 'none installed'}",
            )
        ]
    )


def resolve_policy(policy: Policy | str | Path | None) -> Policy:
    """A policy as given, or loaded from a built-in name or a YAML file (None: the default policy)."""
    if isinstance(policy, Policy):
        return policy
    from azalai.defaults import DEFAULT_POLICY

    return load_policy(policy or DEFAULT_POLICY)


def load_policy(name_or_path: str | Path) -> Policy:
    """Load and check a policy; raise PolicyError with every problem found."""
    loaded = load_yaml_file(resolve_policy_path(name_or_path), PolicyError, what="policy file")
    return policy_from_loaded(loaded)


def _is_lever_block(path: tuple) -> bool:
    return (len(path) == 2 and path[0] == "levers") or (
        len(path) == 4 and path[0] == "changes" and path[2] == "levers"
    )


def policy_from_loaded(loaded: LoadedYaml) -> Policy:
    problems: list[Problem] = []
    policy: Policy | None = None
    try:
        policy = Policy.model_validate(loaded.data)
    except ValidationError as exc:
        for p in validation_problems(exc, loaded.positions, loaded.file, Policy):
            if p.message.startswith("unknown field '") and (
                p.path.startswith("levers.") or (p.path.startswith("changes[") and ".levers." in p.path)
            ):
                name = p.path.rsplit(".", 1)[-1]
                hint = suggest(name, LEVER_NAMES)
                if not hint:
                    hint = f" (levers: {', '.join(LEVER_NAMES)})"
                p = Problem(p.file, p.line, p.column, p.path, f"unknown lever '{name}'{hint}")
            problems.append(p)
    problems.extend(_extra_checks(loaded))
    if problems:
        unique = list(dict.fromkeys(problems))
        raise PolicyError(sorted(unique, key=lambda p: (p.line or 10**9, p.column or 0)))
    assert policy is not None
    return policy


def _extra_checks(loaded: LoadedYaml) -> list[Problem]:
    problems: list[Problem] = []
    data = loaded.data

    def report(path: tuple, message: str) -> None:
        line, col = position_of(loaded.positions, path)
        problems.append(Problem(loaded.file, line, col, format_path(path), message))

    blocks: list[tuple[tuple, object]] = [(("levers",), data.get("levers"))]
    changes = data.get("changes")
    if isinstance(changes, list):
        blocks += [(("changes", i, "levers"), c.get("levers")) for i, c in enumerate(changes) if isinstance(c, dict)]
    for path, block in blocks:
        if isinstance(block, dict):
            for lv in LEVERS:
                v = block.get(lv.name)
                if lv.integer and isinstance(v, float) and not v.is_integer():
                    report(path + (lv.name,), f"must be a whole number ({lv.unit}) (got {v})")
        if isinstance(block, dict) and isinstance(block.get("aid_by_region"), dict):
            for key in block["aid_by_region"]:
                if not looks_like_id(key):
                    report(
                        path + ("aid_by_region", key),
                        f"'{key}' does not look like a region id (lower-case letters, digits, '_' and '-', "
                        "as in 'kidal' or 'tombouctou')",
                    )
    if isinstance(changes, list):
        previous = None
        for i, change in enumerate(changes):
            if not isinstance(change, dict):
                continue
            date = change.get("date")
            if isinstance(date, str):
                try:
                    date = _dt.date.fromisoformat(date)
                except ValueError:
                    continue  # the schema reports it
            if not isinstance(date, _dt.date):
                continue
            if previous is not None and date <= previous:
                report(
                    ("changes", i, "date"),
                    f"changes must be in increasing date order: {date.isoformat()} does not come after "
                    f"{previous.isoformat()}",
                )
            previous = date
    return problems


def check_policy(name_or_path: str | Path) -> list[Problem]:
    try:
        load_policy(name_or_path)
    except PolicyError as exc:
        return exc.problems
    return []

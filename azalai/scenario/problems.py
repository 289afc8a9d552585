"""Where a problem is in a scenario or policy file, and what it says.

Paths are tuples of mapping keys and list indices, written like ``routes[3].to``; a position is the
1-based ``(line, column)`` of the closest node present in the file. :func:`validation_problems`
turns a pydantic ``ValidationError`` into :class:`~azalai.errors.Problem` s with those paths and lines
and a message a planner can act on (with "did you mean" suggestions).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from azalai.errors import Problem

PathT = tuple[Any, ...]
Positions = dict[PathT, tuple[int, int]]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")

# --------------------------------------------------------------------------------------------
# paths and positions
# --------------------------------------------------------------------------------------------

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def format_path(path: PathT) -> str:
    """``('routes', 3, 'to')`` -> ``routes[3].to``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and _NAME_RE.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{str(part)!r}]"
    return out


def position_of(positions: Positions, path: PathT) -> tuple[int | None, int | None]:
    """Line and column of ``path`` or of its closest ancestor present in the file."""
    p = tuple(path)
    while True:
        if p in positions:
            return positions[p]
        if not p:
            return None, None
        p = p[:-1]


# --------------------------------------------------------------------------------------------
# pydantic errors -> Problems
# --------------------------------------------------------------------------------------------


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _type_at(model: type[BaseModel] | None, loc: PathT) -> Any:
    """The declared type at ``loc`` inside ``model`` (None when it cannot be followed)."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if tp is None:
            return None
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = _fields_by_key(tp)
            if part not in fields:
                return None
            tp = fields[part]
            continue
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (list, tuple) and isinstance(part, int) and args:
            tp = args[0] if origin is list or len(args) == 1 else args[min(part, len(args) - 1)]
        elif origin is dict and args:
            tp = args[1]
        else:
            return None
    return _unwrap(tp)


def _fields_by_key(model: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        out[info.alias or name] = info.annotation
        if info.metadata:
            out[info.alias or name] = typing.Annotated[(info.annotation, *info.metadata)]
    return out


def describe(value: Any) -> str:
    """A value as a message quotes it: short, dates in ISO form."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return str(x)


def closest(word: str, candidates: typing.Iterable[str]) -> str | None:
    """The candidate ``word`` was probably meant to be (another case of it, or the closest spelling), or None."""
    cands = list(dict.fromkeys(c for c in candidates if isinstance(c, str)))
    if not isinstance(word, str) or not cands:
        return None
    lower = {c.lower(): c for c in cands}
    if word.lower() in lower and lower[word.lower()] != word:
        return lower[word.lower()]
    match = difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=0.6)
    return lower[match[0]] if match else None


def suggest(word: str, candidates: typing.Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string (:func:`closest`)."""
    match = closest(word, candidates)
    return f" (did you mean '{match}'?)" if match is not None else ""


def _message(err: dict[str, Any], model: type[BaseModel] | None) -> str:
    typ = err.get("type", "")
    ctx = err.get("ctx") or {}
    inp = err.get("input")
    loc = tuple(err.get("loc", ()))
    got = f" (got {describe(inp)})"
    declared = _type_at(model, loc) if model is not None else None
    if typ == "missing":
        return "field required"
    if typ == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        parent = _type_at(model, loc[:-1]) if model is not None else None
        allowed: list[str] = []
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            allowed = list(_fields_by_key(parent))
        hint = suggest(name, allowed)
        if not hint and allowed:
            hint = f" (allowed: {', '.join(allowed)})"
        return f"unknown field '{name}'{hint}"
    if typ == "greater_than_equal":
        return f"must be >= {_num(ctx.get('ge'))}{got}"
    if typ == "less_than_equal":
        return f"must be <= {_num(ctx.get('le'))}{got}"
    if typ == "greater_than":
        return f"must be > {_num(ctx.get('gt'))}{got}"
    if typ == "less_than":
        return f"must be < {_num(ctx.get('lt'))}{got}"
    if typ == "string_pattern_mismatch":
        return (
            f"{describe(inp)} is not a valid id: use lower-case letters, digits, '_' and '-', "
            "starting with a letter or digit"
        )
    if typ == "string_too_short":
        n = ctx.get("min_length", 1)
        return "must not be empty" if n == 1 else f"must be at least {n} characters long{got}"
    if typ == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if typ == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''} (got {ctx.get('actual_length', 0)})"
    if typ == "too_long":
        n = ctx.get("max_length")
        return f"takes at most {n} item{'s' if n != 1 else ''} (got {ctx.get('actual_length')})"
    if isinstance(declared, type) and declared.__name__.startswith("Uncertain") and typ in (
        "model_type",
        "model_attributes_type",
        "dict_type",
    ):
        return f"must be a number or {{value: x, range: [low, high]}}{got}"
    if typ in ("float_type", "float_parsing", "int_from_float"):
        return f"must be a number{got}"
    if typ in ("int_type", "int_parsing"):
        return f"must be a whole number{got}"
    if typ in ("finite_number",):
        return f"must be a finite number{got}"
    if typ in ("string_type",):
        return f"must be text{got}"
    if typ in ("list_type",):
        return f"must be a list{got}"
    if typ in ("tuple_type",):
        return f"must be a list of two numbers{got}"
    if typ in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping of 'key: value' lines{got}"
    if typ in ("bool_type", "bool_parsing"):
        return f"must be true or false{got}"
    if typ.startswith("date") or typ.startswith("datetime"):
        return f"must be a date written YYYY-MM-DD{got}"
    if typ in ("enum", "literal_error"):
        expected = ctx.get("expected", "")
        options = re.findall(r"'([^']*)'", str(expected))
        hint = suggest(str(inp), options) if isinstance(inp, str) else ""
        return f"must be one of {expected}{got}{hint}"
    if typ == "value_error":
        msg = str(ctx.get("error") or err.get("msg", ""))
        return msg.removeprefix("Value error, ")
    msg = str(err.get("msg", "invalid value"))
    return (msg[:1].lower() + msg[1:]) + got


def validation_problems(
    exc: ValidationError,
    positions: Positions,
    file: str,
    model: type[BaseModel] | None = None,
    prefix: PathT = (),
) -> list[Problem]:
    """One Problem per pydantic error, with path, line and a readable message."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        key_error = bool(loc) and loc[-1] == "[key]"
        if key_error:
            loc = loc[:-1]
        path = prefix + loc
        message = _message(err, model)
        if key_error:
            message = f"key {describe(loc[-1] if loc else '')}: {message}"
        fpath = format_path(path)
        if (fpath, message) in seen:
            continue
        seen.add((fpath, message))
        line, col = position_of(positions, path)
        problems.append(Problem(file, line, col, fpath, message))
    return problems


def looks_like_id(value: Any) -> bool:
    """Whether a value has the form of an id (lower-case letters, digits, '_' and '-'; at most 64)."""
    return isinstance(value, str) and bool(_ID_RE.match(value)) and len(value) <= 64


def enum_values(enum: type[Enum]) -> list[str]:
    """An enumeration's values as text."""
    return [str(m.value) for m in enum]

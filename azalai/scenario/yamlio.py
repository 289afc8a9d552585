"""Safe YAML loading with source positions, shared by scenarios and policies.

PyYAML composes the node tree (with the safe loader); the plain Python data are then built here,
node by node, so that every value's 1-based ``(line, column)`` is known by its path (a tuple of
mapping keys and list indices). Anything a planner could get wrong or an attacker could abuse is
refused with a :class:`~azalai.errors.Problem` naming the file, line and column:

* bytes that are not UTF-8 (the line of the first bad byte is given);
* an empty file, or one holding only comments;
* a file above :data:`MAX_BYTES`;
* YAML syntax errors;
* anchors and aliases (this also defeats "billion laughs" alias bombs);
* duplicate mapping keys, non-scalar keys, unsupported tags, non-finite numbers;
* a top level that is not a mapping, or nesting deeper than :data:`MAX_DEPTH`.

:func:`validation_problems` turns a pydantic ``ValidationError`` into Problems whose path reads
like ``routes[3].to`` and whose line is that of the closest node present in the file.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
import types
import typing
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from azalai.errors import InputError, Problem

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 50

PathT = tuple[Any, ...]
Positions = dict[PathT, tuple[int, int]]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class LoadedYaml:
    """Plain data read from a YAML file, with the position of every path."""

    data: dict[str, Any]
    positions: Positions = field(default_factory=dict)
    file: str = "<input>"

    def where(self, path: PathT) -> tuple[int | None, int | None]:
        return position_of(self.positions, path)

    def problem(self, path: PathT, message: str) -> Problem:
        line, col = self.where(path)
        return Problem(self.file, line, col, format_path(path), message)


class _Refused(Exception):
    def __init__(self, message: str, line: int | None, column: int | None, path: PathT = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path


def _mark_pos(mark: Any) -> tuple[int | None, int | None]:
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


_EventLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same events, faster


def _compose(text: str) -> Node | None:
    """Build the node tree from parser events with an explicit stack.

    Composing here (rather than with PyYAML's recursive composer) lets anchors and aliases be
    refused before any expansion, and caps the nesting depth without ever recursing deeply.
    """
    loader = _EventLoader(text)
    try:
        root: Node | None = None
        stack: list[list[Any]] = []  # [collection node, pending mapping key]
        documents = 0

        def attach(node: Node) -> None:
            nonlocal root
            if not stack:
                root = node
                return
            top = stack[-1]
            if isinstance(top[0], SequenceNode):
                top[0].value.append(node)
            elif top[1] is None:
                top[1] = node
            else:
                top[0].value.append((top[1], node))
                top[1] = None

        while True:
            ev = loader.get_event()
            if isinstance(ev, StreamEndEvent):
                return root
            if isinstance(ev, (StreamStartEvent, DocumentEndEvent)):
                continue
            if isinstance(ev, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Refused("{what} must hold a single YAML document (found another one here)",
                                   *_mark_pos(ev.start_mark))  # fmt: skip
                continue
            if isinstance(ev, AliasEvent) or getattr(ev, "anchor", None) is not None:
                raise _Refused("anchors and aliases are not allowed", *_mark_pos(ev.start_mark))
            if isinstance(ev, ScalarEvent):
                tag = ev.tag if ev.tag not in (None, "!") else loader.resolve(ScalarNode, ev.value, ev.implicit)
                attach(ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, style=ev.style))
            elif isinstance(ev, (SequenceStartEvent, MappingStartEvent)):
                cls = SequenceNode if isinstance(ev, SequenceStartEvent) else MappingNode
                tag = ev.tag if ev.tag not in (None, "!") else loader.resolve(cls, None, ev.implicit)
                node = cls(tag, [], ev.start_mark, None, flow_style=ev.flow_style)
                attach(node)
                stack.append([node, None])
                if len(stack) > MAX_DEPTH:
                    raise _Refused(f"nesting is deeper than {MAX_DEPTH} levels", *_mark_pos(ev.start_mark))
            elif isinstance(ev, (SequenceEndEvent, MappingEndEvent)):
                stack.pop()
    finally:
        loader.dispose()


def _kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return "a single value"


class _Builder:
    def __init__(self) -> None:
        self.positions: Positions = {}
        self._constructor = SafeConstructor()

    def build(self, node: Node, path: PathT) -> Any:
        if path not in self.positions:
            self.positions[path] = _mark_pos(node.start_mark)  # type: ignore[assignment]
        if isinstance(node, MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise _Refused(f"unsupported tag {node.tag!r}", *_mark_pos(node.start_mark))
            out: dict[str, Any] = {}
            first_seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise _Refused(
                        f"mapping keys must be plain names, not {_kind_of(key_node)}",
                        *_mark_pos(key_node.start_mark),
                    )
                key = str(key_node.value)
                line, col = _mark_pos(key_node.start_mark)
                if key in out:
                    raise _Refused(
                        f"duplicate key '{key}' (first given on line {first_seen[key]})", line, col, path + (key,)
                    )
                first_seen[key] = line  # type: ignore[assignment]
                self.positions[path + (key,)] = (line, col)  # type: ignore[assignment]
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise _Refused(f"unsupported tag {node.tag!r}", *_mark_pos(node.start_mark))
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag not in _SCALAR_TAGS:
            raise _Refused(f"unsupported tag {node.tag!r}", *_mark_pos(node.start_mark))
        try:
            value = self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise _Refused(f"cannot read value {_describe(node.value)}: {exc}", *_mark_pos(node.start_mark), path) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise _Refused(f"numbers must be finite (got {node.value})", *_mark_pos(node.start_mark), path)
        if isinstance(value, _dt.datetime):
            value = value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
        return value


def _too_big(what: str, size: int, cap: int = MAX_BYTES) -> str:
    return f"{what} is {size:,} bytes, above the {cap // (1024 * 1024)} MB cap ({cap:,} bytes)"


def _line_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    col = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def load_yaml_bytes(
    raw: bytes,
    file: str = "<input>",
    error_cls: type[InputError] = InputError,
    what: str = "file",
    max_bytes: int = MAX_BYTES,
) -> LoadedYaml:
    """Parse YAML bytes into plain data and positions, or raise ``error_cls`` with one Problem."""

    def refuse(message: str, line: int | None = None, col: int | None = None, path: PathT = ()) -> InputError:
        return error_cls([Problem(file, line, col, format_path(path), message)])

    if len(raw) > max_bytes:
        raise refuse(_too_big(what, len(raw), max_bytes))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_of_offset(raw, exc.start)
        raise refuse(
            f"{what} is not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}", line, col
        ) from None
    try:
        node = _compose(text)
    except _Refused as exc:
        raise refuse(exc.message.replace("{what}", what), exc.line, exc.column) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _mark_pos(mark)
        detail = exc.problem or "invalid YAML"
        if mark is not None and "cannot start any token" in detail and text[mark.index : mark.index + 1] == "\t":
            raise refuse("YAML syntax error: a tab character here; indent with spaces, not tabs", line, col) from None
        if exc.context and "single document" in exc.context:
            raise refuse(f"{what} must hold a single YAML document (found another one here)", line, col) from None
        if exc.context:
            detail = f"{detail} ({exc.context})"
        raise refuse(f"YAML syntax error: {detail}", line, col) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise refuse(f"{what} contains a character YAML does not allow ({exc.character!r})", line, col) from None
    except yaml.YAMLError as exc:  # pragma: no cover - any other PyYAML failure
        raise refuse(f"YAML error: {exc}") from None
    if node is None:
        raise refuse(f"{what} is empty (or holds only comments)", 1, 1)
    if not isinstance(node, MappingNode):
        line, col = _mark_pos(node.start_mark)
        raise refuse(f"the top level must be a mapping of 'key: value' lines, not {_kind_of(node)}", line, col)
    builder = _Builder()
    try:
        data = builder.build(node, ())
    except _Refused as exc:
        raise refuse(exc.message, exc.line, exc.column, exc.path) from None
    return LoadedYaml(data, builder.positions, file)


def load_yaml_file(
    path: str | Path, error_cls: type[InputError] = InputError, what: str = "file", max_bytes: int = MAX_BYTES
) -> LoadedYaml:
    """Read and parse a YAML file a user named (see :func:`load_yaml_bytes`): only a regular file of at
    most ``max_bytes`` is read (``/dev/zero``, pipes and directories are refused before reading)."""
    from azalai.safeio import read_user_bytes

    raw = read_user_bytes(path, what, max_bytes, error_cls)
    return load_yaml_bytes(raw, str(path), error_cls, what, max_bytes)


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


def _describe(value: Any) -> str:
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


def suggest(word: str, candidates: typing.Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    cands = list(dict.fromkeys(c for c in candidates if isinstance(c, str)))
    if not isinstance(word, str) or not cands:
        return ""
    lower = {c.lower(): c for c in cands}
    if word.lower() in lower and lower[word.lower()] != word:
        return f" (did you mean '{lower[word.lower()]}'?)"
    match = difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=0.6)
    return f" (did you mean '{lower[match[0]]}'?)" if match else ""


def _message(err: dict[str, Any], model: type[BaseModel] | None) -> str:
    typ = err.get("type", "")
    ctx = err.get("ctx") or {}
    inp = err.get("input")
    loc = tuple(err.get("loc", ()))
    got = f" (got {_describe(inp)})"
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
            f"{_describe(inp)} is not a valid id: use lower-case letters, digits, '_' and '-', "
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
            message = f"key {_describe(loc[-1] if loc else '')}: {message}"
        fpath = format_path(path)
        if (fpath, message) in seen:
            continue
        seen.add((fpath, message))
        line, col = position_of(positions, path)
        problems.append(Problem(file, line, col, fpath, message))
    return problems


def looks_like_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_ID_RE.match(value)) and len(value) <= 64


def enum_values(enum: type[Enum]) -> list[str]:
    return [str(m.value) for m in enum]

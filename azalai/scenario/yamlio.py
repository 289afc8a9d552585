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

Paths and the messages of a pydantic ``ValidationError`` are in :mod:`azalai.scenario.problems`.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
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
from azalai.scenario.problems import PathT, Positions, describe, format_path, position_of

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 50

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
            raise _Refused(f"cannot read value {describe(node.value)}: {exc}", *_mark_pos(node.start_mark), path) from None
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

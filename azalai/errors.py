"""Errors a user can act on: every problem names the file, the line, the column and the field."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest message, field path or file name shown for one problem (user text is cut, not echoed whole).
MAX_MESSAGE = 300
MAX_NAME = 120

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clip(text: object, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line, control characters escaped and cut to ``limit`` characters."""
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text)).replace("\n", "\\n").replace("\t", " ")
    return s if len(s) <= limit else s[: limit - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. Texts are kept to one short line (they may quote user input)."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", clip(self.file, MAX_NAME))
        object.__setattr__(self, "path", clip(self.path, MAX_NAME))
        object.__setattr__(self, "message", clip(self.message, MAX_MESSAGE))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class InputError(Exception):
    """Bad user input: a scenario, a policy, a data file or an argument. Carries every problem found."""

    kind = "input"

    def __init__(self, problems: list[Problem] | Problem | str, file: str = "<input>") -> None:
        if isinstance(problems, str):
            problems = [Problem(file, None, None, "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        """One line for one problem; a count and one line per problem otherwise."""
        n = len(self.problems)
        if n == 1:
            return str(self.problems[0])
        head = f"{n} problems in {self.kind}"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)


class ScenarioError(InputError):
    kind = "scenario"


class PolicyError(InputError):
    kind = "policy"


class DataImportError(InputError):
    kind = "data file"


class StoreError(InputError):
    """The run store cannot be used: locked by another process, not a store, or from another version."""

    kind = "store"

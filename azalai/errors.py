"""Errors a user can act on: every problem names the file, the line, the column and the field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

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
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.kind}"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)


class ScenarioError(InputError):
    kind = "scenario"


class PolicyError(InputError):
    kind = "policy"


class DataImportError(InputError):
    kind = "data file"

"""Problems found in a journal: every stage reports them, none raises for bad input."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located at `path:line` (path relative to the journal)."""

    path: str
    line: int
    level: Level
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


def error(path: str, line: int, message: str) -> Problem:
    return Problem(path, max(line, 1), "error", message)


def warning(path: str, line: int, message: str) -> Problem:
    return Problem(path, max(line, 1), "warning", message)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.level == "error" for p in problems)


def count_level(problems: Iterable[Problem], level: Level) -> int:
    return sum(1 for p in problems if p.level == level)

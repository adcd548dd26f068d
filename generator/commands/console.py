"""What every command prints: problems (coloured on a terminal), `error:` lines, short paths."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TextIO

from generator.core.problems import Problem

_COLOURS: Mapping[str, str] = MappingProxyType({"error": "\033[31m", "warning": "\033[33m"})
_RESET = "\033[0m"


def use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def format_problem(problem: Problem, colour: bool) -> str:
    if not colour:
        return str(problem)
    level = f"{_COLOURS[problem.level]}{problem.level}{_RESET}"
    return f"{problem.path}:{problem.line}: {level}: {problem.message}"


def print_problems(problems: Sequence[Problem]) -> None:
    colour = use_colour(sys.stderr)
    for problem in problems:
        print(format_problem(problem, colour), file=sys.stderr)


def fail(message: str) -> int:
    """Print `error: message` for the user and give the exit code of a failed command."""
    print(f"error: {message}", file=sys.stderr)
    return 1


def shown_path(path: Path, root: Path) -> str:
    """`path` relative to `root` when it is inside it, else as given."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)

"""What every command prints: problems (coloured on a terminal), `error:` lines, short paths."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from generator.core.problems import Problem

_COLOURS: Mapping[str, str] = MappingProxyType({"error": "\033[31m", "warning": "\033[33m"})
_RESET = "\033[0m"


def print_problems(problems: Sequence[Problem]) -> None:
    """Each problem on stderr as `path:line: level: message`, the level coloured on a
    terminal (unless NO_COLOR is set)."""
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    for p in problems:
        level = f"{_COLOURS[p.level]}{p.level}{_RESET}" if colour else p.level
        print(f"{p.path}:{p.line}: {level}: {p.message}", file=sys.stderr)


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

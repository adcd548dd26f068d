"""What every command prints: problems and notes (coloured on a terminal), `error:` lines,
short paths, and how much a command says (`Verbosity`).

Every problem stays one plain line, `path:line: level: message`, so that it can be searched
for and opened in an editor; on a terminal the place is bold and the level coloured. Whether
to colour is rich's decision (`Console`): never in a pipe or a file, never when NO_COLOR is
set and not empty (https://no-color.org), always when FORCE_COLOR is (https://force-color.org).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import TextIO

from rich.color import ColorSystem
from rich.console import Console
from rich.style import Style

from generator.core.problems import Problem


class Verbosity(Enum):
    """How much build, check, deploy and serve say (`--quiet`, `--verbose`)."""

    QUIET = "quiet"  # errors alone, and the summary of a command that failed
    NORMAL = "normal"  # problems, the count of promises still to write, the summary
    VERBOSE = "verbose"  # and each promise still to write, and the seconds of each stage


@dataclass(frozen=True, order=True)
class Note:
    """Something worth knowing at `path:line` that is no problem (a promise still to write)."""

    path: str
    line: int
    message: str


_LEVELS: Mapping[str, Style] = MappingProxyType(
    {
        "error": Style(color="red", bold=True),
        "warning": Style(color="yellow", bold=True),
        "note": Style(color="cyan"),
    }
)
_PLACE = Style(bold=True)


def colours(stream: TextIO) -> bool:
    """True when what is written to `stream` may be coloured (see the module's docstring)."""
    console = Console(file=stream)
    return console.color_system is not None and not console.no_color and not console.legacy_windows


def painted(text: str, style: Style, colour: bool) -> str:
    """`text` in `style` when `colour`, else as it is."""
    return style.render(text, color_system=ColorSystem.STANDARD) if colour else text


def located(path: str, line: int, level: str, message: str, colour: bool) -> str:
    """`path:line: level: message`, the place bold and the level coloured when `colour`."""
    place = painted(f"{path}:{line}:", _PLACE, colour)
    return f"{place} {painted(level, _LEVELS[level], colour)}: {message}"


def print_problems(problems: Sequence[Problem], verbosity: Verbosity = Verbosity.NORMAL) -> None:
    """Each problem on stderr as `path:line: level: message`; quiet, the errors alone."""
    colour = colours(sys.stderr)
    for p in problems:
        if p.level == "error" or verbosity is not Verbosity.QUIET:
            print(located(p.path, p.line, p.level, p.message, colour), file=sys.stderr)


def print_notes(notes: Sequence[Note]) -> None:
    """Each note on stderr as `path:line: note: message`."""
    colour = colours(sys.stderr)
    for n in notes:
        print(located(n.path, n.line, "note", n.message, colour), file=sys.stderr)


def print_warning(message: str, verbosity: Verbosity = Verbosity.NORMAL) -> None:
    """`warning: message` on stderr, unless quiet."""
    if verbosity is not Verbosity.QUIET:
        level = painted("warning", _LEVELS["warning"], colours(sys.stderr))
        print(f"{level}: {message}", file=sys.stderr)


def fail(message: str) -> int:
    """Print `error: message` for the user and give the exit code of a failed command."""
    level = painted("error", _LEVELS["error"], colours(sys.stderr))
    print(f"{level}: {message}", file=sys.stderr)
    return 1


def shown_path(path: Path, root: Path) -> str:
    """`path` relative to `root` when it is inside it, else as given."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)

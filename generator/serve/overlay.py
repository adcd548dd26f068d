"""What the preview shows when a build fails: the overlay's lines, and the placeholder page
the overlay sits on while there is no site at all yet."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from generator.pipeline.build import BuildResult
from generator.pipeline.write import read_manifest

_PLACEHOLDER_PAGE = b"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Nothing built yet</title></head>
<body>
<h1>Nothing built yet</h1>
<p>The journal has problems that stop the build. Fix them and save: this page reloads by
itself.</p>
</body>
</html>
"""
# Served when the very first build fails and there is no earlier preview: the overlay needs a
# page to sit on. 404.html too, so that every address shows it.
PLACEHOLDER_FILES: Mapping[str, bytes] = MappingProxyType(
    {"index.html": _PLACEHOLDER_PAGE, "404.html": _PLACEHOLDER_PAGE}
)


def problem_lines(result: BuildResult) -> list[str]:
    """The overlay's lines: errors first, then warnings, each `path:line: level: message`."""
    errors = [str(p) for p in result.problems if p.level == "error"]
    warnings = [str(p) for p in result.problems if p.level != "error"]
    return errors + warnings


def crash_line(exc: BaseException) -> str:
    """The overlay's line for a rebuild that raised `exc`."""
    message = " ".join(str(exc).split())
    detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return f"journal serve: error: the rebuild stopped with {detail} (details in the terminal)"


def has_no_site(output: Path) -> bool:
    """True when `output` holds nothing at all: no earlier build, no file of anyone's."""
    if read_manifest(output):
        return False
    try:
        return not any(output.iterdir())
    except FileNotFoundError:
        return True
    except OSError:
        return False

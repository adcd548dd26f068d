"""The no-change stamp of `journal build`: per output folder, a digest of the last build's
inputs (inputs.py) and what it reported, kept in the journal's cache (cache.py).

When the files, settings, templates and program are all as they were, no post dated later
has been published since, and the output folder holds exactly what its manifest lists, a
build has nothing to do, and reads no post to find that out. A build into the folder by any
other means (serve's preview, a `--check-links` build) forgets its stamp.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from generator.core.config import BuildOptions
from generator.core.problems import Problem
from generator.pipeline.cache import Stamp
from generator.pipeline.inputs import InputDigest
from generator.pipeline.load import Post
from generator.pipeline.site import is_published
from generator.pipeline.write import output_problems, read_manifest_state


def output_key(output: Path) -> str:
    """The output folder as the cache keeps its stamp (a symlink loop: as it is named;
    `write.output_problems` refuses it)."""
    try:
        return str(output.resolve())
    except (OSError, RuntimeError):
        return str(output.absolute())


def publish_horizon(posts: Iterable[Post], options: BuildOptions) -> datetime | None:
    """The first moment at which a post now left out for its future date gets published."""
    if options.now is None or options.future:
        return None
    later = replace(options, future=True)
    waiting = [p.date for p in posts if not is_published(p, options) and is_published(p, later)]
    return min(waiting, default=None)


def problem_rows(problems: Iterable[Problem]) -> tuple[tuple[str, int, str, str], ...]:
    """The problems as a stamp keeps them (`stamped_problems` reads them back)."""
    return tuple((p.path, p.line, p.level, p.message) for p in problems)


def manifest_size(output: Path) -> int:
    """How many files the output's manifest lists."""
    return len(read_manifest_state(output).entries)


def still_holds(stamp: Stamp, inputs: InputDigest, now: datetime | None) -> bool:
    """True if the stamp is of these inputs, and no post it left out for its date is due."""
    if stamp.inputs != inputs.value or inputs.racy:
        return False
    until = stamp.valid_until
    return until is None or now is None or now < datetime.fromisoformat(until)


def output_as_stamped(root: Path, output: Path, stamp: Stamp) -> bool:
    """True if the output folder may be written to and holds exactly what the build that
    made the stamp left there (its manifest, file by file)."""
    if output_problems(root, output):
        return False
    state = read_manifest_state(output)
    if state.unfinished or len(state.entries) != stamp.files:
        return False
    folder = str(output)
    for path, entry in state.entries.items():
        try:
            status = os.lstat(os.path.join(folder, path))
        except OSError:
            return False
        if (status.st_size, status.st_mtime_ns) != (entry.size, entry.mtime_ns):
            return False
    return True


def stamped_problems(stamp: Stamp) -> tuple[Problem, ...]:
    """The problems the stamped build reported."""
    return tuple(
        Problem(path, line, "error" if level == "error" else "warning", message)
        for path, line, level, message in stamp.problems
    )

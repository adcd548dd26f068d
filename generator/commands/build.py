"""`journal build`, `journal check` and `journal clean`: one build, written or only checked,
and the removal of the build cache; and what build, check, deploy and serve say of a build.

A build says, in this order: its problems (stderr; `--quiet`: the errors alone), with
`--verbose` each promise still to write at its line, then how many promises are still to
write (one line, not one warning each), then its summary (`--quiet`: only when it failed);
`journal build` adds how to preview the site, and `--verbose` the seconds of each stage.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

from generator.commands.console import (
    Verbosity,
    fail,
    print_notes,
    print_problems,
    shown_path,
)
from generator.commands.progress_bar import build_progress
from generator.commands.report import pending_notes
from generator.core.config import load_config
from generator.core.problems import count_level
from generator.core.text import plural
from generator.pipeline.build import BuildResult, Request, build, summary_line
from generator.pipeline.cache import CACHE_DIR, clear_cache
from generator.serve import PREVIEW_HOST, PREVIEW_PORT


def run_build(request: Request, verbosity: Verbosity = Verbosity.NORMAL) -> int:
    """Build and write the site; exit code 1 when the build has errors."""
    try:
        with build_progress(verbosity) as progress:
            result = build(replace(request, progress=progress))
    except OSError as exc:  # the output folder cannot be made or written (a file, /proc...)
        where = exc.filename or request.output_dir
        return fail(f"cannot write {where}: {exc.strerror or exc}")
    report_build(result, request, verbosity)
    if verbosity is not Verbosity.QUIET or not result.ok:
        print(summary_line(result, request.root))
    if verbosity is not Verbosity.QUIET and result.written is not None:
        print(preview_hint(request.root))
    if verbosity is Verbosity.VERBOSE:
        print(stages_line(result))
    return 0 if result.ok else 1


def run_check(request: Request, verbosity: Verbosity = Verbosity.NORMAL) -> int:
    """Build without writing and count the problems; exit code 1 when there are errors."""
    with build_progress(verbosity) as progress:
        result = build(replace(request, progress=progress), write=False)
    report_build(result, request, verbosity)
    if verbosity is not Verbosity.QUIET or not result.ok:
        errors = count_level(result.problems, "error")
        warnings = count_level(result.problems, "warning")
        links = " and their links" if request.check_links else ""
        counted = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
        print(f"Checked {plural(result.posts, 'post')}{links}: {counted}")
    if verbosity is Verbosity.VERBOSE:
        print(stages_line(result))
    return 0 if result.ok else 1


def run_clean(root: Path) -> int:
    """Delete the build cache of the journal in `root`; nothing else."""
    removed = clear_cache(root)
    if not removed:
        print(f"No build cache in {shown_path(root / CACHE_DIR, Path('.'))}/: nothing to do")
    for path in removed:
        print(f"Removed {shown_path(path, root)}")
    return 0


# ---------------------------------------------------------------- what a build says


def report_build(result: BuildResult, request: Request, verbosity: Verbosity) -> None:
    """The build's problems, then, unless quiet, its promises still to write: each at its
    line with `--verbose` (the journal is read again for them), and how many on one line."""
    print_problems(result.problems, verbosity)
    if verbosity is Verbosity.QUIET or not result.pending_promises:
        return
    if verbosity is Verbosity.VERBOSE:
        print_notes(pending_notes(request.root, request.options, request.base_url))
    print(pending_line(result.pending_promises))


def pending_line(count: int) -> str:
    """`3 promised posts still to write: run `journal promises``."""
    return f"{plural(count, 'promised post')} still to write: run `journal promises`"


def preview_hint(root: Path) -> str:
    """How to see the site just built (its links lead from the site's root: a page opened
    from the disk would not find them)."""
    config, problems = load_config(root)
    path = config.base_path if not count_level(problems, "error") else "/"
    command = (
        "journal serve" if _is_here(root) else f"journal serve --root {shlex.quote(str(root))}"
    )
    return f"Preview it: {command} (then open http://{PREVIEW_HOST}:{PREVIEW_PORT}{path})"


def stages_line(result: BuildResult) -> str:
    """`Stages: load 0.05 s, site 0.01 s, ...`: the seconds of each stage, as it ran."""
    seconds = result.figures.seconds
    return "Stages: " + ", ".join(f"{stage} {spent:.2f} s" for stage, spent in seconds.items())


def _is_here(root: Path) -> bool:
    try:
        return root.resolve() == Path.cwd().resolve()
    except (OSError, RuntimeError):
        return False

"""`journal build`, `journal check` and `journal clean`: one build, written or only checked,
and the removal of the build cache."""

from __future__ import annotations

from pathlib import Path

from generator.commands.console import fail, print_problems, shown_path
from generator.core.problems import count_level
from generator.core.text import plural
from generator.pipeline.build import BuildResult, Request, build, summary_line
from generator.pipeline.cache import CACHE_DIR, clear_cache


def run_build(request: Request) -> int:
    """Build and write the site; exit code 1 when the build has errors."""
    try:
        result = build(request)
    except OSError as exc:  # the output folder cannot be made or written (a file, /proc...)
        where = exc.filename or request.output_dir
        return fail(f"cannot write {where}: {exc.strerror or exc}")
    print_problems(result.problems)
    print(summary_line(result, request.root))
    return 0 if result.ok else 1


def run_check(request: Request) -> int:
    """Build without writing and count the problems; exit code 1 when there are errors."""
    result: BuildResult = build(request, write=False)
    print_problems(result.problems)
    errors = count_level(result.problems, "error")
    warnings = count_level(result.problems, "warning")
    links = " and their links" if request.check_links else ""
    counted = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
    print(f"Checked {plural(result.posts, 'post')}{links}: {counted}")
    return 0 if result.ok else 1


def run_clean(root: Path) -> int:
    """Delete the build cache of the journal in `root`; nothing else."""
    removed = clear_cache(root)
    if not removed:
        print(f"No build cache in {shown_path(root / CACHE_DIR, Path('.'))}/: nothing to do")
    for path in removed:
        print(f"Removed {shown_path(path, root)}")
    return 0

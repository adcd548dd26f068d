"""Drawing the pages and writing the site, for a build that runs once.

Pages are drawn one by one and streamed to a `write.SiteWriter`, which stages each file
beside the old one and shows them all at once only when the whole build succeeded: a failed
build leaves the output as it was. Each page's context is let go of once the page is written,
and memory is handed back to the system every `TRIM_EVERY` bytes of pages, so that a large
site is never in memory at once. A build that does not write (`journal check`) or that
checks the links of the output draws every file into memory instead (`Emitted.files`).
"""

from __future__ import annotations

import ctypes
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from generator.core.problems import Problem, error, has_errors
from generator.pipeline.draw_beside import Drawing, can_draw_beside, draw_beside, staging
from generator.pipeline.figures import Clock
from generator.pipeline.load import Journal
from generator.pipeline.progress import NO_PROGRESS, PAGES, Progress
from generator.pipeline.render import Page
from generator.pipeline.theme import asset_problems
from generator.pipeline.write import SiteWriter, WriteResult, WriterMemory, display_path

TRIM_EVERY = 8 << 20  # bytes of pages drawn between two `give_back_memory` calls


@dataclass(frozen=True)
class Destination:
    """Where a build's files go."""

    root: Path  # the journal's folder (problems name the output relative to it)
    output: Path
    write: bool  # write the files (unless a problem found before drawing them is an error)
    keep_files: bool  # hold every file's bytes too (no writing, or links to check)


@dataclass(frozen=True)
class SiteFiles:
    """What a build makes: its pages, drawn with `env`, and the files it copies as they are."""

    pages: list[Page]  # in output order; emptied as they are drawn
    other: Mapping[str, bytes]  # the theme's assets and the journal's static files, by path
    env: jinja2.Environment


@dataclass
class Emitted:
    """What drawing and writing gave, filled as it goes."""

    writer: SiteWriter | None = None  # None when nothing is written
    files: dict[str, bytes] = field(default_factory=dict)  # with `keep_files` only
    problems: list[Problem] = field(default_factory=list)


def give_back_memory() -> None:
    """Hand memory freed by the stages so far back to the system. The C library keeps freed
    blocks for later requests of their size, which the next stages, made of small objects,
    rarely make: without this, a large build's peak would be the sum of its stages
    (benchmarks/run.py, a cold build of 10,000 posts: 236 MiB at its peak, 293 MiB
    without)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        return  # not the GNU C library: nothing to do


class MemoryTrim:
    """`give_back_memory` each `TRIM_EVERY` bytes of files written (told each one's size)."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self, size: int) -> None:
        self.made += size
        if self.made > TRIM_EVERY:
            give_back_memory()  # what drawing left between long-lived entries
            self.made = 0


def other_files(
    journal: Journal, assets: Mapping[str, bytes], page_paths: Collection[str], templates: Path
) -> tuple[dict[str, bytes], list[Problem]]:
    """The theme's assets and the journal's static files (a page wins over a static file
    of the same path, which is an error); an asset of the journal's `templates` folder that
    leads out of it is an error too."""
    files = dict(assets)
    problems = asset_problems(templates)
    for static in journal.static:
        if static.path in page_paths:
            problems.append(
                error(
                    f"content/static/{static.path}",
                    1,
                    f"this file would replace the generated page /{static.path}: rename it",
                )
            )
            continue
        files[static.path] = static.data
    return files, problems


def open_writer(
    emitted: Emitted, target: Destination, paths: Iterable[str], known: WriterMemory | None
) -> None:
    """Give `emitted` a writer of `paths` into the output, or the problem of having none.
    (`known`: what the writer of this process's last build left, if any.)"""
    try:
        emitted.writer = SiteWriter(target.output, paths, known=known)
    except (OSError, ValueError) as exc:
        shown = display_path(target.output, target.root)
        emitted.problems.append(error(shown, 1, f"cannot write the site into {shown}: {exc}"))


def finish_writing(writer: SiteWriter | None, problems: Sequence[Problem]) -> WriteResult | None:
    """Show every file staged, or, if any problem is an error, leave the output as it was."""
    if writer is None:
        return None
    if has_errors(problems):
        writer.abort()
        return None
    with aborted_on_failure(writer):
        return writer.commit()


@contextmanager
def aborted_on_failure(writer: SiteWriter | None) -> Iterator[None]:
    """Writing under way: if it fails in any way (a full disk, a folder gone, Ctrl-C), the
    staged files go with it before the failure goes on, and the output is as it was (or, past
    the swap's start, as the unfinished manifest lets the next build repair)."""
    try:
        yield
    except BaseException:
        if writer is not None:
            writer.abort()
        raise


def draw_and_write(
    files: SiteFiles,
    target: Destination,
    problems: Sequence[Problem],
    clock: Clock,
    progress: Progress = NO_PROGRESS,
) -> Emitted:
    """Draw every page and write every file (`files.pages` is emptied on the way). Nothing
    is written when `problems` hold an error already: the pages are drawn all the same, for
    the problems they have. `progress` is told of each page."""
    emitted = Emitted()
    if target.write and not has_errors(problems):
        paths = [*files.other, *(page.path for page in files.pages)]
        open_writer(emitted, target, paths, known=None)
    with aborted_on_failure(emitted.writer):
        for path, data in files.other.items():
            _put(emitted, path, data, target.keep_files)
        clock.lap("write")
        progress.stage(PAGES, len(files.pages))
        clock.pages_rendered = _draw(emitted, files.pages, files.env, target.keep_files, progress)
    clock.lap("render")
    return emitted


def _draw(
    emitted: Emitted,
    pages: list[Page],
    env: jinja2.Environment,
    keep_files: bool,
    progress: Progress,
) -> int:
    """Draw and write each page, letting go of each one once written; how many were drawn.
    A template that fails is reported once and draws no other page. A big site's pages are
    drawn in two processes when a second CPU is there (draw_beside.py): the same files."""
    writer = emitted.writer

    def put(path: str, chunks: Iterator[bytes]) -> int:
        _put(emitted, path, b"".join(chunks), keep_files)
        return 0  # (nothing is staged: no memory to hand back)

    if writer is not None and not keep_files:
        drawing = Drawing(env, staging(writer), writer.discard, MemoryTrim())
        if can_draw_beside(len(pages)):
            drawn = draw_beside(pages, writer, drawing, progress, emitted.problems)
            if drawn is not None:
                return drawn
    else:
        drawing = Drawing(env, put, _no_discard, MemoryTrim())
    pages.reverse()
    number = 0
    while pages:
        page = pages.pop()  # let go of each page's context once it is written
        progress.advance(1)
        drawing.draw(number, page)
        number += 1
    emitted.problems.extend(failure.problem for failure in drawing.failures)
    return drawing.drawn


def _no_discard(path: str) -> None:
    return None  # (a page that failed was never written)


def _put(emitted: Emitted, path: str, data: bytes, keep_files: bool) -> None:
    """Write one file, and hold its bytes with `keep_files`."""
    if keep_files:
        emitted.files[path] = data
    if emitted.writer is not None:
        emitted.writer.put(path, data)

"""Drawing a big site's pages in two processes: this one and one forked from it, on a second
CPU, for a build that runs once and writes its output.

Both take the next run of `RUN` pages from a shared counter until none is left, so that
neither waits while the other has work, whatever else the machine runs (the search index is
made in a third process meanwhile: pipeline/beside.py). The forked process stages its files
with its copy of the build's `SiteWriter`, and sends back, run by run, what the writer must
know of them: each file's manifest entry and staged name, and the template errors it met,
with each page's number. The folders of all the pages are made before the fork, by this
process, so that a build that fails removes them whichever process wrote into them. The
files are the bytes one process would have drawn: `page_chunks` is the same function of
the same page, whichever process calls it, and the problems are reported as one process
would report them (the first error of each template, in page order).

A page that waits on what only this process holds (the search index, made in another process
whose result comes here) is drawn here, after the others. If the forked process ends before
it has sent all it took (killed, out of memory, the fault point `drawing`), this process
draws the pages it did not report, and overwrites any file it had begun: the output is the
same. Without a second CPU, with another thread running, or when the fork fails, this
process draws every page.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from typing import Any, Protocol

import jinja2

from generator.core.faults import fault_point
from generator.core.problems import Problem
from generator.pipeline.beside import fork_with_pipe
from generator.pipeline.manifest import Entry
from generator.pipeline.parallel import cpu_count, end_with_parent
from generator.pipeline.progress import Progress
from generator.pipeline.render import Page, page_chunks, page_problem
from generator.pipeline.staging import remove_staged
from generator.pipeline.write import SiteWriter

# Pages below which one process draws them all. A fork, and the other process's first
# copies of the pages of memory it touches, cost about as much as drawing 100 pages.
DRAW_BESIDE_MIN = 400
RUN = 32  # pages a process takes at a time
# Pages whose drawing waits on a value only the build's own process holds.
DRAWN_HERE = frozenset({"search manifest", "search index"})


class Counter(Protocol):
    """A `multiprocessing.Value` of one integer."""

    value: int

    def get_lock(self) -> Any: ...


@dataclass(frozen=True)
class DrawnFile:
    """A page the other process drew and staged (or found in the output already)."""

    number: int  # the page's place in the build's list
    path: str
    entry: Entry
    staged: str | None  # None: the output held these bytes already


@dataclass(frozen=True)
class Failure:
    """A template error met while drawing page `number`."""

    number: int
    template: str
    problem: Problem


@dataclass(frozen=True)
class DrawnRun:
    """What the other process sends back of one run of pages."""

    first: int
    end: int
    files: tuple[DrawnFile, ...]
    failures: tuple[Failure, ...]


Put = Callable[[str, Iterator[bytes]], int]  # writes a page's chunks; gives their size


@dataclass
class Drawing:
    """One process's drawing of pages: how it writes them, and what it drew and met. A
    template that fails is reported once and draws no other page."""

    env: jinja2.Environment
    put: Put
    discard: Callable[[str], None]  # forgets what a page that failed had staged
    written: Callable[[int], None]  # told each file's size (to hand memory back now and then)
    failed: set[str] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    drawn: int = 0

    def draw(self, number: int, page: Page) -> None:
        if page.template in self.failed:
            return
        try:
            size = self.put(page.path, page_chunks(page, self.env))
            self.drawn += 1
            self.written(size)
        except jinja2.TemplateError as exc:
            self.failed.add(page.template)
            self.failures.append(Failure(number, page.template, page_problem(exc, page.template)))
            self.discard(page.path)

    def fresh(self) -> Drawing:
        """The same drawing with nothing drawn yet (another process's side)."""
        return replace(self, failed=set(), failures=[], drawn=0)


def staging(writer: SiteWriter) -> Put:
    """`Put` into the writer's staging."""

    def put(path: str, chunks: Iterator[bytes]) -> int:
        writer.put_chunks(path, chunks)
        entry = writer.current.get(path)
        return entry.size if entry is not None else 0

    return put


def can_draw_beside(pages: int) -> bool:
    """Whether a second process would draw these many pages sooner."""
    return (
        pages >= DRAW_BESIDE_MIN
        and cpu_count() >= 2
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def draw_beside(
    pages: list[Page],
    writer: SiteWriter,
    here: Drawing,
    progress: Progress,
    problems: list[Problem],
) -> int | None:
    """Draw and write `pages` (emptied) into `writer` in this process and a forked one
    (`here`: this process's drawing, staging into `writer`); their template errors go to
    `problems`. How many pages were drawn, or None when no process could be forked (nothing
    was drawn: the caller draws them)."""
    todo: list[Page | None] = list(pages)
    shared = next((n for n, page in enumerate(pages) if page.template in DRAWN_HERE), len(pages))
    counter: Counter = multiprocessing.get_context("fork").Value("q", 0)
    writer.prepare(page.path for page in pages[:shared])
    forked = fork_with_pipe(_draw_there, writer, pages, shared, counter, here.fresh(), os.getpid())
    if forked is None:
        return None
    process, receiver = forked.process, forked.receiver
    pages.clear()
    there = _Reports(writer, todo, progress)
    try:
        while (first := _take(counter, shared)) < shared:
            for number in range(first, min(first + RUN, shared)):
                _draw_one(here, todo, number, progress)
            there.read(receiver, wait=False)
        for number in range(shared, len(todo)):
            _draw_one(here, todo, number, progress)
        there.read(receiver, wait=True)
        for number, page in enumerate(todo):  # (what the other process took and never sent)
            if page is not None:
                _draw_one(here, todo, number, progress)
    except BaseException:
        process.kill()
        process.join()
        remove_staged(writer.output)  # (with those it staged and never sent: all go)
        raise
    finally:
        receiver.close()
        process.join()
    failures = sorted([*here.failures, *there.failures], key=lambda failure: failure.number)
    first_of_each = {f.template: f for f in reversed(failures)}  # (the first, as one process)
    problems.extend(f.problem for f in failures if first_of_each[f.template] is f)
    return here.drawn + there.drawn


def _draw_one(drawing: Drawing, todo: list[Page | None], number: int, progress: Progress) -> None:
    page = todo[number]
    todo[number] = None  # (its context let go of once written)
    if page is not None:
        progress.advance(1)
        drawing.draw(number, page)


def _take(counter: Counter, end: int) -> int:
    """The first of the next run of pages, for the process that asks (`end` when none)."""
    with counter.get_lock():
        first = counter.value
        counter.value = min(first + RUN, end)
    return first


class _Reports:
    """What the other process sent back, taken into this one's writer as it comes."""

    def __init__(self, writer: SiteWriter, todo: list[Page | None], progress: Progress) -> None:
        self.writer, self.todo, self.progress = writer, todo, progress
        self.failures: list[Failure] = []
        self.drawn = 0
        self.finished = False

    def read(self, receiver: Connection, wait: bool) -> None:
        """Take in every report sent so far; with `wait`, until the other process ends."""
        try:
            while not self.finished and (wait or receiver.poll()):
                report: DrawnRun | None = receiver.recv()
                if report is None:
                    self.finished = True
                else:
                    self._take_in(report)
        except (EOFError, OSError):
            return  # it ended without finishing: this process draws what it did not send

    def _take_in(self, report: DrawnRun) -> None:
        for drawn in report.files:
            self.writer.take_over(drawn.path, drawn.entry, drawn.staged)
        self.drawn += len(report.files)
        self.failures.extend(report.failures)
        taken = 0
        for number in range(report.first, report.end):
            taken += self.todo[number] is not None
            self.todo[number] = None
        self.progress.advance(taken)


def _draw_there(
    sender: Connection,
    writer: SiteWriter,
    pages: list[Page],
    shared: int,
    counter: Counter,
    drawing: Drawing,
    parent: int,
) -> None:
    """The forked process: draw runs of pages until none is left, sending each back."""
    end_with_parent(parent)
    gc.freeze()  # (scanning what the fork brought would copy every page of memory it holds)
    fault = fault_point("drawing")
    try:
        while (first := _take(counter, shared)) < shared:
            end = min(first + RUN, shared)
            files, met = [], len(drawing.failures)
            for number in range(first, end):
                fault.passed()
                drawing.draw(number, pages[number])
                path = pages[number].path
                entry = writer.current.get(path)
                if entry is not None:
                    files.append(DrawnFile(number, path, entry, writer.staged.get(path)))
            failures = tuple(drawing.failures[met:])
            sender.send(DrawnRun(first, end, tuple(files), failures))
        sender.send(None)
    except Exception:  # (a full disk, say: the build meets it again, and says so)
        return
    finally:
        sender.close()

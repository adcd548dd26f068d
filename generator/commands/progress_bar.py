"""A build's progress as a bar on a terminal (rich.progress), for builds long enough to want
one: the bar shows once the build has run `SHOW_AFTER` seconds, and is cleared when it ends.

Never in a pipe, a file or a CI log (stdout and stderr must both be terminals, and `CI` not
set), never under `--quiet`. The bar is drawn when the build tells of its progress
(`pipeline.progress.Progress`), at most every `REDRAW_EVERY` seconds: no thread runs beside
the build (a thread would also keep the Markdown workers from being forked).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn
from rich.progress import Progress as Bar

from generator.commands.console import Verbosity
from generator.pipeline.progress import NO_PROGRESS, Progress

SHOW_AFTER = 1.0  # seconds of build before the bar shows: a quick build shows none
REDRAW_EVERY = 0.1  # seconds between two drawings of the bar


class TerminalProgress:
    """A `Progress` that draws a bar on `console` once `delay` seconds have passed since it
    was made (`clock`: seconds, monotonic). `close()` clears it."""

    def __init__(
        self,
        console: Console,
        delay: float = SHOW_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._delay = delay
        self._clock = clock
        self._started = clock()
        self._drawn = 0.0  # when the bar was last drawn
        self._name = ""
        self._total = 0
        self._done = 0
        self._bar: Bar | None = None
        self._task: TaskID | None = None

    def stage(self, name: str, total: int) -> None:
        self._name, self._total, self._done = name, total, 0
        self._draw(now=True)

    def advance(self, count: int) -> None:
        self._done += count
        self._draw(now=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _draw(self, now: bool) -> None:
        """Draw the bar: at once with `now` (a new stage), else when it is due."""
        moment = self._clock()
        if self._bar is None or self._task is None:
            if moment - self._started < self._delay:
                return
            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=self._console,
                transient=True,
                auto_refresh=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(self._name, total=self._total)
        elif not now and moment - self._drawn < REDRAW_EVERY:
            return
        self._bar.update(
            self._task, description=self._name, total=self._total, completed=self._done
        )
        self._bar.refresh()
        self._drawn = moment


def shows_progress(verbosity: Verbosity) -> bool:
    """True when a bar may be drawn: not quiet, stdout and stderr terminals, not in CI."""
    if verbosity is Verbosity.QUIET or os.environ.get("CI", "") not in ("", "0", "false"):
        return False
    if not (_is_terminal(sys.stdout) and _is_terminal(sys.stderr)):
        return False
    return Console(stderr=True).is_interactive  # (not TERM=dumb, nor TTY_INTERACTIVE=0)


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False


@contextmanager
def build_progress(verbosity: Verbosity) -> Iterator[Progress]:
    """The `Progress` of one build: a bar on a terminal (cleared when the build is done), else
    nothing."""
    if not shows_progress(verbosity):
        yield NO_PROGRESS
        return
    bar = TerminalProgress(Console(stderr=True))
    try:
        yield bar
    finally:
        bar.close()

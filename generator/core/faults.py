"""Named points where a test can stop a build the way a kill or a crash would.

A test sets the environment variable `JOURNAL_TEST_FAULT` to `POINT:N`, and the process ends
at once (SIGKILL: no cleanup, no `finally`) the N+1th time the build passes POINT; with
`POINT:N:full`, the disk is full there instead (OSError ENOSPC, as a write would raise):

- `staged`: before staging another output file, N files staged already;
- `swap`: before moving another staged file into place, N moved already;
- `manifest`: with the manifest's new bytes written beside it, before they replace it
  (N counts the manifests saved before, in this build);
- `cache`: in the middle of writing renderings to the cache, N rows written;
- `converted`: with Markdown being converted in worker processes, N of their results in;
- `indexing`: in the second process that makes the search index while the pages are drawn
  (features/search.py), N posts read: that process ends, and the build makes the index itself;
- `drawing`: in the second process that draws a big site's pages beside the build's own
  (pipeline/draw_beside.py), N pages drawn: that process ends, and the build draws the pages
  it took and did not send back.

The kill tests (tests/test_output_safety.py) stop builds so, at the same place on any
machine, rather than after a delay. Nothing sets the variable but a test.
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NoReturn, TypeVar

FAULT_VARIABLE = "JOURNAL_TEST_FAULT"
POINTS = ("staged", "swap", "manifest", "cache", "converted", "indexing", "drawing")

T = TypeVar("T")


@dataclass
class FaultPoint:
    """One named point of a build: `passed()` each time the build goes by it."""

    point: str
    after: int | None  # passes let go before the fault strikes (None: never)
    disk_full: bool = False  # strike with a full disk, not a kill
    count: int = 0

    def passed(self) -> None:
        if self.after is None:
            return
        if self.count >= self.after:
            if self.disk_full:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            strike()
        self.count += 1

    def each(self, items: Iterable[T]) -> Iterator[T]:
        """`items`, passing the point before each one."""
        for item in items:
            self.passed()
            yield item


def fault_point(point: str) -> FaultPoint:
    """The point named `point`, armed if the environment asks for a fault there."""
    assert point in POINTS, point
    name, _, rest = os.environ.get(FAULT_VARIABLE, "").partition(":")
    if name != point:
        return FaultPoint(point, None)
    count, _, kind = rest.partition(":")
    return FaultPoint(point, int(count) if count.isdigit() else 0, kind == "full")


def strike() -> NoReturn:
    """End this process at once, as a kill would."""
    kill = getattr(signal, "SIGKILL", None)
    if kill is not None:
        os.kill(os.getpid(), kill)
    os._exit(137)

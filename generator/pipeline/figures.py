"""What a build did, in seconds and counts: `BuildResult.figures`, for the tests and for
anyone timing the stages. Nothing decides anything from them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figures:
    """Seconds spent in each stage a build went through (a build that found nothing to do
    has no "load"), and what it counted."""

    seconds: Mapping[str, float] = field(default_factory=dict)  # stage -> seconds
    files_read: int = 0  # source files read and parsed
    markdown_converted: int = 0  # texts converted: neither kept nor found in the cache
    pages_planned: int = 0
    pages_rendered: int = 0
    pages_kept: int = 0  # files left as the last build made them, without drawing them


class Clock:
    """Times one build's stages and gathers its counts."""

    def __init__(self) -> None:
        self.files_read = 0
        self.markdown_converted = 0
        self.pages_planned = 0
        self.pages_rendered = 0
        self.pages_kept = 0
        self._seconds: dict[str, float] = {}
        self._started = self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Add the time since the last lap to `stage`."""
        now = time.perf_counter()
        self._seconds[stage] = self._seconds.get(stage, 0.0) + now - self._last
        self._last = now

    def elapsed(self) -> float:
        """Seconds since the build began."""
        return time.perf_counter() - self._started

    def figures(self) -> Figures:
        return Figures(
            seconds=dict(self._seconds),
            files_read=self.files_read,
            markdown_converted=self.markdown_converted,
            pages_planned=self.pages_planned,
            pages_rendered=self.pages_rendered,
            pages_kept=self.pages_kept,
        )

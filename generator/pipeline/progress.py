"""How far a build has gone, for whoever shows it (`journal build` on a terminal draws a bar).

A build calls `stage` as it starts each long stage, with how many items it will go through,
and `advance` as it gets through them. The stages know nothing of who listens: the default,
`NO_PROGRESS`, listens to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

READING = "Reading posts"  # the journal's files read and parsed; items: files
MARKDOWN = "Markdown"  # the sources' Markdown as HTML; items: sources
PAGES = "Pages"  # every page drawn and written; items: pages


class Progress(Protocol):
    """Told of a build's stages as it goes through them."""

    def stage(self, name: str, total: int) -> None:
        """A stage starts: `total` items to go through (none done yet)."""

    def advance(self, count: int) -> None:
        """`count` more items of the current stage are done."""


@dataclass(frozen=True)
class NoProgress:
    """Listens to nothing."""

    def stage(self, name: str, total: int) -> None:
        return None

    def advance(self, count: int) -> None:
        return None


NO_PROGRESS: Progress = NoProgress()

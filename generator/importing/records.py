"""What an import works with: the posts found in the source, the files it will write, and
the tally of what one post's conversion did (constructs converted, problems to report)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.core.problems import Problem, error, warning
from generator.importing.dates import WrittenDate
from generator.importing.front_matter import Header


@dataclass(frozen=True)
class FoundPost:
    """A post of the source blog, as its generator's layout gives it."""

    path: Path  # the file
    shown: str  # its path inside the source, for messages
    header: Header
    name_date: WrittenDate | None  # the date its file name gives, if any
    name: str  # its file name without date and suffix (a page bundle: its folder's name)
    draft: bool = False  # kept back by where it is (Jekyll's _drafts/)
    bundle: Path | None = None  # a Hugo page bundle's folder (its images are beside it)
    section: str = ""  # Hugo's section (`post`), Jekyll's folder categories
    rst: bool = False  # a reStructuredText post (Pelican)


@dataclass(frozen=True)
class CopiedFile:
    """A file the import copies into the journal: from the source, to a journal path."""

    source: Path
    target: str  # relative to the journal, e.g. content/static/img/cat.png


@dataclass(frozen=True)
class PlannedPost:
    """A post to write: where, the text, the files it brings, and what its import did."""

    source: str  # shown path in the source
    target: str  # relative to the journal, e.g. content/posts/2016/moving.md
    title: str
    day: str  # YYYY-MM-DD, the author's day
    text: str
    files: tuple[CopiedFile, ...]
    converted: Mapping[str, int]
    problems: tuple[Problem, ...]
    aliases: tuple[str, ...]
    draft: bool


@dataclass
class Tally:
    """What one post's conversion did: each construct converted, by name, and each problem
    (at the source's path and line)."""

    shown: str
    converted: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, CopiedFile] = field(default_factory=dict)

    def done(self, construct: str, count: int = 1) -> None:
        self.converted[construct] += count

    def warn(self, line: int, message: str) -> None:
        self.problems.append(warning(self.shown, line, message))

    def fail(self, line: int, message: str) -> None:
        self.problems.append(error(self.shown, line, message))


@dataclass(frozen=True)
class Links:
    """How a post's body reaches the rest of the import: another post by what the source
    calls it (a file name, a path, a Jekyll post id), and a file by its path in the source.
    Each gives the link to write, or None when there is nothing by that name."""

    post: Callable[[str], str | None]  # reference -> relative link to the new .md file
    file: Callable[[str, Tally], str | None]  # path -> the published URL (file copied)
    meta: Mapping[str, Any]  # the post's own settings, for `{{ page.title }}` and `param`
    bundle_file: Callable[[str, Tally], str | None] = lambda name, tally: None  # beside it
    old_url: Callable[[str], str | None] = lambda url: None  # another post's old URL -> link


def line_at(text: str, offset: int, first: int) -> int:
    """The file line of `offset` in `text`, whose first line is file line `first`."""
    return first + text.count("\n", 0, offset)

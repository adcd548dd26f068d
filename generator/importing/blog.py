"""What the import knows of a source blog, whatever made it: its posts, where its files are,
how its old URLs were made, and how a post's text is converted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.problems import Problem
from generator.core.text import slugify
from generator.importing.dates import WrittenDate
from generator.importing.records import FoundPost, Links, Tally

POST_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".html", ".htm")


@dataclass(frozen=True)
class PostFacts:
    """The facts of a source post that its old URL is made of."""

    found: FoundPost
    title: str
    date: WrittenDate
    slug: str  # as the source's URLs spell it (its `slug:`, else from the file name)
    categories: tuple[str, ...]
    meta: Mapping[str, Any]


# (text, its first line, links, tally) -> the text converted
Convert = Callable[[str, int, Links, Tally], str]


@dataclass(frozen=True)
class Blog:
    """A source blog, read: its posts, the folders a root-relative link (`/img/cat.png`)
    is looked for in, what makes each post's old URLs, and the conversion of its texts."""

    kind: str  # jekyll, hugo or pelican
    root: Path
    posts: tuple[FoundPost, ...]
    file_roots: tuple[Path, ...]
    old_urls: Callable[[PostFacts], tuple[str, ...]]
    convert: Convert
    problems: tuple[Problem, ...] = ()
    config_name: str = ""  # the settings file read, for the report
    slug_of: Callable[[str], str] | None = None  # a title -> the slug (Pelican), if not the file's


def walk(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Every file under `folder` ending in one of `suffixes`, sorted; hidden ones left out."""
    if not folder.is_dir():
        return []
    found = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in suffixes
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    return sorted(found)


def shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def url_slug(text: str) -> str:
    """A piece of an old URL made from a title or a name, as the generators make it:
    lowercase words joined by hyphens."""
    return slugify(text) or text.strip().lower().replace(" ", "-")


def join_url(*parts: str) -> str:
    """Parts of a URL path joined, with single slashes and a leading one."""
    text = "/".join(p.strip("/") for p in parts if p and p.strip("/"))
    tail = "/" if parts and parts[-1].endswith("/") and text else ""
    return "/" + text + tail

"""The books inside the site (`books = true`): each year with posts gets its EPUB at
/books/YEAR.epub, and its year page a link to it. `pipeline.render.Planner` plans it as a
page made by code, whose context is the book itself (`BookText`, with its pictures' bytes):
a watch session draws it again only when something the book shows changed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import jinja2

from generator.features.book.content import BookText
from generator.pipeline.load import StaticFile
from generator.pipeline.views import Urls

BOOKS_FOLDER = "books"


def book_file(year: int, pdf: bool = False) -> str:
    """The book's path in the site: books/2024.epub."""
    return f"{BOOKS_FOLDER}/{year}.{'pdf' if pdf else 'epub'}"


def book_path(site_folder: Path, year: int, pdf: bool = False) -> Path:
    return site_folder / book_file(year, pdf)


def published_pictures(static: Iterable[StaticFile], urls: Urls) -> dict[str, StaticFile]:
    """Each file of content/static by the URL path the site publishes it at."""
    return {urls.path(item.path): item for item in static}


def epub_chunks(context: Mapping[str, object], env: jinja2.Environment) -> Iterator[bytes]:
    """The bytes of the book page (`Page.make`): the EPUB of `context["book"]`."""
    from generator.features.book.epub import epub_bytes

    book = context["book"]
    assert isinstance(book, BookText)
    yield epub_bytes(book, env)

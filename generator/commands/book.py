"""`journal book YEAR`: the year's posts as an EPUB 3 book, or with `--pdf` a PDF for print.

The book is made from the posts a build publishes (drafts and posts dated later only with
`--drafts` and `--future`), read and linked as the build reads and links them. It is written
beside the site, into OUTPUT/books/YEAR.epub (.pdf), the address the year page links when
`books = true`; `-o FILE` writes it anywhere else. Nothing is written when the journal has
errors.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from generator.commands.console import fail, print_problems, shown_path
from generator.core.config import BuildOptions
from generator.core.problems import Problem, has_errors
from generator.features.book.content import BookText, book_text
from generator.features.book.epub import epub_bytes
from generator.features.book.pdf import pdf_bytes
from generator.features.book.site_books import book_path, published_pictures
from generator.pipeline.build import Request, load_settings, opened_cache
from generator.pipeline.conversion import cache_keys, markdown_sources, rendered_by_key
from generator.pipeline.crossrefs import link_targets, rewrite_source_links, source_texts
from generator.pipeline.linked_titles import kept_lines, with_wikilinks
from generator.pipeline.load import load_journal
from generator.pipeline.site import build_site
from generator.pipeline.theme import make_environment
from generator.pipeline.views import Views
from generator.pipeline.write import MANIFEST


@dataclass(frozen=True)
class BookRequest:
    """Which book to make, and where to write it."""

    root: Path
    year: int
    pdf: bool = False
    output: Path | None = None  # the book's file (-o); None: the site folder's books/
    site_output: Path | None = None  # the site's folder (default: ROOT/output)
    options: BuildOptions = field(default_factory=BuildOptions)


def run_book(request: BookRequest) -> int:
    """Make the year's book and write it; exit code 1 on errors (nothing is written then)."""
    made = make_book(request)
    print_problems(made.problems)
    if made.missing:
        return fail(made.missing)
    if made.book is None or has_errors(made.problems):
        return 1
    target = request.output or book_path(
        request.site_output or request.root / "output", request.year, request.pdf
    )
    if request.output is None and not (target.parent.parent / MANIFEST).is_file():
        site = shown_path(target.parent.parent, request.root)
        return fail(
            f"{site}/ holds no site built by `journal build` yet: build it first "
            "(the book goes beside it, in books/), or write the book elsewhere with -o FILE"
        )
    env = make_environment(request.root / "templates", made.language)
    try:
        data = _drawn(made.book, env, request.pdf)
    except (ImportError, OSError) as exc:
        return fail(
            f"the PDF needs WeasyPrint and the Pango library: pip install weasyprint ({exc})"
        )
    try:
        _write_atomically(target, data)
    except OSError as exc:
        return fail(f"cannot write {target}: {exc.strerror or exc}")
    kind = "PDF" if request.pdf else "EPUB"
    chapters = len(made.book.chapters)
    print(
        f"Wrote the {kind} of {request.year} ({chapters} post{'s' if chapters != 1 else ''}) "
        f"to {shown_path(target, request.root)}"
    )
    return 0


@dataclass(frozen=True)
class MadeBook:
    book: BookText | None
    problems: tuple[Problem, ...]
    language: str = "en"
    missing: str = ""  # why there is no book to make, when the journal is fine


def make_book(request: BookRequest) -> MadeBook:
    """The year's book, read and linked as a build reads and links the journal."""
    root = request.root
    config, problems = load_settings(Request(root, options=request.options))
    if has_errors(problems):
        return MadeBook(None, tuple(problems))
    journal = load_journal(root, config.zone, keyword=config.next_keyword)
    site = build_site(journal.posts, journal.themes, config, request.options)
    sources = source_texts(journal)
    texts = markdown_sources(site, journal)
    hashes = cache_keys(texts, config.markdown)
    with opened_cache(Request(root), write=False) as cache:  # (read only: the build's)
        converted = rendered_by_key(texts, hashes, cache, None, engine=config.markdown).rendered
    rendered, link_problems = rewrite_source_links(converted, sources, link_targets(site, journal))
    site = with_wikilinks(site, journal, rendered, kept_lines(sources))
    found = [*problems, *journal.problems, *site.problems, *link_problems]
    found.extend(site.wikilinks.problems)
    year = next((y for y in site.years if y.year == request.year and y.posts), None)
    if year is None:
        missing = (
            f"{request.year} has no published post: a book needs at least one "
            "(drafts and posts dated later count with --drafts and --future)"
        )
        return MadeBook(None, tuple(sorted(set(found))), config.language, missing)
    views = Views(site, rendered)
    book = book_text(views, year, published_pictures(journal.static, views.urls))
    return MadeBook(book, tuple(sorted(set(found))), config.language)


def _drawn(book: BookText, env: jinja2.Environment, pdf: bool) -> bytes:
    return pdf_bytes(book, env) if pdf else epub_bytes(book, env)


def _write_atomically(target: Path, data: bytes) -> None:
    """The file replaced at once: a reader never sees half a book."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        os.fchmod(handle, 0o644)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(staged, target)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise

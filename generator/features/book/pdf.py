"""A year's book as a PDF for print (WeasyPrint), the same bytes for the same journal.

The book's chapters become one document (`templates/book/print.html`, styled by
`templates/book/print.css`): each link between chapters leads to an anchor of that document,
each footnote sits where it is called, and the print stylesheet floats it to the foot of its
page. The PDF's dates are the newest post's.
"""

from __future__ import annotations

import html as entities
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

import jinja2

from generator.features.book.content import INTRO_FILE, BookText, Chapter
from generator.pipeline.views import Link

PRINT_STYLESHEET = "book/print.css"

_ID = re.compile(r'(\sid=")([^"]*)(")')
_HREF = re.compile(r'(\shref=")([^"]*)(")')
_FOOTNOTES = re.compile(r'<div class="footnote">.*?</div>\s*$', re.S)
_NOTE = re.compile(r'<li id="([^"]*)"[^>]*>(.*?)</li>', re.S)
_BACKREF = re.compile(r'\s*(?:&#160;|&nbsp;| )?<a [^>]*class="footnote-backref"[^>]*>.*?</a>', re.S)
_CALL = re.compile(r'<sup id="[^"]*"><a [^>]*href="#([^"]*)"[^>]*>.*?</a></sup>', re.S)
_PARAGRAPH = re.compile(r"^\s*<p>(.*)</p>\s*$", re.S)


def print_document(book: BookText, env: jinja2.Environment) -> str:
    """The book as one HTML document, for WeasyPrint."""
    files = {chapter.file: chapter.anchor for chapter in book.chapters}
    files[INTRO_FILE] = "intro"
    chapters = tuple(_single(chapter, files) for chapter in book.chapters)
    stylesheet = env.loader.get_source(env, PRINT_STYLESHEET)[0] if env.loader else ""
    single = replace(book, chapters=chapters)
    return env.get_template("book/print.html").render(book=single, stylesheet=stylesheet)


def load_weasyprint() -> Any:
    """WeasyPrint, loaded (only `journal book --pdf` loads it). Loading it tells Pillow to
    accept pictures cut short, for the whole process; that is turned off again, so that in
    this process too a cut-short picture stays an error of the build."""
    import weasyprint
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def pdf_bytes(book: BookText, env: jinja2.Environment) -> bytes:
    """The PDF of `book` (`env`: the theme's templates, which draw it)."""
    weasyprint = load_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    by_file = {picture.file: picture for picture in book.pictures}

    class BookPictures(URLFetcher):  # type: ignore[misc]
        """The book's pictures, and nothing else: a PDF never reaches the network."""

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            picture = by_file.get(unquote(url.removeprefix("book:///")))
            if picture is None:
                raise ValueError(f"{url} is no picture of this book")
            kind = {"Content-Type": picture.media_type}
            return URLFetcherResponse(url, body=picture.data, headers=kind)

    document = weasyprint.HTML(
        string=print_document(book, env), base_url="book:///", url_fetcher=BookPictures()
    )
    moment = book.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    rendered = document.render()
    rendered.metadata.title = book.title
    rendered.metadata.authors = [book.author] if book.author else []
    rendered.metadata.created = moment
    rendered.metadata.modified = moment
    rendered.metadata.lang = book.language
    written = rendered.write_pdf(identifier=book.identifier.encode("utf-8"))
    assert written is not None
    return bytes(written)


def _single(chapter: Chapter, files: Mapping[str, str]) -> Chapter:
    """The chapter as a part of one document: its ids made its own, links to other chapters
    made anchors, footnotes where they are called."""
    prefix = chapter.anchor

    def own_id(match: re.Match[str]) -> str:
        return f"{match.group(1)}{prefix}-{match.group(2)}{match.group(3)}"

    def anchor(match: re.Match[str]) -> str:
        return f"{match.group(1)}{_anchored(match.group(2), prefix, files)}{match.group(3)}"

    html = _footnotes_in_place(chapter.html)
    html = _HREF.sub(anchor, _ID.sub(own_id, html))

    def moved(link: Link) -> Link:
        return Link(link.title, _anchored(link.url, prefix, files))

    return replace(
        chapter,
        html=html,
        next=moved(chapter.next) if chapter.next is not None else None,
        mentions=tuple(moved(link) for link in chapter.mentions),
    )


def _anchored(href: str, prefix: str, files: Mapping[str, str]) -> str:
    url = entities.unescape(href)
    if url.startswith("#"):
        return entities.escape(f"#{prefix}-{url[1:]}", quote=True)
    file, _, fragment = url.partition("#")
    if file in files:
        target = files[file]
        return entities.escape(f"#{target}-{fragment}" if fragment else f"#{target}", quote=True)
    return href


def _footnotes_in_place(html: str) -> str:
    """Each footnote (Python-Markdown's list at the end) moved to where it is called, as
    `<span class="footnote-call">`; a note of several paragraphs stays in the list."""
    block = _FOOTNOTES.search(html)
    if block is None:
        return html
    notes: dict[str, str] = {}
    for note in _NOTE.finditer(block.group(0)):
        text = _BACKREF.sub("", note.group(2))
        paragraph = _PARAGRAPH.match(text)
        if paragraph is not None and "<p>" not in paragraph.group(1):
            notes[note.group(1)] = paragraph.group(1).strip()
    if not notes:
        return html

    def call(match: re.Match[str]) -> str:
        text = notes.get(entities.unescape(match.group(1)))
        if text is None:
            return match.group(0)
        return f'<span class="footnote-call">{text}</span>'

    body = _CALL.sub(call, html[: block.start()])
    moved_all = all(f'href="#{entities.escape(name)}"' not in body for name in notes)
    return body if moved_all else body + block.group(0)

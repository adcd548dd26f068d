"""A year's book as EPUB 3 (ebooklib), the same bytes for the same journal.

ebooklib writes each file of the archive with the time of the writing: the archive is then
written again, its files in the same order with one fixed time (the newest post's date), the
`mimetype` first and stored, as EPUB asks. `dcterms:modified` is that date too.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

import jinja2

from generator.features.book.content import COVER_FILE, INTRO_FILE, BookText

STYLESHEET = "book/book.css"  # the book's stylesheet, among the theme's templates


def epub_bytes(book: BookText, env: jinja2.Environment) -> bytes:
    """The EPUB of `book` (`env`: the theme's templates, which draw each page)."""
    from ebooklib import epub  # (only a journal that makes books loads it)

    document = epub.EpubBook()
    document.set_identifier(book.identifier)
    document.set_title(book.title)
    document.set_language(book.language)
    if book.author:
        document.add_author(book.author)
    document.add_metadata("DC", "date", book.modified.strftime("%Y-%m-%dT%H:%M:%SZ"))
    style_text = env.loader.get_source(env, STYLESHEET)[0] if env.loader else ""
    style = epub.EpubItem(
        uid="style", file_name="book.css", media_type="text/css", content=style_text.encode()
    )
    document.add_item(style)
    pages = []
    cover = _page("cover", COVER_FILE, book.title, book.language)
    cover.content = env.get_template("book/cover.html").render(book=book)
    pages.append(cover)
    if book.intro_html:
        intro = _page("intro", INTRO_FILE, str(book.word or book.year), book.language)
        intro.content = env.get_template("book/intro.html").render(book=book)
        pages.append(intro)
    chapter_template = env.get_template("book/chapter.html")
    for chapter in book.chapters:
        page = _page(chapter.anchor, chapter.file, chapter.title, book.language)
        page.content = chapter_template.render(book=book, chapter=chapter)
        pages.append(page)
    for page in pages:
        page.add_item(style)
        document.add_item(page)
    for number, picture in enumerate(book.pictures, 1):
        document.add_item(
            epub.EpubItem(
                uid=f"picture-{number}",
                file_name=picture.file,
                media_type=picture.media_type,
                content=picture.data,
            )
        )
    document.toc = [epub.Link(page.file_name, page.title, page.id) for page in pages]
    nav = epub.EpubNav(title=book.contents)
    nav.add_item(style)
    document.add_item(nav)
    document.add_item(epub.EpubNcx())  # (for older readers; the spine names it)
    document.spine = [*pages, nav]
    written = io.BytesIO()
    epub.write_epub(written, document, {"mtime": book.modified, "epub2_guide": False})
    return fixed_archive(written.getvalue(), book.modified)


def _page(uid: str, file: str, title: str, language: str) -> Any:
    from ebooklib import epub

    return epub.EpubHtml(uid=uid, file_name=file, title=title, lang=language)


def fixed_archive(data: bytes, moment: datetime) -> bytes:
    """The archive `data` written again with every file dated `moment` (a zip holds no time
    zone: its UTC time), `mimetype` first and stored."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        names = source.namelist()
        names.sort(key=lambda name: name != "mimetype")  # (a stable sort: the rest in order)
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return out.getvalue()

"""What a year's book holds (pure): the year's word and intro, and its posts, oldest first, as
chapters whose links lead inside the book.

A book is made from the same views as the site's pages (`pipeline.views.Views`): the posts a
build publishes, their HTML with links between posts (`.md` links, "Next:" and `[[Title]]`)
already made site URLs. `book_text` turns the URL of each of the year's posts into its
chapter's file, any other page of the site into its absolute URL (the reader follows it to
the website), and each picture published from content/static into a file of the book.
"""

from __future__ import annotations

import html as entities
import posixpath
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

from generator.pipeline.load import StaticFile
from generator.pipeline.site import Year
from generator.pipeline.views import Link, Views

COVER_FILE = "cover.xhtml"
INTRO_FILE = "intro.xhtml"
# The pictures a book may hold, by suffix (EPUB 3's core media types).
PICTURE_TYPES: Mapping[str, str] = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}

_URL_ATTRIBUTE = re.compile(r'(\s)(href|src)="([^"]*)"')
_IMAGE = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\salt="([^"]*)"')
_SRC = re.compile(r'\ssrc="([^"]*)"')


@dataclass(frozen=True)
class Chapter:
    """One post of the book."""

    key: str
    file: str  # its file in the book: post-001.xhtml
    anchor: str  # its id in a single document (the PDF): post-001
    title: str
    date_human: str
    date_iso: str
    html: str  # with links inside the book
    next: Link | None  # the "Next:" promise: a chapter's file, or a URL, or "" (to come)
    next_keyword: str
    coming: str  # "(still to come)"
    mentions: tuple[Link, ...]


@dataclass(frozen=True)
class Picture:
    """A picture the book holds: its file in the book, its path in content/static and its
    bytes."""

    file: str  # images/cat.svg
    source: str  # cat.svg, as under content/static
    media_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class BookText:
    year: int
    word: str | None
    title: str  # the journal's title and the year
    author: str
    language: str  # a lang tag: en, de-AT
    identifier: str  # urn:uuid:..., from the journal's URL and the year
    modified: datetime  # the newest post's date, in UTC (no clock)
    intro_html: str
    contents: str  # "Contents", in the journal's language
    chapters: tuple[Chapter, ...]
    pictures: tuple[Picture, ...]


def book_identifier(base_url: str, year: int) -> str:
    """The same journal and year always give the same identifier."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url}books/{year}')}"


def book_text(views: Views, year: Year, pictures: Mapping[str, StaticFile]) -> BookText:
    """The year's book (`pictures`: each file of content/static by its URL path on the site,
    `/images/cat.svg`)."""
    site = views.site
    config = site.config
    posts = [views.post(key) for key in reversed(year.posts)]  # oldest first
    files = {post.url: f"post-{number:03d}.xhtml" for number, post in enumerate(posts, 1)}
    links = _BookLinks(views, files, f"{config.base_path}{year.year}/", pictures)
    chapters = []
    for post in posts:
        file = files[post.url]
        promise = post.next
        next_link = None
        if promise is not None:
            next_link = Link(promise.title, links.href(promise.url) if promise.url else "")
        chapters.append(
            Chapter(
                key=post.key,
                file=file,
                anchor=file.removesuffix(".xhtml"),
                title=post.title,
                date_human=post.date_human,
                date_iso=post.date_iso,
                html=links.rewrite(post.html),
                next=next_link,
                next_keyword=promise.keyword if promise else config.next_keyword,
                coming=promise.coming if promise else "",
                mentions=tuple(Link(m.title, links.href(m.url)) for m in post.mentions),
            )
        )
    theme_view = views.year(year)
    newest = max((post.date for post in posts), default=datetime(year.year, 1, 1, tzinfo=UTC))
    return BookText(
        year=year.year,
        word=theme_view.word,
        title=f"{config.title} {year.year}",
        author=config.author,
        language=views.language.tag,
        identifier=book_identifier(config.base_url, year.year),
        modified=newest.astimezone(UTC).replace(microsecond=0),
        intro_html=links.rewrite(theme_view.intro_html),
        contents=views.language.gettext("Contents"),
        chapters=tuple(chapters),
        pictures=tuple(sorted(links.pictures.values(), key=_by_file)),
    )


def _by_file(picture: Picture) -> str:
    return picture.file


class _BookLinks:
    """Site URLs as the book leads them: a post of the year to its chapter, the year page to
    the cover, a picture to its file in the book, any other page of the site to its URL."""

    def __init__(
        self,
        views: Views,
        files: Mapping[str, str],
        year_url: str,
        pictures: Mapping[str, StaticFile],
    ) -> None:
        self.config = views.site.config
        self.files = files
        self.year_url = year_url
        self.static = pictures
        self.pictures: dict[str, Picture] = {}

    def href(self, url: str) -> str:
        parts = urlsplit(url)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return url
        if parts.path in self.files:
            return self.files[parts.path] + fragment
        if parts.path == self.year_url:
            return COVER_FILE
        base = self.config.base_url.rstrip("/")
        path = parts.path.removeprefix(self.config.base_path.rstrip("/"))
        return f"{base}{path}{'?' + parts.query if parts.query else ''}{fragment}"

    def picture(self, src: str) -> str | None:
        """The picture's file in the book, or None when it is no picture of the journal."""
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            return None
        static = self.static.get(unquote(parts.path))
        if static is None:
            return None
        suffix = posixpath.splitext(static.path)[1].lower()
        if suffix not in PICTURE_TYPES:
            return None
        found = self.pictures.get(static.path)
        if found is None:
            file = static.path
            found = Picture(file, static.path, PICTURE_TYPES[suffix], static.data)
            self.pictures[static.path] = found
        return quote(found.file, safe="/")

    def rewrite(self, html: str) -> str:
        html = _IMAGE.sub(self._image, html)
        return book_markup(_URL_ATTRIBUTE.sub(self._attribute, html))

    def _image(self, match: re.Match[str]) -> str:
        """A picture of the journal stays, with its text and size alone (the site's copies
        in other sizes are not in the book); any other (on the web) is its alt text: a book
        holds what it shows."""
        tag = match.group(0)
        alt = _ALT.search(tag)
        alt_text = alt.group(1) if alt is not None else ""
        src = _SRC.search(tag)
        if src is None or self.picture(entities.unescape(src.group(1))) is None:
            return alt_text
        kept = "".join(
            f' {name}="{found.group(1)}"'
            for name in ("width", "height")
            if (found := re.search(rf'\s{name}="([^"]*)"', tag)) is not None
        )
        return f'<img src="{src.group(1)}" alt="{alt_text}"{kept}>'

    def _attribute(self, match: re.Match[str]) -> str:
        space, name, raw = match.groups()
        url = entities.unescape(raw)
        if name == "src":
            new = self.picture(url) or url
        elif url.startswith("#"):
            return match.group(0)
        else:
            new = self.href(url)
        return f'{space}{name}="{entities.escape(new, quote=True)}"'


# The elements a book's page may hold (HTML's, as EPUB 3 reads them); any other that a post
# writes as raw HTML (`<tag>`) is left out, its text kept. Scripts and embedded pages are
# left out whole: a book shows text and pictures.
_ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "address",
        "article",
        "aside",
        "b",
        "bdi",
        "bdo",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "main",
        "mark",
        "nav",
        "ol",
        "p",
        "pre",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "wbr",
    ]
)
_DROPPED = frozenset({"script", "style", "iframe", "object", "embed", "form", "noscript"})
_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "alt",
        "title",
        "id",
        "class",
        "lang",
        "dir",
        "width",
        "height",
        "colspan",
        "rowspan",
        "datetime",
        "cite",
        "start",
        "reversed",
        "type",
        "role",
        "scope",
        "abbr",
    }
)


def book_markup(html: str) -> str:
    """`html` with only the elements and attributes a book's page may hold, and no link to
    an anchor the page lacks (a footnote's way back to a mark Markdown did not draw)."""
    if not html.strip():
        return html
    from lxml import html as lxml_html  # (only a book loads it)

    root = lxml_html.fragment_fromstring(html, create_parent="div")
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            if element is not root:
                element.drop_tree()  # a comment or processing instruction
            continue
        if element.tag in _DROPPED:
            element.drop_tree()
        elif element.tag not in _ELEMENTS:
            element.drop_tag()
        else:
            for name in list(element.attrib):
                if name not in _ATTRIBUTES and not name.startswith(("aria-", "data-")):
                    del element.attrib[name]
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    for link in list(root.iter("a")):
        href = link.get("href", "")
        if href.startswith("#") and unquote(href[1:]) not in ids:
            link.drop_tag()
    return "".join(
        [_text(root.text)] + [lxml_html.tostring(child, encoding="unicode") for child in root]
    )


def _text(text: str | None) -> str:
    return entities.escape(text or "", quote=False)

"""The `<img>` tags of each rendering, completed from the picture files (after the links are
rewritten, crossrefs.py): a picture of content/static gets its `width` and `height` (no
layout jump while it loads) and, when resized copies are made (images.py), a `srcset` and
`sizes`; every picture gets `decoding="async"` and, but for the first of a page's text,
`loading="lazy"`. Attributes the writer set are kept as they are.

A local picture that is not in content/static is an error at its line. A picture of another
site (http, https) is left as it is, apart from loading lazily.

Also here: the picture a post page names for link previews (`og:image`, `lead_image`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit

from generator.core.problems import Problem, error
from generator.pipeline.images import SIZES, ImageFacts, Measured, is_measured, measure
from generator.pipeline.load import STATIC_DIR, StaticFile
from generator.pipeline.markup import Rendered

_IMG = re.compile(r"<img\s[^<>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_MISSING = "missing"


class PictureBook:
    """The journal's static files, and the facts of each picture measured so far (measured
    when a page first shows it). `previous`: the book of the last build, whose facts are
    taken over, the same objects, for files whose bytes are the same."""

    def __init__(self, static: Iterable[StaticFile], previous: PictureBook | None = None) -> None:
        self.files: dict[str, StaticFile] = {item.path: item for item in static}
        self._measured: dict[str, Measured] = {}
        self._names: dict[str, list[str]] | None = None
        if previous is not None:
            for path, measured in previous._measured.items():
                old, new = previous.files.get(path), self.files.get(path)
                if old is not None and new is not None and _same_bytes(old, new):
                    self._measured[path] = measured

    def facts(self, path: str) -> ImageFacts | str | None:
        """The facts of the file at `path` (under content/static); None for a file that is
        not a picture with a size (an SVG); `_MISSING` when there is no such file."""
        static = self.files.get(path)
        if static is None:
            return _MISSING
        if not is_measured(path):
            return None
        measured = self._measured.get(path)
        if measured is None:
            measured = self._measured[path] = measure(static)
        return measured.facts

    def problems(self, paths: Iterable[str]) -> list[Problem]:
        """The problems of measuring these pictures (a file that is not one)."""
        found = (self._measured.get(path) for path in sorted(set(paths)))
        return [problem for item in found if item is not None for problem in item.problems]

    def same_name(self, path: str) -> list[str]:
        """The static files with the same file name as `path`, for a hint."""
        if self._names is None:
            self._names = {}
            for known in sorted(self.files):
                self._names.setdefault(PurePosixPath(known).name, []).append(known)
        return self._names.get(PurePosixPath(path).name, [])


def _same_bytes(old: StaticFile, new: StaticFile) -> bool:
    return old is new or old.data is new.data or old.data == new.data


@dataclass(frozen=True)
class Missing:
    """A local picture with no file: the path as written, and where it was looked for."""

    written: str
    wanted: str  # relative to content/static
    found_elsewhere: tuple[str, ...] = ()  # static files of the same name


@dataclass(frozen=True)
class Placed:
    """One rendering with its pictures completed, and what that read of the book."""

    source: Rendered  # the rendering before
    page: str  # the URL path its relative picture paths are resolved against
    rendered: Rendered  # after
    uses: tuple[tuple[str, ImageFacts | str | None], ...] = ()  # static path -> its facts
    missing: tuple[Missing, ...] = ()

    def still_holds(self, source: Rendered, page: str, book: PictureBook) -> bool:
        """True if completing `source` with `book` would give this again."""
        return (
            self.source is source
            and self.page == page
            and all(book.facts(path) is facts for path, facts in self.uses)
        )


@dataclass
class _TagWriter:
    """Completes the `<img>` tags of one text."""

    page: str
    base_path: str
    book: PictureBook
    origins: Mapping[str, str]
    lazy_first: bool  # the first picture loads lazily too (a summary among others)
    uses: dict[str, ImageFacts | str | None] = field(default_factory=dict)
    missing: list[Missing] = field(default_factory=list)
    seen: int = 0

    def text(self, text: str) -> str:
        return _IMG.sub(self._tag, text) if "<img" in text or "<IMG" in text else text

    def _tag(self, match: re.Match[str]) -> str:
        tag = match.group(0)
        closing = "/>" if tag.endswith("/>") else ">"
        body = tag[4 : -len(closing)]
        names = {m.group(1).lower(): m for m in _ATTRIBUTE.finditer(body)}
        added: list[tuple[str, str]] = []
        src = names.get("src")
        raw = "" if src is None else next((g for g in src.groups()[1:] if g is not None), "")
        facts = self._facts(html.unescape(raw))
        if isinstance(facts, ImageFacts):
            if "width" not in names and "height" not in names:
                added += [("width", str(facts.width)), ("height", str(facts.height))]
            if facts.variants and "srcset" not in names:
                original = self.base_path + quote(facts.path)
                widths = [f"{self.base_path}{v.path} {v.width}w" for v in facts.variants]
                added.append(("srcset", ", ".join([*widths, f"{original} {facts.width}w"])))
                if "sizes" not in names:
                    added.append(("sizes", SIZES))
        if "loading" not in names and (self.seen or self.lazy_first):
            added.append(("loading", "lazy"))
        if "decoding" not in names:
            added.append(("decoding", "async"))
        self.seen += 1
        if not added:
            return tag
        extra = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in added)
        head = body.rstrip()
        return f"<img{head}{extra}{' />' if closing == '/>' else '>'}"

    def _facts(self, src: str) -> ImageFacts | str | None:
        """The facts of the picture at `src` (None: remote, or no size to tell)."""
        try:
            parts = urlsplit(src)
        except ValueError:
            return None
        if parts.scheme or parts.netloc:
            return None  # another site's picture, or data: itself
        resolved = urlsplit(urljoin(self.page, parts.path)).path
        if not resolved.startswith(self.base_path):
            path = resolved.lstrip("/")
        else:
            path = resolved[len(self.base_path) :]
        path = unquote(path)
        facts = self.book.facts(path)
        self.uses[path] = facts
        if facts == _MISSING:
            written = self.origins.get(src, src)
            elsewhere = tuple(self.book.same_name(path)) if path else ()
            self.missing.append(Missing(written, path, elsewhere))
            return None
        return facts


def place_images(key: str, item: Rendered, page: str, base_path: str, book: PictureBook) -> Placed:
    """`item` with its pictures completed (`page`: the URL path of the page that shows its
    whole text; `base_path`: the site's)."""
    if b"<img" not in item.html_utf8 and b"<IMG" not in item.html_utf8:
        return Placed(item, page, item)
    origins = dict(item.origins)
    whole = _TagWriter(page, base_path, book, origins, lazy_first=False)
    html_text = whole.text(item.html)
    summary = _TagWriter(page, base_path, book, origins, lazy_first=True)
    summary_html = summary.text(item.summary_html)
    done = item.with_html(html_text, summary_html)
    uses = tuple(sorted({**summary.uses, **whole.uses}.items(), key=lambda pair: pair[0]))
    return Placed(item, page, done, uses, tuple(dict.fromkeys(whole.missing)))


def missing_problem(key: str, line: int, missing: Missing) -> Problem:
    """The error of a picture with no file, with how to fix it."""
    where = f"{STATIC_DIR}/{missing.wanted}" if missing.wanted else "no path"
    if missing.found_elsewhere:
        other = missing.found_elsewhere[0]
        fix = f"did you mean /{other} ({STATIC_DIR}/{other})?"
    else:
        fix = (
            "put the picture in content/static/ and write its path from there, like "
            "![A cat](/images/cat.jpg), or fix the name"
        )
    return error(key, line, f'image "{missing.written}" not found ({where}): {fix}')


# ---------------------------------------------------------------- og:image


@dataclass(frozen=True)
class PageImage:
    """The picture a page names for link previews, with its size when known."""

    url: str  # absolute
    width: int | None = None
    height: int | None = None


def lead_image(html_text: str, page_url: str) -> PageImage | None:
    """The first picture of a page's text, as an absolute URL (`page_url`: the page's own,
    absolute), with the size its tag says; None without one."""
    if "<img" not in html_text and "<IMG" not in html_text:
        return None
    for match in _IMG.finditer(html_text):
        values = {
            m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
            for m in _ATTRIBUTE.finditer(match.group(0)[4:])
        }
        src = html.unescape(values.get("src", "")).strip()
        if not src or src.lower().startswith("data:"):
            continue
        width, height = values.get("width", ""), values.get("height", "")
        sized = width.isdigit() and height.isdigit()
        return PageImage(
            urljoin(page_url, src),
            int(width) if sized else None,
            int(height) if sized else None,
        )
    return None

"""Internal link checker: does every href and src in the built site lead somewhere?

Pure over the build's files ({output path: bytes}): nothing is read from disk and nothing is
fetched. A link is internal when it is relative, root-relative, or absolute under the site's
base_url; it must resolve, through the base path, to a file of the site (a folder URL to its
index.html), and its `#fragment`, if any, to an element id of that page.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from types import MappingProxyType
from urllib.parse import unquote, urljoin, urlsplit

# Attributes that hold a URL the browser follows or loads.
_URL_ATTRIBUTES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "a": ("href",),
        "area": ("href",),
        "link": ("href",),
        "img": ("src",),
        "script": ("src",),
        "iframe": ("src",),
        "source": ("src",),
        "audio": ("src",),
        "video": ("src", "poster"),
        "track": ("src",),
        "embed": ("src",),
        "form": ("action",),
    }
)
_ATOM = "{http://www.w3.org/2005/Atom}"
_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass(frozen=True, order=True)
class Link:
    """One URL found in an output file, with the line it stands on."""

    page: str  # output path, e.g. "2024/partnership/index.html"
    line: int
    url: str


@dataclass(frozen=True, order=True)
class BrokenLink:
    page: str
    line: int
    url: str
    reason: str


class _PageScanner(HTMLParser):
    """Collects the URLs and the ids (anchors) of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[int, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        line = self.getpos()[0]
        for name in _URL_ATTRIBUTES.get(tag, ()):
            if name in values:
                self.urls.append((line, values[name]))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            target = values.get("content", "").partition("url=")[2].strip()
            if target:  # (a redirect page's, `aliases:`)
                self.urls.append((line, target))
        if "srcset" in values and tag in ("img", "source"):
            for candidate in values["srcset"].split(","):
                if candidate.strip():
                    self.urls.append((line, candidate.split()[0]))


@dataclass(frozen=True)
class ScannedPage:
    links: tuple[Link, ...]
    ids: frozenset[str]


def scan_html(page: str, data: bytes) -> ScannedPage:
    scanner = _PageScanner()
    scanner.feed(data.decode("utf-8", errors="replace"))
    scanner.close()
    links = tuple(Link(page, line, url) for line, url in scanner.urls)
    return ScannedPage(links, frozenset(scanner.ids))


def scan_xml(page: str, data: bytes) -> tuple[Link, ...]:
    """The links of an Atom feed (<link href>) or a sitemap (<loc>); none if it does not parse."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return ()
    found: list[Link] = []
    for element in root.iter():
        if element.tag == f"{_ATOM}link" and element.get("href"):
            found.append(Link(page, 1, element.get("href", "")))
        elif element.tag == f"{_SITEMAP}loc" and element.text:
            found.append(Link(page, 1, element.text.strip()))
    return tuple(found)


def page_url(page: str, base_path: str) -> str:
    """The URL path a file is served at: "2024/x/index.html" -> "/base/2024/x/"."""
    if page == "index.html" or page.endswith("/index.html"):
        page = page[: -len("index.html")]
    return base_path + page


class LinkChecker:
    """Checks the links of one built site. `base_url` is absolute and ends with a slash."""

    def __init__(self, files: Mapping[str, bytes], base_url: str) -> None:
        self.files = files
        parts = urlsplit(base_url)
        self.origin = (parts.scheme, parts.netloc)
        self.site_root = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.pages: dict[str, ScannedPage] = {
            path: scan_html(path, data)
            for path, data in sorted(files.items())
            if path.endswith((".html", ".htm"))
        }

    def links(self) -> Iterator[Link]:
        for scanned in self.pages.values():
            yield from scanned.links
        for path in sorted(self.files):
            if path.endswith(".xml"):
                yield from scan_xml(path, self.files[path])

    def broken(self) -> list[BrokenLink]:
        return sorted(
            BrokenLink(link.page, link.line, link.url, reason)
            for link in self.links()
            if (reason := self.why_broken(link)) is not None
        )

    def why_broken(self, link: Link) -> str | None:
        """None when the link resolves (or is not ours to check), else what is wrong."""
        url = link.url.strip()
        if not url or url.startswith(("mailto:", "tel:", "javascript:", "data:")):
            return None
        here = self.site_root + page_url(link.page, self.base_path)
        target = urlsplit(urljoin(here, url))
        if (target.scheme, target.netloc) != self.origin:
            return None  # another site: not ours to check
        path = unquote(target.path)
        if not path.startswith(self.base_path):
            return f"it leads out of the site's base path {self.base_path}"
        file = self.file_of(path[len(self.base_path) :])
        if file is None:
            return "no such page or file in the site"
        # A text directive (#:~:text=...) asks the browser to find words, not an element.
        fragment = unquote(target.fragment.split(":~:", 1)[0])
        known = self.pages[file].ids if file in self.pages else None
        if fragment and known is not None and fragment not in known and fragment != "top":
            return f'no element with id="{fragment}" on that page'
        return None

    def file_of(self, relative: str) -> str | None:
        """The output file a path inside the site resolves to, as a static host serves it."""
        relative = posixpath.normpath(relative) + ("/" if relative.endswith("/") else "")
        if relative in (".", "./"):
            relative = ""
        if relative.startswith("../") or relative == "..":
            return None
        candidates = (
            [relative + "index.html"]
            if relative == "" or relative.endswith("/")
            else [relative, relative + "/index.html"]
        )
        return next((c for c in candidates if c in self.files), None)


def broken_links(files: Mapping[str, bytes], base_url: str) -> list[BrokenLink]:
    """Every internal link of the site that leads nowhere, sorted by page and line."""
    return LinkChecker(files, base_url).broken()

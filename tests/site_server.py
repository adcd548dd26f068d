"""Serve a built site under a subpath, as a static host would, and crawl it like a visitor.

`serve_site(folder, "/journal/")` answers /journal/... from the folder (folders by their
index.html, a folder URL without its slash redirected to it) and 404 for everything else,
so a link that forgets the base path is caught. `crawl(...)` follows every internal link of
every page, feed, sitemap and the search index, fragments included.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

_ATOM = "{http://www.w3.org/2005/Atom}"
_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


class _SubpathHandler(SimpleHTTPRequestHandler):
    base_path = "/"

    def translate_path(self, path: str) -> str:
        bare = path.split("?", 1)[0].split("#", 1)[0]
        if not bare.startswith(self.base_path):
            return str(Path(self.directory) / ".no-such-file")
        return super().translate_path("/" + bare[len(self.base_path) :])

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_site(folder: Path, base_path: str = "/") -> Iterator[str]:
    """Serve `folder` at http://127.0.0.1:PORT{base_path}; yields that URL."""
    handler = type("Handler", (_SubpathHandler,), {"base_path": base_path})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base_path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        if "id" in values:
            self.ids.add(values["id"])
        for name in ("href", "src", "poster", "action"):
            if name in values:
                self.urls.append(values[name])
        for candidate in values.get("srcset", "").split(","):
            if candidate.strip():
                self.urls.append(candidate.split()[0])


def html_links(text: str) -> tuple[list[str], set[str]]:
    parser = _Links()
    parser.feed(text)
    parser.close()
    return parser.urls, parser.ids


def xml_links(data: bytes, url: str) -> list[str]:
    """Links of an Atom feed (its links and the links inside each entry's HTML) or a sitemap."""
    root = ET.fromstring(data)
    found: list[str] = []
    for element in root.iter():
        if element.tag == f"{_ATOM}link":
            found.append(urljoin(url, element.get("href", "")))
        elif element.tag == f"{_SITEMAP}loc" and element.text:
            found.append(element.text.strip())
        elif element.tag in (f"{_ATOM}content", f"{_ATOM}summary") and element.text:
            base = urljoin(url, element.get(_XML_BASE, url))
            found.extend(urljoin(base, link) for link in html_links(element.text)[0])
    return found


def json_links(data: Any) -> list[str]:
    """The links of a search file: the manifest's files (next to it), the URLs of the posts
    whose texts a file holds."""
    if isinstance(data, list):
        return [entry["url"] for entry in data]
    if isinstance(data.get("buckets"), int) and isinstance(data.get("docs"), int):
        index = [f"{kind}/{n}.json" for kind in ("f", "p") for n in range(data["buckets"])]
        files = -(-data["docs"] // data["per_file"])
        return index + [f"d/{n}.json" for n in range(files)]
    return []


@dataclass
class CrawlResult:
    visited: dict[str, int] = field(default_factory=dict)  # URL -> HTTP status
    broken: list[str] = field(default_factory=list)  # "URL (found on PAGE): why"


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


def crawl(start: str, public_base: str, extra: tuple[str, ...] = ()) -> CrawlResult:
    """Follow every link from `start` (the served base URL) that stays on the served site.

    Absolute links under `public_base` (the journal's base_url: canonical links, feeds, the
    sitemap) are followed on the served copy. Links to other sites are not fetched.
    """
    origin = urlsplit(start)
    result = CrawlResult()
    ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []  # (page, fragment, found on)
    queue: list[tuple[str, str]] = [(start, "(start)")] + [(start + e, "(start)") for e in extra]
    while queue:
        url, found_on = queue.pop()
        if url.startswith(public_base):
            url = start + url[len(public_base) :]
        url, fragment = urldefrag(url)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            continue
        fragment = unquote(fragment.split(":~:", 1)[0])  # a text directive is not an id
        if fragment:
            fragments.append((url, fragment, found_on))
        if url in result.visited:
            continue
        status, kind, body = fetch(url)
        result.visited[url] = status
        if status != 200:
            result.broken.append(f"{url} (found on {found_on}): HTTP {status}")
            continue
        links: list[str] = []
        if kind == "text/html":
            page_links, page_ids = html_links(body.decode("utf-8"))
            ids[url] = page_ids
            links = [urljoin(url, link) for link in page_links]
        elif url.endswith(".xml"):
            links = xml_links(body, url)
        elif url.endswith("robots.txt"):
            lines = body.decode("utf-8").splitlines()
            links = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Sitemap:")]
        elif url.endswith(".json"):
            links = [urljoin(url, link) for link in json_links(json.loads(body))]
        queue.extend((link, url) for link in links if not link.startswith(("mailto:", "data:")))
    for page, fragment, found_on in fragments:
        if page in ids and fragment not in ids[page]:
            result.broken.append(f"{page}#{fragment} (found on {found_on}): no such id")
    return result

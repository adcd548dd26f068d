"""The search index: every post's title, URL, date, tags and plain text as compact JSON.

The index is split by year so that editing one post rewrites one small file: `search/<year>.json`
lists that year's posts, and `search/index.json` is a manifest naming the parts, newest year
first. The /search/ page loads them with a small script of the default theme (assets/search.js)
and searches in the browser: no server, no outside service. Pure: a function of the post views,
newest first, so the same journal always gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from types import MappingProxyType
from typing import Any

from generator.core.text import html_to_text
from generator.pipeline.views import PostView

SEARCH_INDEX = "search/index.json"  # the manifest: {"parts": [part URL, ...]}
SEARCH_SCRIPT = "assets/search.js"


def search_part(year: int) -> str:
    """The output path of one year's part of the index."""
    return f"search/{year}.json"


def search_manifest(part_urls: Iterable[str]) -> bytes:
    """The manifest's bytes: the URLs of the parts, in the order given (newest year first)."""
    return (json.dumps({"parts": list(part_urls)}, **_JSON) + "\n").encode("utf-8")


def search_entry(post: PostView) -> str:
    """One post's entry in the index, as JSON text."""
    entry = {
        "title": post.title,
        "url": post.url,
        "date": post.date_human,
        "iso": post.date_iso,
        "tags": [tag.title for tag in post.tags],
        "text": html_to_text(post.html),
    }
    return json.dumps(entry, **_JSON)


def search_index_chunks(entries: Iterable[str], per_chunk: int = 256) -> Iterator[bytes]:
    """The index file's bytes from its entries (`search_entry`), a few hundred at a time, so
    that the index of a large journal is never all in memory (compact JSON of a list is its
    items joined by commas)."""
    yield b"["
    remaining, separator = iter(entries), b""
    while batch := list(islice(remaining, per_chunk)):
        yield separator + ",".join(batch).encode("utf-8")
        separator = b","
    yield b"]\n"


_JSON: Mapping[str, Any] = MappingProxyType(
    {"ensure_ascii": False, "separators": (",", ":"), "sort_keys": True}
)

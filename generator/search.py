"""The search index: every post's title, URL, date, tags and plain text as compact JSON.

The /search/ page loads it with a small script of the default theme (assets/search.js) and
searches in the browser: no server, no outside service. Pure: a function of the post views,
newest first, so the same journal always gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from generator.text import html_to_text
from generator.views import PostView

SEARCH_INDEX = "search/index.json"
SEARCH_SCRIPT = "assets/search.js"


def post_text(content_html: str) -> str:
    """The words of a rendering as one line of plain text."""
    return html_to_text(content_html)


def index_entry(post: PostView) -> dict[str, Any]:
    return {
        "title": post.title,
        "url": post.url,
        "date": post.date_human,
        "iso": post.date_iso,
        "tags": [tag.title for tag in post.tags],
        "text": post_text(post.html),
    }


def search_index(posts: Iterable[PostView]) -> bytes:
    """The index file's bytes: a JSON list, one object per post, in the order given."""
    return b"".join(search_index_chunks(posts))


def search_entry(post: PostView) -> str:
    """One post's entry in the index, as JSON text."""
    return json.dumps(index_entry(post), **_JSON)


def search_index_chunks(
    posts: Iterable[PostView],
    per_chunk: int = 256,
    entry: Callable[[PostView], str] = search_entry,
) -> Iterator[bytes]:
    """The index file's bytes a few hundred posts at a time, so that the index of a large
    journal is never all in memory (compact JSON of a list is its items joined by commas).
    `entry` makes each post's JSON (watch mode passes one that remembers them)."""
    yield b"["
    batch: list[str] = []
    first = True
    for post in posts:
        batch.append(entry(post))
        if len(batch) == per_chunk:
            yield ("" if first else ",").encode() + ",".join(batch).encode("utf-8")
            batch, first = [], False
    if batch:
        yield ("" if first else ",").encode() + ",".join(batch).encode("utf-8")
    yield b"]\n"


_JSON: Mapping[str, Any] = MappingProxyType(
    {"ensure_ascii": False, "separators": (",", ":"), "sort_keys": True}
)

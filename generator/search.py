"""The search index: every post's title, URL, date, tags and plain text as compact JSON.

The /search/ page loads it with a small script of the default theme (assets/search.js) and
searches in the browser: no server, no outside service. Pure: a function of the post views,
newest first, so the same journal always gives the same bytes.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Any

from generator.views import PostView

SEARCH_INDEX = "search/index.json"
SEARCH_SCRIPT = "assets/search.js"

_SPACE = re.compile(r"\s+")
# Footnote marks and their back links: numbers and arrows, not words.
_FOOTNOTE_MARKS = re.compile(
    r'<sup id="fnref[^"]*">.*?</sup>|<a class="footnote-backref"[^>]*>.*?</a>', re.S
)
# Tags that separate words; every other tag (em, a, code...) sits inside a word's run.
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|li|ul|ol|dl|dt|dd|h[1-6]|br|hr|tr|td|th|table|thead|tbody|pre|blockquote|"
    r"figure|figcaption|section|img)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")


def post_text(content_html: str) -> str:
    """The words of a rendering as one line of plain text."""
    text = _FOOTNOTE_MARKS.sub("", content_html)
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", text))
    return _SPACE.sub(" ", html.unescape(text)).strip()


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
    entries = [index_entry(post) for post in posts]
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text + "\n").encode("utf-8")

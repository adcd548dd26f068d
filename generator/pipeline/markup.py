"""Markdown -> HTML for posts and theme intros, with summary and word count.

The converter itself, Python-Markdown with the journal's extensions, is made by
`python_markdown.make_converter`.

Kept apart from the other stages because it is where a build spends its time: the build
caches its results by content hash (see `cache_key`).
"""

from __future__ import annotations

import hashlib
import html as entities
import re
from dataclasses import dataclass

import markdown

from generator.core.text import count_words, html_to_text

MORE_MARK = "<!-- more -->"
# Part of every cache key: bump it when the settings of python_markdown.py or the
# post-processing change.
RENDERER_VERSION = f"python-markdown {markdown.__version__} / settings 5 / figures 1"

_FIRST_PARAGRAPH = re.compile(r"<p>.*?</p>", re.S)
_WORDS_PER_MINUTE = 220


@dataclass(frozen=True)
class Rendered:
    html: str
    summary_html: str  # from `<!-- more -->`, else the first paragraph
    words: int
    # (URL as rewritten, the link as written in the Markdown) for each link that the build
    # rewrote after the conversion (crossrefs), so that a problem found with the URL later
    # is reported at the line that holds the link. Never cached: empty as converted.
    origins: tuple[tuple[str, str], ...] = ()


def render_markdown(converter: markdown.Markdown, text: str) -> Rendered:
    try:
        html = converter.reset().convert(text)
    except RecursionError:
        # Python-Markdown recurses once per level of nesting. The loader reports posts
        # nested that deep (see load.nesting_problems); this keeps any other case from
        # ending the build with a traceback: the text is shown as it is.
        html = f"<pre>{entities.escape(text)}</pre>"
    # Entities decoded first: "partner&rsquo;s" is one word, not three.
    words = count_words(html_to_text(html))
    return Rendered(html=html, summary_html=summary_of(html), words=words)


def summary_of(html: str) -> str:
    """What comes before the first `<!-- more -->` that stands between blocks (on a line of
    its own in the Markdown), else the first paragraph. A mark written inside a paragraph's
    text is ignored: cutting there would leave the paragraph open."""
    if MORE_MARK in html:
        depth = 0  # (one pass over the tags: a post with thousands of marks stays quick)
        for token in _TAG_TOKEN.finditer(html):
            closing, name, self_closing = token.groups()
            if name is None:
                if depth == 0 and token.group(0) == MORE_MARK:
                    return html[: token.start()].strip()
            elif not self_closing and name.lower() not in _VOID:
                depth += -1 if closing else 1
    match = _FIRST_PARAGRAPH.search(html)
    return match.group(0) if match else ""


_TAG_TOKEN = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)[^>]*?(/?)>", re.S)
_VOID = frozenset(
    {
        *("area", "base", "br", "col", "embed", "hr", "img", "input"),
        *("link", "meta", "param", "source", "track", "wbr"),
    }
)


def reading_minutes(words: int) -> int:
    return max(1, round(words / _WORDS_PER_MINUTE))


def cache_key(text: str) -> str:
    """What a rendering depends on: the Markdown and the renderer with its settings."""
    digest = hashlib.sha256(f"{RENDERER_VERSION}\0".encode())
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()

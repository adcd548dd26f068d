"""Markdown -> HTML for posts and theme intros, with summary and word count.

Kept apart from the other stages because it is where a build spends its time: the build
caches its results by content hash (see `cache_key`).
"""

from __future__ import annotations

import hashlib
import html as entities
import re
from dataclasses import dataclass

import markdown

from generator.text import count_words, plain_text

MORE_MARK = "<!-- more -->"
EXTENSIONS = ["extra", "codehilite", "toc", "sane_lists", "smarty"]
EXTENSION_CONFIGS: dict[str, dict[str, object]] = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": False},
    "smarty": {"smart_angled_quotes": False},
}
# Part of every cache key: bump it when the settings above or the post-processing change.
RENDERER_VERSION = f"python-markdown {markdown.__version__} / settings 3"

_FIRST_PARAGRAPH = re.compile(r"<p>.*?</p>", re.S)
_WORDS_PER_MINUTE = 220


@dataclass(frozen=True)
class Rendered:
    html: str
    summary_html: str  # from `<!-- more -->`, else the first paragraph
    words: int


# Smart quotes run right after the other inline patterns, before "prettify" puts a newline
# after every block: on those newlines the smarty pass is quadratic in the number of
# paragraphs (a 120 kB post of short paragraphs took half a minute).
_SMARTY_PRIORITY = 12


def make_converter() -> markdown.Markdown:
    converter = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    if "smarty" in converter.treeprocessors:
        smarty = converter.treeprocessors["smarty"]
        converter.treeprocessors.deregister("smarty")
        converter.treeprocessors.register(smarty, "smarty", _SMARTY_PRIORITY)
    return converter


def render_markdown(converter: markdown.Markdown, text: str) -> Rendered:
    try:
        html = converter.reset().convert(text)
    except RecursionError:
        # Python-Markdown recurses once per level of nesting. The loader reports posts
        # nested that deep (see load.nesting_problems); this keeps any other case from
        # ending the build with a traceback: the text is shown as it is.
        html = f"<pre>{entities.escape(text)}</pre>"
    # Entities decoded first: "partner&rsquo;s" is one word, not three.
    words = count_words(entities.unescape(plain_text(html)))
    return Rendered(html=html, summary_html=summary_of(html), words=words)


def summary_of(html: str) -> str:
    if MORE_MARK in html:
        return html.split(MORE_MARK, 1)[0].strip()
    match = _FIRST_PARAGRAPH.search(html)
    return match.group(0) if match else ""


def reading_minutes(words: int) -> int:
    return max(1, round(words / _WORDS_PER_MINUTE))


def cache_key(text: str) -> str:
    """What a rendering depends on: the Markdown and the renderer with its settings."""
    digest = hashlib.sha256()
    digest.update(RENDERER_VERSION.encode())
    digest.update(b"\0")
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()

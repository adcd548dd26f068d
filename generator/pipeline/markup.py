"""Markdown -> HTML for posts and theme intros, with summary and word count.

Kept apart from the other stages because it is where a build spends its time: the build
caches its results by content hash (see `cache_key`).
"""

from __future__ import annotations

import hashlib
import html as entities
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import markdown

from generator.core.text import count_words, html_to_text
from generator.pipeline.figure_markup import register_figures
from generator.pipeline.wikilinks import TitleLinkExtension

MORE_MARK = "<!-- more -->"
EXTENSIONS = ("extra", "codehilite", "toc", "sane_lists", "smarty")
EXTENSION_CONFIGS: Mapping[str, Mapping[str, object]] = MappingProxyType(
    {
        "codehilite": MappingProxyType({"css_class": "highlight", "guess_lang": False}),
        "toc": MappingProxyType({"permalink": False}),
        "smarty": MappingProxyType({"smart_angled_quotes": False}),
    }
)
# Part of every cache key: bump it when the settings above or the post-processing change.
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


# Smart quotes run right after the other inline patterns, before "prettify" puts a newline
# after every block: on those newlines the smarty pass is quadratic in the number of
# paragraphs (a 120 kB post of short paragraphs took half a minute).
_SMARTY_PRIORITY = 12


def make_converter() -> markdown.Markdown:
    # Python-Markdown wants a list and dicts of its own: fresh copies of the settings.
    configs = {name: dict(settings) for name, settings in EXTENSION_CONFIGS.items()}
    converter = markdown.Markdown(
        extensions=[*EXTENSIONS, TitleLinkExtension()],
        extension_configs=configs,
        output_format="html",
    )
    if "smarty" in converter.treeprocessors:
        smarty = converter.treeprocessors["smarty"]
        converter.treeprocessors.deregister("smarty")
        converter.treeprocessors.register(smarty, "smarty", _SMARTY_PRIORITY)
    register_figures(converter)  # a captioned image alone in its paragraph is a figure
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

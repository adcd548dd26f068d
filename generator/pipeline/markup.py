"""Markdown -> HTML for posts and theme intros, with summary and word count.

The converter is the engine the journal chose (`markdown` in journal.toml, `--markdown`):
Python-Markdown with the journal's extensions (`python_markdown.make_converter`, the
default), or pyromark's CommonMark with passes that give its HTML the same shape
(commonmark.py, imported only when chosen). `make_converter(engine)` makes either.

Kept apart from the other stages because it is where a build spends its time: the build
caches its results by content hash (see `cache_key`).
"""

from __future__ import annotations

import hashlib
import html as entities
import re
from dataclasses import dataclass, replace
from typing import Any, Protocol

import markdown

from generator.core.config import MARKDOWN_ENGINES
from generator.core.text import count_words, html_to_text

MORE_MARK = "<!-- more -->"
# Part of every cache key: bump it when the settings of python_markdown.py or the
# post-processing change.
RENDERER_VERSION = f"python-markdown {markdown.__version__} / settings 5 / figures 1"
PYTHON_MARKDOWN, COMMONMARK = MARKDOWN_ENGINES

_FIRST_PARAGRAPH = re.compile(r"<p>.*?</p>", re.S)
_WORDS_PER_MINUTE = 220


@dataclass(frozen=True)
class Rendered:
    """A text's HTML, kept as UTF-8 (`html` decodes it when asked): curly quotes make nearly
    every post's HTML a string of two bytes a character, so the bytes take half the memory
    (at 10,000 posts, over 40 MiB of a build's peak). `Rendered.of` makes one from a str."""

    html_utf8: bytes
    summary_html: str  # from `<!-- more -->`, else the first paragraph
    words: int
    # (URL as rewritten, the link as written in the Markdown) for each link that the build
    # rewrote after the conversion (crossrefs), so that a problem found with the URL later
    # is reported at the line that holds the link. Never cached: empty as converted.
    origins: tuple[tuple[str, str], ...] = ()

    @property
    def html(self) -> str:
        return self.html_utf8.decode("utf-8")

    @classmethod
    def of(
        cls, html: str, summary_html: str, words: int, origins: tuple[tuple[str, str], ...] = ()
    ) -> Rendered:
        return cls(html.encode("utf-8"), summary_html, words, origins)

    def with_html(self, html: str, summary_html: str, **changes: Any) -> Rendered:
        """This rendering with other HTML (and summary), and any other field `changes`."""
        return replace(self, html_utf8=html.encode("utf-8"), summary_html=summary_html, **changes)


NO_RENDERING = Rendered(b"", "", 0)


class Converter(Protocol):
    """What both engines' converters are: `reset()` before each text, then `convert`."""

    def reset(self) -> Converter: ...

    def convert(self, source: str) -> str: ...


def make_converter(engine: str = PYTHON_MARKDOWN) -> Converter:
    """A converter of the engine named (`Config.markdown`)."""
    if engine == COMMONMARK:
        from generator.pipeline.commonmark import CommonMarkConverter

        return CommonMarkConverter()
    from generator.pipeline.python_markdown import make_converter as python_markdown

    return python_markdown()


def renderer_version(engine: str = PYTHON_MARKDOWN) -> str:
    """The engine with its version and settings: part of every cache key."""
    if engine == COMMONMARK:
        from generator.pipeline.commonmark import renderer_version as commonmark_version

        return commonmark_version()
    return RENDERER_VERSION


def render_markdown(converter: Converter, text: str) -> Rendered:
    try:
        html = converter.reset().convert(text)
    except RecursionError:
        # Python-Markdown recurses once per level of nesting. The loader reports posts
        # nested that deep (see load.nesting_problems); this keeps any other case from
        # ending the build with a traceback: the text is shown as it is.
        html = f"<pre>{entities.escape(text)}</pre>"
    # Entities decoded first: "partner&rsquo;s" is one word, not three.
    words = count_words(html_to_text(html))
    return Rendered.of(html, summary_html=summary_of(html), words=words)


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


def cache_key(text: str, renderer: str = RENDERER_VERSION) -> str:
    """What a rendering depends on: the Markdown and the renderer with its settings
    (`renderer_version(engine)`: another engine's rendering is never taken for this one's)."""
    digest = hashlib.sha256(f"{renderer}\0".encode())
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()

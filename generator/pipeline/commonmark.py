"""The second Markdown engine, `markdown = "commonmark"`: pyromark (pulldown-cmark, compiled)
with the passes that give its HTML the shape of the Python-Markdown setup's
(python_markdown.py), so that a journal can switch engines without its anchors, footnotes,
code colours, figures or links by title changing.

pyromark is imported when a converter is made, never before: a journal that keeps the
default engine does not need it installed. What still differs between the engines is listed
in docs/markdown-engines.md.

The passes, in order, each skipped when its mark is not in the text:

- links by title (`[[Title]]`) become the marks wikilinks.py makes, outside code and raw HTML,
  before the conversion (commonmark_marks.py);
- quotes and dashes the engine made typographic are written as entities, as smarty writes
  them, while those typed as characters stay characters;
- `<img>`, `<br>` and `<hr>` lose the XHTML slash; tables get a line per row and cell;
- headings get ids by the toc extension's scheme (`{#id}` honoured, `_1` on repeats);
- footnotes are numbered in the order of their definitions and gathered at the end, in the
  footnotes extension's markup (commonmark_marks.py);
- a captioned picture alone in its paragraph becomes a figure, as figure_markup.py does.
"""

from __future__ import annotations

import html as entities
import re
from types import MappingProxyType

import markdown
from markdown.extensions.toc import slugify, strip_tags, unique
from pygments import highlight
from pygments.formatters.html import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from generator.pipeline.commonmark_marks import Events, footnotes_gathered, titles_marked_in

PASSES = 1  # bump it when a pass changes what it makes
MISSING = 'markdown = "commonmark" needs pyromark: pip install pyromark'


def renderer_version() -> str:
    """pyromark's version and the passes': part of each rendering's cache key."""
    try:
        import pyromark
    except ImportError:
        return "commonmark: no pyromark"
    return (
        f"commonmark: pyromark {pyromark.__version__} / markdown {markdown.__version__} "
        f"(ids, code) / passes {PASSES}"
    )


class CommonMarkConverter:
    """pyromark with the journal's options and passes; `reset().convert(text)` as
    Python-Markdown's converter is called."""

    def __init__(self) -> None:
        try:
            import pyromark
        except ImportError as exc:  # (config.py reports it at the setting's line first)
            raise RuntimeError(MISSING) from exc
        flags = pyromark.Options
        options = (
            flags.ENABLE_TABLES
            | flags.ENABLE_FOOTNOTES
            | flags.ENABLE_SMART_PUNCTUATION
            | flags.ENABLE_HEADING_ATTRIBUTES
            | flags.ENABLE_DEFINITION_LIST
        )
        self._parser = pyromark.Markdown(options=options, highlight=Highlighter())

        def events(text: str) -> list[tuple[object, int, int]]:
            found = pyromark.events_with_range(text, options=options)
            return [(event, span["start"], span["end"]) for event, span in found]

        self._events: Events = events

    def reset(self) -> CommonMarkConverter:
        return self

    def convert(self, source: str) -> str:
        text = titles_marked_in(source, self._events) if "[[" in source else source
        protected = _SMART.search(text) is not None
        if protected:
            text = _kept_as_typed(text)
        html = self._parser.html(text)
        html = _typographic(html, protected)
        html = _void_tags(html)
        if "\n<ul>" in html or "\n<ol" in html:
            html = _LIST_START.sub("\\1", html)  # (a list right after an item's text)
        if "<table>" in html:
            html = _TABLE_TAGS.sub(_table_line, html)
        if "<h" in html:
            html = headings_named(html)
        if 'class="footnote-' in html:
            html = footnotes_gathered(html)
        if "<p><img " in html:
            html = _FIGURE.sub(_figure, html)
        if "-->\n<" in html:
            html = _COMMENT_LINE.sub("\\1\n\n", html)  # (a blank line after, as raw HTML has)
        return html.strip("\n")


# codehilite's settings for Pygments, as python_markdown.py sets them (`css_class`).
_CODE_OPTIONS = MappingProxyType(
    {"linenos": None, "cssclass": "highlight", "wrapcode": True, "full": False}
)


class Highlighter:
    """Code blocks as codehilite writes a fenced one (`guess_lang=False`: a block without a
    language, or with one Pygments does not know, is plain text), with one formatter and
    each language's lexer made once per converter."""

    def __init__(self) -> None:
        self._formatter = HtmlFormatter(**_CODE_OPTIONS)
        self._lexers: dict[str | None, Lexer] = {}

    def __call__(self, language: str | None, code: str) -> str:
        lexer = self._lexers.get(language)
        if lexer is None:
            lexer = self._lexers[language] = _lexer(language)
        block: str = highlight(code.strip("\n"), lexer, self._formatter)
        return block + "\n"


def _lexer(language: str | None) -> Lexer:
    try:
        return get_lexer_by_name(language or "", **_CODE_OPTIONS)
    except ClassNotFound:
        return get_lexer_by_name("text", **_CODE_OPTIONS)


# ---------------------------------------------------------------- quotes and dashes

# What smart punctuation makes, and the entities smarty writes for it.
_ENTITIES = {
    "\u201c": "&ldquo;",
    "\u201d": "&rdquo;",
    "\u2018": "&lsquo;",
    "\u2019": "&rsquo;",
    "\u2013": "&ndash;",
    "\u2014": "&mdash;",
    "\u2026": "&hellip;",
}
_SMART = re.compile("[" + "".join(_ENTITIES) + "]")
# Typed characters stand in for themselves through the conversion as private-use ones.
_STANDINS = {char: chr(0xF8F0 + index) for index, char in enumerate(_ENTITIES)}
_TYPED = {standin: char for char, standin in _STANDINS.items()}
_STANDIN = re.compile("[" + "".join(_TYPED) + "]")


def _kept_as_typed(text: str) -> str:
    return _SMART.sub(lambda char: _STANDINS[char.group(0)], text)


def _typographic(html: str, protected: bool) -> str:
    if _SMART.search(html) is not None:
        html = _SMART.sub(lambda char: _ENTITIES[char.group(0)], html)
    return _STANDIN.sub(lambda char: _TYPED[char.group(0)], html) if protected else html


# ---------------------------------------------------------------- tags and tables

_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"( title="[^"]*")? />')


def _void_tags(html: str) -> str:
    if "<img " in html:
        html = _IMAGE.sub(r'<img alt="\2" src="\1"\3>', html)
    if "<br />" in html:
        html = html.replace("<br />", "<br>")
    if "<hr />" in html:
        html = html.replace("<hr />", "<hr>")
    return html


_LIST_START = re.compile(r'(?<=[^\n>])\n(<(?:ul|ol)(?: start="\d+")?>)')
_TABLE_TAGS = re.compile(
    r"(<(?:table|thead|tbody|tr)>|</(?:thead|tbody|tr|th|td)>)\n?"
    r'|<t([hd]) style="text-align: (\w+)">'
)


def _table_line(tag: re.Match[str]) -> str:
    if tag.group(1) is None:
        return f'<t{tag.group(2)} style="text-align: {tag.group(3)};">'
    return tag.group(1) + "\n"


# ---------------------------------------------------------------- heading ids

_HEADING = re.compile(r"<h([1-6])((?: [a-z]+=\"[^\"]*\")*)>(.*?)</h\1>", re.S)
_ID = re.compile(r' id="([^"]*)"')
_ANY_ID = re.compile(r'<[a-zA-Z][^<>]*? id="([^"]*)"')
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-reference">.*?</sup>', re.S)


def headings_named(html: str) -> str:
    """Every heading with an id, by the toc extension's scheme: the heading's text slugified,
    `_1`, `_2` on repeats of an id the document has already; an id written (`{#id}`) kept."""
    if _HEADING.search(html) is None:
        return html
    used = {match.group(1) for match in _ANY_ID.finditer(html)}
    counters: dict[str, int] = {}

    def named(heading: re.Match[str]) -> str:
        level, attributes, inner = heading.groups()
        written = _ID.search(attributes)
        if written is not None:
            rest = _ID.sub("", attributes)
            return f'<h{level}{rest} id="{written.group(1)}">{inner}</h{level}>'
        text = strip_tags(_FOOTNOTE_REF.sub("", inner))
        slug = unique(slugify(entities.unescape(text), "-"), used, counters)
        return f'<h{level}{attributes} id="{slug}">{inner}</h{level}>'

    return _HEADING.sub(named, html)


_COMMENT_LINE = re.compile(r"^(<!--.*?-->)\n(?=<)", re.M)

# ---------------------------------------------------------------- figures

_FIGURE = re.compile(r'<p><img alt="([^"]*)" src="([^"]*)" title="([^"]*)"></p>')


def _figure(paragraph: re.Match[str]) -> str:
    alt, src, title = paragraph.groups()
    caption = entities.unescape(title).strip()
    if not caption:
        return paragraph.group(0)
    return (
        f'<figure>\n<img alt="{alt}" src="{src}">\n'
        f"<figcaption>{entities.escape(caption, quote=False)}</figcaption>\n</figure>"
    )

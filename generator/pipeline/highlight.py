"""Code blocks highlighted by Pygments as Python-Markdown's fenced_code and codehilite
extensions do it (Python-Markdown 3.11), with the lexers and formatters kept.

Python-Markdown looks its lexer up by name (a walk through every lexer Pygments has) and
makes a new `HtmlFormatter`, which works out a style sheet, for every code block. Here a
converter keeps both in a `Highlighters`: a lexer per language and options, a formatter per
set of options. Pygments' lexers and its HTML formatter keep nothing of a text they worked
on, so a kept one makes the same HTML as a new one. The two steps that highlight (the fenced
blocks' preprocessor, the indented blocks' treeprocessor) are copies of Python-Markdown's that
take them from a `Highlighters` (python_markdown.py puts them in place of the originals).

Adapted from Python-Markdown (https://github.com/Python-Markdown/markdown), copyright The
Python Markdown Project, under its BSD-3-Clause licence: the steps here follow its code line
for line where the same HTML depends on it."""

from __future__ import annotations

from typing import Any

import markdown
from markdown.extensions.attr_list import AttrListExtension, get_attrs_and_remainder, sanitize_name
from markdown.extensions.codehilite import (
    CodeHilite,
    CodeHiliteExtension,
    HiliteTreeprocessor,
    parse_hl_lines,
)
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.serializers import _escape_attrib_html  # type: ignore[attr-defined]
from pygments import highlight
from pygments.formatters import get_formatter_by_name
from pygments.lexers import get_lexer_by_name, guess_lexer
from pygments.util import ClassNotFound

_Key = tuple[tuple[str, object], ...]
# Lexers and formatters kept at most, each: blocks with many different options (`hl_lines`)
# get new ones past that, as Python-Markdown makes them, and a build's memory stays flat.
_KEPT = 64


def _frozen(value: object) -> object:
    """A value of an option as a part of a dictionary key (lists as tuples)."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    return value


def _key(options: dict[str, Any]) -> _Key | None:
    """The options as a key, or None when one of them cannot be part of one."""
    key = tuple(sorted((name, _frozen(value)) for name, value in options.items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key


class Highlighters:
    """One converter's lexers (by language and options; None: Pygments has no lexer of
    that name) and formatters (by name and options), `_KEPT` of each at most."""

    def __init__(self) -> None:
        self._lexers: dict[tuple[str | None, _Key], Any] = {}
        self._formatters: dict[tuple[str, _Key], Any] = {}

    def lexer(self, name: str | None, options: dict[str, Any]) -> Any:
        """`get_lexer_by_name(name, **options)`; raises ClassNotFound as it does."""
        key = _key(options)
        if key is None or ((name, key) not in self._lexers and len(self._lexers) >= _KEPT):
            return get_lexer_by_name(name, **options)
        if (name, key) not in self._lexers:
            try:
                self._lexers[name, key] = get_lexer_by_name(name, **options)
            except ClassNotFound:
                self._lexers[name, key] = None
        lexer = self._lexers[name, key]
        if lexer is None:
            raise ClassNotFound(f"no lexer for alias {name!r} found")
        return lexer

    def formatter(self, name: str, options: dict[str, Any]) -> Any:
        """`get_formatter_by_name(name, **options)`; raises ClassNotFound as it does."""
        key = _key(options)
        if key is None or ((name, key) not in self._formatters and len(self._formatters) >= _KEPT):
            return get_formatter_by_name(name, **options)
        if (name, key) not in self._formatters:
            self._formatters[name, key] = get_formatter_by_name(name, **options)
        return self._formatters[name, key]


class LeanCodeHilite(CodeHilite):
    """`CodeHilite` whose lexer and formatter come from a `Highlighters`."""

    def __init__(self, src: str, highlighters: Highlighters, **options: Any) -> None:
        super().__init__(src, **options)
        self.highlighters = highlighters

    def hilite(self, shebang: bool = True) -> str:
        if not self.use_pygments:
            return super().hilite(shebang)
        self.src = self.src.strip("\n")
        if self.lang is None and shebang:
            self._parseHeader()  # type: ignore[attr-defined]
        kept = self.highlighters
        try:
            lexer = kept.lexer(self.lang, self.options)
        except ValueError:
            try:
                if self.guess_lang:
                    lexer = guess_lexer(self.src, **self.options)
                else:
                    lexer = kept.lexer("text", self.options)
            except ValueError:
                lexer = kept.lexer("text", self.options)
        if not self.lang:
            self.lang = lexer.aliases[0]  # (the guessed lexer's language)
        lang_str = f"{self.lang_prefix}{self.lang}"
        if isinstance(self.pygments_formatter, str):
            try:
                formatter = kept.formatter(self.pygments_formatter, self.options)
            except ClassNotFound:
                formatter = kept.formatter("html", self.options)
        else:
            formatter = self.pygments_formatter(lang_str=lang_str, **self.options)
        return str(highlight(self.src, lexer, formatter))


class LeanHiliteTreeprocessor(HiliteTreeprocessor):
    """Indented code blocks highlighted as codehilite does, with kept lexers and formatters."""

    def __init__(self, md: markdown.Markdown, highlighters: Highlighters) -> None:
        super().__init__(md)
        self.highlighters = highlighters

    def run(self, root: Any) -> None:
        for block in root.iter("pre"):
            if len(block) == 1 and block[0].tag == "code":
                local_config = self.config.copy()
                text = block[0].text
                if text is None:
                    continue
                code = LeanCodeHilite(
                    self.code_unescape(text),
                    self.highlighters,
                    tab_length=self.md.tab_length,
                    style=local_config.pop("pygments_style", "default"),
                    **local_config,
                )
                placeholder = self.md.htmlStash.store(code.hilite())
                block.clear()
                block.tag = "p"  # (taken out when the raw HTML is put back)
                block.text = placeholder


class LeanFencedBlockPreprocessor(FencedBlockPreprocessor):
    """Fenced code blocks as fenced_code makes them, highlighted with kept lexers and
    formatters."""

    config: dict[str, Any]

    def __init__(
        self, md: markdown.Markdown, config: dict[str, Any], highlighters: Highlighters
    ) -> None:
        super().__init__(md, config)
        self.highlighters = highlighters

    def run(self, lines: list[str]) -> list[str]:
        if not self.checked_for_deps:
            for ext in self.md.registeredExtensions:
                if isinstance(ext, CodeHiliteExtension):
                    self.codehilite_conf = ext.getConfigs()
                if isinstance(ext, AttrListExtension):
                    self.use_attr_list = True
            self.checked_for_deps = True
        text = "\n".join(lines)
        index = 0
        while True:
            m = self.FENCED_BLOCK_RE.search(text, index)
            if not m:
                break
            lang: str | None = None
            id_ = ""
            classes: list[str] = []
            config: dict[str, Any] = {}
            if m.group("attrs"):
                attrs, remainder = get_attrs_and_remainder(m.group("attrs"))
                if remainder:  # unmatched braces: not a fence with attributes
                    index = m.end("attrs")
                    continue
                id_, classes, config = self.handle_attrs(attrs)
                if len(classes):
                    lang = classes.pop(0)
            else:
                if m.group("lang"):
                    lang = m.group("lang")
                if m.group("hl_lines"):
                    config["hl_lines"] = parse_hl_lines(m.group("hl_lines"))
            code = self._block_html(m.group("code"), lang, id_, classes, config)
            placeholder = self.md.htmlStash.store(code)
            text = f"{text[: m.start()]}\n{placeholder}\n{text[m.end() :]}"
            index = m.start() + 1 + len(placeholder)
        return text.split("\n")

    def _block_html(
        self, source: str, lang: str | None, id_: str, classes: list[str], config: dict[str, Any]
    ) -> str:
        conf = self.codehilite_conf
        if conf and conf["use_pygments"] and config.get("use_pygments", True):
            local_config = conf.copy()
            local_config.update(config)
            if classes:  # (the css class last: Pygments may add a suffix to it)
                local_config["css_class"] = "{} {}".format(
                    " ".join(classes), local_config["css_class"]
                )
            highliter = LeanCodeHilite(
                source,
                self.highlighters,
                lang=lang,
                style=local_config.pop("pygments_style", "default"),
                **local_config,
            )
            return highliter.hilite(shebang=False)
        id_attr = lang_attr = class_attr = kv_pairs = ""
        if lang:
            prefix = self.config.get("lang_prefix", "language-")
            lang_attr = f' class="{prefix}{_escape_attrib_html(lang)}"'
        if classes:
            class_attr = f' class="{_escape_attrib_html(" ".join(classes))}"'
        if id_:
            id_attr = f' id="{_escape_attrib_html(id_)}"'
        if self.use_attr_list and config and not config.get("use_pygments", False):
            kv_pairs = "".join(
                f' {sanitize_name(k)}="{_escape_attrib_html(v)}"'
                for k, v in config.items()
                if k != "use_pygments"
            )
        code = self._escape(source)  # type: ignore[attr-defined]
        return f"<pre{id_attr}{class_attr}><code{lang_attr}{kv_pairs}>{code}</code></pre>"

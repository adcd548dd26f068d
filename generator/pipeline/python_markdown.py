"""Python-Markdown as the journal uses it: the extensions, their settings, and the converter
made from them (`make_converter`), with figures (figure_markup.py) and links by title
(wikilinks.py) registered on it.

Four of its steps are replaced by lean ones that make the same HTML, byte for byte, with
less work (tests/test_python_markdown.py holds the proof; docs/speed.md the figures): the
inline patterns and smart punctuation's second pass (inline_pass.py), the highlighting of
code blocks (highlight.py) and the table of contents' ids (lean_toc.py). Two lookups asked
for every block are made cheap (`_Converter`, `_KeptOrder`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

import markdown
from markdown.extensions.codehilite import HiliteTreeprocessor
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import InlineProcessor

from generator.pipeline.figure_markup import register_figures
from generator.pipeline.highlight import (
    Highlighters,
    LeanFencedBlockPreprocessor,
    LeanHiliteTreeprocessor,
)
from generator.pipeline.inline_pass import LeanInlineProcessor
from generator.pipeline.lean_toc import LeanTocTreeprocessor
from generator.pipeline.wikilinks import TitleLinkExtension

EXTENSIONS = ("extra", "codehilite", "toc", "sane_lists", "smarty")
EXTENSION_CONFIGS: Mapping[str, Mapping[str, object]] = MappingProxyType(
    {
        "codehilite": MappingProxyType({"css_class": "highlight", "guess_lang": False}),
        "toc": MappingProxyType({"permalink": False}),
        "smarty": MappingProxyType({"smart_angled_quotes": False}),
    }
)
# Smart quotes run right after the other inline patterns, before "prettify" puts a newline
# after every block: on those newlines the smarty pass is quadratic in the number of
# paragraphs (a 120 kB post of short paragraphs took half a minute).
_SMARTY_PRIORITY = 12


class _Converter(markdown.Markdown):
    """Python-Markdown's converter, whose `is_block_level` (asked of nearly every element,
    by several steps) looks the tag up in a set of the block-level tags rather than in their
    list: the same tags, as the extensions left them once registered (none changes them
    later)."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.block_levels = frozenset(self.block_level_elements)

    def is_block_level(self, tag: Any) -> bool:
        return isinstance(tag, str) and tag.lower().rstrip("/") in self.block_levels


class _KeptOrder(markdown.util.Registry[Any]):
    """A registry that keeps its items in order between changes: the block parser goes
    through its processors for every block, and Python-Markdown's registry makes a new list
    of them each time."""

    def __init__(self) -> None:
        super().__init__()
        self._order: list[Any] | None = None

    def __iter__(self) -> Iterator[Any]:
        if self._order is None:
            self._order = list(super().__iter__())
        return iter(self._order)

    def register(self, item: Any, name: str, priority: float) -> None:
        self._order = None
        super().register(item, name, priority)

    def deregister(self, name: str, strict: bool = True) -> None:
        self._order = None
        super().deregister(name, strict)


def make_converter() -> markdown.Markdown:
    # Python-Markdown wants a list and dicts of its own: fresh copies of the settings.
    configs = {name: dict(settings) for name, settings in EXTENSION_CONFIGS.items()}
    converter = _Converter(
        extensions=[*EXTENSIONS, TitleLinkExtension()],
        extension_configs=configs,
        output_format="html",
    )
    _put_lean_steps(converter)
    converter.parser.blockprocessors = _kept_order(converter.parser.blockprocessors)
    register_figures(converter)  # a captioned image alone in its paragraph is a figure
    return converter


def _put_lean_steps(converter: markdown.Markdown) -> None:
    """The lean steps in place of Python-Markdown's, each with the settings and the place
    (priority) of the step it replaces."""
    steps = converter.treeprocessors
    _replace(steps, "inline", LeanInlineProcessor(converter, converter.inlinePatterns))
    if "smarty" in steps:
        smarty = steps["smarty"]
        assert isinstance(smarty, InlineProcessor)  # (smarty's own pass of its patterns)
        steps.deregister("smarty")
        lean = LeanInlineProcessor(converter, smarty.inlinePatterns)
        steps.register(lean, "smarty", _SMARTY_PRIORITY)
    highlighters = Highlighters()  # lexers and formatters kept, not made for every block
    if "fenced_code_block" in converter.preprocessors:
        fenced = converter.preprocessors["fenced_code_block"]
        assert isinstance(fenced, FencedBlockPreprocessor)
        settings = getattr(fenced, "config")  # noqa: B009 (not in the type stubs)
        lean_fenced = LeanFencedBlockPreprocessor(converter, settings, highlighters)
        _replace(converter.preprocessors, "fenced_code_block", lean_fenced)
    if "hilite" in steps:
        hilite = steps["hilite"]
        assert isinstance(hilite, HiliteTreeprocessor)
        lean_hilite = LeanHiliteTreeprocessor(converter, highlighters)
        lean_hilite.config = hilite.config
        _replace(steps, "hilite", lean_hilite)
    toc = next((e for e in converter.registeredExtensions if isinstance(e, TocExtension)), None)
    if toc is not None and "toc" in steps:
        _replace(steps, "toc", LeanTocTreeprocessor(converter, toc.getConfigs()))


def _kept_order(registry: markdown.util.Registry[Any]) -> _KeptOrder:
    """The registry's items, with their names and priorities, in a `_KeptOrder`."""
    kept = _KeptOrder()
    for item in getattr(registry, "_priority"):  # noqa: B009 (not in the type stubs)
        kept.register(registry[item.name], item.name, item.priority)
    return kept


def _replace(registry: markdown.util.Registry[Any], name: str, step: object) -> None:
    """`step` in place of the registry's `name`, at its priority."""
    items = getattr(registry, "_priority")  # noqa: B009 (not in the type stubs)
    priority = next(item.priority for item in items if item.name == name)
    registry.deregister(name)
    registry.register(step, name, priority)

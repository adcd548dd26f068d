"""Python-Markdown as the journal uses it: the extensions, their settings, and the converter
made from them (`make_converter`), with figures (figure_markup.py) and links by title
(wikilinks.py) registered on it."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import markdown

from generator.pipeline.figure_markup import register_figures
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

"""The toc extension's work on a page, as Python-Markdown 3.11 does it, without what the
journal never shows: the table of contents as a string.

`TocTreeprocessor.run` gives each heading its id (the part of its work that shows in the
HTML), then builds the table, serializes it with every postprocessor into `md.toc`, and walks
the whole tree joining the text of every element to find a paragraph that is the `[TOC]`
marker. Here the ids are given the same way, `md.toc_tokens` is set as there, the marker is
looked for by its own text alone (a paragraph that is the marker has no other), and the
table is built only for a page that has the marker (in the text of an element: the walk that
puts the table in place comes after that quick look), where it is put as there. `md.toc`
stays empty. A tree of many elements is walked as there even without a marker: one nested so
deep that Python-Markdown's walk runs out of stack makes this one run out too.

Adapted from Python-Markdown (https://github.com/Python-Markdown/markdown), copyright The
Python Markdown Project, under its BSD-3-Clause licence: the steps here follow its code line
for line where the same HTML depends on it.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as etree
from typing import Any

from markdown.extensions.toc import (
    TocTreeprocessor,
    escape_cdata,
    nest_toc_tokens,
    remove_fnrefs,
    render_inner_html,
    run_postprocessors,
    strip_tags,
    unescape,
    unique,
)

# Elements in a tree that cannot be deep enough to exhaust the stack in the walk that looks
# for markers (one call per level, from a stack far from full).
_SHALLOW = 250


class LeanTocTreeprocessor(TocTreeprocessor):
    """Heading ids and `[TOC]` markers as `TocTreeprocessor` makes them (its settings)."""

    def run(self, doc: etree.Element) -> None:
        used_ids = set()
        for el in doc.iter():
            if "id" in el.attrib:
                used_ids.add(el.attrib["id"])
        id_counters: dict[str, int] = {}
        toc_tokens: list[Any] = []  # (dictionaries, as toc.py makes them)
        for el in doc.iter():
            if isinstance(el.tag, str) and self.header_rgx.match(el.tag):
                self.set_level(el)
                innerhtml = render_inner_html(remove_fnrefs(el), self.md)
                name = strip_tags(innerhtml)
                if "id" not in el.attrib:  # (an id written in the Markdown stays)
                    el.attrib["id"] = unique(
                        self.slugify(html.unescape(name), self.sep), used_ids, id_counters
                    )
                data_toc_label = ""
                if "data-toc-label" in el.attrib:
                    data_toc_label = run_postprocessors(
                        unescape(el.attrib["data-toc-label"]), self.md
                    )
                    name = escape_cdata(strip_tags(data_toc_label))
                    del el.attrib["data-toc-label"]
                if self.toc_top <= int(el.tag[-1]) <= self.toc_bottom:
                    toc_tokens.append(
                        {
                            "level": int(el.tag[-1]),
                            "id": unescape(el.attrib["id"]),
                            "name": name,
                            "html": innerhtml,
                            "data-toc-label": data_toc_label,
                        }
                    )
                if self.use_anchors:
                    self.add_anchor(el, el.attrib["id"])
                if self.use_permalinks not in [False, None]:
                    self.add_permalink(el, el.attrib["id"])
        nested = nest_toc_tokens(toc_tokens)
        if self.marker:
            count, marked = 0, False
            for el in doc.iter():
                count += 1
                marked = marked or self.marker in (el.text or "")
            # (A tree of more elements may be deep enough to exhaust the stack in the walk,
            # recursive as Python-Markdown's is: walked as there, it fails as there.)
            if marked or count > _SHALLOW:
                self._replace_markers(doc, nested)
        self.md.toc_tokens = nested  # type: ignore[attr-defined]

    def _replace_markers(self, doc: etree.Element, tokens: list[Any]) -> None:
        """Every paragraph (outside headings and code) whose text is the marker becomes the
        table, one element put in each place as `replace_marker` does."""
        table: etree.Element | None = None
        for parent, child in self.iterparent(doc):
            if child.text and child.text.strip() == self.marker and len(child) == 0:
                if table is None:
                    table = self.build_toc_div(tokens)
                for index in range(len(parent)):
                    if parent[index] == child:
                        parent[index] = table
                        break

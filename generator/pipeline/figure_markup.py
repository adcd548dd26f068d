"""Pictures with a caption: `![Alt](photo.jpg "A caption")` standing alone in its paragraph
becomes `<figure><img alt="Alt" src="photo.jpg"><figcaption>A caption</figcaption></figure>`.

A Python-Markdown treeprocessor (registered by `python_markdown.make_converter`): it works on the
document tree, so its result is part of the rendering that the cache keeps by the text alone.
What depends on the image file (its size, the resized copies) is added after the conversion
(picture_tags.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

import markdown
from markdown.treeprocessors import Treeprocessor

# After the inline patterns (20) and attribute lists (8), which leave `{: .wide}` as the
# image's attributes rather than text beside it; before the table of contents (5).
FIGURE_PRIORITY = 6


class FigureProcessor(Treeprocessor):
    """Every paragraph that holds one image with a title and nothing else becomes a figure
    whose caption is that title (the image keeps its alt text and drops the title, which
    the caption shows)."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "p":
                    figure = figure_of(child)
                    if figure is not None:
                        figure.tail = child.tail
                        parent[index] = figure


def figure_of(paragraph: etree.Element) -> etree.Element | None:
    """The figure a paragraph stands for, or None if it is not one captioned image alone."""
    if len(paragraph) != 1 or (paragraph.text or "").strip():
        return None
    image = paragraph[0]
    caption = image.get("title", "")
    if image.tag != "img" or not caption.strip() or (image.tail or "").strip():
        return None
    del image.attrib["title"]
    image.tail = None
    figure = etree.Element("figure")
    figure.text = "\n"
    figure.append(image)
    image.tail = "\n"
    figcaption = etree.SubElement(figure, "figcaption")
    figcaption.text = caption.strip()
    figcaption.tail = "\n"
    return figure


def register_figures(converter: markdown.Markdown) -> None:
    converter.treeprocessors.register(FigureProcessor(converter), "figures", FIGURE_PRIORITY)

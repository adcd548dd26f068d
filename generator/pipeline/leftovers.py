"""Another generator's template syntax left in a post's text: Liquid tags (`{% include %}`),
Liquid output (`{{ site.baseurl }}`) and Hugo shortcodes (`{{< figure >}}`, `{{% notice %}}`).

This journal does not run them: readers would see them as they are. Each one outside code
(fenced or indented blocks, `code spans`, <pre> and <code>) is a warning at its line, with
what to do. Pure: a function of the body's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.core.problems import Problem, warning

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.S)
_HTML_CODE = re.compile(r"<(code|pre|kbd|samp)\b[^>]*>.*?</\1>", re.S | re.I)
_PRE_OPEN = re.compile(r"<pre\b", re.I)
_PRE_CLOSE = re.compile(r"</pre>", re.I)
_SHORTCODE = re.compile(r"\{\{([<%])\s*(?:/\*)?\s*/?\s*([\w./-]+)?")
_LIQUID_TAG = re.compile(r"\{%-?\s*(\w+)[^\n]*?%\}")
_LIQUID_OUTPUT = re.compile(r"\{\{-?\s*([^}\n]{1,60}?)\s*-?\}\}")
_QUOTE_MARKS = re.compile(r"^(?: {0,3}> ?)+")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d{1,9}[.)])[ \t]")


@dataclass(frozen=True)
class Leftover:
    """One construct found: what it is, as a message names it."""

    line: int  # of the body, from 0
    what: str


def leftovers(body: str) -> list[Leftover]:
    """The constructs of another generator in `body`, outside code, one per line at most."""
    found: list[Leftover] = []
    if "{{" not in body and "{%" not in body:
        return found  # (every construct looked for starts so: most posts have none)
    fence: str | None = None
    in_pre = False
    blank_before = True
    in_list = False
    for index, whole in enumerate(body.split("\n")):
        line = _QUOTE_MARKS.sub("", whole)  # (code inside a quote block is code too)
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence, blank_before = None, True
            continue
        if opened:
            fence = opened.group(1)
            continue
        if in_pre:
            in_pre = not _PRE_CLOSE.search(line)
            continue
        if not line.strip():
            blank_before = True
            continue
        if _LIST_ITEM.match(line):
            in_list = True
        elif not _INDENTED.match(line):
            in_list = False
        if _INDENTED.match(line) and blank_before and not in_list:
            continue  # an indented code block (blank_before stays True for its next line)
        blank_before = False
        text = _CODE_SPAN.sub("", _HTML_CODE.sub("", line))
        pre = _PRE_OPEN.search(text)
        if pre is not None:
            in_pre = not _PRE_CLOSE.search(text, pre.start())
            text = text[: pre.start()]
        what = _first_construct(text)
        if what is not None:
            found.append(Leftover(index, what))
    return found


def _first_construct(text: str) -> str | None:
    shortcode = _SHORTCODE.search(text)
    if shortcode is not None:
        name = shortcode.group(2) or "?"
        return f"the Hugo shortcode {{{{{shortcode.group(1)} {name} ...}}}}"
    tag = _LIQUID_TAG.search(text)
    if tag is not None:
        return f"the Liquid tag {{% {tag.group(1)} ... %}}"
    output = _LIQUID_OUTPUT.search(text)
    if output is not None:
        return f"the template output {{{{ {output.group(1).strip()} }}}}"
    return None


def leftover_problems(key: str, body: str, body_line: int) -> list[Problem]:
    """A warning at each line of `body` (which starts at file line `body_line`) that holds
    another generator's template syntax outside code."""
    return [
        warning(
            key,
            body_line + item.line,
            f"{item.what} is left in the text and readers would see it as it is: write it "
            "in Markdown (an image, a link, a fenced code block), or put it in `backticks` "
            "if it is meant to show",
        )
        for item in leftovers(body)
    ]

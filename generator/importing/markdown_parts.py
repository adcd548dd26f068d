"""The parts of a Markdown text that are not code, for the conversions to work on: another
generator's syntax inside a fenced block or a `code span` is the author's example and stays
as it is. And the text set aside while the others work (`Shelf`: `{% raw %}` parts)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)

_MARK = re.compile(r"\x00(\d+)[^\x00]*\x00")
Change = Callable[[str, int], str]  # (text, its offset in the whole) -> new text


def outside_code(text: str, change: Change) -> str:
    """`text` with `change` applied to each stretch outside fenced code and code spans."""
    out: list[str] = []
    chunk: list[str] = []
    offset = 0
    chunk_start = 0
    fence: str | None = None
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence is None and opened is None:
            if not chunk:
                chunk_start = offset
            chunk.append(line)
        else:
            if chunk:
                out.append(_outside_spans("\n".join(chunk), chunk_start, change) + "\n")
                chunk = []
            if fence is None and opened is not None:
                fence = opened.group(1)
            elif opened is not None and fence is not None:
                mark = opened.group(1)
                if (
                    mark[0] == fence[0]
                    and len(mark) >= len(fence)
                    and not line.strip()[len(mark) :]
                ):
                    fence = None
            out.append(line + "\n")
        offset += len(line) + 1
    if chunk:
        out.append(_outside_spans("\n".join(chunk), chunk_start, change) + "\n")
    return "".join(out)[:-1] if out else text


def _outside_spans(text: str, start: int, change: Change) -> str:
    parts: list[str] = []
    last = 0
    for span in _CODE_SPAN.finditer(text):
        parts.append(change(text[last : span.start()], start + last))
        parts.append(span.group(0))
        last = span.end()
    parts.append(change(text[last:], start + last))
    return "".join(parts)


def in_code(text: str, change: Change) -> str:
    """`text` with `change` applied to the fenced code blocks' lines alone."""
    lines = text.split("\n")
    fence: str | None = None
    offset = 0
    for index, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is None:
            if opened is not None:
                fence = opened.group(1)
        elif (
            opened is not None
            and opened.group(1)[0] == fence[0]
            and not line.strip().strip(fence[0])
        ):
            fence = None
        else:
            lines[index] = change(line, offset)
        offset += len(line) + 1
    return "\n".join(lines)


@dataclass
class Shelf:
    """Texts set aside while the conversions run (a `{% raw %}` part), each left as a mark
    with as many line ends as it has, so that line numbers still hold."""

    kept: list[str] = field(default_factory=list)

    def put(self, text: str) -> str:
        self.kept.append(text)
        return f"\x00{len(self.kept) - 1}" + "\n" * text.count("\n") + "\x00"

    def back(self, text: str) -> str:
        """The text with every mark replaced by what it stands for (marks in it too)."""
        count = 1
        while count:
            text, count = _MARK.subn(lambda m: self.kept[int(m.group(1))], text)
        return text

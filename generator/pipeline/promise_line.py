"""The "Next:" line that ends a post: the forms a writer gives it, and the near misses.

The last line of a post's body is its promise when it is the journal's keyword (`Next` unless
journal.toml's `next_keyword` says otherwise), a colon and a title, in any case, with or
without emphasis: `Next: Title`, `next : Title`, `**Next:** Title`, `_Next_: Title`,
`*Next: Title*`. A last line that is a promise inside a quote, a list item or a heading, or
that uses `Next:` in a journal whose keyword is another, is left as text, with a warning that
says how to write it (`PromiseLines.near_miss`); the last item of a longer list is let be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_KEYWORD = "Next"
_MARKS = r"\*\*|__|\*|_"  # Markdown's emphasis marks, longest first
# What puts a line in a quote, a list or a heading: a promise there is no promise.
_BLOCK = re.compile(r"^\s*(?P<block>(?:>\s*)+|[-+*]\s+|\d{1,9}[.)]\s+|#{1,6}\s+)")
_MD_LINK = re.compile(r"^\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)$")


@dataclass(frozen=True)
class PromiseLine:
    """What a "Next:" line promises: the title (or slug) and, when written as a Markdown
    link, where it leads."""

    text: str
    href: str | None


def _pattern(keyword: str) -> re.Pattern[str]:
    word = re.escape(keyword)
    return re.compile(
        rf"""^\s*(?:
            (?P<m1>{_MARKS})\s*{word}\s*:\s*(?P=m1)           # **Next:** Title
            | (?P<m2>{_MARKS})\s*{word}\s*(?P=m2)\s*:         # **Next**: Title
            | (?P<m3>{_MARKS})\s*{word}\s*:(?P<inner>.*)(?P=m3)\s*$  # *Next: Title*
            | {word}\s*:                                      # Next: Title
        )(?P<rest>.*)$""",
        re.IGNORECASE | re.VERBOSE,
    )


class PromiseLines:
    """Reads the promise of one journal's keyword out of a post's last line."""

    def __init__(self, keyword: str = DEFAULT_KEYWORD) -> None:
        self.keyword = keyword
        self._pattern = _pattern(keyword)
        self._default = _pattern(DEFAULT_KEYWORD) if keyword.casefold() != "next" else None

    def promise(self, line: str) -> PromiseLine | None:
        """The promise that `line` makes; None when it is no promise (or names nothing)."""
        match = self._pattern.match(line)
        if match is None:
            return None
        rest = match.group("inner") if match.group("m3") else match.group("rest")
        written = promise_parts(_unwrapped(" ".join(rest.split())))
        if not written.text:  # "Next:" and blanks (or a link of blanks): no title, no promise
            return None
        return written

    def near_miss(self, line: str, before: str) -> str | None:
        """Why `line`, which is no promise, looks like one and is left as text, with how to
        write it; None when it does not look like one. `before`: the line above it (a list
        of several items that ends with "- Next: ..." is a list, not a promise)."""
        block = _BLOCK.match(line)
        inside = line[block.end() :] if block else line
        shown = f"{self.keyword}: Title"
        in_list = block is not None and _block_name(block.group("block")) == "a list item"
        if in_list and before.strip() and _BLOCK.match(before):
            return None
        if block is not None and self.promise(inside) is not None:
            what = _block_name(block.group("block"))
            return (
                f"this last line looks like a promise, but it is {what}, so it is shown as "
                f'text: write it as a line of its own, like "{shown}", to make it the promise'
            )
        if self._default is not None and self._default.match(inside):
            return (
                f"this last line starts with `{DEFAULT_KEYWORD}:`, but this journal's promise "
                f'keyword is "{self.keyword}" (next_keyword in journal.toml): write it as '
                f'"{shown}" to make it the promise'
            )
        return None


def _block_name(block: str) -> str:
    mark = block.strip()[:1]
    if mark == ">":
        return "in a quote"
    if mark == "#":
        return "a heading"
    return "a list item"


def _unwrapped(text: str) -> str:
    """The title without emphasis around the whole of it ("*Title*" -> "Title")."""
    for mark in ("**", "__", "*", "_"):
        size = len(mark)
        if len(text) > 2 * size and text.startswith(mark) and text.endswith(mark):
            return text[size:-size].strip()
    return text


def promise_parts(rest: str) -> PromiseLine:
    """A promise's text, and its link's target when written as `[Title](/2024/slug/)`."""
    link = _MD_LINK.match(rest)
    if link:
        return PromiseLine(" ".join(link.group("text").split()), link.group("href"))
    return PromiseLine(rest.strip(), None)

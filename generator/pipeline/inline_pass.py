"""Python-Markdown's inline pass (`markdown.treeprocessors.InlineProcessor`), step for step,
with less work per text: the same patterns in the same order, the same placeholders, the
same tree, the same raw HTML stored in the same order (Python-Markdown 3.11).

Python-Markdown tries every pattern on every text by a Python call that asks the registry
for the pattern (sorting it again) and starts a regular-expression iterator: most of a
conversion's time, spent on patterns that do not match. Here a pattern is passed over when
the text holds none of its needles (regex_needles.py: `[` for a link, `'` for a quote, `---`
for a dash), or when its expression finds nothing from where the search stands; a pattern
that does find something is applied as Python-Markdown applies it. A text that holds no
needle of any pattern is let through at once, and a tree none of whose texts holds one is
left as it is without a walk: most posts hold no straight quote, `--` or `...`, all that
smart punctuation looks for.

The recursion (one call of `_handle_inline` and one of `_apply_pattern` per level of
nesting) is Python-Markdown's own, so a text nested too deep fails at the same depth.

Adapted from Python-Markdown (https://github.com/Python-Markdown/markdown), copyright The
Python Markdown Project, under its BSD-3-Clause licence: the steps here follow its code line
for line where the same HTML depends on it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections import deque
from typing import Any

import markdown
from markdown import util
from markdown.inlinepatterns import InlineProcessor as Pattern
from markdown.treeprocessors import Treeprocessor

from generator.pipeline.regex_needles import Needles, needed_in, needles

_PREFIX = util.INLINE_PLACEHOLDER_PREFIX
_PLACEHOLDER = util.INLINE_PLACEHOLDER_RE

Node = etree.Element | str
Placed = tuple[etree.Element, list[str]]  # (as Python-Markdown's processor keeps them)


class LeanInlineProcessor(Treeprocessor):
    """Applies `patterns` to the text of a tree as `markdown.treeprocessors.InlineProcessor`
    does (registered under its name, "inline", it is found by the patterns that read its
    `stashed_nodes`). Every pattern must be a new-style `markdown.inlinepatterns
    .InlineProcessor`."""

    def __init__(
        self,
        md: markdown.Markdown,
        patterns: util.Registry[Any],
    ) -> None:
        super().__init__(md)
        self.inlinePatterns = patterns
        self.ancestors: list[str] = []
        self.stashed_nodes: dict[str, Node] = {}
        self._patterns: tuple[Pattern, ...] = ()
        self._expressions: tuple[re.Pattern[str], ...] = ()
        self._needles: tuple[Needles | None, ...] = ()
        self._any_needles: Needles | None = None  # one of these is in any text matched
        self._needles_of: dict[re.Pattern[str], Needles | None] = {}

    # ------------------------------------------------------------ patterns on a text

    def _handle_inline(self, data: str, pattern_index: int = 0) -> str:
        """`data` with every match of the patterns from `pattern_index` on replaced by a
        placeholder of the node it made."""
        if isinstance(data, util.AtomicString):
            return data
        if self._any_needles is not None and not needed_in(data, self._any_needles):
            return data  # (no pattern can match it)
        expressions = self._expressions
        all_needles = self._needles
        count = len(expressions)
        start = 0
        while pattern_index < count:
            texts = all_needles[pattern_index]
            if (texts is not None and not needed_in(data, texts)) or expressions[
                pattern_index
            ].search(data, start) is None:
                pattern_index += 1  # (what applying it would find: nothing)
                start = 0
                continue
            pattern = self._patterns[pattern_index]
            data, matched, start = self._apply_pattern(pattern, data, pattern_index, start)
            if not matched:
                pattern_index += 1
        return data

    def _apply_pattern(
        self, pattern: Pattern, data: str, pattern_index: int, start: int
    ) -> tuple[str, bool, int]:
        for exclude in pattern.ANCESTOR_EXCLUDES:
            if exclude.lower() in self.ancestors:
                return data, False, 0
        found = False
        node: Node | None = None
        begin: int | None = None
        end: int | None = None
        # The pattern may turn a match down: the next match is tried.
        for match in self._expressions[pattern_index].finditer(data, start):
            node, begin, end = pattern.handleMatch(match, data)
            if begin is not None and end is not None:
                found = True
                break
        if not found or begin is None or end is None:
            return data, False, 0
        if node is None:
            return data, True, end
        if not isinstance(node, str) and not isinstance(node.text, util.AtomicString):
            for child in [node, *node]:  # the node's own text and its children's
                if child.text:
                    self.ancestors.append(child.tag.lower())
                    child.text = self._handle_inline(child.text, pattern_index + 1)
                    self.ancestors.pop()
                if child.tail:
                    child.tail = self._handle_inline(child.tail, pattern_index)
        placeholder = self._stash_node(node)
        # Just past the placeholder: the rest of the text is searched next.
        return f"{data[:begin]}{placeholder}{data[end:]}", True, begin + len(placeholder)

    def _needles_for(self, expression: re.Pattern[str]) -> Needles | None:
        """The expression's needles (regex_needles.py), worked out once per converter."""
        if expression not in self._needles_of:
            self._needles_of[expression] = needles(expression)
        return self._needles_of[expression]

    def _stash_node(self, node: Node) -> str:
        key = f"{len(self.stashed_nodes):04d}"
        self.stashed_nodes[key] = node
        return util.INLINE_PLACEHOLDER % key

    # ------------------------------------------------------------ placeholders to nodes

    def _process_element_text(
        self, node: etree.Element, subnode: etree.Element, is_text: bool = True
    ) -> None:
        if is_text:
            text = subnode.text
            subnode.text = None
        else:
            text = subnode.tail
            subnode.tail = None
        child_result = self._process_placeholders(text, subnode, is_text)
        position = list(node).index(subnode) + 1 if not is_text and node is not subnode else 0
        child_result.reverse()
        for new_child in child_result:
            node.insert(position, new_child[0])

    def _process_placeholders(
        self, data: str | None, parent: etree.Element, is_text: bool = True
    ) -> list[Placed]:
        """The nodes of the placeholders in `data`, its text between them added to the
        text or tail before each, as Python-Markdown's processor leaves them."""
        result: list[Placed] = []

        def link_text(text: str | None) -> None:
            if not text:
                return
            if result:
                last = result[-1][0]
                last.tail = last.tail + text if last.tail else text
            elif not is_text:
                parent.tail = parent.tail + text if parent.tail else text
            else:
                parent.text = parent.text + text if parent.text else text

        start = 0
        while data:
            index = data.find(_PREFIX, start)
            if index == -1:
                text = data[start:]
                if isinstance(data, util.AtomicString):
                    text = util.AtomicString(text)
                link_text(text)
                data = ""
                continue
            found = _PLACEHOLDER.search(data, index)
            key, end = (found.group(1), found.end()) if found else (None, index + 1)
            if key is None or key not in self.stashed_nodes:  # not one of ours: left as text
                end = index + len(_PREFIX)
                link_text(data[start:end])
                start = end
                continue
            node = self.stashed_nodes[key]
            if index > 0:
                link_text(data[start:index])
            if isinstance(node, str):
                link_text(node)
                start = end
                continue
            for child in [node, *node]:
                if child.tail and child.tail.strip():
                    self._process_element_text(node, child, False)
                if child.text and child.text.strip():
                    self._process_element_text(child, child)
            start = end
            result.append((node, self.ancestors[:]))
        return result

    # ------------------------------------------------------------ the tree

    def run(self, root: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        """Applies the patterns to every text and tail of the tree that is not an
        `AtomicString`, breadth first, as Python-Markdown does."""
        self.stashed_nodes = {}
        if not self._patterns:
            self._take_patterns()
        if self._any_needles is not None and not _holds_any(root, (*self._any_needles, _PREFIX)):
            return root  # (no text can change: the walk would leave every one as it is)
        tree_parents = [] if ancestors is None else ancestors[:]
        tree_parents.append(root.tag.lower())  # (the root has no parent in its own tree)
        stack: deque[tuple[etree.Element, list[str]]] = deque([(root, tree_parents)])
        while stack:
            current, parents = stack.popleft()
            self.ancestors = parents
            if current is not root:
                self.ancestors.append(current.tag.lower())
            insert_queue: list[tuple[etree.Element, list[Placed]]] = []
            # (Nodes inserted after a child are visited in this same loop, as there.)
            for child in current:
                if child.text and not isinstance(child.text, util.AtomicString):
                    self.ancestors.append(child.tag.lower())
                    text = child.text
                    child.text = None
                    text = self._handle_inline(text)
                    joined = self._texts_put_back(text)
                    if joined is None:  # (elements: made one call deep, as there)
                        placed = self._process_placeholders(text, child)
                    else:
                        placed = []
                        child.text = joined or None
                    stack.extend(placed)
                    insert_queue.append((child, placed))
                    self.ancestors.pop()
                if child.tail:
                    tail = self._handle_inline(child.tail)
                    holder = etree.Element("d")
                    child.tail = None
                    joined = self._texts_put_back(tail)
                    if joined is None:
                        tail_result = self._process_placeholders(tail, holder, False)
                    else:
                        tail_result = []
                        holder.tail = joined or None
                    if holder.tail:
                        child.tail = holder.tail
                    if tail_result:
                        position = list(current).index(child) + 1
                        for new_child in reversed(tail_result):
                            current.insert(position, new_child[0])
                if len(child):
                    stack.append((child, self.ancestors[:]))
            for element, placed in insert_queue:
                for index, item in enumerate(placed):
                    element.insert(index, item[0])
        return root

    def _texts_put_back(self, data: str) -> str | None:
        """What `_process_placeholders` leaves of `data` when it holds no placeholder, or
        only placeholders of texts (smart punctuation's): `data` with each replaced by the
        text it stands for. None when it holds another (`_process_placeholders` does it)."""
        if _PREFIX not in data:
            return data
        if isinstance(data, util.AtomicString):
            return None
        pieces: list[str] = []
        last = 0
        for found in _PLACEHOLDER.finditer(data):
            node = self.stashed_nodes.get(found.group(1))
            if not isinstance(node, str):
                return None
            pieces += (data[last : found.start()], node)
            last = found.end()
        if len(pieces) // 2 != data.count(_PREFIX):  # (a start of one that is not whole)
            return None
        pieces.append(data[last:])
        return "".join(pieces)

    def _take_patterns(self) -> None:
        """The patterns in their order, their expressions and needles: taken at the first
        conversion, when every extension has registered its own."""
        self._patterns = tuple(self.inlinePatterns)
        for pattern in self._patterns:
            if not isinstance(pattern, Pattern):  # (the old style is matched another way)
                raise TypeError(f"not a new-style inline pattern: {pattern!r}")
        self._expressions = tuple(pattern.getCompiledRegExp() for pattern in self._patterns)
        self._needles = tuple(self._needles_for(expression) for expression in self._expressions)
        every = self._needles
        self._any_needles = None
        if every and all(texts is not None for texts in every):
            self._any_needles = tuple(sorted({t for texts in every if texts for t in texts}))


def _holds_any(root: etree.Element, texts: tuple[str, ...]) -> bool:
    """True if a text or tail of the tree holds one of `texts`."""
    for element in root.iter():
        for text in (element.text, element.tail):
            if text and needed_in(text, texts):
                return True
    return False

"""What a regular expression cannot match without: `needles(expression)` are texts one of
which every match holds, so that a text holding none of them is passed over by a few
substring tests (`needed_in`) instead of the expression's own search, which may try every
position of the text (an expression that starts with a look-behind or a choice does).

Read from the expression's parse (Python's `re._parser`): the longest run of literal
characters of the top-level sequence (`---`, `\\.{3}` as `...`), else one text of each
branch of a choice, of a group, of a repeat of one or more, or a character of a small class.
Anything not understood gives no needles, and the expression is searched as it is: needles
may be missing, never wrong.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

Needles = tuple[str, ...]  # one of them is in every text the expression matches

_MAX_NEEDLES = 16  # a class or a choice of more alternatives than that gives none


def needles(expression: re.Pattern[str]) -> Needles | None:
    """Texts one of which every match of `expression` holds, or None."""
    if expression.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(expression.pattern, str):
        return None
    try:
        parser = importlib.import_module("re._parser")
        tree = parser.parse(expression.pattern, expression.flags)
        found = _sequence(list(tree), parser)
    except (ImportError, AttributeError, TypeError, ValueError, re.error):
        return None
    return _fewest(found) if found else None


def needed_in(data: str, texts: Needles) -> bool:
    """True if one of `texts` is in `data`. (A loop, not `any()` of a generator: it is
    asked of every text for every pattern.)"""
    for text in texts:  # noqa: SIM110
        if text in data:
            return True
    return False


def _fewest(texts: frozenset[str]) -> Needles:
    """The texts without those that hold another (which is then in the data too), sorted."""
    return tuple(sorted(t for t in texts if not any(o != t and o in t for o in texts)))


def _sequence(items: list[tuple[Any, Any]], parser: Any) -> frozenset[str] | None:
    """The needles of a sequence: its longest literal run, else the best item's."""
    best: frozenset[str] | None = None
    run = ""
    runs: list[str] = []
    for op, value in items:
        if op == parser.LITERAL:
            run += chr(value)
            continue
        repeated = _repeated_literal(op, value, parser)
        if repeated is not None:
            char, low, high = repeated
            run += char * low
            if low == high:
                continue
        runs.append(run)
        run = ""
        found = _item(op, value, parser)
        if found is not None and _better(found, best):
            best = found
    runs.append(run)
    longest = max(runs, key=len)
    if longest and _better(frozenset({longest}), best):
        best = frozenset({longest})
    return best


def _better(found: frozenset[str], best: frozenset[str] | None) -> bool:
    """Fewer needles, then longer ones, rule out more texts."""
    if best is None:
        return True
    if len(found) != len(best):
        return len(found) < len(best)
    return min(map(len, found)) > min(map(len, best))


def _repeated_literal(op: Any, value: Any, parser: Any) -> tuple[str, int, int] | None:
    """(character, least, most) of a repeat of one literal character (`\\.{3}`)."""
    if op not in (parser.MAX_REPEAT, parser.MIN_REPEAT, parser.POSSESSIVE_REPEAT):
        return None
    low, high, inner = value
    inner_items = list(inner)
    if len(inner_items) != 1 or inner_items[0][0] != parser.LITERAL:
        return None
    return chr(inner_items[0][1]), low, high


def _item(op: Any, value: Any, parser: Any) -> frozenset[str] | None:
    """The needles of one item that is not a literal; None when it needs no text."""
    found: frozenset[str] | None = None
    if op == parser.IN:
        found = _class(value, parser)
    elif op == parser.SUBPATTERN:
        _group, add_flags, _del_flags, inner = value
        found = None if add_flags & re.IGNORECASE else _sequence(list(inner), parser)
    elif op == parser.ATOMIC_GROUP:
        found = _sequence(list(value), parser)
    elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT, parser.POSSESSIVE_REPEAT):
        low, _high, inner = value
        found = _sequence(list(inner), parser) if low >= 1 else None
    elif op == parser.BRANCH:
        _none, branches = value
        parts = [_sequence(list(branch), parser) for branch in branches]
        if all(part is not None for part in parts):
            found = frozenset().union(*(part for part in parts if part is not None))
    # (look-arounds, anchors, back references and the rest need no text of their own)
    if found is not None and len(found) > _MAX_NEEDLES:
        return None
    return found


def _class(members: list[tuple[Any, Any]], parser: Any) -> frozenset[str] | None:
    """The characters of a class of literals and small ranges; None for a negated class or
    one with a category (\\s, \\w...)."""
    chars: set[str] = set()
    for op, value in members:
        if op == parser.LITERAL:
            chars.add(chr(value))
        elif op == parser.RANGE and value[1] - value[0] < _MAX_NEEDLES:
            chars.update(chr(code) for code in range(value[0], value[1] + 1))
        else:
            return None
    return frozenset(chars)

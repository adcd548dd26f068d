"""The theme word's forms and how they are found in a post's text (pure).

In an English journal a theme file without `forms:` counts the word, its plural or singular
(inflect, through core/english.py) and, for a word made with -ship or -hood, the word it is
made from; in any other language, the word alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from generator.core.english import plural_noun, singular_of
from generator.core.text import html_to_text
from generator.pipeline.load import Theme
from generator.pipeline.markup import Rendered

# Suffixes that make a noun of a noun: "partnership" also counts "partner", "partners".
_NOUN_SUFFIXES = ("ship", "hood")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Found:
    """What one post's text holds of the word's forms."""

    count: int  # occurrences of any form
    first: str  # the first occurrence as written, e.g. "Partners"; empty when none
    forms: tuple[str, ...]  # the forms that occur (lower case), in the order they first do


# How mentions are counted: watch mode passes one that remembers each rendering's count.
MentionCounter = Callable[[Rendered, re.Pattern[str]], Found]


def noun_forms(word: str) -> list[str]:
    """A noun and its other number: partner -> partner, partners; releases -> releases,
    release; courage -> courage, courages (inflect cannot tell a noun that has no plural)."""
    singular = singular_of(word)
    if singular is not None:
        return [word, singular]
    return [word, plural_noun(word)]


def default_forms(word: str) -> tuple[str, ...]:
    """The forms counted for a word when its theme file names none: the word and its plural
    (or its singular, for a word that is a plural); for a word made with -ship or -hood, also
    the word it is made from and that word's plural (partnership -> partnership,
    partnerships, partner, partners). A phrase is counted as written, with no other forms."""
    base = " ".join(word.split()).lower()
    if not base or " " in base:
        return (base,) if base else ()
    forms = noun_forms(base)
    singular = singular_of(base) or base
    for suffix in _NOUN_SUFFIXES:
        stem = singular[: -len(suffix)]
        if singular.endswith(suffix) and len(stem) >= 3:
            forms += noun_forms(stem)
    return tuple(dict.fromkeys(forms))


def theme_forms(theme: Theme, english: bool = True) -> tuple[str, ...]:
    """The theme file's `forms:` (the word itself always counts), else the default forms:
    English ones in an English journal; in any other language, the word alone."""
    if not theme.forms:
        if english:
            return default_forms(theme.word)
        alone = " ".join(theme.word.split()).lower()
        return (alone,) if alone else ()
    return tuple(dict.fromkeys(" ".join(f.split()).lower() for f in (theme.word, *theme.forms)))


def forms_pattern(forms: Iterable[str]) -> re.Pattern[str] | None:
    """Any of the forms as a whole word (not inside another word), ignoring case."""
    parts = sorted({f for f in forms if f}, key=lambda f: (-len(f), f))
    if not parts:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, f.split())) for f in parts)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def mentions_in(text: str, pattern: re.Pattern[str]) -> Found:
    """How many times the pattern occurs in the text, its first occurrence as written, and
    the forms that occur."""
    found: list[str] = pattern.findall(text)
    forms = dict.fromkeys(_SPACES.sub(" ", f).lower() for f in found)
    return Found(len(found), found[0] if found else "", tuple(forms))


def count_mentions(rendered: Rendered, pattern: re.Pattern[str]) -> Found:
    """`mentions_in` the text of one rendering as a reader sees it (tags dropped, entities
    decoded)."""
    return mentions_in(html_to_text(rendered.html), pattern)

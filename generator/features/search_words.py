"""The words of the search index: how a text becomes the stems it is found by, and the compact
encoding of numbers the index files share with the search page's script (assets/search.js).

Both sides cut words the same way: the text is folded (NFKD, the combining accents U+0300
to U+036F dropped, NFC again, lower case), then every run of letters and digits is a word
(a run of Han, of hiragana or of katakana is one of its own); a word of one character is
left out, but in the scripts from U+3040 on. A word is found by its stem (Snowball's stemmer
for the journal's language, when Snowball has one: "walks" and "walking" are both "walk");
the script never stems, it looks the folded word up in the index, which maps each word found
in the posts to its stem.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import snowballstemmer  # type: ignore[import-untyped]
from babel import Locale

from generator.core.locales import parse_language

_ACCENTS = re.compile("[\u0300-\u036f]+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Runs of letters and digits; Han, hiragana and katakana each make words of their own, as
# Japanese and Chinese leave no spaces between words.
_RUN = re.compile(r"[^\W_]+")  # a run of letters and digits
_CJK_WORD = re.compile(  # within a run: Han, hiragana, katakana each apart from the rest
    f"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[\u3040-\u309f]+|[\u30a0-\u30ff]+|[^{_CJK}]+"
)
_WIDE = re.compile("[\u3040-\U0010ffff]")

TITLE_WEIGHT = 5  # a word of the title or of a tag counts as this many words of the text
MAX_WEIGHT = 31  # a word's weight in one post is at most this (one character of the code)

# Numbers as text: base 32 digits, the last one from TERMINAL, the others from MORE, so that
# a string of numbers needs no separator. assets/search.js has the same two alphabets.
TERMINAL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
MORE = "ghijklmnopqrstuvwxyz0123456789-_"


def encode_number(number: int) -> str:
    """A number >= 0 as base 32 digits (`TERMINAL` ends it)."""
    digits = TERMINAL[number & 31]
    number >>= 5
    while number:
        digits = MORE[number & 31] + digits
        number >>= 5
    return digits


def decode_numbers(text: str) -> list[int]:
    """The numbers of a string made by `encode_number`."""
    found: list[int] = []
    value = 0
    for char in text:
        terminal = TERMINAL.find(char)
        if terminal >= 0:
            found.append(value * 32 + terminal)
            value = 0
        else:
            value = value * 32 + MORE.index(char)
    return found


SMALL_NUMBERS = tuple(encode_number(number) for number in range(1024))


def fold(text: str) -> str:
    """Text as the index compares it: accents dropped, lower case."""
    if text.isascii():
        return text.lower()
    bare = _ACCENTS.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFC", bare).lower()


def words_of(text: str) -> list[str]:
    """The folded words of a text, in order: one letter alone is no word, unless it is of a
    script that writes words in one character or two (from U+3040 on: kana, Han, Hangul)."""
    return [word for run in _RUN.findall(fold(text)) for word in _words_in(run)]


def word_counts(text: str) -> Counter[str]:
    """How often each folded word of a text comes (`words_of`, counted: each run of letters
    is looked at once, however often it comes)."""
    runs = Counter(_RUN.findall(folded := fold(text)))
    if _WIDE.search(folded) is None:  # (the common case: every run of two or more is a word)
        for short in [run for run in runs if len(run) < 2]:
            del runs[short]
        return runs
    counts: Counter[str] = Counter()
    for run, count in runs.items():
        if len(run) > 1 and _WIDE.search(run) is None:
            counts[run] += count
        else:
            for word in _words_in(run):
                counts[word] += count
    return counts


def _words_in(run: str) -> list[str]:
    """The words of one run of letters and digits."""
    if _WIDE.search(run) is None:
        return [run] if len(run) > 1 else []
    return [w for w in _CJK_WORD.findall(run) if len(w) > 1 or w >= "\u3040"]


def stemmer_name(language: str) -> str | None:
    """Snowball's stemmer for a `language` setting ("en" -> "english"), or None when it has
    none (then every word is its own stem)."""
    locale = parse_language(language) or Locale("en")
    name = (Locale("en").languages.get(locale.language) or "").lower()
    if locale.language == "nb" or locale.language == "nn":
        name = "norwegian"
    return name if name in snowballstemmer.algorithms() else None


class Stems:
    """Each folded word's stem, worked out once per word (a journal uses a few thousand words
    many times each)."""

    def __init__(self, language: str) -> None:
        name = stemmer_name(language)
        self._stem: Callable[[str], str] = (
            snowballstemmer.stemmer(name).stemWord if name is not None else str
        )
        self._known: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        found = self._known.get(word)
        if found is None:
            found = self._known[word] = self._stem(word)
        return found

    def weigh(self, counts: Mapping[str, int], weight: int, into: dict[str, int]) -> None:
        """Add each word's count times `weight` to its stem's entry in `into`."""
        known, stem = self._known, self._stem
        for word, count in counts.items():
            found = known.get(word)
            if found is None:
                found = known[word] = stem(word)
            into[found] = into.get(found, 0) + weight * count


@dataclass(frozen=True)
class DocWords:
    """What the index holds of one post: each stem's weight, the words found, the length."""

    weights: Mapping[str, int]  # stem -> weight (text words, title and tag words weigh more)
    words: frozenset[str]  # the folded words of the post
    length: int  # the words of its text


NO_WORDS = DocWords({}, frozenset(), 0)


def doc_words(text: str, title: str, tags: tuple[str, ...], stems: Stems) -> DocWords:
    """The words of a post, from its plain text, title and tags."""
    counts = word_counts(text)
    length = sum(counts.values())
    heading = word_counts(" ".join((title, *tags)))
    weights: dict[str, int] = {}
    stems.weigh(counts, 1, weights)
    stems.weigh(heading, TITLE_WEIGHT, weights)
    capped = {stem: min(weight, MAX_WEIGHT) for stem, weight in weights.items()}
    return DocWords(capped, frozenset(counts.keys() | heading.keys()), length)


def length_code(length: int) -> str:
    """A post's length as one character: 4 steps per doubling (the script's ranking needs
    no more)."""
    return (TERMINAL + MORE)[min(63, int(4 * math.log2(length + 1)))]


def bucket_of(word: str, buckets: int) -> int:
    """Which file of `buckets` holds a word (FNV-1a of its UTF-8 bytes; the script computes
    the same)."""
    value = 0x811C9DC5
    for byte in word.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value % buckets

"""Text helpers shared by the stages: slugs, title matching, word counts."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+(?:['’][^\W_]+)*"
)


def slugify(text: str) -> str:
    """A lowercase, hyphenated slug; accents are dropped, other scripts (CJK...) are kept.

    May be empty (a title made only of emoji): callers use `slug_or_fallback`.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    composed = unicodedata.normalize("NFKC", stripped).casefold()
    return _NON_WORD.sub("-", composed).strip("-")


def slug_or_fallback(*candidates: str) -> str:
    """The first non-empty slug of the candidates, else a short stable hash of them."""
    for candidate in candidates:
        slug = slugify(candidate)
        if slug:
            return slug
    digest = hashlib.sha256("\n".join(candidates).encode("utf-8")).hexdigest()
    return f"post-{digest[:8]}"


def match_key(title: str) -> str:
    """The form titles are compared in: case folded, punctuation and spaces collapsed."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def plain_text(html: str) -> str:
    return _TAG.sub(" ", html)


def count_words(text: str) -> int:
    """Words in plain text; each CJK character counts as a word, as readers of those scripts do."""
    return len(_WORD.findall(text))

"""English nouns and numbers by inflect: plurals ("boundary" -> "boundaries"), singulars of
plurals ("releases" -> "release"), counted nouns ("1 post", "2 posts") and ordinals ("1st").

The commands' messages and the theme word's default forms are English; pages in other
languages take their plurals from the theme's catalogs (gettext's plural forms, Babel).

inflect is imported on first use, so a command that prints no noun does not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import inflect


def _engine() -> inflect.engine:
    import inflect

    return inflect.engine()


def plural_noun(noun: str) -> str:
    """The plural of a singular noun: box -> boxes, city -> cities, child -> children."""
    return str(_engine().plural_noun(noun)) or noun


def singular_of(word: str) -> str | None:
    """The singular of a plural noun (releases -> release, boundaries -> boundary), or None
    for a word that is singular already (courage, focus, kindness)."""
    engine = _engine()
    singular = engine.singular_noun(word)
    if not isinstance(singular, str) or singular == word:
        return None
    # inflect also takes an "s" off singular words ("focus" -> "focu"). A word that is a
    # plural already is one inflect can only add an "s" to (friends -> friendss, children ->
    # childrens), while a singular gets its real plural (focus -> focuses, lens -> lenses).
    if engine.plural_noun(singular) != word or engine.plural_noun(word) != word + "s":
        return None
    return str(singular)


def counted(count: int, noun: str, many: str | None = None) -> str:
    """ "1 post", "2 posts", "1,204 words"; `many` for a plural inflect does not know."""
    if count == 1:
        return f"{count:,} {noun}"
    return f"{count:,} {many or plural_noun(noun)}"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 11th, 22nd."""
    return str(_engine().ordinal(str(number)))

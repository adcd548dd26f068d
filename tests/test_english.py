"""English nouns and numbers by inflect (generator/core/english.py): the plurals of the
theme word's forms and of the commands' messages, and ordinals."""

from __future__ import annotations

from generator.core.english import counted, ordinal, plural_noun, singular_of
from generator.core.text import plural


def test_plurals_and_singulars_come_from_inflect() -> None:
    assert [plural_noun(w) for w in ("box", "church", "day", "city", "partner", "child")] == [
        "boxes",
        "churches",
        "days",
        "cities",
        "partners",
        "children",
    ]
    # A word that is a plural already has no plural of its own ("releaseses").
    assert [singular_of(w) for w in ("releases", "boundaries", "children", "friends")] == [
        "release",
        "boundary",
        "child",
        "friend",
    ]
    # ...and a singular that ends in s is no plural ("focu", "courage" has none either).
    assert [singular_of(w) for w in ("courage", "focus", "kindness", "lens", "series")] == [
        None,
        None,
        None,
        None,
        None,
    ]


def test_counted_nouns_and_ordinals() -> None:
    assert counted(1, "post") == "1 post"
    assert counted(2, "post") == "2 posts"
    assert counted(1204, "word") == "1,204 words"
    assert counted(0, "boundary") == "0 boundaries"
    assert counted(3, "promised post") == "3 promised posts"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
    ]


def test_the_commands_count_with_inflect() -> None:
    assert plural(2, "boundary") == "2 boundaries"
    assert plural(1, "mention") == "1 mention"

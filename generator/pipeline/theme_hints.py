"""Hints about the years' theme words (pure): a year that has posts but no word, and an intro
that is still the placeholder a new theme file starts with.

Both are warnings of the site, worked out from its years (`year_problems`), so that every
command that reads the site, and every rebuild of a watch session, reports them alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from generator.core.problems import Problem, warning
from generator.core.text import plural
from generator.pipeline.load import POSTS_DIR, Theme

if TYPE_CHECKING:
    from generator.pipeline.site import Year

# The intro `journal init` and `journal theme` write when none is given: shown on the year
# page as it is, and a warning until the writer puts their own words in its place.
PLACEHOLDER_INTRO = (
    "Why this word, this year? Replace this line with a sentence or two about the word."
)
# The placeholder of earlier versions of `journal init`, still in the journals they made.
EARLIER_PLACEHOLDERS = ("Why this word, this year.",)
_PLACEHOLDERS = frozenset(" ".join(p.split()) for p in (PLACEHOLDER_INTRO, *EARLIER_PLACEHOLDERS))


def is_placeholder(intro: str) -> bool:
    """True when `intro` is a placeholder intro as written, whatever its spacing."""
    return " ".join(intro.split()) in _PLACEHOLDERS


def missing_theme_problem(year: int, posts: int) -> Problem:
    """The one hint of a year that has posts but no theme word, with how to give it one."""
    return warning(
        f"{POSTS_DIR}/{year}",
        1,
        f"{year} has {plural(posts, 'post')} but no theme word: "
        f"run `journal theme {year} --word WORD`",
    )


def placeholder_problem(theme: Theme) -> Problem:
    """The warning of a theme whose intro is still the placeholder, at the intro's line."""
    return warning(
        theme.key,
        theme.intro_line,
        "the intro is still the placeholder `journal init` or `journal theme` wrote: write a "
        "sentence or two about the word",
    )


def year_problems(years: Sequence[Year]) -> list[Problem]:
    """The theme hints of the site's years: once per year, never once per post. A journal
    with no theme at all is one that does without the words: it is not asked for them."""
    if all(year.theme is None for year in years):
        return []
    problems: list[Problem] = []
    for year in years:
        theme = year.theme
        if theme is None:
            if year.posts:
                problems.append(missing_theme_problem(year.year, len(year.posts)))
        elif is_placeholder(theme.intro):
            problems.append(placeholder_problem(theme))
    return problems

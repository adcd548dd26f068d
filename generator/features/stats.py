"""A year in figures (pure): posts, words, days written, streaks, a calendar of the year, the
theme word's reach, and the posts written on the same day in earlier years.

Everything is worked out from the Site and the rendered Markdown passed in; no file access.
Dates are the posts' dates in the site's time zone.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from generator.core.locales import is_english
from generator.core.text import html_to_text
from generator.pipeline.load import Theme
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site

LEVELS = 4  # the darkest calendar level; 0 is a day without posts

# Suffixes that make a noun of a noun: "partnership" also counts "partner", "partners".
_NOUN_SUFFIXES = ("ship", "hood")
_SIBILANT_ENDS = ("s", "x", "z", "ch", "sh")
# English, whatever the machine's locale, so that output never depends on it (the year page
# names months in the journal's language: reviews.py).
MONTH_ABBR = (
    *("", "Jan", "Feb", "Mar", "Apr", "May", "Jun"),
    *("Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
)


@dataclass(frozen=True)
class Day:
    """One cell of the calendar: a day of the year and what was written on it."""

    day: date
    posts: tuple[str, ...]  # oldest first
    words: int
    level: int  # 0 (nothing written) to LEVELS (the most words of the year's days)
    column: int  # the week of the calendar grid, 0 for the week of 1 January
    row: int  # the weekday, Monday 0 to Sunday 6


@dataclass(frozen=True)
class MonthLabel:
    month: int  # 1 (January) to 12
    column: int  # the first week in which the month has four days or more

    @property
    def name(self) -> str:
        """The month in English: "Jan"."""
        return MONTH_ABBR[self.month]


@dataclass(frozen=True)
class Streak:
    days: int
    first: date | None
    last: date | None


@dataclass(frozen=True)
class Mention:
    key: str
    count: int
    first_form: str  # the first mention as written, e.g. "Partners"


@dataclass(frozen=True)
class Reach:
    """How often the year's word came up: the posts that mention one of its forms."""

    word: str
    forms: tuple[str, ...]
    posts: tuple[Mention, ...]  # the year's order, newest first
    mentions: int
    of_posts: int  # the year's posts

    @property
    def percent(self) -> int:
        """The share of the year's posts that mention the word, rounded half up."""
        part, whole = len(self.posts), self.of_posts
        return (200 * part + whole) // (2 * whole) if whole else 0


@dataclass(frozen=True)
class YearStats:
    year: int
    word: str | None
    posts: int
    words: int
    days_written: int
    streak: Streak
    days: tuple[Day, ...]  # every day of the year, 1 January first
    months: tuple[MonthLabel, ...]
    reach: Reach | None  # None for a year without a theme word

    @property
    def columns(self) -> int:
        return self.days[-1].column + 1 if self.days else 0

    @property
    def max_words(self) -> int:
        return max((d.words for d in self.days), default=0)


# ---------------------------------------------------------------- the theme word's forms


def plural_of(word: str) -> str:
    """A regular English plural: partner -> partners, box -> boxes, family -> families."""
    lower = word.lower()
    if lower.endswith(_SIBILANT_ENDS):
        return word + "es"
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def default_forms(word: str) -> tuple[str, ...]:
    """The forms counted for a word when its theme file names none: the word and its plural;
    for a word made with -ship or -hood, also the word it is made from and that word's plural
    (partnership -> partnership, partnerships, partner, partners). A phrase is counted as
    it is written, with no other forms."""
    base = " ".join(word.split()).lower()
    if not base or " " in base:
        return (base,) if base else ()
    forms = [base, plural_of(base)]
    for suffix in _NOUN_SUFFIXES:
        stem = base[: -len(suffix)]
        if base.endswith(suffix) and len(stem) >= 3:
            forms += [stem, plural_of(stem)]
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


def mentions_in(text: str, pattern: re.Pattern[str]) -> tuple[int, str]:
    """How many times the pattern occurs in the text, and its first occurrence as written."""
    found = pattern.findall(text)
    return len(found), (found[0] if found else "")


def count_mentions(rendered: Rendered, pattern: re.Pattern[str]) -> tuple[int, str]:
    """`mentions_in` the text of one rendering as a reader sees it (tags dropped, entities
    decoded)."""
    return mentions_in(html_to_text(rendered.html), pattern)


# How mentions are counted: watch mode passes one that remembers each rendering's count.
MentionCounter = Callable[[Rendered, re.Pattern[str]], tuple[int, str]]


def reach_of(
    theme: Theme,
    keys: Sequence[str],
    rendered: Mapping[str, Rendered],
    mentions: MentionCounter = count_mentions,
    english: bool = True,
) -> Reach:
    forms = theme_forms(theme, english)
    pattern = forms_pattern(forms)
    posts: list[Mention] = []
    if pattern is not None:
        for key in keys:
            count, first = mentions(rendered.get(key, _EMPTY), pattern)
            if count:
                posts.append(Mention(key, count, first))
    return Reach(
        word=theme.word,
        forms=forms,
        posts=tuple(posts),
        mentions=sum(m.count for m in posts),
        of_posts=len(keys),
    )


_EMPTY = Rendered("", "", 0)


# ---------------------------------------------------------------- days, streaks, calendar


def days_of_year(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range(366 if calendar.isleap(year) else 365)]


def posts_by_day(site: Site, keys: Iterable[str]) -> dict[date, list[str]]:
    """Each day -> its posts, oldest first (posts of the same moment in key order)."""
    by_day: dict[date, list[str]] = defaultdict(list)
    ordered = sorted(keys, key=lambda k: (site.posts[k].date.timestamp(), k))
    for key in ordered:
        by_day[site.local_date(key).date()].append(key)
    return by_day


def longest_streak(days: Iterable[date]) -> Streak:
    """The longest run of consecutive days; the earliest of equally long runs."""
    best = Streak(0, None, None)
    run_first: date | None = None
    previous: date | None = None
    for day in sorted(set(days)):
        if previous is None or day - previous != timedelta(days=1):
            run_first = day
        previous = day
        assert run_first is not None
        length = (day - run_first).days + 1
        if length > best.days:
            best = Streak(length, run_first, day)
    return best


def level_of(words: int, has_posts: bool, max_words: int) -> int:
    """0 without posts; else 1 to LEVELS by quarters of the year's busiest day: above three
    quarters of its words is LEVELS, a day with posts but no words is 1."""
    if not has_posts:
        return 0
    if max_words <= 0:
        return 1
    return max(1, min(LEVELS, -(-LEVELS * words // max_words)))


def calendar_days(
    year: int, by_day: Mapping[date, Sequence[str]], rendered: Mapping[str, Rendered]
) -> tuple[Day, ...]:
    words = {d: sum(rendered.get(k, _EMPTY).words for k in keys) for d, keys in by_day.items()}
    busiest = max((words[d] for d in words if d.year == year), default=0)
    offset = date(year, 1, 1).weekday()
    return tuple(
        Day(
            day=day,
            posts=tuple(by_day.get(day, ())),
            words=words.get(day, 0),
            level=level_of(words.get(day, 0), bool(by_day.get(day)), busiest),
            column=(offset + index) // 7,
            row=day.weekday(),
        )
        for index, day in enumerate(days_of_year(year))
    )


def month_labels(days: Sequence[Day]) -> tuple[MonthLabel, ...]:
    return tuple(
        MonthLabel(day.day.month, day.column if day.row <= 3 else day.column + 1)
        for day in days
        if day.day.day == 1
    )


def year_stats(
    site: Site,
    year: int,
    rendered: Mapping[str, Rendered],
    mentions: MentionCounter = count_mentions,
) -> YearStats:
    """The figures of one year (any year: one without posts has zeros)."""
    record = next((y for y in site.years if y.year == year), None)
    keys = record.posts if record is not None else ()
    theme = record.theme if record is not None else None
    by_day = posts_by_day(site, keys)
    days = calendar_days(year, by_day, rendered)
    return YearStats(
        year=year,
        word=theme.word if theme is not None else None,
        posts=len(keys),
        words=sum(rendered.get(k, _EMPTY).words for k in keys),
        days_written=len(by_day),
        streak=longest_streak(by_day),
        days=days,
        months=month_labels(days),
        reach=(
            reach_of(theme, keys, rendered, mentions, is_english(site.config.language))
            if theme is not None
            else None
        ),
    )


# ---------------------------------------------------------------- on this day


SameDayIndex = Mapping[tuple[int, int], Sequence[tuple[int, str]]]


def same_day_index(site: Site) -> dict[tuple[int, int], tuple[tuple[int, str], ...]]:
    """(month, day) -> (year, post) of the posts written on that date, newest first."""
    index: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for key in site.order:
        local = site.local_date(key)
        index[(local.month, local.day)].append((local.year, key))
    return {md: tuple(posts) for md, posts in index.items()}


def on_this_day(site: Site, key: str, index: SameDayIndex) -> tuple[str, ...]:
    """The posts written on the same month and day as `key` in earlier years, newest first."""
    local = site.local_date(key)
    return tuple(
        other for year, other in index.get((local.month, local.day), ()) if year < local.year
    )

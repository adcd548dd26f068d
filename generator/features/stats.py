"""A year in figures (pure): posts, words, days written, streaks of days, weeks written and
runs of weeks (a weekly writer's rhythm), a calendar of the year, the theme word's reach (its
forms: word_forms.py), and the posts written on the same day in earlier years.

Everything is worked out from the Site and the rendered Markdown passed in; no file access.
Dates are the posts' dates in the site's time zone.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from generator.core.locales import is_english
from generator.features.word_forms import (
    MentionCounter,
    count_mentions,
    forms_pattern,
    theme_forms,
)
from generator.pipeline.load import Theme
from generator.pipeline.markup import NO_RENDERING, Rendered
from generator.pipeline.site import Site

LEVELS = 4  # the darkest calendar level; 0 is a day without posts
# A year whose weeks written mostly hold this many posts or fewer is a weekly writer's: its
# page leads with weeks written and weeks in a row, not days.
WEEKLY_POSTS = 2


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
class Streak:
    days: int
    first: date | None
    last: date | None


@dataclass(frozen=True)
class WeekRun:
    """Weeks in a row with at least one post each."""

    weeks: int
    first: date | None  # the first day of its first week in the year
    last: date | None  # the last day of its last week in the year


@dataclass(frozen=True)
class Weeks:
    """The year counted in weeks, Monday to Sunday (the calendar's columns: the first and
    the last week may be partly in the year before or after)."""

    written: int  # weeks with at least one post
    of_weeks: int  # the year's weeks: 53 or 54
    longest: WeekRun  # the earliest of equally long runs
    weekly: bool  # most weeks written hold at most WEEKLY_POSTS posts: the page leads with weeks


@dataclass(frozen=True)
class Mention:
    key: str
    count: int
    first_form: str  # the first mention as written, e.g. "Partners"
    forms: tuple[str, ...]  # the forms it uses (lower case)


@dataclass(frozen=True)
class Reach:
    """How often the year's word came up: the posts that mention one of its forms."""

    word: str
    forms: tuple[str, ...]
    posts: tuple[Mention, ...]  # the year's order, newest first
    mentions: int
    of_posts: int  # the year's posts

    @property
    def used_forms(self) -> tuple[str, ...]:
        """The forms that came up in the year's posts, in the order of `forms`."""
        used = {form for mention in self.posts for form in mention.forms}
        return tuple(form for form in self.forms if form in used)

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
    weeks: Weeks
    days: tuple[Day, ...]  # every day of the year, 1 January first
    reach: Reach | None  # None for a year without a theme word

    @property
    def max_words(self) -> int:
        return max((d.words for d in self.days), default=0)


# ---------------------------------------------------------------- the theme word's reach


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
            found = mentions(rendered.get(key, _EMPTY), pattern)
            if found.count:
                posts.append(Mention(key, found.count, found.first, found.forms))
    return Reach(
        word=theme.word,
        forms=forms,
        posts=tuple(posts),
        mentions=sum(m.count for m in posts),
        of_posts=len(keys),
    )


_EMPTY = NO_RENDERING


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


def week_rhythm(days: Sequence[Day]) -> Weeks:
    """Weeks written, the longest run of them, and whether the writer writes weekly."""
    posts: dict[int, int] = defaultdict(int)
    spans: dict[int, list[date]] = defaultdict(list)
    for day in days:
        posts[day.column] += len(day.posts)
        spans[day.column].append(day.day)
    written = [column for column in sorted(posts) if posts[column]]
    best = WeekRun(0, None, None)
    run_first = previous = -2
    for column in written:
        if column != previous + 1:
            run_first = column
        previous = column
        if column - run_first + 1 > best.weeks:
            best = WeekRun(column - run_first + 1, spans[run_first][0], spans[column][-1])
    light = sum(1 for column in written if posts[column] <= WEEKLY_POSTS)
    return Weeks(
        written=len(written),
        of_weeks=len(spans),
        longest=best,
        weekly=2 * light > len(written),
    )


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
        weeks=week_rhythm(days),
        days=days,
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

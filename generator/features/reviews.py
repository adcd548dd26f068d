"""Ready-made views of a year in figures, for the templates (which only print them): the
review that the year page and /themes/ show, in the writer's rhythm (days or weeks), with its
calendar of the days written (twelve month grids), the theme word's reach and the year's
posts each with its mentions of the word, and the timeline of every year's review. Nothing
here depends on threads or promises, whose views are insights.py's. Their words, dates and
numbers are in the journal's language (`Views.language`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote

from babel.dates import get_day_names

from generator.features.stats import (
    LEVELS,
    Day,
    Mention,
    Reach,
    Streak,
    WeekRun,
    YearStats,
    year_stats,
)
from generator.features.word_forms import Found, count_mentions
from generator.pipeline.language import Language
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site, Year
from generator.pipeline.views import PostView, Views, YearView


@dataclass(frozen=True)
class CellView:
    level: int  # 0 (nothing written) to LEVELS
    label: str  # the day in words, e.g. "Monday 3 June 2024: “Title” and 1 more post, 540 words"
    url: str | None  # the first post of the day


@dataclass(frozen=True)
class MonthView:
    name: str  # "January", in the journal's language
    start: int  # the grid column of its first day: 1 (Monday) to 7 (Sunday)
    days: tuple[CellView, ...]


@dataclass(frozen=True)
class LegendEntry:
    level: int
    text: str


@dataclass(frozen=True)
class CalendarView:
    """The year as twelve small month grids, a row a week, Monday first."""

    months: tuple[MonthView, ...]
    weekdays: tuple[str, ...]  # the column heads, Monday first: "M", "T", ... ("M", "D", ...)
    summary: str  # the calendar in a sentence, for screen readers
    legend: tuple[LegendEntry, ...]  # what each level means, level 0 first


@dataclass(frozen=True)
class ReachPostView:
    title: str
    url: str
    highlight_url: str  # the post, with the first mention highlighted where browsers can
    date_iso: str
    date_human: str
    count: int


@dataclass(frozen=True)
class ReachView:
    word: str
    forms: tuple[str, ...]  # every form counted
    used_forms: tuple[str, ...]  # the forms that came up in the year's posts
    posts: tuple[ReachPostView, ...]
    count: int  # posts that mention the word
    of_posts: int
    mentions: int
    percent: int


@dataclass(frozen=True)
class ListedPost:
    """A post in the year page's list, with how often it mentions the year's word."""

    post: PostView
    mentions: int  # 0 when it does not mention the word
    highlight_url: str  # the post, with the first mention highlighted; empty without one
    label: str  # the mentions in words: "partnership: 3 times"; empty without one


@dataclass(frozen=True)
class ReviewView:
    """A year in figures, as the year page and /themes/ show it."""

    year: int
    posts: int
    words: int
    days_written: int
    days_in_year: int
    streak: int
    streak_dates: str  # e.g. "4–6 March 2024"; empty without posts
    streak_parts: tuple[str, ...]  # the dates in parts a line may break between
    weeks_written: int
    weeks_in_year: int
    week_streak: int  # the longest run of weeks in a row with a post each
    week_streak_parts: tuple[str, ...]  # its dates: ("26 February –", "5 May 2024")
    weekly: bool  # the writer's rhythm is weekly: weeks lead, days follow
    calendar: CalendarView
    reach: ReachView | None
    listed: tuple[ListedPost, ...]  # the year's posts, newest first, with their mentions


@dataclass(frozen=True)
class TimelineEntry:
    year: YearView
    review: ReviewView


def streak_text(streak: Streak | WeekRun, language: Language) -> str:
    return language.day_range(streak.first, streak.last)


# The dash between the two ends of a range of days, spaced: "30 March – 2 April 2024".
_BREAK_AFTER_DASH = re.compile(r"(?<=\s[–—-])\s")


def date_parts(text: str) -> tuple[str, ...]:
    """A range of days in parts that a line may break between, and never inside one:
    "30 March – 2 April 2024" -> ("30 March –", "2 April 2024"); a day alone is one part."""
    return tuple(part for part in _BREAK_AFTER_DASH.split(text) if part)


class YearReviews:
    """Makes the views of the years of one Site: figures, calendar and reach."""

    def __init__(self, site: Site, rendered: Mapping[str, Rendered], views: Views) -> None:
        self.site = site
        self.rendered = rendered
        self.views = views
        self._keys = {year.year: year.posts for year in site.years}
        self._reviews: dict[int, ReviewView] = {}  # (the year page and /themes/ show each)

    def _mentions(self, rendered: Rendered, pattern: re.Pattern[str]) -> Found:
        """The theme's mentions in one rendering, counted once per rendering (watch mode
        keeps the counts from build to build, with the views)."""
        name = f"mentions {pattern.pattern}"
        return self.views.derived(name, rendered, partial(count_mentions, rendered, pattern))

    def review(self, year: int) -> ReviewView:
        """A year's figures (the year page and /themes/ both show them)."""
        keys = self._keys.get(year, ())
        return self.views.container("review", year, keys, partial(self._made, year))

    def _made(self, year: int) -> ReviewView:
        found = self._reviews.get(year)
        if found is not None:
            return found
        stats = year_stats(self.site, year, self.rendered, self._mentions)
        language = self.views.language
        weeks = stats.weeks
        found = self._reviews[year] = ReviewView(
            year=year,
            posts=stats.posts,
            words=stats.words,
            days_written=stats.days_written,
            days_in_year=len(stats.days),
            streak=stats.streak.days,
            streak_dates=streak_text(stats.streak, language),
            streak_parts=date_parts(streak_text(stats.streak, language)),
            weeks_written=weeks.written,
            weeks_in_year=weeks.of_weeks,
            week_streak=weeks.longest.weeks,
            week_streak_parts=date_parts(streak_text(weeks.longest, language)),
            weekly=weeks.weekly,
            calendar=self.calendar(stats),
            reach=self.reach(stats.reach) if stats.reach is not None else None,
            listed=self.listed(self._keys.get(year, ()), stats.reach),
        )
        return found

    def listed(self, keys: Sequence[str], reach: Reach | None) -> tuple[ListedPost, ...]:
        """The year's posts as its page lists them, each with its mentions of the word."""
        mentioned = {m.key: m for m in reach.posts} if reach is not None else {}
        word = reach.word if reach is not None else ""
        listed = []
        for key in keys:
            post = self.views.post(key)
            mention = mentioned.get(key)
            found = f"{mention.count} {mention.first_form}" if mention else "none"
            name = f"listed {word} {found}"
            make = partial(listed_post, post, mention, word, self.views.language)
            listed.append(self.views.derived(name, post, make))
        return tuple(listed)

    def timeline(self) -> tuple[TimelineEntry, ...]:
        return tuple(self.timeline_entry(y) for y in self.site.years)

    def timeline_entry(self, year: Year) -> TimelineEntry:
        def make() -> TimelineEntry:
            return TimelineEntry(self.views.year(year), self.review(year.year))

        return self.views.container("timeline", year.year, year.posts, make)

    def reach(self, reach: Reach) -> ReachView:
        posts = [
            self.views.derived(
                f"reach {mention.count} {mention.first_form}",
                self.views.post(mention.key),
                partial(reach_post_view, self.views.post(mention.key), mention),
            )
            for mention in reach.posts
        ]
        return ReachView(
            word=reach.word,
            forms=reach.forms,
            used_forms=reach.used_forms,
            posts=tuple(posts),
            count=len(posts),
            of_posts=reach.of_posts,
            mentions=reach.mentions,
            percent=reach.percent,
        )

    def calendar(self, stats: YearStats) -> CalendarView:
        language = self.views.language
        narrow = get_day_names("narrow", "stand-alone", language.locale)
        months: dict[int, list[Day]] = {}
        for day in stats.days:
            months.setdefault(day.day.month, []).append(day)
        return CalendarView(
            months=tuple(
                MonthView(
                    name=language.month(month),
                    start=days[0].row + 1,
                    days=tuple(self.cell(day) for day in days),
                )
                for month, days in months.items()
            ),
            weekdays=tuple(str(narrow[weekday]) for weekday in range(7)),
            summary=calendar_summary(stats, language),
            legend=legend(stats.max_words, language),
        )

    def cell(self, day: Day) -> CellView:
        return CellView(
            level=day.level,
            label=day_label(
                day, [self.views.post(k).title for k in day.posts], self.views.language
            ),
            url=self.views.post(day.posts[0]).url if day.posts else None,
        )


def listed_post(
    post: PostView, mention: Mention | None, word: str, language: Language
) -> ListedPost:
    if mention is None:
        return ListedPost(post, 0, "", "")
    label = language.ngettext(
        "%(word)s: %(num)s time", "%(word)s: %(num)s times", mention.count, word=word
    )
    return ListedPost(post, mention.count, highlight_url(post, mention), label)


def highlight_url(post: PostView, mention: Mention) -> str:
    """The post's URL with a text fragment that highlights the first mention, where browsers
    can."""
    return f"{post.url}#:~:text={quote(mention.first_form, safe='')}"


def reach_post_view(post: PostView, mention: Mention) -> ReachPostView:
    return ReachPostView(
        title=post.title,
        url=post.url,
        highlight_url=highlight_url(post, mention),
        date_iso=post.date_iso,
        date_human=post.date_human,
        count=mention.count,
    )


def day_label(day: Day, titles: Sequence[str], language: Language) -> str:
    """Monday 3 June 2024: “Title” and 1 more post, 540 words."""
    when = language.weekday_date(day.day)
    if not titles:
        return language.gettext("%(day)s: nothing written", day=when)
    words = language.ngettext("%(num)s word", "%(num)s words", day.words)
    if len(titles) == 1:
        return language.gettext(
            "%(day)s: “%(title)s”, %(words)s", day=when, title=titles[0], words=words
        )
    return language.ngettext(
        "%(day)s: “%(title)s” and %(num)s more post, %(words)s",
        "%(day)s: “%(title)s” and %(num)s more posts, %(words)s",
        len(titles) - 1,
        day=when,
        title=titles[0],
        words=words,
    )


def calendar_summary(stats: YearStats, language: Language) -> str:
    if not stats.posts:
        return language.gettext("Calendar of %(year)s: nothing written yet.", year=stats.year)
    busiest = max(stats.days, key=lambda d: (d.words, -d.day.toordinal()))
    streak = ""
    if stats.streak.days > 1:
        streak = language.ngettext(
            "; the longest streak is %(num)s day (%(dates)s)",
            "; the longest streak is %(num)s days (%(dates)s)",
            stats.streak.days,
            dates=streak_text(stats.streak, language),
        )
    return language.gettext(
        "Calendar of %(year)s: %(posts)s on %(written)s of %(days)s days, %(words)s%(streak)s; "
        "the most words on %(busiest)s (%(busiest_words)s). "
        "Days with posts link to the day's first post.",
        year=stats.year,
        posts=language.ngettext("%(num)s post", "%(num)s posts", stats.posts),
        written=language.number(stats.days_written),
        days=len(stats.days),
        words=language.ngettext("%(num)s word", "%(num)s words", stats.words),
        streak=streak,
        busiest=language.day_month(busiest.day),
        busiest_words=language.number(busiest.words),
    )


def legend(max_words: int, language: Language) -> tuple[LegendEntry, ...]:
    """What each level of the calendar means in words written that day."""
    nothing = LegendEntry(0, language.gettext("no posts"))
    if max_words <= 0:
        return (nothing, LegendEntry(1, language.gettext("posts")))
    upper = [max_words * n // LEVELS for n in range(1, LEVELS + 1)]
    lower = [0, *[u + 1 for u in upper[:-1]]]
    return (
        nothing,
        *(
            LegendEntry(level, range_words(low, high, language))
            for level, low, high in zip(range(1, LEVELS + 1), lower, upper, strict=True)
        ),
    )


def range_words(low: int, high: int, language: Language) -> str:
    if low > high:
        return language.gettext("none")
    if low == high:
        return language.ngettext("%(num)s word", "%(num)s words", high)
    return language.gettext(
        "%(low)s–%(high)s words", low=language.number(low), high=language.number(high)
    )

"""Ready-made views of threads, open promises, a year's figures and calendar, the theme
word's reach and "on this day", for the templates (which only print them)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from urllib.parse import quote

from generator.core.text import match_key, plural
from generator.features.stats import (
    LEVELS,
    Day,
    Mention,
    Reach,
    SameDayIndex,
    Streak,
    YearStats,
    count_mentions,
    on_this_day,
    posts_by_day,
    same_day_index,
    year_stats,
)
from generator.features.threads import OpenPromise, Thread, open_promises, thread_index, threads_of
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site, Year
from generator.pipeline.views import Link, PostView, Views, YearView, human_date

# The calendar's geometry, in SVG user units: a cell, the distance between cells, room for
# the weekday labels on the left and the month labels on top.
CELL = 10
PITCH = 12
LEFT = 28
TOP = 16
# A thread longer than this shows, on a post's page, its first and last posts and the posts
# around the current one, so that a page's size does not grow with the thread.
THREAD_WINDOW = 9
THREAD_CONTEXT = 3
HOME_PROMISES = 5


@dataclass(frozen=True)
class ThreadItemView:
    title: str
    url: str
    date_iso: str
    date_human: str
    current: bool
    then: Link | None  # where its promise leads when that is not the next item shown
    then_back: bool  # `then` is an earlier post: the thread loops back
    gap_before: int  # posts left out before this one (a long thread on a post's page)
    branch: bool = False  # a side branch: it joins the thread's main line further on


@dataclass(frozen=True)
class ThreadView:
    id: str  # its anchor on /threads/
    url: str  # /threads/#id
    title: str  # the first post's title
    length: int  # posts
    first_date: str  # human
    last_date: str
    first_iso: str
    last_iso: str
    items: tuple[ThreadItemView, ...]
    gap_after: int  # posts left out after the last item shown before the coming end
    coming: str | None  # the promised title that is not written yet
    branches: bool
    loop: bool


@dataclass(frozen=True)
class PromiseView:
    title: str  # as promised
    source: Link  # the post that made the promise
    date_iso: str
    date_human: str


@dataclass(frozen=True)
class SameDayView:
    link: Link
    year: int
    date_iso: str


@dataclass(frozen=True)
class CellView:
    x: int
    y: int
    level: int
    label: str  # the day in words, e.g. "Monday 3 June 2024: 2 posts, 540 words"
    url: str | None  # the first post of the day


@dataclass(frozen=True)
class AxisLabel:
    text: str
    x: int
    y: int


@dataclass(frozen=True)
class LegendEntry:
    level: int
    text: str


@dataclass(frozen=True)
class CalendarView:
    width: int
    height: int
    cell: int
    cells: tuple[CellView, ...]
    months: tuple[AxisLabel, ...]
    weekdays: tuple[AxisLabel, ...]
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
    forms: tuple[str, ...]
    posts: tuple[ReachPostView, ...]
    count: int  # posts that mention the word
    of_posts: int
    mentions: int
    percent: int


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
    calendar: CalendarView
    reach: ReachView | None


@dataclass(frozen=True)
class TimelineEntry:
    year: YearView
    review: ReviewView


def day_range(first: date | None, last: date | None) -> str:
    """4 March 2024; 4–6 March 2024; 30 March – 2 April 2024."""
    if first is None or last is None:
        return ""
    if first == last:
        return f"{first.day} {first:%B} {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B} {last.year}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B} {last.year}"
    return f"{first.day} {first:%B} {first.year} – {last.day} {last:%B} {last.year}"


def streak_text(streak: Streak) -> str:
    return day_range(streak.first, streak.last)


@dataclass
class _Structure:
    """What follows from the site's structure alone, worked out when first needed and kept
    by the Insights of later builds of the same structure."""

    by_day: dict[int, dict[date, list[str]]] = field(default_factory=dict)  # year -> posts_by_day
    when: dict[date, str] = field(default_factory=dict)  # day -> day_when(day)
    thread_place: dict[str, int] = field(default_factory=dict)  # first post -> its thread's place


class Insights:
    """Makes the views of threads, promises, figures and reach of one Site."""

    def __init__(
        self,
        site: Site,
        rendered: Mapping[str, Rendered],
        views: Views,
        like: Insights | None = None,
        clean_years: frozenset[int] = frozenset(),
        renewed: frozenset[str] = frozenset(),
    ) -> None:
        """`like`: the Insights of a site of the same structure (the same posts in the same
        order, with the same dates, URLs, tags and promises), whose threads and same-day
        index are taken over, with the reviews of `clean_years` (years none of whose posts
        changed) and the views of the threads none of whose posts is `renewed` (the posts
        whose views were made again, not taken over)."""
        self.site = site
        self.rendered = rendered
        self.views = views
        self.urls = views.urls
        self._links: dict[str, Link] = {}
        self._reviews: dict[int, ReviewView] = {}
        if like is None:
            self.threads = threads_of(site)
            self.thread_of = thread_index(self.threads)
            self.same_day: SameDayIndex = same_day_index(site)
            self.open_promises = open_promises(site)
        else:
            self.threads, self.thread_of = like.threads, like.thread_of
            self.same_day = like.same_day
            self.open_promises = like.open_promises
            self._reviews = {y: r for y, r in like._reviews.items() if y in clean_years}
        self._structure: _Structure = like._structure if like is not None else _Structure()
        # The last thread views made, and the posts renewed since (see `thread_views`).
        self._thread_views: tuple[ThreadView, ...] | None = None
        self._last_thread_views: tuple[tuple[ThreadView, ...], frozenset[str]] | None = None
        if like is not None and like._thread_views is not None:
            self._last_thread_views = (like._thread_views, renewed)
        elif like is not None and like._last_thread_views is not None:
            made, before = like._last_thread_views
            self._last_thread_views = (made, before | renewed)
        self._same_day_views: dict[str, SameDayView] = {}

    def link(self, key: str) -> Link:
        if key not in self._links:
            self._links[key] = self.views.link(key)
        return self._links[key]

    # ------------------------------------------------------------ threads

    def thread_id(self, thread: Thread) -> str:
        return "thread-" + self.site.urls[thread.first].strip("/").replace("/", "-")

    def thread_views(self) -> tuple[ThreadView, ...]:
        """Every thread as /threads/ shows it (each taken over from the last build while
        none of its posts changed: only the threads of renewed posts are looked at)."""
        if self._thread_views is None:
            last = self._last_thread_views
            if last is None:
                found = [self._container_of(thread) for thread in self.threads]
            else:
                found = list(last[0])
                place = self._thread_place()
                for first in sorted({t.first for k in last[1] if (t := self.thread_of.get(k))}):
                    found[place[first]] = self._container_of(self.threads[place[first]])
            self._thread_views = tuple(found)
        return self._thread_views

    def _thread_place(self) -> dict[str, int]:
        """Each thread's first post -> its place in `threads` (kept with the structure)."""
        place = self._structure.thread_place
        if not place:
            place.update((thread.first, n) for n, thread in enumerate(self.threads))
        return place

    def _container_of(self, thread: Thread) -> ThreadView:
        make = partial(self.thread_view, thread)
        return self.views.container("thread", thread.first, thread.keys, make)

    def thread_view(self, thread: Thread, current: str | None = None) -> ThreadView:
        keys = thread.keys
        shown = self.shown_positions(len(keys), keys.index(current) if current else None)
        position = {key: i for i, key in enumerate(keys)}
        items = []
        previous = -1
        for index in shown:
            step = thread.steps[index]
            following = keys[index + 1] if index + 1 < len(keys) else None
            then = None
            if step.next is not None and step.next != following:
                then = self.link(step.next)
            post = self.views.post(step.key)
            items.append(
                ThreadItemView(
                    title=post.title,
                    url=post.url,
                    date_iso=post.date_iso,
                    date_human=post.date_human,
                    current=step.key == current,
                    then=then,
                    then_back=step.next is not None and position[step.next] <= index,
                    gap_before=index - previous - 1,
                    branch=step.branch,
                )
            )
            previous = index
        dates = sorted(self.site.local_date(k) for k in keys)
        thread_id = self.thread_id(thread)
        return ThreadView(
            id=thread_id,
            url=self.urls.path("threads/") + "#" + quote(thread_id),
            title=self.site.posts[thread.first].title,
            length=len(keys),
            first_date=human_date(dates[0]),
            last_date=human_date(dates[-1]),
            first_iso=dates[0].isoformat(),
            last_iso=dates[-1].isoformat(),
            items=tuple(items),
            gap_after=len(keys) - 1 - previous,
            coming=thread.coming,
            branches=thread.branches,
            loop=thread.loop,
        )

    @staticmethod
    def shown_positions(length: int, current: int | None) -> list[int]:
        """Every position, or for a long thread around a current post: the first, the last,
        and the posts near the current one."""
        if current is None or length <= THREAD_WINDOW:
            return list(range(length))
        near = range(max(0, current - THREAD_CONTEXT), min(length, current + THREAD_CONTEXT + 1))
        return sorted({0, length - 1, *near})

    def thread_keys(self, key: str) -> tuple[str, ...]:
        """The posts whose views the thread on a post's page shows (`thread_view`): the
        thread's first post (its title), the steps shown, and the posts they promise. In a
        long thread that is a window of it, not every post."""
        thread = self.thread_of.get(key)
        if thread is None or len(thread.steps) < 2:
            return ()
        found = {thread.first}
        for index in self.shown_positions(len(thread.keys), thread.keys.index(key)):
            step = thread.steps[index]
            found.add(step.key)
            if step.next is not None:
                found.add(step.next)
        return tuple(sorted(found))

    def post_thread(self, key: str) -> ThreadView | None:
        """The thread a post's page shows: only one of two posts or more (a lone post's
        pending promise is already on its page)."""
        thread = self.thread_of.get(key)
        if thread is None or len(thread.steps) < 2:
            return None
        return self.thread_view(thread, current=key)

    # ------------------------------------------------------------ promises, same day

    def coming_next_promises(self) -> tuple[OpenPromise, ...]:
        """The home page's short list: the newest open promises, one per title."""
        seen: set[str] = set()
        found: list[OpenPromise] = []
        for promise in reversed(self.open_promises):
            title = match_key(promise.text)
            if title in seen:
                continue
            seen.add(title)
            found.append(promise)
            if len(found) == HOME_PROMISES:
                break
        return tuple(found)

    def coming_next(self) -> tuple[PromiseView, ...]:
        return tuple(
            PromiseView(
                title=p.text,
                source=self.link(p.key),
                date_iso=p.date.isoformat(),
                date_human=human_date(p.date),
            )
            for p in self.coming_next_promises()
        )

    def on_this_day_keys(self, key: str) -> tuple[str, ...]:
        return on_this_day(self.site, key, self.same_day)

    def on_this_day(self, key: str) -> tuple[SameDayView, ...]:
        return tuple(self.same_day_view(o) for o in self.on_this_day_keys(key))

    def same_day_view(self, key: str) -> SameDayView:
        if key not in self._same_day_views:
            local = self.site.local_date(key)
            self._same_day_views[key] = SameDayView(self.link(key), local.year, local.isoformat())
        return self._same_day_views[key]

    # ------------------------------------------------------------ the year in figures

    def _mentions(self, rendered: Rendered, pattern: re.Pattern[str]) -> tuple[int, str]:
        """The theme's mentions in one rendering, counted once per rendering (watch mode
        keeps the counts from build to build, with the views)."""
        name = f"mentions {pattern.pattern}"
        return self.views.derived(name, rendered, partial(count_mentions, rendered, pattern))

    def review(self, year: int) -> ReviewView:
        """A year's figures (worked out once: the year page and /themes/ both show them)."""
        if year not in self._reviews:
            self._reviews[year] = self._review(year)
        return self._reviews[year]

    def _review(self, year: int) -> ReviewView:
        by_day = self._structure.by_day.get(year)
        if by_day is None:
            record = next((y for y in self.site.years if y.year == year), None)
            keys = record.posts if record is not None else ()
            by_day = self._structure.by_day[year] = dict(posts_by_day(self.site, keys))
        stats = year_stats(self.site, year, self.rendered, self._mentions, by_day)
        return ReviewView(
            year=year,
            posts=stats.posts,
            words=stats.words,
            days_written=stats.days_written,
            days_in_year=len(stats.days),
            streak=stats.streak.days,
            streak_dates=streak_text(stats.streak),
            calendar=self.calendar(stats),
            reach=self.reach(stats.reach) if stats.reach is not None else None,
        )

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
            posts=tuple(posts),
            count=len(posts),
            of_posts=reach.of_posts,
            mentions=reach.mentions,
            percent=reach.percent,
        )

    def calendar(self, stats: YearStats) -> CalendarView:
        cells = tuple(self.cell(day) for day in stats.days)
        months = tuple(AxisLabel(m.name, LEFT + m.column * PITCH, TOP - 5) for m in stats.months)
        weekdays = tuple(
            AxisLabel(name, 0, TOP + row * PITCH + CELL - 1)
            for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
        )
        return CalendarView(
            width=LEFT + stats.columns * PITCH,
            height=TOP + 7 * PITCH,
            cell=CELL,
            cells=cells,
            months=months,
            weekdays=weekdays,
            summary=calendar_summary(stats),
            legend=legend(stats.max_words),
        )

    def cell(self, day: Day) -> CellView:
        url = self.views.post(day.posts[0]).url if day.posts else None
        when = self._structure.when.get(day.day)
        if when is None:
            when = self._structure.when[day.day] = day_when(day.day)
        return CellView(
            x=LEFT + day.column * PITCH,
            y=TOP + day.row * PITCH,
            level=day.level,
            label=day_label(day, [self.site.posts[k].title for k in day.posts], when),
            url=url,
        )


def reach_post_view(post: PostView, mention: Mention) -> ReachPostView:
    return ReachPostView(
        title=post.title,
        url=post.url,
        highlight_url=f"{post.url}#:~:text={quote(mention.first_form, safe='')}",
        date_iso=post.date_iso,
        date_human=post.date_human,
        count=mention.count,
    )


def day_when(day: date) -> str:
    """Monday 3 June 2024."""
    return f"{day:%A} {day.day} {day:%B} {day.year}"


def day_label(day: Day, titles: Sequence[str], when: str | None = None) -> str:
    when = when or day_when(day.day)
    if not titles:
        return f"{when}: nothing written"
    more = f" and {plural(len(titles) - 1, 'more post')}" if len(titles) > 1 else ""
    return f"{when}: “{titles[0]}”{more}, {plural(day.words, 'word')}"


def calendar_summary(stats: YearStats) -> str:
    days = len(stats.days)
    if not stats.posts:
        return f"Calendar of {stats.year}: nothing written yet."
    busiest = max(stats.days, key=lambda d: (d.words, -d.day.toordinal()))
    streak = (
        f"; the longest streak is {plural(stats.streak.days, 'day')} ({streak_text(stats.streak)})"
        if stats.streak.days > 1
        else ""
    )
    return (
        f"Calendar of {stats.year}: {plural(stats.posts, 'post')} on "
        f"{stats.days_written:,} of {days} days, {plural(stats.words, 'word')}{streak}; "
        f"the most words on {busiest.day.day} {busiest.day:%B} ({busiest.words:,}). "
        "Days with posts link to the day's first post."
    )


def legend(max_words: int) -> tuple[LegendEntry, ...]:
    """What each level of the calendar means in words written that day."""
    if max_words <= 0:
        return (LegendEntry(0, "no posts"), LegendEntry(1, "posts"))
    upper = [max_words * n // LEVELS for n in range(1, LEVELS + 1)]
    lower = [0, *[u + 1 for u in upper[:-1]]]
    return (
        LegendEntry(0, "no posts"),
        *(
            LegendEntry(level, range_words(low, high))
            for level, low, high in zip(range(1, LEVELS + 1), lower, upper, strict=True)
        ),
    )


def range_words(low: int, high: int) -> str:
    if low > high:
        return "none"
    if low == high:
        return plural(high, "word")
    return f"{low:,}–{high:,} words"

"""Ready-made views of threads, open promises and "on this day", for the templates (which only
print them), their dates in the journal's language (`Views.language`); and `day_range`, a
span of days in English words, as `journal stats` shows a streak.

A year's figures, its calendar and the theme word's reach are made in reviews.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import pairwise
from urllib.parse import quote

from generator.core.locales import DEFAULT_LANGUAGE
from generator.core.text import match_key
from generator.features.stats import SameDayIndex, on_this_day, same_day_index
from generator.features.threads import OpenPromise, Thread, open_promises, thread_index, threads_of
from generator.pipeline.site import Site
from generator.pipeline.theme import theme_language
from generator.pipeline.views import Link, Views

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


def day_range(first: date | None, last: date | None) -> str:
    """4 March 2024; 4–6 March 2024; 30 March – 2 April 2024 (in English: the pages write
    theirs in the journal's language, `Language.day_range`)."""
    return theme_language(DEFAULT_LANGUAGE).day_range(first, last)


class Insights:
    """Makes the views of threads, promises and "on this day" of one Site."""

    def __init__(self, site: Site, views: Views) -> None:
        self.site = site
        self.views = views
        self.facts = views.container("thread facts", None, (), partial(_facts_of, site))
        self._same_day_views: dict[str, SameDayView] = {}

    # ------------------------------------------------------------ threads

    def thread_views(self) -> tuple[ThreadView, ...]:
        """Every thread as /threads/ shows it (one lookup while none of their posts changes,
        else one per thread: a journal has thousands)."""
        facts = self.facts
        return self.views.container("threads", None, facts.thread_keys, self._thread_views)

    def _thread_views(self) -> tuple[ThreadView, ...]:
        return tuple(
            self.views.container("thread", t.first, t.keys, partial(self.thread_view, t))
            for t in self.facts.threads
        )

    def thread_view(self, thread: Thread, current: str | None = None) -> ThreadView:
        keys = thread.keys
        shown = self.shown_positions(len(keys), keys.index(current) if current else None)
        position = {key: i for i, key in enumerate(keys)}
        items = []
        for previous, index in pairwise([-1, *shown]):
            step = thread.steps[index]
            following = keys[index + 1] if index + 1 < len(keys) else None
            then = None
            if step.next is not None and step.next != following:
                then = self.views.link(step.next)
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
        dates = sorted(self.site.local_date(k) for k in keys)
        thread_id = "thread-" + self.site.urls[thread.first].strip("/").replace("/", "-")
        return ThreadView(
            id=thread_id,
            url=self.views.urls.path("threads/") + "#" + quote(thread_id),
            title=self.views.link(thread.first).title,
            length=len(keys),
            first_date=self.views.language.date(dates[0]),
            last_date=self.views.language.date(dates[-1]),
            first_iso=dates[0].isoformat(),
            last_iso=dates[-1].isoformat(),
            items=tuple(items),
            gap_after=len(keys) - 1 - shown[-1],
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

    def post_thread(self, key: str) -> ThreadView | None:
        """The thread a post's page shows: only one of two posts or more (a lone post's
        pending promise is already on its page)."""
        thread = self.facts.thread_of.get(key)
        if thread is None or len(thread.steps) < 2:
            return None
        return self.thread_view(thread, current=key)

    # ------------------------------------------------------------ promises, same day

    def coming_next(self) -> tuple[PromiseView, ...]:
        """The home page's short list: the newest open promises, one per title."""
        seen: set[str] = set()
        found: list[PromiseView] = []
        for p in reversed(self.facts.open_promises):
            title = match_key(p.text)
            if title in seen:
                continue
            seen.add(title)
            when = self.views.language.date(p.date)
            found.append(PromiseView(p.text, self.views.link(p.key), p.date.isoformat(), when))
            if len(found) == HOME_PROMISES:
                break
        return tuple(found)

    def on_this_day(self, key: str) -> tuple[SameDayView, ...]:
        same_day = on_this_day(self.site, key, self.facts.same_day)
        return tuple(self.same_day_view(o) for o in same_day)

    def same_day_view(self, key: str) -> SameDayView:
        """One view per post, however many pages list it (at 10,000 posts, a view per page
        and post would be some 100,000 objects alive at once)."""
        link = self.views.link(key)  # (asked for each time: what each page reads is then known)
        found = self._same_day_views.get(key)
        if found is None:
            local = self.site.local_date(key)
            found = self._same_day_views[key] = SameDayView(link, local.year, local.isoformat())
        return found


@dataclass(frozen=True)
class _Facts:
    """What the site's structure alone says of threads, promises and days."""

    threads: tuple[Thread, ...]
    thread_keys: tuple[str, ...]  # the posts of every thread
    thread_of: Mapping[str, Thread]
    same_day: SameDayIndex
    open_promises: tuple[OpenPromise, ...]


def _facts_of(site: Site) -> _Facts:
    threads = threads_of(site)
    keys = tuple(key for thread in threads for key in thread.keys)
    return _Facts(threads, keys, thread_index(threads), same_day_index(site), open_promises(site))

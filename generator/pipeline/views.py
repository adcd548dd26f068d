"""Ready-made views of the Site for templates: URLs, dates, neighbours and chain state.

Templates only print these; they never query the graph. The text a post's view carries
(dates in words, summaries, the promise's HTML) is made in view_text.py.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar, cast
from urllib.parse import quote

from markupsafe import Markup, escape

from generator.pipeline.markup import Rendered, reading_minutes
from generator.pipeline.site import Site, Year
from generator.pipeline.view_text import (
    NextView,
    description_of,
    human_date,
    promise_html,
    standalone_summary,
    summary_html_of,
)

_BLOCK = 128  # views whose fragments are joined and kept together (see Views.fragments)


def _reference(view: object) -> Callable[[], object]:
    """A weak reference to the view (a strong one to what cannot have weak references)."""
    try:
        return weakref.ref(view)
    except TypeError:
        return lambda: view


T = TypeVar("T")
V = TypeVar("V")


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class SiteView:
    title: str
    author: str
    description: str
    language: str
    base_url: str
    home_url: str
    feed_url: str  # absolute
    css_url: str
    favicon_url: str
    nav: tuple[Link, ...]
    archive_url: str  # every post, for pages that point readers to it (404, search)


@dataclass(frozen=True)
class PostView:
    key: str
    title: str
    url: str
    abs_url: str
    date: datetime
    date_iso: str
    date_human: str
    year: int
    tags: tuple[Link, ...]
    html: str
    summary_html: str
    description: str
    words: int
    minutes: int
    theme: Link | None  # the year's theme word, linking to the year page
    next: NextView | None
    prev: tuple[Link, ...]
    newer: Link | None
    older: Link | None
    draft: bool

    @property
    def feed_html(self) -> str:
        """The content with the promise, for feeds, whose readers see no template. Made when
        asked: kept with every view, it would copy the text of every post that promises."""
        return self.html + promise_html(self.next)


@dataclass(frozen=True)
class YearView:
    year: int
    url: str
    word: str | None
    intro_html: str
    posts: tuple[PostView, ...]
    feed_url: str | None  # absolute; None for a year without posts


class Urls:
    """Builds site URLs that carry the path of base_url, and absolute ones for feeds."""

    def __init__(self, base_url: str, base_path: str) -> None:
        self.base_url = base_url
        self.base_path = base_path
        self._quoted: dict[str, str] = {}  # a site asks for the same URLs thousands of times

    def path(self, relative: str) -> str:
        return self.base_path + self._quote(relative)

    def absolute(self, relative: str) -> str:
        return self.base_url + self._quote(relative)

    def _quote(self, relative: str) -> str:
        quoted = self._quoted.get(relative)
        if quoted is None:
            quoted = self._quoted[relative] = quote(relative, safe="/")
        return quoted


class Views:
    """Makes the views of one Site, given each source's rendered Markdown.

    Watch mode passes the Views of its previous build as `reuse`: a post view whose inputs
    (`_inputs`) are equal to those it was made from is taken over as it is, so that a build
    after a one-post edit makes a few views rather than thousands (and the fingerprints of
    pages that show the same views are found without digesting them again).
    """

    def __init__(
        self,
        site: Site,
        rendered: Mapping[str, Rendered],
        reuse: Views | None = None,
        remember: bool = False,
    ) -> None:
        self.site = site
        self.rendered = rendered
        config = site.config
        self.urls = Urls(config.base_url, config.base_path)
        self._posts: dict[str, PostView] = {}
        self._links: dict[str, Link] = {}
        self._reuse = reuse if reuse is not None and reuse.site.config == config else None
        if reuse is not None:
            reuse._reuse = None  # (one build looks back one build: no chain of them all)
        self._inputs_of: dict[str, tuple[object, ...]] = {}
        self._remember = remember  # keep `derived` values, for a later build to take over
        # name -> id(view) -> (a weak reference to the view, value): checked on each use,
        # as an id can be reused once its view is gone (see `forget_dead`).
        self._derived: dict[str, dict[int, tuple[Callable[[], object], Any]]] = {}
        # Blocks of fragments joined, this build's and the last one's (see `fragments`):
        # (name, start, id of the first view) -> (the block's views, their fragments joined).
        self._blocks: dict[tuple[str, int, int], tuple[tuple[object, ...], str]] = {}
        self._blocks_before: Mapping[tuple[str, int, int], tuple[tuple[object, ...], str]] = {}
        # Views made of many posts' views (a year's posts, a tag's): (name, arg) -> (keys, view)
        self._containers: dict[tuple[str, object], tuple[tuple[str, ...], Any]] = {}

    def site_view(self) -> SiteView:
        config = self.site.config
        nav = (
            Link("Archive", self.urls.path("archive/")),
            Link("Themes", self.urls.path("themes/")),
            Link("Threads", self.urls.path("threads/")),
            Link("Tags", self.urls.path("tags/")),
            Link("Search", self.urls.path("search/")),
        )
        return SiteView(
            title=config.title,
            author=config.author,
            description=config.description,
            language=config.language,
            base_url=config.base_url,
            home_url=self.urls.path(""),
            feed_url=self.urls.absolute("feed.xml"),
            css_url=self.urls.path("assets/style.css"),
            favicon_url=self.urls.path("assets/favicon.svg"),
            nav=nav,
            archive_url=self.urls.path("archive/"),
        )

    def link(self, key: str) -> Link:
        found = self._links.get(key)
        if found is None:
            found = self._links[key] = Link(
                self.site.posts[key].title, self.urls.path(self.site.urls[key])
            )
        return found

    def post(self, key: str) -> PostView:
        found = self._posts.get(key)
        if found is None:
            found = self._posts[key] = self._reused(key) or self._make_post(key)
        return found

    def take_over(self, previous: Views, except_for: set[str]) -> None:
        """Start from every view `previous` made, but those of `except_for` (which are made
        again, or taken over by `post` if their inputs are the same): watch mode, when the
        site's structure did not change and only a few posts did."""
        self.urls = previous.urls
        self._posts = dict(previous._posts)  # (a copy, then a few deletions: thousands kept)
        self._inputs_of = dict(previous._inputs_of)
        for key in except_for:
            self._posts.pop(key, None)
            self._inputs_of.pop(key, None)
        self._derived = previous._derived  # (each value is checked against its view)
        self._blocks_before = previous._blocks  # (only those drawn again are kept)
        self._containers = {
            name: made
            for name, made in previous._containers.items()
            if except_for.isdisjoint(made[0])
        }

    def container(self, name: str, arg: object, keys: tuple[str, ...], make: Callable[[], T]) -> T:
        """A view made of the views of `keys` (and of the site's structure), made once: watch
        mode takes it over, the same object, while none of those posts changes; templates
        can then keep what they drew from it (`cached`)."""
        found = self._containers.get((name, arg))
        if found is None or found[0] != keys:
            found = (keys, make())
            if self._remember:  # (a build that will not run again needs each only once)
                self._containers[(name, arg)] = found
        return cast(T, found[1])

    def known(self, key: str) -> PostView | None:
        """The view of a post if it was made (or taken over) already."""
        return self._posts.get(key)

    def derived(self, name: str, view: object, make: Callable[[], T]) -> T:
        """A value made from one view (its search entry, ...), made once per view object: a
        later build that takes the view over takes the value over too. Only Views made to
        `remember` keep these (a one-off build would only hold them in memory)."""
        return self.derived_each(name, (view,), lambda _: make())[0]

    def derived_each(self, name: str, items: Iterable[V], make: Callable[[V], T]) -> list[T]:
        """`derived(name, item, partial(make, item))` for each item (in one loop: lists of
        thousands of posts are made of these)."""
        mine = self._derived.get(name)
        if mine is None:
            mine = {}
            if self._remember:
                self._derived[name] = mine
        theirs = self._reuse._derived.get(name, {}) if self._reuse is not None else {}
        found: list[T] = []
        for item in items:
            key = id(item)
            known = mine.get(key)
            if known is None or known[0]() is not item:
                known = theirs.get(key)
                if known is None or known[0]() is not item:
                    known = (_reference(item), make(item))
                mine[key] = known
            found.append(cast(T, known[1]))
        return found

    def forget_dead(self) -> int:
        """Forget what was derived from views that no longer exist (watch mode: those of
        edited posts, and of the lists that held them, would otherwise pile up build after
        build); how many values were forgotten."""
        forgotten = 0
        for table in self._derived.values():
            dead = [key for key, (view, _) in table.items() if view() is None]
            for key in dead:
                del table[key]
            forgotten += len(dead)
        return forgotten

    def fragment(self, name: str, macro: Callable[..., Any], view: object, *args: object) -> Any:
        """`cached(name, macro, view, ...)` in templates: what `macro(view, ...)` drew the
        first time, for as long as the view lives (see theme.draw_uncached)."""
        return self.derived(f"fragment {name} {args!r}", view, partial(macro, view, *args))

    def fragments(
        self, name: str, macro: Callable[..., Any], views: Iterable[object], *args: object
    ) -> Markup:
        """`cached_each(name, macro, views, ...)` in templates: `cached` for each view, joined
        (see theme.draw_each_uncached)."""
        # Each fragment is escaped once, when drawn (a no-op for what a macro returns), so
        # that joining thousands of them needs no look at each; and they are joined a block
        # of views at a time, each block kept while its views are the same: an edit of one
        # post in a list of thousands looks up and joins one block's fragments again.
        key = f"fragment {name} {args!r}"
        items = views if isinstance(views, tuple) else tuple(views)
        mine, theirs = self._blocks, self._blocks_before
        joined: list[str] = []
        for start in range(0, len(items), _BLOCK):
            block = items[start : start + _BLOCK]
            where = (key, start, id(block[0]))  # (the block holds its first view: no reuse)
            found = mine.get(where) or theirs.get(where)
            if found is None or found[0] != block:
                drawn = self.derived_each(key, block, lambda v: escape(macro(v, *args)))
                found = (block, "".join(drawn))
            if self._remember:
                mine[where] = found
            joined.append(found[1])
        return Markup("".join(joined))

    def _reused(self, key: str) -> PostView | None:
        """The previous build's view of this post, if it was made from the same inputs."""
        inputs = self._inputs_of[key] = self._inputs(key)
        previous = self._reuse
        if previous is None or previous._inputs_of.get(key) != inputs:
            return None
        return previous._posts.get(key)

    def _inputs(self, key: str) -> tuple[object, ...]:
        """Everything `_make_post(key)` reads: keep the two in step."""
        site = self.site
        year = site.year_of(key)
        chain = site.chains.get(key)
        return (
            site.posts[key],
            self.rendered.get(key),
            site.urls[key],
            None if year is None else (year.year, year.theme.word if year.theme else None),
            tuple((t.slug, t.name) for t in site.post_tags[key]),
            self._linked(site.newer.get(key)),
            self._linked(site.older.get(key)),
            None if chain is None else (chain.text, self._linked(chain.target)),
            tuple(self._linked(k) for k in site.backlinks.get(key, ())),
        )

    def _linked(self, key: str | None) -> tuple[str, str, str] | None:
        return None if key is None else (key, self.site.posts[key].title, self.site.urls[key])

    def _make_post(self, key: str) -> PostView:
        site = self.site
        post = site.posts[key]
        local = site.local_date(key)
        rendered = self.rendered.get(key, Rendered("", "", 0))
        year = site.year_of(key)
        theme = (
            Link(year.theme.word, self.urls.path(f"{year.year}/"))
            if year is not None and year.theme is not None
            else None
        )
        newer, older = site.newer.get(key), site.older.get(key)
        promise = self._next(key)
        return PostView(
            key=key,
            title=post.title,
            url=self.urls.path(site.urls[key]),
            abs_url=self.urls.absolute(site.urls[key]),
            date=local,
            date_iso=local.isoformat(),
            date_human=human_date(local),
            year=local.year,
            tags=tuple(
                Link(t.name, self.urls.path(f"tags/{t.slug}/")) for t in site.post_tags[key]
            ),
            html=rendered.html,
            summary_html=summary_html_of(
                post.summary,
                standalone_summary(rendered.summary_html, self.urls.path(site.urls[key])),
            ),
            description=description_of(post.summary, rendered.summary_html),
            words=rendered.words,
            minutes=reading_minutes(rendered.words),
            theme=theme,
            next=promise,
            prev=tuple(self.link(k) for k in site.backlinks.get(key, ())),
            newer=self.link(newer) if newer else None,
            older=self.link(older) if older else None,
            draft=post.draft,
        )

    def _next(self, key: str) -> NextView | None:
        chain = self.site.chains.get(key)
        if chain is None:
            return None
        if chain.target is None:
            return NextView(chain.text, None, None)
        title = self.site.posts[chain.target].title
        path = self.site.urls[chain.target]
        return NextView(title, self.urls.path(path), self.urls.absolute(path))

    def year(self, year: Year) -> YearView:
        return self.container("year", year.year, year.posts, partial(self._make_year, year))

    def _make_year(self, year: Year) -> YearView:
        intro = ""
        if year.theme is not None:
            intro = self.rendered.get(year.theme.key, Rendered("", "", 0)).html
        return YearView(
            year=year.year,
            url=self.urls.path(f"{year.year}/"),
            word=year.theme.word if year.theme else None,
            intro_html=intro,
            posts=tuple(self.post(k) for k in year.posts),
            feed_url=self.urls.absolute(f"{year.year}/feed.xml") if year.posts else None,
        )

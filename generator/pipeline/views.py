"""Ready-made views of the Site for templates: URLs, dates, neighbours and chain state.

Templates only print these; they never query the graph. The text a post's view carries
(summaries, the promise's HTML) is made in view_text.py, its date in words and the theme's
words in the journal's language by `Views.language` (language.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from markupsafe import Markup

from generator.pipeline.markup import Rendered, reading_minutes
from generator.pipeline.site import Site, Year
from generator.pipeline.theme import draw_each_uncached, draw_uncached, theme_language
from generator.pipeline.view_text import (
    NextView,
    description_of,
    promise_html,
    standalone_summary,
    summary_html_of,
)

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
    language: str  # as HTML's lang writes it: "en", "de-AT"
    base_url: str
    home_url: str
    feed_url: str  # absolute
    css_url: str
    favicon_url: str
    nav: tuple[Link, ...]
    archive_url: str  # every post, for pages that point readers to it (404, search)
    next_keyword: str  # the word that promises the next post: "Next"


@dataclass(frozen=True)
class PostView:
    key: str
    title: str
    url: str
    abs_url: str
    date: datetime
    date_iso: str
    date_human: str  # in the journal's language: "3 June 2024", "3. Juni 2024"
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
    """Makes the views of one Site, given each source's rendered Markdown: each post's view
    once per build, whatever the number of pages that show it.

    `language` writes dates and the theme's words in the journal's language.

    Another post's title reaches a view only through `link`. `container`, `derived`,
    `derived_each`, `fragment` and `fragments` name what is made of views (a year's view, a
    post's search entry, a drawn list item); here each is simply made.
    """

    def __init__(self, site: Site, rendered: Mapping[str, Rendered]) -> None:
        self.site = site
        self.rendered = rendered
        self.urls = Urls(site.config.base_url, site.config.base_path)
        self.language = theme_language(site.config.language)
        self._posts: dict[str, PostView] = {}
        self._links: dict[str, Link] = {}

    def site_view(self) -> SiteView:
        config = self.site.config
        gettext = self.language.gettext
        nav = (
            Link(gettext("Archive"), self.urls.path("archive/")),
            Link(gettext("Themes"), self.urls.path("themes/")),
            Link(gettext("Threads"), self.urls.path("threads/")),
            Link(gettext("Tags"), self.urls.path("tags/")),
            Link(gettext("Search"), self.urls.path("search/")),
        )
        return SiteView(
            title=config.title,
            author=config.author,
            description=config.description,
            language=self.language.tag,
            base_url=config.base_url,
            home_url=self.urls.path(""),
            feed_url=self.urls.absolute("feed.xml"),
            css_url=self.urls.path("assets/style.css"),
            favicon_url=self.urls.path("assets/favicon.svg"),
            nav=nav,
            archive_url=self.urls.path("archive/"),
            next_keyword=config.next_keyword,
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
            found = self._posts[key] = self._make_post(key)
        return found

    def container(self, name: str, arg: object, keys: tuple[str, ...], make: Callable[[], T]) -> T:
        """A view made of the views of `keys` and of the site's structure (`name`, `arg`:
        which one)."""
        return make()

    def derived(self, name: str, view: object, make: Callable[[], T]) -> T:
        """A value made from one view alone (its search entry, ...)."""
        return make()

    def derived_each(self, name: str, items: Iterable[V], make: Callable[[V], T]) -> list[T]:
        """`derived(name, item, partial(make, item))` for each item."""
        return [make(item) for item in items]

    def fragment(self, name: str, macro: Callable[..., Any], view: object, *args: object) -> Any:
        """`cached(name, macro, view, ...)` in templates: `macro(view, ...)`, a fragment
        made only of `view`."""
        return draw_uncached(name, macro, view, *args)

    def fragments(
        self, name: str, macro: Callable[..., Any], views: Iterable[object], *args: object
    ) -> Markup:
        """`cached_each(name, macro, views, ...)` in templates: `fragment` for each view,
        joined."""
        return draw_each_uncached(name, macro, views, *args)

    def _make_post(self, key: str) -> PostView:
        site = self.site
        post = site.posts[key]
        local = site.local_date(key)
        rendered = self.rendered.get(key, Rendered("", "", 0))
        url = self.urls.path(site.urls[key])
        year = site.year_of(key)
        theme = (
            Link(year.theme.word, self.urls.path(f"{year.year}/"))
            if year is not None and year.theme is not None
            else None
        )
        newer, older = site.newer.get(key), site.older.get(key)
        return PostView(
            key=key,
            title=post.title,
            url=url,
            abs_url=self.urls.absolute(site.urls[key]),
            date=local,
            date_iso=local.isoformat(),
            date_human=self.language.date(local),
            year=local.year,
            tags=tuple(
                Link(t.name, self.urls.path(f"tags/{t.slug}/")) for t in site.post_tags[key]
            ),
            html=rendered.html,
            summary_html=summary_html_of(
                post.summary, standalone_summary(rendered.summary_html, url)
            ),
            description=description_of(post.summary, rendered.summary_html),
            words=rendered.words,
            minutes=reading_minutes(rendered.words),
            theme=theme,
            next=self._next(key),
            prev=tuple(self.link(k) for k in site.backlinks.get(key, ())),
            newer=self.link(newer) if newer else None,
            older=self.link(older) if older else None,
            draft=post.draft,
        )

    def _next(self, key: str) -> NextView | None:
        chain = self.site.chains.get(key)
        if chain is None:
            return None
        keyword = self.site.config.next_keyword
        coming = self.language.gettext("(still to come)")
        if chain.target is None:
            return NextView(chain.text, None, None, keyword, coming)
        link = self.link(chain.target)
        absolute = self.urls.absolute(self.site.urls[chain.target])
        return NextView(link.title, link.url, absolute, keyword, coming)

    def year(self, year: Year) -> YearView:
        return self.container("year", year.year, year.posts, partial(self._make_year, year))

    def _make_year(self, year: Year) -> YearView:
        theme = year.theme
        return YearView(
            year=year.year,
            url=self.urls.path(f"{year.year}/"),
            word=theme.word if theme else None,
            intro_html=self.rendered.get(theme.key, Rendered("", "", 0)).html if theme else "",
            posts=tuple(self.post(k) for k in year.posts),
            feed_url=self.urls.absolute(f"{year.year}/feed.xml") if year.posts else None,
        )

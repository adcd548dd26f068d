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

from generator.pipeline.markup import NO_RENDERING, Rendered, reading_minutes
from generator.pipeline.site import Site, Year
from generator.pipeline.theme import draw_each_uncached, draw_uncached, theme_language
from generator.pipeline.theme_hints import is_placeholder
from generator.pipeline.view_text import (
    FootnoteLabels,
    NextView,
    description_of,
    labelled_footnotes,
    promise_html,
    standalone_summary,
    summary_html_of,
)
from generator.pipeline.wikilinks import Shown, titled_html

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
    custom_css_url: str | None  # the journal's assets/custom.css, linked after css_url
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
    html_utf8: bytes  # (as UTF-8, as in `Rendered`: half the memory of a str)
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
    mentions: tuple[Link, ...] = ()  # the posts that link here by title (`[[Title]]`)

    @property
    def html(self) -> str:
        return self.html_utf8.decode("utf-8")

    @property
    def feed_html(self) -> str:
        """The content with the promise, for feeds, whose readers see no template. Made when
        asked: kept with every view, it would copy the text of every post that promises."""
        return self.html + promise_html(self.next)


@dataclass(frozen=True)
class HomeLead:
    """What the home page leads with: the word of the journal's current year (the year of
    its newest post), or of the latest year before it that has one, and its intro's lead."""

    year: int
    word: str
    url: str  # the year page
    intro_html: str  # the intro's first paragraph (or what comes before `<!-- more -->`)


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

    `language` writes dates and the theme's words in the journal's language. `custom_css`:
    the journal has its own templates/assets/custom.css, which every page links.

    Another post's title reaches a view only through `link`. `container`, `derived`,
    `derived_each`, `fragment` and `fragments` name what is made of views (a year's view, a
    post's search entry, a drawn list item); here each is simply made.
    """

    watched = False  # a watch session's views, made again from the last build's (`carried`)

    def __init__(
        self, site: Site, rendered: Mapping[str, Rendered], custom_css: bool = False
    ) -> None:
        self.site = site
        self.rendered = rendered
        self.custom_css = custom_css
        self.urls = Urls(site.config.base_url, site.config.base_path)
        self.language = theme_language(site.config.language)
        self._posts: dict[str, PostView] = {}
        self._links: dict[str, Link] = {}
        gettext = self.language.gettext
        number = "%(number)s"  # (left in the translation: each link fills in its own)
        self.footnotes = FootnoteLabels(
            back=gettext("Back to footnote %(number)s in the text", number=number),
            note=gettext("Footnote %(number)s", number=number),
        )

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
            custom_css_url=self.urls.path("assets/custom.css") if self.custom_css else None,
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

    def carried(self, name: str, make: Callable[[Any], T]) -> T:
        """A value made from the last build's value of the same name (the search index): a
        build that runs once has none, `make(None)`."""
        return make(None)

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
        rendered = self.rendered.get(key, NO_RENDERING)
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
            html_utf8=self.shown_html(key, rendered),
            summary_html=summary_html_of(
                post.summary,
                standalone_summary(
                    labelled_footnotes(self.titled(key, rendered.summary_html), self.footnotes),
                    url,
                ),
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
            mentions=tuple(self.link(k) for k in site.wikilinks.mentions.get(key, ())),
        )

    def shown_html(self, key: str, rendered: Rendered) -> bytes:
        """A post's HTML as its page shows it (links by title, footnotes labelled), as UTF-8:
        the rendering's own bytes when nothing changes."""
        if b"footnote-" not in rendered.html_utf8 and not self.site.wikilinks.links.get(key):
            return rendered.html_utf8  # (nothing to change: not even decoded)
        html = rendered.html
        shown = labelled_footnotes(self.titled(key, html), self.footnotes)
        return rendered.html_utf8 if shown is html else shown.encode("utf-8")

    def titled(self, key: str, html: str) -> str:
        """`html` of the source `key` with its links by title made links (wikilinks.py)."""
        links = self.site.wikilinks.links.get(key)
        if not links:
            return html
        urls = {
            link.title: None if link.target is None else self.link(link.target).url
            for link in links
        }
        return titled_html(html, Shown(urls, self.language.gettext("(still to come)")))

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

    def home_lead(self) -> HomeLead | None:
        """The word the home page leads with: the current year's (the year of the newest
        post; with no post, the newest year), else the latest earlier year's that has one,
        else the earliest later one's; None when no year has a word."""
        site = self.site
        if not site.years:
            return None
        current = site.local_date(site.order[0]).year if site.order else site.years[0].year
        worded = [year for year in site.years if year.theme is not None]  # newest first
        chosen = next((y for y in worded if y.year <= current), worded[-1] if worded else None)
        if chosen is None or chosen.theme is None:
            return None
        theme = chosen.theme
        url = self.urls.path(f"{chosen.year}/")
        lead = self.titled(theme.key, self.rendered.get(theme.key, NO_RENDERING).summary_html)
        intro = "" if is_placeholder(theme.intro) else standalone_summary(lead, url)
        return HomeLead(year=chosen.year, word=theme.word, url=url, intro_html=intro)

    def year(self, year: Year) -> YearView:
        return self.container("year", year.year, year.posts, partial(self._make_year, year))

    def _make_year(self, year: Year) -> YearView:
        theme = year.theme
        return YearView(
            year=year.year,
            url=self.urls.path(f"{year.year}/"),
            word=theme.word if theme else None,
            intro_html=(
                self.titled(theme.key, self.rendered.get(theme.key, NO_RENDERING).html)
                if theme
                else ""
            ),
            posts=tuple(self.post(k) for k in year.posts),
            feed_url=self.urls.absolute(f"{year.year}/feed.xml") if year.posts else None,
        )

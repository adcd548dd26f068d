"""Ready-made views of the Site for templates: URLs, dates, neighbours and chain state.

Templates only print these; they never query the graph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from markupsafe import escape

from generator.markup import Rendered, reading_minutes
from generator.site import Site, Year
from generator.text import plain_text


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class NextView:
    """A "Next:" promise as shown: `url` is None while the promised post is not written."""

    title: str
    url: str | None
    abs_url: str | None


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
    feed_html: str  # the content with the promise, for feeds, whose readers see no template
    description: str
    words: int
    minutes: int
    theme: Link | None  # the year's theme word, linking to the year page
    next: NextView | None
    prev: tuple[Link, ...]
    newer: Link | None
    older: Link | None
    draft: bool


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

    def path(self, relative: str) -> str:
        return self.base_path + quote(relative, safe="/")

    def absolute(self, relative: str) -> str:
        return self.base_url + quote(relative, safe="/")


def human_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B} {moment.year}"


def promise_html(promise: NextView | None) -> str:
    if promise is None:
        return ""
    title = escape(promise.title)
    if promise.abs_url is None:
        return f'\n<p class="chain-to">Next: {title} (still to come)</p>'
    return f'\n<p class="chain-to">Next: <a href="{escape(promise.abs_url)}">{title}</a></p>'


_START_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_ID_ATTRIBUTE = re.compile(r'\sid="[^"]*"')
_PAGE_ANCHOR = re.compile(r'(\shref=")#')


def standalone_summary(summary_html: str, post_url: str) -> str:
    """A summary that works away from its post, on lists of many posts: its ids are dropped
    (they would repeat on the page) and its in-page links (`#fn:1`) lead to the post."""

    def fix(tag: re.Match[str]) -> str:
        without_ids = _ID_ATTRIBUTE.sub("", tag.group(0))
        return _PAGE_ANCHOR.sub(lambda m: f"{m.group(1)}{post_url}#", without_ids)

    return _START_TAG.sub(fix, summary_html) if "<" in summary_html else summary_html


def summary_html_of(summary: str | None, rendered_summary_html: str) -> str:
    """The front matter's `summary` (plain text) when the post has one, else the rendered one
    (before `<!-- more -->`, or the first paragraph)."""
    return f"<p>{escape(summary)}</p>" if summary is not None else rendered_summary_html


def description_of(summary: str | None, summary_html: str) -> str:
    text = summary if summary is not None else plain_text(summary_html)
    words = " ".join(text.split())
    return words if len(words) <= 200 else words[:199].rsplit(" ", 1)[0] + "…"


class Views:
    """Makes the views of one Site, given each source's rendered Markdown."""

    def __init__(self, site: Site, rendered: Mapping[str, Rendered]) -> None:
        self.site = site
        self.rendered = rendered
        config = site.config
        self.urls = Urls(config.base_url, config.base_path)
        self._posts: dict[str, PostView] = {}

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
        )

    def link(self, key: str) -> Link:
        return Link(self.site.posts[key].title, self.urls.path(self.site.urls[key]))

    def post(self, key: str) -> PostView:
        if key not in self._posts:
            self._posts[key] = self._make_post(key)
        return self._posts[key]

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
            feed_html=rendered.html + promise_html(promise),
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

"""Render stage: Site + templates -> {output path: bytes} (pure: no files, no clock).

`plan_pages` decides every page and its context; `page_chunks` runs a page's template
(`render_pages` runs them all at once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import groupby, islice
from typing import Any

import jinja2

from generator.insight_views import Insights, PromiseView
from generator.markup import Rendered
from generator.problems import Problem, error
from generator.search import SEARCH_INDEX, SEARCH_SCRIPT, search_entry, search_index_chunks
from generator.site import Site
from generator.views import Link, PostView, Views, YearView


@dataclass(frozen=True)
class PageMeta:
    title: str
    path: str  # the output file, e.g. "2024/partnership/index.html"
    url: str  # with the base path, e.g. "/journal/2024/partnership/"
    canonical: str  # absolute
    description: str
    feeds: tuple[Link, ...]  # <link rel="alternate"> for this page, absolute URLs


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    newer_url: str | None
    older_url: str | None


@dataclass(frozen=True)
class TagView:
    name: str
    url: str
    posts: tuple[PostView, ...]


@dataclass(frozen=True)
class MonthGroup:
    name: str
    posts: tuple[PostView, ...]


@dataclass(frozen=True)
class YearGroup:
    year: int
    url: str
    months: tuple[MonthGroup, ...]


@dataclass(frozen=True)
class Feed:
    title: str
    id: str
    self_url: str
    alt_url: str
    updated: str
    entries: tuple[PostView, ...]


@dataclass(frozen=True)
class SearchView:
    index_url: str  # the JSON index, with the base path
    script_url: str


@dataclass(frozen=True)
class Page:
    """One output file: `template` drawn with `context`, or, for a data file such as the
    search index, `make` called with `context` (then `template` only names the kind)."""

    path: str
    template: str
    context: Mapping[str, Any]
    make: Callable[[Mapping[str, Any]], Iterable[bytes]] | None = None  # bytes, in chunks


def render_pages(
    pages: Sequence[Page], env: jinja2.Environment
) -> tuple[dict[str, bytes], list[Problem]]:
    """Every page's bytes at once (the benchmarks time rendering alone with it)."""
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    failed: set[str] = set()
    for page in pages:
        if page.template in failed:
            continue
        try:
            files[page.path] = b"".join(page_chunks(page, env))
        except jinja2.TemplateError as exc:
            failed.add(page.template)
            problems.append(page_problem(exc, page.template))
    return files, problems


_PIECES = 1024  # template output pieces joined per chunk


def page_chunks(page: Page, env: jinja2.Environment) -> Iterator[bytes]:
    """The page's bytes in chunks (a big feed never has to be one string in memory); raises
    jinja2.TemplateError."""
    if page.make is not None:
        yield from page.make(page.context)
        return
    pieces = env.get_template(page.template).generate(page.context)
    while batch := list(islice(pieces, _PIECES)):
        yield "".join(batch).encode("utf-8")


def page_problem(exc: jinja2.TemplateError, template: str) -> Problem:
    """The error a template raised, at its file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return template_problem(exc, exc.lineno, template)
    return template_problem(exc, _line_in_template(exc), template)


def template_problem(exc: Exception, line: int, template: str) -> Problem:
    where = getattr(exc, "filename", None) or f"templates/{template}"
    return error(_relative_template(where), line, f"template error: {exc}")


def _relative_template(path: str) -> str:
    """Show a journal's template as templates/x.html, a built-in one by its package path."""
    marker = "/templates/"
    if marker in path:
        head, tail = path.rsplit(marker, 1)
        return ("generator" if head.endswith("generator") else "") + marker.lstrip("/") + tail
    return path


def _line_in_template(exc: Exception) -> int:
    tb = exc.__traceback__
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml", ".txt")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def plan_pages(site: Site, rendered: Mapping[str, Rendered]) -> list[Page]:
    """Every page of the site with the template that draws it and its ready-made context."""
    return plan_site(site, rendered)[0]


def plan_site(
    site: Site,
    rendered: Mapping[str, Rendered],
    reuse: Views | None = None,
    remember: bool = False,
) -> tuple[list[Page], Views]:
    """`plan_pages`, and the views made for them (watch mode hands them to the next build, to
    take over the views that did not change)."""
    views = Views(site, rendered, reuse, remember=remember)
    return list(Planner(site, views).pages()), views


class Planner:
    def __init__(self, site: Site, views: Views) -> None:
        self.site = site
        self.views = views
        self.urls = views.urls
        self.site_view = views.site_view()
        self.insights = Insights(site, views.rendered, views)
        self.site_feed = Link(f"{site.config.title} (all posts)", self.urls.absolute("feed.xml"))

    def meta(
        self, title: str, url_path: str, description: str = "", feeds: tuple[Link, ...] = ()
    ) -> PageMeta:
        file = url_path + "index.html" if url_path.endswith("/") or not url_path else url_path
        return PageMeta(
            title=title,
            path=file,
            url=self.urls.path(url_path),
            canonical=self.urls.absolute(url_path),
            description=description or self.site.config.description,
            feeds=(self.site_feed, *feeds),
        )

    def page(self, template: str, meta: PageMeta, **context: Any) -> Page:
        return Page(meta.path, template, {"site": self.site_view, "page": meta, **context})

    def pages(self) -> Iterator[Page]:
        yield from self.home_pages()
        yield from self.post_pages()
        yield from self.year_pages()
        yield self.themes_page()
        yield self.threads_page()
        yield from self.tag_pages()
        yield self.archive_page()
        yield self.search_page()
        yield self.not_found_page()
        yield self.feed_page("feed.xml", self.site.config.title, "", self.site.order)
        yield self.sitemap()
        yield Page("robots.txt", "robots.txt", {"sitemap_url": self.urls.absolute("sitemap.xml")})
        yield self.search_index()

    def search_index(self) -> Page:
        """The JSON index that the search page loads (made by code, not by a template)."""
        posts = tuple(self.views.post(key) for key in self.site.order)
        make = partial(_search_index_bytes, self.views)
        return Page(SEARCH_INDEX, "search index", {"posts": posts}, make=make)

    def home_pages(self) -> Iterator[Page]:
        per_page = self.site.config.posts_per_page
        order = self.site.order
        total = max(1, -(-len(order) // per_page))
        for number in range(1, total + 1):
            keys = order[(number - 1) * per_page : number * per_page]
            title = (
                self.site.config.title
                if number == 1
                else f"Page {number}"  # the template adds the site's title
            )
            pagination = Pagination(
                number=number,
                total=total,
                newer_url=self.urls.path(_home_path(number - 1)) if number > 1 else None,
                older_url=self.urls.path(_home_path(number + 1)) if number < total else None,
            )
            yield self.page(
                "home.html",
                self.meta(title, _home_path(number)),
                posts=tuple(self.views.post(k) for k in keys),
                pagination=pagination,
                promises=self.coming_next() if number == 1 else (),
            )

    def post_pages(self) -> Iterator[Page]:
        for key in self.site.order:
            post = self.views.post(key)
            yield self.page(
                "post.html",
                self.meta(post.title, self.site.urls[key], post.description),
                post=post,
                thread=self.insights.post_thread(key),
                on_this_day=self.insights.on_this_day(key),
            )

    def year_pages(self) -> Iterator[Page]:
        years = self.site.years
        for index, year in enumerate(years):
            view = self.views.year(year)
            feeds = (Link(f"{year.year} posts", view.feed_url),) if view.feed_url else ()
            title = f"{year.year}: {view.word}" if view.word else str(year.year)
            newer = years[index - 1] if index > 0 else None
            older = years[index + 1] if index + 1 < len(years) else None
            yield self.page(
                "year.html",
                self.meta(title, f"{year.year}/", feeds=feeds),
                year=view,
                review=self.insights.review(year.year),
                newer=Link(str(newer.year), self.urls.path(f"{newer.year}/")) if newer else None,
                older=Link(str(older.year), self.urls.path(f"{older.year}/")) if older else None,
            )
            if year.posts:
                yield self.feed_page(f"{year.year}/feed.xml", title, f"{year.year}/", year.posts)

    def year_views(self) -> tuple[YearView, ...]:
        return tuple(self.views.year(y) for y in self.site.years)

    def themes_page(self) -> Page:
        return self.page(
            "themes.html",
            self.meta("Themes", "themes/"),
            years=self.year_views(),
            timeline=self.insights.timeline(),
        )

    def threads_page(self) -> Page:
        threads = self.insights.thread_views()
        return self.page("threads.html", self.meta("Threads", "threads/"), threads=threads)

    def coming_next(self) -> tuple[PromiseView, ...]:
        """The home page's short list of open promises, unless `show_promises = false`."""
        return self.insights.coming_next() if self.site.config.show_promises else ()

    def tag_pages(self) -> Iterator[Page]:
        tags = tuple(
            TagView(
                t.name,
                self.urls.path(f"tags/{t.slug}/"),
                tuple(self.views.post(k) for k in t.posts),
            )
            for t in self.site.tags
        )
        yield self.page("tags.html", self.meta("Tags", "tags/"), tags=tags)
        for tag, view in zip(self.site.tags, tags, strict=True):
            yield self.page(
                "tag.html", self.meta(f"Tagged “{tag.name}”", f"tags/{tag.slug}/"), tag=view
            )

    def archive_page(self) -> Page:
        groups: list[YearGroup] = []
        posts = [self.views.post(k) for k in self.site.order]
        for year, in_year in groupby(posts, key=lambda p: p.year):
            months = tuple(
                MonthGroup(f"{first:%B}", tuple(items)) for first, items in _by_month(list(in_year))
            )
            groups.append(YearGroup(year, self.urls.path(f"{year}/"), months))
        return self.page("archive.html", self.meta("Archive", "archive/"), years=tuple(groups))

    def search_page(self) -> Page:
        search = SearchView(self.urls.path(SEARCH_INDEX), self.urls.path(SEARCH_SCRIPT))
        return self.page("search.html", self.meta("Search", "search/"), search=search)

    def not_found_page(self) -> Page:
        return self.page("404.html", self.meta("Page not found", "404.html"))

    def feed_page(self, path: str, title: str, alt_path: str, keys: Sequence[str]) -> Page:
        entries = tuple(self.views.post(k) for k in keys)
        updated = max((e.date for e in entries), default=None)
        feed = Feed(
            title=title,
            id=self.urls.absolute(path),
            self_url=self.urls.absolute(path),
            alt_url=self.urls.absolute(alt_path),
            updated=updated.isoformat() if updated else "1970-01-01T00:00:00+00:00",
            entries=entries,
        )
        return Page(path, "feed.xml", {"site": self.site_view, "feed": feed})

    def sitemap(self) -> Page:
        entries: list[tuple[str, str | None]] = [(self.urls.absolute(""), None)]
        for key in self.site.order:
            entries.append(
                (
                    self.urls.absolute(self.site.urls[key]),
                    self.site.local_date(key).date().isoformat(),
                )
            )
        for year in self.site.years:
            entries.append((self.urls.absolute(f"{year.year}/"), None))
        for fixed in ("themes/", "threads/", "tags/", "archive/"):
            entries.append((self.urls.absolute(fixed), None))
        for tag in self.site.tags:
            entries.append((self.urls.absolute(f"tags/{tag.slug}/"), None))
        return Page("sitemap.xml", "sitemap.xml", {"entries": tuple(entries)})


def _search_index_bytes(views: Views, context: Mapping[str, Any]) -> Iterator[bytes]:
    def entry(post: PostView) -> str:
        return views.derived("search entry", post, partial(search_entry, post))

    return search_index_chunks(context["posts"], entry=entry)


def _home_path(number: int) -> str:
    return "" if number <= 1 else f"page/{number}/"


def _by_month(posts: list[PostView]) -> Iterator[tuple[Any, list[PostView]]]:
    for _, items in groupby(posts, key=lambda p: p.date.month):
        group = list(items)
        yield group[0].date, group

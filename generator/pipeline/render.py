"""Render stage: Site + templates -> {output path: bytes} (pure: no files, no clock).

`plan_pages` decides every page and its context; `page_chunks` runs a page's template
(`render_pages` runs them all at once). The records that pages get beside the views are in
page_records.py, the drawing of feeds and the sitemap's entries in feeds.py, and where a
template error is reported in template_problems.py.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain, islice
from types import MappingProxyType
from typing import Any

import jinja2

from generator.core.problems import Problem
from generator.features.book.content import book_text
from generator.features.book.site_books import book_file, epub_chunks, published_pictures
from generator.features.insights import Insights
from generator.features.reviews import YearReviews
from generator.features.search import (
    SEARCH_INDEX,
    SEARCH_SCRIPT,
    SearchFiles,
    doc_path,
    docs_bytes,
    manifest_bytes,
    plural_counts,
)
from generator.features.search_index import SearchIndex
from generator.pipeline.aliases import REDIRECT_TEMPLATE, AliasTable, site_aliases
from generator.pipeline.feeds import Feed, feed_chunks, sitemap_entries
from generator.pipeline.markup import Rendered
from generator.pipeline.page_records import PageMeta, Pagination, SearchView, archive_year, tag_view
from generator.pipeline.picture_tags import lead_image
from generator.pipeline.site import Site, Year
from generator.pipeline.template_problems import line_in_template, template_problem
from generator.pipeline.views import Link, Views


@dataclass(frozen=True)
class Recipe:
    """What makes one page or a group of pages: its kind, and the post key, page number,
    year or tag slug it is made for."""

    kind: str
    arg: str | int | None = None


@dataclass(frozen=True)
class Page:
    """One output file: `template` drawn with `context`, or, for a file made by code (the
    search index, feeds), `make` called with `context` and the templates' environment (then
    `template` only names the kind, or the template `make` draws with)."""

    path: str
    template: str
    context: Mapping[str, Any]
    make: Callable[[Mapping[str, Any], jinja2.Environment], Iterable[bytes]] | None = None


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
    try:
        if page.make is not None:
            yield from page.make(page.context, env)
            return
        pieces = env.get_template(page.template).generate(page.context)
        while batch := list(islice(pieces, _PIECES)):
            yield "".join(batch).encode("utf-8")
    except RecursionError as exc:
        raise jinja2.TemplateRuntimeError(
            "drawing this page never ends: a template includes, extends or imports itself "
            "(directly or through another), or a macro calls itself without end"
        ) from exc


def page_problem(exc: jinja2.TemplateError, template: str) -> Problem:
    """The error a template raised, at its file and line."""
    line = exc.lineno if isinstance(exc, jinja2.TemplateSyntaxError) else line_in_template(exc)
    return template_problem(exc, line, template)


def plan_pages(
    site: Site, rendered: Mapping[str, Rendered], custom_css: bool = False
) -> list[Page]:
    """Every page of the site with the template that draws it and its ready-made context
    (`custom_css`: the pages link the journal's own assets/custom.css)."""
    planner = Planner(site, Views(site, rendered, custom_css))
    planner.search.begin()  # (the index, made beside the planning and drawing of the pages)
    return list(planner.pages())


class Planner:
    def __init__(self, site: Site, views: Views) -> None:
        self.site = site
        self.views = views
        self.urls = views.urls
        self.site_view = views.site_view()
        self.insights = Insights(site, views)
        self.reviews = YearReviews(site, views.rendered, views)
        self.gettext = views.language.gettext  # the theme's words in the journal's language
        self.site_feed_link = Link(
            self.gettext("%(title)s (all posts)", title=site.config.title),
            self.urls.absolute("feed.xml"),
        )
        self._tags_by_slug: dict[str, int] | None = None
        self._aliases: AliasTable | None = None
        self.search = SearchFiles(site, views)

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
            feeds=(self.site_feed_link, *feeds),
        )

    def page(self, template: str, meta: PageMeta, **context: Any) -> Page:
        return Page(meta.path, template, {"site": self.site_view, "page": meta, **context})

    def pages(self) -> Iterator[Page]:
        for recipe in self.recipes():
            yield from self.make(recipe)

    def recipes(self) -> Iterator[Recipe]:
        """Every page (or group of pages) of the site, in output order, without making them."""
        yield from (Recipe("home", n) for n in range(1, self.home_page_count() + 1))
        yield from (Recipe("post", key) for key in self.site.order)
        yield from (Recipe("year", year.year) for year in self.site.years)
        yield from (Recipe("book", year) for year in self.book_years())
        yield from (Recipe(kind) for kind in ("themes", "threads", "tags"))
        yield from (Recipe("tag", tag.slug) for tag in self.site.tags)
        for kind in ("archive", "search page", "404", "feed", "sitemap", "robots"):
            yield Recipe(kind)
        # (the posts' texts before the index: a build that runs once reads them for both)
        yield from (Recipe("search doc", n) for n in range(self.search.doc_files()))
        yield Recipe("search manifest")
        yield from (Recipe("search bucket", n) for n in range(self.search.buckets()))
        yield from (Recipe("redirect", key) for key in self.aliases().pages)

    def make(self, recipe: Recipe) -> Iterator[Page]:
        """The page(s) of one recipe."""
        kind, arg = recipe.kind, recipe.arg
        if kind == "home":
            yield self.home_page(int(arg or 1))
        elif kind == "post":
            yield self.post_page(str(arg))
        elif kind == "year":
            yield from self.year_pages(int(arg or 0))
        elif kind == "book":
            yield self.book_page(int(arg or 0))
        elif kind == "tag":
            yield self.tag_page(str(arg))
        elif kind == "search bucket":
            yield from self.search_bucket(int(arg or 0))
        elif kind == "search doc":
            yield self.search_doc(int(arg or 0))
        elif kind == "redirect":
            yield from self.redirect_pages(str(arg))
        else:
            yield self._single[kind](self)

    def aliases(self) -> AliasTable:
        if self._aliases is None:
            self._aliases = site_aliases(self.site)
        return self._aliases

    def redirect_pages(self, key: str) -> Iterator[Page]:
        """A page at each old URL of a post (its `aliases:`) that sends the reader on to it."""
        post = self.views.post(key)
        url = self.site.urls[key]
        for alias in self.aliases().pages[key]:
            meta = self.meta(post.title, alias.url, post.description)
            target = Link(post.title, self.urls.path(url))
            canonical = self.urls.absolute(url)
            yield self.page(REDIRECT_TEMPLATE, meta, target=target, canonical=canonical)

    def search_doc(self, number: int) -> Page:
        """A few posts' titles, URLs, dates and texts, for the search page's snippets (the
        texts are made as the file is written: thousands are never in memory at once)."""
        posts = tuple(self.views.post(key) for key in self.search.doc_keys(number))
        return Page(doc_path(number), "search doc", {"posts": posts}, make=self._search_doc)

    def _search_doc(self, context: Mapping[str, Any], env: jinja2.Environment) -> Iterator[bytes]:
        yield docs_bytes(self.search.file_docs(context["posts"]))

    def search_bucket(self, number: int) -> Iterator[Page]:
        """One file of words and one of stems of the search index (features/search_index.py)."""
        for path in self.search.bucket_paths(number):
            context = self._search_context(path, partial(_file_text, path=path))
            yield Page(path, "search index", context, make=self._search_file)

    def search_manifest(self) -> Page:
        """The file the search page loads first: the number of posts and files, the lengths."""
        context = self._search_context(SEARCH_INDEX, lambda index: index.lengths)
        return Page(SEARCH_INDEX, "search manifest", context, make=self._search_file)

    def _search_context(self, path: str, shown: Callable[[SearchIndex], str]) -> dict[str, str]:
        """A search file's context: in a watch session, which compares contexts, what the
        file shows; a build that runs once makes the index when it draws the first search
        file, after the pages have let go of what they held."""
        if self.views.watched:
            return {"path": path, "shows": shown(self.search.index())}
        return {"path": path}

    def _search_file(self, context: Mapping[str, Any], env: jinja2.Environment) -> Iterator[bytes]:
        path, index = context["path"], self.search.index()
        yield manifest_bytes(index) if path == SEARCH_INDEX else index.files[path].encode("utf-8")

    def changed_search_recipes(self, touched: Collection[str]) -> set[Recipe]:
        """After an edit of the `touched` posts in a watch session: the recipes of the search
        files whose bytes changed (their pages read no post: the index tells)."""
        changed = self.search.index(touched).changed
        found = {Recipe("search manifest")}
        for number in range(self.search.buckets()):
            if not changed.isdisjoint(self.search.bucket_paths(number)):
                found.add(Recipe("search bucket", number))
        return found

    def home_page_count(self) -> int:
        return max(1, -(-len(self.site.order) // self.site.config.posts_per_page))

    def home_page(self, number: int) -> Page:
        config, total = self.site.config, self.home_page_count()
        per_page = config.posts_per_page
        keys = self.site.order[(number - 1) * per_page : number * per_page]
        # (The template adds the site's title to "Page 2".)
        numbered = self.gettext("Page %(number)s", number=number)
        title = config.title if number == 1 else numbered
        pagination = Pagination(
            number=number,
            total=total,
            newer_url=self.urls.path(_home_path(number - 1)) if number > 1 else None,
            older_url=self.urls.path(_home_path(number + 1)) if number < total else None,
        )
        return self.page(
            "home.html",
            self.meta(title, _home_path(number)),
            posts=tuple(self.views.post(k) for k in keys),
            pagination=pagination,
            # Page 1 leads with the year's word; it lists the open promises when
            # `show_promises = true`.
            lead=self.views.home_lead() if number == 1 else None,
            promises=self.insights.coming_next() if number == 1 and config.show_promises else (),
        )

    def post_page(self, key: str) -> Page:
        post = self.views.post(key)
        meta = self.meta(post.title, self.site.urls[key], post.description)
        return self.page(
            "post.html",
            replace(meta, image=lead_image(post.html, post.abs_url)),
            post=post,
            thread=self.insights.post_thread(key),
            on_this_day=self.insights.on_this_day(key),
        )

    def year_pages(self, number: int) -> Iterator[Page]:
        """A year's page, and its feed when it has posts."""
        years = self.site.years
        year = self.year_record(number)
        index = years.index(year)
        view = self.views.year(year)
        feed_title = self.gettext("%(year)s posts", year=year.year)
        feeds = (Link(feed_title, view.feed_url),) if view.feed_url else ()
        title = f"{year.year}: {view.word}" if view.word else str(year.year)
        newer = years[index - 1] if index > 0 else None
        older = years[index + 1] if index + 1 < len(years) else None
        yield self.page(
            "year.html",
            self.meta(title, f"{year.year}/", feeds=feeds),
            year=view,
            review=self.reviews.review(year.year),
            newer=Link(str(newer.year), self.urls.path(f"{newer.year}/")) if newer else None,
            older=Link(str(older.year), self.urls.path(f"{older.year}/")) if older else None,
            book_url=self.book_url(year.year),
        )
        if year.posts:
            yield self.feed_page(f"{year.year}/feed.xml", title, f"{year.year}/", (year,))

    def book_years(self) -> tuple[int, ...]:
        """The years whose book the site holds (`books = true`): those with posts."""
        if not self.site.config.books:
            return ()
        return tuple(year.year for year in self.site.years if year.posts)

    def book_url(self, year: int) -> str | None:
        return self.urls.path(book_file(year)) if year in self.book_years() else None

    def book_page(self, number: int) -> Page:
        """A year's EPUB (made by code): its context is the book itself."""
        pictures = published_pictures(self.site.book_pictures, self.urls)
        book = book_text(self.views, self.year_record(number), pictures)
        return Page(book_file(number), "book", {"book": book}, make=epub_chunks)

    def themes_page(self) -> Page:
        return self.page(
            "themes.html",
            self.meta(self.gettext("Themes"), "themes/"),
            years=tuple(self.views.year(y) for y in self.site.years),
            timeline=self.reviews.timeline(),
        )

    def threads_page(self) -> Page:
        threads = self.insights.thread_views()
        meta = self.meta(self.gettext("Threads"), "threads/")
        return self.page("threads.html", meta, threads=threads)

    def tags_page(self) -> Page:
        tags = tuple(tag_view(self.views, t) for t in self.site.tags)
        return self.page("tags.html", self.meta(self.gettext("Tags"), "tags/"), tags=tags)

    def year_record(self, number: int) -> Year:
        return next(year for year in self.site.years if year.year == number)

    def tag_page(self, slug: str) -> Page:
        if self._tags_by_slug is None:
            self._tags_by_slug = {tag.slug: i for i, tag in enumerate(self.site.tags)}
        tag = self.site.tags[self._tags_by_slug[slug]]
        return self.page(
            "tag.html",
            self.meta(self.gettext("Tagged “%(name)s”", name=tag.name), f"tags/{tag.slug}/"),
            tag=tag_view(self.views, tag),
        )

    def archive_page(self) -> Page:
        groups = tuple(
            self.views.container("archive", y.year, y.posts, partial(archive_year, self.views, y))
            for y in self.site.years
            if y.posts
        )
        meta = self.meta(self.gettext("Archive"), "archive/")
        return self.page("archive.html", meta, years=groups)

    def search_page(self) -> Page:
        search = SearchView(self.urls.path(SEARCH_INDEX), self.urls.path(SEARCH_SCRIPT))
        meta = self.meta(self.gettext("Search"), "search/")
        plurals = plural_counts(self.site.config.language)
        return self.page("search.html", meta, search=search, search_plurals=plurals)

    def not_found_page(self) -> Page:
        return self.page("404.html", self.meta(self.gettext("Page not found"), "404.html"))

    def site_feed(self) -> Page:
        return self.feed_page("feed.xml", self.site.config.title, "", self.site.years)

    def robots(self) -> Page:
        return Page("robots.txt", "robots.txt", {"sitemap_url": self.urls.absolute("sitemap.xml")})

    def feed_page(self, path: str, title: str, alt_path: str, years: Sequence[Year]) -> Page:
        """A feed of the posts of `years`, newest first (as the site lists them); its `updated`
        is the first post's date. Its entries are the years' views, joined: after an edit, only
        the edited year's are made again."""
        by_year = tuple((year.posts, self.views.year(year).posts) for year in years if year.posts)
        entries = tuple(chain.from_iterable(posts for _, posts in by_year))
        feed = Feed(
            title=title,
            id=self.urls.absolute(path),
            self_url=self.urls.absolute(path),
            alt_url=self.urls.absolute(alt_path),
            updated=entries[0].date.isoformat() if entries else "1970-01-01T00:00:00+00:00",
            entries=entries,
            full=self.site.config.feed_full_posts,
        )
        make = partial(feed_chunks, self.views, by_year)
        return Page(path, "feed.xml", {"site": self.site_view, "feed": feed}, make=make)

    def sitemap(self) -> Page:
        entries = sitemap_entries(self.site, self.urls)
        return Page("sitemap.xml", "sitemap.xml", {"entries": entries})

    _single: Mapping[str, Callable[[Planner], Page]] = MappingProxyType(
        {
            "themes": themes_page,
            "threads": threads_page,
            "tags": tags_page,
            "archive": archive_page,
            "search page": search_page,
            "404": not_found_page,
            "feed": site_feed,
            "sitemap": sitemap,
            "robots": robots,
            "search manifest": search_manifest,
        }
    )  # recipe kind -> the method that makes its one page


def _file_text(index: SearchIndex, path: str) -> str:
    return index.files[path]


def _home_path(number: int) -> str:
    return "" if number <= 1 else f"page/{number}/"

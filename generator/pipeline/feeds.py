"""The site's listings for feed readers and search engines: the record feed.xml is drawn
with, the drawing of a feed, whose entries are drawn one post at a time and kept with the
post views (so that watch mode draws again only the entries of the posts that changed), and
the sitemap's entries. `render.Planner` plans the pages that use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import jinja2
from markupsafe import Markup

from generator.pipeline.site import Site
from generator.pipeline.views import PostView, Urls, Views


@dataclass(frozen=True)
class Feed:
    title: str
    id: str
    self_url: str
    alt_url: str
    updated: str
    entries: tuple[PostView, ...]  # newest first
    full: int  # the first `full` entries carry the post's whole text; the others, its summary


FEED_ENTRY = "feed-entry.xml"


def feed_chunks(
    views: Views,
    by_year: tuple[tuple[tuple[str, ...], tuple[PostView, ...]], ...],
    context: Mapping[str, Any],
    env: jinja2.Environment,
) -> Iterator[bytes]:
    """A feed: feed.xml around its entries, each drawn by feed-entry.xml once per post view
    and kept with it, and joined a year at a time (`by_year`: each year's keys and views, as
    `feed.entries` holds them), each year's entries kept together while none of them
    changes: an edit in watch mode draws one entry and joins one year's. (Views are not
    taken over across a change of templates, so what they keep was drawn by these.)"""
    entry_template = env.get_template(FEED_ENTRY)
    site, feed = context["site"], context["feed"]

    def drawn_with(full: bool) -> Callable[[PostView], str]:
        return lambda post: entry_template.render(site=site, post=post, full=full)

    def year_of_entries(start: int, posts: tuple[PostView, ...]) -> bytes:
        full, summary = posts[: max(0, feed.full - start)], posts[max(0, feed.full - start) :]
        return "".join(
            (
                *views.derived_each("feed entry", full, drawn_with(True)),
                *views.derived_each("feed summary", summary, drawn_with(False)),
            )
        ).encode("utf-8")

    # feed.xml is drawn around a mark where its entries go, then the entries, kept as bytes,
    # take the mark's place (a template of its own that draws feed.entries is drawn as is).
    around = env.get_template("feed.xml").render({**context, "entries": (Markup(_MARK),)})
    head, mark, tail = around.partition(_MARK)
    if not mark:
        yield around.encode("utf-8")
        return
    yield head.encode("utf-8")
    start = 0
    for keys, posts in by_year:
        made = partial(year_of_entries, start, posts)
        yield views.container("feed year", (feed.id, posts[0].year, start), keys, made)
        start += len(posts)
    yield tail.encode("utf-8")


_MARK = "\0feed entries\0"  # (no template output holds a NUL character)


def sitemap_entries(site: Site, urls: Urls) -> tuple[tuple[str, str | None], ...]:
    """Each page of the sitemap: its absolute URL, and a post's day (None for other pages)."""
    entries: list[tuple[str, str | None]] = [(urls.absolute(""), None)]
    for key in site.order:
        entries.append((urls.absolute(site.urls[key]), site.local_date(key).date().isoformat()))
    for year in site.years:
        entries.append((urls.absolute(f"{year.year}/"), None))
    for fixed in ("themes/", "threads/", "tags/", "archive/"):
        entries.append((urls.absolute(fixed), None))
    for tag in site.tags:
        entries.append((urls.absolute(f"tags/{tag.slug}/"), None))
    return tuple(entries)

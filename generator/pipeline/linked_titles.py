"""The links by title of a built site (wikilinks.py), put into its Site once the Markdown is
converted, by `journal build`, a watch session and `journal book` alike; and the pictures of
the site's books (`books = true`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.pipeline.crossrefs import SourceText
from generator.pipeline.load import THEMES_DIR, Journal, Post, SourceFiles, load_journal
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site
from generator.pipeline.wikilinks import Lines, TitleMemo, wikilink_graph


def with_wikilinks(
    site: Site,
    journal: Journal,
    rendered: Mapping[str, Rendered],
    lines: Lines,
    memo: TitleMemo | None = None,
) -> Site:
    """The site with its links by title (`Site.wikilinks`; their problems are in
    `site.wikilinks.problems`), and with `books = true` the pictures its books hold.
    (`memo`: a watch session's, kept from its last build.)"""

    def left_out() -> list[Post]:
        return [post for post in journal.posts if post.key not in site.posts]

    graph = wikilink_graph(rendered, site.posts, site.order, left_out, lines, memo)
    pictures = journal.static if site.config.books else ()
    if not graph.links and not site.wikilinks.links and pictures == site.book_pictures:
        return site
    return replace(site, wikilinks=graph, book_pictures=pictures)


def kept_lines(sources: Mapping[str, SourceText]) -> Lines:
    """Lines found in the texts at hand."""

    def text_of(key: str) -> tuple[str, int] | None:
        source = sources.get(key)
        return None if source is None else (source.text, source.first_line)

    return Lines(text_of)


def file_lines(root: Path, zone: ZoneInfo, keyword: str) -> Lines:
    """Lines found in the sources' files, read again when a problem asks (a build that let
    go of its Markdown)."""

    def text_of(key: str) -> tuple[str, int] | None:
        themed = key.startswith(THEMES_DIR + "/")
        files = SourceFiles(() if themed else (key,), (key,) if themed else (), (), ())
        again = load_journal(root, zone, files, keyword)
        for post in again.posts:
            return post.body, post.body_line
        for theme in again.themes:
            return theme.intro, theme.intro_line
        return None

    return Lines(text_of)

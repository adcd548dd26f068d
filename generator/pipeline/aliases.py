"""A post's old URLs (`aliases:`, or Jekyll's `redirect_from:`) and the redirect pages that
answer them.

A journal moved in from another blog (`journal import`) keeps the addresses readers and
search engines know: each alias gets a small page that sends the reader on to the post
(meta refresh, canonical link and a plain link: no script). Reading the front matter
(`post_aliases`) is part of the load stage; which aliases get a page, and the errors of
those that collide with a page of the site or with each other (`alias_table`), are worked
out from the Site alone; `render.Planner` draws the pages ("redirect" recipes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from generator.core.problems import Problem, error

if TYPE_CHECKING:  # (the site stage reads posts, whose aliases are read here)
    from generator.pipeline.site import Site

ALIAS_KEYS = ("aliases", "redirect_from")  # Hugo's name, and the jekyll-redirect-from plugin's
REDIRECT_TEMPLATE = "redirect.html"

# The pages every site has whatever its posts (render.Planner's single pages), and the
# folders whose files the theme or the search index make.
_FIXED_PAGES = frozenset(
    {
        "index.html",
        "themes/index.html",
        "threads/index.html",
        "tags/index.html",
        "archive/index.html",
        "search/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
    }
)
_FIXED_FOLDERS = ("assets/", "search/")
_HOME_PAGE = re.compile(r"^page/\d+/index\.html$")
_PAGE_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class Alias:
    """One old URL of a post: the path as the site serves it (without the base path, e.g.
    `2016/09/21/moving.html` or `blog/moving/`), the output file that answers it, and the
    front matter line it was written on."""

    url: str
    path: str
    line: int


@dataclass(frozen=True)
class AliasTable:
    """The aliases that get a redirect page, by post key (published posts only), and the
    errors of the others."""

    pages: Mapping[str, tuple[Alias, ...]]
    problems: tuple[Problem, ...]


NO_ALIASES = AliasTable(MappingProxyType({}), ())


def alias_of(text: str, line: int) -> Alias | str:
    """The alias a front matter value names, or why it names none (a message)."""
    value = text.strip()
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return (
            f'alias "{value}" is a whole address: write its path alone, like "{parts.path or "/"}"'
        )
    if parts.query or parts.fragment:
        return (
            f'alias "{value}" has a ? or # part, which a static site cannot answer: write '
            "its path alone"
        )
    path = unquote(parts.path).replace("\\", "/")
    segments = [s for s in path.split("/") if s]
    if not segments:
        return f'alias "{value}" is the home page: remove it'
    if any(s in (".", "..") for s in segments):
        return f'alias "{value}" has . or .. in it: write the path from the site\'s root'
    url = "/".join(segments)
    if url.endswith(_PAGE_SUFFIXES):
        return Alias(url, url, line)
    return Alias(url + "/", url + "/index.html", line)


def post_aliases(
    key: str,
    meta: Mapping[str, Any],
    lines: Mapping[str, int],
    items: Mapping[str, tuple[int, ...]],
) -> tuple[tuple[Alias, ...], list[Problem]]:
    """The aliases of a post's front matter (`aliases:` and `redirect_from:`, each a path or
    a list of paths), in order, once each; an error at each value that is not one."""
    found: list[Alias] = []
    problems: list[Problem] = []
    for name in ALIAS_KEYS:
        if name not in meta or meta[name] is None:
            continue
        value = meta[name]
        line = lines.get(name, 1)
        values: list[Any] = value if isinstance(value, list) else [value]
        item_lines = items.get(name, ()) if isinstance(value, list) else ()
        for index, item in enumerate(values):
            at = item_lines[index] if index < len(item_lines) else line
            if not isinstance(item, str) or not item.strip():
                message = f"each of `{name}` must be an old URL's path, like /2016/09/moving.html"
                problems.append(error(key, at, message))
                continue
            alias = alias_of(item, at)
            if isinstance(alias, str):
                problems.append(error(key, at, alias))
            elif all(alias.path != seen.path for seen in found):
                found.append(alias)
    return tuple(found), problems


def _site_paths(
    urls: Mapping[str, str], years: tuple[int, ...], tag_slugs: tuple[str, ...]
) -> dict[str, str]:
    """The output files of the site's pages, each with what it is (for messages)."""
    taken = {path: "a page of the site" for path in _FIXED_PAGES}
    for key, url in urls.items():
        taken[url + "index.html"] = f"the post {key}"
    for year in years:
        taken[f"{year}/index.html"] = f"the page of {year}"
        taken[f"{year}/feed.xml"] = f"the feed of {year}"
    for slug in tag_slugs:
        taken[f"tags/{slug}/index.html"] = f'the page of the tag "{slug}"'
    return taken


def _reserved(path: str, taken: Mapping[str, str]) -> str | None:
    if path in taken:
        return taken[path]
    if _HOME_PAGE.match(path):
        return "a page of the home page's list"
    if path.startswith(_FIXED_FOLDERS):
        return f"the site's {path.split('/', 1)[0]}/ folder"
    return None


def alias_table(
    order: tuple[str, ...],
    aliases: Mapping[str, tuple[Alias, ...]],
    urls: Mapping[str, str],
    years: tuple[int, ...],
    tag_slugs: tuple[str, ...],
) -> AliasTable:
    """Which aliases of the published posts (`order`) get a redirect page: not one that is a
    page of the site (an error), nor one another post took first, in key order (an error)."""
    if not aliases:
        return NO_ALIASES  # (most journals: no 10,000-entry table of the site's pages)
    taken = _site_paths(urls, years, tag_slugs)
    owner: dict[str, str] = {}
    pages: dict[str, tuple[Alias, ...]] = {}
    problems: list[Problem] = []
    for key in sorted(order):
        kept: list[Alias] = []
        for alias in aliases.get(key, ()):
            clash = _reserved(alias.path, taken)
            if clash is None and alias.path in owner:
                clash = f"an alias of {owner[alias.path]}"
            if clash is not None:
                message = f"alias /{alias.url} is already {clash}: remove it, or change one of them"
                problems.append(error(key, alias.line, message))
                continue
            owner[alias.path] = key
            kept.append(alias)
        if kept:
            pages[key] = tuple(kept)
    return AliasTable(pages, tuple(problems))


def site_aliases(site: Site) -> AliasTable:
    """The `alias_table` of a Site's published posts."""
    return alias_table(
        site.order,
        {key: post.aliases for key, post in site.posts.items() if post.aliases},
        site.urls,
        tuple(year.year for year in site.years),
        tuple(tag.slug for tag in site.tags),
    )

"""Links between sources: a post that links to another post's Markdown file gets its URL.

A writer links posts the way their editor sees them, `[see](../2023/courage.md)` (relative to
the post's file), `[see](content/posts/2023/courage.md)` (relative to the journal) or
`[see](@/2023/courage.md)` (relative to content/posts/, as in Zola). The rendered HTML is
rewritten after the Markdown conversion, so the conversion stays cacheable by content alone.

Also here: telling which source a broken link of the built site came from.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote, urlsplit

from generator.links import BrokenLink, broken_links, page_url
from generator.load import Journal
from generator.markup import Rendered
from generator.problems import Problem, error, warning
from generator.site import Site
from generator.views import Urls

_SOURCE_SUFFIXES = (".md", ".markdown")
_ANCHOR_HREF = re.compile(r'(<a\b[^>]*?\s)href="([^"]*)"', re.IGNORECASE)
POSTS_PREFIX = "content/posts/"


@dataclass(frozen=True)
class SourceText:
    """The Markdown a rendering came from, with the file line of its first line."""

    text: str
    first_line: int


@dataclass(frozen=True)
class Targets:
    """Where source links may lead: built URLs by source key, and the posts left out of this
    build (drafts, future posts), which exist but have no page."""

    urls: Mapping[str, str]  # source key -> URL path with the base path
    unpublished: frozenset[str]


def is_source_link(href: str) -> bool:
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and parts.path.lower().endswith(_SOURCE_SUFFIXES)


def candidate_keys(key: str, path: str) -> list[str]:
    """The source keys a link path may name, most likely first."""
    if path.startswith("@/"):
        return [posixpath.normpath(POSTS_PREFIX + path[2:])]
    if path.startswith("/"):
        return [posixpath.normpath(path.lstrip("/"))]
    relative = posixpath.normpath(posixpath.join(posixpath.dirname(key), path))
    keys = [relative]
    if path.startswith("content/"):
        keys.append(posixpath.normpath(path))
    return keys


def line_of(source: SourceText, *needles: str) -> int:
    """The file line of the first body line holding one of `needles` (else the first line)."""
    for number, text in enumerate(source.text.split("\n")):
        if any(needle and needle in text for needle in needles):
            return source.first_line + number
    return source.first_line


class SourceLinkRewriter:
    """Rewrites the source links of one rendering and collects what went wrong."""

    def __init__(self, key: str, source: SourceText, targets: Targets) -> None:
        self.key = key
        self.source = source
        self.targets = targets
        self.problems: list[Problem] = []

    def rewrite(self, text: str) -> str:
        if ".md" not in text and ".markdown" not in text:
            return text
        return _ANCHOR_HREF.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        head, raw = match.group(1), match.group(2)
        href = html.unescape(raw)
        if not is_source_link(href):
            return match.group(0)
        parts = urlsplit(href)
        path = unquote(parts.path)
        keys = candidate_keys(self.key, path)
        line = line_of(self.source, href, path)
        fragment = "#" + quote(unquote(parts.fragment), safe="") if parts.fragment else ""
        for key in keys:
            if key in self.targets.urls:
                url = self.targets.urls[key] + fragment
                return f'{head}href="{html.escape(url, quote=True)}"'
        for key in keys:
            if key in self.targets.unpublished:
                self.problems.append(
                    warning(
                        self.key,
                        line,
                        f"the link to {href} leads to {key}, a draft or a post dated in the "
                        "future: it is shown as plain text until that post is published",
                    )
                )
                return head.rstrip()
        self.problems.append(
            error(
                self.key,
                line,
                f"the link to {href} leads to {keys[0]}, which is not a post of this journal: "
                "fix the path (it is relative to this file) or remove the link",
            )
        )
        return match.group(0)


def rewrite_source_links(
    rendered: Mapping[str, Rendered], sources: Mapping[str, SourceText], targets: Targets
) -> tuple[dict[str, Rendered], list[Problem]]:
    """Every rendering with its source links turned into site URLs; a link to a file that is
    not a post is an error at its line. Renderings are new objects: cached ones stay as they
    are."""
    result: dict[str, Rendered] = {}
    problems: list[Problem] = []
    for key, item in rendered.items():
        source = sources.get(key, SourceText("", 1))
        rewriter = SourceLinkRewriter(key, source, targets)
        html_text = rewriter.rewrite(item.html)
        problems.extend(rewriter.problems)
        summary = SourceLinkRewriter(key, source, targets).rewrite(item.summary_html)
        same = html_text is item.html and summary is item.summary_html
        result[key] = item if same else replace(item, html=html_text, summary_html=summary)
    return result, problems


def broken_link_problems(
    broken: Sequence[BrokenLink],
    base_path: str,
    page_sources: Mapping[str, str],
    sources: Mapping[str, SourceText],
    rendered: Mapping[str, Rendered],
) -> list[Problem]:
    """One error per broken link, at the source it came from when a post or theme holds it
    (`page_sources`: output page -> the source key the page shows), else at the output page
    (a template or a static file)."""
    problems: list[Problem] = []
    for link in broken:
        where = f"{link.url} on {page_url(link.page, base_path)}"
        message = f"broken link {where}: {link.reason}"
        key = source_of(link, page_sources, rendered)
        if key is None:
            problems.append(error(link.page, link.line, f"{message} (from a template or file)"))
            continue
        source = sources.get(key, SourceText("", 1))
        problems.append(error(key, line_of(source, link.url, unquote(link.url)), message))
    return problems


def source_of(
    link: BrokenLink, page_sources: Mapping[str, str], rendered: Mapping[str, Rendered]
) -> str | None:
    """The source whose rendered Markdown holds the link: the page's own first, then any."""
    forms = {
        f'="{link.url}"',
        '="' + html.escape(link.url, quote=False).replace('"', "&quot;") + '"',
    }

    def holds(key: str) -> bool:
        text = rendered[key].html if key in rendered else ""
        return any(form in text for form in forms)

    own = page_sources.get(link.page)
    if own is not None and holds(own):
        return own
    return next((key for key in sorted(rendered) if holds(key)), None)


# ---------------------------------------------------------------- from a journal and its site


def source_texts(journal: Journal) -> dict[str, SourceText]:
    """The Markdown of every post and theme intro, by key, to find a link's line in."""
    texts = {post.key: SourceText(post.body, post.body_line) for post in journal.posts}
    texts.update({theme.key: SourceText(theme.intro, theme.intro_line) for theme in journal.themes})
    return texts


def link_targets(site: Site, journal: Journal) -> Targets:
    """Posts lead to their page, theme files to their year's page."""
    urls = Urls(site.config.base_url, site.config.base_path)
    targets = {key: urls.path(path) for key, path in site.urls.items()}
    for year in site.years:
        if year.theme is not None:
            targets[year.theme.key] = urls.path(f"{year.year}/")
    unpublished = frozenset(post.key for post in journal.posts if post.key not in site.urls)
    return Targets(targets, unpublished)


def page_sources(site: Site) -> dict[str, str]:
    """Output page -> the source whose Markdown it shows in full."""
    pages = {path + "index.html": key for key, path in site.urls.items()}
    for year in site.years:
        if year.theme is not None:
            pages[f"{year.year}/index.html"] = year.theme.key
    return pages


def site_link_problems(
    files: Mapping[str, bytes],
    site: Site,
    sources: Mapping[str, SourceText],
    rendered: Mapping[str, Rendered],
) -> list[Problem]:
    """An error for each internal link of the built site that leads nowhere."""
    broken = broken_links(files, site.config.base_url)
    return broken_link_problems(
        broken, site.config.base_path, page_sources(site), sources, rendered
    )

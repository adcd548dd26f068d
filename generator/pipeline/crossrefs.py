"""Links between sources: a post that links to another post's Markdown file gets its URL.

A writer links posts the way their editor sees them, `[see](../2023/courage.md)` (relative to
the post's file), `[see](content/posts/2023/courage.md)` (relative to the journal) or
`[see](@/2023/courage.md)` (relative to content/posts/, as in Zola). The rendered HTML is
rewritten after the Markdown conversion, so the conversion stays cacheable by content alone.

The same pass makes two other kinds of links work wherever the site is published: a link
into content/static as the editor sees it (`![cat](../../static/images/cat.svg)`) leads to
the published file, and a root-relative link (`/images/cat.svg`, `/2023/courage/`) gets the
path of base_url (`/journal/images/cat.svg` for a site at https://example.org/journal/).

Also here: telling which source a broken link of the built site came from.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from generator.core.problems import Problem, error, warning
from generator.features.linkcheck import BrokenLink, broken_links, page_url
from generator.pipeline.chains import candidate_keys, is_source_link
from generator.pipeline.load import STATIC_DIR, Journal, Post
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site
from generator.pipeline.views import Urls

_START_TAG = re.compile(r"<([a-zA-Z][\w-]*)(\s[^<>]*)>")
_URL_ATTRIBUTE = re.compile(r'(\s)(href|src|poster)="([^"]*)"', re.IGNORECASE)


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
    static: Mapping[str, str] = field(default_factory=dict)  # content/static key -> URL path
    base_path: str = "/"  # the path of base_url: root-relative links get it


def line_of(source: SourceText, *needles: str) -> int:
    """The file line of the first body line holding one of `needles` (else the first line)."""
    for number, text in enumerate(source.text.split("\n")):
        if any(needle and needle in text for needle in needles):
            return source.first_line + number
    return source.first_line


class SourceLinkRewriter:
    """Rewrites the links of one rendering (see the module's docstring) and collects what
    went wrong, and where each rewritten URL came from."""

    def __init__(self, key: str, source: SourceText, targets: Targets) -> None:
        self.key = key
        self.source = source
        self.targets = targets
        self.problems: list[Problem] = []
        self.origins: dict[str, str] = {}  # rewritten URL -> the link as written

    def rewrite(self, text: str) -> str:
        if not self._may_change(text):
            return text
        return _START_TAG.sub(self._tag, text)

    def _may_change(self, text: str) -> bool:
        """False when no link of the text can need rewriting (most posts): cheap to tell."""
        if ".md" in text or ".markdown" in text or "static/" in text:
            return True
        return self.targets.base_path != "/" and '="/' in text

    def _tag(self, match: re.Match[str]) -> str:
        name, attributes = match.group(1), match.group(2)
        if "=" not in attributes:
            return match.group(0)
        is_anchor = name.lower() == "a"
        rewritten = _URL_ATTRIBUTE.sub(lambda m: self._attribute(m, is_anchor), attributes)
        return match.group(0) if rewritten is attributes else f"<{name}{rewritten}>"

    def _attribute(self, match: re.Match[str], is_anchor: bool) -> str:
        space, attribute, raw = match.groups()
        href = html.unescape(raw)
        if is_source_link(href):
            if not (is_anchor and attribute.lower() == "href"):
                return match.group(0)
            url = self._source_url(href)
        else:
            url = self._static_url(href) or self._rooted_url(href)
        if url is None:
            return match.group(0)
        if url == "":
            return ""  # a link to an unpublished post: shown as plain text
        self.origins.setdefault(url, href)
        return f'{space}{attribute}="{html.escape(url, quote=True)}"'

    def _source_url(self, href: str) -> str | None:
        """The page a link to a Markdown source leads to; "" to drop the link (a post not
        published in this build); None to leave it as it is (an error is reported)."""
        parts = urlsplit(href)
        path = unquote(parts.path)
        keys = candidate_keys(self.key, path)
        line = line_of(self.source, href, path)
        fragment = "#" + quote(unquote(parts.fragment), safe="") if parts.fragment else ""
        for key in keys:
            if key in self.targets.urls:
                return self.targets.urls[key] + fragment
        for key in keys:
            if key in self.targets.unpublished:
                message = (
                    f"the link to {href} leads to {key}, a draft or a post dated in the "
                    "future: it is shown as plain text until that post is published"
                )
                self.problems.append(warning(self.key, line, message))
                return ""
        message = (
            f"the link to {href} leads to {keys[0]}, which is not a post of this journal: "
            "fix the path (it is relative to this file) or remove the link"
        )
        self.problems.append(error(self.key, line, message))
        return None

    def _static_url(self, href: str) -> str | None:
        """The published URL of a link into content/static written as a path from this file
        (`../../static/cat.svg`) or from the journal (`content/static/cat.svg`)."""
        if "static/" not in href or not self.targets.static:
            return None
        try:
            parts = urlsplit(href)
        except ValueError:
            return None
        if parts.scheme or parts.netloc or not parts.path:
            return None
        for key in candidate_keys(self.key, unquote(parts.path)):
            if key in self.targets.static:
                query = f"?{parts.query}" if parts.query else ""
                fragment = f"#{parts.fragment}" if parts.fragment else ""
                return self.targets.static[key] + query + fragment
        return None

    def _rooted_url(self, href: str) -> str | None:
        """A root-relative link (`/images/cat.svg`) under the site's base path, unless it
        already starts with it."""
        base = self.targets.base_path
        if base == "/" or not href.startswith("/") or href.startswith("//"):
            return None
        if href.startswith(base) or href == base.rstrip("/"):
            return None
        return base.rstrip("/") + href


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
        original = item.html
        html_text = rewriter.rewrite(original)
        problems.extend(rewriter.problems)
        summary = SourceLinkRewriter(key, source, targets).rewrite(item.summary_html)
        same = html_text == original and summary == item.summary_html
        origins = tuple(sorted(rewriter.origins.items()))
        result[key] = item if same else item.with_html(html_text, summary, origins=origins)
    return result, problems


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


def source_texts(
    journal: Journal, previous: Mapping[str, SourceText] | None = None
) -> dict[str, SourceText]:
    """The Markdown of every post and theme intro, by key, to find a link's line in.
    (`previous`: the last build's, whose entries are taken over, the same objects, where the
    text did not change.)"""
    before = previous or {}
    texts = {p.key: _source_text(before, p.key, p.body, p.body_line) for p in journal.posts}
    texts.update(
        {t.key: _source_text(before, t.key, t.intro, t.intro_line) for t in journal.themes}
    )
    return texts


def source_texts_edited(
    previous: Mapping[str, SourceText], posts: Iterable[Post]
) -> dict[str, SourceText]:
    """`source_texts` of a journal that differs from the one `previous` was made from only
    in `posts` (an edit in watch mode)."""
    texts = dict(previous)
    for post in posts:
        texts[post.key] = _source_text(previous, post.key, post.body, post.body_line)
    return texts


def _source_text(before: Mapping[str, SourceText], key: str, text: str, line: int) -> SourceText:
    """The source text, the same object as `before`'s where it did not change."""
    old = before.get(key)
    if old is not None and old.text is text and old.first_line == line:
        return old
    return SourceText(text, line)


def link_targets(site: Site, journal: Journal, urls: Urls | None = None) -> Targets:
    """Posts lead to their page, theme files to their year's page. (`urls`: the site's, if
    one is kept between builds: it remembers the URLs it made.)"""
    urls = urls or Urls(site.config.base_url, site.config.base_path)
    targets = {key: urls.path(path) for key, path in site.urls.items()}
    for year in site.years:
        if year.theme is not None:
            targets[year.theme.key] = urls.path(f"{year.year}/")
    unpublished = frozenset(post.key for post in journal.posts if post.key not in site.urls)
    static = {f"{STATIC_DIR}/{item.path}": urls.path(item.path) for item in journal.static}
    return Targets(targets, unpublished, static, site.config.base_path)


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
    """An error for each internal link of the built site that leads nowhere: at the source it
    came from when a post or theme holds it, else at the output page (a template or a static
    file)."""
    base_path = site.config.base_path
    shown = page_sources(site)
    problems: list[Problem] = []
    for link in broken_links(files, site.config.base_url):
        message = f"broken link {link.url} on {page_url(link.page, base_path)}: {link.reason}"
        key = source_of(link, shown, rendered)
        if key is None:
            problems.append(error(link.page, link.line, f"{message} (from a template or file)"))
            continue
        source = sources.get(key, SourceText("", 1))
        written = dict(rendered[key].origins).get(link.url, "") if key in rendered else ""
        line = line_of(source, written, link.url, unquote(link.url))
        problems.append(error(key, line, message))
    return problems

"""Links by title: `[[Post title]]` and `[[Post title|shown text]]` in a post's Markdown.

The Markdown conversion (markup.py) turns each into a mark that names the title as written,
`<journal-wikilink data-title="Post title">shown text</journal-wikilink>`: the conversion
stays a function of the text alone, and so stays cacheable. Python-Markdown runs inline
patterns outside code, so a code span or block is left as written.

After the conversion, `wikilink_graph` finds each mark's post the way a "Next:" promise does
(by title, compared by `match_key`, else by slug): the graph is part of the Site
(`Site.wikilinks`), so a watch session plans every page again when it changes. A view
(pipeline/views.py) then turns each mark into a link (`titled_html`), or, when no published
post has that title yet, into the title shown as still to come. A title no post of the
journal has is a warning at its line, with "did you mean" when a title is one typo away.
"""

from __future__ import annotations

import html as entities
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

from generator.core.problems import Problem, warning
from generator.core.text import NearKeys, match_key, slugify
from generator.pipeline.load import Post

MARK_TAG = "journal-wikilink"
# After code spans (190) and backslash escapes (180), before links and references (170).
_PRIORITY = 175
# (Not followed by `(` or `[`: `[[1]](url)` is a link whose text is "[1]".)
_WRITTEN = r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\](?![(\[])"
_MARK_BYTES = MARK_TAG.encode("ascii")
_MARK = re.compile(rf'<{MARK_TAG} data-title="([^"]*)">(.*?)</{MARK_TAG}>', re.S)


class _TitleLinkPattern(InlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:  # type: ignore[override]
        title = " ".join(m.group(1).split())
        shown = m.group(2)
        element = etree.Element(MARK_TAG)
        element.set("data-title", title)
        if shown is not None and shown.strip():
            element.text = " ".join(shown.split())  # Markdown: `[[Title|*that* one]]`
        else:
            element.text = AtomicString(title)  # the title as written, as text
        return element, m.start(0), m.end(0)


class TitleLinkExtension(Extension):
    """Registers the `[[Title]]` pattern with a Markdown converter."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.inlinePatterns.register(_TitleLinkPattern(_WRITTEN, md), "journal_wikilink", _PRIORITY)


def titles_marked(html: str) -> list[str]:
    """The titles of the marks in rendered HTML, in order, each once."""
    if MARK_TAG not in html:
        return []
    found = (entities.unescape(m.group(1)) for m in _MARK.finditer(html))
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------- the graph


@dataclass(frozen=True)
class TitleLink:
    """One title a source links to: the post it leads to, or None while no published post
    has it (still to come)."""

    title: str  # as written between the brackets
    target: str | None
    waiting: str | None = None  # the draft or later post of that title, while pending


@dataclass(frozen=True)
class WikiGraph:
    """Every source's links by title, and the posts that mention each post."""

    links: Mapping[str, tuple[TitleLink, ...]] = field(default_factory=dict)
    mentions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # oldest first
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    def target_of(self, key: str, title: str) -> TitleLink | None:
        return next((link for link in self.links.get(key, ()) if link.title == title), None)


NO_LINKS = WikiGraph()


@dataclass(frozen=True)
class Lines:
    """Where a source's Markdown is, to tell the line of a link: a source's text and the
    file line of its first line, by key (a function: a build that let go of its Markdown
    reads the file again)."""

    text_of: Callable[[str], tuple[str, int] | None]


class Converted(Protocol):
    """A source's rendering, as `markup.Rendered` holds it."""

    @property
    def html_utf8(self) -> bytes: ...


class TitleMemo:
    """What the links by title keep from one build to the next of a watch session (a build
    that runs once uses a fresh one): each title's match key, each source's titles by its
    rendering (the same object while the source is unchanged), and the index of titles one
    typo apart while the posts' titles stay the same. Only what the last build used is kept."""

    def __init__(self) -> None:
        self._keys = _Remembered(match_key)
        self._slugs = _Remembered(slugify)
        self._looked: dict[str, Converted] = {}  # each source's rendering, as last read
        self._titles: dict[str, list[str]] = {}  # the titles of those that have any
        self._hints: tuple[frozenset[tuple[str, str]], _Hints] | None = None

    def key(self, title: str) -> str:
        return self._keys.get(title)

    def slug(self, title: str) -> str:
        return self._slugs.get(title)

    def marked(self, rendered: Mapping[str, Converted]) -> dict[str, list[str]]:
        """Each source's titles, for the sources that have any. Only a rendering not read
        before is read again, and only when its HTML holds a mark: after an edit, one
        pass that compares objects (a few ms at 10,000 posts, against 10 for new dicts)."""
        looked, titles = self._looked, self._titles
        for key, item in rendered.items():
            if looked.get(key) is not item:
                looked[key] = item
                html = item.html_utf8
                found = titles_marked(html.decode("utf-8")) if _MARK_BYTES in html else []
                if found:
                    titles[key] = found
                else:
                    titles.pop(key, None)
        if len(looked) != len(rendered):  # some sources went
            for key in looked.keys() - rendered.keys():
                del looked[key]
                titles.pop(key, None)
        return dict(titles)

    def hints(self, posts: Iterable[Post]) -> _Hints:
        every = tuple(posts)
        titles = frozenset((post.key, post.title) for post in every)
        if self._hints is None or self._hints[0] != titles:
            self._hints = (titles, _Hints(every, self))
        return self._hints[1]

    def done(self) -> None:
        """The build is over: forget the titles it did not use."""
        self._keys.done()
        self._slugs.done()


class _Remembered:
    """A function's values, kept for one build more than they are used."""

    def __init__(self, work: Callable[[str], str]) -> None:
        self.work = work
        self.kept: dict[str, str] = {}
        self.used: dict[str, str] = {}

    def get(self, text: str) -> str:
        found = self.used.get(text)
        if found is None:
            found = self.kept.get(text)
            if found is None:
                found = self.work(text)
            self.used[text] = found
        return found

    def done(self) -> None:
        self.kept, self.used = self.used, {}


class _TitleIndex:
    """Posts by title key and by slug, among some posts, in key order: only the keys and
    slugs of the titles written (`titles`) are indexed, no other is looked for."""

    def __init__(self, posts: Iterable[Post], memo: TitleMemo, titles: Iterable[str]) -> None:
        self.memo = memo
        wanted = {memo.key(title) for title in titles}
        slugs = {memo.slug(title) for title in titles}
        self.by_title: dict[str, list[str]] = {}
        self.by_slug: dict[str, list[str]] = {}
        found = [p for p in posts if memo.key(p.title) in wanted or p.slug in slugs]
        for post in sorted(found, key=_by_key):
            self.by_title.setdefault(memo.key(post.title), []).append(post.key)
            self.by_slug.setdefault(post.slug, []).append(post.key)

    def find(self, title: str) -> list[str]:
        found = self.by_title.get(self.memo.key(title))
        if found:
            return found
        return self.by_slug.get(self.memo.slug(title), [])


def _by_key(post: Post) -> str:
    return post.key


def wikilink_graph(
    rendered: Mapping[str, Converted],
    posts: Mapping[str, Post],
    order: tuple[str, ...],
    left_out: Callable[[], Iterable[Post]],
    lines: Lines,
    memo: TitleMemo | None = None,
) -> WikiGraph:
    """The links by title of every source (`rendered`: each source's rendering), found among
    the published `posts` (`order`: newest first) or, while pending, among the posts
    `left_out()` of the site (drafts, later posts). `memo`: what the last build kept."""
    memo = memo or TitleMemo()
    written = memo.marked(rendered)
    if not written:
        return NO_LINKS
    others = tuple(left_out())
    titles = {title for found in written.values() for title in found}
    published = _TitleIndex(posts.values(), memo, titles)
    unpublished = _TitleIndex(others, memo, titles)
    links: dict[str, tuple[TitleLink, ...]] = {}
    problems: list[Problem] = []
    hints: _Hints | None = None
    for key in sorted(written):
        made = []
        for title in written[key]:
            found = published.find(title)
            if len(found) > 1:
                names = " and ".join(found)
                message = (
                    f"[[{title}]] could be {names}: it leads to the first; give one of them "
                    "another title, or link it by its file: [text](path/to/post.md)"
                )
                problems.append(warning(key, _line(lines, key, title), message))
            if found:
                made.append(TitleLink(title, found[0]))
                continue
            waiting = unpublished.find(title)
            made.append(TitleLink(title, None, waiting[0] if waiting else None))
            if waiting:
                continue  # a draft or a post dated later: shown as still to come
            hints = hints or memo.hints([*posts.values(), *others])
            meant = hints.near(title)
            guess = f"; did you mean «{meant}»?" if meant else ""
            message = (
                f"[[{title}]]: no post has that title yet; it is shown as still to come{guess}"
            )
            problems.append(warning(key, _line(lines, key, title), message))
        links[key] = tuple(made)
    memo.done()
    return WikiGraph(links, _mentions(links, order), tuple(problems))


def _mentions(
    links: Mapping[str, tuple[TitleLink, ...]], order: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """Target -> the published posts that link to it by title, oldest first."""
    found: dict[str, list[str]] = {}
    for key in reversed(order):
        for link in links.get(key, ()):
            if link.target is not None and link.target != key:
                named = found.setdefault(link.target, [])
                if key not in named:
                    named.append(key)
    return {target: tuple(keys) for target, keys in sorted(found.items())}


class _Hints:
    """The titles of every post, to name the one a title is one typo away from."""

    def __init__(self, posts: Iterable[Post], memo: TitleMemo) -> None:
        self.titles: dict[str, str] = {}
        for post in sorted(posts, key=_by_key):
            self.titles.setdefault(memo.key(post.title), post.title)
        self.keys = NearKeys(self.titles)

    def near(self, title: str) -> str | None:
        found = self.keys.closest(match_key(title))
        return None if found is None else self.titles[found]


def _line(lines: Lines, key: str, title: str) -> int:
    """The file line of the first `[[title` in the source, else its first line."""
    source = lines.text_of(key)
    if source is None:
        return 1
    text, first = source
    wanted = match_key(title)
    for number, row in enumerate(text.split("\n")):
        for written in re.finditer(r"\[\[([^\[\]|\n]+)", row):
            if match_key(written.group(1)) == wanted:
                return first + number
    return first


# ---------------------------------------------------------------- in a view


@dataclass(frozen=True)
class Shown:
    """How a view shows a link by title: the URL of each title's post, by title as written
    (None: still to come), and the words after a title still to come."""

    urls: Mapping[str, str | None]
    coming: str


def titled_html(html: str, shown: Shown) -> str:
    """The HTML with each mark made a link (`<a class="wikilink">`), or, for a title no
    published post has yet, the title shown as still to come."""
    if MARK_TAG not in html:
        return html

    def link(match: re.Match[str]) -> str:
        title, inner = entities.unescape(match.group(1)), match.group(2)
        url = shown.urls.get(title)
        if url is None:
            coming = entities.escape(shown.coming, quote=False)
            return (
                f'<span class="wikilink wikilink-pending">{inner}</span> '
                f'<span class="coming">{coming}</span>'
            )
        return f'<a class="wikilink" href="{entities.escape(url, quote=True)}">{inner}</a>'

    return _MARK.sub(link, html)

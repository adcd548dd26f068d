"""The site graph's chains: where each post's "Next:" promise leads, and the links back.

A promise names the next post by title (compared by `match_key`), slug, URL or source file
(`Next: [Title](courage.md)`). It is kept when exactly one published post answers it, and
pending (shown as coming) when none does yet: that is no problem, unless its text is one typo
away from a post's title, which a warning names ("did you mean «Post everyday»?"). A promise
that several posts answer, or that names its own post, is an error.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from generator.core.problems import Problem, error, warning
from generator.core.text import NearKeys
from generator.pipeline.load import POST_SUFFIXES, POSTS_DIR
from generator.pipeline.post_facts import PostFacts, TitleKeys

ChainState = Literal["kept", "pending"]


@dataclass(frozen=True)
class Chain:
    """Where a post's "Next:" promise leads: a post (kept) or nowhere yet (pending)."""

    state: ChainState
    text: str
    target: str | None


@dataclass(frozen=True, slots=True)
class ChainGraph:
    """The chains part of a Site, with the problems found making it."""

    chains: Mapping[str, Chain]  # promising post -> where its promise leads
    backlinks: Mapping[str, tuple[str, ...]]  # target -> posts whose promise it keeps
    problems: tuple[Problem, ...]
    pending: PendingTitles | None = None  # the title keys of the pending promises

    def titles_read(self, promised: Iterable[str]) -> TitlesRead:
        """The titles these chains read, with `promised` the title keys of every promise."""
        return TitlesRead(frozenset(promised), self.pending or PendingTitles(frozenset()))


class PendingTitles:
    """The title keys of the pending promises, and (made when first asked, then kept with
    the chains) the index that finds the titles one typo away from them."""

    def __init__(self, keys: frozenset[str]) -> None:
        self.keys = keys
        self._near: NearKeys | None = None

    def near(self, title_key: str) -> bool:
        """True if a title of this key is one typo away from a pending promise."""
        if not self.keys:
            return False
        if self._near is None:
            self._near = NearKeys(self.keys)
        return self._near.near_word(title_key)


@dataclass(frozen=True)
class TitlesRead:
    """The title keys whose posts the chains depend on: those a promise names, and those one
    typo away from a pending promise (a post given or losing such a title changes a "did
    you mean"). `key in titles` tells; watch mode asks it of each title an edit changes."""

    promised: frozenset[str]
    pending: PendingTitles

    def __contains__(self, key: object) -> bool:
        if key in self.promised:
            return True
        return isinstance(key, str) and self.pending.near(key)


def chain_graph(
    posts: Mapping[str, PostFacts],
    urls: Mapping[str, str],
    unpublished: Mapping[str, PostFacts],
    base_path: str,
) -> ChainGraph:
    """The chains of the published posts (`posts`: by key, newest first; `urls`: their
    paths); `unpublished`: the posts left out of the site, which a pending promise may name."""
    chains, problems = resolve_chains(posts, urls, unpublished, base_path)
    backlinks = backlinks_of(chains, tuple(posts))
    pending = frozenset(
        facts.promise_keys.title_key
        for key, chain in chains.items()
        if chain.target is None and (facts := posts[key]).promise_keys is not None
    )
    return ChainGraph(
        chains=chains,
        backlinks=backlinks,
        problems=tuple(problems),
        pending=PendingTitles(pending),
    )


def resolve_chains(
    posts: Mapping[str, PostFacts],
    urls: Mapping[str, str],
    unpublished: Mapping[str, PostFacts],
    base_path: str,
) -> tuple[dict[str, Chain], list[Problem]]:
    """Each promise -> kept, or pending (a warning when a title is one typo away from its
    text); ambiguous and self promises are errors."""
    promised = [f.promise_keys for f in posts.values() if f.promise_keys is not None]
    titles, slugs = {k.title_key for k in promised}, {k.slug for k in promised}
    finder = PostFinder(posts, urls, titles, slugs)
    waiting: PostFinder | None = None  # made when a promise is pending
    near: TitleHints | None = None  # likewise
    chains: dict[str, Chain] = {}
    problems: list[Problem] = []
    for key, facts in posts.items():
        promise, keys = facts.promise, facts.promise_keys
        if promise is None or keys is None:  # (the one is None when the other is)
            continue
        quoted = f'"{promise.keyword}: {promise.text}"'
        candidates = finder.find(promise.href, base_path, key, keys)
        if key in candidates:
            message = f"{quoted} points to this post itself: name the next post"
            problems.append(error(key, promise.line, message))
        elif len(candidates) > 1:
            names = " and ".join(sorted(candidates))
            message = (
                f"{quoted} could be {names}: give one a different title, or write the "
                "promise as Next: [Title](/YYYY/slug/)"
            )
            problems.append(error(key, promise.line, message))
        elif candidates:
            chains[key] = Chain("kept", promise.text, candidates[0])
        else:
            chains[key] = Chain("pending", promise.text, None)
            waiting = waiting or PostFinder(unpublished, {}, titles, slugs)
            if waiting.find(promise.href, base_path, key, keys):
                continue  # a draft or a post dated later: being written, as promised
            near = near or TitleHints(posts, unpublished)
            meant = near.title_near(keys.title_key)
            if meant is not None:
                message = f"{quoted}: no post with that title; did you mean «{meant}»?"
                problems.append(warning(key, promise.line, message))
    return chains, problems


class TitleHints:
    """The titles of every post, published or not, to name the one a pending promise's
    text is one typo away from."""

    def __init__(self, *groups: Mapping[str, PostFacts]) -> None:
        self.titles: dict[str, str] = {}  # title key -> the title of its first post by key
        for facts in sorted((f for g in groups for f in g.values()), key=_by_key):
            self.titles.setdefault(facts.title_key, facts.post.title)
        self.near = NearKeys(self.titles)

    def title_near(self, key: str) -> str | None:
        found = self.near.closest(key)
        return None if found is None else self.titles[found]


def _by_key(facts: PostFacts) -> str:
    return facts.key


class PostFinder:
    """Finds the posts a promise names: by title (compared by `match_key`), slug, URL or
    source file (`Next: [Title](courage.md)`, relative to the promising post's file).

    The posts are indexed by the title keys and slugs of the promises alone (`titles`,
    `slugs`): no other will be looked for."""

    def __init__(
        self,
        posts: Mapping[str, PostFacts],
        urls: Mapping[str, str],
        titles: Collection[str],
        slugs: Collection[str],
    ) -> None:
        self.by_title: dict[str, list[str]] = defaultdict(list)
        self.by_slug: dict[str, list[str]] = defaultdict(list)
        for key in sorted(posts):
            facts = posts[key]
            if facts.title_key in titles:
                self.by_title[facts.title_key].append(key)
            if facts.slug in slugs:
                self.by_slug[facts.slug].append(key)
        self.keys: Collection[str] = posts.keys()
        self._urls = urls
        self._by_url: dict[str, str] | None = None  # made when a promise links to a URL

    @property
    def by_url(self) -> dict[str, str]:
        if self._by_url is None:
            self._by_url = {path: key for key, path in self._urls.items()}
        return self._by_url

    def find(self, href: str | None, base_path: str, source: str, keys: TitleKeys) -> list[str]:
        """The posts a promise of the post `source` names: by its link `href`, else by the
        forms of its text (`keys`)."""
        if href is not None:
            path = _href_path(href)
            if is_source_link(href):
                for key in candidate_keys(source, path) if path else ():
                    if key in self.keys:
                        return [key]
            else:
                for prefix in (base_path, "/"):
                    url = path[len(prefix) :].rstrip("/") + "/"
                    if path.startswith(prefix) and url in self.by_url:
                        return [self.by_url[url]]
        found = list(self.by_title.get(keys.title_key, []))
        for key in self.by_slug.get(keys.slug, []):
            if key not in found:
                found.append(key)
        return found


def is_source_link(href: str) -> bool:
    """True for a link to a Markdown file (`../2023/courage.md`), not to a page."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc and parts.path.lower().endswith(POST_SUFFIXES)


def candidate_keys(key: str, path: str) -> list[str]:
    """The source keys a link path written in the source `key` may name, most likely first:
    `@/2023/x.md` is under content/posts/, `/content/...` under the journal, anything else
    relative to the file (or, when it starts with content/, to the journal)."""
    if path.startswith("@/"):
        return [posixpath.normpath(f"{POSTS_DIR}/{path[2:]}")]
    if path.startswith("/"):
        return [posixpath.normpath(path.lstrip("/"))]
    relative = posixpath.normpath(posixpath.join(posixpath.dirname(key), path))
    keys = [relative]
    if path.startswith("content/"):
        keys.append(posixpath.normpath(path))
    return keys


def _href_path(href: str) -> str:
    """The decoded path of a promise's link; "" for a link too broken to read (`http://[x`),
    which then matches nothing and the promise is found by its text."""
    try:
        return unquote(urlsplit(href).path)
    except ValueError:
        return ""


def backlinks_of(chains: Mapping[str, Chain], order: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Target -> the posts whose promise it keeps, oldest first (`order`: newest first)."""
    sources: dict[str, list[str]] = defaultdict(list)
    for key in reversed(order):  # oldest first
        chain = chains.get(key)
        if chain is not None and chain.target is not None:
            sources[chain.target].append(key)
    return {target: tuple(keys) for target, keys in sources.items()}

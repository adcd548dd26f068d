"""Site stage: records + config -> a read-only Site graph (pure).

Works out what the pages need and nothing else: which posts are published, their URLs,
years, tags, chronological neighbours, and where each "Next:" promise leads. Posts are
referred to by key (their source path), never by back-pointers.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import unquote, urlsplit

from generator.config import BuildOptions, Config
from generator.load import Post, Theme
from generator.problems import Problem, error, warning
from generator.text import match_key, slug_or_fallback, tag_slug

ChainState = Literal["kept", "pending"]


@dataclass(frozen=True)
class Chain:
    """Where a post's "Next:" promise leads: a post (kept) or nowhere yet (pending)."""

    state: ChainState
    text: str
    target: str | None


@dataclass(frozen=True)
class Year:
    year: int
    theme: Theme | None
    posts: tuple[str, ...]  # newest first


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    posts: tuple[str, ...]  # newest first


@dataclass(frozen=True)
class Site:
    config: Config
    posts: Mapping[str, Post]
    order: tuple[str, ...]  # newest first; ties broken by key
    urls: Mapping[str, str]  # key -> path relative to the site root, e.g. "2024/partnership/"
    years: tuple[Year, ...]  # newest first
    tags: tuple[Tag, ...]  # by slug
    post_tags: Mapping[str, tuple[Tag, ...]]
    newer: Mapping[str, str | None]
    older: Mapping[str, str | None]
    chains: Mapping[str, Chain]
    backlinks: Mapping[str, tuple[str, ...]]  # target -> posts whose promise it keeps, oldest first
    problems: tuple[Problem, ...]

    def local_date(self, key: str) -> datetime:
        return self.posts[key].date.astimezone(self.config.zone)

    def year_of(self, key: str) -> Year | None:
        year = self.local_date(key).year
        return next((y for y in self.years if y.year == year), None)


def is_published(post: Post, options: BuildOptions) -> bool:
    if post.draft and not options.drafts:
        return False
    return options.future or options.now is None or post.date <= options.now


def build_site(
    posts: Sequence[Post], themes: Sequence[Theme], config: Config, options: BuildOptions
) -> Site:
    published = [p for p in posts if is_published(p, options)]
    problems: list[Problem] = []
    order = newest_first(published)
    by_key = {p.key: p for p in published}
    urls, url_problems = post_urls([by_key[k] for k in sorted(by_key)], config)
    problems.extend(url_problems)
    order = tuple(k for k in order if k in urls)
    kept = {k: by_key[k] for k in order}
    years = year_records(kept, order, themes, config)
    tags, post_tags = tag_records(kept, order)
    problems.extend(tag_problems(kept, order, config))
    newer = {key: (order[i - 1] if i > 0 else None) for i, key in enumerate(order)}
    older = {key: (order[i + 1] if i + 1 < len(order) else None) for i, key in enumerate(order)}
    unpublished = [p for p in posts if p.key not in kept]
    chains, chain_problems = resolve_chains(kept, urls, unpublished, config)
    problems.extend(chain_problems)
    return Site(
        config=config,
        posts=kept,
        order=order,
        urls=urls,
        years=years,
        tags=tags,
        post_tags=post_tags,
        newer=newer,
        older=older,
        chains=chains,
        backlinks=backlinks_of(chains, order),
        problems=tuple(sorted(problems)),
    )


def newest_first(posts: Iterable[Post]) -> tuple[str, ...]:
    """Keys newest first; posts of the same moment in key order, so the order never varies."""
    ordered = sorted(posts, key=lambda p: p.key)
    ordered.sort(key=lambda p: p.date.timestamp(), reverse=True)
    return tuple(p.key for p in ordered)


def post_urls(posts: Sequence[Post], config: Config) -> tuple[dict[str, str], list[Problem]]:
    """Each post's path, `YYYY/slug/`; a second post on a taken path is an error."""
    urls: dict[str, str] = {}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for post in posts:
        path = f"{post.date.astimezone(config.zone).year}/{post.slug}/"
        if path in owner:
            problems.append(
                error(
                    post.key,
                    1,
                    f"URL {config.base_path}{path} is also used by {owner[path]}: "
                    "give one of them another `slug:`",
                )
            )
            continue
        owner[path] = post.key
        urls[post.key] = path
    return urls, problems


def year_records(
    posts: Mapping[str, Post], order: Sequence[str], themes: Sequence[Theme], config: Config
) -> tuple[Year, ...]:
    by_year: dict[int, list[str]] = defaultdict(list)
    for key in order:
        by_year[posts[key].date.astimezone(config.zone).year].append(key)
    theme_of: dict[int, Theme] = {}
    for theme in themes:
        theme_of.setdefault(theme.year, theme)
    all_years = sorted(set(by_year) | set(theme_of), reverse=True)
    return tuple(Year(y, theme_of.get(y), tuple(by_year.get(y, ()))) for y in all_years)


def tag_records(
    posts: Mapping[str, Post], order: Sequence[str]
) -> tuple[tuple[Tag, ...], dict[str, tuple[Tag, ...]]]:
    """Tags merged by slug ("Writing" and "writing" are one tag, shown in its most used form)."""
    members: dict[str, list[str]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    slug_of: dict[str, str] = {}  # the same few tag names come back in thousands of posts
    for key in order:
        for name in posts[key].tags:
            slug = slug_of.get(name) or slug_of.setdefault(name, tag_slug(name))
            keys = members[slug]
            if not keys or keys[-1] != key:  # a post's own tags come one after the other
                keys.append(key)
            spellings[slug][name] += 1
    tags = {
        slug: Tag(slug, _most_used(spellings[slug]), tuple(keys))
        for slug, keys in sorted(members.items())
    }
    post_tags: dict[str, tuple[Tag, ...]] = {}
    for key in order:
        slugs = dict.fromkeys(slug_of[name] for name in posts[key].tags)
        post_tags[key] = tuple(tags[s] for s in slugs)
    return tuple(tags.values()), post_tags


def _most_used(counter: Counter[str]) -> str:
    """The spelling most posts use; on a tie, one not in capitals ("Life" over "LIFE"), then
    the first in code point order ("Life" over "life")."""
    return min(counter, key=lambda name: (-counter[name], _shouts(name), name))


def _shouts(name: str) -> bool:
    return name.isupper() and sum(ch.isalpha() for ch in name) > 1


def tag_problems(posts: Mapping[str, Post], order: Sequence[str], config: Config) -> list[Problem]:
    """A warning for each tag that shares its URL with a differently written tag (not just
    in other capitals or spacing: "café" and "cafe"), at the first post that uses it: they
    are shown as one tag."""
    first: dict[str, tuple[str, str]] = {}  # slug -> (first spelling, its post), oldest first
    warned: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    slug_of: dict[str, str] = {}
    for key in reversed(order):
        for name in posts[key].tags:
            slug = slug_of.get(name) or slug_of.setdefault(name, tag_slug(name))
            seen = first.setdefault(slug, (name, key))
            same = match_key(seen[0]) == match_key(name)
            if same or (slug, match_key(name)) in warned:
                continue
            warned.add((slug, match_key(name)))
            problems.append(
                warning(
                    key,
                    1,
                    f'tag "{name}" has the same URL {config.base_path}tags/{slug}/ as tag '
                    f'"{seen[0]}" (in {seen[1]}): they are shown as one tag; rename one of them '
                    "to keep them apart",
                )
            )
    return problems


def resolve_chains(
    posts: Mapping[str, Post],
    urls: Mapping[str, str],
    unpublished: Sequence[Post],
    config: Config,
) -> tuple[dict[str, Chain], list[Problem]]:
    """Each promise -> kept, or pending (warning); ambiguous and self promises are errors."""
    finder = PostFinder(posts, urls)
    waiting = PostFinder({p.key: p for p in unpublished}, {})
    chains: dict[str, Chain] = {}
    problems: list[Problem] = []
    for key, post in posts.items():
        promise = post.promise
        if promise is None:
            continue
        quoted = f'"Next: {promise.text}"'
        candidates = finder.find(promise.text, promise.href, config.base_path, key)
        if key in candidates:
            problems.append(
                error(key, promise.line, f"{quoted} points to this post itself: name the next post")
            )
        elif len(candidates) > 1:
            names = " and ".join(sorted(candidates))
            problems.append(
                error(
                    key,
                    promise.line,
                    f"{quoted} could be {names}: give one a different title, or write the "
                    "promise as Next: [Title](/YYYY/slug/)",
                )
            )
        elif candidates:
            chains[key] = Chain("kept", promise.text, candidates[0])
        else:
            chains[key] = Chain("pending", promise.text, None)
            later = waiting.find(promise.text, promise.href, config.base_path, key)
            why = f" ({later[0]} is a draft or dated in the future)" if later else ""
            problems.append(
                warning(
                    key,
                    promise.line,
                    f"{quoted}: no post with that title yet{why}; shown as coming",
                )
            )
    return chains, problems


class PostFinder:
    """Finds the posts a promise names: by title (compared by `match_key`), slug, URL or
    source file (`Next: [Title](courage.md)`, relative to the promising post's file)."""

    def __init__(self, posts: Mapping[str, Post], urls: Mapping[str, str]) -> None:
        self.by_title: dict[str, list[str]] = defaultdict(list)
        self.by_slug: dict[str, list[str]] = defaultdict(list)
        for key in sorted(posts):
            self.by_title[match_key(posts[key].title)].append(key)
            self.by_slug[posts[key].slug].append(key)
        self.by_url = {path: key for key, path in urls.items()}
        self.keys = frozenset(posts)

    def find(self, text: str, href: str | None, base_path: str, source: str = "") -> list[str]:
        if href is not None and is_source_link(href):
            path = _href_path(href)
            for key in candidate_keys(source, path) if path else ():
                if key in self.keys:
                    return [key]
        elif href is not None:
            path = _href_path(href)
            for prefix in (base_path, "/"):
                if path.startswith(prefix) and path[len(prefix) :].rstrip("/") + "/" in self.by_url:
                    return [self.by_url[path[len(prefix) :].rstrip("/") + "/"]]
        found = list(self.by_title.get(match_key(text), []))
        for key in self.by_slug.get(slug_or_fallback(text), []):
            if key not in found:
                found.append(key)
        return found


SOURCE_SUFFIXES = (".md", ".markdown")
POSTS_PREFIX = "content/posts/"


def is_source_link(href: str) -> bool:
    """True for a link to a Markdown file (`../2023/courage.md`), not to a page."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc and parts.path.lower().endswith(SOURCE_SUFFIXES)


def candidate_keys(key: str, path: str) -> list[str]:
    """The source keys a link path written in the source `key` may name, most likely first:
    `@/2023/x.md` is under content/posts/, `/content/...` under the journal, anything else
    relative to the file (or, when it starts with content/, to the journal)."""
    if path.startswith("@/"):
        return [posixpath.normpath(POSTS_PREFIX + path[2:])]
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
    sources: dict[str, list[str]] = defaultdict(list)
    for key in reversed(order):  # oldest first
        chain = chains.get(key)
        if chain is not None and chain.target is not None:
            sources[chain.target].append(key)
    return {target: tuple(keys) for target, keys in sources.items()}

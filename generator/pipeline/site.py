"""Site stage: records + config -> a read-only Site graph (pure).

Works out what the pages need and nothing else: which posts are published, their URLs,
years, tags, chronological neighbours, and where each "Next:" promise leads. Posts are
referred to by key (their source path), never by back-pointers.

A Site is made of parts, each a function of the posts' facts (pipeline/post_facts.py): the
published posts with their URLs and order (`publish`), the years (`year_records`), the tags
(pipeline/tags.py) and the chains (pipeline/chains.py): `site_parts` works them out and
`site_from_parts` puts them together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter

from generator.core.config import BuildOptions, Config
from generator.core.problems import Problem, error
from generator.pipeline.chains import Chain, ChainGraph, chain_graph
from generator.pipeline.load import Post, StaticFile, Theme
from generator.pipeline.post_facts import PostFacts, Words, post_facts
from generator.pipeline.tags import Tag, TagGraph, tag_graph
from generator.pipeline.theme_hints import year_problems
from generator.pipeline.wikilinks import NO_LINKS, WikiGraph


@dataclass(frozen=True)
class Year:
    year: int
    theme: Theme | None
    posts: tuple[str, ...]  # newest first


@dataclass(frozen=True, slots=True)
class _LocalDates:
    """Each post's date in the site's time zone, by key, with the posts and settings they
    were worked out for."""

    posts: Mapping[str, Post]
    config: Config
    dates: Mapping[str, datetime]


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
    # Links by title (`[[Title]]`), found once the Markdown is converted (wikilinks.py).
    wikilinks: WikiGraph = NO_LINKS
    # The files of content/static, for the books of `books = true` (empty otherwise).
    book_pictures: tuple[StaticFile, ...] = ()
    # Worked out once (the pages ask tens of thousands of times); a Site made with other
    # posts or settings (`dataclasses.replace`) works the dates out again.
    _local: _LocalDates | None = field(default=None, repr=False, compare=False)
    _year_index: Mapping[int, Year] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {year.year: year for year in reversed(self.years)}  # the first of a year wins
        object.__setattr__(self, "_year_index", index)

    def local_date(self, key: str) -> datetime:
        local = self._local
        if local is not None and local.posts is self.posts and local.config is self.config:
            return local.dates[key]
        return self.posts[key].date.astimezone(self.config.zone)

    def year_of(self, key: str) -> Year | None:
        return self._year_index.get(self.local_date(key).year)

    def with_records(self, posts: Mapping[str, Post]) -> Site:
        """The same site with other records of the same posts (the same keys and dates: the
        posts without their Markdown, say). The old records are let go of: nothing in the
        new Site refers to them."""
        local = self._local
        if local is not None:
            local = _LocalDates(posts=posts, config=self.config, dates=local.dates)
        return replace(self, posts=posts, _local=local)


def is_published(post: Post, options: BuildOptions) -> bool:
    if post.draft and not options.drafts:
        return False
    return options.future or options.now is None or post.date <= options.now


@dataclass(frozen=True, slots=True)
class PublishedPosts:
    """The posts a site shows, with their URLs and order: the part of a Site that every
    other part follows."""

    facts: Mapping[str, PostFacts]  # by key, newest first
    posts: Mapping[str, Post]  # the same posts' records, newest first
    dates: Mapping[str, datetime]  # each post's date in the site's time zone
    order: tuple[str, ...]  # newest first; ties broken by key
    urls: Mapping[str, str]  # key -> YYYY/slug/
    newer: Mapping[str, str | None]
    older: Mapping[str, str | None]
    problems: tuple[Problem, ...]  # URLs taken twice

    def left_out(self, facts: Iterable[PostFacts]) -> dict[str, PostFacts]:
        """Those of `facts` that the site does not show (drafts, posts dated in the future,
        posts whose URL another took), by key."""
        shown = self.facts
        return {f.key: f for f in facts if f.key not in shown}


_BY_KEY = attrgetter("key")
_BY_MOMENT = attrgetter("moment")


def publish(facts: Iterable[PostFacts], options: BuildOptions, base_path: str) -> PublishedPosts:
    """The posts of `facts` that are published and have a URL of their own, newest first
    (of two posts with one key, the later in `facts` counts)."""
    published = [f for f in facts if is_published(f.post, options)]
    published_by_key = {f.key: f for f in published}
    keyed = [published_by_key[k] for k in sorted(published_by_key)]
    urls, problems = post_urls(keyed, base_path)
    order = tuple(k for k in newest_first(published) if k in urls)
    kept = {k: published_by_key[k] for k in order}
    return PublishedPosts(
        facts=kept,
        posts={k: f.post for k, f in kept.items()},
        dates={k: f.local for k, f in kept.items()},
        order=order,
        urls=urls,
        newer=dict(zip(order, (None, *order)[:-1], strict=True)),
        older=dict(zip(order, (*order, None)[1:], strict=True)),
        problems=tuple(problems),
    )


def newest_first(posts: Iterable[PostFacts]) -> tuple[str, ...]:
    """Keys newest first; posts of the same moment in key order, so the order never varies."""
    ordered = sorted(posts, key=_BY_KEY)
    ordered.sort(key=_BY_MOMENT, reverse=True)
    return tuple(f.key for f in ordered)


def post_urls(posts: Sequence[PostFacts], base_path: str) -> tuple[dict[str, str], list[Problem]]:
    """Each post's path, `YYYY/slug/`; a second post on a taken path is an error."""
    urls: dict[str, str] = {}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for facts in posts:
        path, key = facts.url, facts.key
        taken = owner.get(path)
        if taken is not None:
            message = f"URL {base_path}{path} is also used by {taken}"
            line = facts.post.lines.url  # the `slug:` (or `title:`, `date:`) that makes it
            problems.append(error(key, line, f"{message}: give one of them another `slug:`"))
            continue
        owner[path] = key
        urls[key] = path
    return urls, problems


def year_records(published: PublishedPosts, themes: Sequence[Theme]) -> tuple[Year, ...]:
    """Every year that has a published post or a theme, newest first."""
    by_year: dict[int, list[str]] = defaultdict(list)
    facts = published.facts
    for key in published.order:
        by_year[facts[key].local.year].append(key)
    theme_of: dict[int, Theme] = {}
    for theme in themes:
        theme_of.setdefault(theme.year, theme)
    all_years = sorted(set(by_year) | set(theme_of), reverse=True)
    return tuple(Year(y, theme_of.get(y), tuple(by_year.get(y, ()))) for y in all_years)


@dataclass(frozen=True, slots=True)
class SiteParts:
    """What a Site is made of: parts each worked out from the posts' facts, the years, tags
    and chains from the published posts."""

    published: PublishedPosts
    years: tuple[Year, ...]
    tags: TagGraph
    chains: ChainGraph


def site_parts(
    facts: Sequence[PostFacts], themes: Sequence[Theme], config: Config, options: BuildOptions
) -> SiteParts:
    """Every part of the Site of the posts of `facts` (in the order of the posts)."""
    base_path = config.base_path
    published = publish(facts, options, base_path)
    return SiteParts(
        published=published,
        years=year_records(published, themes),
        tags=tag_graph(published.facts, base_path),
        chains=chain_graph(published.facts, published.urls, published.left_out(facts), base_path),
    )


def site_from_parts(
    config: Config, parts: SiteParts, problems: tuple[Problem, ...] | None = None
) -> Site:
    """The Site of its parts. `problems`, when given, are the parts' problems sorted (one
    who has them at hand spares the sort)."""
    published, tags, chains = parts.published, parts.tags, parts.chains
    if problems is None:
        found = [*published.problems, *tags.problems, *chains.problems]
        problems = tuple(sorted([*found, *year_problems(parts.years)]))
    return Site(
        config=config,
        posts=published.posts,
        order=published.order,
        urls=published.urls,
        years=parts.years,
        tags=tags.tags,
        post_tags=tags.post_tags,
        newer=published.newer,
        older=published.older,
        chains=chains.chains,
        backlinks=chains.backlinks,
        problems=problems,
        _local=_LocalDates(posts=published.posts, config=config, dates=published.dates),
    )


def build_site(
    posts: Sequence[Post], themes: Sequence[Theme], config: Config, options: BuildOptions
) -> Site:
    """The Site graph of the posts."""
    words, zone = Words(), config.zone
    facts = [post_facts(post, zone, words) for post in posts]
    return site_from_parts(config, site_parts(facts, themes, config, options))

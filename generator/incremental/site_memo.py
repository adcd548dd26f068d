"""The site graph kept between watch-mode builds (`SiteMemo`).

A `SiteMemo` keeps what it worked out from each post (its moment, local date, URL, the forms
its title and tags are compared in: pipeline/post_facts.py) for the next build, which takes
that over for every post that is the same object again (the loader keeps the records of
files that did not change). It keeps the graph too, in its parts (pipeline/site.py: the
published posts with their order and URLs, the years, the tags, the chains): the next build
makes again only the parts that the changed posts may change, none after an edit of a
post's text. A memo never changes the Site: `SiteMemo.site` returns what `build_site` does
(tests/test_site.py checks it after random edits).
"""

from __future__ import annotations

from collections.abc import Collection, Container, Mapping, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from generator.core.config import BuildOptions, Config
from generator.pipeline.chains import chain_graph
from generator.pipeline.load import Post, Theme
from generator.pipeline.post_facts import PostFacts, Words, post_facts
from generator.pipeline.site import (
    PublishedPosts,
    Site,
    SiteParts,
    is_published,
    site_from_parts,
    site_parts,
    year_records,
)
from generator.pipeline.tags import tag_graph


@dataclass(frozen=True, slots=True)
class _Change:
    """A post that is a new object since the last build: its facts then and now."""

    before: PostFacts
    now: PostFacts


@dataclass(frozen=True, slots=True)
class _Seen:
    """What one build's posts are to the memo."""

    in_order: list[PostFacts]  # each post's facts, in the order of the posts
    by_key: dict[str, PostFacts]
    # The posts that are new objects since the last build; None when a post came that the
    # last build did not have (or two posts have one key): then nothing is taken over.
    changed: list[_Change] | None


@dataclass(frozen=True, slots=True)
class _Redo:
    """Which parts of the graph a build works out again (the others are the last build's)."""

    years: bool
    tags: bool
    chains: bool


@dataclass(frozen=True, slots=True)
class _Graph:
    """One build's Site with what it was made of, for the next build to take over the parts
    whose inputs did not change."""

    config: Config
    options: BuildOptions
    themes: tuple[Theme, ...]
    parts: SiteParts
    site: Site


class SiteMemo:
    """What `site` worked out in its last call, for the next call to take over (a WatchSession
    keeps one between watch-mode builds). Holds one build's worth: each call replaces what
    the previous one left, so it never grows beyond one journal."""

    def __init__(self) -> None:
        self._zone: ZoneInfo | None = None
        self._facts: dict[str, PostFacts] = {}  # by key
        self._facts_in_order: list[PostFacts] = []
        self._place: dict[str, int] = {}  # key -> its place in `_facts_in_order`
        self._posts: Sequence[Post] | None = None  # what the facts are of
        self._graph: _Graph | None = None

    def site(
        self,
        posts: Sequence[Post],
        themes: Sequence[Theme],
        config: Config,
        options: BuildOptions,
        *,
        before: Sequence[Post] | None = None,
        edited: Collection[str] | None = None,
    ) -> Site:
        """The Site graph of the posts: `build_site(posts, themes, config, options)`.
        `before` and `edited`: when `posts` are the `before` posts but for the ones of the
        `edited` keys (the same keys in the same order), only those are looked at."""
        zone = config.zone
        known = self._facts if zone is self._zone else {}
        patched = (
            edited is not None and before is not None and before is self._posts and bool(known)
        )
        seen = (
            self._edited_facts(posts, edited or (), zone)
            if patched
            else _all_facts(posts, known, zone)
        )
        last, graph = self._graph, None
        if (
            last is not None
            and seen.changed is not None
            and last.config == config
            and last.options == options
            and len(seen.by_key) == len(known)
        ):
            promised = last.parts.chains.titles_read(
                f.promise_keys.title_key for f in seen.in_order if f.promise_keys is not None
            )
            redo = _redo(seen.changed, options, tuple(themes) != last.themes, promised)
            if redo is not None:
                graph = _graph_again(
                    seen.in_order, seen.changed, themes, config, options, last, redo
                )
        if graph is None:
            graph = _fresh_graph(seen, themes, config, options)
        # A graph of posts two of which had one key is not one to take over (never so in a
        # journal, whose keys are its file paths).
        taken_over = len(seen.by_key) == len(seen.in_order)
        if not patched:
            self._place = {f.key: n for n, f in enumerate(seen.in_order)}
        self._zone, self._facts = zone, seen.by_key
        self._facts_in_order, self._posts = seen.in_order, posts
        self._graph = graph if taken_over else None
        return graph.site

    def _edited_facts(self, posts: Sequence[Post], keys: Collection[str], zone: ZoneInfo) -> _Seen:
        """`_all_facts` of posts that differ from the last call's only in the posts of `keys`."""
        facts, by_key = list(self._facts_in_order), dict(self._facts)
        words = Words()
        changed: list[_Change] = []
        for key in sorted(keys):
            n = self._place.get(key)
            if n is None:
                continue  # (a file that does not parse, now as then)
            post, found = posts[n], facts[n]
            if post is not found.post:
                new = facts[n] = by_key[key] = post_facts(post, zone, words)
                changed.append(_Change(before=found, now=new))
        return _Seen(in_order=facts, by_key=by_key, changed=changed)


def _all_facts(posts: Sequence[Post], known: Mapping[str, PostFacts], zone: ZoneInfo) -> _Seen:
    """Each post's facts: those in `known` where the post is the same object, else worked
    out; and the changes of the posts that are new objects."""
    words = Words()
    facts: list[PostFacts] = []
    by_key: dict[str, PostFacts] = {}
    changed: list[_Change] | None = []
    for post in posts:
        found = known.get(post.key)
        if found is None or found.post is not post:
            new = post_facts(post, zone, words)
            if found is None:
                changed = None
            elif changed is not None:
                changed.append(_Change(before=found, now=new))
            found = new
        facts.append(found)
        by_key[post.key] = found
    return _Seen(
        in_order=facts, by_key=by_key, changed=changed if len(by_key) == len(facts) else None
    )


def _redo(
    changed: Sequence[_Change],
    options: BuildOptions,
    themes_changed: bool,
    promised: Container[str],
) -> _Redo | None:
    """The parts of the graph that the changed posts may change; None when they change which
    posts are published, their URLs or order, and so everything. Keep in step with what the
    parts (pipeline/site.py, pipeline/tags.py, pipeline/chains.py) read of each post.
    (`promised`: the title keys of every promise's text, and of the titles within a typo of
    a pending one: a new title that neither was nor is one of them changes no chain; the
    lines of a post's URL and tags: the graph's problems point at them.)"""
    tags = chains = False
    for change in changed:
        before, now = change.before, change.now
        if (
            is_published(before.post, options) != is_published(now.post, options)
            or before.moment != now.moment
            or before.url != now.url
            or before.post.lines != now.post.lines
        ):
            return None
        tags = tags or before.tags != now.tags
        retitled = before.post.title != now.post.title and (
            before.title_key in promised or now.title_key in promised
        )
        chains = chains or retitled or (before.slug, before.promise) != (now.slug, now.promise)
    return _Redo(years=themes_changed, tags=tags, chains=chains)


def _fresh_graph(
    seen: _Seen, themes: Sequence[Theme], config: Config, options: BuildOptions
) -> _Graph:
    """Every part made afresh, as `build_site` makes them."""
    parts = site_parts(seen.in_order, themes, config, options)
    site = site_from_parts(config, parts)
    return _Graph(config=config, options=options, themes=tuple(themes), parts=parts, site=site)


def _graph_again(
    facts: Sequence[PostFacts],
    changed: Sequence[_Change],
    themes: Sequence[Theme],
    config: Config,
    options: BuildOptions,
    last: _Graph,
    redo: _Redo,
) -> _Graph:
    """The last graph with the records of the `changed` posts, and the parts `redo` names
    made again (the published posts, their URLs and order are the last build's; `facts`:
    every post's, in the order of the posts)."""
    base_path, kept = config.base_path, last.parts
    published = _with_changes(kept.published, changed)
    parts = SiteParts(
        published=published,
        years=year_records(published, themes) if redo.years else kept.years,
        tags=tag_graph(published.facts, base_path) if redo.tags else kept.tags,
        chains=(
            chain_graph(published.facts, published.urls, published.left_out(facts), base_path)
            if redo.chains
            else kept.chains
        ),
    )
    problems = None if redo.years or redo.tags or redo.chains else last.site.problems
    site = site_from_parts(config, parts, problems)
    return _Graph(config=config, options=options, themes=tuple(themes), parts=parts, site=site)


def _with_changes(published: PublishedPosts, changed: Sequence[_Change]) -> PublishedPosts:
    """The same published posts, in the same order and at the same URLs, with the changed
    posts' facts and records."""
    facts, posts, dates = dict(published.facts), dict(published.posts), dict(published.dates)
    for change in changed:
        now = change.now
        if now.key in posts:
            facts[now.key], posts[now.key], dates[now.key] = now, now.post, now.local
    return replace(published, facts=facts, posts=posts, dates=dates)

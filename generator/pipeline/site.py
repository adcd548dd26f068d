"""Site stage: records + config -> a read-only Site graph (pure).

Works out what the pages need and nothing else: which posts are published, their URLs,
years, tags, chronological neighbours, and where each "Next:" promise leads. Posts are
referred to by key (their source path), never by back-pointers.

Watch mode builds the same journal after every save. A `SiteMemo` handed to `build_site`
keeps what it worked out from each post (its moment, local date, URL, the forms its title
and tags are compared in) for the next build, which takes that over for every post that is
the same object again (the loader keeps the records of files that did not change). It keeps
the graph too, in parts (order and URLs, years, tags, promises): the next build makes again
only the parts that the changed posts may change, none after an edit of a post's text. A
memo never changes what `build_site` returns (tests/test_site.py checks it after random
edits).
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain
from operator import attrgetter
from typing import Literal, NamedTuple
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from generator.core.config import BuildOptions, Config
from generator.core.problems import Problem, error, warning
from generator.core.text import match_key, slug_or_fallback, tag_slug
from generator.pipeline.load import Post, Promise, Theme

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
    # Each post's date in the site's time zone (the pages ask tens of thousands of times), by
    # key, with the posts and settings they were worked out for: a Site made with others
    # (`dataclasses.replace`) works the dates out again.
    _local: tuple[Mapping[str, Post], Config, Mapping[str, datetime]] | None = field(
        default=None, repr=False, compare=False
    )
    _year_index: Mapping[int, Year] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[int, Year] = {}
        for year in self.years:
            index.setdefault(year.year, year)
        object.__setattr__(self, "_year_index", index)

    def local_date(self, key: str) -> datetime:
        local = self._local
        if local is not None and local[0] is self.posts and local[1] is self.config:
            return local[2][key]
        return self.posts[key].date.astimezone(self.config.zone)

    def year_of(self, key: str) -> Year | None:
        return self._year_index.get(self.local_date(key).year)

    def with_records(self, posts: Mapping[str, Post]) -> Site:
        """The same site with other records of the same posts (the same keys and dates: the
        posts without their Markdown, say). The old records are let go of: nothing in the
        new Site refers to them."""
        local = (posts, self.config, self._local[2]) if self._local is not None else None
        return replace(self, posts=posts, _local=local)


def is_published(post: Post, options: BuildOptions) -> bool:
    if post.draft and not options.drafts:
        return False
    return options.future or options.now is None or post.date <= options.now


class _Facts(NamedTuple):
    """What the graph needs of one post alone, in the site's time zone (the post's own
    fields it reads are here too: a tuple's fields are quicker to reach than a record's)."""

    post: Post
    key: str
    slug: str
    tags: tuple[str, ...]
    promise: Promise | None
    moment: float  # post.date.timestamp(): the order
    local: datetime  # the date in the site's time zone
    url: str  # YYYY/slug/
    title_key: str  # match_key(title)
    tag_slugs: tuple[str, ...]  # tag_slug of each tag, as the tags come
    tag_keys: tuple[str, ...]  # match_key of each tag, as the tags come
    own_slugs: tuple[str, ...]  # the post's distinct tag slugs, in order
    promise_keys: tuple[str, str] | None  # match_key and slug_or_fallback of the promise


_TagFacts = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


class _Words:
    """match_key, slug_or_fallback and tag_slug of each string, worked out once per build
    (the same few hundred tag names, and often the same lists of them, come back in
    thousands of posts; a promise names another post's title)."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._slugs: dict[str, str] = {}
        self._tag_slugs: dict[str, str] = {}
        self._tags: dict[tuple[str, ...], _TagFacts] = {}

    def key(self, text: str) -> str:
        found = self._keys.get(text)
        if found is None:
            found = self._keys[text] = match_key(text)
        return found

    def slug(self, text: str) -> str:
        found = self._slugs.get(text)
        if found is None:
            found = self._slugs[text] = slug_or_fallback(text)
        return found

    def tag_slug(self, name: str) -> str:
        found = self._tag_slugs.get(name)
        if found is None:
            found = self._tag_slugs[name] = tag_slug(name)
        return found

    def tags(self, names: tuple[str, ...]) -> _TagFacts:
        """The slug and match key of each tag, and the distinct slugs in order."""
        found = self._tags.get(names)
        if found is None:
            slugs = tuple(self.tag_slug(name) for name in names)
            keys = tuple(self.key(name) for name in names)
            found = self._tags[names] = (slugs, keys, tuple(dict.fromkeys(slugs)))
        return found


def _facts_of(post: Post, zone: ZoneInfo, words: _Words) -> _Facts:
    local = post.date.astimezone(zone)
    promise = post.promise
    return _Facts(
        post,
        post.key,
        post.slug,
        post.tags,
        promise,
        post.date.timestamp(),
        local,
        f"{local.year}/{post.slug}/",
        words.key(post.title),
        *words.tags(post.tags),
        None if promise is None else (words.key(promise.text), words.slug(promise.text)),
    )


class _Redo(NamedTuple):
    """Which parts of the graph a build works out again (the others are the last build's)."""

    order: bool  # which posts are published, their URLs and order: and all that follows
    years: bool
    tags: bool
    chains: bool


_REDO_ALL = _Redo(order=True, years=True, tags=True, chains=True)


@dataclass(frozen=True)
class _Graph:
    """One build's Site with what it was made of, for the next build to take over the parts
    whose inputs did not change."""

    config: Config
    options: BuildOptions
    themes: tuple[Theme, ...]
    site: Site
    url_problems: tuple[Problem, ...]
    tag_problems: tuple[Problem, ...]
    chain_problems: tuple[Problem, ...]


class SiteMemo:
    """What `build_site` worked out in its last call, for the next call to take over (a
    Builder keeps one between watch-mode builds). Holds one build's worth: each call
    replaces what the previous one left, so it never grows beyond one journal."""

    def __init__(self) -> None:
        self._zone: ZoneInfo | None = None
        self._facts: dict[str, _Facts] = {}  # by key
        self._facts_in_order: list[_Facts] = []
        self._place: dict[str, int] = {}  # key -> its place in `_facts_in_order`
        self._posts: Sequence[Post] | None = None  # what the facts are of
        self._graph: _Graph | None = None

    def site(
        self,
        posts: Sequence[Post],
        themes: Sequence[Theme],
        config: Config,
        options: BuildOptions,
        edited: tuple[Sequence[Post], Collection[str]] | None = None,
    ) -> Site:
        """`edited`: (earlier posts, keys), when `posts` are those earlier posts but for
        the ones of these keys (the same keys in the same order): only those are looked at."""
        zone = config.zone
        known = self._facts if zone is self._zone else {}
        patched = edited is not None and edited[0] is self._posts and bool(known)
        if patched and edited is not None:
            facts, by_key, changed = self._edited_facts(posts, edited[1], zone)
        else:
            facts, by_key, changed = _all_facts(posts, known, zone)
        last = self._graph
        if (
            last is None
            or changed is None
            or last.config != config
            or last.options != options
            or len(by_key) != len(known)
        ):
            redo, last = _REDO_ALL, None
        else:
            promised = frozenset(f.promise_keys[0] for f in facts if f.promise_keys)
            redo = _redo(changed, options, tuple(themes) != last.themes, promised)
        graph = _make_graph(facts, by_key, themes, config, options, last, redo, changed or [])
        # A graph of posts two of which had one key is not one to take over (never so in a
        # journal, whose keys are its file paths).
        taken_over = len(by_key) == len(facts)
        if not patched:
            self._place = {f.key: n for n, f in enumerate(facts)}
        self._zone, self._facts = zone, by_key
        self._facts_in_order, self._posts = facts, posts
        self._graph = graph if taken_over else None
        return graph.site

    def _edited_facts(
        self, posts: Sequence[Post], keys: Collection[str], zone: ZoneInfo
    ) -> tuple[list[_Facts], dict[str, _Facts], list[tuple[_Facts, _Facts]] | None]:
        """`_all_facts` of posts that differ from the last call's only in the posts of `keys`."""
        facts, by_key = list(self._facts_in_order), dict(self._facts)
        words = _Words()
        changed: list[tuple[_Facts, _Facts]] = []
        for key in sorted(keys):
            n = self._place.get(key)
            if n is None:
                continue  # (a file that does not parse, now as then)
            post, found = posts[n], facts[n]
            if post is not found.post:
                new = facts[n] = by_key[key] = _facts_of(post, zone, words)
                changed.append((found, new))
        return facts, by_key, changed


def _all_facts(
    posts: Sequence[Post], known: Mapping[str, _Facts], zone: ZoneInfo
) -> tuple[list[_Facts], dict[str, _Facts], list[tuple[_Facts, _Facts]] | None]:
    """Each post's facts, in the order of `posts` and by key: those in `known` where the
    post is the same object, else worked out; and (before, now) for each post that is a new
    object, or None when a post came that `known` does not hold (or two have one key)."""
    words = _Words()
    facts: list[_Facts] = []
    by_key: dict[str, _Facts] = {}
    changed: list[tuple[_Facts, _Facts]] | None = []
    for post in posts:
        found = known.get(post.key)
        if found is None or found.post is not post:
            new = _facts_of(post, zone, words)
            if found is None:
                changed = None
            elif changed is not None:
                changed.append((found, new))
            found = new
        facts.append(found)
        by_key[post.key] = found
    return facts, by_key, changed if len(by_key) == len(facts) else None


def _redo(
    changed: Sequence[tuple[_Facts, _Facts]],
    options: BuildOptions,
    themes_changed: bool,
    promised: frozenset[str],
) -> _Redo:
    """The parts of the graph that the changed posts (before, now) may change. Keep in step
    with what `_make_graph` reads of each post. (`promised`: the title keys of every
    promise's text: a new title that neither was nor is one of them leads no promise
    elsewhere.)"""
    tags = chains = False
    for before, now in changed:
        if (
            is_published(before.post, options) != is_published(now.post, options)
            or before.moment != now.moment
            or before.url != now.url
        ):
            return _REDO_ALL
        tags = tags or before.tags != now.tags
        retitled = before.title_key != now.title_key and (
            before.title_key in promised or now.title_key in promised
        )
        chains = chains or retitled or (before.slug, before.promise) != (now.slug, now.promise)
    return _Redo(order=False, years=themes_changed, tags=tags, chains=chains)


def build_site(
    posts: Sequence[Post],
    themes: Sequence[Theme],
    config: Config,
    options: BuildOptions,
    memo: SiteMemo | None = None,
    edited: tuple[Sequence[Post], Collection[str]] | None = None,
) -> Site:
    """The Site graph of the posts. `memo`, kept from the last call (watch mode), and
    `edited` (see SiteMemo.site) only make it faster: the result is the same without them."""
    memo = memo if memo is not None else SiteMemo()
    return memo.site(posts, themes, config, options, edited)


_BY_KEY = attrgetter("key")
_BY_MOMENT = attrgetter("moment")


def _make_graph(
    facts: Sequence[_Facts],
    by_key: Mapping[str, _Facts],
    themes: Sequence[Theme],
    config: Config,
    options: BuildOptions,
    last: _Graph | None,
    redo: _Redo,
    changed: Sequence[tuple[_Facts, _Facts]],
) -> _Graph:
    """The graph, made afresh (`last` None) or from the last one with the parts `redo`
    names made again (`changed`: the posts that are new objects since, before and now)."""
    base_path = config.base_path
    urls: Mapping[str, str]
    newer: Mapping[str, str | None]
    older: Mapping[str, str | None]
    post_tags: Mapping[str, tuple[Tag, ...]]
    chains: Mapping[str, Chain]
    backlinks: Mapping[str, tuple[str, ...]]
    if last is None or redo.order:
        published = [f for f in facts if is_published(f.post, options)]
        published_by_key = {f.key: f for f in published}
        keyed = [published_by_key[k] for k in sorted(published_by_key)]
        urls, url_problems = post_urls(keyed, base_path)
        order = tuple(k for k in newest_first(published) if k in urls)
        kept = {k: published_by_key[k] for k in order}
        posts = {k: f.post for k, f in kept.items()}
        local = {k: f.local for k, f in kept.items()}
        newer = dict(zip(order, (None, *order)[:-1], strict=True))
        older = dict(zip(order, (*order, None)[1:], strict=True))
        redo = _REDO_ALL
    else:
        site = last.site
        urls, order, newer, older = site.urls, site.order, site.newer, site.older
        url_problems = list(last.url_problems)
        kept = {k: by_key[k] for k in order} if redo.tags or redo.chains else {}
        assert site._local is not None  # (a graph's Site always has them)
        posts, local = dict(site.posts), dict(site._local[2])
        for _, now in changed:
            if now.key in posts:
                posts[now.key] = now.post
                local[now.key] = now.local
    if last is None or redo.tags:
        in_order = [kept[k] for k in order]
        members = tag_members(in_order)
        slug_of, key_of = tag_names(in_order)
        tags, post_tags = tag_records(in_order, members, slug_of)
        found_tags = tag_problems(kept, members, slug_of, key_of, base_path)
    else:
        tags, post_tags, found_tags = last.site.tags, last.site.post_tags, list(last.tag_problems)
    if last is None or redo.chains:
        unpublished = {f.key: f for f in facts if f.key not in kept}
        chains, found_chains = resolve_chains(kept, urls, unpublished, base_path)
        backlinks = backlinks_of(chains, order)
    else:
        chains, backlinks = last.site.chains, last.site.backlinks
        found_chains = list(last.chain_problems)
    years = (
        year_records(kept if redo.order else by_key, order, themes)
        if last is None or redo.years
        else last.site.years
    )
    site = Site(
        config=config,
        posts=posts,
        order=order,
        urls=urls,
        years=years,
        tags=tags,
        post_tags=post_tags,
        newer=newer,
        older=older,
        chains=chains,
        backlinks=backlinks,
        problems=(
            tuple(sorted([*url_problems, *found_tags, *found_chains]))
            if last is None or redo.tags or redo.chains
            else last.site.problems
        ),
        _local=(posts, config, local),
    )
    return _Graph(
        config,
        options,
        tuple(themes),
        site,
        tuple(url_problems),
        tuple(found_tags),
        tuple(found_chains),
    )


def newest_first(posts: Iterable[_Facts]) -> tuple[str, ...]:
    """Keys newest first; posts of the same moment in key order, so the order never varies."""
    ordered = sorted(posts, key=_BY_KEY)
    ordered.sort(key=_BY_MOMENT, reverse=True)
    return tuple(f.key for f in ordered)


def post_urls(posts: Sequence[_Facts], base_path: str) -> tuple[dict[str, str], list[Problem]]:
    """Each post's path, `YYYY/slug/`; a second post on a taken path is an error."""
    urls: dict[str, str] = {}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for facts in posts:
        path, key = facts.url, facts.key
        taken = owner.get(path)
        if taken is not None:
            problems.append(
                error(
                    key,
                    1,
                    f"URL {base_path}{path} is also used by {taken}: "
                    "give one of them another `slug:`",
                )
            )
            continue
        owner[path] = key
        urls[key] = path
    return urls, problems


def year_records(
    posts: Mapping[str, _Facts], order: Sequence[str], themes: Sequence[Theme]
) -> tuple[Year, ...]:
    by_year: dict[int, list[str]] = defaultdict(list)
    for key in order:
        by_year[posts[key].local.year].append(key)
    theme_of: dict[int, Theme] = {}
    for theme in themes:
        theme_of.setdefault(theme.year, theme)
    all_years = sorted(set(by_year) | set(theme_of), reverse=True)
    return tuple(Year(y, theme_of.get(y), tuple(by_year.get(y, ()))) for y in all_years)


def tag_members(posts: Iterable[_Facts]) -> dict[str, list[str]]:
    """Tag slug -> the posts that have it, in the order of `posts` (newest first)."""
    members: dict[str, list[str]] = defaultdict(list)
    for facts in posts:
        key = facts.key
        for slug in facts.own_slugs:
            keys = members[slug]
            if not keys or keys[-1] != key:
                keys.append(key)
    return members


def tag_names(posts: Collection[_Facts]) -> tuple[dict[str, str], dict[str, str]]:
    """Each tag name as written -> its slug, and -> its match key."""

    def each(field: Callable[[_Facts], tuple[str, ...]]) -> Iterator[str]:
        return chain.from_iterable(map(field, posts))

    names = list(each(_TAGS))
    return (
        dict(zip(names, each(_TAG_SLUGS), strict=True)),
        dict(zip(names, each(_TAG_KEYS), strict=True)),
    )


_TAGS = attrgetter("tags")
_TAG_SLUGS = attrgetter("tag_slugs")
_TAG_KEYS = attrgetter("tag_keys")


def tag_records(
    posts: Collection[_Facts], members: Mapping[str, list[str]], slug_of: Mapping[str, str]
) -> tuple[tuple[Tag, ...], dict[str, tuple[Tag, ...]]]:
    """Tags merged by slug ("Writing" and "writing" are one tag, shown in its most used form)."""
    uses = Counter(chain.from_iterable(map(_TAGS, posts)))
    spellings: dict[str, dict[str, int]] = defaultdict(dict)
    for name, count in uses.items():
        spellings[slug_of[name]][name] = count
    tags = {
        slug: Tag(slug, _most_used(spellings[slug]), tuple(keys))
        for slug, keys in sorted(members.items())
    }
    post_tags = {f.key: tuple(map(tags.__getitem__, f.own_slugs)) for f in posts}
    return tuple(tags.values()), post_tags


def _most_used(counter: Mapping[str, int]) -> str:
    """The spelling most posts use; on a tie, one not in capitals ("Life" over "LIFE"), then
    the first in code point order ("Life" over "life")."""
    return min(counter, key=lambda name: (-counter[name], _shouts(name), name))


def _shouts(name: str) -> bool:
    return name.isupper() and sum(ch.isalpha() for ch in name) > 1


def tag_problems(
    posts: Mapping[str, _Facts],
    members: Mapping[str, Sequence[str]],
    slug_of: Mapping[str, str],
    key_of: Mapping[str, str],
    base_path: str,
) -> list[Problem]:
    """A warning for each tag that shares its URL with a differently written tag (not just
    in other capitals or spacing: "café" and "cafe"), at the first post that uses it: they
    are shown as one tag."""
    keys_of_slug: dict[str, set[str]] = defaultdict(set)
    for name, slug in slug_of.items():
        keys_of_slug[slug].add(key_of[name])
    problems: list[Problem] = []
    for slug, keys in keys_of_slug.items():
        if len(keys) > 1:  # else every tag of this slug is written alike
            problems.extend(_shared_slug_problems(slug, posts, members[slug], base_path))
    return problems


def _shared_slug_problems(
    slug: str, posts: Mapping[str, _Facts], members: Sequence[str], base_path: str
) -> list[Problem]:
    """The warnings of one slug that differently written tags share: one for each other
    spelling, at the first post (oldest first) that uses it."""
    first: tuple[str, str, str] | None = None  # the first spelling, its post, its match key
    warned: set[str] = set()
    problems: list[Problem] = []
    for key in reversed(members):
        facts = posts[key]
        for name, name_slug, name_key in zip(
            facts.tags, facts.tag_slugs, facts.tag_keys, strict=True
        ):
            if name_slug != slug:
                continue
            if first is None:
                first = (name, key, name_key)
            elif first[2] != name_key and name_key not in warned:
                warned.add(name_key)
                problems.append(
                    warning(
                        key,
                        1,
                        f'tag "{name}" has the same URL {base_path}tags/{slug}/ as tag '
                        f'"{first[0]}" (in {first[1]}): they are shown as one tag; rename one '
                        "of them to keep them apart",
                    )
                )
    return problems


def resolve_chains(
    posts: Mapping[str, _Facts],
    urls: Mapping[str, str],
    unpublished: Mapping[str, _Facts],
    base_path: str,
) -> tuple[dict[str, Chain], list[Problem]]:
    """Each promise -> kept, or pending (warning); ambiguous and self promises are errors.
    `unpublished`: the posts left out of the site, which a pending promise may name."""
    promised = [f.promise_keys for f in posts.values() if f.promise_keys is not None]
    asked = ({title for title, _ in promised}, {slug for _, slug in promised})
    finder = PostFinder(posts, urls, asked)
    waiting: PostFinder | None = None  # made when a promise is pending
    chains: dict[str, Chain] = {}
    problems: list[Problem] = []
    for key, facts in posts.items():
        promise = facts.promise
        if promise is None:
            continue
        quoted = f'"Next: {promise.text}"'
        keys = facts.promise_keys
        candidates = finder.find(promise.text, promise.href, base_path, key, keys)
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
            waiting = waiting or PostFinder(unpublished, {}, asked)
            later = waiting.find(promise.text, promise.href, base_path, key, keys)
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
    source file (`Next: [Title](courage.md)`, relative to the promising post's file).

    `asked`, when given, holds the only title keys and slugs that will be looked for (those
    of the promises): the posts are indexed by those alone."""

    def __init__(
        self,
        posts: Mapping[str, _Facts],
        urls: Mapping[str, str],
        asked: tuple[Collection[str], Collection[str]] | None = None,
    ) -> None:
        self.by_title: dict[str, list[str]] = defaultdict(list)
        self.by_slug: dict[str, list[str]] = defaultdict(list)
        titles, slugs = asked if asked is not None else (None, None)
        for key in sorted(posts):
            facts = posts[key]
            if titles is None or facts.title_key in titles:
                self.by_title[facts.title_key].append(key)
            if slugs is None or facts.slug in slugs:
                self.by_slug[facts.slug].append(key)
        self.keys: Collection[str] = posts.keys()
        self._urls = urls
        self._by_url: dict[str, str] | None = None  # made when a promise links to a URL

    @property
    def by_url(self) -> dict[str, str]:
        if self._by_url is None:
            self._by_url = {path: key for key, path in self._urls.items()}
        return self._by_url

    def find(
        self,
        text: str,
        href: str | None,
        base_path: str,
        source: str = "",
        keys: tuple[str, str] | None = None,
    ) -> list[str]:
        """The posts `text` (or `href`) names; `keys`: match_key and slug_or_fallback of
        `text`, when known."""
        if href is not None and is_source_link(href):
            path = _href_path(href)
            for key in candidate_keys(source, path) if path else ():
                if key in self.keys:
                    return [key]
        elif href is not None:
            path = _href_path(href)
            by_url = self.by_url
            for prefix in (base_path, "/"):
                if path.startswith(prefix) and path[len(prefix) :].rstrip("/") + "/" in by_url:
                    return [by_url[path[len(prefix) :].rstrip("/") + "/"]]
        title_key, slug = keys if keys is not None else (match_key(text), slug_or_fallback(text))
        found = list(self.by_title.get(title_key, []))
        for key in self.by_slug.get(slug, []):
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

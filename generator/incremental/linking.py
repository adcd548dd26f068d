"""The sources' HTML a watch session keeps between builds, and how a build takes it over.

`KeptTexts` keeps each source's Markdown and its rendering (`KeptMarkdown`), the texts in
which links are found (`crossrefs.SourceText`), where links may lead (`KeptTargets`) and each
rendering with its source links rewritten (`Linking`), all of the journal it last saw. After
an edit of a few posts that publishes the same posts, only their Markdown is looked at again,
converted again if it changed (else the rendering is the same object as before), and only
their links are rewritten again; when the posts' URLs changed, every link is rewritten with
the renderings kept. Renderings are also kept across runs, in the journal's cache
(pipeline/conversion.py). Whatever is kept, each rendering is the one a clean build makes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from generator.core.config import Config
from generator.core.problems import Problem
from generator.incremental.sources import SourceMemory
from generator.pipeline.cache import BuildCache
from generator.pipeline.conversion import cache_keys, markdown_sources, rendered_by_key
from generator.pipeline.crossrefs import (
    SourceText,
    Targets,
    link_targets,
    rewrite_source_links,
    source_texts,
    source_texts_edited,
)
from generator.pipeline.figures import Clock
from generator.pipeline.load import Journal, Post, StaticFile
from generator.pipeline.markup import PYTHON_MARKDOWN, Rendered
from generator.pipeline.site import Site, Year
from generator.pipeline.views import Urls


@dataclass(frozen=True)
class KeptMarkdown:
    """Each source's Markdown and its rendering, by source key, in build order."""

    texts: Mapping[str, str]
    rendered: Mapping[str, Rendered]
    engine: str = PYTHON_MARKDOWN  # the Markdown engine that made them


@dataclass(frozen=True, eq=False)
class TargetInputs:
    """What the link targets are made of: they are made again only when one changed."""

    urls: Mapping[str, str]  # the site's URLs
    years: tuple[Year, ...]
    keys: tuple[str, ...]  # every post's key, published or not, in order
    static: tuple[StaticFile, ...]

    def same_as(self, other: TargetInputs) -> bool:
        pairs = (
            (self.urls, other.urls),
            (self.years, other.years),
            (self.keys, other.keys),
            (self.static, other.static),
        )
        return all(mine is theirs or mine == theirs for mine, theirs in pairs)


@dataclass(frozen=True)
class KeptTargets:
    inputs: TargetInputs
    targets: Targets


@dataclass(frozen=True)
class KeptUrls:
    """The site's URLs, kept while the settings are the same (`Urls` remembers each URL)."""

    config: Config
    urls: Urls


@dataclass(frozen=True)
class Linking:
    """One source's links rewritten."""

    rendered: Rendered  # the rendering they were found in
    source: SourceText | None  # the text that told their lines
    linked: Rendered  # the rendering with them rewritten
    problems: tuple[Problem, ...]

    def made_of(self, rendered: Rendered, source: SourceText | None) -> bool:
        """True if rewriting the links of `rendered` found in `source` gives this again."""
        return self.rendered is rendered and (self.source is source or self.source == source)


@dataclass(frozen=True)
class KeptLinks:
    """The last build's links, and where they led."""

    targets: Targets
    by_key: Mapping[str, Linking]
    linked: Mapping[str, Rendered]  # each source's rendering with its links rewritten
    problems: tuple[Problem, ...]  # every source's, in source order


@dataclass(frozen=True)
class Linked:
    """A build's renderings with their links rewritten, and the texts the links are in."""

    rendered: Mapping[str, Rendered]
    problems: tuple[Problem, ...]
    sources: Mapping[str, SourceText]


class KeptTexts:
    """What the last build made of the sources' Markdown, for the next one to take over."""

    def __init__(self, workers: int | None) -> None:
        """`workers`: processes converting Markdown (None: as many as pay)."""
        self._workers = workers
        self._markdown = KeptMarkdown({}, {})
        self._source_texts: dict[str, SourceText] = {}
        # The journal and published posts that the Markdown, source texts and links kept
        # here are of (an edit of a few posts then updates only theirs).
        self._journal: Journal | None = None
        self._published: Mapping[str, Post] = {}
        self._urls: KeptUrls | None = None
        self._targets: KeptTargets | None = None
        self._links: KeptLinks | None = None

    def forget(self) -> None:
        """Start afresh (new settings change every URL); renderings stay valid."""
        self._journal = None
        self._links = None
        self._targets = None

    def linked(
        self,
        site: Site,
        journal: Journal,
        sources: SourceMemory,
        cache: BuildCache | None,
        full: bool,
        clock: Clock,
    ) -> Linked:
        """Every source's rendering with its links rewritten. `sources` read `journal` (and
        say which posts an edit changed); `full`: the build looks at every file."""
        before, edited = sources.before, sources.edited
        only = edited if before is not None and before is self._journal else None
        if only is not None and self._published.keys() != site.posts.keys():
            only = None
        texts = self._texts(site, journal, only)
        # (None until the memos below are set: a build that fails midway leaves none to trust)
        self._journal, self._published = None, site.posts
        if only is not None:
            posts = [post for post in map(sources.post, sorted(only)) if post is not None]
            self._source_texts = source_texts_edited(self._source_texts, posts)
        else:
            self._source_texts = source_texts(journal, self._source_texts)
        rendered = self._renderings(texts, cache, full, only, clock, site.config.markdown)
        clock.lap("markdown")
        targets = self._link_targets(site, journal, same_posts=only is not None)
        links = self._linked(rendered, self._source_texts, targets, only)
        self._journal = journal
        return Linked(links.linked, links.problems, self._source_texts)

    def _texts(self, site: Site, journal: Journal, only: Collection[str] | None) -> dict[str, str]:
        """`markdown_sources`; after an edit of the posts `only` (the same posts published
        as in the last build), the last build's texts with theirs."""
        if only is None:
            return markdown_sources(site, journal)
        texts = dict(self._markdown.texts)
        texts.update((key, site.posts[key].body) for key in sorted(only) if key in site.posts)
        return texts

    def _renderings(
        self,
        texts: dict[str, str],
        cache: BuildCache | None,
        full: bool,
        only: Collection[str] | None,
        clock: Clock,
        engine: str,
    ) -> dict[str, Rendered]:
        """Every rendering: kept from the last build when its text is the same, else from
        the cache, else converted. `only`: the keys whose texts may differ from the last
        build's (`_texts`), the sources being the same in the same order. Another engine
        than the last build's converts every text again."""
        before = self._markdown
        if before.engine != engine:
            before = KeptMarkdown({}, {}, engine)
            only = None
        maybe = texts.keys() if only is None else [k for k in sorted(only) if k in texts]
        missing = {k: texts[k] for k in maybe if before.texts.get(k) is not texts[k]}
        missing = {k: t for k, t in missing.items() if before.texts.get(k) != t}
        hashes = cache_keys(missing, engine)
        everything = len(missing) == len(texts)
        converted = rendered_by_key(missing, hashes, cache, self._workers, engine=engine)
        clock.markdown_converted = converted.converted
        fresh = converted.rendered
        if only is not None or list(texts) == list(before.rendered):  # the same sources, in order
            rendered = {**before.rendered, **fresh}
        else:
            rendered = {k: fresh[k] if k in fresh else before.rendered[k] for k in texts}
        self._markdown = KeptMarkdown(texts, rendered, engine)
        if cache is not None and full and everything:
            cache.prune_renderings(set(hashes.values()))
        return rendered

    def _link_targets(self, site: Site, journal: Journal, same_posts: bool) -> Targets:
        """`link_targets`, the same object as last time when the posts' URLs, the years and
        the files are the same (after a post's text or title changed). `same_posts`: the
        journal has the last build's posts, in order (not all the same objects)."""
        last = self._targets
        keys = (
            last.inputs.keys
            if last is not None and same_posts
            else tuple(p.key for p in journal.posts)
        )
        inputs = TargetInputs(site.urls, site.years, keys, journal.static)
        if last is not None and last.inputs.same_as(inputs):
            return last.targets
        config = site.config
        if self._urls is None or self._urls.config != config:
            self._urls = KeptUrls(config, Urls(config.base_url, config.base_path))
        targets = link_targets(site, journal, self._urls.urls)
        self._targets = KeptTargets(inputs, targets)
        return targets

    def _linked(
        self,
        rendered: Mapping[str, Rendered],
        sources: Mapping[str, SourceText],
        targets: Targets,
        only: Collection[str] | None,
    ) -> KeptLinks:
        """`rewrite_source_links`, done again only for renderings or sources that changed,
        or for all of them when the posts' URLs did. `only`: the keys whose renderings or
        sources may have changed since the last build (which had the same keys)."""
        links = self._links
        same = links is not None and (links.targets is targets or links.targets == targets)
        if only is not None and links is not None and same:
            return self._linked_again(links, rendered, sources, only)
        before = links.by_key if links is not None and same else {}
        fresh = _rewritten(_changed(rendered.items(), before, sources), sources, targets)
        by_key = {key: fresh[key] if key in fresh else before[key] for key in rendered}
        linked = {key: entry.linked for key, entry in by_key.items()}
        self._links = KeptLinks(targets, by_key, linked, _every_problem(by_key))
        return self._links

    def _linked_again(
        self,
        links: KeptLinks,
        rendered: Mapping[str, Rendered],
        sources: Mapping[str, SourceText],
        only: Collection[str],
    ) -> KeptLinks:
        """`_linked` after an edit of the posts `only`: the last build's, with theirs."""
        edited = ((key, rendered[key]) for key in sorted(only) if key in rendered)
        todo = _changed(edited, links.by_key, sources)
        if not todo:
            return links
        fresh = _rewritten(todo, sources, links.targets)
        by_key = {**links.by_key, **fresh}
        linked = {**links.linked, **{key: entry.linked for key, entry in fresh.items()}}
        had_problems = any(
            entry.problems or (key in links.by_key and links.by_key[key].problems)
            for key, entry in fresh.items()
        )
        every = _every_problem(by_key) if had_problems else links.problems
        self._links = KeptLinks(links.targets, by_key, linked, every)
        return self._links


def _changed(
    items: Iterable[tuple[str, Rendered]],
    before: Mapping[str, Linking],
    sources: Mapping[str, SourceText],
) -> dict[str, Rendered]:
    """The renderings of `items` whose links `before` does not hold rewritten."""
    return {
        key: item
        for key, item in items
        if key not in before or not before[key].made_of(item, sources.get(key))
    }


def _rewritten(
    todo: Mapping[str, Rendered], sources: Mapping[str, SourceText], targets: Targets
) -> dict[str, Linking]:
    """`rewrite_source_links` of `todo`, each rendering with its source and problems."""
    done, problems = rewrite_source_links(todo, sources, targets)
    found: dict[str, list[Problem]] = {}
    for problem in problems:
        found.setdefault(problem.path, []).append(problem)
    return {
        key: Linking(item, sources.get(key), done[key], tuple(found.get(key, ())))
        for key, item in todo.items()
    }


def _every_problem(by_key: Mapping[str, Linking]) -> tuple[Problem, ...]:
    return tuple(problem for entry in by_key.values() for problem in entry.problems)

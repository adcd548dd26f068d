"""Build: load -> site -> render -> write. The only place the stages meet.

A `Builder` builds one journal again and again and keeps what it can between builds, so that
a build costs what changed rather than what exists:

- the parsed sources (`sources.SourceMemory`): watch mode re-reads only the files it is told
  changed; the site graph (`site.SiteMemo`), redone only in the parts an edit can change;
- each post's Markdown rendering, also kept across runs in ROOT/.journal-cache
  (`cache.BuildCache`); what neither holds is converted in several processes when that pays
  (`parallel.render_texts`);
- the last plan (`replan.PlanMemory`): after an edit that leaves the site's structure as it
  was, only the pages that show a changed post are planned and drawn, with what templates
  drew from unchanged views (`Views.derived`, `cached`) taken over; the other files are kept
  once the output's manifest vouches for them;
- each output file's fingerprint (`fingerprint.Fingerprinter`: the digest of the page's
  template sources and context): after any other edit every page is planned, and a page
  whose fingerprint did not change, and whose file the manifest still vouches for, is
  neither rendered nor written;
- per output folder, a stamp of the last one-off build's inputs (`inputs.digest_inputs`):
  when the files, settings, templates and program are all as they were and the output is
  intact, `journal build` has nothing to do, and reads no post to find that out.

Whatever is kept, the output is byte-identical to a build from scratch (tests/
test_incremental.py checks it after random edits). Pages are written as they are rendered,
into staged files that replace the old ones only when the whole build succeeded.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import jinja2

from generator.core.config import CONFIG_NAME, BuildOptions, Config, load_config, with_base_url
from generator.core.problems import Problem, error, has_errors
from generator.incremental.fingerprint import Fingerprinter
from generator.incremental.replan import Plan, PlanMemory, plan_again, plan_fully
from generator.incremental.sources import SourceMemory
from generator.pipeline.cache import BuildCache, Stamp
from generator.pipeline.crossrefs import (
    SourceText,
    Targets,
    link_targets,
    rewrite_source_links,
    site_link_problems,
    source_texts,
    source_texts_edited,
)
from generator.pipeline.inputs import InputDigest, digest_inputs, files_under
from generator.pipeline.load import (
    THEMES_DIR,
    Journal,
    Post,
    SourceFiles,
    assemble_journal,
    find_sources,
)
from generator.pipeline.markup import Rendered, cache_key
from generator.pipeline.parallel import render_texts
from generator.pipeline.render import Page, Planner, Recipe, page_chunks, page_problem
from generator.pipeline.site import Site, SiteMemo, build_site, is_published
from generator.pipeline.theme import (
    FRAGMENT_LISTS,
    FRAGMENTS,
    builtin_assets,
    builtin_assets_folder,
    builtin_templates,
    draw_each_uncached,
    draw_uncached,
    make_environment,
)
from generator.pipeline.views import Urls, Views
from generator.pipeline.write import (
    SiteWriter,
    WriteResult,
    WriterMemory,
    altered_files,
    display_path,
    output_problems,
    read_manifest_state,
)


@dataclass(frozen=True)
class BuildResult:
    problems: tuple[Problem, ...]
    posts: int = 0
    output: Path | None = None
    written: WriteResult | None = None  # None when nothing was written
    seconds: float = 0.0
    # Every output file, for builds that do not write (check, deploy) or that check links;
    # empty otherwise: a written site is streamed to disk, not held in memory.
    files: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    # Seconds spent in each stage, and counts (files read, Markdown converted, pages
    # rendered), for the benchmarks.
    figures: Mapping[str, float] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


@dataclass(frozen=True)
class Request:
    """What to build: the journal folder, where to, and with which options."""

    root: Path
    output: Path | None = None
    options: BuildOptions = field(default_factory=BuildOptions)
    base_url: str | None = None
    check_links: bool = False  # report every internal link of the output that leads nowhere
    use_cache: bool = True  # read and write ROOT/.journal-cache (False: --no-cache)
    workers: int | None = None  # processes converting Markdown (None: as many as pay)

    @property
    def output_dir(self) -> Path:
        return self.output if self.output is not None else self.root / "output"


def load_settings(request: Request) -> tuple[Config, list[Problem]]:
    config, problems = load_config(request.root)
    try:
        config = with_base_url(config, request.base_url)
    except ValueError as exc:
        problems.append(error("--base-url", 1, str(exc)))
    return config, problems


def markdown_sources(site: Site, journal: Journal) -> dict[str, str]:
    """The Markdown to render, by source key: every published post, then every theme intro."""
    texts = {key: post.body for key, post in site.posts.items()}
    texts.update({theme.key: theme.intro for theme in journal.themes})
    return texts


def render_sources(
    site: Site, journal: Journal, cache: BuildCache | None = None
) -> dict[str, Rendered]:
    """Rendered Markdown of every published post and every theme intro, by source key."""
    texts = markdown_sources(site, journal)
    hashes = {key: cache_key(text) for key, text in texts.items()}
    return _rendered_by_key(texts, hashes, cache, workers=None)[0]


def _rendered_by_key(
    texts: dict[str, str],
    hashes: Mapping[str, str],
    cache: BuildCache | None,
    workers: int | None,
    consume: bool = False,
) -> tuple[dict[str, Rendered], int]:
    """Each text's rendering, by key: from the cache where it is, converted (and cached)
    otherwise; and how many were converted. With `consume`, `texts` is emptied, and each
    text is let go of once converted."""
    wanted = {hashes[key]: text for key, text in texts.items()}
    if consume:
        texts.clear()
    found = cache.renderings(wanted) if cache is not None else {}
    missing = {digest: text for digest, text in wanted.items() if digest not in found}
    count = len(missing)
    wanted.clear()
    if missing:
        converted = render_texts(missing, workers=workers, consume=consume)
        if cache is not None:
            cache.store_renderings(converted)
        found.update(converted)
    return {key: found[digest] for key, digest in hashes.items()}, count


def templates_digest(root: Path) -> str:
    """The digest of every template a build may use: a journal's own, then the built-in ones."""
    digest = hashlib.sha256()
    for folder in (root / "templates", builtin_templates()):
        digest.update(b"\0folder\0" + str(folder).encode())
        for path in files_under(folder):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            name = path.relative_to(folder).as_posix()
            digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def assets_signature() -> tuple[tuple[str, int, int], ...]:
    """The status of the theme's asset files (they change only while the theme is worked on)."""
    folder = builtin_assets_folder()
    found = []
    for path in files_under(folder):
        status = path.stat()
        found.append((path.name, status.st_size, status.st_mtime_ns))
    return tuple(found)


def publish_horizon(posts: Iterable[Post], options: BuildOptions) -> datetime | None:
    """The first moment at which a post now left out for its future date gets published."""
    if options.now is None or options.future:
        return None
    later = replace(options, future=True)
    waiting = [p.date for p in posts if not is_published(p, options) and is_published(p, later)]
    return min(waiting, default=None)


def without_markdown(site: Site, journal: Journal) -> tuple[Site, Journal]:
    """The site and journal with every post's Markdown body left out (rendered already)."""
    light = {post.key: replace(post, body="") for post in journal.posts}
    return (
        site.with_records({key: light[key] for key in site.posts}),
        replace(journal, posts=tuple(light[post.key] for post in journal.posts)),
    )


def give_back_memory() -> None:
    """Hand memory freed by the stages so far back to the system. The C library keeps freed
    blocks for later requests of their size, which the next stages, made of small objects,
    rarely make: without this, a large build's peak would be the sum of its stages."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        return  # not the GNU C library: nothing to do


_UNKNOWN = b""  # the fingerprint of a page whose context was not digested

_TRIM_EVERY = 8 << 20  # bytes of pages rendered between two `give_back_memory` calls


class _Clock:
    """Seconds per stage, for BuildResult.figures."""

    def __init__(self) -> None:
        self.figures: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.figures[stage] = self.figures.get(stage, 0.0) + now - self._last
        self._last = now

    def count(self, name: str, value: int) -> None:
        self.figures[name] = float(value)


# A source's links rewritten: (rendering in, source text, rendering out, problems).
_Linking = tuple[Rendered, SourceText | None, Rendered, list[Problem]]
# The last build's links: (targets, {key: _Linking}, {key: rendering out}, every problem).
_Links = tuple[Targets, dict[str, _Linking], dict[str, Rendered], list[Problem]]


@dataclass
class _Output:
    """One output file as the last committed build made it."""

    fingerprint: bytes  # of its context and templates (pages) or of its bytes (other files)
    sha256: str


class Builder:
    """Builds one journal again and again (watch mode). `changed` names the files that changed
    since the last build (None: unknown, look at everything). Whatever it keeps between builds,
    its output must stay byte-identical to a clean `build`."""

    def __init__(self, request: Request, *, again: bool = True, own_output: bool = False) -> None:
        """`again=False` for a builder that builds once: it skips the fingerprints that only
        a later build would compare with. `own_output=True` when nothing else writes the
        output folder between its builds (serve's preview): a build that plans only the
        pages an edit shows then keeps the other files without looking at each of them, and
        `audit()` looks at them once the build is done."""
        self.request = request
        self._again = again
        self._own_output = own_output
        self._look = True  # the next short plan looks at each file it keeps
        self._config: Config | None = None
        self._sources: SourceMemory | None = None
        # Each source's Markdown and its rendering, by source key, in build order.
        self._markdown: tuple[dict[str, str], dict[str, Rendered]] = ({}, {})
        self._env: tuple[str, jinja2.Environment] | None = None  # (templates digest, env)
        self._own_templates = True  # the journal has templates of its own (see plan_again)
        self._assets: tuple[tuple[tuple[str, int, int], ...], dict[str, bytes]] | None = None
        self._outputs: dict[str, _Output] = {}
        self._fingerprints = Fingerprinter()
        self._horizon: datetime | None = None  # when a post dated later gets published
        # What the last build_site worked out, for the next one to take over (watch mode).
        self._site_memo = SiteMemo() if again else None
        # The last written build's plan: its views are taken over where they did not change,
        # and only the pages that show a changed post are made again.
        self._plan: PlanMemory | None = None
        self._plan_templates = ""  # the digest of the templates that drew its pages
        self._plan_journal: Journal | None = None  # the journal it was planned from
        self._problems: tuple[tuple[Problem, ...], tuple[Problem, ...]] | None = None
        self._site_urls: tuple[Config, Urls] | None = None
        self._source_texts: dict[str, SourceText] = {}
        # The journal and published posts that the Markdown, source texts and links kept
        # here are of (an edit of a few posts then updates only theirs).
        self._journal: Journal | None = None
        self._published: Mapping[str, Post] = {}
        self._targets: tuple[tuple[object, ...], Targets] | None = None
        self._manifest: WriterMemory | None = None
        # The source links rewritten last time (see _Links).
        self._links: _Links | None = None

    def build(self, changed: Iterable[Path] | None = None, write: bool = True) -> BuildResult:
        started = time.perf_counter()
        clock = _Clock()
        request = self.request
        config, problems = load_settings(request)
        if has_errors(problems) and not (request.root / CONFIG_NAME).is_file():
            return BuildResult(tuple(sorted(problems)))  # no journal here: nothing more to say
        # Bad settings fall back to their defaults, so the posts' problems are reported too.
        if config != self._config or self._sources is None:
            self._forget(config)
            changed = None
        changes = None if changed is None else frozenset(changed)
        # Only a build that may write its output writes the cache: `check` and a refused
        # output folder leave the journal as it was.
        writable = write and not output_problems(request.root, request.output_dir)
        cache = BuildCache.open(request.root, writable) if request.use_cache else None
        clock.lap("settings")
        try:
            inputs = None
            # A one-off build with nothing changed since the last one has nothing to do.
            # (Watch mode's first build reads everything: the builds after it need it.)
            if changes is None and write and cache is not None and not self._again:
                listing = find_sources(request.root)
                inputs = digest_inputs(request.root, listing, self._request_items())
                stamped = self._stamped_result(cache, inputs)
                clock.lap("stamp")
                if stamped is not None:
                    return replace(
                        stamped, seconds=time.perf_counter() - started, figures=clock.figures
                    )
            result = self._build(config, problems, changes, write, cache, clock)
            if cache is not None and write and result.written is not None:
                keep = inputs is not None and not inputs.racy and not request.check_links
                stamp = self._stamp(result, inputs) if keep and inputs is not None else None
                cache.store_stamp(self._output_key(), stamp)
        finally:
            if cache is not None:
                cache.close()
        clock.lap("cache")
        return replace(result, seconds=time.perf_counter() - started, figures=clock.figures)

    # ------------------------------------------------------------ the stages

    def _build(
        self,
        config: Config,
        problems: list[Problem],
        changed: frozenset[Path] | None,
        write: bool,
        cache: BuildCache | None,
        clock: _Clock,
    ) -> BuildResult:
        request = self.request
        assert self._sources is not None
        journal = self._sources.journal(changed)
        problems.extend(journal.problems)
        clock.count("files read", self._sources.read)
        clock.lap("load")
        # The posts an edit changed, when all else is as the last build had it: the stages
        # below then look only at those.
        before, edited = self._sources.before, self._sources.edited
        self._horizon = publish_horizon(journal.posts, request.options)
        site = build_site(
            journal.posts,
            journal.themes,
            config,
            request.options,
            memo=self._site_memo,
            edited=(before.posts, edited) if before is not None and edited is not None else None,
        )
        problems.extend(site.problems)
        clock.lap("site")
        only = edited if before is not None and before is self._journal else None
        if only is not None and self._published.keys() != site.posts.keys():
            only = None
        texts = self._texts(site, journal, only)
        # (None until the memos below are set; a one-off build keeps no post: it lets go of
        # their Markdown as soon as it is converted)
        self._journal, self._published = None, site.posts if self._again else {}
        light = not self._again and not request.check_links
        if light:
            # Nothing but the conversion reads the Markdown: a build that will not run again
            # lets go of each post's text as soon as its HTML is there (at 10,000 posts, the
            # text is a third of the peak memory). The few files whose links have problems
            # are read again, to tell the problems' lines.
            site, journal = without_markdown(site, journal)
            self._sources = None
            sources: dict[str, SourceText] = {}
        elif only is not None:
            edited_posts = [self._sources.post(key) for key in sorted(only)]
            posts = [post for post in edited_posts if post is not None]
            sources = self._source_texts = source_texts_edited(self._source_texts, posts)
        else:
            sources = self._source_texts = source_texts(journal, self._source_texts)
        rendered = self._renderings(
            texts, cache, full=changed is None, clock=clock, consume=light, only=only
        )
        clock.lap("markdown")
        targets = self._link_targets(site, journal, config, same_posts=only is not None)
        linked, link_problems = self._linked(rendered, sources, targets, only)
        if self._again:
            self._journal = journal
        if light and link_problems:
            linked, link_problems = self._relinked(rendered, linked, link_problems, targets, config)
        rendered = linked
        problems.extend(link_problems)
        if light:
            give_back_memory()
        clock.lap("links")
        templates, env = self._environment()  # (read once a build: it digests every template)
        plan_only = edited if before is not None and before is self._plan_journal else None
        plan = self._planned(site, rendered, changed, templates, plan_only)
        pages = plan.pages
        clock.count("pages planned", len(pages))
        clock.count("short plan", 1 if plan.kept else 0)
        if light:
            give_back_memory()
        clock.lap("plan")
        every_path = (
            list(plan.memory.made_by)
            if plan.kept and plan.memory is not None
            else [page.path for page in pages]
        )
        extra, static_problems = self._other_files(journal, set(every_path))
        problems.extend(static_problems)
        output = request.output_dir
        if write:
            problems.extend(output_problems(request.root, output))
        keep_files = not write or request.check_links
        emitted = self._emit(
            plan, every_path, extra, (templates, env), output, write, keep_files, problems, clock
        )
        problems.extend(emitted.problems)
        if request.check_links:
            problems.extend(site_link_problems(emitted.files, site, sources, rendered))
        written = None
        if emitted.writer is not None:
            if has_errors(problems):
                emitted.writer.abort()
            else:
                written = emitted.writer.commit()
                self._outputs = emitted.outputs
                self._plan = plan.memory if self._again else None
                self._plan_journal = journal if self._again else None
                self._plan_templates = templates
                self._manifest = emitted.writer.saved if self._again else None
                self._look = False
        clock.lap("write")
        return BuildResult(
            self._sorted_problems(problems),
            posts=len(site.posts),
            output=output,
            written=written,
            files=emitted.files if keep_files else {},
        )

    def _texts(self, site: Site, journal: Journal, only: Collection[str] | None) -> dict[str, str]:
        """`markdown_sources`; after an edit of the posts `only` (the same posts published
        as in the last build), the last build's texts with theirs."""
        if only is None:
            return markdown_sources(site, journal)
        texts = dict(self._markdown[0])
        posts = site.posts
        texts.update((key, posts[key].body) for key in sorted(only) if key in posts)
        return texts

    def _sorted_problems(self, problems: list[Problem]) -> tuple[Problem, ...]:
        """The problems, each once, in order: the last build's tuple if they are the same
        (a journal with a thousand open promises warns about each at every build)."""
        found = tuple(problems)
        last = self._problems
        if last is not None and last[0] == found:
            return last[1]
        ordered = tuple(sorted(set(found)))
        self._problems = (found, ordered) if self._again else None
        return ordered

    def _link_targets(
        self, site: Site, journal: Journal, config: Config, same_posts: bool = False
    ) -> Targets:
        """`link_targets`, the same object as last time when the posts' URLs, the years and
        the files are the same (watch mode, after a post's text or title changed).
        `same_posts`: the journal has the last build's posts, in order (not all the same)."""
        last = self._targets
        keys = (
            last[0][2] if last is not None and same_posts else tuple(p.key for p in journal.posts)
        )
        inputs = (site.urls, site.years, keys, journal.static)
        if last is not None and all(a is b or a == b for a, b in zip(last[0], inputs, strict=True)):
            return last[1]
        targets = link_targets(site, journal, self._urls(config))
        self._targets = (inputs, targets) if self._again else None
        return targets

    def _urls(self, config: Config) -> Urls:
        """The site's URLs, kept while the settings are the same (it remembers each URL)."""
        if self._site_urls is None or self._site_urls[0] != config:
            self._site_urls = (config, Urls(config.base_url, config.base_path))
        return self._site_urls[1]

    def _planned(
        self,
        site: Site,
        rendered: Mapping[str, Rendered],
        changed: frozenset[Path] | None,
        templates: str,
        only: Collection[str] | None = None,
    ) -> Plan:
        """Every page; in watch mode, after an edit that left the site's structure as it was,
        only the pages that show a changed post (`replan`; `only`: the posts that may have
        changed since the last plan, if known)."""
        if not self._again:
            views = Views(site, rendered)
            return Plan(list(Planner(site, views).pages()), {}, None)
        # Views keep what templates drew from them (feed entries, list items): after a change
        # of templates, nothing of the last plan is taken over.
        last = self._plan if templates == self._plan_templates else None
        if last is not None and changed is not None:
            again = plan_again(last, site, rendered, only, self._own_templates)
            if again is not None:
                return again
        return plan_fully(site, rendered, last.views if last is not None else None)

    def _renderings(
        self,
        texts: dict[str, str],
        cache: BuildCache | None,
        full: bool,
        clock: _Clock,
        consume: bool = False,
        only: Collection[str] | None = None,
    ) -> dict[str, Rendered]:
        """Every rendering: remembered from the last build when its text is the same, else
        from the cache, else converted. With `consume`, `texts` is emptied, and each text
        is let go of once converted. `only`: the keys whose texts may differ from the last
        build's (`_texts`), the sources being the same in the same order."""
        before_texts, before = self._markdown
        maybe = texts.keys() if only is None else [k for k in sorted(only) if k in texts]
        missing = {k: texts[k] for k in maybe if before_texts.get(k) is not texts[k]}
        missing = {k: t for k, t in missing.items() if before_texts.get(k) != t}
        hashes = {key: cache_key(text) for key, text in missing.items()}
        everything = len(missing) == len(texts)
        remembered = dict(texts) if self._again else {}
        if consume:
            texts.clear()
        fresh, converted = _rendered_by_key(
            missing, hashes, cache, self.request.workers, consume=consume
        )
        clock.count("markdown converted", converted)
        if only is not None or list(remembered) == list(before):  # the same sources, in order
            rendered = {**before, **fresh}  # (a one-off build: `fresh` holds every source)
        else:
            rendered = {k: fresh[k] if k in fresh else before[k] for k in remembered}
        if self._again:
            self._markdown = (remembered, rendered)
        if cache is not None and full and everything:
            cache.prune_renderings(set(hashes.values()))
        return rendered

    def _relinked(
        self,
        rendered: Mapping[str, Rendered],
        linked: dict[str, Rendered],
        problems: list[Problem],
        targets: Targets,
        config: Config,
    ) -> tuple[dict[str, Rendered], list[Problem]]:
        """Link problems found without the Markdown at hand: their files are read again and
        their links rewritten again, for the problems to say the right line."""
        keys = {problem.path for problem in problems} & set(rendered)
        again = SourceMemory(self.request.root, config.zone)
        found = assemble_journal(
            SourceFiles(
                tuple(k for k in sorted(keys) if not k.startswith(THEMES_DIR + "/")),
                tuple(k for k in sorted(keys) if k.startswith(THEMES_DIR + "/")),
                (),
                (),
            ),
            again.read_post,
            again.read_theme,
            lambda key: b"",
        )
        redone, fixed = rewrite_source_links(
            {k: rendered[k] for k in keys}, source_texts(found), targets
        )
        kept = [problem for problem in problems if problem.path not in keys]
        return {**linked, **redone}, kept + fixed

    def _linked(
        self,
        rendered: Mapping[str, Rendered],
        sources: Mapping[str, SourceText],
        targets: Targets,
        only: Collection[str] | None = None,
    ) -> tuple[dict[str, Rendered], list[Problem]]:
        """`rewrite_source_links`, done again only for renderings or sources that changed,
        or for all of them when the posts' URLs did. `only`: the keys whose renderings or
        sources may have changed since the last build (which had the same keys)."""
        links = self._links
        same = links is not None and (links[0] is targets or links[0] == targets)
        if only is not None and links is not None and same:
            return self._linked_again(links, rendered, sources, only)
        before = links[1] if links is not None and same else {}
        reused: dict[str, _Linking] = {}
        todo: dict[str, Rendered] = {}
        for key, item in rendered.items():
            old, source = before.get(key), sources.get(key)
            if old is not None and old[0] is item and (old[1] is source or old[1] == source):
                reused[key] = old
            else:
                todo[key] = item
        done, found = self._rewritten(todo, sources, targets)
        kept = {
            key: reused[key]
            if key in reused
            else (item, sources.get(key), done[key], found.get(key, []))
            for key, item in rendered.items()
        }
        result = {key: entry[2] for key, entry in kept.items()}
        every = [problem for entry in kept.values() for problem in entry[3]]
        self._links = (targets, kept, result, every) if self._again else None
        return result, every

    def _linked_again(
        self,
        links: _Links,
        rendered: Mapping[str, Rendered],
        sources: Mapping[str, SourceText],
        only: Collection[str],
    ) -> tuple[dict[str, Rendered], list[Problem]]:
        """`_linked` after an edit of the posts `only`: the last build's, with theirs."""
        targets, before, before_result, before_every = links
        todo: dict[str, Rendered] = {}
        for key in sorted(only):
            item, old, source = rendered.get(key), before.get(key), sources.get(key)
            if item is None or (
                old is not None and old[0] is item and (old[1] is source or old[1] == source)
            ):
                continue
            todo[key] = item
        if not todo:
            return before_result, before_every
        done, found = self._rewritten(todo, sources, targets)
        kept, result = dict(before), dict(before_result)
        had_problems = False
        for key, item in todo.items():
            old = kept.get(key)
            had_problems = had_problems or (old is not None and bool(old[3])) or key in found
            kept[key] = (item, sources.get(key), done[key], found.get(key, []))
            result[key] = done[key]
        every = (
            [problem for entry in kept.values() for problem in entry[3]]
            if had_problems
            else before_every
        )
        self._links = (targets, kept, result, every)
        return result, every

    @staticmethod
    def _rewritten(
        todo: Mapping[str, Rendered], sources: Mapping[str, SourceText], targets: Targets
    ) -> tuple[dict[str, Rendered], dict[str, list[Problem]]]:
        """`rewrite_source_links` of `todo`, with its problems by source key."""
        done, problems = rewrite_source_links(todo, sources, targets)
        found: dict[str, list[Problem]] = {}
        for problem in problems:
            found.setdefault(problem.path, []).append(problem)
        return done, found

    def _other_files(
        self, journal: Journal, page_paths: set[str]
    ) -> tuple[dict[str, bytes], list[Problem]]:
        """The theme's assets and the journal's static files (a page wins over a static file
        of the same path, which is an error)."""
        signature = assets_signature()
        if self._assets is None or self._assets[0] != signature:
            self._assets = (signature, builtin_assets())
        files = dict(self._assets[1])
        problems: list[Problem] = []
        for static in journal.static:
            if static.path in page_paths:
                problems.append(
                    error(
                        f"content/static/{static.path}",
                        1,
                        f"this file would replace the generated page /{static.path}: rename it",
                    )
                )
                continue
            files[static.path] = static.data
        return files, problems

    def _environment(self) -> tuple[str, jinja2.Environment]:
        digest = templates_digest(self.request.root)
        if self._env is None or self._env[0] != digest:
            folder = self.request.root / "templates"
            env = make_environment(folder)
            env.auto_reload = False  # a change of any template makes a new environment
            self._env = (digest, env)
            self._own_templates = folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))
        return self._env

    def _emit(
        self,
        plan: Plan,
        every_path: list[str],
        extra: Mapping[str, bytes],
        drawing: tuple[str, jinja2.Environment],  # the templates' digest and environment
        output: Path,
        write: bool,
        keep_files: bool,
        problems: list[Problem],
        clock: _Clock,
    ) -> _Emitted:
        """Render and write every file (`plan.pages` is emptied on the way); pages whose
        fingerprint did not change, and those the plan did not make again, are kept."""
        emitted = _Emitted()
        pages = plan.pages
        if write and not has_errors(problems):
            paths = [*extra, *every_path]
            try:
                emitted.writer = SiteWriter(output, paths, known=self._manifest)
            except (OSError, ValueError) as exc:
                emitted.problems.append(_write_problem(output, self.request.root, exc))
        writer = emitted.writer
        for path, data in extra.items():
            of_bytes = hashlib.blake2b(data, digest_size=20).digest()
            self._emit_one(emitted, path, of_bytes, None, data, keep_files)
        digest, env = drawing
        views = plan.memory.views if plan.memory is not None else None
        env.globals[FRAGMENTS] = views.fragment if views is not None else draw_uncached
        env.globals[FRAGMENT_LISTS] = views.fragments if views is not None else draw_each_uncached
        clock.lap("write")
        failed: set[str] = set()
        fingerprints = self._fingerprints
        rendered = 0
        kept = self._keep_unplanned(emitted, plan, pages, keep_files)
        pages.reverse()
        made = 0  # bytes rendered since memory was last handed back
        while pages:
            page = pages.pop()  # let go of each page's context once it is written
            if not self._again and made > _TRIM_EVERY:
                give_back_memory()  # what rendering left between long-lived entries
                made = 0
            if page.template in failed:
                continue
            fingerprint: bytes | None = None
            if not keep_files and self._again:
                # A partial plan makes only pages that show a changed post: digesting their
                # contexts to find the few that did not change costs more than drawing them.
                fingerprint = _UNKNOWN
                if not plan.kept:
                    fingerprint = fingerprints.page(digest + page.template, page.context)
            try:
                if self._emit_one(emitted, page.path, fingerprint, (page, env), None, keep_files):
                    kept += 1
                else:
                    rendered += 1
                    entry = writer.current.get(page.path) if writer is not None else None
                    made += entry.size if entry is not None else 0
            except jinja2.TemplateError as exc:
                failed.add(page.template)
                emitted.problems.append(page_problem(exc, page.template))
                if writer is not None:
                    writer.discard(page.path)
        if not plan.kept:
            fingerprints.forget_unused()  # (a partial plan used only some of them)
        clock.count("pages rendered", rendered)
        clock.count("pages kept", kept)
        clock.lap("render")
        return emitted

    def _keep_unplanned(
        self, emitted: _Emitted, plan: Plan, pages: list[Page], keep_files: bool
    ) -> int:
        """Keep the files of the pages the plan did not make again; a file that is not as
        the last build left it has its page made and added to `pages`. The count kept."""
        writer = emitted.writer
        outputs = self._outputs
        if keep_files:
            known: Collection[str] = ()
        elif plan.kept.keys() <= outputs.keys():  # (as a short plan's always are)
            known = plan.kept.keys()
        else:
            known = [path for path in plan.kept if path in outputs]
        refused = set(plan.kept).difference(known) if len(known) < len(plan.kept) else set()
        if writer is not None and self._own_output and not self._look and writer.remembered:
            # The outputs and the writer's manifest are both the last build's, so their
            # digests agree: the files are taken to be as it left them (`audit` looks).
            refused.update(writer.keep_unlooked(known))
        elif writer is not None:
            files = ((path, outputs[path].sha256) for path in known)
            refused.update(writer.keep_all(files))
        if refused:
            known = [path for path in known if path not in refused]
        emitted.outputs.update(zip(known, map(outputs.__getitem__, known), strict=True))
        remake: dict[Recipe, set[str]] = {}
        for path in refused:
            remake.setdefault(plan.kept[path], set()).add(path)
        if remake and plan.memory is not None:
            planner = plan.memory.planner
            for recipe in sorted(remake, key=plan.memory.order.__getitem__):
                paths = remake[recipe]
                pages.extend(page for page in planner.make(recipe) if page.path in paths)
        return len(plan.kept) - len(refused)

    def _emit_one(
        self,
        emitted: _Emitted,
        path: str,
        fingerprint: bytes | None,
        page: tuple[Page, jinja2.Environment] | None,
        data: bytes | None,
        keep_files: bool,
    ) -> bool:
        """Write (or keep) one file; True if it was kept without being made again."""
        writer = emitted.writer
        before = self._outputs.get(path)
        if fingerprint and before is not None and before.fingerprint == fingerprint:
            if writer is None:
                return True  # a failed build: this page would render as it did, without error
            if writer.keep(path, before.sha256):
                emitted.outputs[path] = before
                return True
        if data is None:
            assert page is not None
            chunks = page_chunks(*page)
            if keep_files or writer is None:
                data = b"".join(chunks)
            else:
                sha = writer.put_chunks(path, chunks)
                if fingerprint is not None:
                    emitted.outputs[path] = _Output(fingerprint, sha)
                return False
        if keep_files:
            emitted.files[path] = data
        if writer is not None:
            sha = writer.put(path, data)
            if fingerprint is not None:
                emitted.outputs[path] = _Output(fingerprint, sha)
        return False

    def audit(self) -> list[str]:
        """The output files that are no longer as the last build left them (a hand edit of
        the preview folder, say); if there are any, the next build looks at every file it
        keeps, and so makes those again."""
        memory = self._manifest
        altered = altered_files(memory) if memory is not None else []
        if altered:
            self._look = True
        return altered

    def forget_dead(self) -> int:
        """Let go of what the kept views derived from views that are gone (serve calls this
        between builds); how many values."""
        return self._plan.views.forget_dead() if self._plan is not None else 0

    # ------------------------------------------------------------ memory and stamps

    def _forget(self, config: Config) -> None:
        """Start afresh (new settings change every page); renderings stay valid."""
        self._config = config
        self._sources = SourceMemory(self.request.root, config.zone)
        self._outputs = {}
        self._plan = self._plan_journal = self._journal = None
        self._links = None
        self._targets = None

    def _output_key(self) -> str:
        return str(self.request.output_dir.resolve())

    def _request_items(self) -> list[str]:
        request = self.request
        options = request.options
        return [
            f"output {self._output_key()}",
            f"base_url {request.base_url}",
            f"drafts {options.drafts} future {options.future} clock {options.now is not None}",
            f"check_links {request.check_links}",
        ]

    def _stamp(self, result: BuildResult, inputs: InputDigest) -> Stamp | None:
        assert result.written is not None
        horizon = self._horizon
        manifest, _ = read_manifest_state(self.request.output_dir)
        return Stamp(
            inputs=inputs.value,
            valid_until=horizon.isoformat() if horizon is not None else None,
            posts=result.posts,
            files=len(manifest),
            problems=tuple((p.path, p.line, p.level, p.message) for p in result.problems),
        )

    def _stamped_result(self, cache: BuildCache, inputs: InputDigest) -> BuildResult | None:
        """The result of a build with nothing to do, if the stamp and the output say so."""
        stamp = cache.stamp(self._output_key())
        if stamp is None or stamp.inputs != inputs.value or inputs.racy:
            return None
        now = self.request.options.now
        until = stamp.valid_until
        if until is not None and now is not None and now >= datetime.fromisoformat(until):
            return None
        output = self.request.output_dir
        if output_problems(self.request.root, output) or not _output_intact(output, stamp.files):
            return None
        problems = tuple(
            Problem(path, line, "error" if level == "error" else "warning", message)
            for path, line, level, message in stamp.problems
        )
        return BuildResult(
            problems,
            posts=stamp.posts,
            output=output,
            written=WriteResult((), stamp.files, ()),
        )


@dataclass
class _Emitted:
    writer: SiteWriter | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    outputs: dict[str, _Output] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _output_intact(output: Path, expected: int) -> bool:
    """True if the output folder holds exactly what its manifest says, file by file."""
    entries, unfinished = read_manifest_state(output)
    if unfinished or len(entries) != expected:
        return False
    folder = str(output)
    for path, entry in entries.items():
        try:
            status = os.lstat(os.path.join(folder, path))
        except OSError:
            return False
        if (status.st_size, status.st_mtime_ns) != (entry.size, entry.mtime_ns):
            return False
    return True


def _write_problem(output: Path, root: Path, exc: Exception) -> Problem:
    shown = display_path(output, root)
    return error(shown, 1, f"cannot write the site into {shown}: {exc}")


def build(request: Request, write: bool = True) -> BuildResult:
    """Build the journal once; write the output only when there is no error."""
    return Builder(request, again=False).build(write=write)


def describe_output(result: BuildResult, root: Path) -> str:
    return display_path(result.output, root) + "/" if result.output else "output/"


def summary_line(result: BuildResult, root: Path) -> str:
    warnings = sum(1 for p in result.problems if p.level == "warning")
    posts = f"{result.posts} post{'s' if result.posts != 1 else ''}"
    seconds = f"{result.seconds:.2f} s"
    warn = f"{warnings} warning{'s' if warnings != 1 else ''}"
    if result.written is None:
        errors = sum(1 for p in result.problems if p.level == "error")
        where = describe_output(result, root)
        failed = f"{errors} error{'s' if errors != 1 else ''}"
        return f"Build failed: {failed}, {warn}; {where} left as it was"
    w = result.written
    pages = f"{len(w.written)} file{'s' if len(w.written) != 1 else ''} written"
    deleted = f", {len(w.deleted)} removed" if w.deleted else ""
    return (
        f"Built {posts} into {describe_output(result, root)}: {pages}, {w.unchanged} unchanged"
        f"{deleted}, {warn}, {seconds}"
    )

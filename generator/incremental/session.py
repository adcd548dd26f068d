"""A watch session: one journal built again and again (`journal serve`), each build costing
what changed rather than what exists.

A `WatchSession` keeps between builds:

- the parsed sources (`sources.SourceMemory`): it re-reads only the files it is told
  changed; the site graph (`site_memo.SiteMemo`), redone only in the parts an edit can change;
- each source's Markdown, its rendering and its links rewritten (linking.py): renderings are
  also kept across runs in ROOT/.journal-cache (`cache.BuildCache`), and what neither holds
  is converted in several processes when that pays (`parallel.render_texts`);
- the last plan (`replan.PlanMemory`): after an edit that leaves the site's structure as it
  was, only the pages that read a changed post are planned and drawn, with what templates
  drew from unchanged views (kept_views.py, `cached`) taken over; the other files are kept
  once the output's manifest vouches for them;
- each output file's fingerprint (outputs.py: the digest of the page's template sources and
  context): after any other edit every page is planned, and a page whose fingerprint did not
  change, and whose file the manifest still vouches for, is neither rendered nor written;
- the templates' environment, the assets and the last problems, while they stay the same.

Each build asks the session's clock for the time (schedule.py): a post dated later is
published by the first build at or after its date, and `next_due` tells when that is.

Whatever is kept, the output is byte-identical to a build from scratch (`pipeline.build.build`;
tests/test_incremental.py checks it after random edits). Pages are written as they are
rendered, into staged files that replace the old ones only when the whole build succeeded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator.core.config import CONFIG_NAME, Config
from generator.core.problems import Problem, has_errors
from generator.incremental.kept_pictures import KeptPictures
from generator.incremental.linking import KeptTexts
from generator.incremental.outputs import Drawing, KeptOutput, Making
from generator.incremental.replan import Plan, PlanMemory, plan_again, plan_fully
from generator.incremental.schedule import Moment, Now, moment_at
from generator.incremental.site_memo import SiteMemo
from generator.incremental.sources import SourceMemory
from generator.incremental.template_reads import ReadingEnvironment, TemplateSources
from generator.pipeline.aliases import site_aliases
from generator.pipeline.build import (
    BuildResult,
    Request,
    load_settings,
    opened_cache,
    pending_promises,
)
from generator.pipeline.cache import BuildCache
from generator.pipeline.crossrefs import site_link_problems
from generator.pipeline.emit import (
    Destination,
    finish_writing,
    give_back_memory,
    other_files,
)
from generator.pipeline.figures import Clock
from generator.pipeline.inputs import files_under
from generator.pipeline.linked_titles import kept_lines, with_wikilinks
from generator.pipeline.load import Journal
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site
from generator.pipeline.stamp import output_key
from generator.pipeline.theme import (
    ASSETS_FOLDER,
    asset_files,
    builtin_assets,
    builtin_templates,
    environment_of,
    has_custom_css,
)
from generator.pipeline.wikilinks import TitleMemo
from generator.pipeline.write import output_problems


@dataclass(frozen=True)
class KeptAssets:
    """The assets, while their files' status stays the same (`assets_signature`)."""

    signature: tuple[tuple[str, int, int], ...]
    files: Mapping[str, bytes]


@dataclass(frozen=True)
class KeptPlan:
    """The last written build's plan, for the next build to take over (`replan`)."""

    memory: PlanMemory
    templates: str  # the digest of the templates that drew its pages
    journal: Journal  # the journal it was planned from


@dataclass(frozen=True)
class SortedProblems:
    """The last build's problems as the stages found them, and each once, in order."""

    found: tuple[Problem, ...]
    ordered: tuple[Problem, ...]


def templates_digest(root: Path) -> str:
    """The digest of every template a build may use: a journal's own, then the built-in ones.
    The assets beside them are not templates: `assets_signature` follows those, so that a
    changed stylesheet is copied again without drawing any page."""
    digest = hashlib.sha256()
    for folder in (root / "templates", builtin_templates()):
        digest.update(b"\0folder\0" + str(folder).encode())
        assets = folder / ASSETS_FOLDER
        for path in files_under(folder):
            if path.is_relative_to(assets) or "__pycache__" in path.parts:
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            name = path.relative_to(folder).as_posix()
            digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def assets_signature(templates: Path) -> tuple[tuple[str, int, int], ...]:
    """The status of the asset files, the theme's and those of the journal's `templates`
    folder (they change only while a theme is worked on)."""
    found = []
    for path in asset_files(templates).values():
        status = path.stat()
        found.append((path.name, status.st_size, status.st_mtime_ns))
    return tuple(found)


# A session lets go of what was derived from views that are gone at least this often, even
# when saves come too fast for serve's quiet look after a build (which does it too). A look
# costs a few milliseconds at 10,000 posts; without it, a session saved to every second grew
# by some 0.25 MiB a save (benchmarks/serve_day.py).
FORGET_EVERY = 32


class WatchSession:
    """Builds one journal again and again (watch mode). `changed` names the files that changed
    since the last build (None: unknown, look at everything). Whatever it keeps between builds,
    its output must stay byte-identical to a clean `build`."""

    def __init__(
        self, request: Request, *, own_output: bool = False, clock: Now | None = None
    ) -> None:
        """`own_output=True` when nothing else writes the output folder between its builds
        (serve's preview): a build that plans only the pages an edit shows then keeps the
        other files without looking at each of them, and `audit()` looks at them once the
        build is done. `clock`: the time of each build (serve passes the real one); None:
        the request's `options.now`, at every build."""
        self.request = request
        self._clock = clock
        self._moment: Moment | None = None
        self._config: Config | None = None
        self._sources: SourceMemory | None = None
        self._site_memo = SiteMemo()
        self._texts = KeptTexts(request.workers)
        self._titles = TitleMemo()  # what the links by title keep between builds
        self._pictures = KeptPictures()
        self._drawing: Drawing | None = None
        self._assets: KeptAssets | None = None
        self._plan: KeptPlan | None = None
        self._problems: SortedProblems | None = None
        self._output = KeptOutput(own_output)
        self._builds_since_forgetting = 0

    @property
    def next_due(self) -> datetime | None:
        """When a post that the last build left out for its date (not a draft) is published:
        a build from then on shows it. None: no post waits for its date."""
        return self._moment.next_due if self._moment is not None else None

    def build(self, changed: Iterable[Path] | None = None, write: bool = True) -> BuildResult:
        clock = Clock()
        request = self.request
        config, problems = load_settings(request)
        if has_errors(problems) and not (request.root / CONFIG_NAME).is_file():
            self._moment = None
            return BuildResult(tuple(sorted(problems)))  # no journal here: nothing more to say
        # Bad settings fall back to their defaults, so the posts' problems are reported too.
        if config != self._config or self._sources is None:
            self._forget(config)
            changed = None
        changes = None if changed is None else frozenset(changed)
        with opened_cache(request, write) as cache:
            clock.lap("settings")
            result = self._build(config, problems, changes, write, cache, clock)
            if cache is not None and write and result.written is not None:
                # The stamp of `journal build` into this folder no longer tells what it holds.
                cache.store_stamp(output_key(request.output_dir), None)
        clock.lap("cache")
        # What each build freed goes back to the system: the C library otherwise keeps it,
        # scattered among what the session keeps, and a day of saves creeps up. serve_day
        # at 10,000 posts, 1,000 saves: +3.4 MiB over the last 900 with this, +15 to +17
        # without; it costs 2.6 ms a build (median of 40 edits at 10,000 posts).
        give_back_memory()
        self._builds_since_forgetting += 1
        if self._builds_since_forgetting >= FORGET_EVERY:
            self.forget_dead()
        return replace(result, seconds=clock.elapsed(), figures=clock.figures())

    def audit(self) -> list[str]:
        """The output files that are no longer as the last build left them (a hand edit of
        the preview folder, say); if there are any, the next build looks at every file it
        keeps, and so makes those again."""
        return self._output.audit()

    def forget_dead(self) -> int:
        """Let go of what the kept views derived from views that are gone (serve calls this
        between builds, and a build every FORGET_EVERY builds); how many values."""
        self._builds_since_forgetting = 0
        return self._plan.memory.views.forget_dead() if self._plan is not None else 0

    # ------------------------------------------------------------ the stages

    def _build(
        self,
        config: Config,
        problems: list[Problem],
        changed: frozenset[Path] | None,
        write: bool,
        cache: BuildCache | None,
        clock: Clock,
    ) -> BuildResult:
        request = self.request
        sources = self._sources
        assert sources is not None
        journal = sources.journal(changed)
        problems.extend(journal.problems)
        clock.files_read = sources.read
        now = self._clock() if self._clock is not None else request.options.now
        moment = self._moment = moment_at(now, request.options, self._moment, journal.posts)
        clock.lap("load")
        # The posts an edit changed, when all else is as the last build had it: the stages
        # below then look only at those.
        before, edited = sources.before, sources.edited
        site = self._site_memo.site(
            journal.posts,
            journal.themes,
            config,
            moment.options,
            before=None if before is None else before.posts,
            edited=edited,
        )
        problems.extend(site.problems)
        problems.extend(site_aliases(site).problems)
        clock.lap("site")
        linked = self._texts.linked(site, journal, sources, cache, changed is None, clock)
        problems.extend(linked.problems)
        lines = kept_lines(linked.sources)
        site = with_wikilinks(site, journal, linked.rendered, lines, self._titles)
        problems.extend(site.wikilinks.problems)
        clock.lap("links")
        root = request.root
        pictured = self._pictures.pictured(
            linked.rendered, site, journal, linked.sources, root, cache is not None, write
        )
        problems.extend(pictured.problems)
        clock.lap("pictures")
        drawing = self._environment()  # (read once a build: it digests every template)
        last = self._plan
        plan_only = edited if last is not None and before is last.journal else None
        plan = self._planned(site, pictured.rendered, drawing, changed is None, plan_only)
        clock.pages_planned = len(plan.pages)
        clock.lap("plan")
        paths = (
            list(plan.memory.made_by)
            if plan.kept and plan.memory is not None
            else [page.path for page in plan.pages]
        )
        templates = request.root / "templates"
        other, static_problems = other_files(journal, self._kept_assets(), set(paths), templates)
        other.update(pictured.files)  # (the resized pictures)
        problems.extend(static_problems)
        keep_files = not write or request.check_links
        target = Destination(request.root, request.output_dir, write=write, keep_files=keep_files)
        if write:
            problems.extend(output_problems(request.root, target.output))
        emitted = self._output.emit(Making(plan, paths, other, drawing), target, problems, clock)
        problems.extend(emitted.problems)
        if request.check_links:
            problems.extend(
                site_link_problems(emitted.files, site, linked.sources, linked.rendered)
            )
        written = finish_writing(emitted.writer, problems)
        if written is not None:
            self._output.committed(emitted)
            memory = plan.memory
            self._plan = (
                KeptPlan(memory, drawing.templates, journal) if memory is not None else None
            )
        clock.lap("write")
        return BuildResult(
            self._sorted_problems(problems),
            posts=len(site.posts),
            output=target.output,
            written=written,
            files=emitted.files if target.keep_files else {},
            short_plan=bool(plan.kept),
            pending_promises=pending_promises(site),
        )

    def _planned(
        self,
        site: Site,
        rendered: Mapping[str, Rendered],
        drawing: Drawing,
        everything: bool,
        only: Collection[str] | None,
    ) -> Plan:
        """Every page; after an edit that left the site's structure as it was, only the
        pages that show a changed post (`replan`; `everything`: the build looks at every
        file; `only`: the posts that may have changed since the last plan, if known)."""
        # Views keep what templates drew from them (feed entries, list items): after a change
        # of templates, nothing of the last plan is taken over.
        kept = self._plan
        last = kept.memory if kept is not None and kept.templates == drawing.templates else None
        # A custom.css added or taken away: every page links it, or no longer does.
        custom_css = has_custom_css(self.request.root / "templates")
        if last is not None and not everything and last.views.custom_css == custom_css:
            again = plan_again(last, site, rendered, only)
            if again is not None:
                return again
        reuse = last.views if last is not None else None
        return plan_fully(site, rendered, reuse, drawing.env, custom_css)

    def _environment(self) -> Drawing:
        """The templates' environment, made again when any template or the language changed."""
        language = self._config.language if self._config is not None else Config().language
        digest = f"{templates_digest(self.request.root)} {language}"
        if self._drawing is None or self._drawing.templates != digest:
            folder = self.request.root / "templates"
            env = environment_of(ReadingEnvironment, folder, language)
            env.auto_reload = False  # a change of any template makes a new environment
            self._drawing = Drawing(digest, env, TemplateSources(env))
        return self._drawing

    def _kept_assets(self) -> Mapping[str, bytes]:
        """The assets, read again when one of their files changed."""
        templates = self.request.root / "templates"
        signature = assets_signature(templates)
        if self._assets is None or self._assets.signature != signature:
            self._assets = KeptAssets(signature, builtin_assets(templates))
        return self._assets.files

    def _sorted_problems(self, problems: list[Problem]) -> tuple[Problem, ...]:
        """The problems, each once, in order: the last build's tuple if they are the same
        (a journal with a thousand open promises warns about each at every build)."""
        found = tuple(problems)
        last = self._problems
        if last is not None and last.found == found:
            return last.ordered
        ordered = tuple(sorted(set(found)))
        self._problems = SortedProblems(found, ordered)
        return ordered

    def _forget(self, config: Config) -> None:
        """New settings: every source is read and every page planned again. Renderings
        stay valid, and so do the output files' fingerprints: a page is drawn again only if
        its context, which holds every setting it shows, or a template it read changed (a
        new `posts_per_page` draws the home pages alone)."""
        self._config = config
        self._sources = SourceMemory(self.request.root, config.zone, config.next_keyword)
        self._plan = None
        self._texts.forget()

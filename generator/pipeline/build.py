"""Build a journal once (`journal build`, `check`, `deploy`): the only place the stages meet.

`build` calls them in order: settings, the no-change stamp, load, site graph, Markdown,
source links, pages, drawing and writing. It keeps nothing between builds but two things on
disk, in ROOT/.journal-cache: each source's Markdown rendering (`cache.BuildCache`, see
conversion.py), and per output folder a stamp of the last build's inputs (stamp.py): when the
files, settings, templates and program are all as they were and the output is intact, a build
has nothing to do, and reads no post to find that out.

A large journal is never all in memory at once: each post's Markdown is let go of once it is
converted (`conversion.without_markdown`), memory is handed back to the system between
stages (`emit.give_back_memory`), and pages are written as they are drawn, into staged files
that replace the old ones only when the whole build succeeded (emit.py). A watch session
(generator/incremental/session.py) makes the same output, byte for byte, by other means.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.core.config import (
    CONFIG_NAME,
    BuildOptions,
    Config,
    load_config,
    with_base_url,
    with_markdown,
)
from generator.core.english import plural_noun
from generator.core.problems import Problem, error, has_errors
from generator.pipeline.aliases import site_aliases
from generator.pipeline.cache import BuildCache, Stamp
from generator.pipeline.conversion import convert_all, markdown_sources, without_markdown
from generator.pipeline.crossrefs import (
    SourceText,
    link_targets,
    rewrite_source_links,
    site_link_problems,
    source_texts,
)
from generator.pipeline.emit import (
    Destination,
    SiteFiles,
    draw_and_write,
    finish_writing,
    give_back_memory,
    other_files,
)
from generator.pipeline.figures import Clock, Figures
from generator.pipeline.inputs import InputDigest, digest_inputs
from generator.pipeline.linked_titles import file_lines, kept_lines, with_wikilinks
from generator.pipeline.load import THEMES_DIR, Journal, SourceFiles, find_sources, load_journal
from generator.pipeline.markup import Rendered
from generator.pipeline.picture_stage import pictures_of_build
from generator.pipeline.progress import MARKDOWN, NO_PROGRESS, READING, Progress
from generator.pipeline.render import plan_pages
from generator.pipeline.site import Site, build_site
from generator.pipeline.stamp import (
    manifest_size,
    output_as_stamped,
    output_key,
    problem_rows,
    publish_horizon,
    stamped_problems,
    still_holds,
)
from generator.pipeline.theme import builtin_assets, has_custom_css, make_environment
from generator.pipeline.write import WriteResult, display_path, output_problems


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
    markdown: str | None = None  # the Markdown engine, over journal.toml's (--markdown)
    # Told of each stage as the build goes (a bar on a terminal); changes nothing built.
    progress: Progress = field(default=NO_PROGRESS, repr=False, compare=False)

    @property
    def output_dir(self) -> Path:
        return self.output if self.output is not None else self.root / "output"

    def stamp_items(self) -> list[str]:
        """What of the request the output depends on, for the no-change stamp."""
        options = self.options
        return [
            f"output {output_key(self.output_dir)}",
            f"base_url {self.base_url}",
            f"drafts {options.drafts} future {options.future} clock {options.now is not None}",
            f"check_links {self.check_links}",
            f"markdown {self.markdown}",
        ]


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
    # A watch session's build that made only the pages an edit shows, keeping the other files.
    short_plan: bool = False
    figures: Figures = field(default_factory=Figures, repr=False)  # stage seconds, counts
    # Published posts whose "Next:" names no published post yet (`journal promises` lists them).
    pending_promises: int = 0

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


@dataclass(frozen=True)
class Read:
    """The journal read and its site graph, with the sources' Markdown set apart."""

    journal: Journal
    site: Site
    texts: dict[str, str]  # the Markdown to convert, by source key (the conversion empties it)
    sources: Mapping[str, SourceText]  # where links are found, to tell their lines (or none)
    light: bool  # the posts hold no Markdown: `texts` is all there is of it
    horizon: datetime | None  # when a post left out for its date gets published
    problems: tuple[Problem, ...]


def load_settings(request: Request) -> tuple[Config, list[Problem]]:
    config, problems = load_config(request.root)
    try:
        config = with_base_url(config, request.base_url)
    except ValueError as exc:
        problems.append(error("--base-url", 1, str(exc)))
    try:
        config = with_markdown(config, request.markdown)
    except ValueError as exc:
        problems.append(error("--markdown", 1, str(exc)))
    return config, problems


@contextmanager
def opened_cache(request: Request, write: bool) -> Iterator[BuildCache | None]:
    """The journal's cache while the build runs (None: --no-cache, or none to be had). Only
    a build that may write its output writes the cache: `check` and a refused output folder
    leave the journal as it was."""
    writable = write and not output_problems(request.root, request.output_dir)
    cache = BuildCache.open(request.root, writable) if request.use_cache else None
    try:
        yield cache
    finally:
        if cache is not None:
            cache.close()


def build(request: Request, write: bool = True) -> BuildResult:
    """Build the journal once; write the output only when there is no error."""
    clock = Clock()
    config, problems = load_settings(request)
    if has_errors(problems) and not (request.root / CONFIG_NAME).is_file():
        return BuildResult(tuple(sorted(problems)))  # no journal here: nothing more to say
    # Bad settings fall back to their defaults, so the posts' problems are reported too.
    with opened_cache(request, write) as cache:
        clock.lap("settings")
        listing = find_sources(request.root)
        inputs = (
            digest_inputs(request.root, listing, request.stamp_items())
            if write and cache is not None
            else None
        )
        stamped = _stamped_result(request, cache, inputs, clock)
        if stamped is not None:
            return stamped
        read = _read(request, config, listing, clock)
        problems.extend(read.problems)
        rendered = _converted(read, cache, request, clock)
        rendered, link_problems = _linked(read, rendered, request.root, config.zone)
        problems.extend(link_problems)
        read = _titles_linked(read, rendered, request.root)
        problems.extend(read.site.wikilinks.problems)
        clock.lap("links")
        writable = None if cache is None else write  # (the resized pictures' cache)
        pictured = pictures_of_build(
            rendered, read.site, read.journal, read.sources, request.root, writable
        )
        rendered = pictured.rendered
        problems.extend(pictured.problems)
        clock.lap("pictures")
        files, file_problems = _planned(read, rendered, request.root, clock)
        files = replace(files, other={**files.other, **pictured.files})
        problems.extend(file_problems)
        keep_files = not write or request.check_links
        target = Destination(request.root, request.output_dir, write=write, keep_files=keep_files)
        problems.extend(output_problems(request.root, target.output) if write else ())
        emitted = draw_and_write(files, target, problems, clock, request.progress)
        problems.extend(emitted.problems)
        if request.check_links:
            problems.extend(site_link_problems(emitted.files, read.site, read.sources, rendered))
        written = finish_writing(emitted.writer, problems)
        clock.lap("write")
        result = BuildResult(
            tuple(sorted(set(problems))),
            posts=len(read.site.posts),
            output=target.output,
            written=written,
            files=emitted.files if target.keep_files else {},
            pending_promises=pending_promises(read.site),
        )
        _store_stamp(request, cache, inputs, read.horizon, result)
    clock.lap("cache")
    return replace(result, seconds=clock.elapsed(), figures=clock.figures())


# ---------------------------------------------------------------- the stages


def _read(request: Request, config: Config, listing: SourceFiles, clock: Clock) -> Read:
    """Load the journal's files and make its site graph. Unless the output's links are to
    be checked, nothing but the conversion reads the Markdown: the posts are let go of as
    soon as their text is set apart, and the conversion lets go of each text once its HTML
    is there (at 10,000 posts, the text is a third of the peak memory)."""
    files = len(listing.posts) + len(listing.themes) + len(listing.static)
    request.progress.stage(READING, files)
    journal = load_journal(request.root, config.zone, listing, config.next_keyword)
    request.progress.advance(files)
    clock.files_read = files
    clock.lap("load")
    horizon = publish_horizon(journal.posts, request.options)
    site = build_site(journal.posts, journal.themes, config, request.options)
    clock.lap("site")
    problems = (*journal.problems, *site.problems, *site_aliases(site).problems)
    texts = markdown_sources(site, journal)
    light = not request.check_links
    if light:
        site, journal = without_markdown(site, journal)
    sources = {} if light else source_texts(journal)
    return Read(journal, site, texts, sources, light, horizon, problems)


def _converted(
    read: Read, cache: BuildCache | None, request: Request, clock: Clock
) -> dict[str, Rendered]:
    """Each source's Markdown as HTML (`read.texts` is emptied on the way in a light build)."""
    sources = len(read.texts)
    request.progress.stage(MARKDOWN, sources)
    engine = read.site.config.markdown
    converted = convert_all(read.texts, cache, request.workers, read.light, engine)
    request.progress.advance(sources)
    clock.markdown_converted = converted.converted
    clock.lap("markdown")
    return converted.rendered


def _linked(
    read: Read, rendered: Mapping[str, Rendered], root: Path, zone: ZoneInfo
) -> tuple[dict[str, Rendered], list[Problem]]:
    """Every rendering with its source links turned into site URLs. Link problems found
    without the Markdown at hand (a light build) have their files read again and their
    links rewritten again, for the problems to say the right line."""
    targets = link_targets(read.site, read.journal)
    linked, problems = rewrite_source_links(rendered, read.sources, targets)
    if read.light and problems:
        keys = {problem.path for problem in problems} & set(rendered)
        themes = tuple(k for k in sorted(keys) if k.startswith(THEMES_DIR + "/"))
        posts = tuple(k for k in sorted(keys) if not k.startswith(THEMES_DIR + "/"))
        keyword = read.site.config.next_keyword
        again = load_journal(root, zone, SourceFiles(posts, themes, (), ()), keyword)
        redone, fixed = rewrite_source_links(
            {k: rendered[k] for k in keys}, source_texts(again), targets
        )
        linked = {**linked, **redone}
        problems = [problem for problem in problems if problem.path not in keys] + fixed
    if read.light:
        give_back_memory()
    return linked, problems


def _titles_linked(read: Read, rendered: Mapping[str, Rendered], root: Path) -> Read:
    """The read site with its links by title (`[[Title]]`, wikilinks.py)."""
    config = read.site.config
    lines = (
        file_lines(root, config.zone, config.next_keyword)
        if read.light
        else kept_lines(read.sources)
    )
    return replace(read, site=with_wikilinks(read.site, read.journal, rendered, lines))


def _planned(
    read: Read, rendered: Mapping[str, Rendered], root: Path, clock: Clock
) -> tuple[SiteFiles, list[Problem]]:
    """Every page, planned with its context, and the other files of the site."""
    pages = plan_pages(read.site, rendered, has_custom_css(root / "templates"))
    clock.pages_planned = len(pages)
    if read.light:
        give_back_memory()
    clock.lap("plan")
    templates = root / "templates"
    assets = builtin_assets(templates)
    other, problems = other_files(read.journal, assets, {page.path for page in pages}, templates)
    env = make_environment(templates, read.site.config.language)
    env.auto_reload = False  # (no template changes while the pages are drawn)
    return SiteFiles(pages, other, env), problems


# ---------------------------------------------------------------- the no-change stamp


def _stamped_result(
    request: Request, cache: BuildCache | None, inputs: InputDigest | None, clock: Clock
) -> BuildResult | None:
    """The result of a build with nothing to do, if the stamp and the output say so."""
    if cache is None or inputs is None:
        return None
    output = request.output_dir
    stamp = cache.stamp(output_key(output))
    holds = (
        stamp is not None
        and still_holds(stamp, inputs, request.options.now)
        and output_as_stamped(request.root, output, stamp)
    )
    clock.lap("stamp")
    if stamp is None or not holds:
        return None
    return BuildResult(
        stamped_problems(stamp),
        posts=stamp.posts,
        output=output,
        written=WriteResult((), stamp.files, ()),
        seconds=clock.elapsed(),
        figures=clock.figures(),
        pending_promises=stamp.pending_promises,
    )


def _store_stamp(
    request: Request,
    cache: BuildCache | None,
    inputs: InputDigest | None,
    horizon: datetime | None,
    result: BuildResult,
) -> None:
    """After a build that wrote its output: keep its stamp, or forget the last one when
    this build's is not to be trusted (a file written as it was read, links checked)."""
    if cache is None or inputs is None or result.written is None:
        return
    stamp = None
    if not inputs.racy and not request.check_links:
        stamp = Stamp(
            inputs=inputs.value,
            valid_until=horizon.isoformat() if horizon is not None else None,
            posts=result.posts,
            files=manifest_size(request.output_dir),
            problems=problem_rows(result.problems),
            pending_promises=result.pending_promises,
        )
    cache.store_stamp(output_key(request.output_dir), stamp)


# ---------------------------------------------------------------- telling what was built


def pending_promises(site: Site) -> int:
    """How many published posts promise a post that is not published yet."""
    return sum(
        1 for key, chain in site.chains.items() if chain.state == "pending" and key in site.posts
    )


def summary_line(result: BuildResult, root: Path) -> str:
    warn = _count(sum(1 for p in result.problems if p.level == "warning"), "warning")
    where = display_path(result.output, root) + "/" if result.output else "output/"
    if result.written is None:
        failed = _count(sum(1 for p in result.problems if p.level == "error"), "error")
        return f"Build failed: {failed}, {warn}; {where} left as it was"
    w = result.written
    files = _count(len(w.written), "file")
    deleted = f", {len(w.deleted)} removed" if w.deleted else ""
    return (
        f"Built {_count(result.posts, 'post')} into {where}: {files} written, "
        f"{w.unchanged} unchanged{deleted}, {warn}, {result.seconds:.2f} s"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun if number == 1 else plural_noun(noun)}"

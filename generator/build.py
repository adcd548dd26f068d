"""Build: load -> site -> render -> write. The only place the stages meet."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.config import CONFIG_NAME, BuildOptions, Config, load_config, with_base_url
from generator.crossrefs import link_targets, rewrite_source_links, site_link_problems, source_texts
from generator.load import Journal, load_journal
from generator.markup import Rendered, make_converter, render_markdown
from generator.problems import Problem, error, has_errors
from generator.render import render_site
from generator.site import Site, build_site
from generator.theme import builtin_assets, make_environment
from generator.write import WriteResult, display_path, output_problems, write_site


@dataclass(frozen=True)
class BuildResult:
    problems: tuple[Problem, ...]
    posts: int = 0
    output: Path | None = None
    written: WriteResult | None = None  # None when nothing was written
    seconds: float = 0.0
    files: Mapping[str, bytes] = field(default_factory=dict, repr=False)

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


def render_sources(site: Site, journal: Journal) -> dict[str, Rendered]:
    """Rendered Markdown of every published post and every theme intro, by source key."""
    converter = make_converter()
    rendered = {key: render_markdown(converter, post.body) for key, post in site.posts.items()}
    for theme in journal.themes:
        rendered[theme.key] = render_markdown(converter, theme.intro)
    return rendered


def site_files(
    root: Path, site: Site, journal: Journal, rendered: Mapping[str, Rendered]
) -> tuple[dict[str, bytes], list[Problem]]:
    """Every output file: pages, the theme's assets, then the journal's static files."""
    env = make_environment(root / "templates")
    pages, problems = render_site(site, rendered, env)
    files = dict(builtin_assets())
    for static in journal.static:
        if static.path in pages:
            problems.append(
                error(
                    f"content/static/{static.path}",
                    1,
                    f"this file would replace the generated page /{static.path}: rename it",
                )
            )
        files[static.path] = static.data
    files.update(pages)
    return files, problems


class Builder:
    """Builds one journal again and again (watch mode). `changed` names the files that changed
    since the last build (None: unknown, look at everything). Whatever it keeps between builds,
    its output must stay byte-identical to a clean `build`."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def build(self, changed: Iterable[Path] | None = None, write: bool = True) -> BuildResult:
        del changed  # every build starts from the files for now
        return build_once(self.request, write)


def build(request: Request, write: bool = True) -> BuildResult:
    """Build the journal once; write the output only when there is no error."""
    return Builder(request).build(write=write)


def build_once(request: Request, write: bool = True) -> BuildResult:
    started = time.perf_counter()
    config, problems = load_settings(request)
    if has_errors(problems) and not (request.root / CONFIG_NAME).is_file():
        return BuildResult(tuple(sorted(problems)))  # no journal here: nothing more to say
    # Bad settings fall back to their defaults, so the posts' problems are reported too.
    journal = load_journal(request.root, config.zone)
    problems.extend(journal.problems)
    site = build_site(journal.posts, journal.themes, config, request.options)
    problems.extend(site.problems)
    rendered = render_sources(site, journal)
    sources = source_texts(journal)
    rendered, link_problems = rewrite_source_links(rendered, sources, link_targets(site, journal))
    problems.extend(link_problems)
    files, render_problems = site_files(request.root, site, journal, rendered)
    problems.extend(render_problems)
    if request.check_links:
        problems.extend(site_link_problems(files, site, sources, rendered))
    output = request.output_dir
    if write:
        problems.extend(output_problems(request.root, output))
    result = BuildResult(
        tuple(sorted(set(problems))), posts=len(site.posts), output=output, files=files
    )
    if not write or not result.ok:
        return replace(result, seconds=time.perf_counter() - started)
    try:
        written = write_site(output, files)
    except (OSError, ValueError) as exc:
        shown = display_path(output, request.root)
        failure = error(shown, 1, f"cannot write the site into {shown}: {exc}")
        failed = (*result.problems, failure)
        return replace(result, problems=failed, seconds=time.perf_counter() - started)
    return replace(result, written=written, seconds=time.perf_counter() - started)


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


def sorted_problems(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(set(problems))

"""`journal import jekyll|hugo|pelican SRC`: a blog made by another generator, moved in.

The source folder is only read. Posts go to content/posts/YYYY/ (or `--into DIR`), the files
they show to content/static/, and the report to import-report.txt in the journal. A file
already there with other bytes is refused, all of them named at once, unless `--force`; one
with the same bytes is left as it is, so an import can be run again. `--dry-run` prints
what would be written and writes nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from generator.commands.console import Verbosity, fail, print_problems
from generator.core.config import CONFIG_NAME, load_config
from generator.core.problems import Problem, error, has_errors
from generator.importing.assemble import ImportPlan, plan_import
from generator.importing.blog import Blog
from generator.importing.hugo import read_hugo
from generator.importing.jekyll import read_jekyll
from generator.importing.pelican import read_pelican
from generator.importing.report import REPORT_NAME, figures_of, summary_lines

READERS: Mapping[str, Callable[[Path], Blog]] = {
    "jekyll": read_jekyll,
    "hugo": read_hugo,
    "pelican": read_pelican,
}
POSTS = "content/posts"
_WHERE = {
    "jekyll": "_posts/ and _drafts/ (is it the folder with _config.yml?)",
    "hugo": "content/<section>/ (is it the folder with hugo.toml or config.toml?)",
    "pelican": "content/ (is it the folder with pelicanconf.py?)",
}


@dataclass(frozen=True)
class Write:
    """One file the import writes: its path in the journal and its bytes."""

    target: str
    data: bytes
    source: str  # what it comes from, for --dry-run


def run_import(
    root: Path,
    kind: str,
    source: Path,
    into: Path | None = None,
    force: bool = False,
    dry_run: bool = False,
    verbosity: Verbosity = Verbosity.NORMAL,
) -> int:
    if not (root / CONFIG_NAME).is_file():
        return fail(f"no {CONFIG_NAME} in {root}: run `journal init {root}`, then import")
    if not source.is_dir():
        return fail(f"{source} is not a folder: give the {kind} blog's folder")
    folder = _into(root, into)
    if folder is None:
        return fail(f"--into {into} is outside the journal {root}: give a folder inside it")
    real_source = source.resolve()
    real_root = root.resolve()
    if (
        real_root == real_source
        or real_source in real_root.parents
        or real_root in real_source.parents
    ):
        message = f"the journal and {source} are inside one another"
        return fail(f"{message}: import from a folder beside the journal")
    config, config_problems = load_config(root)
    blog = READERS[kind](source)
    if not blog.posts:
        return fail(f"no {kind} posts in {source}: look for them in {_WHERE[kind]}")
    plan = plan_import(blog, folder, config.zone)
    label = source.as_posix().rstrip("/")
    problems = _located(plan, label, folder)
    writes, clashes = _writes(plan, label)
    existing = _existing(root, writes, force)
    if clashes or existing:
        print_problems(sorted({*problems, *clashes, *existing}), verbosity)
        count = len(existing) + len(clashes)
        return fail(f"nothing was written: {count} files are in the way (see above)")
    figures = figures_of(plan.posts, problems)
    report = _report_text(problems, summary_lines(figures, label))
    if dry_run:
        for item in writes:
            print(f"would write {item.target} (from {item.source})")
        print(f"would write {REPORT_NAME}")
    else:
        for item in writes:
            _write(root / item.target, item.data)
        _write(root / REPORT_NAME, report.encode("utf-8"))
    print_problems(problems, verbosity)
    if verbosity is not Verbosity.QUIET or has_errors(problems):
        for line in summary_lines(figures, label):
            print(line, file=sys.stderr)
        if not dry_run:
            print(f"the report: {REPORT_NAME}", file=sys.stderr)
    return 1 if has_errors([*problems, *config_problems]) else 0


def _into(root: Path, into: Path | None) -> str | None:
    """The folder for the posts, relative to the journal; None when it is outside it."""
    if into is None:
        return POSTS
    folder = into if into.is_absolute() else root / into
    try:
        relative = folder.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    text = relative.as_posix()
    return None if text in ("", ".") else text


def _located(plan: ImportPlan, label: str, folder: str) -> list[Problem]:
    """Every problem, those of the source at their path in it (`SRC/_posts/x.md`)."""
    written = {post.target for post in plan.posts}
    found: list[Problem] = []
    for problem in [*plan.problems, *(p for post in plan.posts for p in post.problems)]:
        mine = problem.path in written
        found.append(problem if mine else replace(problem, path=f"{label}/{problem.path}"))
    return sorted(set(found))


def _writes(plan: ImportPlan, label: str) -> tuple[list[Write], list[Problem]]:
    """Each file to write, once, and an error for each path two different files want."""
    writes: dict[str, Write] = {}
    clashes: list[Problem] = []
    for post in plan.posts:
        writes[post.target] = Write(
            post.target, post.text.encode("utf-8"), f"{label}/{post.source}"
        )
        for copied in post.files:
            data = copied.source.read_bytes()
            before = writes.get(copied.target)
            if before is not None and before.data != data:
                message = (
                    f"two files of the source would be copied here ({before.source}, "
                    f"{copied.source}): rename one in the source"
                )
                clashes.append(error(copied.target, 1, message))
                continue
            writes[copied.target] = Write(copied.target, data, copied.source.as_posix())
    return [writes[k] for k in sorted(writes)], clashes


def _existing(root: Path, writes: list[Write], force: bool) -> list[Problem]:
    """An error for each file already in the journal with other bytes (none with --force)."""
    if force:
        return []
    found: list[Problem] = []
    for item in writes:
        path = root / item.target
        if path.exists() and (not path.is_file() or path.read_bytes() != item.data):
            message = (
                f"already exists, with other content (from {item.source}): move it away, "
                "or import with --force to overwrite it"
            )
            found.append(error(item.target, 1, message))
    return found


def _write(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (a staged file moved into place)."""
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.importing")
    staged.write_bytes(data)
    os.replace(staged, path)


def _report_text(problems: list[Problem], summary: list[str]) -> str:
    lines = [
        "What `journal import` left to do by hand, at the line of each file.",
        "",
        *(str(p) for p in problems),
        "",
        *summary,
    ]
    return "\n".join(lines) + "\n"

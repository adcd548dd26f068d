"""The `journal` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from generator import __version__
from generator.build import BuildResult, Request, build, summary_line
from generator.config import BuildOptions, load_config
from generator.problems import Problem
from generator.scaffold import init_journal, new_post

_COLOURS = {"error": "\033[31m", "warning": "\033[33m"}
_RESET = "\033[0m"


def use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def format_problem(problem: Problem, colour: bool) -> str:
    if not colour:
        return str(problem)
    level = f"{_COLOURS[problem.level]}{problem.level}{_RESET}"
    return f"{problem.path}:{problem.line}: {level}: {problem.message}"


def print_problems(problems: Sequence[Problem]) -> None:
    colour = use_colour(sys.stderr)
    for problem in problems:
        print(format_problem(problem, colour), file=sys.stderr)


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the journal folder (default: this folder)"
    )


def add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drafts", action="store_true", help="include posts marked draft: true")
    parser.add_argument("--future", action="store_true", help="include posts dated in the future")


def options_of(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(drafts=args.drafts, future=args.future, now=datetime.now().astimezone())


def request_of(args: argparse.Namespace) -> Request:
    return Request(
        root=args.root,
        output=getattr(args, "output", None),
        options=options_of(args),
        base_url=getattr(args, "base_url", None),
    )


def cmd_build(args: argparse.Namespace) -> int:
    result = build(request_of(args))
    print_problems(result.problems)
    print(summary_line(result, args.root))
    return 0 if result.ok else 1


def cmd_check(args: argparse.Namespace) -> int:
    result: BuildResult = build(request_of(args), write=False)
    print_problems(result.problems)
    errors = sum(1 for p in result.problems if p.level == "error")
    warnings = len(result.problems) - errors
    print(f"Checked {result.posts} posts: {errors} errors, {warnings} warnings")
    return 0 if result.ok else 1


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-06-10") from exc


def today_in(root: Path) -> date:
    config, _ = load_config(root)
    return datetime.now(config.zone).date()


def cmd_new(args: argparse.Namespace) -> int:
    title = " ".join(args.title.split())
    if not title:
        print("error: the title is empty", file=sys.stderr)
        return 1
    tags = tuple(t.strip() for t in (args.tags or "").split(",") if t.strip())
    day = args.date or today_in(args.root)
    try:
        made = new_post(args.root, title, day, tags)
    except FileExistsError as exc:
        print(f"error: {exc.filename or exc} already exists; choose another title", file=sys.stderr)
        return 1
    print(f"Created {_shown(made.path, args.root)}")
    for promiser in made.keeps:
        print(f'It keeps the promise made in {promiser.key} ("Next: {promiser.text}").')
    return 0


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def cmd_init(args: argparse.Namespace) -> int:
    year = args.year or date.today().year
    try:
        created = init_journal(args.folder, args.title, args.word, year)
    except FileExistsError as exc:
        print(f"error: {exc}; this folder already has a journal", file=sys.stderr)
        return 1
    for path in created:
        print(f"Created {path}")
    print(f'Next: cd {args.folder} && journal new "My first post" && journal build')
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journal",
        description="Build a theme-word journal (Markdown posts) into a static site.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("build", help="build the site into output/")
    add_root(p)
    p.add_argument("-o", "--output", type=Path, help="the output folder (default: ROOT/output)")
    add_selection(p)
    p.add_argument("--base-url", help="override journal.toml's base_url (e.g. for a preview)")
    p.set_defaults(handler=cmd_build)

    p = commands.add_parser("check", help="report every problem; write nothing")
    add_root(p)
    add_selection(p)
    p.set_defaults(handler=cmd_check)

    p = commands.add_parser("new", help="start a new post")
    p.add_argument("title", help='the title, e.g. "Post everyday"')
    add_root(p)
    p.add_argument("--date", type=parse_day, help="YYYY-MM-DD (default: today)")
    p.add_argument("--tags", help="comma-separated tags, e.g. work,writing")
    p.set_defaults(handler=cmd_new)

    p = commands.add_parser("init", help="start a new journal in a folder")
    p.add_argument("folder", type=Path, help="the folder (created if missing)")
    p.add_argument("--title", default="My journal", help="the site's title")
    p.add_argument("--word", default="beginning", help="this year's theme word")
    p.add_argument("--year", type=int, help="the year of the first theme (default: this year)")
    p.set_defaults(handler=cmd_init)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    return code

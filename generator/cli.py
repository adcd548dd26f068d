"""The `journal` command: a thin layer over the library.

It parses the arguments and hands them, typed, to the commands in generator/commands/.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from generator import __version__
from generator.commands.build import run_build, run_check, run_clean
from generator.commands.console import Verbosity
from generator.core.config import MARKDOWN_ENGINES, BuildOptions
from generator.importing import KINDS
from generator.pipeline.build import Request
from generator.serve import PREVIEW_HOST, PREVIEW_PORT

# The other commands' modules are imported by their handlers: `journal build` then loads no
# preview server, importer or book maker (a tenth of a second of every build's start).

# ---------------------------------------------------------------- arguments


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the journal folder (default: this folder)"
    )


def add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drafts", action="store_true", help="include posts marked draft: true")
    parser.add_argument("--future", action="store_true", help="include posts dated in the future")


def add_no_cache(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the build cache in ROOT/.journal-cache (slower)",
    )


def add_markdown(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--markdown",
        choices=MARKDOWN_ENGINES,
        help="the Markdown engine, over journal.toml's `markdown` (default: python-markdown)",
    )


def add_link_check(parser: argparse.ArgumentParser, flag: str) -> None:
    parser.add_argument(
        flag,
        dest="check_links",
        action="store_true",
        help="also check that every internal link and #anchor of the site leads somewhere",
    )


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """-q/--quiet and -v/--verbose, as `args.verbosity`."""
    group = parser.add_argument_group("output").add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=Verbosity.QUIET,
        help="print errors only (and the summary when it fails)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=Verbosity.VERBOSE,
        help="also list each promised post still to write, and the seconds of each stage",
    )
    parser.set_defaults(verbosity=Verbosity.NORMAL)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-06-10") from exc


def year_number(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year (1 to 9999)")
    return int(text)


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535; 0 picks a free one)")
    return int(text)


def parse_tags(text: str | None) -> tuple[str, ...]:
    """`work, writing` -> ("work", "writing"); empty names are dropped."""
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


def options_of(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(drafts=args.drafts, future=args.future, now=datetime.now().astimezone())


def request_of(args: argparse.Namespace) -> Request:
    return Request(
        root=args.root,
        output=getattr(args, "output", None),
        options=options_of(args),
        base_url=getattr(args, "base_url", None),
        check_links=getattr(args, "check_links", False),
        use_cache=not getattr(args, "no_cache", False),
        markdown=getattr(args, "markdown", None),
    )


# ---------------------------------------------------------------- dispatch
# Each handler passes its command's arguments, typed, to the command's function.


def _build(args: argparse.Namespace) -> int:
    return run_build(request_of(args), args.verbosity)


def _check(args: argparse.Namespace) -> int:
    return run_check(request_of(args), args.verbosity)


def _deploy(args: argparse.Namespace) -> int:
    from generator.commands.deploy import run_deploy

    return run_deploy(
        request_of(args),
        args.to,
        remote=args.remote,
        branch=args.branch,
        message=args.message,
        dry_run=args.dry_run,
        force=args.force,
        allow_local_url=args.allow_local_url,
        allow_uncommitted=args.allow_uncommitted,
        verbosity=args.verbosity,
    )


def _serve(args: argparse.Namespace) -> int:
    from generator.commands.serve import run_serve
    from generator.serve.preview import PreviewSettings

    settings = PreviewSettings(
        args.root,
        args.host,
        args.port,
        options_of(args),
        args.output,
        use_cache=not args.no_cache,
        markdown=args.markdown,
    )
    return run_serve(settings, open_browser=args.open, verbosity=args.verbosity)


def _clean(args: argparse.Namespace) -> int:
    return run_clean(args.root)


def _new(args: argparse.Namespace) -> int:
    from generator.commands.scaffold import run_new

    return run_new(
        args.root, args.title, next_promise=args.next, day=args.date, tags=parse_tags(args.tags)
    )


def _promises(args: argparse.Namespace) -> int:
    from generator.commands.report import run_promises

    return run_promises(args.root)


def _book(args: argparse.Namespace) -> int:
    from generator.commands.book import BookRequest, run_book

    return run_book(
        BookRequest(
            args.root,
            args.year,
            pdf=args.pdf,
            output=args.output,
            site_output=args.site,
            options=options_of(args),
        )
    )


def _stats(args: argparse.Namespace) -> int:
    from generator.commands.report import run_stats

    return run_stats(args.root, args.year, as_json=args.json)


def _init(args: argparse.Namespace) -> int:
    from generator.commands.scaffold import run_init

    return run_init(args.folder, args.title, args.word, args.year)


def _import(args: argparse.Namespace) -> int:
    from generator.commands.import_blog import run_import

    return run_import(
        args.root,
        args.kind,
        args.source,
        into=args.into,
        force=args.force,
        dry_run=args.dry_run,
        verbosity=args.verbosity,
    )


def _theme(args: argparse.Namespace) -> int:
    from generator.commands.theme_year import run_theme

    return run_theme(args.root, args.year, args.word, args.intro)


# ---------------------------------------------------------------- the parser


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
    add_link_check(p, "--check-links")
    add_markdown(p)
    add_no_cache(p)
    add_verbosity(p)
    p.set_defaults(handler=_build)

    p = commands.add_parser("check", help="report every problem; write nothing")
    add_root(p)
    add_selection(p)
    add_link_check(p, "--links")
    p.add_argument("--base-url", help="check as if journal.toml's base_url were this one")
    add_no_cache(p)
    add_verbosity(p)
    p.set_defaults(handler=_check)

    p = commands.add_parser("deploy", help="build, then publish to a gh-pages branch or a folder")
    add_root(p)
    p.add_argument(
        "--to",
        required=True,
        metavar="gh-pages|DIR",
        help="gh-pages: commit the site to a branch and push it; DIR: sync it into a folder",
    )
    p.add_argument("--remote", default="origin", help="the git remote to push to (gh-pages)")
    p.add_argument("--branch", default="gh-pages", help="the branch to publish on (gh-pages)")
    p.add_argument("-m", "--message", help="the commit message (gh-pages)")
    p.add_argument("--dry-run", action="store_true", help="say what would happen; change nothing")
    p.add_argument(
        "--force",
        action="store_true",
        help="DIR: overwrite files that no deploy put there, and files edited since the last one",
    )
    p.add_argument("--base-url", help="override journal.toml's base_url")
    p.add_argument(
        "--allow-local-url",
        action="store_true",
        help="deploy even when base_url is this machine's address or an example domain",
    )
    p.add_argument(
        "--allow-uncommitted",
        action="store_true",
        help="gh-pages: publish posts and templates that are not committed, as they are",
    )
    add_link_check(p, "--check-links")
    add_verbosity(p)
    p.set_defaults(handler=_deploy, drafts=False, future=False)

    p = commands.add_parser("serve", help="preview the site; rebuild and reload on every save")
    add_root(p)
    p.add_argument(
        "--host", default=PREVIEW_HOST, help="the address to listen on (default: %(default)s)"
    )
    p.add_argument(
        "--port",
        type=port_number,
        default=PREVIEW_PORT,
        help="the port (default: %(default)s; 0: any free one)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="where the preview is built (default: ROOT/.journal-cache/preview)",
    )
    add_selection(p)
    p.add_argument("--open", action="store_true", help="open the preview in a web browser")
    add_markdown(p)
    add_no_cache(p)
    add_verbosity(p)
    p.set_defaults(handler=_serve)

    p = commands.add_parser(
        "clean", help="delete the build cache (ROOT/.journal-cache/build.sqlite3); nothing else"
    )
    add_root(p)
    p.set_defaults(handler=_clean)

    p = commands.add_parser("new", help="start a new post")
    p.add_argument("title", nargs="?", help='the title, e.g. "Post everyday"')
    p.add_argument(
        "--next",
        action="store_true",
        help="write the oldest promised post (see `journal promises`)",
    )
    add_root(p)
    p.add_argument("--date", type=parse_day, help="YYYY-MM-DD (default: today)")
    p.add_argument("--tags", help="comma-separated tags, e.g. work,writing")
    p.set_defaults(handler=_new)

    p = commands.add_parser("promises", help="list the promised posts still to write")
    add_root(p)
    p.set_defaults(handler=_promises)

    p = commands.add_parser("book", help="a year's posts as an EPUB book, or a PDF for print")
    add_root(p)
    p.add_argument("year", type=year_number, help="the year, e.g. 2024")
    p.add_argument("--pdf", action="store_true", help="a PDF for print instead of an EPUB")
    p.add_argument(
        "-o", "--output", type=Path, help="the book's file (default: OUTPUT/books/YEAR.epub)"
    )
    p.add_argument("--site", type=Path, help="the site's folder OUTPUT (default: ROOT/output)")
    add_selection(p)
    p.set_defaults(handler=_book)

    p = commands.add_parser("stats", help="a year's figures: posts, words, days, streak, reach")
    add_root(p)
    p.add_argument("--year", type=year_number, help="only this year (default: every year)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=_stats)

    p = commands.add_parser("init", help="start a new journal in a folder")
    p.add_argument("folder", type=Path, help="the folder (created if missing)")
    p.add_argument("--title", default="My journal", help="the site's title")
    p.add_argument("--word", default="beginning", help="this year's theme word")
    p.add_argument("--year", type=int, help="the year of the first theme (default: this year)")
    p.set_defaults(handler=_init)

    p = commands.add_parser(
        "import", help="move posts in from a Jekyll, Hugo or Pelican blog, old URLs kept"
    )
    p.add_argument("kind", choices=KINDS, help="the generator that made the blog")
    p.add_argument("source", type=Path, metavar="SRC", help="the blog's folder (only read)")
    add_root(p)
    p.add_argument(
        "--into", type=Path, metavar="DIR", help="the folder for the posts (default: content/posts)"
    )
    p.add_argument(
        "--force", action="store_true", help="overwrite files of the journal the import would write"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="say what would be written; write nothing"
    )
    add_verbosity(p)
    p.set_defaults(handler=_import)

    p = commands.add_parser("theme", help="start a year's theme: its word and intro")
    p.add_argument("year", type=year_number, help="the year, e.g. 2025")
    p.add_argument("--word", help="the year's theme word, e.g. courage")
    p.add_argument("--intro", help="a sentence or two about the word (default: a placeholder)")
    add_root(p)
    p.set_defaults(handler=_theme)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`journal promises | head`): stop quietly, like other tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code

"""The `journal` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
import warnings
import webbrowser
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TextIO
from urllib.parse import urlsplit

from generator import __version__
from generator.commands.deploy import (
    BRANCH_TARGET,
    BranchDeploy,
    DeployError,
    deploy_to_branch,
    deploy_to_folder,
)
from generator.commands.report import (
    NOTHING_PROMISED,
    all_stats,
    oldest_promise,
    promise_lines,
    read_site,
    stats_json,
    stats_text,
    stats_years,
)
from generator.commands.scaffold import ScaffoldError, init_journal, new_post
from generator.core.config import BuildOptions, load_config
from generator.core.problems import Problem, count_level, has_errors
from generator.core.text import plural
from generator.incremental.session import BuildResult, Request, build, load_settings, summary_line
from generator.pipeline.cache import CACHE_DIR, clear_cache
from generator.pipeline.load import YEARS
from generator.serve.preview import Preview, PreviewSettings, ServeError, is_loopback

_COLOURS: Mapping[str, str] = MappingProxyType({"error": "\033[31m", "warning": "\033[33m"})
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


def fail(message: str) -> int:
    """Print `error: message` for the user and give the exit code of a failed command."""
    print(f"error: {message}", file=sys.stderr)
    return 1


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
        check_links=getattr(args, "check_links", False),
        use_cache=not getattr(args, "no_cache", False),
    )


def add_no_cache(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the build cache in ROOT/.journal-cache (slower)",
    )


def cmd_clean(args: argparse.Namespace) -> int:
    removed = clear_cache(args.root)
    if not removed:
        print(f"No build cache in {_shown(args.root / CACHE_DIR, Path('.'))}/: nothing to do")
        return 0
    for path in removed:
        print(f"Removed {_shown(path, args.root)}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    request = request_of(args)
    try:
        result = build(request)
    except OSError as exc:  # the output folder cannot be made or written (a file, /proc...)
        where = exc.filename or request.output_dir
        return fail(f"cannot write {where}: {exc.strerror or exc}")
    print_problems(result.problems)
    print(summary_line(result, args.root))
    return 0 if result.ok else 1


def cmd_check(args: argparse.Namespace) -> int:
    result: BuildResult = build(request_of(args), write=False)
    print_problems(result.problems)
    errors = count_level(result.problems, "error")
    warnings = count_level(result.problems, "warning")
    links = " and their links" if args.check_links else ""
    counted = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
    print(f"Checked {plural(result.posts, 'post')}{links}: {counted}")
    return 0 if result.ok else 1


def add_link_check(parser: argparse.ArgumentParser, flag: str) -> None:
    parser.add_argument(
        flag,
        dest="check_links",
        action="store_true",
        help="also check that every internal link and #anchor of the site leads somewhere",
    )


def cmd_deploy(args: argparse.Namespace) -> int:
    result = build(request_of(args), write=False)
    print_problems(result.problems)
    if not result.ok:
        errors = count_level(result.problems, "error")
        print(f"Nothing deployed: the build has {plural(errors, 'error')}")
        return 1
    config = load_settings(request_of(args))[0]
    if urlsplit(config.base_url).hostname in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: base_url is {config.base_url}: feeds, canonical links and the sitemap "
            "will point to this machine; set base_url in journal.toml to the site's address",
            file=sys.stderr,
        )
    try:
        if args.to == BRANCH_TARGET:
            how = BranchDeploy(args.remote, args.branch, args.message, args.dry_run)
            done = deploy_to_branch(args.root, result.files, config, how)
        else:
            done = deploy_to_folder(
                args.root, Path(args.to), result.files, args.dry_run, force=args.force
            )
    except DeployError as exc:
        return fail(f"{exc}")
    except OSError as exc:
        where = exc.filename or args.to
        return fail(f"cannot write {where}: {exc.strerror or exc}")
    for line in done.warnings:
        print(f"warning: {line}", file=sys.stderr)
    print("\n".join(done.lines))
    return 0


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-06-10") from exc


def today_in(root: Path) -> date:
    config, _ = load_config(root)
    return datetime.now(config.zone).date()


def cmd_new(args: argparse.Namespace) -> int:
    if args.next and args.title:
        return fail("give a title or --next, not both")
    if args.next:
        loaded = read_site(args.root, BuildOptions(future=True))
        promise = oldest_promise(loaded.site) if loaded.site is not None else None
        if loaded.site is None:
            print_problems(loaded.problems)
            return 1
        if promise is None:
            print(NOTHING_PROMISED)
            return 1
        args.title = promise.text
    title = " ".join((args.title or "").split())
    if not title:
        return fail("give the post's title, or --next for the oldest promised post")
    tags = tuple(t.strip() for t in (args.tags or "").split(",") if t.strip())
    day = args.date or today_in(args.root)
    try:
        made = new_post(args.root, title, day, tags)
    except ScaffoldError as exc:
        return fail(f"{exc}")
    except FileExistsError as exc:
        return fail(f"{exc.filename or exc} already exists; choose another title")
    except OSError as exc:
        where = exc.filename or args.root
        return fail(f"cannot write {where}: {exc.strerror or exc}")
    print(f"Created {_shown(made.path, args.root)}")
    for promiser in made.keeps:
        print(f'It keeps the promise made in {promiser.key} ("Next: {promiser.text}").')
    return 0


def cmd_promises(args: argparse.Namespace) -> int:
    """The to-write list; posts dated in the future count as written (they are scheduled)."""
    loaded = read_site(args.root, BuildOptions(future=True))
    print_problems([p for p in loaded.problems if p.level == "error"])
    if loaded.site is None:
        return 1
    print("\n".join(promise_lines(loaded.site)))
    return 1 if has_errors(loaded.problems) else 0


def cmd_stats(args: argparse.Namespace) -> int:
    now = datetime.now().astimezone()
    loaded = read_site(args.root, BuildOptions(now=now), render=True)
    print_problems([p for p in loaded.problems if p.level == "error"])
    if loaded.site is None:
        return 1
    if args.year is not None and all(y.year != args.year for y in loaded.site.years):
        return fail(f"no posts or theme in {args.year}")
    stats = all_stats(loaded.site, loaded.rendered, stats_years(loaded.site, args.year))
    if args.json:
        print(stats_json(loaded.site, stats))
    else:
        print(stats_text(loaded.site, stats, details=args.year is not None))
    return 0


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def cmd_init(args: argparse.Namespace) -> int:
    year = args.year or date.today().year
    if year not in YEARS:
        return fail(f"--year must be from {YEARS.start} to {YEARS.stop - 1}")
    if not args.word.strip():
        return fail("--word must be a word, like --word partnership")
    try:
        created = init_journal(args.folder, args.title, args.word.strip(), year)
    except ScaffoldError as exc:
        return fail(f"{exc}")
    except FileExistsError as exc:
        return fail(f"{exc}; this folder already has a journal")
    except OSError as exc:
        where = exc.filename or args.folder
        return fail(f"cannot create the journal in {where}: {exc.strerror or exc}")
    for path in created:
        print(f"Created {path}")
    print(f'Next: cd {args.folder} && journal new "My first post" && journal build')
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if not is_loopback(args.host):
        print(
            f"warning: with --host {args.host} other machines can see the preview; "
            "use --host 127.0.0.1 to keep it on this one",
            file=sys.stderr,
        )
    settings = PreviewSettings(
        args.root, args.host, args.port, options_of(args), args.output, use_cache=not args.no_cache
    )
    preview = Preview(settings, on_build=_report_build(args.root), on_crash=_report_crash)
    with warnings.catch_warnings():
        # watchdog warns, harmlessly, when it schedules a watch it already holds.
        warnings.filterwarnings("ignore", "Callback with id", RuntimeWarning)
        try:
            try:
                preview.start()
            except ServeError as exc:
                return fail(f"{exc}")
            print(f"Serving the preview at {preview.url} (Ctrl-C to stop)", flush=True)
            if args.open:
                _open_browser(preview.url)
            while True:
                # Short naps: Ctrl-C may reach another thread, and Python only notices it
                # when the main thread wakes up.
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            preview.close(timeout=1.0)  # a rebuild left unfinished harms nothing
    return 0


def _report_build(root: Path) -> Callable[[BuildResult], None]:
    def report(result: BuildResult) -> None:
        print_problems(result.problems)
        print(summary_line(result, root), flush=True)

    return report


def _report_crash(exc: BaseException) -> None:
    traceback.print_exception(exc, file=sys.stderr)
    print(
        f"error: the rebuild stopped with {type(exc).__name__}; the preview keeps the last "
        "good pages (please report this)",
        file=sys.stderr,
        flush=True,
    )


def _open_browser(url: str) -> None:
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        print(f"Could not open a browser: open {url} yourself", file=sys.stderr)


def year_number(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year (1 to 9999)")
    return int(text)


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535; 0 picks a free one)")
    return int(text)


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
    add_no_cache(p)
    p.set_defaults(handler=cmd_build)

    p = commands.add_parser("check", help="report every problem; write nothing")
    add_root(p)
    add_selection(p)
    add_link_check(p, "--links")
    p.add_argument("--base-url", help="check as if journal.toml's base_url were this one")
    add_no_cache(p)
    p.set_defaults(handler=cmd_check)

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
    add_link_check(p, "--check-links")
    p.set_defaults(handler=cmd_deploy, drafts=False, future=False)

    p = commands.add_parser("serve", help="preview the site; rebuild and reload on every save")
    add_root(p)
    p.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: %(default)s)"
    )
    p.add_argument(
        "--port",
        type=port_number,
        default=8000,
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
    add_no_cache(p)
    p.set_defaults(handler=cmd_serve)

    p = commands.add_parser(
        "clean", help="delete the build cache (ROOT/.journal-cache/build.sqlite3); nothing else"
    )
    add_root(p)
    p.set_defaults(handler=cmd_clean)

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
    p.set_defaults(handler=cmd_new)

    p = commands.add_parser("promises", help="list the promised posts still to write")
    add_root(p)
    p.set_defaults(handler=cmd_promises)

    p = commands.add_parser("stats", help="a year's figures: posts, words, days, streak, reach")
    add_root(p)
    p.add_argument("--year", type=year_number, help="only this year (default: every year)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=cmd_stats)

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
    except BrokenPipeError:
        # The reader went away (`journal promises | head`): stop quietly, like other tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code

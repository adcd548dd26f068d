"""`journal new` and `journal init`: the only commands that write into a journal's content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import frontmatter
import yaml

from generator.commands.console import fail, print_problems, shown_path
from generator.commands.report import NOTHING_PROMISED, oldest_promise, read_site
from generator.core.config import CONFIG_NAME, BuildOptions, Config, load_config
from generator.core.text import match_key, slug_or_fallback
from generator.pipeline.load import POSTS_DIR, THEMES_DIR, YEARS, Journal, Post, load_journal
from generator.pipeline.site import Site, build_site
from generator.pipeline.theme_hints import PLACEHOLDER_INTRO


class ScaffoldError(Exception):
    """The post or journal cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class Promiser:
    """A post whose pending "Next:" names the title being written."""

    key: str
    text: str


@dataclass(frozen=True)
class NewPost:
    path: Path
    keeps: tuple[Promiser, ...]


def promisers_in(site: Site, title: str) -> tuple[Promiser, ...]:
    """The posts whose pending promise a post of this title keeps, oldest first."""
    wanted = {match_key(title), slug_or_fallback(title)}
    found = []
    for key in reversed(site.order):
        chain = site.chains.get(key)
        if chain is None or chain.state != "pending":
            continue
        if match_key(chain.text) in wanted or slug_or_fallback(chain.text) in wanted:
            found.append(Promiser(key, chain.text))
    return tuple(found)


def post_text(title: str, day: date, tags: tuple[str, ...]) -> str:
    post = frontmatter.Post("\n", title=title, date=day)
    if tags:
        post["tags"] = list(tags)
    return frontmatter.dumps(post, sort_keys=False) + "\n"


def new_post(
    root: Path, title: str, day: date, tags: tuple[str, ...] = (), now: datetime | None = None
) -> NewPost:
    """Write content/posts/YYYY/<slug>.md; never overwrites (FileExistsError). Refuses
    (ScaffoldError) outside a journal, and a post whose title or URL another post (a draft,
    one scheduled for after `now`, or a published one) has."""
    if not (root / CONFIG_NAME).is_file():
        raise ScaffoldError(
            f"no {CONFIG_NAME} in {root}: run `journal init {root}` to start a journal there, "
            "or pass --root with the journal's folder"
        )
    config, _ = load_config(root)
    journal = load_journal(root, config.zone, keyword=config.next_keyword)
    slug = slug_or_fallback(title)
    now = now or datetime.now(config.zone)
    taken = taken_problem(journal, config, NewTitle(title, day.year, slug), now)
    if taken is not None:
        raise ScaffoldError(taken)
    # Posts dated in the future count as written: their promises are kept.
    site = build_site(journal.posts, journal.themes, config, BuildOptions(future=True))
    keeps = promisers_in(site, title)
    path = root / POSTS_DIR / f"{day.year}" / f"{slug}.md"
    make_folder(root, path.parent)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(post_text(title, day, tags))
    return NewPost(path, keeps)


@dataclass(frozen=True)
class NewTitle:
    """The post `journal new` is asked for: its title, and the year and slug of its URL."""

    title: str
    year: int
    slug: str


def taken_problem(journal: Journal, config: Config, new: NewTitle, now: datetime) -> str | None:
    """Why a new post of this title cannot be made: a post has the title (a draft, a post
    scheduled for later or a published one), which would make a "Next:" naming it
    ambiguous, or has its URL."""
    wanted = match_key(new.title)
    for post in journal.posts:
        if match_key(post.title) == wanted:
            return same_title_problem(post, config, new.title, now)
    for post in journal.posts:
        if post.slug == new.slug and post.date.astimezone(config.zone).year == new.year:
            return (
                f"{config.base_path}{new.year}/{new.slug}/ is already the URL of {post.key}: "
                "choose another title"
            )
    return None


def same_title_problem(post: Post, config: Config, title: str, now: datetime) -> str:
    """What to say of `post`, which has the title asked for: the writer may have forgotten
    a draft or a scheduled post, and a second post of one title makes promises ambiguous."""
    instead = "edit it, or give the new post another title"
    if post.draft:
        return f"a draft with this title exists: {post.key} (draft: true); {instead}"
    if post.date > now:
        day = post.date.astimezone(config.zone).date().isoformat()
        return f"a post with this title is scheduled for {day}: {post.key} (date: {day}); {instead}"
    return (
        f'{post.key} already has the title "{post.title}": a second post with it would '
        f'make "Next: {title}" ambiguous; {instead}'
    )


def make_folder(root: Path, folder: Path) -> None:
    """Make the folder and its parents; a file in the way is a ScaffoldError naming it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        current = folder
        while current != root and current.parent != current:
            if current.exists() and not current.is_dir():
                shown = current.relative_to(root).as_posix()
                raise ScaffoldError(
                    f"{shown} is a file, not a folder: move it away or rename it, then try again"
                ) from exc
            current = current.parent
        raise


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly `text` (quotes, backslashes and control
    characters such as line breaks escaped)."""
    escaped = []
    for ch in text:
        if ch in ('"', "\\"):
            escaped.append("\\" + ch)
        elif ch == "\n":
            escaped.append("\\n")
        elif ch == "\t":
            escaped.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            escaped.append(f"\\u{ord(ch):04X}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


def theme_text(word: str, intro: str = PLACEHOLDER_INTRO) -> str:
    """A theme file for `word`, its front matter written by a YAML library, so that a word
    such as yes, 2024 or #hope stays text; `intro` (Markdown) below it, by default the
    placeholder that the build warns of until it is edited."""
    front = yaml.safe_dump({"word": word}, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n{intro.strip()}\n"


def journal_toml(title: str) -> str:
    return (
        f"title = {toml_string(title)}\n"
        'author = ""\n'
        'description = ""\n'
        "# The address the site will live at; its path (e.g. /journal/) prefixes every link.\n"
        'base_url = "http://127.0.0.1:8000/"\n'
        'timezone = "UTC"\n'
        'language = "en"\n'
        "posts_per_page = 10\n"
    )


def init_journal(folder: Path, title: str, word: str, year: int) -> list[Path]:
    """A new journal that builds at once; refuses a folder that already has a journal."""
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} is a file, not a folder: choose another place")
    if (folder / CONFIG_NAME).exists():
        raise FileExistsError(f"{folder / CONFIG_NAME} already exists")
    (folder / POSTS_DIR).mkdir(parents=True, exist_ok=True)
    (folder / THEMES_DIR).mkdir(parents=True, exist_ok=True)
    theme = folder / THEMES_DIR / f"{year}.md"
    created = [folder / CONFIG_NAME, theme, folder / POSTS_DIR]
    (folder / CONFIG_NAME).write_text(journal_toml(title), encoding="utf-8")
    if not theme.exists():
        theme.write_text(theme_text(word), encoding="utf-8")
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("output/\n.journal-cache/\n", encoding="utf-8")
        created.append(gitignore)
    return created


# ---------------------------------------------------------------- the commands


def run_new(
    root: Path,
    title: str | None,
    *,
    next_promise: bool = False,
    day: date | None = None,
    tags: tuple[str, ...] = (),
) -> int:
    """Start a post titled `title`, or, with `next_promise`, the oldest promised one."""
    if next_promise and title:
        return fail("give a title or --next, not both")
    if next_promise:
        loaded = read_site(root, BuildOptions(future=True))
        if loaded.site is None:
            print_problems(loaded.problems)
            return 1
        promise = oldest_promise(loaded.site)
        if promise is None:
            print(NOTHING_PROMISED)
            return 1
        title = promise.text
    title = " ".join((title or "").split())
    if not title:
        return fail("give the post's title, or --next for the oldest promised post")
    day = day or datetime.now(load_config(root)[0].zone).date()  # today, in the journal's zone
    try:
        made = new_post(root, title, day, tags)
    except ScaffoldError as exc:
        return fail(f"{exc}")
    except FileExistsError as exc:
        return fail(f"{exc.filename or exc} already exists; choose another title")
    except OSError as exc:
        where = exc.filename or root
        return fail(f"cannot write {where}: {exc.strerror or exc}")
    print(f"Created {shown_path(made.path, root)}")
    for promiser in made.keeps:
        print(f'It keeps the promise made in {promiser.key} ("Next: {promiser.text}").')
    return 0


def run_init(folder: Path, title: str, word: str, year: int | None = None) -> int:
    """Start a journal in `folder` whose first theme is `word` in `year` (default: this year)."""
    year = year or date.today().year
    if year not in YEARS:
        return fail(f"--year must be from {YEARS.start} to {YEARS.stop - 1}")
    if not word.strip():
        return fail("--word must be a word, like --word partnership")
    try:
        created = init_journal(folder, title, word.strip(), year)
    except ScaffoldError as exc:
        return fail(f"{exc}")
    except FileExistsError as exc:
        return fail(f"{exc}; this folder already has a journal")
    except OSError as exc:
        where = exc.filename or folder
        return fail(f"cannot create the journal in {where}: {exc.strerror or exc}")
    for path in created:
        print(f"Created {path}")
    print(f"Edit the intro of {year}'s word: {folder / THEMES_DIR / f'{year}.md'}")
    print(f'Next: cd {folder} && journal new "My first post" && journal build')
    return 0

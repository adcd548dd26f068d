"""Load stage: the journal folder -> Post, Theme and StaticFile records + Problems.

This is the only module that reads content/ (folder_walk.py walks its folders for it).
Parsing is split from reading, so that `parse_post` and `parse_theme` are pure functions of
(path, bytes), testable alone. The text they share (decoding, front matter) is made in
source_text.py and a post's fields are read in post_fields.py; the records themselves are
put together here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.core.names import is_ignored_name, is_ignored_static_name
from generator.core.problems import Problem, error
from generator.pipeline.aliases import Alias, post_aliases
from generator.pipeline.folder_walk import skipped_files_problem
from generator.pipeline.folder_walk import walk_files as walk_files  # (the watch session's too)
from generator.pipeline.leftovers import leftover_problems
from generator.pipeline.post_fields import (
    NO_LINES,
    FieldLines,
    PostFields,
    Promise,
    title_from_name,
)
from generator.pipeline.promise_line import DEFAULT_KEYWORD, PromiseLines
from generator.pipeline.source_text import (
    DECIDING_KEYS,
    POST_KEYS,
    THEME_KEYS,
    Unreadable,
    file_stem,
    read_source,
    unknown_key_problems,
    unreadable_problem,
    yaml_kind,
    yaml_repr,
)

POST_SUFFIXES = (".md", ".markdown")
POSTS_DIR = "content/posts"
THEMES_DIR = "content/themes"
STATIC_DIR = "content/static"
YEARS = range(1000, 3000)  # the years a post or a theme may have
MAX_NESTING = 100  # levels of nested lists a post may have (Python-Markdown recurses per level)


@dataclass(frozen=True)
class Post:
    key: str  # the source path relative to the journal, e.g. content/posts/2024/partnership.md
    title: str
    date: datetime  # aware
    slug: str
    tags: tuple[str, ...]
    draft: bool
    summary: str | None
    body: str  # Markdown, without front matter, title heading or "Next:" line
    promise: Promise | None
    body_line: int = 1  # the file line of the body's first line (for problems found in it)
    lines: FieldLines = NO_LINES  # the lines of its URL and tags, for the site's problems
    aliases: tuple[Alias, ...] = ()  # its old URLs, each answered by a redirect page


@dataclass(frozen=True)
class Theme:
    key: str
    year: int
    word: str
    intro: str  # Markdown
    forms: tuple[str, ...]  # words counted as the theme word's forms; empty: derived from it
    intro_line: int = 1  # the file line of the intro's first line


@dataclass(frozen=True)
class StaticFile:
    path: str  # relative to content/static, posix
    data: bytes


@dataclass(frozen=True)
class Journal:
    posts: tuple[Post, ...]
    themes: tuple[Theme, ...]
    static: tuple[StaticFile, ...]
    problems: tuple[Problem, ...]


# ---------------------------------------------------------------- reading the folder


@dataclass(frozen=True)
class SourceFiles:
    """The journal's source files as the loader finds them (sorted keys), and the symlinks it
    skipped on the way."""

    posts: tuple[str, ...]  # Markdown files under content/posts
    themes: tuple[str, ...]  # Markdown files under content/themes
    static: tuple[str, ...]  # every file under content/static
    problems: tuple[Problem, ...]
    # The other files under content/posts (and content/themes), which are skipped; those of
    # content/posts are named in a warning.
    others: tuple[str, ...] = ()

    def others_relisted(
        self, folder: str, found: Sequence[str], suffixes: tuple[str, ...] | None
    ) -> tuple[str, ...]:
        """`others` with those under `folder` (or that file) as listed again: `found`, every
        file there, of which the sources end in `suffixes` (None: all files are sources)."""
        within = folder + "/"
        kept = [k for k in self.others if k != folder and not k.startswith(within)]
        new = [] if suffixes is None else [k for k in found if not k.endswith(suffixes)]
        return tuple(sorted([*kept, *new], key=_walk_order))


def _walk_order(key: str) -> list[str]:
    """The order of the loader's walk: folder by folder, names sorted."""
    return key.split("/")


def source_folders() -> tuple[tuple[str, Callable[[str], bool], tuple[str, ...] | None], ...]:
    """(folder, names to skip, suffixes kept or None for all) for each kind of source."""
    return (
        (POSTS_DIR, is_ignored_name, POST_SUFFIXES),
        (THEMES_DIR, is_ignored_name, POST_SUFFIXES),
        (STATIC_DIR, is_ignored_static_name, None),
    )


def find_sources(root: Path) -> SourceFiles:
    found: list[tuple[str, ...]] = []
    problems: list[Problem] = []
    others: list[str] = []
    for folder, skip, suffixes in source_folders():
        paths, skipped = walk_files(root, folder, skip)
        found.append(tuple(p for p in paths if suffixes is None or p.endswith(suffixes)))
        others.extend(p for p in paths if suffixes is not None and not p.endswith(suffixes))
        problems.extend(skipped)
    listing = tuple(sorted(others, key=_walk_order))
    return SourceFiles(found[0], found[1], found[2], tuple(problems), listing)


def others_problems(others: Sequence[str]) -> list[Problem]:
    """One warning naming the files under content/posts that are not posts (hidden files
    and editor backups are left out before: they never count)."""
    rule = (
        "posts end in .md or .markdown; images and other files to publish as they are go in "
        "content/static"
    )
    found = skipped_files_problem(POSTS_DIR, others, ("post", "posts"), rule)
    return [] if found is None else [found]


def assemble_journal(
    files: SourceFiles,
    read_post: Callable[[str], tuple[Post | None, list[Problem]]],
    read_theme: Callable[[str], tuple[Theme | None, list[Problem]]],
    read_static: Callable[[str], bytes],
) -> Journal:
    """The Journal of these files, each read and parsed by the functions given (the build's
    watch mode passes functions that remember the files that did not change)."""
    problems: list[Problem] = [*files.problems, *others_problems(files.others)]
    posts: list[Post] = []
    for key in files.posts:
        post, found = read_post(key)
        problems.extend(found)
        if post is not None:
            posts.append(post)
    themes: list[Theme] = []
    for key in files.themes:
        theme, found = read_theme(key)
        problems.extend(found)
        if theme is not None:
            themes.append(theme)
    problems.extend(duplicate_theme_problems(themes))
    prefix = len(STATIC_DIR) + 1
    static: list[StaticFile] = []
    for key in files.static:
        data = read_static(key)
        unreadable = unreadable_problem(key, data)
        if unreadable is not None:
            problems.append(unreadable)
        else:
            static.append(StaticFile(key[prefix:], data))
    return Journal(tuple(posts), tuple(themes), tuple(static), tuple(problems))


def load_journal(
    root: Path, zone: ZoneInfo, files: SourceFiles | None = None, keyword: str = DEFAULT_KEYWORD
) -> Journal:
    """Read and parse every post, theme and static file of the journal at `root` (those of
    `files`, when they were listed already); `keyword`: the word of "Next:" promises."""
    promises = PromiseLines(keyword)
    return assemble_journal(
        find_sources(root) if files is None else files,
        lambda key: parse_post(key, read_bytes(root, key), zone, promises),
        lambda key: parse_theme(key, read_bytes(root, key)),
        lambda key: read_bytes(root, key),
    )


def read_bytes(root: Path, key: str) -> bytes:
    """The file's bytes; an `Unreadable` (empty, with the reason) when it cannot be read."""
    try:
        return (root / key).read_bytes()
    except OSError as exc:
        return Unreadable(exc.strerror or type(exc).__name__)


# ---------------------------------------------------------------- parsing one file


def parse_post(
    key: str, raw: bytes, zone: ZoneInfo, promises: PromiseLines | str = DEFAULT_KEYWORD
) -> tuple[Post | None, list[Problem]]:
    """One post from its path and bytes; None when it has errors (all of them reported).
    `promises`: the journal's "Next:" keyword, or what reads it."""
    source, problems = read_source(key, raw)
    if source is None:
        return None, problems
    if isinstance(promises, str):
        promises = PromiseLines(promises)
    fields = PostFields(key, source, zone, YEARS, promises)
    post = _post_of(fields)
    deep = nesting_problems(key, source.body, source.body_line)
    deep += long_paragraph_problems(key, source.body, source.body_line)
    left = leftover_problems(key, source.body, source.body_line)  # warnings only
    return (None if deep else post), problems + fields.problems + deep + left


def _post_of(fields: PostFields) -> Post | None:
    """The Post that its fields make; None when one of them has an error (every problem is
    in `fields.problems`). The title heading and the "Next:" line are taken out of the body
    before the other fields are read."""
    lines = fields.source.body.split("\n")
    lines, heading_title = fields.title_heading(lines)
    promise, lines = fields.promise(lines)
    title = fields.text("title") or heading_title or title_from_name(fields.stem)
    when = fields.date()
    slug = fields.slug()
    tags = fields.tags()
    draft = fields.flag("draft")
    summary = fields.text("summary")
    source = fields.source
    aliases, alias_problems = post_aliases(
        fields.key, source.meta, source.key_lines, source.item_lines
    )
    fields.problems.extend(alias_problems)
    fields.problems.extend(
        unknown_key_problems(fields.key, fields.source, POST_KEYS, DECIDING_KEYS)
    )
    if when is None or fields.has_errors():
        return None
    return Post(
        key=fields.key,
        title=title,
        date=when,
        slug=slug,
        tags=tags,
        draft=draft,
        summary=summary,
        body="\n".join(lines).strip("\n") + "\n",
        promise=promise,
        body_line=fields.first_body_line(lines, heading_title is not None),
        lines=FieldLines(url=fields.url_line(), tags=fields.tag_lines),
        aliases=aliases,
    )


# Python-Markdown matches brackets in a paragraph in time that grows with the square of its
# length: 100,000 characters with links take 20 s, 400,000 over 5 minutes. A paragraph
# longer than this, with a bracket in it, is refused with the limit rather than left to run.
MAX_PARAGRAPH = 20_000
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def long_paragraph_problems(key: str, body: str, body_line: int) -> list[Problem]:
    """An error for each paragraph (text between blank lines, outside fenced code) longer
    than MAX_PARAGRAPH characters that holds a bracket."""
    problems: list[Problem] = []
    start, size, bracket, fenced = 0, 0, False, False
    lines = body.split("\n")
    for index, line in enumerate([*lines, ""]):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or not line.strip():
            if size > MAX_PARAGRAPH and bracket:
                message = (
                    f"this paragraph is {size:,} characters long, with links or brackets in "
                    f"it; Markdown takes too long on paragraphs past {MAX_PARAGRAPH:,}: split "
                    "it with blank lines"
                )
                problems.append(error(key, body_line + start, message))
            start, size, bracket = index + 1, 0, False
            continue
        size += len(line) + 1
        bracket = bracket or "[" in line
    return problems


def nesting_problems(key: str, body: str, body_line: int) -> list[Problem]:
    """An error for the first line nested deeper than MAX_NESTING levels of lists: Markdown
    would recurse once per level and fail, so the post is refused with a clear message."""
    for index, line in enumerate(body.split("\n")):
        indent = len(line) - len(line.lstrip(" \t"))
        if indent <= MAX_NESTING:  # fast path: a space or tab is one level at most
            continue
        levels = len(line[:indent].expandtabs(4)) // 4
        if levels > MAX_NESTING:
            message = (
                f"this line is indented {levels} levels deep; Markdown renders lists nested "
                f"at most {MAX_NESTING} levels deep: indent it less"
            )
            return [error(key, body_line + index, message)]
    return []


# ---------------------------------------------------------------- themes


def parse_theme(key: str, raw: bytes) -> tuple[Theme | None, list[Problem]]:
    source, problems = read_source(key, raw)
    if source is None:
        return None, problems
    problems = [*problems, *unknown_key_problems(key, source, THEME_KEYS)]
    stem = file_stem(key)
    if not re.fullmatch(r"[0-9]{4}", stem) or int(stem) not in YEARS:
        message = f'"{stem}" is not a year: name theme files by year, like 2024.md'
        return None, [*problems, error(key, 1, message)]
    word = source.meta.get("word")
    if not isinstance(word, str) or not word.strip():
        line = source.key_lines.get("word", 1)
        return None, [*problems, error(key, line, _word_message(source.meta))]
    forms_value = source.meta.get("forms", [])
    if isinstance(forms_value, str):
        forms_value = forms_value.split(",")
    if not isinstance(forms_value, list) or not all(isinstance(f, str) for f in forms_value):
        line = source.key_lines.get("forms", 1)
        message = "`forms` must be a list of words, like [partner, partners]"
        return None, [*problems, error(key, line, message)]
    forms = tuple(dict.fromkeys(f.strip() for f in forms_value if f.strip()))
    deep = nesting_problems(key, source.body, source.body_line)
    if deep:
        return None, [*problems, *deep]
    leading = len(source.body) - len(source.body.lstrip("\n"))
    intro_line = source.body_line + leading
    return Theme(key, int(stem), word.strip(), source.body.strip("\n"), forms, intro_line), problems


def _word_message(meta: dict[str, Any]) -> str:
    """Why a theme's `word` cannot be used, and how to write it."""
    if "word" not in meta:
        typo = difflib.get_close_matches("word", [str(k).casefold() for k in meta], 1, 0.6)
        hint = f" (`{typo[0]}` is not `word`)" if typo else ""
        return f"a theme needs its word: add `word: partnership` to the front matter{hint}"
    value = meta["word"]
    if value is None or (isinstance(value, str) and not value.strip()):
        return (
            "`word` is empty: write the word after `word:` (in quotes if it starts with # "
            'or another sign, like word: "#hope")'
        )
    return (
        f"`word` must be text, not {yaml_kind(value)}: put it in quotes, "
        f'like word: "{yaml_repr(value)}"'
    )


def duplicate_theme_problems(themes: list[Theme]) -> list[Problem]:
    first: dict[int, Theme] = {}
    problems: list[Problem] = []
    for theme in themes:
        if theme.year not in first:
            first[theme.year] = theme
            continue
        message = f"{theme.year} already has a theme in {first[theme.year].key}"
        problems.append(error(theme.key, 1, f"{message}: keep one file per year"))
    return problems

"""Load stage: the journal folder -> Post, Theme and StaticFile records + Problems.

This is the only module that reads content/. Parsing is split from reading, so that
`parse_post` and `parse_theme` are pure functions of (path, bytes), testable alone.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.core.names import is_ignored_name, is_ignored_static_name
from generator.core.problems import Problem, error, warning
from generator.core.text import slug_or_fallback, slugify

POST_SUFFIXES = (".md", ".markdown")
POSTS_DIR = "content/posts"
THEMES_DIR = "content/themes"
STATIC_DIR = "content/static"

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S | re.M)
_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_H1 = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_NEXT = re.compile(r"^\s*next\s*:\s*(?P<rest>.+?)\s*$", re.I)
_MD_LINK = re.compile(r"^\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
YEARS = range(1000, 3000)  # the years a post or a theme may have
MAX_NESTING = 100  # levels of nested lists a post may have (Python-Markdown recurses per level)


@dataclass(frozen=True)
class Promise:
    """A "Next:" promise: the title (or slug) of the post that is to follow."""

    text: str
    href: str | None
    line: int


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


def walk_files(
    root: Path, folder: str, skip: Callable[[str], bool] = is_ignored_name
) -> tuple[list[str], list[Problem]]:
    """Files under root/folder as sorted posix paths relative to root.

    Symlinks are followed while they stay inside the journal; loops and links that lead
    out are reported and skipped, never followed.
    """
    base = root / folder
    if not base.is_dir():
        return [], []
    files: list[str] = []
    problems: list[Problem] = []
    for path, kind in _walk(base, root.resolve(), {base.resolve()}, skip):
        rel = path.relative_to(root).as_posix()
        if not _is_printable_name(rel):
            problems.append(error(shown_name(rel), 1, _BAD_NAME))
        elif kind == "file":
            files.append(rel)
        elif kind.startswith(_UNLISTABLE):
            problems.append(error(rel, 1, f"cannot read this folder: {kind[len(_UNLISTABLE) :]}"))
        else:
            problems.append(warning(rel, 1, _SKIPPED[kind]))
    return files, problems


_BAD_NAME = (
    "this file name is not UTF-8 text or holds a control character: rename the file "
    "(it was left out)"
)
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})  # categories that would break a problem's line


def _is_printable_name(name: str) -> bool:
    """False for a name holding bytes that are not UTF-8 (Python keeps them as surrogates)
    or a control character such as a line break, which no message could show."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(unicodedata.category(ch) in _LINE_BREAKING for ch in name)


def shown_name(name: str) -> str:
    """A file name as it can be printed on one line: bytes that are not UTF-8 shown as
    \\xNN, control characters as escapes (\\n, \\x07)."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in _LINE_BREAKING
        else ch
        for ch in text
    )


_UNLISTABLE = "unlistable:"  # a kind of walk entry: a folder that cannot be listed, and why
_SKIPPED: Mapping[str, str] = MappingProxyType(
    {
        "loop": "skipped: this symlink makes a loop",
        "broken": "skipped: this symlink points to nothing",
        "outside": "skipped: this symlink leads outside the journal; copy the file in instead",
    }
)


def _walk(
    folder: Path, real_root: Path, seen: set[Path], skip: Callable[[str], bool]
) -> Iterator[tuple[Path, str]]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield folder, _UNLISTABLE + (exc.strerror or type(exc).__name__)
        return
    for entry in entries:
        if skip(entry.name):
            continue
        path = Path(entry.path)
        kind = _symlink_kind(path, real_root) if entry.is_symlink() else None
        if kind is not None:
            yield path, kind
        elif path.is_dir():
            real = path.resolve()
            if real in seen:
                yield path, "loop"
                continue
            yield from _walk(path, real_root, seen | {real}, skip)
        elif path.is_file():
            yield path, "file"


def _symlink_kind(path: Path, real_root: Path) -> str | None:
    """None for a symlink that may be followed, else why it may not."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        return "loop"
    except OSError:
        return "loop" if _is_loop(path) else "broken"
    return None if target.is_relative_to(real_root) else "outside"


def _is_loop(path: Path) -> bool:
    try:
        path.resolve(strict=True)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    except RuntimeError:
        return True
    return False


@dataclass(frozen=True)
class SourceFiles:
    """The journal's source files as the loader finds them (sorted keys), and the symlinks it
    skipped on the way."""

    posts: tuple[str, ...]  # Markdown files under content/posts
    themes: tuple[str, ...]  # Markdown files under content/themes
    static: tuple[str, ...]  # every file under content/static
    problems: tuple[Problem, ...]


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
    for folder, skip, suffixes in source_folders():
        paths, skipped = walk_files(root, folder, skip)
        found.append(tuple(p for p in paths if suffixes is None or p.endswith(suffixes)))
        problems.extend(skipped)
    return SourceFiles(found[0], found[1], found[2], tuple(problems))


PostReader = Callable[[str], tuple[Post | None, list[Problem]]]
ThemeReader = Callable[[str], tuple[Theme | None, list[Problem]]]


def assemble_journal(
    files: SourceFiles,
    read_post: PostReader,
    read_theme: ThemeReader,
    read_static: Callable[[str], bytes],
) -> Journal:
    """The Journal of these files, each read and parsed by the functions given (the build's
    watch mode passes functions that remember the files that did not change)."""
    problems: list[Problem] = list(files.problems)
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


def load_journal(root: Path, zone: ZoneInfo) -> Journal:
    """Read and parse every post, theme and static file of the journal at `root`."""
    return assemble_journal(
        find_sources(root),
        lambda key: parse_post(key, read_bytes(root, key), zone),
        lambda key: parse_theme(key, read_bytes(root, key)),
        lambda key: read_bytes(root, key),
    )


class Unreadable(bytes):
    """What `read_bytes` gives for a file it could not read: no bytes, and the reason, which
    the parsers report (`decode_source`) rather than take the file for an empty one."""

    reason: str

    def __new__(cls, reason: str) -> Unreadable:
        made = super().__new__(cls, b"")
        made.reason = reason
        return made


def read_bytes(root: Path, key: str) -> bytes:
    """The file's bytes; an `Unreadable` (empty, with the reason) when it cannot be read."""
    try:
        return (root / key).read_bytes()
    except OSError as exc:
        return Unreadable(exc.strerror or type(exc).__name__)


def unreadable_problem(key: str, raw: bytes) -> Problem | None:
    if isinstance(raw, Unreadable):
        return error(key, 1, f"cannot read this file: {raw.reason}")
    return None


# ---------------------------------------------------------------- parsing one file


def decode_source(key: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (BOM dropped, line ends made \\n), or a problem at the bad byte's line."""
    unreadable = unreadable_problem(key, raw)
    if unreadable is not None:
        return None, [unreadable]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            error(
                key,
                line,
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}): "
                "save the file as UTF-8",
            )
        ]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [error(key, line, "this is not a text file (it has NUL bytes)")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


@dataclass(frozen=True)
class Source:
    """A file split into its front matter and body, with line numbers kept."""

    meta: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int  # the file line of the body's first line


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML that leaves dates as text, so that an impossible date gets our own message."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def split_source(key: str, text: str) -> tuple[Source | None, list[Problem]]:
    match = _FRONT_MATTER.match(text)
    if match is None:
        if text.startswith("---\n"):
            return None, [
                error(key, 1, "front matter is not closed: add a line `---` after the settings")
            ]
        return Source({}, {}, text, 1), []
    body_line = text[: match.end()].count("\n") + 1
    meta, key_lines, problems = parse_yaml(key, match.group(1), first_line=2)
    if meta is None:
        return None, problems
    return Source(meta, key_lines, text[match.end() :], body_line), problems


def parse_yaml(
    key: str, fm_text: str, first_line: int
) -> tuple[dict[str, Any] | None, dict[str, int], list[Problem]]:
    loader = _Loader(fm_text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        return None, {}, [yaml_problem(key, exc, first_line)]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (no mark)
        line = first_line + fm_text[: exc.position].count("\n")
        message = f"front matter holds the character U+{exc.character:04X}, which YAML forbids"
        return None, {}, [error(key, line, f"{message}: remove it")]
    except yaml.YAMLError as exc:
        what = " ".join(str(exc).split())
        return None, {}, [error(key, first_line, f"front matter is not valid YAML: {what}")]
    except (ValueError, OverflowError, RecursionError, IndexError, KeyError, TypeError):
        # PyYAML's own constructors fail this way on int("1" * 5000), `!!float` with no
        # value, `!!bool maybe` and the like.
        message = (
            "front matter has a value YAML cannot turn into what it says it is "
            "(a number of thousands of digits, or a tag such as !!float or !!bool on "
            "something else)"
        )
        return None, {}, [error(key, first_line, f"{message}: put the value in quotes")]
    finally:
        loader.dispose()
    if data is None:
        return {}, {}, []
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return (
            None,
            {},
            [
                error(
                    key,
                    first_line,
                    "front matter must be `key: value` lines, like `title: My post`",
                )
            ],
        )
    key_lines = {
        str(k.value): first_line + k.start_mark.line for k, _ in node.value if hasattr(k, "value")
    }
    meta = {k if isinstance(k, str) else _yaml_repr(k): v for k, v in data.items()}
    return meta, key_lines, duplicate_key_problems(key, node, first_line)


def duplicate_key_problems(key: str, node: yaml.MappingNode, first_line: int) -> list[Problem]:
    """A warning for each setting written twice: YAML quietly keeps only the last one."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for name_node, _ in node.value:
        if not isinstance(name_node, yaml.ScalarNode):
            continue
        line = first_line + name_node.start_mark.line
        name = str(name_node.value)
        if name in seen:
            shown = _short(name)
            message = f"`{shown}` is set twice (first on line {seen[name]}); the last one is used"
            problems.append(warning(key, line, message))
        seen.setdefault(name, line)
    return problems


def yaml_problem(key: str, exc: yaml.MarkedYAMLError, first_line: int) -> Problem:
    """Point at where the broken construct starts (an unclosed `[`), not where YAML gave up."""
    problem = exc.problem or "unreadable"
    if exc.context and exc.context_mark is not None:
        line = first_line + exc.context_mark.line
        return error(key, line, f"front matter is not valid YAML: {problem} ({exc.context})")
    mark = exc.problem_mark
    line = first_line + (mark.line if mark is not None else 0)
    return error(key, line, f"front matter is not valid YAML: {problem}")


def parse_post(key: str, raw: bytes, zone: ZoneInfo) -> tuple[Post | None, list[Problem]]:
    """One post from its path and bytes; None when it has errors (all of them reported)."""
    text, problems = decode_source(key, raw)
    if text is None:
        return None, problems
    source, problems = split_source(key, text)
    if source is None:
        return None, problems
    fields = PostFields(key, source, zone)
    post = fields.post()
    deep = nesting_problems(key, source.body, source.body_line)
    return (None if deep else post), problems + fields.problems + deep


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


class PostFields:
    """Reads a post's fields out of its Source, collecting every problem on the way."""

    def __init__(self, key: str, source: Source, zone: ZoneInfo) -> None:
        self.key = key
        self.source = source
        self.zone = zone
        self.problems: list[Problem] = []
        self.stem = _stem(key)
        self.jekyll = _JEKYLL_NAME.match(self.stem)

    def has_errors(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    def line(self, name: str) -> int:
        return self.source.key_lines.get(name, 1)

    def fail(self, name: str, message: str) -> None:
        self.problems.append(error(self.key, self.line(name), message))

    def post(self) -> Post | None:
        lines = self.source.body.split("\n")
        lines, heading_title = self._title_heading(lines)
        promise, lines = self._promise(lines)
        title = self._text("title") or heading_title or _title_from_name(self.stem)
        when = self._date()
        slug = self._slug()
        tags = self._tags()
        draft = self._bool("draft")
        summary = self._text("summary")
        self.problems.extend(unknown_key_problems(self.key, self.source, POST_KEYS))
        if when is None or self.has_errors():
            return None
        return Post(
            key=self.key,
            title=title,
            date=when,
            slug=slug,
            tags=tags,
            draft=draft,
            summary=summary,
            body="\n".join(lines).strip("\n") + "\n",
            promise=promise,
            body_line=self._first_body_line(lines, heading_title is not None),
        )

    def _first_body_line(self, lines: list[str], heading_removed: bool) -> int:
        """The file line where the stripped body starts, past blank lines and the title."""
        leading = len(lines) - len("\n".join(lines).lstrip("\n").split("\n"))
        heading = 0
        if heading_removed:
            original = self.source.body.split("\n")
            heading = next(i for i, line in enumerate(original) if line.strip())
        skipped = 1 if heading_removed and heading <= leading else 0
        return self.source.body_line + leading + skipped

    def _title_heading(self, lines: list[str]) -> tuple[list[str], str | None]:
        """Without a title in the front matter, a first line `# Heading` is the title: it is
        taken out of the body and returned."""
        if "title" in self.source.meta:
            return lines, None
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            match = _H1.match(line)
            if match:
                return lines[:index] + lines[index + 1 :], match.group(1).strip()
            break
        return lines, None

    def _promise(self, lines: list[str]) -> tuple[Promise | None, list[str]]:
        meta = self.source.meta
        trailing = _trailing_next(lines)
        if trailing is not None:
            index, text, href = trailing
            body_promise: Promise | None = Promise(text, href, self._body_file_line(index, lines))
        else:
            body_promise, index = None, -1
        if "next" in meta:
            value = meta["next"]
            if value is None or value is False:
                return None, lines
            if not isinstance(value, str) or not value.strip():
                self.fail("next", "`next` must be the title of the next post, in quotes if needed")
                return None, lines
            text, href = _promise_parts(" ".join(value.split()))  # one line, as in the body
            lines = lines[:index] if trailing is not None else lines
            return Promise(text, href, self.line("next")), lines
        if body_promise is None:
            return None, lines
        return body_promise, lines[:index]

    def _body_file_line(self, index: int, lines: list[str]) -> int:
        """The file line of body line `index`, counting the title heading we removed."""
        original = self.source.body.split("\n")
        offset = len(original) - len(lines)
        return self.source.body_line + index + offset

    def _text(self, name: str) -> str | None:
        value = self.source.meta.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value.strip() or None
        self.fail(
            name,
            f"`{name}` must be text, not {_yaml_kind(value)}: put it in quotes, "
            f'like {name}: "{_yaml_repr(value)}"',
        )
        return None

    def _bool(self, name: str) -> bool:
        value = self.source.meta.get(name, False)
        if isinstance(value, bool):
            return value
        self.fail(name, f"`{name}` must be true or false, not {_yaml_kind(value)}")
        return False

    def _date(self) -> datetime | None:
        meta = self.source.meta
        if "date" in meta:
            parsed = parse_date(meta["date"], self.zone)
            if isinstance(parsed, str):
                self.fail("date", parsed)
                return None
            return parsed
        if self.jekyll:
            year, month, day, _ = self.jekyll.groups()
            parsed = parse_date(f"{year}-{month}-{day}", self.zone)
            if isinstance(parsed, str):
                self.problems.append(error(self.key, 1, f"the file name's date: {parsed}"))
                return None
            return parsed
        self.problems.append(
            error(
                self.key,
                1,
                "no date: add `date: YYYY-MM-DD` to the front matter or name the file "
                f"YYYY-MM-DD-{self.stem}.md",
            )
        )
        return None

    def _slug(self) -> str:
        given = self._text("slug")
        if given is not None:
            slug = slugify(given)
            if not slug:
                shown = _short(given)
                self.fail("slug", f'`slug` "{shown}" has no letters or digits to make a URL from')
            return slug or "post"
        name = self.jekyll.group(4) if self.jekyll else self.stem
        title = self.source.meta.get("title")
        # Not the path as a last candidate: "content/posts/🎉.md" would slug to
        # "content-posts-md", the same for every emoji-named post; the fallback hashes the name.
        return slug_or_fallback(name, title if isinstance(title, str) else "")

    def _tags(self) -> tuple[str, ...]:
        value = self.source.meta.get("tags")
        if value is None:
            return ()
        if isinstance(value, str):
            items: list[Any] = value.split(",")
        elif isinstance(value, list):
            items = value
        else:
            self.fail(
                "tags",
                f'`tags` must be a list like [travel, family] or text like "travel, family", '
                f"not {_yaml_kind(value)}",
            )
            return ()
        tags: list[str] = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.fail("tags", f"each tag must be a word or phrase, not {_yaml_kind(item)}")
                continue
            tag = " ".join(str(item).split())
            if tag and tag not in tags:
                tags.append(tag)
        return tuple(tags)


def parse_date(value: object, zone: ZoneInfo) -> datetime | str:
    """An aware datetime (naive values are in `zone`), or the problem as a message."""
    if isinstance(value, datetime):
        return in_year_range(value if value.tzinfo else value.replace(tzinfo=zone), str(value))
    if isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=zone)
        return in_year_range(moment, str(value))
    if not isinstance(value, str):
        return f"`date` must look like 2024-06-10 or 2024-06-10 08:30, not {_yaml_kind(value)}"
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        impossible = _impossible_day(text)
        if impossible is not None:
            return f'impossible date "{_short(text)}": {impossible}'
        zoned = _with_zone_name(text)
        if zoned is not None:
            return (
                f'`date` "{_short(text)}" names a time zone, which a date cannot hold: write '
                f"its offset instead, like {zoned} (a date without one is in the site's "
                "`timezone`)"
            )
        return f'`date` "{_short(text)}" is not a date: write it as 2024-06-10 or 2024-06-10 08:30'
    return in_year_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=zone), text)


def in_year_range(moment: datetime, text: str) -> datetime | str:
    """The moment, or why its year is refused: outside YEARS, a date cannot be placed in every
    time zone (year 1 or 9999 would overflow), and is almost always a typo (3024)."""
    if moment.year in YEARS:
        return moment
    return (
        f'`date` "{_short(text)}" is out of range: the year must be from '
        f"{YEARS.start} to {YEARS.stop - 1}"
    )


_ZONED = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?\s+([A-Za-z][\w/+-]*)$"
)


def _with_zone_name(text: str) -> str | None:
    """`2024-06-10 10:00 Europe/Paris` as `2024-06-10T10:00:00+02:00`; None when the text is
    not a date and time followed by the name of a known time zone."""
    match = _ZONED.match(text)
    if match is None:
        return None
    day, time, name = match.groups()
    hour, minutes = (time or "0:00").split(":", 1)
    try:
        zone = ZoneInfo(name)
        naive = datetime.fromisoformat(f"{day}T{int(hour):02d}:{minutes}")
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return naive.replace(tzinfo=zone).isoformat()


def _impossible_day(text: str) -> str | None:
    """Why a text that starts like 2024-02-30 names no real day; None when the day is fine (a
    badly written time such as "8:30" is a format problem, not an impossible date)."""
    if not _ISO_DAY.match(text):
        return None
    try:
        date.fromisoformat(text[:10])
    except ValueError as exc:
        return str(exc)
    return None


def _trailing_next(lines: list[str]) -> tuple[int, str, str | None] | None:
    for index in range(len(lines) - 1, -1, -1):
        if not lines[index].strip():
            continue
        match = _NEXT.match(lines[index])
        if match is None:
            return None
        text, href = _promise_parts(match.group("rest"))
        if not text.strip():  # "Next:" and blanks: no title, so no promise
            return None
        return index, text, href
    return None


def _promise_parts(rest: str) -> tuple[str, str | None]:
    link = _MD_LINK.match(rest)
    if link:
        return link.group("text").strip(), link.group("href")
    return rest, None


def _stem(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


def _title_from_name(stem: str) -> str:
    match = _JEKYLL_NAME.match(stem)
    words = (match.group(4) if match else stem).replace("-", " ").replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) if words else stem


def _yaml_kind(value: object) -> str:
    if isinstance(value, bool):
        return f"the true/false value {str(value).lower()}"
    if value is None:
        return "empty"
    if isinstance(value, int | float):
        return f"the number {_yaml_repr(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f'"{_yaml_repr(value)}"'


def _yaml_repr(value: object) -> str:
    """A value as a message shows it: short, and never a huge text (a list of aliases of
    aliases prints as gigabytes; a number of 5000 digits cannot be printed at all)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and value.bit_length() > 64:
        return "(a number too long to show)"
    if isinstance(value, list | dict | set | tuple):
        return "..."
    return _short(str(value))


def _short(text: str, limit: int = 80) -> str:
    """A value as a one-line message quotes it: blanks and line breaks made single spaces,
    and cut at `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- themes


def parse_theme(key: str, raw: bytes) -> tuple[Theme | None, list[Problem]]:
    text, problems = decode_source(key, raw)
    if text is None:
        return None, problems
    source, problems = split_source(key, text)
    if source is None:
        return None, problems
    problems = [*problems, *unknown_key_problems(key, source, THEME_KEYS)]
    stem = _stem(key)
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
        f"`word` must be text, not {_yaml_kind(value)}: put it in quotes, "
        f'like word: "{_yaml_repr(value)}"'
    )


# The settings a post's and a theme's front matter may hold. Another setting is kept for
# the writer's own use, but one written like a known setting is a typo: a warning says so
# (`darft: true` would otherwise publish a draft without a word).
POST_KEYS = ("title", "date", "tags", "slug", "draft", "summary", "next")
THEME_KEYS = ("word", "forms")
_TYPO_CUTOFF = 0.8  # difflib's ratio: "darft", "titel", "tag" match; "subtitle", "data" do not


def unknown_key_problems(key: str, source: Source, known: tuple[str, ...]) -> list[Problem]:
    """A warning at each setting that is not one of `known` but is written almost like one."""
    problems: list[Problem] = []
    for name in source.meta:
        if name in known:
            continue
        folded = name.casefold().strip()
        close = (
            [folded]
            if folded in known
            else difflib.get_close_matches(folded, known, n=1, cutoff=_TYPO_CUTOFF)
        )
        if close:
            message = f"unknown setting `{_short(name)}` is ignored: did you mean `{close[0]}`?"
            problems.append(warning(key, source.key_lines.get(name, 1), message))
    return problems


def duplicate_theme_problems(themes: list[Theme]) -> list[Problem]:
    first: dict[int, Theme] = {}
    problems: list[Problem] = []
    for theme in themes:
        if theme.year in first:
            problems.append(
                error(
                    theme.key,
                    1,
                    f"{theme.year} already has a theme in {first[theme.year].key}: "
                    "keep one file per year",
                )
            )
        else:
            first[theme.year] = theme
    return problems

"""A post's fields, read out of its front matter and body: title, date, slug, tags, draft,
summary and the "Next:" promise, each checked, with a problem at its line for each mistake.

`load.parse_post` puts them together into a Post; nothing here reads a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.core.problems import Problem, error, warning
from generator.core.text import slug_or_fallback, slugify, tag_slug, windows_reserved
from generator.pipeline.promise_line import DEFAULT_KEYWORD, PromiseLines, promise_parts
from generator.pipeline.source_text import Source, file_stem, short_text, yaml_kind, yaml_repr

_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_H1 = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Promise:
    """A "Next:" promise: the title (or slug) of the post that is to follow."""

    text: str
    href: str | None
    line: int
    keyword: str = DEFAULT_KEYWORD  # the journal's word for it (`next_keyword`), for messages


@dataclass(frozen=True)
class FieldLines:
    """The file lines of the fields whose problems the site graph finds (a URL taken twice,
    tags that share a URL), for its messages to point at."""

    url: int = 1  # the line that makes the post's URL: `slug:`, else `title:` or `date:`
    tags: tuple[int, ...] = ()  # the line of each tag, as the post's tags come


NO_LINES = FieldLines()


class PostFields:
    """Reads a post's fields out of its Source, collecting every problem on the way."""

    def __init__(
        self,
        key: str,
        source: Source,
        zone: ZoneInfo,
        years: range,
        promises: PromiseLines | None = None,
    ) -> None:
        self.key = key
        self.source = source
        self.zone = zone
        self.years = years  # the years a date may have
        self.promises = promises or PromiseLines()  # reads the "Next:" line
        self.problems: list[Problem] = []
        self.tag_lines: tuple[int, ...] = ()  # set by `tags()`
        self.stem = file_stem(key)
        self.jekyll = _JEKYLL_NAME.match(self.stem)

    def has_errors(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    def line(self, name: str) -> int:
        return self.source.key_lines.get(name, 1)

    def fail(self, name: str, message: str) -> None:
        self.problems.append(error(self.key, self.line(name), message))

    def first_body_line(self, lines: list[str], heading_removed: bool) -> int:
        """The file line where the stripped body starts, past blank lines and the title."""
        leading = len(lines) - len("\n".join(lines).lstrip("\n").split("\n"))
        line = self.source.body_line + leading
        if heading_removed:
            original = self.source.body.split("\n")
            heading = next(i for i, text in enumerate(original) if text.strip())
            if heading <= leading:
                line += 1
        return line

    def title_heading(self, lines: list[str]) -> tuple[list[str], str | None]:
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

    def promise(self, lines: list[str]) -> tuple[Promise | None, list[str]]:
        """The "Next:" promise (the `next` setting, else a last body line `Next: ...`), and
        the body lines without that last line."""
        keyword = self.promises.keyword
        index = _last_line(lines)
        trailing = None if index is None else self.promises.promise(lines[index])
        kept = lines if index is None or trailing is None else lines[:index]
        if "next" in self.source.meta:
            value = self.source.meta["next"]
            if value is None or value is False:
                return None, lines
            if not isinstance(value, str) or not value.strip():
                self.fail("next", "`next` must be the title of the next post, in quotes if needed")
                return None, lines
            written = promise_parts(" ".join(value.split()))  # one line, as in the body
            if not written.text:  # a link of blanks names nothing
                self.fail("next", "`next` must be the title of the next post, in quotes if needed")
                return None, lines
            return Promise(written.text, written.href, self.line("next"), keyword), kept
        if index is None:
            return None, lines
        removed = len(self.source.body.split("\n")) - len(lines)  # the title heading
        line = self.source.body_line + removed + index
        if trailing is None:
            above = next((text for text in reversed(lines[:index]) if text.strip()), "")
            why = self.promises.near_miss(lines[index], above)
            if why is not None:
                self.problems.append(warning(self.key, line, why))
            return None, lines
        return Promise(trailing.text, trailing.href, line, keyword), kept

    def text(self, name: str) -> str | None:
        value = self.source.meta.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value.strip() or None
        message = f"`{name}` must be text, not {yaml_kind(value)}: put it in quotes"
        self.fail(name, f'{message}, like {name}: "{yaml_repr(value)}"')
        return None

    def flag(self, name: str) -> bool:
        value = self.source.meta.get(name, False)
        if isinstance(value, bool):
            return value
        self.fail(name, f"`{name}` must be true or false, not {yaml_kind(value)}")
        return False

    def date(self) -> datetime | None:
        meta = self.source.meta
        if "date" in meta:
            parsed = parse_date(meta["date"], self.zone, self.years)
            if isinstance(parsed, str):
                self.fail("date", parsed)
                return None
            return parsed
        if self.jekyll:
            year, month, day, _ = self.jekyll.groups()
            parsed = parse_date(f"{year}-{month}-{day}", self.zone, self.years)
            if isinstance(parsed, str):
                self.problems.append(error(self.key, 1, f"the file name's date: {parsed}"))
                return None
            return parsed
        message = "no date: add `date: YYYY-MM-DD` to the front matter or name the file"
        self.problems.append(error(self.key, 1, f"{message} YYYY-MM-DD-{self.stem}.md"))
        return None

    def slug(self) -> str:
        given = self.text("slug")
        if given is not None:
            slug = slugify(given)
            if not slug:
                shown = short_text(given)
                self.fail("slug", f'`slug` "{shown}" has no letters or digits to make a URL from')
            slug = slug or "post"
        else:
            name = self.jekyll.group(4) if self.jekyll else self.stem
            title = self.source.meta.get("title")
            # Not the path as a last candidate: "content/posts/🎉.md" would slug to
            # "content-posts-md", the same for every emoji-named post; the fallback hashes it.
            slug = slug_or_fallback(name, title if isinstance(title, str) else "")
        if windows_reserved(slug):
            self.fail("slug", _reserved_message(f'the URL ends in "{slug}/"', "set `slug:`"))
        return slug

    def tags(self) -> tuple[str, ...]:
        value = self.source.meta.get("tags")
        if value is None:
            return ()
        if isinstance(value, str):
            items: list[Any] = value.split(",")
        elif isinstance(value, list):
            items = value
        else:
            message = '`tags` must be a list like [travel, family] or text like "travel, family"'
            self.fail("tags", f"{message}, not {yaml_kind(value)}")
            return ()
        tags: list[str] = []
        lines: list[int] = []
        item_lines = self.source.item_lines.get("tags", ())
        for index, item in enumerate(items):
            line = item_lines[index] if index < len(item_lines) else self.line("tags")
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                message = f"each tag must be a word or phrase, not {yaml_kind(item)}"
                self.problems.append(error(self.key, line, message))
                continue
            tag = " ".join(str(item).split())
            slug = tag_slug(tag) if tag else ""
            if windows_reserved(slug):
                where = f'tag "{tag}" has the URL tags/{slug}/'
                message = _reserved_message(where, "rename the tag")
                self.problems.append(error(self.key, line, message))
            elif tag and tag not in tags:
                tags.append(tag)
                lines.append(line)
        self.tag_lines = tuple(lines)
        return tuple(tags)

    def url_line(self) -> int:
        """The line that makes the post's URL: `slug:`, else the title when the file's name
        gives no slug, else `date:` (the URL's year); 1 when the file's name makes it all."""
        meta = self.source.meta
        if "slug" in meta:
            return self.line("slug")
        name = self.jekyll.group(4) if self.jekyll else self.stem
        if not slugify(name) and "title" in meta:
            return self.line("title")
        return self.line("date")


def parse_date(value: object, zone: ZoneInfo, years: range) -> datetime | str:
    """An aware datetime (naive values are in `zone`) in one of `years`, or the problem as a
    message. YAML's dates come as text (see source_text._Loader)."""
    if not isinstance(value, str):
        return f"`date` must look like 2024-06-10 or 2024-06-10 08:30, not {yaml_kind(value)}"
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        impossible = _impossible_day(text)
        if impossible is not None:
            return f'impossible date "{short_text(text)}": {impossible}'
        zoned = _with_zone_name(text)
        if zoned is not None:
            return (
                f'`date` "{short_text(text)}" names a time zone, which a date cannot hold: write '
                f"its offset instead, like {zoned} (a date without one is in the site's "
                "`timezone`)"
            )
        return (
            f'`date` "{short_text(text)}" is not a date: write it as 2024-06-10 or 2024-06-10 08:30'
        )
    # Outside `years` (`load.YEARS`), a date cannot be placed in every time zone (year 1 or
    # 9999 would overflow), and is almost always a typo (3024).
    if parsed.year not in years:
        return (
            f'`date` "{short_text(text)}" is out of range: the year must be from '
            f"{years.start} to {years.stop - 1}"
        )
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


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


def _last_line(lines: list[str]) -> int | None:
    """The index of the last line that is not blank; None when all are."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip():
            return index
    return None


def title_from_name(stem: str) -> str:
    """The title a file's name gives, without its date: "2024-06-10-long-walk" -> "Long walk"."""
    match = _JEKYLL_NAME.match(stem)
    words = (match.group(4) if match else stem).replace("-", " ").replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) if words else stem


def _reserved_message(what: str, fix: str) -> str:
    return (
        f"{what}, a folder name Windows refuses (CON, PRN, AUX, NUL, COM1-9, LPT1-9): the site "
        f"could not be checked out or unpacked there; {fix}"
    )

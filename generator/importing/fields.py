"""A source post's settings, read the way its generator read them, and written again the
way this journal reads them: title, date (the author's day kept), tags with the categories
joined in, draft, summary, old URLs; every other setting kept as it was."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from generator.core.problems import Problem, error, warning
from generator.importing.dates import WrittenDate, read_date
from generator.importing.records import FoundPost

# Settings read into the journal's own, and left out of the rest.
_READ = frozenset(
    {
        "title",
        "date",
        "tags",
        "tag",
        "categories",
        "category",
        "draft",
        "published",
        "status",
        "summary",
        "excerpt",
        "slug",
        "aliases",
        "redirect_from",
        "keywords",
    }
)
# Settings of the source generator that this journal would refuse as ways to keep a post
# back (source_text.FOREIGN_PUBLISHING_KEYS): kept under another name, for the record.
_RENAMED = {
    "publishdate": "original_publishdate",
    "publish_date": "original_publish_date",
    "expirydate": "original_expirydate",
    "expiry_date": "original_expiry_date",
}


@dataclass(frozen=True)
class Fields:
    """What the journal reads of a post, and the settings kept beside it."""

    title: str
    date: WrittenDate
    original_date: str | None  # the date as written, when it had a time zone
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    draft: bool
    summary: str | None
    aliases: tuple[str, ...]  # the source's own (`aliases:`, `redirect_from:`)
    slug: str  # the source's slug for its old URLs
    kept: Mapping[str, Any]  # every other setting


def read_fields(found: FoundPost, title_fallback: str) -> tuple[Fields | None, list[Problem]]:
    meta = found.header.meta
    lines = found.header.lines
    shown = found.shown
    problems: list[Problem] = []
    title = _text(meta.get("title")) or title_fallback
    written = None
    for key in ("date", "publishdate", "pubdate", "published"):
        if key in meta and not isinstance(meta[key], bool):
            written = read_date(meta[key])
            if written is None:
                message = f"`{key}: {_text(meta[key])}` is not a date this reads"
                problems.append(warning(shown, lines.get(key, 1), message + _fallback(found)))
            break
    if (
        written is not None
        and found.name_date is not None
        and written.wall.date() != found.name_date.wall.date()
    ):
        message = (
            f"the date {written.wall.date()} differs from the file name's "
            f"{found.name_date.wall.date()}: the front matter's is kept, as Jekyll does"
        )
        problems.append(warning(shown, lines.get("date", 1), message))
    written = written or found.name_date
    if written is None:
        message = (
            "no date, in the settings or the file name: add `date: YYYY-MM-DD` in the "
            "source and import again"
        )
        return None, [*problems, error(shown, 1, message)]
    categories = _names(meta.get("categories")) + _names(meta.get("category"))
    tags = _names(meta.get("tags")) + _names(meta.get("tag")) + _names(meta.get("keywords"))
    aliases = tuple(
        str(a)
        for a in (*_list(meta.get("aliases")), *_list(meta.get("redirect_from")))
        if isinstance(a, str) and a.strip()
    )
    slug = _text(meta.get("slug")) or found.name
    kept = {_RENAMED.get(k, k): _plain(v) for k, v in meta.items() if k not in _READ}
    return (
        Fields(
            title=title,
            date=written,
            original_date=_original(meta.get("date"), written),
            tags=_unique(categories + tags),
            categories=categories,
            draft=found.draft or _draft(meta),
            summary=_text(meta.get("summary")) or _text(meta.get("excerpt")),
            aliases=aliases,
            slug=slug,
            kept=kept,
        ),
        problems,
    )


def _fallback(found: FoundPost) -> str:
    if found.name_date is not None:
        return f": the file name's {found.name_date.wall.date()} is used"
    return ": write it as YYYY-MM-DD in the source and import again"


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | list | dict):
        return None
    text = " ".join(str(value).split())
    return text or None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _names(value: Any) -> tuple[str, ...]:
    """Tags or categories as a list, or as text "a, b" (Pelican), or one name."""
    names: list[str] = []
    for item in _list(value):
        if isinstance(item, str):
            names.extend(part.strip() for part in item.split(",") if part.strip())
        elif item is not None and not isinstance(item, bool | dict | list):
            names.append(str(item))
    return tuple(names)


def _unique(names: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


def _draft(meta: Mapping[str, Any]) -> bool:
    if meta.get("draft") is True or str(meta.get("draft", "")).lower() == "true":
        return True
    if meta.get("published") is False or str(meta.get("published", "")).lower() == "false":
        return True
    return str(meta.get("status", "")).strip().lower() in ("draft", "hidden")


def _original(value: Any, written: WrittenDate) -> str | None:
    if written.offset is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip() if value is not None else None


def _plain(value: Any) -> Any:
    """A setting's value as YAML writes it again: dates as text."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value

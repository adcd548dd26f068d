"""A post's date as its generator wrote it, read so that the post stays on the day its
author saw.

Jekyll, Hugo and Pelican accept many forms: `2016-09-21 23:30:00 -0400` (PyYAML leaves it
text), `2016-09-21T23:30:00-04:00`, `2020-12-2`, `21-09-2016`, `2016.09.21`, TOML's own
dates. The journal reads a date without an offset in its own time zone, and places a post
on the day of its date in that zone: so the import writes the author's wall-clock time
without the offset (`2016-09-21 23:30`), which keeps the post on the 21st wherever the
journal's zone is, and keeps the date as written in `original_date`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

_DATE = re.compile(
    r"""^\s*(?:
        (?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})
      | (?P<d2>\d{1,2})[-./](?P<m2>\d{1,2})[-./](?P<y2>\d{4})
    )
    (?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?)?
    \s*(?P<z>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?\s*$""",
    re.X | re.I,
)


@dataclass(frozen=True)
class WrittenDate:
    """A date as its author saw it: the wall-clock day and time, whether a time was given,
    and the offset it was written with, if any (e.g. "-04:00")."""

    wall: datetime  # naive
    has_time: bool
    offset: str | None

    def journal_text(self) -> str:
        """The date as this journal's front matter takes it, in the journal's zone."""
        if not self.has_time:
            return self.wall.strftime("%Y-%m-%d")
        if self.wall.second:
            return self.wall.strftime("%Y-%m-%d %H:%M:%S")
        return self.wall.strftime("%Y-%m-%d %H:%M")


def read_date(value: object) -> WrittenDate | None:
    """The date a front matter value gives; None when it is not one this reads."""
    if isinstance(value, datetime):
        offset = value.strftime("%z") if value.tzinfo is not None else ""
        written = f"{offset[:3]}:{offset[3:]}" if offset else None
        return WrittenDate(value.replace(tzinfo=None), True, written)
    if isinstance(value, date):
        return WrittenDate(datetime.combine(value, time()), False, None)
    if not isinstance(value, str):
        return None
    match = _DATE.match(value)
    if match is None:
        return None
    year = match.group("y") or match.group("y2")
    month = match.group("m") or match.group("m2")
    day = match.group("d") or match.group("d2")
    hour, minute, second = match.group("H"), match.group("M"), match.group("S")
    try:
        wall = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    return WrittenDate(wall, hour is not None, _offset(match.group("z")))


def _offset(zone: str | None) -> str | None:
    if zone is None:
        return None
    if zone.upper() in ("Z", "UTC", "GMT"):
        return "+00:00"
    digits = zone[1:].replace(":", "")
    digits = digits if len(digits) == 4 else digits + "00"
    return f"{zone[0]}{digits[:2]}:{digits[2:]}"


_NAME_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[-_]?(.*)$")
_PELICAN_NAME = re.compile(r"^(\d{2})(\d{2})(\d{2})[-_](.+)$")  # 160508-name (fullstackpython)


def name_date(stem: str) -> tuple[WrittenDate | None, str]:
    """The date a file's name starts with (`2016-09-21-title`), and the rest of the name."""
    match = _NAME_DATE.match(stem)
    if match is not None:
        found = read_date(f"{match.group(1)}-{match.group(2)}-{match.group(3)}")
        if found is not None:
            return found, match.group(4) or stem
    return None, stem


def short_name_date(stem: str) -> tuple[WrittenDate | None, str]:
    """`160508-title`: a YYMMDD date before the name, as some Pelican blogs name posts."""
    match = _PELICAN_NAME.match(stem)
    if match is None:
        return name_date(stem)
    found = read_date(f"20{match.group(1)}-{match.group(2)}-{match.group(3)}")
    return (found, match.group(4)) if found is not None else (None, stem)

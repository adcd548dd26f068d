"""The journal's language in a build: dates, month and weekday names and numbers written by
Babel in the locale of journal.toml's `language`, and the theme's own words ("min read",
"Archive", "Newer"...) from its gettext catalogs, templates/locales/<language>.po, read with
Babel, for the views here and for the templates in phrases.py.

English (`language = "en"`, the default) writes dates the theme's own way, "3 June 2024";
any other locale writes them as its readers do: "3. Juni 2024", "June 3, 2024" for en_US.
Feeds and sitemaps keep machine dates (ISO 8601 / RFC 3339), in no language.

Babel takes some ten microseconds to write a date: each distinct day is written once per
process and pattern (`_written` caches a pure function of strings and dates, and keeps
strings), and numbers of 100 and more likewise. A catalog is compiled once per version of its
file (`_compiled`, bytes); each build makes its own `Language`, which holds the translations
read from those bytes.
"""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import (
    format_date,
    format_interval,
    get_day_names,
    get_month_names,
    match_skeleton,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from generator.core.locales import DEFAULT_LANGUAGE, language_tag, parse_language

CATALOG_SUFFIX = ".po"


@dataclass(frozen=True)
class RangeStyle:
    """How a span of days is written when not in the locale's own way: the pattern of its
    first day within one month ("4–6 March 2024") and within one year ("30 March – 2 April
    2024"), and what stands between its two days in each case. The last day is written
    whole."""

    in_month: str
    in_year: str
    month_dash: str
    dash: str


@dataclass(frozen=True)
class DateStyle:
    """Babel date patterns: a day as posts show it, a day with its weekday (the calendar), a
    day without its year; and spans of days (`ranges`; None: the locale's own)."""

    day: str
    weekday_day: str
    day_month: str
    ranges: RangeStyle | None


# The theme's English: day, month, year, as it has always written them.
THEME_ENGLISH = DateStyle(
    day="d MMMM y",  # 3 June 2024
    weekday_day="EEEE d MMMM y",  # Monday 3 June 2024
    day_month="d MMMM",  # 3 June
    ranges=RangeStyle(in_month="d", in_year="d MMMM", month_dash="–", dash=" – "),
)
_INTERVAL_SKELETON = "yMMMMd"
_DAY_MONTH_SKELETON = "MMMMd"


def locale_style(locale: Locale) -> DateStyle:
    """A locale's own way of writing days (its long and full date formats)."""
    long_day = locale.date_formats["long"].pattern
    skeletons = locale.datetime_skeletons
    day_month = match_skeleton(_DAY_MONTH_SKELETON, skeletons)
    return DateStyle(
        day=long_day,
        weekday_day=locale.date_formats["full"].pattern,
        day_month=skeletons[day_month].pattern if day_month else long_day,
        ranges=None,
    )


@lru_cache(maxsize=64)
def date_style(code: str) -> DateStyle:
    """The style of the locale `code` ("en", "de_AT"): the theme's own for plain English."""
    if code == DEFAULT_LANGUAGE:
        return THEME_ENGLISH
    return locale_style(Locale.parse(code))


@lru_cache(maxsize=1 << 15)
def _written(code: str, pattern: str, day: dt.date) -> str:
    return format_date(day, pattern, locale=code)


@lru_cache(maxsize=1 << 12)
def _decimal(code: str, value: int) -> str:
    return format_decimal(value, locale=code)  # (digits 0-9 in every locale: "latn")


def catalog_names(code: str) -> tuple[str, ...]:
    """The catalogs that may hold a locale's words, most specific first:
    zh_Hant_TW -> zh_Hant_TW, zh_Hant, zh."""
    parts = code.split("_")
    return tuple("_".join(parts[:n]) for n in range(len(parts), 0, -1))


def _catalog(path: Path) -> bytes:
    """The catalog at `path` compiled (as a .mo file's bytes); empty when there is none."""
    try:
        status = path.stat()
    except OSError:
        return b""
    return _compiled(path, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=64)
def _compiled(path: Path, mtime_ns: int, size: int) -> bytes:
    """`_catalog`, once per version of the file (its time and size)."""
    with path.open("rb") as po:
        catalog = read_po(po, locale=path.stem)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


def translations(catalogs: Path, code: str) -> gettext.NullTranslations:
    """The theme's words in the locale `code`, from the .po files in `catalogs`: a region's
    own catalog first (de_AT.po), then its language's (de.po); English as written, where
    none has a message."""
    found: gettext.NullTranslations = gettext.NullTranslations()
    for name in reversed(catalog_names(code)):
        data = _catalog(catalogs / f"{name}{CATALOG_SUFFIX}")
        if data:
            specific = Translations(BytesIO(data))
            specific.add_fallback(found)
            found = specific
    return found


def _filled(text: str, english: str, values: dict[str, object]) -> str:
    """`text % values`; the English, if the translation is not a valid format string."""
    try:
        return text % values
    except (ValueError, TypeError, KeyError):
        return english % values


def _day(moment: dt.date) -> dt.date:
    """The day of a date or a datetime (one cache entry a day, whatever the time)."""
    return moment.date() if isinstance(moment, dt.datetime) else moment


class Language:
    """The journal's language in one build: days, months, weekdays and numbers in words, and
    the theme's words (`gettext`, `ngettext`). A setting Babel does not know (reported with
    the settings) is English here. `catalogs`: the folder of the theme's .po files."""

    def __init__(self, setting: str, catalogs: Path) -> None:
        self.locale = parse_language(setting) or Locale.parse(DEFAULT_LANGUAGE)
        self.code = str(self.locale)  # "de_AT"
        self.tag = language_tag(self.locale)  # "de-AT", for <html lang>
        self.style = date_style(self.code)
        self.words = translations(catalogs, self.code)

    # ------------------------------------------------------------ words

    def gettext(self, message: str, **values: object) -> str:
        """The message in the journal's language, its `%(name)s` filled with `values` (as in
        the templates, a message is always a format string: a % sign is written %%)."""
        return _filled(self.words.gettext(message), message, values)

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """`gettext` of the form for `count`, whose `%(num)s` is `count` written as the
        language writes numbers ("1,204 words"), unless `values` gives another."""
        english = singular if count == 1 else plural
        values = {"num": self.number(count), **values}
        return _filled(self.words.ngettext(singular, plural, count), english, values)

    def number(self, value: int) -> str:
        """1,234 in English, 1.234 in German."""
        return str(value) if 0 <= value < 100 else _decimal(self.code, value)

    @property
    def catalogued(self) -> bool:
        """Whether a catalog holds the theme's words in this language (else: English)."""
        return type(self.words) is not gettext.NullTranslations

    # ------------------------------------------------------------ dates

    def date(self, day: dt.date) -> str:
        """3 June 2024; 3. Juni 2024."""
        return _written(self.code, self.style.day, _day(day))

    def weekday_date(self, day: dt.date) -> str:
        """Monday 3 June 2024; Montag, 3. Juni 2024."""
        return _written(self.code, self.style.weekday_day, _day(day))

    def day_month(self, day: dt.date) -> str:
        """3 June; 3. Juni."""
        return _written(self.code, self.style.day_month, _day(day))

    def day_range(self, first: dt.date | None, last: dt.date | None) -> str:
        """4 March 2024; 4–6 March 2024; 30 March – 2 April 2024; empty without days."""
        if first is None or last is None:
            return ""
        first, last = _day(first), _day(last)
        if first == last:
            return self.date(first)
        ranges = self.style.ranges
        if ranges is None:
            return format_interval(first, last, _INTERVAL_SKELETON, locale=self.locale)
        if (first.year, first.month) == (last.year, last.month):
            start, dash = _written(self.code, ranges.in_month, first), ranges.month_dash
        elif first.year == last.year:
            start, dash = _written(self.code, ranges.in_year, first), ranges.dash
        else:
            start, dash = self.date(first), ranges.dash
        return f"{start}{dash}{self.date(last)}"

    def month(self, month: int) -> str:
        """A month's name as a heading: June; Juni."""
        return str(get_month_names("wide", "stand-alone", self.locale)[month])

    def month_abbr(self, month: int) -> str:
        """Jun; Jun (a label of the calendar)."""
        return str(get_month_names("abbreviated", "stand-alone", self.locale)[month])

    def weekday_abbr(self, weekday: int) -> str:
        """Mon; Mo (Monday is 0, as `date.weekday()` counts)."""
        return str(get_day_names("abbreviated", "stand-alone", self.locale)[weekday])

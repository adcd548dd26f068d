"""The journal's language (journal.toml's `language`): any locale Babel knows, written as
"de", "de_AT" or "de-AT". A name Babel does not know is a mistake reported at its line with
the names it is close to, never a silent fall back to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from difflib import SequenceMatcher
from functools import lru_cache
from types import MappingProxyType

from babel import Locale, UnknownLocaleError
from babel.localedata import locale_identifiers

DEFAULT_LANGUAGE = "en"
_EXAMPLES = '"en", "de", "fr" or "pt_BR"'


def parse_language(name: str) -> Locale | None:
    """The Babel locale of a `language` setting, or None when Babel knows no such locale."""
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def is_english(name: str) -> bool:
    """Whether a `language` setting is English (any region; an unknown name counts as the
    default, English)."""
    locale = parse_language(name)
    return locale is None or locale.language == DEFAULT_LANGUAGE


def language_tag(locale: Locale) -> str:
    """The locale as HTML's `lang` and Atom's `xml:lang` write it (BCP 47): "de-AT"."""
    parts = (locale.language, locale.script, locale.territory, locale.variant)
    return "-".join(part for part in parts if part)


def language_problem(name: str) -> str | None:
    """What is wrong with a `language` setting, with the likely fix; None if Babel knows it."""
    if parse_language(name) is not None:
        return None
    if not name.strip():
        return f"`language` is empty: write a language code such as {_EXAMPLES}"
    guesses = " or ".join(f'"{guess}"' for guess in _guesses(name.strip()))
    meant = f" (did you mean {guesses}?)" if guesses else ""
    return (
        f'`language` "{name}" is not a language Babel knows{meant}: '
        f"write a language code such as {_EXAMPLES}"
    )


def _guesses(name: str) -> list[str]:
    """The codes a mistaken name most likely meant: the code of a language named in English
    ("German" -> "de"), the known language of an unknown region ("de_XX" -> "de"), else the
    codes and names written closest to it ("dee" -> "de", "Frnch" -> "fr")."""
    folded = name.replace("-", "_").casefold()
    by_name = _codes_by_name()
    if folded in by_name:
        return [by_name[folded]]
    language = folded.split("_", 1)[0]
    if language != folded and parse_language(language) is not None:
        return [language]
    codes = {code.casefold(): code for code in _known_codes() if ("_" in code) == ("_" in folded)}
    scored = [(_likeness(folded, code), codes[code]) for code in codes]
    scored += [(_likeness(folded, written), code) for written, code in by_name.items()]
    best = sorted((-score, code) for score, code in scored if score >= _CLOSE)
    return list(dict.fromkeys(code for _, code in best))[:_GUESSES]


_CLOSE = 0.6  # as difflib.get_close_matches
_GUESSES = 3


def _likeness(one: str, other: str) -> float:
    return SequenceMatcher(None, one, other).ratio()


@lru_cache(maxsize=1)
def _known_codes() -> tuple[str, ...]:
    return tuple(sorted(locale_identifiers()))


@lru_cache(maxsize=1)
def _codes_by_name() -> Mapping[str, str]:
    """English name of a language, case folded -> its code, for the languages Babel has."""
    known = set(_known_codes())
    names = Locale.parse(DEFAULT_LANGUAGE).languages
    return MappingProxyType(
        {name.casefold(): code for code, name in sorted(names.items()) if code in known}
    )

"""journal.toml -> a frozen Config. Every setting has a default; bad values are problems."""

from __future__ import annotations

import difflib
import importlib.util
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.core.locales import language_problem
from generator.core.problems import Problem, error, warning
from generator.core.text import quoted

CONFIG_NAME = "journal.toml"
MARKDOWN_ENGINES = ("python-markdown", "commonmark")


@dataclass(frozen=True)
class Config:
    """Site settings. `base_url` always ends with a slash."""

    title: str = "My journal"
    author: str = ""
    description: str = ""
    base_url: str = "http://127.0.0.1:8000/"
    timezone: str = "UTC"
    language: str = "en"
    posts_per_page: int = 10
    cname: str = ""
    show_promises: bool = False  # the home page's "Coming next" list of open promises
    feed_full_posts: int = 20  # the newest posts each feed carries in full; older: summaries
    books: bool = False  # each year's EPUB in the site (/books/YEAR.epub), linked from its page
    # The word that starts a post's last line to promise the next post ("Next: Title"),
    # and that the theme shows before a promise.
    next_keyword: str = "Next"
    # The Markdown engine (MARKDOWN_ENGINES): Python-Markdown, or pyromark's CommonMark.
    markdown: str = "python-markdown"

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. "/journal/" for https://user.github.io/journal/."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_TYPES: Mapping[str, type] = MappingProxyType(
    {f.name: type(getattr(Config(), f.name)) for f in fields(Config)}
)


def normalize_base_url(url: str) -> str | None:
    """The URL with a trailing slash, or None when it is not an absolute http(s) URL."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url if url.endswith("/") else url + "/"


def line_of_key(text: str, key: str) -> int:
    """The line where `key = ...` stands in a TOML text (1 when not found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.split("=", 1)[0].strip() == key:
            return number
    return 1


def config_from_mapping(data: dict[str, Any], text: str = "") -> tuple[Config, list[Problem]]:
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = line_of_key(text, key)
        expected = _TYPES.get(key)
        if expected is None:
            known = ", ".join(sorted(_TYPES))
            problems.append(warning(CONFIG_NAME, line, f"unknown setting `{key}` (known: {known})"))
            continue
        if type(value) is not expected:
            problems.append(
                error(
                    CONFIG_NAME,
                    line,
                    f"`{key}` must be {_kind_name(expected)}, not {_kind_name(type(value))}: "
                    f"write it as {key} = {_example(expected)}",
                )
            )
            continue
        values[key] = value
    return checked_config(replace(Config(), **values), text, problems)


def _kind_name(kind: type) -> str:
    """How a TOML value's type is named in messages (users write TOML, not Python)."""
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}
    return names.get(kind, "a table or list" if kind in (dict, list) else kind.__name__)


def _example(kind: type) -> str:
    return {str: '"text"', int: "10", bool: "true"}.get(kind, "...")


def checked_config(
    config: Config, text: str, problems: list[Problem]
) -> tuple[Config, list[Problem]]:
    """The config with each bad value reported and replaced by its default, so later stages
    can still run and report their own problems."""
    bad: dict[str, str] = {}  # setting -> what is wrong with its value
    base = normalize_base_url(config.base_url)
    if base is None:
        bad["base_url"] = (
            f"`base_url` must be an absolute http(s) URL such as "
            f'"https://example.org/journal/", not "{config.base_url}"'
        )
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        bad["timezone"] = (
            f'`timezone` "{config.timezone}" is not a known time zone: use a name such as '
            '"UTC", "Europe/Paris" or "Asia/Singapore"'
        )
    if config.posts_per_page < 1:
        bad["posts_per_page"] = "`posts_per_page` must be 1 or more"
    if config.feed_full_posts < 0:
        bad["feed_full_posts"] = "`feed_full_posts` must be 0 (summaries only) or more"
    keyword = config.next_keyword.strip()
    if not _KEYWORD.fullmatch(keyword):
        bad["next_keyword"] = _keyword_problem(keyword)
    elif keyword != config.next_keyword:
        config = replace(config, next_keyword=keyword)
    if (unknown_language := language_problem(config.language)) is not None:
        bad["language"] = unknown_language
    if (engine_problem := markdown_problem(config.markdown)) is not None:
        bad["markdown"] = engine_problem
    problems.extend(error(CONFIG_NAME, line_of_key(text, key), why) for key, why in bad.items())
    # The base_url with its trailing slash, and each bad setting's default (a bad base_url's too).
    defaults = {key: getattr(Config, key) for key in bad}
    return replace(config, **{"base_url": base, **defaults}), problems


# One word of letters or digits (hyphens inside): "Next", "Weiter", "Suivant", "Далее", "次".
_KEYWORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _keyword_problem(keyword: str) -> str:
    example = 'next_keyword = "Weiter" (a post whose last line is `Weiter: Title` then promises it)'
    if ":" in keyword:
        word = keyword.replace(":", "").strip()
        return f'`next_keyword` is written without its colon: write next_keyword = "{word}"'
    if not keyword:
        return f"`next_keyword` is empty: write one word, like {example}"
    return f'`next_keyword` "{keyword}" must be one word, without spaces or signs: write {example}'


def markdown_problem(engine: str) -> str | None:
    """What is wrong with choosing the Markdown engine `engine`, or None."""
    if engine not in MARKDOWN_ENGINES:
        close = difflib.get_close_matches(engine.lower(), MARKDOWN_ENGINES, n=1, cutoff=0.5)
        meant = f" (did you mean {quoted(close[0])}?)" if close else ""
        known = " or ".join(f"markdown = {quoted(name)}" for name in MARKDOWN_ENGINES)
        return f"`markdown` {quoted(engine)} is not a Markdown engine{meant}: write {known}"
    if engine == "commonmark" and importlib.util.find_spec("pyromark") is None:
        return 'markdown = "commonmark" needs pyromark: pip install pyromark'
    return None


def with_markdown(config: Config, engine: str | None) -> Config:
    """The config with the engine chosen on the command line (`--markdown`), if any."""
    if engine is None:
        return config
    problem = markdown_problem(engine)
    if problem is not None:
        raise ValueError(problem.replace('markdown = "commonmark"', "--markdown commonmark"))
    return replace(config, markdown=engine)


def missing_config(root: Path) -> str:
    """What to say when `root` has no journal.toml."""
    return (
        f"no {CONFIG_NAME} in {root}: run `journal init {root}` to start a journal, "
        "or pass --root with the journal's folder"
    )


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read root/journal.toml; a missing or broken file is a problem, with defaults returned."""
    path = root / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Config(), [error(CONFIG_NAME, 1, missing_config(root))]
    except (OSError, UnicodeDecodeError) as exc:
        return Config(), [error(CONFIG_NAME, 1, f"cannot read the settings: {exc}")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        lines = text.splitlines()
        hint = toml_hint(str(exc), lines[line - 1] if 0 < line <= len(lines) else "")
        message = f"not valid TOML: {exc}"
        return Config(), [error(CONFIG_NAME, line, f"{message}: {hint}" if hint else message)]
    return config_from_mapping(data, text)


def _line_from_message(message: str) -> int:
    marker = "line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",")[0].split(")")[0]
        if digits.isdigit():
            return int(digits)
    return 1


def with_base_url(config: Config, base_url: str | None) -> Config:
    if not base_url:
        return config
    normalized = normalize_base_url(base_url)
    if normalized is None:
        raise ValueError(f"--base-url must be an absolute http(s) URL, not {base_url!r}")
    return replace(config, base_url=normalized)


@dataclass(frozen=True)
class BuildOptions:
    """What to include in a build. `now` decides which posts are in the future; the CLI passes
    the clock, tests pass a fixed time, so output never depends on when a test runs."""

    drafts: bool = False
    future: bool = False
    now: datetime | None = None

    def __post_init__(self) -> None:
        # A naive `now` is local time, as Python reads naive datetimes; made aware here so
        # that every comparison with the posts' (aware) dates works and agrees.
        if self.now is not None and self.now.tzinfo is None:
            object.__setattr__(self, "now", self.now.astimezone())


# ---------------------------------------------------------------- TOML's errors, explained

_TOML_SETTING = re.compile(r"^\s*(?P<key>[A-Za-z0-9_-]+)\s*(?P<sign>[=:])\s*(?P<value>.*?)\s*$")


def toml_hint(problem: str, line: str) -> str:
    """The likely fix of a TOML error on `line`, or "" when none is likely."""
    setting = _TOML_SETTING.match(line)
    if setting is None:
        return ""
    key, value = setting.group("key"), setting.group("value")
    if setting.group("sign") == ":":
        return f"settings are written with `=`, not `:`: {key} = {value or '...'}"
    if "Cannot overwrite" in problem or "Cannot declare" in problem:
        return f"`{key}` is set twice: keep one of the two lines"
    if value in ("True", "False", "yes", "no", "on", "off", "Yes", "No"):
        meant = "true" if value.lower() in ("true", "yes", "on") else "false"
        return f"true and false are written in lower case, without quotes: {key} = {meant}"
    if value[:1] in ('"', "'"):
        if value.count(value[0]) < 2:
            return f"the quote that opens the value is not closed: end it with {value[0]}"
        inner = value[1:-1] if value.endswith(value[0]) else value[1:]
        return f"text is written in one pair of quotes: {key} = {quoted(inner)}"
    if "Invalid value" not in problem and "Expected newline" not in problem:
        return ""
    kind = _TYPES.get(key, str)
    if kind is not str:
        return f"write {_kind_name(kind)} alone: {key} = {_example(kind)}"
    return f"text is written in quotes: {key} = {quoted(value)}"

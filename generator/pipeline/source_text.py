"""A source file's bytes as text, split into its front matter settings and its body.

What posts and themes share before their own fields are read (`load.parse_post`,
`load.parse_theme`): decoding UTF-8, splitting off the YAML front matter with each setting's
line, and the warnings about settings written twice or misspelt. Pure functions of (path,
bytes); `Unreadable` is how `load.read_bytes` hands over a file it could not read.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.core.problems import Problem, error, warning
from generator.pipeline.yaml_hints import silent_surprises, yaml_error

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S | re.M)
# Characters XML 1.0 forbids (feeds and the sitemap would stop being XML) and that HTML
# reports as errors: every C0 control but tab and line ends, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Unreadable(bytes):
    """What `load.read_bytes` gives for a file it could not read: no bytes, and the reason, which
    the parsers report (`decode_source`) rather than take the file for an empty one."""

    reason: str

    def __new__(cls, reason: str) -> Unreadable:
        made = super().__new__(cls, b"")
        made.reason = reason
        return made


def unreadable_problem(key: str, raw: bytes) -> Problem | None:
    if isinstance(raw, Unreadable):
        return error(key, 1, f"cannot read this file: {raw.reason}")
    return None


def decode_source(key: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (BOM dropped, line ends made \\n), or a problem at the bad byte's line."""
    unreadable = unreadable_problem(key, raw)
    if unreadable is not None:
        return None, [unreadable]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        return None, [error(key, line, f"{message}: save the file as UTF-8")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [error(key, line, "this is not a text file (it has NUL bytes)")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = _CONTROL.search(text)
    if found is None:
        return text, []
    line = text[: found.start()].count("\n") + 1
    return _CONTROL.sub("", text), [warning(key, line, _removed(_CONTROL.findall(text)))]


def _removed(controls: list[str]) -> str:
    """The warning for control characters removed from a file or a setting."""
    names = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(controls)))
    many = len(controls) > 1
    what = f"{len(controls)} control characters" if many else "a control character"
    fix = "them" if many else "it"
    return f"removed {what} ({names}), which no page or feed may hold: delete {fix} here"


def _without_controls(key: str, value: Any, line: int, problems: list[Problem]) -> Any:
    """A setting's value with control characters (a YAML escape such as "\\0" or "\\e"
    makes them) removed from its text, or from the texts of its list (tags), with a warning
    at its line. Nothing deeper is looked at: no setting read deeper is shown, and YAML
    aliases can nest a list in itself a billion times over."""
    if isinstance(value, list):
        texts = [item for item in value if isinstance(item, str) and _CONTROL.search(item)]
        if not texts:
            return value
        problems.append(warning(key, line, _removed(_CONTROL.findall("".join(texts)))))
        return [_CONTROL.sub("", item) if isinstance(item, str) else item for item in value]
    if isinstance(value, str) and _CONTROL.search(value):
        problems.append(warning(key, line, _removed(_CONTROL.findall(value))))
        return _CONTROL.sub("", value)
    return value


@dataclass(frozen=True)
class Source:
    """A file split into its front matter and body, with line numbers kept."""

    meta: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int  # the file line of the body's first line
    # The file line of each item of a setting written as a list (`tags`, item by item).
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML that leaves dates as text, so that an impossible date gets our own message."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def read_source(key: str, raw: bytes) -> tuple[Source | None, list[Problem]]:
    """The file's bytes as text (`decode_source`), split into front matter and body."""
    text, decoded = decode_source(key, raw)
    if text is None:
        return None, decoded
    match = _FRONT_MATTER.match(text)
    if match is None:
        if text.startswith("---\n"):
            message = "front matter is not closed: add a line `---` after the settings"
            return None, [*decoded, error(key, 1, message)]
        return Source({}, {}, text, 1), decoded
    body_line = text[: match.end()].count("\n") + 1
    parsed, problems = parse_yaml(key, match.group(1), first_line=2)
    problems = [*decoded, *problems]
    if parsed is None:
        return None, problems
    key_lines = parsed.key_lines
    meta = {
        name: _without_controls(key, value, key_lines.get(name, 2), problems)
        for name, value in parsed.meta.items()
    }
    return Source(meta, key_lines, text[match.end() :], body_line, parsed.item_lines), problems


@dataclass(frozen=True)
class FrontMatter:
    """Front matter read: its settings, the file line of each, and of each item of those
    written as lists."""

    meta: dict[str, Any]
    key_lines: dict[str, int]
    item_lines: dict[str, tuple[int, ...]]


_EMPTY = FrontMatter({}, {}, {})


def parse_yaml(key: str, fm_text: str, first_line: int) -> tuple[FrontMatter | None, list[Problem]]:
    """The front matter's settings (None when it cannot be read), and its problems; lines
    are counted from `first_line`, the file line of the text's first line."""
    loader = _Loader(fm_text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        return None, [yaml_error(key, exc, fm_text, first_line)]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (no mark)
        line = first_line + fm_text[: exc.position].count("\n")
        message = f"front matter holds the character U+{exc.character:04X}, which YAML forbids"
        return None, [error(key, line, f"{message}: remove it")]
    except yaml.YAMLError as exc:
        what = " ".join(str(exc).split())
        return None, [error(key, first_line, f"front matter is not valid YAML: {what}")]
    except (ValueError, OverflowError, RecursionError, IndexError, KeyError, TypeError):
        # PyYAML's own constructors fail this way on int("1" * 5000), `!!float` with no
        # value, `!!bool maybe` and the like.
        message = (
            "front matter has a value YAML cannot turn into what it says it is "
            "(a number of thousands of digits, or a tag such as !!float or !!bool on "
            "something else)"
        )
        return None, [error(key, first_line, f"{message}: put the value in quotes")]
    finally:
        loader.dispose()
    if data is None:
        return _EMPTY, []
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        message = "front matter must be `key: value` lines, like `title: My post`"
        return None, [error(key, first_line, message)]
    key_lines = {
        str(k.value): first_line + k.start_mark.line for k, _ in node.value if hasattr(k, "value")
    }
    item_lines = {  # (not of a list written elsewhere and named by an alias: `tags: *i`)
        str(k.value): tuple(first_line + item.start_mark.line for item in v.value)
        for k, v in node.value
        if hasattr(k, "value")
        and isinstance(v, yaml.SequenceNode)
        and v.start_mark.line >= k.start_mark.line
    }
    meta = {k if isinstance(k, str) else yaml_repr(k): v for k, v in data.items()}
    problems = duplicate_key_problems(key, node, first_line)
    problems += silent_surprises(key, fm_text, first_line)
    return FrontMatter(meta, key_lines, item_lines), problems


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
            shown = short_text(name)
            message = f"`{shown}` is set twice (first on line {seen[name]}); the last one is used"
            problems.append(warning(key, line, message))
        seen.setdefault(name, line)
    return problems


# The settings a post's and a theme's front matter may hold. Another setting is kept for
# the writer's own use, but one written like a known setting is a typo: a warning says so
# (`darft: true` would otherwise publish a draft without a word).
POST_KEYS = (
    *("title", "date", "tags", "slug", "draft", "summary", "next"),
    *("aliases", "redirect_from"),  # old URLs, answered by redirect pages (aliases.py)
)
THEME_KEYS = ("word", "forms")
_TYPO_CUTOFF = 0.8  # difflib's ratio: "darft", "titel", "tag" match; "subtitle", "data" do not


# The settings of a post that decide whether it is published: one of them misspelt ("Draft",
# "drafft") would publish a post its writer meant to keep back.
DECIDING_KEYS = ("draft", "date")
# What other generators read to keep a post back (Jekyll's `published: false`, Pelican's
# `Status: draft`, Hugo's `publishDate` and `expiryDate`), which this journal does not.
FOREIGN_PUBLISHING_KEYS = frozenset(
    {"published", "status", "publishdate", "publish_date", "expirydate", "expiry_date"}
)


def unknown_key_problems(
    key: str, source: Source, known: tuple[str, ...], deciding: tuple[str, ...] = ()
) -> list[Problem]:
    """A warning at each setting that is not one of `known` but is written almost like one;
    an error when it is written almost like one of `deciding` (the settings that keep a post
    back), or is another generator's way to keep a post back: the post is not published by
    mistake."""
    problems: list[Problem] = []
    for name in source.meta:
        if name in known:
            continue
        folded = name.casefold().strip()
        line = source.key_lines.get(name, 1)
        shown = short_text(name)
        if deciding and folded.replace("-", "_") in FOREIGN_PUBLISHING_KEYS:
            message = (
                f"`{shown}` is not read here: a post is published unless it has `draft: true` "
                f"(or a date still to come); write `draft: true` to keep it back, and remove "
                f"`{shown}`"
            )
            problems.append(error(key, line, message))
            continue
        close = (
            [folded]
            if folded in known
            else difflib.get_close_matches(folded, known, n=1, cutoff=_TYPO_CUTOFF)
        )
        if close and close[0] in deciding:
            message = (
                f"unknown setting `{shown}` would be ignored, and it decides whether this post "
                f"is published: did you mean `{close[0]}`?"
            )
            problems.append(error(key, line, message))
        elif close:
            message = f"unknown setting `{shown}` is ignored: did you mean `{close[0]}`?"
            problems.append(warning(key, line, message))
    return problems


def file_stem(key: str) -> str:
    """The file's name without its folder and suffix ("content/themes/2024.md" -> "2024")."""
    name = key.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


def yaml_kind(value: object) -> str:
    """What a setting's value is, in words, for a message that refuses it."""
    if isinstance(value, bool):
        return f"the true/false value {str(value).lower()}"
    if value is None:
        return "empty"
    if isinstance(value, int | float):
        return f"the number {yaml_repr(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f'"{yaml_repr(value)}"'


def yaml_repr(value: object) -> str:
    """A value as a message shows it: short, and never a huge text (a list of aliases of
    aliases prints as gigabytes; a number of 5000 digits cannot be printed at all)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and value.bit_length() > 64:
        return "(a number too long to show)"
    if isinstance(value, list | dict | set | tuple):
        return "..."
    return short_text(str(value))


def short_text(text: str, limit: int = 80) -> str:
    """A value as a one-line message quotes it: blanks and line breaks made single spaces,
    and cut at `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

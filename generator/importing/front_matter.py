"""A source post's header, whatever its generator wrote: YAML (`---`), TOML (`+++`) or JSON
(`{ }`) front matter, split by python-frontmatter's handlers, or Pelican's `Key: value` lines
(Markdown) and `:key: value` fields (reStructuredText).

Keys come lowercased (Hugo and Pelican read them in any case), each with its line in the
source file. A key written twice keeps its last value, except the lists (tags, categories,
old URLs), whose values are joined; either way a warning says so. Nothing here raises for
bad input: a header that cannot be read is a problem, and the body is taken as it is.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml

from generator.core.problems import Problem, error, warning

# Keys whose values are joined when a post writes them twice (brew.sh's `redirect_from:`).
LIST_KEYS = frozenset({"tags", "categories", "category", "aliases", "redirect_from", "keywords"})


@dataclass(frozen=True)
class Header:
    """A post's settings (lowercased keys, in the order written), the line of each, and the
    body after them with the file line where it starts."""

    meta: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    problems: tuple[Problem, ...] = ()
    format: str = "none"  # yaml, toml, json, pelican, rst or none
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)


class _TOMLHandler(frontmatter.default_handlers.BaseHandler):
    """python-frontmatter's TOML boundary (`+++`), read with the standard library's tomllib
    (its own TOMLHandler needs the `toml` package)."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)


_HANDLERS = (
    ("yaml", frontmatter.default_handlers.YAMLHandler()),
    ("toml", _TOMLHandler()),
    ("json", frontmatter.default_handlers.JSONHandler()),
)


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text: their offsets are read by dates.py."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node)) if isinstance(node, yaml.ScalarNode) else ""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def read_header(shown: str, text: str, pelican: bool = False) -> Header:
    """The header of a post's text (`shown`: its path, for problems); `pelican`: also read
    `Key: value` lines at the top, as Pelican's Markdown reader does."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    for name, handler in _HANDLERS:
        if not handler.detect(text):
            continue
        try:
            fm, body = handler.split(text)
        except ValueError:
            break
        body_line = _line_of_body(text, body)
        if name == "yaml":
            return _yaml_header(shown, fm, body, body_line)
        if name == "toml":
            return _toml_header(shown, fm, body, body_line)
        return _json_header(shown, fm, body, body_line)
    if pelican:
        return pelican_header(shown, text)
    return Header({}, {}, text, 1)


def _line_of_body(text: str, body: str) -> int:
    """The file line where `body` (the text after the header, maybe stripped) starts."""
    start = text.rfind(body.lstrip("\n")[:200]) if body.strip() else len(text)
    return text[: max(start, 0)].count("\n") + 1


def _yaml_header(shown: str, fm: str, body: str, body_line: int) -> Header:
    loader = _Loader(fm)
    problems: list[Problem] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return Header({}, {}, body, body_line, format="yaml")
        if not isinstance(node, yaml.MappingNode):
            message = "the front matter is not `key: value` lines: it is left out"
            return Header({}, {}, body, body_line, (error(shown, 2, message),), "yaml")
        meta: dict[str, Any] = {}
        lines: dict[str, int] = {}
        items: dict[str, tuple[int, ...]] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True)).strip().lower()
            value = loader.construct_object(value_node, deep=True)
            line = 1 + key_node.start_mark.line
            if isinstance(value_node, yaml.SequenceNode):
                items[key] = tuple(1 + item.start_mark.line for item in value_node.value)
            if key in meta:
                joined = key in LIST_KEYS
                problems.append(warning(shown, line, _twice(key, lines[key], joined)))
                if joined:
                    value = [*_as_list(meta[key]), *_as_list(value)]
            meta[key] = value
            lines[key] = line
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 1 + (mark.line if mark is not None else 0)
        what = " ".join(str(getattr(exc, "problem", None) or exc).split())
        message = (
            f"the front matter is not valid YAML ({what}): fix it in the source and import again"
        )
        return Header({}, {}, body, body_line, (error(shown, line, message),), "yaml")
    finally:
        loader.dispose()
    return Header(meta, lines, body, body_line, tuple(problems), "yaml", items)


def _twice(key: str, first: int, joined: bool) -> str:
    kept = "both values are kept" if joined else "the last one is kept, as Jekyll and Hugo do"
    return f"`{key}` is written twice (first on line {first}): {kept}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _toml_header(shown: str, fm: str, body: str, body_line: int) -> Header:
    try:
        data = tomllib.loads(fm)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else 1
        message = (
            f"the front matter is not valid TOML ({exc}): fix it in the source and import again"
        )
        return Header({}, {}, body, body_line, (error(shown, line, message),), "toml")
    return _keyed(data, _key_lines(fm, r"^\s*[\"']?([\w.-]+)[\"']?\s*="), body, body_line, "toml")


def _json_header(shown: str, fm: str, body: str, body_line: int) -> Header:
    try:
        data = json.loads(fm)
    except json.JSONDecodeError as exc:
        message = f"the front matter is not valid JSON ({exc.msg}): fix it in the source"
        return Header({}, {}, body, body_line, (error(shown, exc.lineno, message),), "json")
    if not isinstance(data, dict):
        return Header({}, {}, body, body_line, format="json")
    return _keyed(data, _key_lines(fm, r"^\s*\"([^\"]+)\"\s*:"), body, body_line, "json")


def _key_lines(fm: str, pattern: str) -> dict[str, int]:
    """The line of each top-level key, found by `pattern` (its first group) in the text."""
    found: dict[str, int] = {}
    for index, line in enumerate(fm.split("\n")):
        match = re.match(pattern, line)
        if match:
            found.setdefault(match.group(1).lower(), index + 1)
    return found


def _keyed(
    data: dict[str, Any], lines: dict[str, int], body: str, body_line: int, kind: str
) -> Header:
    meta = {str(k).strip().lower(): v for k, v in data.items()}
    return Header(meta, {k: lines.get(k, 1) for k in meta}, body, body_line, format=kind)


_PELICAN_KEY = re.compile(r"^([A-Za-z][\w-]*)\s*:\s?(.*)$")


def pelican_header(shown: str, text: str) -> Header:
    """Pelican's Markdown header: `Key: value` lines up to the first blank line (a value may
    go on over lines indented by spaces). A title may hold colons: only the first splits."""
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    rows = text.split("\n")
    index = 0
    last: str | None = None
    while index < len(rows):
        row = rows[index]
        if not row.strip():
            break
        match = _PELICAN_KEY.match(row)
        if match is None and last is not None and row.startswith((" ", "\t")):
            meta[last] = f"{meta[last]} {row.strip()}".strip()
        elif match is None:
            break
        else:
            key, value = match.group(1).lower(), match.group(2).strip()
            if key in meta:
                problems.append(warning(shown, index + 1, _twice(key, lines[key], False)))
            meta[key], lines[key], last = value, index + 1, key
        index += 1
    if not meta:
        return Header({}, {}, text, 1)
    body = "\n".join(rows[index:])
    return Header(meta, lines, body, index + 1, tuple(problems), "pelican")


_RST_FIELD = re.compile(r"^:([\w -]+):\s*(.*)$")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>:._])\1{2,}\s*$")


def rst_header(text: str) -> Header:
    """A reStructuredText post's title (its first section title, with an overline or not)
    and the `:key: value` fields after it; the body is the rest."""
    rows = text.replace("\r\n", "\n").split("\n")
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    index = 0
    while index < len(rows) and not rows[index].strip():
        index += 1
    if index + 1 < len(rows) and _RST_UNDERLINE.match(rows[index]) and index + 2 < len(rows):
        index += 1  # an overline
    if index + 1 < len(rows) and rows[index].strip() and _RST_UNDERLINE.match(rows[index + 1]):
        meta["title"], lines["title"] = rows[index].strip(), index + 1
        index += 2
        if index < len(rows) and _RST_UNDERLINE.match(rows[index]):
            index += 1  # the underline of an overlined title
    while index < len(rows) and not rows[index].strip():
        index += 1
    while index < len(rows):
        match = _RST_FIELD.match(rows[index])
        if match is None:
            break
        key = match.group(1).strip().lower()
        meta[key], lines[key] = match.group(2).strip(), index + 1
        index += 1
    return Header(meta, lines, "\n".join(rows[index:]), index + 1, format="rst")

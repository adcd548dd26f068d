"""What a writer is told when YAML front matter does not read as they meant: the line and the
setting at fault, and the likely fix.

Most front matter mistakes are a value that YAML reads as something of its own: a title
holding ": " (a new setting), or starting with "*" (an alias), "&" (an anchor), "!" (a tag),
"[" or "{" (a list or a mapping), "|" or ">" (a block of text), "@", "`" or "%" (reserved).
Quotes around the value fix them all. `yaml_error` words YAML's own errors so;
`silent_surprises` finds the values YAML took without an error but not as written (`&amp
stuff` becomes "stuff").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from generator.core.problems import Problem, error, warning
from generator.core.text import quoted

# `key: value`, or `- key: value` in a list; the key written plainly.
_SETTING = re.compile(
    r"^(?P<indent>[ \t]*)(?:-[ \t]+)?(?P<key>[^\s:#'\"][^:]*?)[ \t]*:"
    r"(?:[ \t]+(?P<value>.*?))?[ \t]*$"
)
_MEANINGS = {  # what YAML makes of a value that starts with the sign
    "*": "YAML reads as an alias (a reference to an anchor)",
    "&": "YAML reads as an anchor name",
    "!": "YAML reads as a type tag",
    "|": "YAML reads as the start of a block of text",
    ">": "YAML reads as the start of a folded block of text",
    "{": "YAML reads as the start of a mapping",
    "[": "YAML reads as the start of a list",
    "@": "YAML reserves",
    "`": "YAML reserves",
    "%": "YAML reads as a directive",
}
# Constructs left open: YAML gives up far from them, so the error points where they start.
_OPENED = ("flow sequence", "flow mapping", "quoted scalar")


@dataclass(frozen=True)
class Setting:
    """One `key: value` line of front matter, as written."""

    key: str
    value: str  # "" when the line holds the key alone
    indented: bool


def setting_at(line: str) -> Setting | None:
    match = _SETTING.match(line)
    if match is None:
        return None
    value = match.group("value") or ""
    return Setting(match.group("key"), value, bool(match.group("indent")))


def yaml_error(key: str, exc: yaml.MarkedYAMLError, text: str, first_line: int) -> Problem:
    """YAML's error at the file line of the mistake (where a construct left open starts,
    else where YAML stopped), with the setting of that line and the likely fix."""
    problem = exc.problem or "unreadable"
    context = exc.context or ""
    opened = exc.context_mark is not None and any(what in context for what in _OPENED)
    mark = exc.context_mark if opened else exc.problem_mark
    index = mark.line if mark is not None else 0
    lines = text.split("\n")
    line = lines[index] if index < len(lines) else ""
    above = next(
        (lines[i] for i in range(min(index, len(lines)) - 1, -1, -1) if lines[i].strip()), ""
    )
    setting = setting_at(line)
    said = f"{problem} ({context})" if context else problem
    where = f" (in `{setting.key}`)" if setting is not None else ""
    hint = _hint(problem, context, setting, line, above)
    message = f"front matter is not valid YAML: {said}{where}"
    return error(key, first_line + index, f"{message}: {hint}" if hint else message)


def _hint(problem: str, context: str, setting: Setting | None, line: str, above: str) -> str:
    """The likely fix, or "" when none is likely."""
    if "tab character" in problem:
        return "YAML does not allow tabs to indent: replace the tab in this line with spaces"
    if "quoted scalar" in context and setting is not None:
        mark = setting.value[:1] or '"'
        return f"the quote that opens the value is not closed: end the value with {mark}"
    if "flow sequence" in context:
        return "the list is not closed: end it with ], or put the value in quotes if it is no list"
    if "flow mapping" in context:
        return "the mapping is not closed: end it with }, or put the value in quotes"
    if setting is None:
        if "mapping values" in problem and above and setting_at(above) is None:
            return "the line above has no `:` after its name: write it as `name: value`"
        return ""
    value, key = setting.value, setting.key
    if "mapping values" in problem:
        if ": " in value or value.endswith(":"):
            return (
                'the value holds ": ", which YAML reads as a new setting; put it in quotes: '
                f"{key}: {quoted(value)}"
            )
        if setting.indented:
            return f"this line is indented: start `{key}:` at the beginning of the line"
        if above and setting_at(above) is None:
            return "the line above has no `:` after its name: write it as `name: value`"
        return ""
    if value[:1] in ("'", '"'):
        return _quote_hint(key, value)
    meaning = _MEANINGS.get(value[:1])
    if meaning is not None:
        return (
            f'the value starts with "{value[0]}", which {meaning}; put it in quotes: '
            f"{key}: {quoted(value)}"
        )
    return ""


def _quote_hint(key: str, value: str) -> str:
    """The fix of a value that starts with a quote and goes on past its closing quote."""
    mark = value[0]
    inner = value[1:-1]
    if len(value) > 1 and value.endswith(mark) and mark in inner:
        return (
            f"the value holds the quote that opens it ({mark}), which ends it early; quote "
            f"it with the other kind: {key}: {quoted(inner)}"
        )
    return (
        "a value in quotes must end at its closing quote; put the whole value in quotes: "
        f"{key}: {quoted(value)}"
    )


def silent_surprises(key: str, text: str, first_line: int) -> list[Problem]:
    """A warning at each setting whose plain value starts with "&" or "!" and goes on with
    words: YAML reads an anchor or a tag there and keeps only what follows (`&amp stuff`
    becomes "stuff")."""
    problems: list[Problem] = []
    for index, line in enumerate(text.split("\n")):
        if "&" not in line and "!" not in line:
            continue
        setting = setting_at(line)
        if setting is None or setting.indented or setting.value[:2] == "!!":
            continue
        if setting.value[:1] not in ("&", "!"):
            continue
        kept = setting.value.split(maxsplit=1)[1:]  # what YAML keeps after the anchor or tag
        if not kept or kept[0][:1] in ("[", "{", "*", "&", "!", "'", '"', "|", ">"):
            continue  # YAML written as YAML: `&a [one, two]`
        sign = setting.value[0]
        message = (
            f'the value of `{setting.key}` starts with "{sign}", which {_MEANINGS[sign]} '
            f"and leaves out; put it in quotes to keep it as written: "
            f"{setting.key}: {quoted(setting.value)}"
        )
        problems.append(warning(key, first_line + index, message))
    return problems

"""Reading the project's Markdown docs for tests/test_docs.py: fenced blocks, relative links,
GitHub's heading anchors, and the shell script made of a page's runnable commands.

The convention (CONTRIBUTING.md, "The docs are tested"):

- A fenced block marked ```sh is run; ```console, ```text, ```toml, ```markdown and the rest
  are shown, never run.
- `<!-- run: COMMAND -->`, alone on a line, runs COMMAND at that point without showing it: only
  for a step the text asks the reader to do by hand (editing a file).
- Installing is skipped (the tests run inside the installed project): a command starting with
  `python3 -m venv`, `. .venv/bin/activate`, `source .venv/bin/activate` or `pip install`.
- `journal serve` runs with `--port 0` until it answers its first request, then gets Ctrl-C
  (tests/docs_serve_probe.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RUNNABLE = "sh"
SKIPPED_PREFIXES = (
    "python3 -m venv",
    ". .venv/bin/activate",
    "source .venv/bin/activate",
    "pip install",
)

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+|~~~+)(?P<info>.*)$")
RUN_COMMENT = re.compile(r"^\s*<!--\s*run:\s*(?P<command>.+?)\s*-->\s*$")
HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(?P<target>\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
HTML_LINK = re.compile(r"""\b(?:href|src)\s*=\s*["'](?P<target>[^"']+)["']""")
HTML_ID = re.compile(r"""\b(?:id|name)\s*=\s*["'](?P<id>[^"']+)["']""")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Block:
    """A fenced block: its language (the first word of the info string), its first line
    number (the fence's), and its text without the fences."""

    language: str
    line: int
    text: str


@dataclass(frozen=True)
class Step:
    """Something to run: a ```sh block's text or a `<!-- run: -->` command, at its line."""

    line: int
    text: str
    hidden: bool


@dataclass(frozen=True)
class Link:
    line: int
    target: str


def blocks_and_prose(text: str) -> tuple[list[Block], list[tuple[int, str]]]:
    """The fenced blocks of a page, and its other lines as (line number, text)."""
    blocks: list[Block] = []
    prose: list[tuple[int, str]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            prose.append((index + 1, lines[index]))
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        language = (opening["info"].split() or [""])[0]
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            body.append(lines[end][indent:] if lines[end][:indent].isspace() else lines[end])
            end += 1
        blocks.append(Block(language, index + 1, "\n".join(body)))
        index = end + 1
    return blocks, prose


def steps(text: str) -> list[Step]:
    """What a page runs, in the page's order."""
    blocks, prose = blocks_and_prose(text)
    found = [Step(b.line, b.text, hidden=False) for b in blocks if b.language == RUNNABLE]
    for number, line in prose:
        comment = RUN_COMMENT.match(line)
        if comment is not None:
            found.append(Step(number, comment["command"], hidden=True))
    return sorted(found, key=lambda step: step.line)


def without_installing(text: str) -> str:
    """The block's text with every installing command (and its continuation lines) replaced
    by a no-op that says what was skipped."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if skipping or line.strip().startswith(SKIPPED_PREFIXES):
            kept.append(": skipped, the project is installed: " + shell_quote(line.strip()))
            skipping = line.rstrip().endswith("\\")
            continue
        kept.append(line)
    return "\n".join(kept)


def shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def script(page: str, text: str, python: str, probe: Path) -> str:
    """A bash script running the page's steps in order, stopping at the first failure, with
    `journal serve` going through the probe."""
    lines = [
        "set -euo pipefail",
        'journal() { if [ "${1-}" = serve ]; then shift; '
        f'{shell_quote(python)} {shell_quote(str(probe))} "$@"; else command journal "$@"; fi; }}',
        "set -x",
    ]
    for step in steps(text):
        what = "hidden step" if step.hidden else "block"
        lines.append(f": {shell_quote(f'{page} line {step.line} ({what})')}")
        lines.append(without_installing(step.text))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- links and anchors


def links(text: str) -> list[Link]:
    """Every link of the page's prose (not of its code): Markdown, reference and HTML links."""
    found: list[Link] = []
    for number, line in blocks_and_prose(text)[1]:
        bare = CODE_SPAN.sub("", line)
        for pattern in (INLINE_LINK, REFERENCE, HTML_LINK):
            found.extend(Link(number, m["target"]) for m in pattern.finditer(bare))
    return found


def is_relative(target: str) -> bool:
    return not SCHEME.match(target) and not target.startswith("//")


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: its text as shown (no Markdown marks, no tags), in
    lower case, without characters other than letters, digits, `_`, `-` and spaces, and with
    each space a `-`."""
    text = re.sub(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"(?<!\w)_+|_+(?!\w)", "", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The ids a page has on GitHub: its headings' (a repeated one gets -1, -2, ...) and the
    ids of its HTML elements."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _, line in blocks_and_prose(text)[1]:
        found.update(m["id"] for m in HTML_ID.finditer(line))
        heading = HEADING.match(line)
        if heading is None:
            continue
        anchor = github_anchor(heading["text"])
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def broken_links(page: Path, repository: Path) -> Iterator[str]:
    """`page:line: message` for each relative link of the page that leads to no file or
    folder of the repository, or to no heading of the page it names."""
    shown = page.relative_to(repository).as_posix()
    for link in links(page.read_text(encoding="utf-8")):
        if not is_relative(link.target):
            continue
        path_part, _, fragment = link.target.partition("#")
        if path_part.startswith("/"):
            yield f"{shown}:{link.line}: {link.target}: write it relative to this page"
            continue
        target = (page.parent / path_part).resolve() if path_part else page
        if not target.is_relative_to(repository.resolve()):
            yield f"{shown}:{link.line}: {link.target} leads out of the repository"
            continue
        if not target.exists():
            yield f"{shown}:{link.line}: {link.target}: no such file in the repository"
            continue
        text = target.read_text(encoding="utf-8") if target.suffix == ".md" else ""
        if fragment and target.suffix == ".md" and fragment not in anchors(text):
            yield f"{shown}:{link.line}: {link.target}: no heading #{fragment} there"

"""Two passes of the commonmark engine (commonmark.py) that need more than a pattern: links
by title marked outside code and raw HTML, and footnotes in the footnotes extension's shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown.serializers import _escape_attrib_html  # type: ignore[attr-defined]

from generator.pipeline.wikilinks import _WRITTEN, MARK_TAG

# ---------------------------------------------------------------- links by title

_WRITTEN_BYTES = re.compile(_WRITTEN.encode())
# What Markdown would read as more than text in a title shown as written.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# The events inside which `[[...]]` stays as written: code and raw HTML blocks.
_KEPT_KINDS = ("CodeBlock", "HtmlBlock")

# A text's events, each with the start and end of its source (in UTF-8 bytes).
Events = Callable[[str], Sequence[tuple[object, int, int]]]


def titles_marked_in(source: str, events: Events) -> str:
    """The Markdown with each `[[Title]]` and `[[Title|shown]]` outside code spans, code
    blocks and raw HTML blocks written as the mark wikilinks.py makes (raw HTML the engine
    keeps), its shown text still Markdown, a title shown as written escaped."""
    data = source.encode("utf-8")
    found = [m for m in _WRITTEN_BYTES.finditer(data) if not data[: m.start()].endswith(b"\\")]
    if not found:
        return source
    kept = _kept_ranges(events(source))
    parts: list[bytes] = []
    done = 0
    for match in found:
        if any(start < match.end() and match.start() < end for start, end in kept):
            continue
        parts += [data[done : match.start()], _mark(match).encode("utf-8")]
        done = match.end()
    return b"".join([*parts, data[done:]]).decode("utf-8")


def _kept_ranges(events: Sequence[tuple[object, int, int]]) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for event, start, end in events:
        if isinstance(event, dict):
            started = event.get("Start")
            inline = "Code" in event
            block = started in _KEPT_KINDS or (
                isinstance(started, dict) and any(kind in started for kind in _KEPT_KINDS)
            )
            if inline or block:
                kept.append((start, end))
    return kept


def _mark(match: re.Match[bytes]) -> str:
    title = " ".join(match.group(1).decode("utf-8").split())
    shown_bytes = match.group(2)
    shown = " ".join(shown_bytes.decode("utf-8").split()) if shown_bytes is not None else ""
    text = shown if shown else _PUNCTUATION.sub(r"\\\1", title)
    return f'<{MARK_TAG} data-title="{_escape_attrib_html(title)}">{text}</{MARK_TAG}>'


# ---------------------------------------------------------------- footnotes

_DEFINITION = re.compile(
    r'<div class="footnote-definition" id="([^"]*)">'
    r'<sup class="footnote-definition-label">\d+</sup>\n?'
)
_REFERENCE = re.compile(r'<sup class="footnote-reference"><a href="#([^"]*)">\d+</a></sup>')
_DIV = re.compile(r"<(/?)div[\s>]")
_BACK = "Jump back to footnote {number} in the text"


@dataclass(frozen=True)
class Note:
    label: str
    html: str  # the definition's blocks


def footnotes_gathered(html: str) -> str:
    """Footnotes as the footnotes extension writes them: numbered in the order of their
    definitions, each reference `<sup id="fnref:label">` (`fnref2:label` for the second
    reference to the same note), and every note at the end in `<div class="footnote">`,
    with a link back to each reference."""
    notes, html = _notes_taken(html)
    if not notes:
        return html
    numbers = {note.label: index for index, note in enumerate(notes, start=1)}
    seen: dict[str, int] = {}

    def reference(match: re.Match[str]) -> str:
        label = match.group(1)
        if label not in numbers:
            return match.group(0)
        seen[label] = seen.get(label, 0) + 1
        mark = _ref_id(label, seen[label])
        return (
            f'<sup id="{mark}"><a class="footnote-ref" href="#fn:{label}">'
            f"{numbers[label]}</a></sup>"
        )

    html = _REFERENCE.sub(reference, html).rstrip("\n")
    items = [_item(note, numbers[note.label], seen.get(note.label, 1)) for note in notes]
    # (a code block is followed by a blank line, as Python-Markdown's are)
    gap = "\n\n" if html.endswith("</code></pre></div>") else "\n"
    return f'{html}{gap}<div class="footnote">\n<hr>\n<ol>\n{"".join(items)}</ol>\n</div>'


def _ref_id(label: str, count: int) -> str:
    return f"fnref:{label}" if count == 1 else f"fnref{count}:{label}"


def _item(note: Note, number: int, references: int) -> str:
    title = _BACK.format(number=number)
    links = "".join(
        f'<a class="footnote-backref" href="#{_ref_id(note.label, count)}" title="{title}">'
        "&#8617;</a>"
        for count in range(1, references + 1)
    )
    body = note.html.strip("\n")
    if body.endswith("</p>"):
        body = f"{body[: -len('</p>')]}&#160;{links}</p>"
    else:
        body = f"{body}\n<p>{links}</p>" if body else f"<p>{links}</p>"
    return f'<li id="fn:{note.label}">\n{body}\n</li>\n'


def _notes_taken(html: str) -> tuple[list[Note], str]:
    """The footnote definitions in the order written, and the HTML without them."""
    notes: list[Note] = []
    parts: list[str] = []
    done = 0
    for start in list(_DEFINITION.finditer(html)):
        if start.start() < done:
            continue  # (a definition inside another one's blocks)
        end = _closing_div(html, start.end())
        notes.append(Note(start.group(1), html[start.end() : end]))
        parts.append(html[done : start.start()])
        done = end + len("</div>")
        if html.startswith("\n", done):
            done += 1
    parts.append(html[done:])
    return notes, "".join(parts)


def _closing_div(html: str, start: int) -> int:
    """Where the `</div>` that closes the div opened before `start` begins."""
    depth = 1
    for tag in _DIV.finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.start()
    return len(html)

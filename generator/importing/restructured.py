"""A reStructuredText post's body as HTML inside the Markdown post, by docutils (the `rst`
extra: `pip install 'journal-generator[rst]'`). Without docutils the body is kept as it is,
in a code block, and the report says how to convert it."""

from __future__ import annotations

import importlib.util
from typing import Any

from generator.importing.records import Tally

HOW_TO = "install docutils (pip install 'journal-generator[rst]') and import again"


def rst_body(body: str, first_line: int, tally: Tally) -> str:
    """The body converted to HTML; its docutils warnings go to `tally` at their line."""
    if importlib.util.find_spec("docutils") is None:
        tally.warn(first_line, f"a reStructuredText post is kept as text in a code block: {HOW_TO}")
        return "```rst\n" + body.strip("\n") + "\n```"
    from docutils.core import publish_parts
    from docutils.utils import SystemMessage

    settings: dict[str, Any] = {
        "report_level": 5,  # nothing printed; problems are read off the document
        "halt_level": 5,
        "doctitle_xform": False,
        "initial_header_level": 2,
        "syntax_highlight": "none",
        "input_encoding": "unicode",
        "file_insertion_enabled": False,
        "raw_enabled": True,
    }
    try:
        parts = publish_parts(body, writer="html5", settings_overrides=settings)
    except SystemMessage as exc:  # pragma: no cover - halt_level 5 stops nothing
        tally.warn(first_line, f"docutils could not read this post ({exc}): convert it by hand")
        return "```rst\n" + body.strip("\n") + "\n```"
    tally.done("reStructuredText")
    html = str(parts["body"]).strip()
    if 'class="system-message"' in html:
        tally.warn(first_line, "docutils found mistakes in this reStructuredText: check the page")
    return html + "\n"

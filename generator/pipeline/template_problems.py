"""Template errors as problems: at the template's file (a journal's own as templates/x.html,
a built-in one by its full path) and at the line the error was raised from.
"""

from __future__ import annotations

from pathlib import Path

from generator.core.problems import Problem, error
from generator.pipeline.theme import builtin_templates


def template_problem(exc: Exception, line: int, template: str) -> Problem:
    where = getattr(exc, "filename", None) or f"templates/{template}"
    return error(_relative_template(where), line, f"template error: {exc}")


def _relative_template(path: str) -> str:
    """Show a journal's template as templates/x.html, a built-in one by its full path (the
    theme installed with the generator, where a writer can open it)."""
    marker = "/templates/"
    if Path(path).is_relative_to(builtin_templates()) or marker not in path:
        return path
    return "templates/" + path.rsplit(marker, 1)[1]


def line_in_template(exc: Exception) -> int:
    tb = exc.__traceback__
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml", ".txt")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line

"""The import's report: each construct of another generator left in an imported post, at
its line in the new file, with what to do about it; and the figures of an import (posts,
constructs converted, constructs reported), printed and written to import-report.txt."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from generator.core.problems import Problem, count_level, warning
from generator.importing.records import PlannedPost
from generator.pipeline.leftovers import leftovers

REPORT_NAME = "import-report.txt"

# What to do about a construct left in the text, by its name.
_SUGGESTIONS = {
    "include": "paste the included file's text in its place (or drop it)",
    "include_cached": "paste the included file's text in its place (or drop it)",
    "include_relative": "paste the included file's text in its place",
    "assign": "put the value itself where the variable is used, then remove the tag",
    "capture": "put the text itself where it is used, then remove the tags",
    "for": "write the list out in Markdown, then remove the loop",
    "endfor": "write the list out in Markdown, then remove the loop",
    "if": "keep the text that applies and remove the condition",
    "endif": "keep the text that applies and remove the condition",
    "unless": "keep the text that applies and remove the condition",
    "notebook": "export the notebook to Markdown (jupyter nbconvert --to markdown) and paste it",
    "gallery": "list the images one by one as ![alt](/path) lines",
    "tweet": "write a link to the post",
    "gist": "paste the code in a fenced block, or link to the gist",
}
_DEFAULT = (
    "replace it with Markdown (an image, a link, a fenced code block), or put it in "
    "`backticks` if readers are meant to see it"
)


def _suggestion(what: str) -> str:
    words = what.replace("{", " ").replace("}", " ").replace("<", " ").replace("%", " ").split()
    name = next((w for w in words[3:] if w not in ("...", "/")), "").lstrip("/")
    if what.startswith("the Hugo shortcode") and name.endswith(".inline"):
        return "an inline shortcode runs a template: write what it showed in Markdown or HTML"
    if what.startswith("the Hugo shortcode") and name not in _SUGGESTIONS:
        return f"write in Markdown what the shortcode `{name}` showed (see the old site's page)"
    if what.startswith("the template output"):
        return "write the value itself in its place"
    return _SUGGESTIONS.get(name, _DEFAULT)


def leftover_problems(key: str, body: str, body_line: int) -> list[Problem]:
    """A warning at each construct of another generator left in an imported post's body."""
    return [
        warning(
            key, body_line + item.line, f"{item.what} is not converted: {_suggestion(item.what)}"
        )
        for item in leftovers(body)
    ]


@dataclass(frozen=True)
class Figures:
    """An import in numbers."""

    posts: int
    drafts: int
    aliases: int
    files: int
    converted: Counter[str]
    reported: int  # constructs left in the posts (each a warning)
    errors: int
    warnings: int


def figures_of(posts: Sequence[PlannedPost], problems: Sequence[Problem]) -> Figures:
    """The figures of the posts planned and of every problem found."""
    converted: Counter[str] = Counter()
    for post in posts:
        converted.update(post.converted)
    left = sum(1 for p in problems if " is not converted: " in p.message)
    return Figures(
        posts=len(posts),
        drafts=sum(1 for post in posts if post.draft),
        aliases=sum(len(post.aliases) for post in posts),
        files=len({f.target for post in posts for f in post.files}),
        converted=converted,
        reported=left,
        errors=count_level(problems, "error"),
        warnings=count_level(problems, "warning"),
    )


def summary_lines(figures: Figures, source: str) -> list[str]:
    done = sum(figures.converted.values())
    kinds = ", ".join(f"{name} {count}" for name, count in sorted(figures.converted.items()))
    return [
        f"{figures.posts} posts from {source} ({figures.drafts} drafts), "
        f"{figures.aliases} old URLs kept, {figures.files} files copied",
        f"{done} constructs converted" + (f" ({kinds})" if kinds else ""),
        f"{figures.reported} constructs left to convert by hand; "
        f"{figures.errors} errors, {figures.warnings} warnings",
    ]

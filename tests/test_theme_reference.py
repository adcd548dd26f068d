"""docs/theme-reference.md names every template of the built-in theme in a heading of its
own, and no template that is gone: a template added without its entry fails here."""

from __future__ import annotations

import re
from pathlib import Path

from generator.pipeline.theme import ASSETS_FOLDER, LOCALES_FOLDER, builtin_templates

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "theme-reference.md"
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")


def theme_templates() -> set[str]:
    """Every template of the built-in theme, by its name as a journal overrides it
    (`post.html`, `book/chapter.html`): not its assets, catalogs or Python files."""
    folder = builtin_templates()
    found = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if relative.parts[0] in (ASSETS_FOLDER, LOCALES_FOLDER, "__pycache__"):
            continue
        if path.is_file() and path.name.endswith(TEMPLATE_SUFFIXES):
            found.add(relative.as_posix())
    return found


def documented_templates(text: str) -> list[str]:
    """The templates named in the headings of the reference: "### `post.html`: a post"."""
    names = []
    for line in text.splitlines():
        heading = re.match(r"#{2,4} `([^`]+)`", line)
        if heading and heading.group(1).endswith(TEMPLATE_SUFFIXES):
            names.append(heading.group(1))
    return names


def test_the_theme_has_templates_to_document() -> None:
    assert {"base.html", "post.html", "feed.xml", "robots.txt"} <= theme_templates()


def test_every_template_has_its_entry_in_the_theme_reference() -> None:
    documented = documented_templates(REFERENCE.read_text(encoding="utf-8"))
    missing = sorted(theme_templates() - set(documented))
    assert not missing, f"add a heading for each to docs/theme-reference.md: {missing}"


def test_the_theme_reference_names_no_template_that_is_gone() -> None:
    documented = documented_templates(REFERENCE.read_text(encoding="utf-8"))
    gone = sorted(set(documented) - theme_templates())
    assert not gone, f"docs/theme-reference.md describes templates the theme lacks: {gone}"
    assert len(documented) == len(set(documented)), "each template once"


def test_a_heading_is_found_only_for_a_template_name() -> None:
    text = "## `post.html`: a post\n### `book/chapter.html`\n## `site` (every page)\n`x.html`\n"
    assert documented_templates(text) == ["post.html", "book/chapter.html"]

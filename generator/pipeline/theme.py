"""The default theme (templates and assets shipped with the package) and a journal's overrides."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

LIGHT_CODE_STYLE = "friendly"
DARK_CODE_STYLE = "monokai"
ASSETS_PREFIX = "assets/"


def builtin_templates() -> Path:
    return Path(str(resources.files("generator") / "templates"))


def builtin_assets_folder() -> Path:
    """The folder of the theme's stylesheet, script and icon."""
    return Path(str(resources.files("generator") / "assets"))


class FolderLoader(jinja2.FileSystemLoader):
    """Templates of one folder, never a file whose real path lies outside it: a symlink in a
    journal's templates/ leading elsewhere (`robots.txt -> ~/.ssh/id_rsa`) would publish
    that file. The folder itself may be a link (a theme shared between journals)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        folders = [Path(folder).resolve() for folder in self.searchpath]
        if not any(Path(filename).resolve().is_relative_to(f) for f in folders):
            raise jinja2.TemplateError(
                f"{template} is a symlink leading out of its templates folder; "
                "copy the file in instead"
            )
        return source, filename, uptodate


FRAGMENTS = "cached"  # the templates' names of the two functions below
FRAGMENT_LISTS = "cached_each"


def draw_uncached(name: str, macro: Callable[..., Any], view: object, *args: object) -> Any:
    """`cached(name, macro, view, ...)` in a template: `macro(view, ...)`, a fragment made
    only of `view` (a post's list item, say). A build that runs again (`journal serve`)
    binds `cached` to `Views.fragment`, which draws each fragment once per view."""
    return macro(view, *args)


def draw_each_uncached(
    name: str, macro: Callable[..., Any], views: Iterable[object], *args: object
) -> Markup:
    """`cached_each(name, macro, views, ...)` in a template: `cached` for each of `views`,
    joined (a long list in one call)."""
    return Markup("").join(macro(view, *args) for view in views)


def make_environment(journal_templates: Path | None) -> jinja2.Environment:
    """Templates from the journal's templates/ first, then the built-in theme, file by file."""
    folders = [str(builtin_templates())]
    if journal_templates is not None and journal_templates.is_dir():
        folders.insert(0, str(journal_templates))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([FolderLoader(folder) for folder in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals[FRAGMENTS] = draw_uncached
    env.globals[FRAGMENT_LISTS] = draw_each_uncached
    return env


def code_css() -> str:
    light = HtmlFormatter(style=LIGHT_CODE_STYLE).get_style_defs(".highlight")
    dark = HtmlFormatter(style=DARK_CODE_STYLE).get_style_defs(".highlight")
    return (
        f"\n/* Code: Pygments {LIGHT_CODE_STYLE}, {DARK_CODE_STYLE} in dark mode */\n{light}\n"
        f"@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )


def builtin_assets() -> dict[str, bytes]:
    """Output path -> bytes of the theme's assets; the stylesheet carries the code colours."""
    folder = builtin_assets_folder()
    assets: dict[str, bytes] = {}
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.is_file() and not item.name.startswith("."):
            assets[ASSETS_PREFIX + item.name] = item.read_bytes()
    css = ASSETS_PREFIX + "style.css"
    assets[css] = assets.get(css, b"") + code_css().encode("utf-8")
    return assets

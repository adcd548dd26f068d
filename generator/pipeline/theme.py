"""The built-in theme (templates and assets shipped with the package) and a journal's overrides.

The theme is laid out like a journal's templates/ folder: Jinja templates at the top, the
stylesheet, script and icon in assets/. A journal's own templates/ overrides it file by file,
the files of its templates/assets/ included. The theme's words in other languages than
English are its catalogs, locales/<language>.po (language.py reads them).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

from generator.core.locales import DEFAULT_LANGUAGE
from generator.core.problems import Problem, error, warning
from generator.pipeline.language import Language
from generator.pipeline.phrases import PhraseBook, speak

LIGHT_CODE_STYLE = "friendly"
DARK_CODE_STYLE = "monokai"
THEME_PACKAGE = "generator.theme_files"  # pyproject.toml maps it to this repository's templates/
ASSETS_FOLDER = "assets"  # in a templates folder, the built-in theme's too
ASSETS_PREFIX = "assets/"  # where the assets go in the built site
LOCALES_FOLDER = "locales"  # the theme's words: <language>.po, and messages.pot to start one
E = TypeVar("E", bound=jinja2.Environment)


def builtin_templates() -> Path:
    """The built-in theme's folder: the package `generator.theme_files`, which pyproject.toml
    maps to the top-level templates/ of this repository (an installed wheel holds it as
    generator/theme_files/). Its `__init__.py` is never drawn nor published."""
    folder = resources.files(THEME_PACKAGE)
    if not isinstance(folder, Path):  # Jinja and the asset copy read files from a folder
        raise RuntimeError(f"the built-in theme {folder} is not a folder on disk")
    return folder


def builtin_assets_folder() -> Path:
    """The folder of the theme's stylesheet, script and icon."""
    return builtin_templates() / ASSETS_FOLDER


def builtin_catalogs() -> Path:
    """The folder of the theme's catalogs (locales/<language>.po)."""
    return builtin_templates() / LOCALES_FOLDER


def theme_language(setting: str) -> Language:
    """The journal's language (`Config.language`) with the theme's words in it."""
    return Language(setting, builtin_catalogs())


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
    only of `view` (a post's list item, say; `name` is a label). A build that runs again
    (`journal serve`) binds `cached` to its views' `fragment`, which keeps the fragment with
    the view when the macro reads its arguments alone."""
    return macro(view, *args)


def draw_each_uncached(
    name: str, macro: Callable[..., Any], views: Iterable[object], *args: object
) -> Markup:
    """`cached_each(name, macro, views, ...)` in a template: `cached` for each of `views`,
    joined (a long list in one call)."""
    return Markup("").join(macro(view, *args) for view in views)


def make_environment(
    journal_templates: Path | None, language: str = DEFAULT_LANGUAGE
) -> jinja2.Environment:
    """Templates from the journal's templates/ first, then the built-in theme, file by file,
    speaking the journal's `language` (`{% trans %}`, `_()`, the `number` filter)."""
    return environment_of(jinja2.Environment, journal_templates, language)


def environment_of(
    kind: type[E], journal_templates: Path | None, language: str = DEFAULT_LANGUAGE
) -> E:
    """`make_environment`, of the class `kind` (one that notes what each page reads, say)."""
    folders = [str(builtin_templates())]
    if journal_templates is not None and journal_templates.is_dir():
        folders.insert(0, str(journal_templates))
    env = kind(
        loader=jinja2.ChoiceLoader([FolderLoader(folder) for folder in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[PhraseBook],
    )
    speak(env, theme_language(language))
    env.globals.setdefault(FRAGMENTS, draw_uncached)  # (a `kind` may bring its own)
    env.globals.setdefault(FRAGMENT_LISTS, draw_each_uncached)
    return env


def code_css() -> str:
    light = HtmlFormatter(style=LIGHT_CODE_STYLE).get_style_defs(".highlight")
    dark = HtmlFormatter(style=DARK_CODE_STYLE).get_style_defs(".highlight")
    return (
        f"\n/* Code: Pygments {LIGHT_CODE_STYLE}, {DARK_CODE_STYLE} in dark mode */\n{light}\n"
        f"@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )


def _files_in(folder: Path) -> list[Path]:
    """The files directly in `folder` (a symlink counts as its target), by name, without
    dotfiles; nothing if it is missing."""
    if not folder.is_dir():
        return []
    items = sorted(folder.iterdir(), key=lambda i: i.name)
    return [item for item in items if item.is_file() and not item.name.startswith(".")]


def asset_files(journal_templates: Path | None = None) -> dict[str, Path]:
    """Output path -> file of each asset, sorted: the theme's, then those of the journal's
    templates/assets/ (`journal_templates` / assets), which replace the theme's of the same
    name or add to them. As with templates, a journal's file whose real path lies outside its
    templates folder (a symlink leading elsewhere) is never published: it is left out."""
    found = {ASSETS_PREFIX + path.name: path for path in _files_in(builtin_assets_folder())}
    if journal_templates is not None:
        inside = journal_templates.resolve()
        for path in _files_in(journal_templates / ASSETS_FOLDER):
            if path.resolve().is_relative_to(inside):
                found[ASSETS_PREFIX + path.name] = path
    return dict(sorted(found.items()))


CUSTOM_CSS = "custom.css"  # a journal's own stylesheet, linked after the theme's


def has_custom_css(journal_templates: Path | None) -> bool:
    """Whether the journal's templates/assets/ holds a custom.css that is published (not a
    symlink leading out), for the pages to link after the theme's stylesheet."""
    if journal_templates is None:
        return False
    return ASSETS_PREFIX + CUSTOM_CSS in asset_files(journal_templates)


def asset_problems(journal_templates: Path) -> list[Problem]:
    """An error for each file of the journal's templates/assets/ left out by `asset_files`
    for leading out of its templates folder, and a warning for each named pipe, socket or
    device in its templates/ (never read: a pipe would hold the build for ever)."""
    inside = journal_templates.resolve()
    problems = [
        error(
            f"templates/{ASSETS_FOLDER}/{path.name}",
            1,
            "this asset is a symlink leading out of its templates folder; copy the file in instead",
        )
        for path in _files_in(journal_templates / ASSETS_FOLDER)
        if not path.resolve().is_relative_to(inside)
    ]
    for path in _special_files(journal_templates):
        name = path.relative_to(journal_templates).as_posix()
        problems.append(
            warning(
                f"templates/{name}",
                1,
                "skipped: this is not a file but a named pipe, socket or device; the theme's "
                "own file of that name is used, if it has one",
            )
        )
    return problems


def _special_files(folder: Path) -> list[Path]:
    """The named pipes, sockets and devices under `folder`, by path."""
    found = []
    for current, _, names in os.walk(folder):
        for name in names:
            path = Path(current, name)
            try:
                mode = path.stat().st_mode
            except OSError:  # a broken symlink: the loader finds no template there either
                continue
            if not stat.S_ISREG(mode):
                found.append(path)
    return sorted(found)


def builtin_assets(journal_templates: Path | None = None) -> dict[str, bytes]:
    """Output path -> bytes of the assets (`asset_files`); the stylesheet, the theme's or the
    journal's own, carries the code colours."""
    assets = {name: path.read_bytes() for name, path in asset_files(journal_templates).items()}
    css = ASSETS_PREFIX + "style.css"
    assets[css] = assets.get(css, b"") + code_css().encode("utf-8")
    return assets

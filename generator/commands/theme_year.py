"""`journal theme YEAR --word WORD`: start a year's theme file, never over one."""

from __future__ import annotations

from pathlib import Path

from generator.commands.console import fail, shown_path
from generator.commands.scaffold import ScaffoldError, make_folder, theme_text
from generator.core.config import CONFIG_NAME
from generator.pipeline.load import POST_SUFFIXES, THEMES_DIR, YEARS
from generator.pipeline.theme_hints import PLACEHOLDER_INTRO


def theme_files_of(root: Path, year: int) -> list[Path]:
    """The files of content/themes (in any of its folders) that are the theme of `year`."""
    folder = root / THEMES_DIR
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob(f"{year}.*")
        if path.suffix in POST_SUFFIXES and path.stem == f"{year}"
    )


def new_theme(root: Path, year: int, word: str, intro: str | None = None) -> Path:
    """Write content/themes/YEAR.md for `word` and `intro` (the placeholder when None).
    Refuses (ScaffoldError) outside a journal and when the year has a theme file already."""
    if not (root / CONFIG_NAME).is_file():
        raise ScaffoldError(
            f"no {CONFIG_NAME} in {root}: run `journal init {root}` to start a journal there, "
            "or pass --root with the journal's folder"
        )
    existing = theme_files_of(root, year)
    if existing:
        raise ScaffoldError(
            f"{shown_path(existing[0], root)} already exists: edit it to change {year}'s word "
            "or intro; nothing was written"
        )
    path = root / THEMES_DIR / f"{year}.md"
    make_folder(root, path.parent)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(theme_text(word, intro or PLACEHOLDER_INTRO))
    return path


def run_theme(root: Path, year: int, word: str | None, intro: str | None = None) -> int:
    """Start the theme of `year` with `word`, and `intro` (a placeholder when None)."""
    example = f"`journal theme {year} --word courage`"
    if year not in YEARS:
        return fail(
            f"{year} is not a year of a journal: give one from {YEARS.start} to {YEARS.stop - 1}"
        )
    if word is None:
        return fail(f"give the year's word with --word, like {example}")
    word = " ".join(word.split())
    if not word:
        return fail(f"--word is empty: give the year's word, like {example}")
    if intro is not None and not intro.strip():
        return fail(
            "--intro is empty: write a sentence or two about the word, or leave --intro "
            "out and write them in the file"
        )
    try:
        path = new_theme(root, year, word, intro)
    except ScaffoldError as exc:
        return fail(f"{exc}")
    except FileExistsError:  # made in the meantime
        shown = shown_path(root / THEMES_DIR / f"{year}.md", root)
        return fail(f"{shown} already exists: edit it instead; nothing was written")
    except OSError as exc:
        where = exc.filename or root
        return fail(f"cannot write {where}: {exc.strerror or exc}")
    shown = shown_path(path, root)
    print(f'Created {shown}: the word for {year} is "{word}".')
    if intro is None:
        print(f"Edit its intro: {shown}")
    return 0

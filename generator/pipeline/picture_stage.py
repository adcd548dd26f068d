"""The pictures stage: every rendering's `<img>` tags completed (picture_tags.py), the errors
of pictures with no file at their lines, and the resized copies to publish (images.py).

It runs after the links are rewritten (crossrefs.py) and before the pages are planned, in a
build that runs once (`pictures_of_build`) and in a watch session
(generator/incremental/kept_pictures.py), which passes what its last build placed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.core.problems import Problem, error
from generator.pipeline.crossrefs import SourceText, line_of, source_texts
from generator.pipeline.images import ImageFacts, VariantStore
from generator.pipeline.load import (
    STATIC_DIR,
    THEMES_DIR,
    Journal,
    SourceFiles,
    StaticFile,
    load_journal,
)
from generator.pipeline.markup import Rendered
from generator.pipeline.picture_tags import (
    Missing,
    PictureBook,
    Placed,
    missing_problem,
    place_images,
)
from generator.pipeline.site import Site


@dataclass(frozen=True)
class Pictured:
    """The renderings with their pictures completed, what each read, and the copies."""

    rendered: dict[str, Rendered]
    placed: dict[str, Placed]
    files: dict[str, bytes]  # the resized copies, by output path
    problems: list[Problem]


def page_paths(site: Site, journal: Journal) -> dict[str, str]:
    """The URL path each source's whole text is shown at: a post's page, a theme's year."""
    base = site.config.base_path
    pages = {key: base + path for key, path in site.urls.items()}
    pages.update({theme.key: f"{base}{theme.year}/" for theme in journal.themes})
    return pages


def place_all(
    rendered: Mapping[str, Rendered],
    pages: Mapping[str, str],
    base_path: str,
    book: PictureBook,
    previous: Mapping[str, Placed] | None = None,
) -> dict[str, Placed]:
    """Every rendering placed (`previous`: the last build's, taken over where it holds)."""
    before = previous or {}
    placed: dict[str, Placed] = {}
    for key, item in rendered.items():
        last = before.get(key)
        if last is not None and last.source is item and not last.uses:
            placed[key] = last  # (no picture: the page it is shown at does not matter)
            continue
        page = pages.get(key, base_path)
        if last is not None and last.still_holds(item, page, book):
            placed[key] = last
        else:
            placed[key] = place_images(key, item, page, base_path, book)
    return placed


def used_pictures(placed: Mapping[str, Placed]) -> list[ImageFacts]:
    """Every picture with a size that some text shows, by path."""
    found: dict[str, ImageFacts] = {}
    for item in placed.values():
        if item.uses:
            found.update((p, facts) for p, facts in item.uses if isinstance(facts, ImageFacts))
    return [found[path] for path in sorted(found)]


def resized_files(
    pictures: list[ImageFacts],
    book: PictureBook,
    store: VariantStore,
    previous: Mapping[str, bytes] | None = None,
) -> tuple[dict[str, bytes], list[Problem]]:
    """The resized copies of `pictures`, by output path (`previous`: copies already at
    hand, by path; a path names the picture's content hash)."""
    before = previous or {}
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    todo: list[tuple[ImageFacts, StaticFile]] = []
    for facts in pictures:
        clashes = [variant.path for variant in facts.variants if variant.path in book.files]
        for path in clashes:
            message = (
                f"this file has the path of a resized copy of {STATIC_DIR}/{facts.path}: rename it"
            )
            problems.append(error(f"{STATIC_DIR}/{path}", 1, message))
        if clashes:
            continue
        if all(variant.path in before for variant in facts.variants):
            files.update((variant.path, before[variant.path]) for variant in facts.variants)
        else:
            todo.append((facts, book.files[facts.path]))
    made, broken = store.all_copies(todo)
    files.update(made)
    problems.extend(broken)
    return dict(sorted(files.items())), problems


def picture_problems(
    placed: Mapping[str, Placed], book: PictureBook, line: Callable[[str, Missing], int]
) -> list[Problem]:
    """The errors of pictures with no file (`line`: where a text shows one) and the
    warnings of files that are not pictures."""
    problems: list[Problem] = []
    shown: list[str] = []
    for key, item in placed.items():
        if item.uses:
            shown.extend(path for path, _ in item.uses)
            problems.extend(missing_problem(key, line(key, gap), gap) for gap in item.missing)
    problems.extend(book.problems(shown))
    return problems


def line_in(sources: Mapping[str, SourceText]) -> Callable[[str, Missing], int]:
    """Where a text shows a missing picture, from the texts at hand."""

    def line(key: str, missing: Missing) -> int:
        return line_of(sources.get(key, SourceText("", 1)), missing.written)

    return line


def pictures_of_build(
    rendered: Mapping[str, Rendered],
    site: Site,
    journal: Journal,
    sources: Mapping[str, SourceText],
    root: Path,
    cache_writable: bool | None,
) -> Pictured:
    """The pictures stage of a build that runs once. `sources`: the texts the renderings
    came from, if at hand (else the files that show a missing picture are read again, for
    its line); `cache_writable`: None without a cache."""
    book = PictureBook(journal.static)
    placed = place_all(rendered, page_paths(site, journal), site.config.base_path, book)
    gaps = sorted(key for key, item in placed.items() if item.missing)
    if gaps and not sources:
        sources = _texts_again(root, site, gaps)
    problems = picture_problems(placed, book, line_in(sources))
    pictures = used_pictures(placed)
    store = VariantStore.of(root, cache_writable is not None, bool(cache_writable))
    files, clashes = resized_files(pictures, book, store)
    store.prune({facts.digest for facts in pictures})
    done = {key: item.rendered for key, item in placed.items()}
    return Pictured(done, placed, files, problems + clashes)


def _texts_again(root: Path, site: Site, keys: list[str]) -> dict[str, SourceText]:
    """The texts of these sources, read again (a build that let go of them)."""
    themes = tuple(key for key in keys if key.startswith(THEMES_DIR + "/"))
    posts = tuple(key for key in keys if not key.startswith(THEMES_DIR + "/"))
    config = site.config
    again = load_journal(root, config.zone, SourceFiles(posts, themes, (), ()), config.next_keyword)
    return source_texts(again)

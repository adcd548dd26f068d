"""The pictures stage of a watch session (pipeline/picture_stage.py), doing again only what
an edit changed.

`KeptPictures` keeps the last build's `PictureBook` (each picture's size and resized copies,
measured once while its bytes stay the same), each text's `<img>` tags as completed, with
the facts they read (`Placed`), and the resized copies' bytes. After an edit, a text is
completed again only when its rendering is new or a picture it shows has other bytes, came
or went; a copy is made again only for a picture whose bytes are new (its path names its
content hash). So a post that shows a picture is drawn again when that picture changes, and
the output stays the one a clean build makes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from generator.pipeline.crossrefs import SourceText
from generator.pipeline.images import VariantStore
from generator.pipeline.load import Journal
from generator.pipeline.markup import Rendered
from generator.pipeline.picture_stage import (
    Pictured,
    line_in,
    page_paths,
    picture_problems,
    place_all,
    resized_files,
    used_pictures,
)
from generator.pipeline.picture_tags import PictureBook, Placed
from generator.pipeline.site import Site


class KeptPictures:
    """What the last build made of the pictures, for the next one to take over."""

    def __init__(self) -> None:
        self._book: PictureBook | None = None
        self._placed: Mapping[str, Placed] = {}
        self._files: Mapping[str, bytes] = {}
        # The page each text is shown at, and what they were worked out from.
        self._pages: dict[str, str] = {}
        self._urls: Mapping[str, str] | None = None
        self._themes: dict[str, int] = {}
        self._base_path = ""

    def pictured(
        self,
        rendered: Mapping[str, Rendered],
        site: Site,
        journal: Journal,
        sources: Mapping[str, SourceText],
        root: Path,
        cache: bool,
        write: bool,
    ) -> Pictured:
        """`picture_stage.pictures_of_build`, taking over what still holds (`cache`: the
        journal's cache is used; `write`: it may be written)."""
        book = PictureBook(journal.static, self._book)
        base_path = site.config.base_path
        themes = {theme.key: theme.year for theme in journal.themes}
        if self._urls is not site.urls or self._themes != themes or self._base_path != base_path:
            self._pages = page_paths(site, journal)
            self._urls, self._themes, self._base_path = site.urls, themes, base_path
        placed = place_all(rendered, self._pages, base_path, book, self._placed)
        problems = picture_problems(placed, book, line_in(sources))
        pictures = used_pictures(placed)
        store = VariantStore.of(root, cache, write)
        files, clashes = resized_files(pictures, book, store, self._files)
        self._book, self._placed, self._files = book, placed, files
        done = {key: item.rendered for key, item in placed.items()}
        return Pictured(done, placed, files, problems + clashes)

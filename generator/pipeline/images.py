"""A post's pictures as files: their size in pixels, and copies of them resized for screens
that need fewer pixels (`srcset`).

Only the images that a post or theme intro shows are looked at. Their size comes from the
file's header (Pillow opens the file without decoding it); a JPEG, PNG or WebP wider than
one of `WIDTHS` also gets a copy at that width. Copies are made with Pillow, with no
metadata (no camera data, no place), at a fixed quality, so the same picture always gives
the same bytes; they are kept in ROOT/.journal-cache/images/ by the picture's content hash
and the width (`VariantStore`), so a build makes a copy only when a picture's bytes are new.
A GIF keeps its one file (it may move); an SVG has no pixels to count.

Pillow is imported only when a journal shows a picture.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from generator.core.problems import Problem, error, warning
from generator.pipeline.cache import CACHE_DIR, PICTURES_DIR
from generator.pipeline.load import STATIC_DIR, StaticFile

if TYPE_CHECKING:
    from PIL import Image

CACHE_FOLDER = f"{CACHE_DIR}/{PICTURES_DIR}"
RESIZED_DIR = "resized"  # where the copies are published: /resized/<hash>-<width>.<ext>
WIDTHS = (480, 960, 1440)
# The widths the theme shows a picture at: the page's measure (38rem) less its padding
# (2 x 1.25rem) on a wide screen, the window's width less the padding on a narrow one.
SIZES = "(min-width: 38rem) 35.5rem, calc(100vw - 2.5rem)"
# The format Pillow writes each resizable kind in, by file suffix.
RESIZABLE: Mapping[str, str] = MappingProxyType(
    {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
)
MEASURED = frozenset({*RESIZABLE, ".gif"})  # the suffixes whose size is read
# Part of the cache's folder name: change it when the settings below change.
VARIANT_SETTINGS = "q82-1"
_JPEG_QUALITY = 82
_WEBP_QUALITY = 80
_REDUCING_GAP = 3.0  # Pillow shrinks by whole factors first while 3x the size is left
_ORIENTATION = 0x0112  # the EXIF tag of how a camera held the picture
_TURNED = frozenset({5, 6, 7, 8})  # orientations that swap width and height
# The first bytes of each format, to tell a copy in the cache from a damaged file.
_MAGIC: Mapping[str, tuple[bytes, ...]] = MappingProxyType(
    {"JPEG": (b"\xff\xd8",), "PNG": (b"\x89PNG",), "WEBP": (b"RIFF",)}
)


@dataclass(frozen=True)
class Variant:
    """One resized copy of a picture, as published."""

    width: int
    height: int
    path: str  # in the output, e.g. "resized/0f3a...-480.jpg"


@dataclass(frozen=True)
class ImageFacts:
    """What the pages need to know of one picture of content/static."""

    path: str  # relative to content/static
    width: int
    height: int
    digest: str  # sha256 of the file's bytes
    variants: tuple[Variant, ...] = ()


@dataclass(frozen=True)
class Measured:
    """A picture's facts (None: not a picture whose pixels can be counted), and the problem
    of a file that claims to be one and is not."""

    facts: ImageFacts | None
    problems: tuple[Problem, ...] = ()


def is_measured(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in MEASURED


def measure(static: StaticFile) -> Measured:
    """The size of a picture of content/static, read from its header, and the copies it
    gets (their bytes are made by `VariantStore.copies`)."""
    suffix = PurePosixPath(static.path).suffix.lower()
    if suffix not in MEASURED:
        return Measured(None)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(static.data)) as image:
            width, height = image.size
            if image.getexif().get(_ORIENTATION) in _TURNED:
                width, height = height, width
            animated = bool(getattr(image, "is_animated", False))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        message = (
            f"this file is not a picture Pillow can read ({type(exc).__name__}): "
            "it is published as it is, without its size on the pages that show it"
        )
        return Measured(None, (warning(f"{STATIC_DIR}/{static.path}", 1, message),))
    digest = hashlib.sha256(static.data).hexdigest()
    variants: tuple[Variant, ...] = ()
    if suffix in RESIZABLE and not animated:
        variants = tuple(
            Variant(w, max(1, round(height * w / width)), _variant_path(digest, w, suffix))
            for w in WIDTHS
            if w < width
        )
    return Measured(ImageFacts(static.path, width, height, digest, variants))


def _variant_path(digest: str, width: int, suffix: str) -> str:
    return f"{RESIZED_DIR}/{digest[:16]}-{width}{'.jpg' if suffix == '.jpeg' else suffix}"


# ---------------------------------------------------------------- making the copies


@dataclass
class VariantStore:
    """The resized copies kept in the journal's cache folder (None: --no-cache, then copies
    are made in memory only). A store that is not `writable` (`journal check`) only reads."""

    folder: Path | None
    writable: bool = True
    _version: str = field(default="", repr=False)

    @staticmethod
    def of(root: Path, cache: bool, writable: bool) -> VariantStore:
        return VariantStore(root / CACHE_FOLDER if cache else None, writable)

    def copies(self, facts: ImageFacts, static: StaticFile) -> dict[str, bytes]:
        """Every resized copy of one picture, by output path: from the cache if it holds
        them all, else all made (and kept). They are made alike either way: the same bytes
        whatever the cache held."""
        kind = RESIZABLE[PurePosixPath(static.path).suffix.lower()]
        found: dict[str, bytes] = {}
        for variant in facts.variants:
            data = self._read(facts.digest, variant.width, kind)
            if data is None:
                break
            found[variant.path] = data
        else:
            return found
        sizes = [(variant.width, variant.height) for variant in facts.variants]
        made = resized_copies(static.data, kind, sizes)
        copies: dict[str, bytes] = {}
        for variant, data in zip(facts.variants, made, strict=True):
            copies[variant.path] = data
            file = self._file(facts.digest, variant.width, kind)
            if file is not None and self.writable:
                _store(file, data)
        return copies

    def all_copies(
        self, pictures: Sequence[tuple[ImageFacts, StaticFile]]
    ) -> tuple[dict[str, bytes], list[Problem]]:
        """`copies` of every picture, by output path, and the errors of pictures that cannot
        be read to their end. Pillow lets other threads run while it decodes, resizes and
        encodes, so the pictures are made on as many threads as the machine has processors."""
        if not pictures:
            return {}, []
        workers = min(len(pictures), os.cpu_count() or 1)
        if workers == 1:
            done = [self._copies_or_problem(facts, static) for facts, static in pictures]
        else:
            with ThreadPoolExecutor(workers) as pool:
                done = list(pool.map(lambda item: self._copies_or_problem(*item), pictures))
        files: dict[str, bytes] = {}
        problems: list[Problem] = []
        for made in done:
            if isinstance(made, Problem):
                problems.append(made)
            else:
                files.update(made)
        return files, problems

    def _copies_or_problem(
        self, facts: ImageFacts, static: StaticFile
    ) -> dict[str, bytes] | Problem:
        from PIL import Image

        try:
            return self.copies(facts, static)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            message = (
                f"this picture cannot be read to its end ({exc}): save it again from the "
                "program that made it"
            )
            return error(f"{STATIC_DIR}/{static.path}", 1, message)

    def _read(self, digest: str, width: int, kind: str) -> bytes | None:
        file = self._file(digest, width, kind)
        if file is None:
            return None
        try:
            data = file.read_bytes()
        except OSError:
            return None
        return data if data.startswith(_MAGIC[kind]) else None

    def prune(self, keep: set[str]) -> None:
        """Forget the copies of pictures no longer shown (`keep`: their digests), and the
        folders of other settings or Pillow versions."""
        if self.folder is None or not self.writable or not self.folder.is_dir():
            return
        current = self._subfolder()
        for path in sorted(self.folder.iterdir()):
            if path.is_dir() and path != current:
                for item in path.iterdir():
                    item.unlink(missing_ok=True)
                path.rmdir()
        if current.is_dir():
            for item in current.iterdir():
                if item.name.split("-", 1)[0] not in keep:
                    item.unlink(missing_ok=True)

    def _subfolder(self) -> Path:
        assert self.folder is not None
        if not self._version:
            import PIL

            self._version = f"pillow-{PIL.__version__}-{VARIANT_SETTINGS}"
        return self.folder / self._version

    def _file(self, digest: str, width: int, kind: str) -> Path | None:
        if self.folder is None:
            return None
        return self._subfolder() / f"{digest}-{width}.{kind.lower()}"


def _store(file: Path, data: bytes) -> None:
    """Keep a copy in the cache, whole or not at all; a cache that cannot be written is a
    cache that misses."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handle, staged = tempfile.mkstemp(dir=file.parent, prefix=".staged-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(staged, file)
    except OSError:
        return


def resized_copies(data: bytes, kind: str, sizes: Sequence[tuple[int, int]]) -> list[bytes]:
    """The picture at each of `sizes` (width, height; smallest first), turned upright,
    without metadata (the colour profile is kept: without it the colours would change).
    The picture is decoded once (a JPEG at the smallest scale that still holds the largest
    size), each copy is made from the next larger one."""
    from PIL import Image, ImageOps

    largest = max(sizes)
    with Image.open(io.BytesIO(data)) as opened:
        profile = opened.info.get("icc_profile")
        if kind == "JPEG":
            turned = opened.getexif().get(_ORIENTATION) in _TURNED
            opened.draft(opened.mode, largest[::-1] if turned else largest)
        image = _plain_mode(ImageOps.exif_transpose(opened) or opened, kind)
    options: dict[str, Any] = {"icc_profile": profile} if profile else {}
    made: list[bytes] = []
    for size in sorted(sizes, reverse=True):
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP)
        out = io.BytesIO()
        if kind == "JPEG":
            image.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True, **options)
        elif kind == "WEBP":
            image.save(out, "WEBP", quality=_WEBP_QUALITY, method=4, **options)
        else:
            image.save(out, "PNG", **options)
        made.append(out.getvalue())
    return made[::-1]


def _plain_mode(image: Image.Image, kind: str) -> Image.Image:
    """The picture in a mode that resizes smoothly and saves in its own format."""
    keep = {"JPEG": ("L", "RGB", "CMYK")}.get(kind, ("L", "LA", "RGB", "RGBA"))
    if image.mode in keep:
        return image
    clear = "transparency" in image.info or image.mode in ("PA", "RGBa", "La")
    return image.convert("RGBA" if clear and kind != "JPEG" else "RGB")

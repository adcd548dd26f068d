"""The files a writer stages beside their targets, and the looks at a target that decide
whether a file needs staging at all (`write.SiteWriter`).

A file is staged as `.name.journal-tmp` in its target's folder, so that putting it in place
is one rename; names of that form are the writer's alone, and `remove_staged` deletes those
that a killed build left. A target is taken to hold a file's bytes when the manifest's entry
vouches for them and its size and mtime still match, or else when its bytes are compared.
`Folders` makes the folders staged files need, and takes them away again if the build is
abandoned.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.pipeline.manifest import Entry

STAGED_SUFFIX = ".journal-tmp"
SPILL = 1 << 22  # bytes of one file held in memory before it goes to its staged file


def staged_name(target: str) -> str:
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}{STAGED_SUFFIX}")


def remove_staged(output: Path) -> None:
    """Delete the staged files that a killed build left (their names are ours alone)."""
    for folder, _, names in os.walk(output):
        for name in names:
            if name.startswith(".") and name.endswith(STAGED_SUFFIX):
                unlink_quietly(os.path.join(folder, name))


def lstat_or_none(target: str) -> os.stat_result | None:
    try:
        return os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):
        return None


@dataclass(frozen=True)
class Spilled:
    """Chunks read to their end: their SHA-256 and size, and their bytes, or, past `SPILL`
    bytes, the staged file they went to (then `data` is empty)."""

    digest: str
    size: int
    data: bytes
    staged: str | None


def spill_chunks(chunks: Iterable[bytes], stage: Callable[[], str]) -> Spilled:
    """Read `chunks`, holding them in memory up to `SPILL` bytes and writing the rest to the
    file that `stage` makes ready and names, so that a file of any size costs little memory.
    If iterating `chunks` raises, the staged file is removed and the exception goes on."""
    digest = hashlib.sha256()
    held: list[bytes] = []
    size = 0
    handle = None
    staged = None
    try:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            if handle is not None:
                handle.write(chunk)
                continue
            held.append(chunk)
            if size > SPILL:
                staged = stage()
                handle = open(staged, "wb")  # noqa: SIM115
                handle.writelines(held)
                held = []
    except BaseException:
        if handle is not None:
            handle.close()
            assert staged is not None
            unlink_quietly(staged)
        raise
    if handle is None:
        return Spilled(digest.hexdigest(), size, b"".join(held), None)
    handle.close()
    return Spilled(digest.hexdigest(), size, b"", staged)


def holds_bytes(
    target: str, status: os.stat_result | None, digest: str, data: bytes, entry: Entry | None
) -> bool:
    """True if the file at `target` (whose lstat is `status`) holds exactly `data`."""
    if status is None or not stat.S_ISREG(status.st_mode) or status.st_size != len(data):
        return False
    if entry is not None and entry.sha256 == digest and status.st_mtime_ns == entry.mtime_ns:
        return True  # the manifest vouches for these bytes
    with open(target, "rb") as handle:
        return handle.read() == data


def holds_file(
    target: str,
    status: os.stat_result | None,
    digest: str,
    staged: str,
    size: int,
    entry: Entry | None,
) -> bool:
    """True if the file at `target` (whose lstat is `status`) holds exactly the bytes of the
    file `staged` (`size` bytes whose SHA-256 is `digest`)."""
    if status is None or not stat.S_ISREG(status.st_mode) or status.st_size != size:
        return False
    if entry is not None and entry.sha256 == digest and status.st_mtime_ns == entry.mtime_ns:
        return True  # the manifest vouches for these bytes
    return filecmp.cmp(staged, target, shallow=False)


def left_as(target: str, entry: Entry) -> bool:
    """True if the file at `target` is still the plain file of the size and mtime that the
    manifest's entry records (as the build that wrote it left it)."""
    status = lstat_or_none(target)
    return (
        status is not None
        and stat.S_ISREG(status.st_mode)
        and status.st_size == entry.size
        and status.st_mtime_ns == entry.mtime_ns
    )


def unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return


def status_key(path: Path) -> tuple[int, int, int]:
    """The file's size, mtime and inode; (-1, -1, -1) when it is not there."""
    try:
        status = path.stat()
    except OSError:
        return (-1, -1, -1)
    return (status.st_size, status.st_mtime_ns, status.st_ino)


class Folders:
    """The folders that staged files need, made as they are first needed. `made` lists the
    ones made here, parents first, so that `remove_made` can take them away again."""

    def __init__(self) -> None:
        self.made: list[str] = []
        self._known: set[str] = set()  # folders known to exist

    def make(self, folder: str) -> None:
        if folder in self._known:
            return
        self._known.add(folder)
        missing: list[str] = []
        while not os.path.isdir(folder):
            missing.append(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        for made in reversed(missing):
            try:
                os.mkdir(made)
            except FileExistsError:
                continue
            self.made.append(made)

    def remove_made(self) -> None:
        """Remove the folders made here that are empty, deepest first."""
        for folder in reversed(self.made):
            try:
                os.rmdir(folder)
            except OSError:
                continue

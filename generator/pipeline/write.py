"""Write stage: {output path: bytes} -> the output folder. The only writer of output/.

Safety rules: every file is replaced atomically (a temporary file, then a rename), files whose
bytes did not change are left alone (mtimes kept), and only files listed in the folder's
manifest (written by an earlier build) are ever deleted. A folder that is not empty and has no
manifest is not ours and is refused, as is any folder that holds the journal itself.

Rebuilding in one process (`journal serve`), a writer hands the next one a `WriterMemory`, so
that a build costs work in proportion to the files that change, plus a few set operations over
every path (at 10,000 posts, a full pass of Python code over 11,000 paths costs tenths of a
second). What it remembers, and why that stays safe:

- the output's checked layout: each path's file name, and the folders seen plain
  (output_layout.py says what is kept of them and why);
- the manifest as saved, while the file's size, mtime and inode are the ones it was saved
  with, and its text one file at a time, so saving it again re-encodes only changed entries.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.core.faults import FaultPoint, fault_point
from generator.core.problems import Problem, error
from generator.pipeline.manifest import (
    Entry,
    ManifestState,
    ManifestText,
    manifest_bytes,
    manifest_text,
    parse_manifest,
)
from generator.pipeline.output_layout import Layout, Seen, checked_folders, checked_layout
from generator.pipeline.staging import (
    Folders,
    holds_bytes,
    holds_file,
    left_as,
    lstat_or_none,
    remove_staged,
    spill_chunks,
    staged_name,
    status_key,
    unlink_quietly,
)

MANIFEST = ".journal-manifest.json"


@dataclass(frozen=True)
class WriteResult:
    written: tuple[str, ...]
    unchanged: int
    deleted: tuple[str, ...]


@dataclass(frozen=True)
class WriterMemory:
    """What a writer leaves the next build in the same process (see the module's docstring).
    Read only: the next writer never changes these mappings."""

    real_out: Path
    manifest_status: tuple[int, int, int]
    entries: Mapping[str, Entry]
    text: ManifestText | None
    layout: Layout
    folders: Mapping[str, Seen]


def display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return str(path)
    except (OSError, RuntimeError):  # a symlink loop: named as it is written
        absolute = path.absolute()
        inside = absolute.is_relative_to(root.absolute())
        return absolute.relative_to(root.absolute()).as_posix() if inside else str(path)


def output_problems(root: Path, output: Path) -> list[Problem]:
    """Why `output` must not be written to, if it must not (nothing is touched here)."""
    shown = display_path(output, root)
    try:
        real_root, real_out = root.resolve(), output.resolve()
    except (OSError, RuntimeError):  # (a symlink loop: RuntimeError before Python 3.13)
        loop = "it is a symlink that leads back to itself; remove it or point it at a folder"
        return [
            error(shown, 1, f"refusing to build into {shown}: {loop} (choose it with --output)")
        ]
    protected = [real_root / "content", real_root / "templates", real_root / ".git"]
    if real_out == real_root or real_root.is_relative_to(real_out):
        reason = "it is the journal's folder or holds it; building there would overwrite your work"
    elif any(real_out == p or real_out.is_relative_to(p) for p in protected):
        reason = "it is inside the journal's content, templates or .git"
    elif real_out.exists() and not real_out.is_dir():
        reason = "it is a file, not a folder"
    elif real_out.is_dir() and not _ours(real_out) and any(real_out.iterdir()):
        reason = "it is not empty and was not made by `journal build`; empty it or pick another"
    else:
        return []
    return [error(shown, 1, f"refusing to build into {shown}: {reason} (choose it with --output)")]


def _ours(folder: Path) -> bool:
    """True if a build of ours wrote the folder: it holds a manifest, or the mark a build
    leaves while it stages files (a first build killed before it could save a manifest:
    its staged files are all it wrote, and the next build removes them)."""
    return (folder / MANIFEST).is_file() or (folder / STAGING_MARK).is_file()


def safe_target(output: Path, relative: str) -> Path:
    """output/relative, refusing any path that could lead out of the output folder."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts):
        raise ValueError(f"unsafe output path {relative!r}")
    if "\\" in relative or "\x00" in relative:
        raise ValueError(f"unsafe output path {relative!r}")
    return output.joinpath(*pure.parts)


def write_site(output: Path, files: Mapping[str, bytes]) -> WriteResult:
    """Make `output` hold exactly `files` (plus the manifest), touching only what changed."""
    writer = SiteWriter(output, files)
    try:
        for path in sorted(files):
            writer.put(path, files[path])
    except BaseException:
        writer.abort()
        raise
    return writer.commit()


STAGING_MARK = ".journal-build.journal-tmp"  # in the output while a build stages files


class SiteWriter:
    """Writes one build into `output`, file by file, and shows it all at once.

    Made with every path the build will have (a path that could lead out of the folder
    raises ValueError before anything is touched). `put` stages a file's bytes beside it
    (`.name.journal-tmp`) unless they are the bytes already there; `keep` accepts the file
    already there when the manifest vouches for it; `commit` moves the staged files into
    place, deletes the stale files of the previous build and saves the manifest; `abort`
    removes what was staged and the folders made for it, leaving the output as it was.

    A build killed while staging leaves its staged files and a mark (`STAGING_MARK`); one
    killed while committing leaves a manifest marked unfinished that lists every path it
    may have written. Either way the next build removes what is left.

    Nothing is held in memory but the manifest: pages can be written as they are rendered.
    `known` is what the writer of this process's last build left (`saved`): paths, folders
    and the manifest it holds are used only as far as they still hold (see the module).
    """

    def __init__(
        self,
        output: Path,
        paths: Iterable[str],
        known: WriterMemory | None = None,
    ) -> None:
        self.output = output
        self.real_out = output.resolve()
        self._root = os.path.abspath(output)
        memory = known if known is not None and known.real_out == self.real_out else None
        # Both raise before anything is written.
        self._layout = checked_layout(output, paths, memory.layout if memory else None)
        self.targets = self._layout.targets
        self._seen = checked_folders(self._layout, self.real_out, memory.folders if memory else {})
        manifest = output / MANIFEST
        self.old: Mapping[str, Entry]
        self._old_text: ManifestText | None
        # True when the manifest is the one this process saved last: nothing rewrote it.
        self.remembered = memory is not None and memory.manifest_status == status_key(manifest)
        if memory is not None and self.remembered:
            self.old, self._unfinished, self._old_text = memory.entries, False, memory.text
        else:
            state = read_manifest_state(output)
            self.old, self._unfinished, self._old_text = state.entries, state.unfinished, None
        self._mark = os.path.join(self._root, STAGING_MARK)
        self._leftovers = self._unfinished or os.path.lexists(self._mark)
        self.current: dict[str, Entry] = {}
        self._touched: set[str] = set()  # paths whose entry is not the one `old` holds
        self.staged: dict[str, str] = {}
        self.unchanged = 0
        self._folders = Folders()  # those made by this writer, and those known to exist
        self._marked = False
        self.saved: WriterMemory | None = None
        self._faults = {point: fault_point(point) for point in ("staged", "swap", "manifest")}

    def keep(self, path: str, sha256: str) -> bool:
        """Leave the file as it is if the manifest says it holds bytes of this digest and
        its size and mtime still match; False (nothing done) otherwise."""
        return not self.keep_all(((path, sha256),))

    def keep_all(self, files: Iterable[tuple[str, str]]) -> list[str]:
        """`keep` for each (path, SHA-256), in one loop (watch mode keeps thousands of files
        at each build); the paths that could not be kept."""
        old, targets, current = self.old, self.targets, self.current
        refused: list[str] = []
        kept = 0
        for path, sha256 in files:
            entry = old.get(path)
            if entry is None or entry.sha256 != sha256 or not left_as(targets[path], entry):
                refused.append(path)
                continue
            current[path] = entry
            kept += 1
        self.unchanged += kept
        return refused

    def put(self, path: str, data: bytes) -> str:
        """Stage `data` for `path` unless the file already holds it; returns its SHA-256."""
        return self._put(path, data, hashlib.sha256(data).hexdigest())

    def _put(self, path: str, data: bytes, digest: str) -> str:
        """`put` of bytes whose SHA-256 is known."""
        target = self.targets[path]
        status = lstat_or_none(target)
        if holds_bytes(target, status, digest, data, self.old.get(path)):
            assert status is not None
            self.current[path] = Entry(digest, status.st_size, status.st_mtime_ns)
            self._touched.add(path)
            self.unchanged += 1
            return digest
        staged = self._stage(target, status)
        with open(staged, "wb") as handle:
            handle.write(data)
        self.staged[path] = staged
        self.current[path] = Entry(digest, len(data), -1)
        self._touched.add(path)
        return digest

    def put_chunks(self, path: str, chunks: Iterable[bytes]) -> str:
        """`put` for bytes that come in chunks: past `SPILL` bytes they go straight to the
        staged file, so a file of any size costs little memory. If iterating `chunks` raises,
        nothing is staged for `path` and the exception goes on."""
        target = self.targets[path]
        read = spill_chunks(chunks, lambda: self._stage(target, lstat_or_none(target)))
        if read.staged is None:
            return self._put(path, read.data, read.digest)
        status = lstat_or_none(target)  # the staged file is kept unless these are its bytes
        if holds_file(target, status, read.digest, read.staged, read.size, self.old.get(path)):
            assert status is not None
            unlink_quietly(read.staged)
            self.current[path] = Entry(read.digest, status.st_size, status.st_mtime_ns)
            self.unchanged += 1
        else:
            self.staged[path] = read.staged
            self.current[path] = Entry(read.digest, read.size, -1)
        self._touched.add(path)
        return read.digest

    def take_over(self, path: str, entry: Entry, staged: str | None) -> None:
        """A file that another process, forked from this one, staged for this writer
        (`staged`: its staged file's name; None when the output held its bytes already)."""
        if staged is None:
            self.unchanged += 1
        else:
            self.staged[path] = staged
        self.current[path] = entry
        self._touched.add(path)

    def discard(self, path: str) -> None:
        """Forget what was staged for `path` (its page failed to render)."""
        staged = self.staged.pop(path, None)
        if staged is not None:
            unlink_quietly(staged)
        self.current.pop(path, None)

    def commit(self) -> WriteResult:
        """Put the staged files in place, delete the stale ones, save the manifest."""
        self._folders.make(self._root)
        if self._leftovers and not self._marked:
            remove_staged(self.output)
        text = self._old_text
        new = [path for path in self.staged if path not in self.old]
        if new or self._unfinished:
            # Files the old manifest does not list are about to appear: list them first, so
            # that a build killed from here on leaves nothing the next one does not know.
            pending = {**self.old, **dict.fromkeys(new, Entry("", -1, -1))}
            text = manifest_text(pending, text)
            save_manifest(self.output, text, True, self._faults["manifest"])
        written = sorted(self.staged)
        for path in written:
            target = self.targets[path]
            self._faults["swap"].passed()
            os.replace(self.staged[path], target)
            status = os.stat(target)
            digest = self.current[path].sha256
            self.current[path] = Entry(digest, status.st_size, status.st_mtime_ns)
        self.staged = {}
        stale = self.old.keys() - self.targets.keys()
        deleted = delete_stale(self.output, self.real_out, stale)
        if self.current != self.old or deleted or new or self._unfinished:
            text = manifest_text(self.current, text, sorted(self._touched))
            save_manifest(self.output, text, fault=self._faults["manifest"])
        saved_status = status_key(self.output / MANIFEST)
        self.saved = WriterMemory(
            self.real_out, saved_status, self.current, text, self._layout, self._seen
        )
        if self._marked or self._leftovers:
            unlink_quietly(self._mark)
        return WriteResult(tuple(written), self.unchanged, tuple(deleted))

    def abort(self) -> None:
        """Remove what was staged, and the folders made for it; the output is as it was."""
        for staged in self.staged.values():
            unlink_quietly(staged)
        self.staged = {}
        if self._marked:
            unlink_quietly(self._mark)
        self._folders.remove_made()

    def _stage(self, target: str, status: os.stat_result | None) -> str:
        """The staged file's name for `target`, once the folders and the mark exist."""
        self._faults["staged"].passed()
        if status is not None and stat.S_ISDIR(status.st_mode):
            raise ValueError(f"{target} is a folder where a page belongs; remove it by hand")
        self.prepare()
        self._folders.make(os.path.dirname(target))
        return staged_name(target)

    def prepare(self, paths: Iterable[str] = ()) -> None:
        """Make the output's folder and the staging mark, once, before the first file is
        staged; and the folders of `paths` (before a process forked from this one stages
        their files: an abort removes the folders this process made, and only those)."""
        for path in paths:
            self._folders.make(os.path.dirname(self.targets[path]))
        if not self._marked:
            self._folders.make(self._root)
            if self._leftovers:
                remove_staged(self.output)  # a killed build's, before this one adds its own
            with open(self._mark, "wb"):
                pass
            self._marked = True


def replace_atomically(
    target: Path, data: bytes, fault: FaultPoint | None = None, temporary: Path | None = None
) -> None:
    """Write `data` beside `target` (to `temporary`, by default a name of this process's),
    then rename it over `target` (`fault`: passed between the two)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        raise ValueError(f"{target} is a folder where a page belongs; remove it by hand")
    if target.is_symlink():
        target.unlink()
    temporary = temporary or target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        if fault is not None:
            fault.passed()
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()


def delete_stale(output: Path, real_out: Path, stale: Iterable[str]) -> list[str]:
    deleted: list[str] = []
    for path in sorted(stale):
        try:
            target = safe_target(output, path)
        except ValueError:
            continue
        if not target.parent.resolve().is_relative_to(real_out):
            continue
        if target.is_file() or target.is_symlink():
            target.unlink()
            deleted.append(path)
        remove_empty_parents(target.parent, output)
    return deleted


def remove_empty_parents(folder: Path, output: Path) -> None:
    while folder != output and folder.is_relative_to(output):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def read_manifest(output: Path) -> dict[str, Entry]:
    """The files an earlier build wrote; an unreadable manifest counts as none."""
    return read_manifest_state(output).entries


def read_manifest_state(output: Path) -> ManifestState:
    """What the output's manifest says of an earlier build; an unreadable one counts as none."""
    try:
        text = (output / MANIFEST).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return ManifestState({})
    return parse_manifest(text)


def save_manifest(
    output: Path, text: ManifestText, unfinished: bool = False, fault: FaultPoint | None = None
) -> None:
    """Write the manifest (its format: manifest.py), replacing the last one atomically. Its
    new bytes are staged as a page's are: a build killed before the rename leaves a file the
    next build removes with the other staged ones."""
    target = output / MANIFEST
    temporary = Path(staged_name(str(target)))
    replace_atomically(target, manifest_bytes(text, unfinished), fault, temporary)

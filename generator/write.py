"""Write stage: {output path: bytes} -> the output folder. The only writer of output/.

Safety rules: every file is replaced atomically (a temporary file, then a rename), files whose
bytes did not change are left alone (mtimes kept), and only files listed in the folder's
manifest (written by an earlier build) are ever deleted. A folder that is not empty and has no
manifest is not ours and is refused, as is any folder that holds the journal itself.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.problems import Problem, error

MANIFEST = ".journal-manifest.json"
_MANIFEST_VERSION = 1


@dataclass(frozen=True)
class WriteResult:
    written: tuple[str, ...]
    unchanged: int
    deleted: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    sha256: str
    size: int
    mtime_ns: int


def display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def output_problems(root: Path, output: Path) -> list[Problem]:
    """Why `output` must not be written to, if it must not (nothing is touched here)."""
    shown = display_path(output, root)
    real_root, real_out = root.resolve(), output.resolve()
    protected = [real_root / "content", real_root / "templates", real_root / ".git"]
    if real_out == real_root or real_root.is_relative_to(real_out):
        reason = "it is the journal's folder or holds it; building there would overwrite your work"
    elif any(real_out == p or real_out.is_relative_to(p) for p in protected):
        reason = "it is inside the journal's content, templates or .git"
    elif real_out.exists() and not real_out.is_dir():
        reason = "it is a file, not a folder"
    elif real_out.is_dir() and not (real_out / MANIFEST).is_file() and any(real_out.iterdir()):
        reason = "it is not empty and was not made by `journal build`; empty it or pick another"
    else:
        return []
    return [error(shown, 1, f"refusing to build into {shown}: {reason} (choose it with --output)")]


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
    `known` is the manifest as this process last saved it, with the file status it had
    then: if the file is unchanged it is not read again.
    """

    def __init__(
        self,
        output: Path,
        paths: Iterable[str],
        known: tuple[tuple[int, int, int], dict[str, Entry]] | None = None,
    ) -> None:
        self.output = output
        self.real_out = output.resolve()
        self._root = os.path.abspath(output)
        self.targets = checked_targets(output, self.real_out, paths)  # raises before writing
        manifest = output / MANIFEST
        self._old_manifest_status = _status_key(manifest)
        if known is not None and known[0] == self._old_manifest_status:
            self.old, self._unfinished = dict(known[1]), False
        else:
            self.old, self._unfinished = read_manifest_state(output)
        mark = os.path.join(self._root, STAGING_MARK)
        self._leftovers = self._unfinished or os.path.lexists(mark)
        self.current: dict[str, Entry] = {}
        self.staged: dict[str, str] = {}
        self.unchanged = 0
        self._made: list[str] = []  # folders made by this writer, parents first
        self._folders: set[str] = set()  # folders known to exist
        self._marked = False
        self._old_manifest: bytes | None = None
        self._pending_saved = False
        self.saved: tuple[tuple[int, int, int], dict[str, Entry]] | None = None

    def keep(self, path: str, sha256: str) -> bool:
        """Leave the file as it is if the manifest says it holds bytes of this digest and
        its size and mtime still match; False (nothing done) otherwise."""
        entry = self.old.get(path)
        if entry is None or entry.sha256 != sha256:
            return False
        status = _lstat(self.targets[path])
        if status is None or not stat.S_ISREG(status.st_mode):
            return False
        if (status.st_size, status.st_mtime_ns) != (entry.size, entry.mtime_ns):
            return False
        self.current[path] = entry
        self.unchanged += 1
        return True

    def put(self, path: str, data: bytes) -> str:
        """Stage `data` for `path` unless the file already holds it; returns its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.targets[path]
        status = _lstat(target)
        if _holds(target, status, digest, data, self.old.get(path)):
            assert status is not None
            self.current[path] = Entry(digest, status.st_size, status.st_mtime_ns)
            self.unchanged += 1
            return digest
        staged = self._stage(target, status)
        with open(staged, "wb") as handle:
            handle.write(data)
        self.staged[path] = staged
        self.current[path] = Entry(digest, len(data), -1)
        return digest

    def put_chunks(self, path: str, chunks: Iterable[bytes]) -> str:
        """`put` for bytes that come in chunks: past `SPILL` bytes they go straight to the
        staged file, so a file of any size costs little memory. If iterating `chunks` raises,
        nothing is staged for `path` and the exception goes on."""
        digest = hashlib.sha256()
        held: list[bytes] = []
        size = 0
        handle = None
        target = self.targets[path]
        staged = _staged_name(target)
        try:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                if handle is not None:
                    handle.write(chunk)
                    continue
                held.append(chunk)
                if size > SPILL:
                    handle = open(self._stage(target, _lstat(target)), "wb")  # noqa: SIM115
                    handle.writelines(held)
                    held = []
        except BaseException:
            if handle is not None:
                handle.close()
                _unlink(staged)
            raise
        if handle is None:
            return self.put(path, b"".join(held))
        handle.close()
        return self._staged_or_same(path, staged, digest.hexdigest(), size)

    def discard(self, path: str) -> None:
        """Forget what was staged for `path` (its page failed to render)."""
        staged = self.staged.pop(path, None)
        if staged is not None:
            _unlink(staged)
        self.current.pop(path, None)

    def commit(self) -> WriteResult:
        """Put the staged files in place, delete the stale ones, save the manifest."""
        self._make_folder(self._root)
        if self._leftovers and not self._marked:
            remove_staged(self.output)
        new = [path for path in self.staged if path not in self.old]
        if new or self._unfinished:
            # Files the old manifest does not list are about to appear: list them first, so
            # that a build killed from here on leaves nothing the next one does not know.
            pending = dict(self.old)
            pending.update({p: self.old.get(p, Entry("", -1, -1)) for p in self.targets})
            self._save_old_manifest()
            save_manifest(self.output, pending, unfinished=True)
            self._pending_saved = True
        written: list[str] = []
        for path in sorted(self.staged):
            target = self.targets[path]
            os.replace(self.staged[path], target)
            status = os.stat(target)
            digest = self.current[path].sha256
            self.current[path] = Entry(digest, status.st_size, status.st_mtime_ns)
            written.append(path)
        self.staged = {}
        stale = [p for p in self.old if p not in self.targets]
        deleted = delete_stale(self.output, self.real_out, stale)
        if self.current != self.old or deleted or self._pending_saved or self._unfinished:
            save_manifest(self.output, self.current)
        self.saved = (_status_key(self.output / MANIFEST), self.current)
        if self._marked or self._leftovers:
            _unlink(os.path.join(self._root, STAGING_MARK))
        return WriteResult(tuple(written), self.unchanged, tuple(deleted))

    def abort(self) -> None:
        """Remove what was staged, and the folders made for it; the output is as it was."""
        for staged in self.staged.values():
            _unlink(staged)
        self.staged = {}
        if self._marked:
            _unlink(os.path.join(self._root, STAGING_MARK))
        for folder in reversed(self._made):
            try:
                os.rmdir(folder)
            except OSError:
                continue

    def _save_old_manifest(self) -> None:
        self._old_manifest = _read_or_none(self.output / MANIFEST)

    def _stage(self, target: str, status: os.stat_result | None) -> str:
        """The staged file's name for `target`, once the folders and the mark exist."""
        if status is not None and stat.S_ISDIR(status.st_mode):
            raise ValueError(f"{target} is a folder where a page belongs; remove it by hand")
        if not self._marked:
            self._make_folder(self._root)
            if self._leftovers:
                remove_staged(self.output)  # a killed build's, before this one adds its own
            with open(os.path.join(self._root, STAGING_MARK), "wb"):
                pass
            self._marked = True
        self._make_folder(os.path.dirname(target))
        return _staged_name(target)

    def _staged_or_same(self, path: str, staged: str, digest: str, size: int) -> str:
        """Keep the staged file, unless the target already holds the same bytes."""
        target = self.targets[path]
        status = _lstat(target)
        entry = self.old.get(path)
        same = False
        if status is not None and stat.S_ISREG(status.st_mode) and status.st_size == size:
            vouched = entry is not None and entry.sha256 == digest
            if vouched and entry is not None:
                same = status.st_mtime_ns == entry.mtime_ns
            same = same or filecmp.cmp(staged, target, shallow=False)
        if same:
            assert status is not None
            _unlink(staged)
            self.current[path] = Entry(digest, status.st_size, status.st_mtime_ns)
            self.unchanged += 1
        else:
            self.staged[path] = staged
            self.current[path] = Entry(digest, size, -1)
        return digest

    def _make_folder(self, folder: str) -> None:
        if folder in self._folders:
            return
        self._folders.add(folder)
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
            self._made.append(made)


def _status_key(path: Path) -> tuple[int, int, int]:
    try:
        status = path.stat()
    except OSError:
        return (-1, -1, -1)
    return (status.st_size, status.st_mtime_ns, status.st_ino)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


_STAGED_SUFFIX = ".journal-tmp"
SPILL = 1 << 22  # bytes of one file held in memory before it goes to its staged file


def _staged_name(target: str) -> str:
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}{_STAGED_SUFFIX}")


def remove_staged(output: Path) -> None:
    """Delete the staged files that a killed build left (their names are ours alone)."""
    for folder, _, names in os.walk(output):
        for name in names:
            if name.startswith(".") and name.endswith(_STAGED_SUFFIX):
                _unlink(os.path.join(folder, name))


def _lstat(target: str) -> os.stat_result | None:
    try:
        return os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _holds(
    target: str, status: os.stat_result | None, digest: str, data: bytes, entry: Entry | None
) -> bool:
    """True if the file at `target` (whose lstat is `status`) holds exactly `data`."""
    if status is None or not stat.S_ISREG(status.st_mode) or status.st_size != len(data):
        return False
    vouched = entry is not None and entry.sha256 == digest
    if vouched and entry is not None and status.st_mtime_ns == entry.mtime_ns:
        return True
    with open(target, "rb") as handle:
        return handle.read() == data


def checked_targets(output: Path, real_out: Path, paths: Iterable[str]) -> dict[str, str]:
    """Each output path's file (as a string), sorted; ValueError for any that could lead out
    of the folder (an unsafe name, or a symlinked folder on the way), so that a bad one is
    found before the first file is written. A folder where a file belongs is found when the
    file is staged (and the build is then aborted)."""
    targets: dict[str, str] = {}
    inside: dict[Path, bool] = {}
    root = str(output)
    folders_seen: set[str] = set()
    for path in sorted(paths):
        parts = path.split("/")
        if not _safe_parts(path, parts):
            raise ValueError(f"unsafe output path {path!r}")
        folder = "/".join(parts[:-1])
        if folder not in folders_seen:
            if not _stays_inside(output.joinpath(*parts[:-1]), output, real_out, inside):
                raise ValueError(f"output path {path!r} leads out of {output} through a symlink")
            folders_seen.add(folder)
        targets[path] = os.path.join(root, *parts)
    return targets


def _stays_inside(folder: Path, output: Path, real_out: Path, known: dict[Path, bool]) -> bool:
    """True if `folder` (under `output`) resolves inside `real_out`; folder by folder, each
    looked at once per build."""
    if folder == output:
        return True
    answer = known.get(folder)
    if answer is None:
        if not _stays_inside(folder.parent, output, real_out, known):
            answer = False
        elif folder.is_symlink():
            answer = folder.resolve().is_relative_to(real_out)
        else:
            answer = True
        known[folder] = answer
    return answer


def _safe_parts(path: str, parts: list[str]) -> bool:
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return False
    return all(part not in ("", ".", "..") for part in parts)


def replace_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.is_dir():
        _remove(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        raise ValueError(f"{path} is a folder where a page belongs; remove it by hand")
    path.unlink()


def delete_stale(output: Path, real_out: Path, stale: list[str]) -> list[str]:
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
    return read_manifest_state(output)[0]


def read_manifest_state(output: Path) -> tuple[dict[str, Entry], bool]:
    """The files an earlier build wrote, and whether that build was cut short."""
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        entries = {
            str(path): Entry(str(e["sha256"]), int(e["size"]), int(e["mtime_ns"]))
            for path, e in files.items()
        }
        return entries, bool(data.get("unfinished", False))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, False


def save_manifest(output: Path, entries: Mapping[str, Entry], unfinished: bool = False) -> None:
    files = {
        path: {"sha256": e.sha256, "size": e.size, "mtime_ns": e.mtime_ns}
        for path, e in sorted(entries.items())
    }
    data: dict[str, object] = {"version": _MANIFEST_VERSION, "files": files}
    if unfinished:
        data["unfinished"] = True
    # One line: the C encoder (an `indent` falls back to the slow pure-Python one).
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    replace_atomically(output / MANIFEST, (text + "\n").encode("utf-8"))

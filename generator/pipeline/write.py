"""Write stage: {output path: bytes} -> the output folder. The only writer of output/.

Safety rules: every file is replaced atomically (a temporary file, then a rename), files whose
bytes did not change are left alone (mtimes kept), and only files listed in the folder's
manifest (written by an earlier build) are ever deleted. A folder that is not empty and has no
manifest is not ours and is refused, as is any folder that holds the journal itself.

Rebuilding in one process (`journal serve`), a writer hands the next one a `WriterMemory`, so
that a build costs work in proportion to the files that change, plus a few set operations over
every path (at 10,000 posts, a full pass of Python code over 11,000 paths costs tenths of a
second). What it remembers, and why that stays safe:

- each output path's checked file name: names do not change, so only new paths are checked;
- for each folder whose sub-folders were all plain folders (no symlinks), what `stat` said of
  it then (device, inode, mtime, ctime) and which sub-folders it was checked for. Replacing a
  sub-folder by a symlink changes the folder's mtime and ctime, so while `stat` says the same
  the sub-folders need no look. A folder changed in the last `SETTLED_NS` is not remembered:
  a change made right after the look could otherwise keep the same (coarse) timestamp;
- the manifest as saved, while the file's size, mtime and inode are the ones it was saved
  with, and its text one file at a time, so saving it again re-encodes only changed entries.

A writer asked not to look (`keep_unlooked`, for serve's own preview folder) takes the
files the remembered manifest lists to be as it left them; `altered_files` looks at them all
afterwards, when a build is not waiting for it.

The manifest is the compact JSON `json.dumps` gives for {"version": 1, "files": {path:
{"sha256", "size", "mtime_ns"}}, "unfinished"?}, paths sorted: the format did not change, so
manifests of earlier builds are read as they are.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import stat
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring  # what json.dumps uses with ensure_ascii=False
from pathlib import Path, PurePosixPath

from generator.core.problems import Problem, error

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


@dataclass(frozen=True)
class Layout:
    """The checked output paths of a build: each path's file (as a string), and the folders
    they need. `children` maps a folder ("" is the output) to its sub-folders that hold
    output paths, sorted; `branches` keeps of those the ones that have sub-folders too."""

    root: str
    targets: Mapping[str, str]
    children: Mapping[str, tuple[str, ...]]
    branches: Mapping[str, tuple[str, ...]]


Stamp = tuple[int, int, int, int]  # a folder's device, inode, mtime and ctime (ns)
Seen = tuple[Stamp, tuple[str, ...]]  # a folder's stamp, and the sub-folders checked under it


@dataclass(frozen=True)
class ManifestText:
    """The manifest's entries as JSON, one part per file (`"path":{...}`), and the paths in
    sorted order: saving the manifest again re-encodes only the entries that changed."""

    entries: Mapping[str, Entry]
    parts: Mapping[str, str]
    order: tuple[str, ...]


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
        self._old_manifest_status = _status_key(manifest)
        self._old_text: ManifestText | None = None
        self.old: Mapping[str, Entry]
        # True when the manifest is the one this process saved last: nothing rewrote it.
        self.remembered = memory is not None and memory.manifest_status == self._old_manifest_status
        if memory is not None and self.remembered:
            self.old, self._unfinished = memory.entries, False
            self._old_text = memory.text
        else:
            self.old, self._unfinished = read_manifest_state(output)
        mark = os.path.join(self._root, STAGING_MARK)
        self._leftovers = self._unfinished or os.path.lexists(mark)
        self.current: dict[str, Entry] = {}
        self._touched: set[str] = set()  # paths whose entry is not the one `old` holds
        self.staged: dict[str, str] = {}
        self.unchanged = 0
        self._made: list[str] = []  # folders made by this writer, parents first
        self._folders: set[str] = set()  # folders known to exist
        self._marked = False
        self._pending_saved = False
        self.saved: WriterMemory | None = None

    def keep(self, path: str, sha256: str) -> bool:
        """Leave the file as it is if the manifest says it holds bytes of this digest and
        its size and mtime still match; False (nothing done) otherwise."""
        entry = self.old.get(path)
        if entry is None or entry.sha256 != sha256 or not _left_as(self.targets[path], entry):
            return False
        self.current[path] = entry
        self.unchanged += 1
        return True

    def keep_all(self, files: Iterable[tuple[str, str]]) -> list[str]:
        """`keep` for each (path, SHA-256), in one loop (watch mode keeps thousands of files
        at each build); the paths that could not be kept."""
        old, targets, current = self.old, self.targets, self.current
        refused: list[str] = []
        kept = 0
        for path, sha256 in files:
            entry = old.get(path)
            if entry is None or entry.sha256 != sha256 or not _left_as(targets[path], entry):
                refused.append(path)
                continue
            current[path] = entry
            kept += 1
        self.unchanged += kept
        return refused

    def keep_unlooked(self, paths: Collection[str]) -> list[str]:
        """Keep the files of `paths` as the remembered manifest lists them, without looking
        at them (a writer whose output nothing else writes to; see the module); the paths it
        does not list. Refuses all if the manifest was not the one remembered."""
        if not self.remembered:
            return list(paths)
        old = self.old
        listed = paths if all(map(old.__contains__, paths)) else [p for p in paths if p in old]
        self.current.update(zip(listed, map(old.__getitem__, listed), strict=True))
        self.unchanged += len(listed)
        return [path for path in paths if path not in old] if len(listed) < len(paths) else []

    def put(self, path: str, data: bytes) -> str:
        """Stage `data` for `path` unless the file already holds it; returns its SHA-256."""
        return self._put(path, data, hashlib.sha256(data).hexdigest())

    def _put(self, path: str, data: bytes, digest: str) -> str:
        """`put` of bytes whose SHA-256 is known."""
        target = self.targets[path]
        status = _lstat(target)
        if _holds(target, status, digest, data, self.old.get(path)):
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
            return self._put(path, b"".join(held), digest.hexdigest())
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
        text = self._old_text
        new = [path for path in self.staged if path not in self.old]
        if new or self._unfinished:
            # Files the old manifest does not list are about to appear: list them first, so
            # that a build killed from here on leaves nothing the next one does not know.
            pending = dict(self.old)
            unknown = Entry("", -1, -1)
            pending.update((path, unknown) for path in new)
            text = manifest_text(pending, text)
            save_manifest(self.output, text, unfinished=True)
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
        stale = self.old.keys() - self.targets.keys()
        deleted = delete_stale(self.output, self.real_out, stale)
        if self.current != self.old or deleted or self._pending_saved or self._unfinished:
            text = manifest_text(self.current, text, sorted(self._touched))
            save_manifest(self.output, text)
        saved_status = _status_key(self.output / MANIFEST)
        self.saved = WriterMemory(
            self.real_out, saved_status, self.current, text, self._layout, self._seen
        )
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
        self._touched.add(path)
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


def altered_files(memory: WriterMemory) -> list[str]:
    """The paths of `memory` whose files are no longer as its build left them (changed,
    replaced or gone); every path if the manifest itself changed since."""
    if _status_key(memory.real_out / MANIFEST) != memory.manifest_status:
        return sorted(memory.entries)
    targets = memory.layout.targets
    return sorted(
        path
        for path, entry in memory.entries.items()
        if path not in targets or not _left_as(targets[path], entry)
    )


def _left_as(target: str, entry: Entry) -> bool:
    """True if the file at `target` is still the plain file of the size and mtime that the
    manifest's entry records (as the build that wrote it left it)."""
    status = _lstat(target)
    return (
        status is not None
        and stat.S_ISREG(status.st_mode)
        and status.st_size == entry.size
        and status.st_mtime_ns == entry.mtime_ns
    )


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


def checked_layout(output: Path, paths: Iterable[str], before: Layout | None) -> Layout:
    """The layout of `paths` in `output`; ValueError for a path with an unsafe name, found
    before the first file is written. Only paths that `before` (the last build's layout of
    the same output, if any) did not have are checked."""
    root = str(output)
    wanted = set(paths)
    if before is not None and before.root == root:
        if before.targets.keys() == wanted:
            return before
        targets = dict(before.targets)
        for gone in before.targets.keys() - wanted:
            del targets[gone]
        added = wanted - before.targets.keys()
    else:
        targets, added = {}, wanted
    for path in sorted(added):
        parts = path.split("/")
        if not _safe_parts(path, parts):
            raise ValueError(f"unsafe output path {path!r}")
        targets[path] = os.path.join(root, *parts)
    children = _folder_children(targets)
    branches = {
        folder: tuple(k for k in kids if k in children) for folder, kids in children.items()
    }
    return Layout(root, targets, children, branches)


def _folder_children(paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each folder that `paths` need ("" is the output) -> its sub-folders they need, sorted."""
    folders: set[str] = set()
    for folder in {path.rpartition("/")[0] for path in paths}:
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    children: dict[str, list[str]] = {}
    for folder in sorted(folders):
        children.setdefault(folder.rpartition("/")[0], []).append(folder)
    return {folder: tuple(kids) for folder, kids in children.items()}


SETTLED_NS = 3 * 10**9  # a folder changed this recently is looked at again in the next build


def checked_folders(layout: Layout, real_out: Path, before: Mapping[str, Seen]) -> dict[str, Seen]:
    """ValueError if a folder the layout needs leads out of `real_out` through a symlink,
    found before the first file is written; else the folders to trust in the next build.

    Folders are looked at from the output down. The sub-folders of a folder are looked at
    (one listing of it) unless `before` holds it with the same stamp and sub-folders:
    then nothing in it changed since they were all seen plain. A folder is remembered only
    if its sub-folders are all plain (a symlink leading inside may lead elsewhere later
    without its folder changing) and it has not changed in the last SETTLED_NS. A folder
    that is missing is skipped: nothing is under it, and it is made under a checked one."""
    settled_before = time.time_ns() - SETTLED_NS
    remembered: dict[str, Seen] = {}
    todo = [""] if "" in layout.children else []
    while todo:
        folder = todo.pop()
        kids = layout.children[folder]
        stamp = _folder_stamp(os.path.join(layout.root, folder))
        if stamp is None:
            continue
        seen = (stamp, kids)
        trusted = before.get(folder) == seen
        # Not trusted: look at each sub-folder (raises if one leads out).
        if trusted or (_all_plain(layout, folder, kids, real_out) and stamp[2] < settled_before):
            remembered[folder] = seen
        todo.extend(layout.branches[folder])
    return remembered


def _folder_stamp(folder: str) -> Stamp | None:
    try:
        status = os.stat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(status.st_mode):
        return None  # a file where a folder belongs: staging a file under it fails
    return (status.st_dev, status.st_ino, status.st_mtime_ns, status.st_ctime_ns)


def _all_plain(layout: Layout, folder: str, kids: Iterable[str], real_out: Path) -> bool:
    """True if none of `kids` (sub-folders of `folder`) is a symlink; ValueError if one
    leads out of `real_out`. One listing of the folder, not one lstat per sub-folder."""
    links = _symlinks_in(os.path.join(layout.root, folder))
    plain = True
    for kid in kids:
        if kid.rpartition("/")[2] not in links:
            continue
        plain = False
        if not Path(layout.root, kid).resolve().is_relative_to(real_out):
            path = min(p for p in layout.targets if p.startswith(kid + "/"))
            raise ValueError(f"output path {path!r} leads out of {layout.root} through a symlink")
    return plain


def _symlinks_in(folder: str) -> set[str]:
    """The names of the symlinks in `folder` (none if it is not there)."""
    try:
        with os.scandir(folder) as entries:
            return {entry.name for entry in entries if entry.is_symlink()}
    except (FileNotFoundError, NotADirectoryError):
        return set()


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


def manifest_text(
    entries: Mapping[str, Entry], base: ManifestText | None, touched: Iterable[str] | None = None
) -> ManifestText:
    """`entries` as manifest text, re-encoding only the entries that are not the very ones
    `base` encoded (None: encode all). `touched`, if given, holds every path whose entry
    may not be: only those are looked at."""
    if base is None:
        parts = {path: _entry_json(path, entry) for path, entry in entries.items()}
        return ManifestText(entries, parts, tuple(sorted(parts)))
    old = base.entries
    same_paths = entries.keys() == old.keys()
    maybe = entries.keys() if touched is None else [p for p in touched if p in entries]
    changed = [path for path in maybe if old.get(path) is not entries[path]]
    if same_paths and not changed:
        return ManifestText(entries, base.parts, base.order)
    new_parts = dict(base.parts)
    for gone in [] if same_paths else old.keys() - entries.keys():
        del new_parts[gone]
    for path in changed:
        new_parts[path] = _entry_json(path, entries[path])
    order = base.order if same_paths else tuple(sorted(new_parts))
    return ManifestText(entries, new_parts, order)


def _entry_json(path: str, entry: Entry) -> str:
    """One entry as `json.dumps` writes it inside the manifest's "files" (compact)."""
    sha256, size, mtime = encode_basestring(entry.sha256), entry.size, entry.mtime_ns
    return f'{encode_basestring(path)}:{{"sha256":{sha256},"size":{size!r},"mtime_ns":{mtime!r}}}'


def save_manifest(output: Path, text: ManifestText, unfinished: bool = False) -> None:
    """Write the manifest: the compact JSON text of {"version", "files"[, "unfinished"]}."""
    files = ",".join(map(text.parts.__getitem__, text.order))
    tail = ',"unfinished":true' if unfinished else ""
    data = f'{{"version":{_MANIFEST_VERSION},"files":{{{files}}}{tail}}}\n'
    replace_atomically(output / MANIFEST, data.encode("utf-8"))

"""Write stage: {output path: bytes} -> the output folder. The only writer of output/.

Safety rules: every file is replaced atomically (a temporary file, then a rename), files whose
bytes did not change are left alone (mtimes kept), and only files listed in the folder's
manifest (written by an earlier build) are ever deleted. A folder that is not empty and has no
manifest is not ours and is refused, as is any folder that holds the journal itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
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
    output.mkdir(parents=True, exist_ok=True)
    real_out = output.resolve()
    targets = checked_targets(output, real_out, files)  # raises before anything is written
    old = read_manifest(output)
    pending = dict(old)
    pending.update({path: old.get(path, Entry("", -1, -1)) for path in files})
    save_manifest(output, pending)  # a build killed from here on still knows what it wrote
    current: dict[str, Entry] = {}
    written: list[str] = []
    unchanged = 0
    for path, target in targets.items():
        data = files[path]
        digest = hashlib.sha256(data).hexdigest()
        if is_unchanged(target, digest, data, old.get(path)):
            unchanged += 1
        else:
            replace_atomically(target, data)
            written.append(path)
        current[path] = entry_of(target, digest)
    deleted = delete_stale(output, real_out, [p for p in old if p not in files])
    save_manifest(output, current)
    return WriteResult(tuple(written), unchanged, tuple(deleted))


def checked_targets(output: Path, real_out: Path, files: Mapping[str, bytes]) -> dict[str, Path]:
    """Each output path's file, sorted; ValueError for any that cannot be written safely, so
    that a bad one is found before the first file is replaced."""
    targets: dict[str, Path] = {}
    for path in sorted(files):
        target = safe_target(output, path)
        if not target.parent.resolve().is_relative_to(real_out):
            raise ValueError(f"output path {path!r} leads out of {output} through a symlink")
        if target.is_dir() and not target.is_symlink():
            raise ValueError(f"{target} is a folder where a page belongs; remove it by hand")
        targets[path] = target
    return targets


def is_unchanged(target: Path, digest: str, data: bytes, entry: Entry | None) -> bool:
    try:
        stat = target.lstat()
    except FileNotFoundError:
        return False
    if target.is_symlink() or not target.is_file():
        return False
    same_stat = entry is not None and (stat.st_size, stat.st_mtime_ns) == (
        entry.size,
        entry.mtime_ns,
    )
    if same_stat and entry is not None and entry.sha256 == digest:
        return True
    return stat.st_size == len(data) and target.read_bytes() == data


def entry_of(target: Path, digest: str) -> Entry:
    stat = target.stat()
    return Entry(digest, stat.st_size, stat.st_mtime_ns)


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
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {
            str(path): Entry(str(e["sha256"]), int(e["size"]), int(e["mtime_ns"]))
            for path, e in files.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def save_manifest(output: Path, entries: Mapping[str, Entry]) -> None:
    data = {
        "version": _MANIFEST_VERSION,
        "files": {
            path: {"sha256": e.sha256, "size": e.size, "mtime_ns": e.mtime_ns}
            for path, e in sorted(entries.items())
        },
    }
    replace_atomically(output / MANIFEST, (json.dumps(data, indent=0) + "\n").encode("utf-8"))

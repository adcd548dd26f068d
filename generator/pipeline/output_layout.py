"""The output folder's layout as a build needs it, checked before the first file is written.

`checked_layout` turns each output path into its file and refuses a path with an unsafe name;
`checked_folders` refuses a folder that leads out of the output through a symlink. Both are
given what the last build of the same output found (`write.WriterMemory`), and look again
only at what may have changed since:

- each output path's checked file name: names do not change, so only new paths are checked;
- for each folder whose sub-folders were all plain folders (no symlinks), what `stat` said of
  it then (device, inode, mtime, ctime) and which sub-folders it was checked for. Replacing a
  sub-folder by a symlink changes the folder's mtime and ctime, so while `stat` says the same
  the sub-folders need no look. A folder changed in the last `SETTLED_NS` is not remembered:
  a change made right after the look could otherwise keep the same (coarse) timestamp.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


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

    From the output down, a folder's sub-folders are looked at (one listing of it) unless
    `before` holds it with the same stamp and sub-folders. A folder is remembered only if its
    sub-folders are all plain (a symlink leading inside may lead elsewhere later without its
    folder changing) and it has settled. A missing folder is skipped: nothing is under it,
    and it is made under a checked one."""
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

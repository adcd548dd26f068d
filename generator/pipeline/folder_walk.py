"""Walking a folder of the journal: every entry under it, in sorted order, with its kind.

Symlinks are followed while they stay inside the journal; a symlink that makes a loop,
points to nothing or leads out is given as such, never followed, and a folder that cannot
be listed is given with the reason. `walk_files` turns the entries into the journal's files
and problems; `shown_name` is how a problem shows a file name that cannot be printed.
"""

from __future__ import annotations

import errno
import os
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from generator.core.names import is_ignored_name
from generator.core.problems import Problem, error, warning

UNLISTABLE = "unlistable:"  # a kind of walk entry: a folder that cannot be listed, and why
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})  # categories that would break a problem's line


def is_printable_name(name: str) -> bool:
    """False for a name holding bytes that are not UTF-8 (Python keeps them as surrogates)
    or a control character such as a line break, which no message could show."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(unicodedata.category(ch) in _LINE_BREAKING for ch in name)


def shown_name(name: str) -> str:
    """A file name as it can be printed on one line: bytes that are not UTF-8 shown as
    \\xNN, control characters as escapes (\\n, \\x07)."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in _LINE_BREAKING
        else ch
        for ch in text
    )


def walk_entries(
    folder: Path, real_root: Path, seen: set[Path], skip: Callable[[str], bool]
) -> Iterator[tuple[Path, str]]:
    """Each entry under `folder` whose name `skip` keeps: a file ("file"), something that is
    neither file nor folder ("special"), a symlink that may not be followed ("loop",
    "broken", "outside") or a folder that cannot be listed
    (UNLISTABLE and the reason). `seen`: the real paths of the folders walked into."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield folder, UNLISTABLE + (exc.strerror or type(exc).__name__)
        return
    for entry in entries:
        if skip(entry.name):
            continue
        path = Path(entry.path)
        kind = _symlink_kind(path, real_root) if entry.is_symlink() else None
        if kind is not None:
            yield path, kind
        elif path.is_dir():
            real = path.resolve()
            if real in seen:
                yield path, "loop"
                continue
            yield from walk_entries(path, real_root, seen | {real}, skip)
        elif path.is_file():
            yield path, "file"
        elif path.exists():  # a named pipe, a socket, a device: reading it could block
            yield path, "special"


def _symlink_kind(path: Path, real_root: Path) -> str | None:
    """None for a symlink that may be followed, else why it may not."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # a loop, before Python 3.13
        return "loop"
    except OSError as exc:
        return "loop" if exc.errno == errno.ELOOP else "broken"
    return None if target.is_relative_to(real_root) else "outside"


# ---------------------------------------------------------------- the journal's files


def walk_files(
    root: Path, folder: str, skip: Callable[[str], bool] = is_ignored_name
) -> tuple[list[str], list[Problem]]:
    """Files under root/folder as sorted posix paths relative to root, and a problem for each
    entry left out (see folder_walk.py)."""
    base = root / folder
    if not base.is_dir():
        return [], []
    files: list[str] = []
    problems: list[Problem] = []
    for path, kind in walk_entries(base, root.resolve(), {base.resolve()}, skip):
        rel = path.relative_to(root).as_posix()
        if not is_printable_name(rel):
            problems.append(error(shown_name(rel), 1, _BAD_NAME))
        elif kind == "file":
            files.append(rel)
        elif kind.startswith(UNLISTABLE):
            problems.append(error(rel, 1, f"cannot read this folder: {kind[len(UNLISTABLE) :]}"))
        else:
            problems.append(warning(rel, 1, _SKIPPED[kind]))
    return files, problems


_BAD_NAME = (
    "this file name is not UTF-8 text or holds a control character: rename the file "
    "(it was left out)"
)
_SKIPPED: Mapping[str, str] = MappingProxyType(
    {
        "loop": "skipped: this symlink makes a loop",
        "broken": "skipped: this symlink points to nothing",
        "outside": "skipped: this symlink leads outside the journal; copy the file in instead",
        "special": "skipped: this is not a file but a named pipe, socket or device",
    }
)


_SHOWN_SKIPPED = 20  # the skipped files a warning names; it counts the rest


def skipped_files_problem(
    folder: str, keys: Sequence[str], kind: tuple[str, str], rule: str
) -> Problem | None:
    """One warning at `folder` naming the files of `keys` under it, which are skipped as not
    of their `kind` (its singular and plural), with the `rule` they break; None when none
    is under it."""
    within = folder + "/"
    names = [key[len(within) :] for key in keys if key.startswith(within)]
    if not names:
        return None
    shown = ", ".join(names[:_SHOWN_SKIPPED])
    if len(names) > _SHOWN_SKIPPED:
        shown += f" and {len(names) - _SHOWN_SKIPPED} more"
    one, many = kind
    if len(names) == 1:
        message = f"1 file is not a {one} and is skipped: {shown} ({rule})"
    else:
        message = f"{len(names):,} files are not {many} and are skipped: {shown} ({rule})"
    return warning(folder, 1, message)

"""File events -> debounced batches of changed paths, for rebuild-on-change.

This module knows nothing about building: a `Watcher` collects watchdog events under the
watched paths and, once the files have been quiet for `debounce` seconds, calls
`on_change(frozenset_of_paths)` in its own worker thread. Callbacks never overlap; changes that
land while one runs are delivered by exactly one more call afterwards.

A reported folder path means "anything under this folder may have changed" (a folder moved
away or deleted reports only the folder itself).
"""

from __future__ import annotations

import contextlib
import enum
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirModifiedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from generator.core.names import is_ignored_name as is_ignored_name

OnChange = Callable[[frozenset[Path]], None]

# Only events that mean "content changed". Leaving out opened/closed-without-writing keeps
# the build's own reads of content/ from waking the watcher (and from a rebuild loop).
_EVENT_FILTER: tuple[type[FileSystemEvent], ...] = (
    FileCreatedEvent,
    DirCreatedEvent,
    FileDeletedEvent,
    DirDeletedEvent,
    FileModifiedEvent,
    DirModifiedEvent,
    FileMovedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileAttribEvent,
)


class _Kind(enum.Enum):
    REPORT = "report"  # under a watched path: reported
    ANCESTOR = "ancestor"  # a folder above a watched path: reported when created/moved/deleted
    NOISE = "noise"  # ignored name under a watched path, or an ignored folder itself
    OUTSIDE = "outside"  # neither: dropped without a trace


def _absolute(path: Path | str) -> Path:
    """Absolute and normalised, but without resolving symlinks: event paths are built from the
    watched path as given, so both sides must be spelled the same way."""
    return Path(os.path.abspath(path))


def _nearest_existing_folder(path: Path) -> Path:
    while not path.is_dir() and path.parent != path:
        path = path.parent
    return path


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _walk(folder: Path) -> Iterator[Path]:
    yield folder
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in (*dirnames, *filenames):
            yield Path(dirpath, name)


@dataclass(frozen=True)
class _Scope:
    """Which paths matter: the watched `paths` minus the `ignore` folders and noise names."""

    paths: tuple[Path, ...]
    ignore: tuple[Path, ...]

    def classify(self, path: Path) -> _Kind:
        for folder in self.ignore:
            if path == folder:
                return _Kind.NOISE
            if folder in path.parents:
                return _Kind.OUTSIDE
        base = next((p for p in self.paths if path.is_relative_to(p)), None)
        if base is None:
            if any(path in p.parents for p in self.paths):
                return _Kind.ANCESTOR
            return _Kind.OUTSIDE
        if any(is_ignored_name(part) for part in path.relative_to(base).parts):
            return _Kind.NOISE
        return _Kind.REPORT

    def leads_to_watched(self, path: Path) -> bool:
        """True if `path` is a watched path or a folder above one (its arrival or departure
        changes which folders must be watched)."""
        return any(p.is_relative_to(path) for p in self.paths)

    def wanted_watches(self) -> set[tuple[Path, bool]]:
        """The (folder, recursive) watches needed for the folders that exist right now.

        Every watched path that is a folder is watched recursively; the nearest existing folder
        above each path is watched flat, which catches files such as journal.toml (editors
        replace them, so watching the file itself would lose track) and folders that are
        created, replaced or deleted later.
        """
        trees = {p for p in self.paths if p.is_dir()}
        trees = {p for p in trees if not any(q != p and p.is_relative_to(q) for q in trees)}
        flats = {_nearest_existing_folder(p.parent) for p in self.paths}
        flats = {f for f in flats if not any(f.is_relative_to(t) for t in trees)}
        return {(t, True) for t in trees} | {(f, False) for f in flats}


@dataclass
class _Batch:
    """Changes collected since the last callback."""

    changed: set[Path] = field(default_factory=set)
    modified_dirs: set[Path] = field(default_factory=set)
    # Parents of every event seen, ignored names included. Watchdog follows each event with a
    # "folder modified" event for its parent; those echoes are dropped so that a vim swap file
    # does not report its folder. A folder-modified event with no child event is still kept.
    parents: set[Path] = field(default_factory=set)
    first: float | None = None
    last: float | None = None

    def touch(self, now: float) -> None:
        if self.first is None:
            self.first = now
        self.last = now

    def due(self, debounce: float, max_delay: float) -> float | None:
        if self.first is None or self.last is None:
            return None
        return min(self.last + debounce, self.first + max_delay)

    def paths(self) -> frozenset[Path]:
        return frozenset(self.changed | (self.modified_dirs - self.parents))


@dataclass
class _Watch:
    watch: ObservedWatch
    identity: tuple[int, int] | None


class _Handler(FileSystemEventHandler):
    def __init__(self, on_event: Callable[[FileSystemEvent], None]) -> None:
        super().__init__()
        self._on_event = on_event

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._on_event(event)


class Watcher:
    """Watch files and folders under a journal and report changes in debounced batches.

    `paths` are files or folders to watch (relative ones are taken under `root`); they need not
    exist yet. A folder is watched with everything under it. `ignore` folders are never
    reported (the output folder, caches, .git). `on_change` runs in the watcher's own thread,
    one call at a time; an exception it raises is printed on one line to stderr and watching
    goes on.
    """

    def __init__(
        self,
        root: Path,
        paths: Sequence[Path],
        on_change: OnChange,
        *,
        ignore: Sequence[Path] = (),
        debounce: float = 0.02,
    ) -> None:
        self._root = _absolute(root)
        self._scope = _Scope(
            paths=tuple(_absolute(self._root / p) for p in paths),
            ignore=tuple(_absolute(self._root / p) for p in ignore),
        )
        self._on_change = on_change
        self._debounce = debounce
        # Under a steady stream of events (a long checkout, a tool writing a log) still call
        # back now and then rather than never.
        self._max_delay = max(2.0, 20 * debounce)
        self._cond = threading.Condition()
        self._batch = _Batch()
        self._busy = False
        self._stopping = False
        self._started = False
        self._handler = _Handler(self._on_event)
        self._observer: BaseObserver | None = None  # made in start(): it opens an inotify fd
        self._watches: dict[tuple[Path, bool], _Watch] = {}
        self._worker = threading.Thread(target=self._run, name="journal-watch", daemon=True)

    def start(self) -> None:
        """Start watching; returns at once. Changes made after this returns are reported."""
        if self._started or self._stopping:
            raise RuntimeError("a Watcher can be started only once")
        self._started = True
        self._observer = Observer()
        self._sync_watches()
        self._observer.start()
        self._worker.start()

    def stop(self) -> None:
        """Stop watching and join the threads.

        Pending changes are dropped; a callback already running is not interrupted and is
        waited for (unless stop() is called from inside it).
        """
        with self._cond:
            if self._stopping:
                return
            self._stopping = True
            self._cond.notify_all()
        if self._observer is None:
            return
        self._observer.stop()
        self._observer.join()
        if threading.current_thread() is not self._worker:
            self._worker.join()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no change is pending and no callback runs; False on timeout.

        Only events the watcher has already received count: a file written just before this
        call may not have been seen yet.
        """
        with self._cond:
            return self._cond.wait_for(
                lambda: self._batch.last is None and not self._busy, timeout=timeout
            )

    # Observer thread

    def _on_event(self, event: FileSystemEvent) -> None:
        if self._stopping:
            return
        ends = [_absolute(os.fsdecode(event.src_path))]
        if isinstance(event, FileMovedEvent | DirMovedEvent) and event.dest_path:
            ends.append(_absolute(os.fsdecode(event.dest_path)))
        rescanned: list[Path] = []
        if (
            event.is_directory
            and not isinstance(event, DirModifiedEvent)
            and any(self._scope.leads_to_watched(p) for p in ends)
        ):
            gone = ends[0] if isinstance(event, DirDeletedEvent | DirMovedEvent) else None
            rescanned = self._sync_watches(gone=gone, report_new=True)
        with self._cond:
            if self._stopping:
                return
            is_dir_modified = isinstance(event, DirModifiedEvent)
            seen = [self._record(path, is_dir_modified=is_dir_modified) for path in ends]
            seen += [self._record(path, is_dir_modified=False) for path in rescanned]
            if any(seen):
                self._batch.touch(time.monotonic())
                self._cond.notify_all()

    def _record(self, path: Path, *, is_dir_modified: bool) -> bool:
        """Add one event path to the batch (lock held); True if it counts as activity."""
        kind = self._scope.classify(path)
        if kind is _Kind.OUTSIDE:
            return False
        if is_dir_modified:
            if kind is not _Kind.REPORT:
                return False
            self._batch.modified_dirs.add(path)
            return True
        self._batch.parents.add(path.parent)
        if kind is not _Kind.NOISE:
            self._batch.changed.add(path)
        return True

    def _sync_watches(self, *, gone: Path | None = None, report_new: bool = False) -> list[Path]:
        """Make the scheduled watches match the folders that exist now.

        Drops watches whose folder is `gone` (deleted or moved away), missing or replaced, and
        adds watches for folders that appeared. The `gone` event matters: a folder deleted and
        made again at once often gets the same inode number back, while its old watch is dead.
        With `report_new`, returns everything inside newly watched trees: files written there
        before the watch was in place would otherwise be missed.
        """
        observer = self._observer
        if observer is None:
            return []
        for key, entry in list(self._watches.items()):
            folder = key[0]
            stale = gone is not None and folder.is_relative_to(gone)
            if stale or _identity(folder) != entry.identity:
                del self._watches[key]
                with contextlib.suppress(KeyError):  # already gone if the observer is stopping
                    observer.unschedule(entry.watch)
        found: list[Path] = []
        for folder, recursive in sorted(self._scope.wanted_watches()):
            if (folder, recursive) in self._watches:
                continue
            identity = _identity(folder)
            try:
                watch = observer.schedule(
                    self._handler,
                    str(folder),
                    recursive=recursive,
                    event_filter=list(_EVENT_FILTER),
                    follow_symlink=folder.is_symlink(),
                )
            except OSError:
                continue  # gone again already; its deletion event will follow
            self._watches[(folder, recursive)] = _Watch(watch, identity)
            if report_new and recursive:
                found.extend(_walk(folder))
        return found

    # Worker thread

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            changed = batch.paths()
            try:
                if changed:
                    self._call(changed)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _next_batch(self) -> _Batch | None:
        """Block until a batch is due (None once stopping) and take it."""
        with self._cond:
            while not self._stopping:
                due = self._batch.due(self._debounce, self._max_delay)
                if due is None:
                    self._cond.wait()
                    continue
                remaining = due - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                batch, self._batch = self._batch, _Batch()
                self._busy = True
                return batch
            return None

    def _call(self, changed: frozenset[Path]) -> None:
        try:
            self._on_change(changed)
        except Exception as exc:
            message = " ".join(str(exc).split())
            print(f"watch: change handler failed: {type(exc).__name__}: {message}", file=sys.stderr)

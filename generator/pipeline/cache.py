"""The build cache: ROOT/.journal-cache/build.sqlite3 (an embedded SQLite database).

Two things are kept, both safe to lose:

- Markdown renderings, by `markup.cache_key` (the text, the renderer and its settings), so a
  build converts only the posts it has not seen before;
- one build stamp per output folder: a digest of every input's file status (size, times,
  inode), the options, and what that build reported. A build whose inputs all match its
  folder's stamp, and whose output files all match the folder's manifest, has nothing to do.

Nothing here is trusted blindly. A database of another schema, or one SQLite cannot read, is
deleted and made again; every row carries a checksum of its value, and a row that does not
match it counts as missing (and is replaced). If the folder cannot be written at all, builds
go on without a cache. The cache never changes what a build writes: a rendering found here is
the one the renderer would make.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import zlib
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from generator.core.faults import fault_point
from generator.pipeline.markup import Rendered

CACHE_DIR = ".journal-cache"
CACHE_FILE = "build.sqlite3"
PICTURES_DIR = "images"  # the resized copies of pictures (pipeline/images.py)
SCHEMA = "journal build cache 1"
_SIDE_FILES = ("-journal", "-wal", "-shm")
_BATCH = 500  # keys per SELECT (SQLite allows 999 parameters in old builds, 32766 in new)
_IGNORE_ALL = "# Made by `journal build`: a cache, safe to delete (`journal clean`).\n*\n"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This folder is a cache made by `journal build`; see https://bford.info/cachedir/\n"
)


def cache_path(root: Path) -> Path:
    return root / CACHE_DIR / CACHE_FILE


def cache_files(root: Path) -> list[Path]:
    """The database and its side files (rollback journal, WAL) that exist now."""
    base = cache_path(root)
    candidates = [base, *(base.with_name(base.name + suffix) for suffix in _SIDE_FILES)]
    return [path for path in candidates if path.is_file() or path.is_symlink()]


def clear_cache(root: Path) -> list[Path]:
    """Delete the build cache (and nothing else: the preview folder stays). Returns what was
    deleted."""
    removed = cache_files(root)
    for path in removed:
        path.unlink(missing_ok=True)
    pictures = root / CACHE_DIR / PICTURES_DIR
    if pictures.is_dir() and not pictures.is_symlink():
        shutil.rmtree(pictures, ignore_errors=True)
        removed.append(pictures)
    return removed


def _row_checksum(*parts: bytes | str | int) -> int:
    """CRC-32 of the parts, each followed by a NUL: enough to catch a damaged row."""
    crc = 0
    for part in parts:
        if isinstance(part, int):
            part = str(part)
        data = part.encode("utf-8") if isinstance(part, str) else part
        crc = zlib.crc32(b"\0", zlib.crc32(data, crc))
    return crc


@dataclass(frozen=True)
class Stamp:
    """What one successful build saw and reported (see the module's docstring)."""

    inputs: str  # digest of every input's status, the options and the program's versions
    valid_until: str | None  # ISO time a post dated in the future gets published, if any
    posts: int
    files: int
    problems: tuple[tuple[str, int, str, str], ...]  # (path, line, level, message)
    pending_promises: int  # published posts whose "Next:" names no published post yet

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def from_json(text: str) -> Stamp | None:
        try:
            data: Any = json.loads(text)
            problems = tuple((str(p[0]), int(p[1]), str(p[2]), str(p[3])) for p in data["problems"])
            until = data["valid_until"]
            return Stamp(
                inputs=str(data["inputs"]),
                valid_until=None if until is None else str(until),
                posts=int(data["posts"]),
                files=int(data["files"]),
                problems=problems,
                pending_promises=int(data["pending_promises"]),
            )
        except (ValueError, KeyError, TypeError, IndexError):
            return None


class BuildCache:
    """An open cache database. Every method swallows database errors: a cache that fails is a
    cache that misses, never a failed build."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @staticmethod
    def open(root: Path, writable: bool = True) -> BuildCache | None:
        """The journal's cache, made or remade as needed; None if it cannot be had. A cache
        that is not `writable` is only read, if it exists and is sound (`journal check` writes
        nothing)."""
        path = cache_path(root)
        if not writable:
            if not path.is_file():
                return None
            connection = _connect(path, read_only=True)
            return BuildCache(connection) if connection is not None else None
        try:
            prepare_folder(path.parent)
        except OSError:
            return None
        for _ in range(2):
            connection = _connect(path)
            if connection is not None:
                return BuildCache(connection)
            clear_cache(root)  # unreadable or of another schema: start afresh, once
        return None

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    # ------------------------------------------------------------ renderings

    def renderings(self, keys: Collection[str]) -> dict[str, Rendered]:
        """The cached renderings of those keys that are cached and intact."""
        found: dict[str, Rendered] = {}
        wanted = sorted(keys)
        with contextlib.suppress(sqlite3.Error):
            for start in range(0, len(wanted), _BATCH):
                batch = wanted[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(
                    "SELECT key, html, summary, words, checksum FROM markdown "
                    f"WHERE key IN ({marks})",
                    batch,
                )
                for key, html, summary, words, checksum in rows:
                    item = _rendered_of(html, summary, words, checksum)
                    if item is not None:
                        found[key] = item
        return found

    def store_renderings(self, items: Mapping[str, Rendered]) -> None:
        rows = fault_point("cache").each(_row_of(k, item) for k, item in sorted(items.items()))
        with contextlib.suppress(sqlite3.Error), self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO markdown (key, html, summary, words, checksum) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def prune_renderings(self, keep: Collection[str]) -> None:
        """Forget renderings no longer used, once they outnumber the used ones: a journal's
        cache stays about the size of the journal however often its posts change."""
        with contextlib.suppress(sqlite3.Error):
            (count,) = self._db.execute("SELECT COUNT(*) FROM markdown").fetchone()
            if count <= 2 * len(keep) + 100:
                return
            with self._db:
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                self._db.execute("DELETE FROM keep")
                rows = ((key,) for key in keep)
                self._db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", rows)
                self._db.execute("DELETE FROM markdown WHERE key NOT IN (SELECT key FROM keep)")
                self._db.execute("DELETE FROM keep")

    # ------------------------------------------------------------ stamps

    def stamp(self, output: str) -> Stamp | None:
        try:
            row = self._db.execute(
                "SELECT value, checksum FROM stamps WHERE output = ?", (output,)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None or not isinstance(row[0], str) or _row_checksum(row[0]) != row[1]:
            return None
        return Stamp.from_json(row[0])

    def store_stamp(self, output: str, stamp: Stamp | None) -> None:
        """Remember (or, with None, forget) the stamp of a build into `output`."""
        with contextlib.suppress(sqlite3.Error), self._db:
            if stamp is None:
                self._db.execute("DELETE FROM stamps WHERE output = ?", (output,))
                return
            value = stamp.to_json()
            self._db.execute(
                "INSERT OR REPLACE INTO stamps (output, value, checksum) VALUES (?, ?, ?)",
                (output, value, _row_checksum(value)),
            )


def _row_of(key: str, item: Rendered) -> tuple[str, bytes, bytes, int, int]:
    html = item.html_utf8
    summary = item.summary_html.encode("utf-8")
    return key, html, summary, item.words, _row_checksum(html, summary, item.words)


def _rendered_of(html: object, summary: object, words: object, checksum: object) -> Rendered | None:
    if not isinstance(html, bytes) or not isinstance(summary, bytes) or not isinstance(words, int):
        return None
    if _row_checksum(html, summary, words) != checksum:
        return None
    try:
        html.decode("utf-8")  # (only checked: a rendering keeps its HTML as UTF-8)
        return Rendered(html, summary.decode("utf-8"), words)
    except UnicodeDecodeError:
        return None


def prepare_folder(folder: Path) -> None:
    """The cache folder, with a .gitignore that ignores it all and a CACHEDIR.TAG for backup
    tools."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ((".gitignore", _IGNORE_ALL), ("CACHEDIR.TAG", _TAG)):
        marker = folder / name
        if not marker.exists():
            marker.write_text(text, encoding="utf-8")


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection | None:
    """An open database with our schema, or None when the file is unusable as it is."""
    connection: sqlite3.Connection | None = None
    try:
        if read_only:
            uri = path.resolve().as_uri() + "?mode=ro"
            connection = sqlite3.connect(uri, uri=True, timeout=10)
        else:
            connection = sqlite3.connect(path, timeout=10, isolation_level="DEFERRED")
            connection.execute("PRAGMA synchronous = OFF")  # a torn write is caught by the checks
        schema = _schema_of(connection)
        if schema is None and not read_only:
            _create(connection)
        elif schema != SCHEMA or not _tables_ok(connection):
            connection.close()
            return None
        return connection
    except sqlite3.Error:
        if connection is not None:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
        return None


def _schema_of(connection: sqlite3.Connection) -> str | None:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if not tables:
        return None
    if "meta" not in tables:
        return "unknown"
    row = connection.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
    return str(row[0]) if row is not None else "unknown"


_TABLES = {
    "markdown": ["key", "html", "summary", "words", "checksum"],
    "stamps": ["output", "value", "checksum"],
}


def _tables_ok(connection: sqlite3.Connection) -> bool:
    for table, columns in _TABLES.items():
        found = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        if found != columns:
            return False
    return True


def _create(connection: sqlite3.Connection) -> None:
    with connection:
        connection.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
        connection.execute(
            "CREATE TABLE markdown (key TEXT PRIMARY KEY, html BLOB NOT NULL, "
            "summary BLOB NOT NULL, words INTEGER NOT NULL, checksum INTEGER NOT NULL)"
        )
        connection.execute(
            "CREATE TABLE stamps (output TEXT PRIMARY KEY, value TEXT NOT NULL, "
            "checksum INTEGER NOT NULL)"
        )

"""The manifest's format: what it records of each file a build wrote, and its JSON text.

The manifest is the compact JSON `json.dumps` gives for {"version": 1, "files": {path:
{"sha256", "size", "mtime_ns"}}, "unfinished"?}, paths sorted: the format did not change, so
manifests of earlier builds are read as they are. A writer keeps the text one entry at a time
(`ManifestText`), so that saving it again re-encodes only the entries that changed. Reading
and saving the file is write.py's (`read_manifest_state`, `save_manifest`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring  # what json.dumps uses with ensure_ascii=False

_MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Entry:
    """What the manifest records of one file: its SHA-256, its size and its mtime (ns)."""

    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ManifestText:
    """The manifest's entries as JSON, one part per file (`"path":{...}`), and the paths in
    sorted order: saving the manifest again re-encodes only the entries that changed."""

    entries: Mapping[str, Entry]
    parts: Mapping[str, str]
    order: tuple[str, ...]


@dataclass(frozen=True)
class ManifestState:
    """What a manifest says: the files a build wrote, and whether that build was cut short."""

    entries: dict[str, Entry]
    unfinished: bool = False


def parse_manifest(text: str) -> ManifestState:
    """What a manifest's text says; a text that is not a manifest counts as none."""
    try:
        data = json.loads(text)
        files = data["files"]
        entries = {
            str(path): Entry(str(e["sha256"]), int(e["size"]), int(e["mtime_ns"]))
            for path, e in files.items()
        }
        return ManifestState(entries, bool(data.get("unfinished", False)))
    except (ValueError, KeyError, TypeError, AttributeError):
        return ManifestState({})


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


def manifest_bytes(text: ManifestText, unfinished: bool = False) -> bytes:
    """The manifest file: the compact JSON text of {"version", "files"[, "unfinished"]}."""
    files = ",".join(map(text.parts.__getitem__, text.order))
    tail = ',"unfinished":true' if unfinished else ""
    data = f'{{"version":{_MANIFEST_VERSION},"files":{{{files}}}{tail}}}\n'
    return data.encode("utf-8")

"""Fingerprints of page contexts: equal fingerprints, equal contexts, equal pages.

The views handed to templates are frozen dataclasses, tuples, strings, numbers and dates, so
a context can be digested exactly (BLAKE2b over a tagged encoding of every value). A value of
any other kind (a function, a mutable object) cannot be vouched for: `page_fingerprint` then
returns None, and the page is rendered every time.

A `Fingerprinter` remembers the digest of every frozen dataclass and long string it has seen,
by identity, while it keeps the object alive: the views that did not change between two
builds are the same objects, so a build digests only what is new. `forget_unused` drops what
the latest build did not use.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
from collections.abc import Mapping
from typing import Any

_LONG = 256  # strings at least this long are remembered by identity


class Unfingerprintable(TypeError):
    """A context value whose content cannot be digested."""


class Fingerprinter:
    def __init__(self) -> None:
        self._known: dict[int, tuple[object, bytes]] = {}
        self._used: set[int] = set()
        # Per type: the field names of a frozen dataclass and its tag, or None (other kinds).
        self._records: dict[type, tuple[tuple[str, ...], bytes] | None] = {}

    def page(self, template: str, context: Mapping[str, Any]) -> bytes | None:
        """The fingerprint of a page drawn by `template` from `context`, or None."""
        try:
            digest = hashlib.blake2b(digest_size=20)
            digest.update(template.encode("utf-8") + b"\0")
            self._feed(digest, dict(context))
            return digest.digest()
        except Unfingerprintable:
            return None

    def forget_unused(self) -> None:
        """Keep only what was digested since the last call."""
        self._known = {k: v for k, v in self._known.items() if k in self._used}
        self._used = set()

    def digest(self, value: object) -> bytes:
        """The digest of one value (remembered for frozen dataclasses and long strings)."""
        key = id(value)
        remembered = self._known.get(key)
        if remembered is not None and remembered[0] is value:
            self._used.add(key)
            return remembered[1]
        hasher = hashlib.blake2b(digest_size=20)
        record = self._record(type(value))
        if record is not None:
            self._feed_fields(hasher, value, record)
        else:
            self._feed(hasher, value, top=True)
        result = hasher.digest()
        if record is not None or (isinstance(value, str) and len(value) >= _LONG):
            self._known[key] = (value, result)
            self._used.add(key)
        return result

    def _feed(self, hasher: Any, value: object, top: bool = False) -> None:
        """Feed a tagged encoding of `value` to `hasher`. Frozen dataclasses and long strings
        go in as their (remembered) digest, except at the top, where it is being made."""
        kind = type(value)
        if kind is str:
            assert isinstance(value, str)
            if len(value) >= _LONG and not top:
                hasher.update(b"H" + self.digest(value))
                return
            data = value.encode("utf-8", "surrogatepass")
            hasher.update(b"s" + len(data).to_bytes(8, "little") + data)
        elif kind is tuple or kind is list:
            assert isinstance(value, tuple | list)
            hasher.update(b"(" + len(value).to_bytes(8, "little"))
            for item in value:
                self._feed(hasher, item)
        elif value is None or kind is bool:
            hasher.update(b"N" if value is None else (b"T" if value else b"F"))
        elif kind is int or kind is float:
            hasher.update(b"n" + repr(value).encode() + b"\0")
        elif kind is dict:
            assert isinstance(value, dict)
            hasher.update(b"{" + len(value).to_bytes(8, "little"))
            for name, item in value.items():
                self._feed(hasher, name)
                self._feed(hasher, item)
        elif self._record(kind) is not None:
            hasher.update(b"H" + self.digest(value))
        elif isinstance(value, str):  # Markup and other kinds of text: the kind matters
            data = value.encode("utf-8", "surrogatepass")
            tag = b"S" + f"{kind.__module__}.{kind.__qualname__}".encode() + b"\0"
            hasher.update(tag + len(data).to_bytes(8, "little") + data)
        elif isinstance(value, datetime.date | datetime.time | datetime.timedelta | enum.Enum):
            hasher.update(b"t" + repr(value).encode() + b"\0")
        elif kind is bytes:
            assert isinstance(value, bytes)
            hasher.update(b"b" + len(value).to_bytes(8, "little") + value)
        else:
            raise Unfingerprintable(kind.__qualname__)

    def _feed_fields(
        self, hasher: Any, value: object, record: tuple[tuple[str, ...], bytes]
    ) -> None:
        names, tag = record
        hasher.update(tag)
        fields = getattr(value, "__dict__", None) or {}
        for name in names:
            self._feed(hasher, fields[name] if name in fields else getattr(value, name))

    def _record(self, kind: type) -> tuple[tuple[str, ...], bytes] | None:
        if kind in self._records:
            return self._records[kind]
        record = None
        if dataclasses.is_dataclass(kind):
            if not _is_frozen(kind):
                raise Unfingerprintable(kind.__qualname__)
            names = tuple(f.name for f in dataclasses.fields(kind))
            record = (names, b"D" + f"{kind.__module__}.{kind.__qualname__}".encode() + b"\0")
        self._records[kind] = record
        return record


def _is_frozen(kind: type) -> bool:
    params = getattr(kind, "__dataclass_params__", None)
    return bool(getattr(params, "frozen", False))

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
        self._fields: dict[type, tuple[str, ...]] = {}

    def page(self, template: str, context: Mapping[str, Any]) -> bytes | None:
        """The fingerprint of a page drawn by `template` from `context`, or None."""
        try:
            digest = hashlib.blake2b(digest_size=20)
            digest.update(template.encode("utf-8"))
            digest.update(b"\0")
            digest.update(self.digest(dict(context)))
            return digest.digest()
        except Unfingerprintable:
            return None

    def forget_unused(self) -> None:
        """Keep only what was digested since the last call."""
        self._known = {k: v for k, v in self._known.items() if k in self._used}
        self._used = set()

    def digest(self, value: object) -> bytes:
        remembered = self._known.get(id(value))
        if remembered is not None and remembered[0] is value:
            self._used.add(id(value))
            return remembered[1]
        hasher = hashlib.blake2b(digest_size=20)
        self._feed(hasher, value)
        result = hasher.digest()
        if _worth_remembering(value):
            self._known[id(value)] = (value, result)
            self._used.add(id(value))
        return result

    def _feed(self, hasher: Any, value: object) -> None:
        kind = type(value)
        if value is None or kind is bool:
            hasher.update(b"N" if value is None else (b"T" if value else b"F"))
        elif isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
            tag = b"s" if kind is str else b"S" + kind.__qualname__.encode() + b"\0"
            hasher.update(tag + len(data).to_bytes(8, "little") + data)
        elif kind is int or kind is float or isinstance(value, enum.Enum):
            hasher.update(b"n" + repr(value).encode() + b"\0")
        elif isinstance(value, datetime.date | datetime.time | datetime.timedelta):
            hasher.update(b"t" + repr(value).encode() + b"\0")
        elif kind is tuple or kind is list:
            assert isinstance(value, tuple | list)
            hasher.update(b"(" + len(value).to_bytes(8, "little"))
            for item in value:
                hasher.update(self.digest(item))
        elif kind is dict:
            assert isinstance(value, dict)
            hasher.update(b"{" + len(value).to_bytes(8, "little"))
            for key, item in value.items():
                hasher.update(self.digest(key))
                hasher.update(self.digest(item))
        elif kind is bytes:
            assert isinstance(value, bytes)
            hasher.update(b"b" + len(value).to_bytes(8, "little") + value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            if not _is_frozen(kind):
                raise Unfingerprintable(kind.__qualname__)
            hasher.update(b"D" + f"{kind.__module__}.{kind.__qualname__}".encode() + b"\0")
            for name in self._field_names(kind):
                hasher.update(self.digest(getattr(value, name)))
        else:
            raise Unfingerprintable(kind.__qualname__)

    def _field_names(self, kind: type) -> tuple[str, ...]:
        names = self._fields.get(kind)
        if names is None:
            names = tuple(f.name for f in dataclasses.fields(kind))
            self._fields[kind] = names
        return names


def _is_frozen(kind: type) -> bool:
    params = getattr(kind, "__dataclass_params__", None)
    return bool(getattr(params, "frozen", False))


def _worth_remembering(value: object) -> bool:
    if isinstance(value, str):
        return len(value) >= _LONG
    return dataclasses.is_dataclass(value) and _is_frozen(type(value))

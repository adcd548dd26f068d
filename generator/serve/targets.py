"""Request targets and who may ask: the checks the preview server makes before it answers.

A target is split on the raw ``/`` (so ``%2f`` never makes a new segment) and each segment
decoded and checked to be a plain name, so that no request can name a file outside the served
folder. The server answers only requests that name it by its own host names (``own_host``),
and the live-reload stream only pages of its own origin (``same_origin``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote, unquote_to_bytes, urlsplit


@dataclass(frozen=True)
class Target:
    """A validated request target: decoded path segments, safe to join under the root."""

    segments: tuple[str, ...]
    raw_segments: tuple[str, ...]
    trailing_slash: bool
    query: str

    def redirect_path(self) -> str:
        """The same target with a trailing slash, rebuilt from its checked segments (so never
        ``//host``)."""
        return "/" + "".join(f"{segment}/" for segment in self.raw_segments) + query_suffix(self)


def parse_target(target: str) -> Target | None:
    """Split and check a request target (see above); None means 400 Bad Request."""
    if target.startswith("/"):
        path, _, query = target.partition("?")
        path = path.partition("#")[0]
    else:
        parts = urlsplit(target)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return None
        path, query = parts.path or "/", parts.query
        if not path.startswith("/"):
            return None
    raw_segments = tuple(segment for segment in path.split("/") if segment)
    segments = []
    for raw in raw_segments:
        decoded = _decode_segment(raw)
        if decoded is None:
            return None
        segments.append(decoded)
    return Target(tuple(segments), raw_segments, path.endswith("/"), query)


def _decode_segment(raw: str) -> str | None:
    """Percent-decode one path segment as UTF-8; None if it is not a plain file name."""
    if "\\" in raw:
        return None
    try:
        decoded = unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        return None
    if any(ch in decoded for ch in "/\\") or any(ord(ch) < 0x20 for ch in decoded):
        return None
    if decoded.strip(". ") == "":  # ".", "..", "...": never a name we serve
        return None
    if len(decoded) >= 2 and decoded[1] == ":" and decoded[0].isalpha():  # "C:"
        return None
    return decoded


def normalize_base_path(base_path: str) -> str:
    """``journal``, ``/journal`` or a whole URL -> ``/journal/``."""
    if "://" in base_path:
        base_path = urlsplit(base_path).path
    inner = "/".join(segment for segment in base_path.split("/") if segment)
    return f"/{inner}/" if inner else "/"


def base_segments(base_path: str) -> tuple[str, ...]:
    decoded = (_decode_segment(segment) for segment in base_path.split("/") if segment)
    return tuple(segment for segment in decoded if segment is not None)


def query_suffix(target: Target) -> str:
    return f"?{target.query}" if target.query else ""


def query_value(target: Target, name: str) -> str | None:
    for pair in target.query.split("&"):
        key, _, value = pair.partition("=")
        if key == name:
            return unquote(value)
    return None


def same_origin(origin: str | None, host: str | None) -> bool:
    """True without an Origin header, or when its host:port is the one the request named."""
    if origin is None:
        return True
    if host is None:
        return False
    parts = urlsplit(origin)
    if parts.scheme != "http" or not parts.hostname:
        return False
    try:
        origin_port = parts.port or 80
        host_parts = urlsplit(f"//{host}")
        host_port = host_parts.port or 80
    except ValueError:
        return False
    return (parts.hostname, origin_port) == (host_parts.hostname, host_port)


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
ALL_INTERFACES = frozenset({"0.0.0.0", "::", ""})


def own_host(host: str | None, port: int, bound: str) -> bool:
    """True when a request's Host header names this server: 127.0.0.1, localhost (or a name
    under .localhost, which browsers keep on this machine), [::1] or the address it listens
    on (`bound`), at its `port`. Bound to every interface, any IP address will do.

    Any other name is refused: a page of evil.example whose name is made to point at
    127.0.0.1 once loaded (DNS rebinding) is "same origin" to the browser, and could read the
    preview, drafts included, and the live-reload channel. A request with no Host at all
    comes from no browser."""
    if host is None:
        return True
    try:
        parts = urlsplit(f"//{host}")
        name, given = parts.hostname, parts.port or 80
    except ValueError:
        return False
    if not name or given != port:
        return False
    if name in LOOPBACK_NAMES or name.endswith(".localhost") or name == bound.lower():
        return True
    if bound in ALL_INTERFACES:
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
    return False


def own_names(port: int, bound: str) -> str:
    """The names `own_host` accepts, for a refusal to show."""
    names = ["127.0.0.1", "localhost", "[::1]"]
    if bound not in LOOPBACK_NAMES and bound not in ALL_INTERFACES:
        names.append(f"[{bound}]" if ":" in bound else bound)
    return ", ".join(f"{name}:{port}" for name in names)

"""Where the preview listens: which hosts stay on this machine, the address a browser here
opens, and why the server could not listen."""

from __future__ import annotations

import errno
import ipaddress
import socket


def is_loopback(host: str) -> bool:
    """True when `host` only answers on this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def browsable_host(host: str) -> str:
    """The host part of a URL that reaches a server bound to `host` from this machine."""
    name = host.strip("[]")
    if name in ("", "0.0.0.0"):
        return "127.0.0.1"
    if name == "::":
        return "[::1]"
    return f"[{name}]" if ":" in name else name


def bind_error_message(exc: OSError, host: str, port: int) -> str:
    """One line saying why the server could not listen, and what to do about it."""
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use: stop the other server or choose another "
            "port with --port (--port 0 picks a free one)"
        )
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port}: choose a port above 1023 with --port"
    if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host!r}: {exc.strerror or exc}; check --host"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"

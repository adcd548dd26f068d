"""The preview's HTTP server and request handler: files of one folder under one URL path,
HTML with the live-reload script added, and the live-reload event stream."""

from __future__ import annotations

import logging
import mimetypes
import os
import shutil
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from generator.serve.livereload import (
    EVENTS_PATH,
    Message,
    ReloadHub,
    client_script,
    format_event,
    inject_script,
    url_path_of,
)
from generator.serve.targets import (
    Target,
    own_host,
    own_names,
    parse_target,
    query_suffix,
    query_value,
    same_origin,
)

logger = logging.getLogger(__name__)

_CONTENT_TYPES: Mapping[str, str] = MappingProxyType(
    {
        ".html": "text/html",
        ".htm": "text/html",
        ".css": "text/css",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".map": "application/json",
        ".webmanifest": "application/manifest+json",
        ".xml": "application/xml",
        ".txt": "text/plain",
        ".md": "text/plain",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".gif": "image/gif",
        ".webp": "image/webp",
        ".avif": "image/avif",
        ".ico": "image/x-icon",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".ttf": "font/ttf",
        ".otf": "font/otf",
        ".pdf": "application/pdf",
        ".mp3": "audio/mpeg",
        ".mp4": "video/mp4",
        ".webm": "video/webm",
        ".wasm": "application/wasm",
    }
)
"""A fixed table, so that answers do not depend on the machine's mime.types files."""

_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/manifest+json",
        "application/xml",
        "application/atom+xml",
        "application/javascript",
        "image/svg+xml",
    }
)

_NOT_FOUND_PAGE = PurePosixPath("404.html")
_COPY_CHUNK = 64 * 1024


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    content_type = _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
    content_type = content_type or "application/octet-stream"
    if content_type.startswith("text/") or content_type in _TEXT_TYPES:
        return f"{content_type}; charset=utf-8"
    return content_type


def _is_inside(path: Path, root: Path, *, folder: bool = False) -> bool:
    """True when ``path`` is a file (with ``folder``, a folder) that, with every symlink
    followed, stays inside ``root`` (resolved)."""
    try:
        return path.resolve().is_relative_to(root) and (path.is_dir() if folder else path.is_file())
    except (OSError, RuntimeError):  # symlink loops, names too long for the file system
        return False


@dataclass(frozen=True)
class Site:
    """What the server serves: one folder, under one URL path."""

    root: Path
    base_path: str  # as in URLs: "/journal/"
    base_segments: tuple[str, ...]  # decoded: ("journal",)

    @property
    def page_prefix(self) -> str:
        """The base path decoded, as live-reload events and ``decodeURI`` name pages."""
        return "/" + "".join(f"{segment}/" for segment in self.base_segments)


class PreviewHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # never wait for open event streams or idle clients
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        site: Site,
        hub: ReloadHub,
        keepalive_seconds: float,
    ) -> None:
        self.site = site
        self.hub = hub
        self.keepalive_seconds = keepalive_seconds
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _PreviewHandler)
        self.listening = (int(self.server_address[1]), address[0])  # its port, its address

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet about clients that went away; log anything else."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        logger.error("preview server: error answering %s", client_address, exc_info=error)


class _PreviewHandler(BaseHTTPRequestHandler):
    server_version = "journal-preview"
    sys_version = ""
    timeout = 60  # seconds a client may stall; event streams write more often than that

    @property
    def _preview(self) -> PreviewHTTPServer:
        server = self.server
        assert isinstance(server, PreviewHTTPServer)
        return server

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("preview server: %s - %s", self.address_string(), format % args)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache, no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    # -- routing --------------------------------------------------------------

    def _answer(self, *, head: bool) -> None:
        port, bound = self._preview.listening
        if not own_host(self.headers.get("Host"), port, bound):
            explain = (
                "This preview answers only to its own names: "
                f"{own_names(port, bound)}. Open http://127.0.0.1:{port}/ instead."
            )
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, None, explain)
            return
        target = parse_target(self.path)
        if target is None:
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        if target.raw_segments == (EVENTS_PATH.strip("/"),):
            self._stream_events(target, head=head)
            return
        site = self._preview.site
        base = site.base_segments
        if target.segments[: len(base)] != base:
            if not target.segments and base:
                self._redirect(HTTPStatus.FOUND, site.base_path + query_suffix(target))
            else:
                self._not_found(head=head)
            return
        if not target.segments[len(base) :] and not target.trailing_slash:
            self._redirect(HTTPStatus.MOVED_PERMANENTLY, target.redirect_path())
            return
        self._serve_path(target, target.segments[len(base) :], head=head)

    def _serve_path(self, target: Target, relative: tuple[str, ...], *, head: bool) -> None:
        root = self._preview.site.root.resolve()
        path = root.joinpath(*relative)
        if _is_inside(path, root, folder=True):
            if not target.trailing_slash:
                self._redirect(HTTPStatus.MOVED_PERMANENTLY, target.redirect_path())
                return
            path, relative = path / "index.html", (*relative, "index.html")
        elif target.trailing_slash:  # "/feed.xml/" names no folder
            self._not_found(head=head)
            return
        served = _is_inside(path, root) and self._send_file(
            HTTPStatus.OK, path, PurePosixPath(*relative), head=head
        )
        if not served:
            self._not_found(head=head)

    def _not_found(self, *, head: bool) -> None:
        root = self._preview.site.root.resolve()
        page = root / _NOT_FOUND_PAGE
        found = _is_inside(page, root)
        if not (found and self._send_file(HTTPStatus.NOT_FOUND, page, _NOT_FOUND_PAGE, head=head)):
            self.send_error(HTTPStatus.NOT_FOUND)

    def _redirect(self, status: HTTPStatus, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # -- files ----------------------------------------------------------------

    def _send_file(
        self, status: HTTPStatus, path: Path, relative: PurePosixPath, *, head: bool
    ) -> bool:
        """Send one file; False if it cannot be opened (it vanished or is unreadable)."""
        content_type = _content_type(path)
        try:
            if content_type.startswith("text/html"):
                body = path.read_bytes()
            else:
                with path.open("rb") as file:
                    self._send_head(status, content_type, os.fstat(file.fileno()).st_size)
                    if not head:
                        shutil.copyfileobj(file, self.wfile, _COPY_CHUNK)
                return True
        except OSError:
            return False
        page = url_path_of(relative, self._preview.site.page_prefix)
        script = client_script(EVENTS_PATH, self._preview.hub.token(), page)
        body = inject_script(body, script)
        self._send_head(status, content_type, len(body))
        if not head:
            self.wfile.write(body)
        return True

    def _send_head(self, status: HTTPStatus, content_type: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    # -- live reload ------------------------------------------------------------

    def _stream_events(self, target: Target, *, head: bool) -> None:
        """Serve the Server-Sent Events stream until the client leaves or the server stops."""
        host = self.headers.get("Host")
        if not same_origin(self.headers.get("Origin"), host):
            self.send_error(HTTPStatus.FORBIDDEN, "Cross-origin requests are not allowed")
            return
        hub = self._preview.hub
        cursor = hub.cursor(self.headers.get("Last-Event-ID") or query_value(target, "since"))
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        if head:
            return
        hub.stream_opened()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self._pump_events(hub, cursor)
        except (ConnectionError, TimeoutError):
            pass  # the page went away; EventSource reconnects if it is still open
        finally:
            hub.stream_closed()

    def _pump_events(self, hub: ReloadHub, cursor: int) -> None:
        initial = True
        while True:
            news = hub.next_messages(
                cursor, initial=initial, timeout=self._preview.keepalive_seconds
            )
            if news is None:
                return
            cursor, messages = news
            if initial and not messages:
                messages = [Message("hello", {})]  # sets the page's last event id
            initial = False
            event_id = hub.token(cursor)
            chunk = b"".join(format_event(message, event_id) for message in messages)
            # A comment keeps the connection alive and shows when a client has vanished.
            self.wfile.write(chunk or b": keepalive\n\n")

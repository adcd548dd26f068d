"""Preview server: serves the output folder over HTTP with live reload and an error overlay.

It knows nothing about journals. It serves one folder under one URL path (the path of the
site's ``base_url``), and the watcher tells it what changed after each build:

* ``notify_reload(changed)`` after a good build: open pages showing a changed file reload;
* ``show_problems(lines)`` after a failed build: every open page shows the problems on top
  of the last good files, which keep being served.

HTML responses get a small script, added while serving (never on disk), that listens to a
Server-Sent Events stream at ``/__livereload``. Every event carries an id (``epoch-seq``) so a
page that reconnects, or that was loaded just before a build, learns what it missed.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import mimetypes
import os
import secrets
import shutil
import socket
import sys
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, BinaryIO, Literal
from urllib.parse import unquote, unquote_to_bytes, urlsplit

__all__ = ["PreviewServer"]

logger = logging.getLogger(__name__)

EVENTS_PATH = "/__livereload"
"""The live-reload endpoint; the generator never writes a file of that name."""

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

_STANDALONE_SUFFIXES = frozenset({".html", ".htm", ".xml", ".txt", ".json"})
"""Files that no other page embeds: a change to one reloads only the page showing it.

A change to anything else (stylesheets, scripts, images, fonts) may show on any page.
"""

_NOT_FOUND_PAGE = PurePosixPath("404.html")
_HISTORY_SIZE = 256
_COPY_CHUNK = 64 * 1024

_CLIENT_SCRIPT = """(function () {
  "use strict";
  var cfg = __CONFIG__;
  if (!window.EventSource) { return; }
  var overlay = null;
  var source = new EventSource(cfg.endpoint + "?since=" + encodeURIComponent(cfg.since));
  function here() {
    try { return decodeURI(location.pathname); } catch (e) { return location.pathname; }
  }
  function affects(paths) {
    return paths === null || paths.indexOf(cfg.page) !== -1 || paths.indexOf(here()) !== -1;
  }
  function reload() { source.close(); location.reload(); }
  function hideProblems() {
    if (overlay) { overlay.parentNode.removeChild(overlay); overlay = null; }
  }
  function element(tag, css, text) {
    var node = document.createElement(tag);
    node.style.cssText = css;
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function showProblems(lines) {
    hideProblems();
    overlay = element("div", "position:fixed;top:0;left:0;right:0;bottom:0;" +
      "z-index:2147483647;overflow:auto;margin:0;padding:2em;box-sizing:border-box;" +
      "background:rgba(24,24,24,.94);color:#f4f4f4;font:14px/1.5 ui-monospace,monospace;" +
      "text-align:left;");
    overlay.id = "livereload-problems";
    overlay.setAttribute("role", "alert");
    overlay.appendChild(element("h2", "margin:0 0 1em;color:#ff8a80;font:bold 20px sans-serif;",
      "Build failed"));
    var list = element("ul", "margin:0;padding:0;list-style:none;white-space:pre-wrap;");
    lines.forEach(function (line) {
      list.appendChild(element("li", "margin:0 0 .5em;", line));
    });
    overlay.appendChild(list);
    overlay.appendChild(element("p", "margin:1.5em 0 0;color:#aaa;font:13px sans-serif;",
      "This page shows the last good build. It reloads when the build succeeds."));
    (document.body || document.documentElement).appendChild(overlay);
  }
  source.addEventListener("reload", function (event) {
    if (overlay || affects(JSON.parse(event.data).paths)) { reload(); }
  });
  source.addEventListener("problems", function (event) {
    showProblems(JSON.parse(event.data).lines);
  });
  source.addEventListener("clear", function () { hideProblems(); reload(); });
})();"""


# ---------------------------------------------------------------------------
# Request targets


@dataclass(frozen=True)
class _Target:
    """A validated request target: decoded path segments, safe to join under the root."""

    segments: tuple[str, ...]
    raw_segments: tuple[str, ...]
    trailing_slash: bool
    query: str

    def redirect_path(self, *, slash: bool) -> str:
        """The same target rebuilt from its checked segments (so never ``//host``)."""
        path = "/" + "/".join(self.raw_segments)
        if slash and not path.endswith("/"):
            path += "/"
        return path + _query(self)


def _parse_target(target: str) -> _Target | None:
    """Split and check a request target; None means 400 Bad Request.

    Segments are split on the raw ``/`` before decoding, so ``%2f`` can never make a new
    segment; each decoded segment must then be a plain name.
    """
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
    return _Target(tuple(segments), raw_segments, path.endswith("/"), query)


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


def _normalize_base_path(base_path: str) -> str:
    """``journal``, ``/journal`` or a whole URL -> ``/journal/``."""
    if "://" in base_path:
        base_path = urlsplit(base_path).path
    inner = "/".join(segment for segment in base_path.split("/") if segment)
    return f"/{inner}/" if inner else "/"


def _base_segments(base_path: str) -> tuple[str, ...]:
    decoded = (_decode_segment(segment) for segment in base_path.split("/") if segment)
    return tuple(segment for segment in decoded if segment is not None)


# ---------------------------------------------------------------------------
# Files


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    content_type = _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
    content_type = content_type or "application/octet-stream"
    if content_type.startswith("text/") or content_type in _TEXT_TYPES:
        return f"{content_type}; charset=utf-8"
    return content_type


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name too long for the file system
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _is_within(path: Path, root: Path) -> bool:
    """True when ``path``, with every symlink followed, stays inside ``root`` (resolved)."""
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # symlink loops, bad names
        return False


def _url_path_of(relative: PurePosixPath, base_path: str) -> str:
    """Output file -> URL path: ``a/b/index.html`` -> ``{base}a/b/``, ``f.xml`` -> same."""
    if relative.name == "index.html":
        parent = relative.parent.as_posix()
        return base_path if parent == "." else f"{base_path}{parent}/"
    return f"{base_path}{relative.as_posix()}"


def _changed_urls(changed: Iterable[str] | None, base_path: str) -> frozenset[str] | None:
    """URL paths of the pages that show the changed files; None means every page."""
    if changed is None:
        return None
    urls = set()
    for name in changed:
        relative = PurePosixPath(name.replace("\\", "/").lstrip("/"))
        if relative.suffix.lower() not in _STANDALONE_SUFFIXES:
            return None
        urls.add(_url_path_of(relative, base_path))
    return frozenset(urls)


def _inject_script(html: bytes, script: bytes) -> bytes:
    """Put ``script`` just before the last ``</body>``, or at the end if there is none."""
    index = html.lower().rfind(b"</body>")
    if index < 0:
        return html + script
    return html[:index] + script + html[index:]


def _client_script(endpoint: str, since: str, page: str) -> bytes:
    config = json.dumps({"endpoint": endpoint, "since": since, "page": page})
    # Inside <script>, "</script>" or "<!--" in a value would end or confuse the element.
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<script>{_CLIENT_SCRIPT.replace('__CONFIG__', config)}</script>".encode()


# ---------------------------------------------------------------------------
# Live reload state


EventKind = Literal["reload", "clear", "problems"]
MessageKind = Literal["hello", "reload", "clear", "problems"]


@dataclass(frozen=True)
class _Event:
    seq: int
    kind: EventKind
    paths: frozenset[str] | None = None  # reload/clear: URL paths; None = every page
    lines: tuple[str, ...] = ()  # problems


@dataclass(frozen=True)
class _Message:
    """One Server-Sent Event as sent to a page."""

    kind: MessageKind
    data: Mapping[str, object]


def _summarize(
    events: Sequence[_Event],
    complete: bool,
    problems: tuple[str, ...] | None,
    initial: bool,
) -> list[_Message]:
    """What a page must be told about ``events`` it has not seen yet.

    ``complete`` is False when some missed events are gone (history overflow, a page from an
    earlier server): the page then reloads whatever it shows. ``initial`` is True on a new
    connection, which must also learn about problems still active.
    """
    paths: set[str] | None = None if not complete else set()
    cleared = problems_changed = False
    for event in events:
        if event.kind == "problems":
            problems_changed = True
            continue
        cleared = cleared or event.kind == "clear"
        if paths is not None:
            paths = None if event.paths is None else paths | event.paths
    messages = []
    if problems is None and cleared:
        messages.append(_Message("clear", {}))
    elif paths is None or paths:
        messages.append(_Message("reload", {"paths": None if paths is None else sorted(paths)}))
    if problems is not None and (initial or problems_changed or not complete):
        messages.append(_Message("problems", {"lines": list(problems)}))
    return messages


class _ReloadHub:
    """Build events, shared between the watcher's thread and every event-stream thread."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._epoch = secrets.token_hex(4)
        self._seq = 0
        self._history: deque[_Event] = deque(maxlen=_HISTORY_SIZE)
        self._problems: tuple[str, ...] | None = None
        self._stopped = False
        self._streams = 0

    @property
    def open_streams(self) -> int:
        with self._condition:
            return self._streams

    def token(self, seq: int | None = None) -> str:
        """The event id for ``seq`` (default: now), tied to this server's lifetime."""
        with self._condition:
            return f"{self._epoch}-{self._seq if seq is None else seq}"

    def cursor(self, token: str | None) -> int:
        """The seq a page last saw; -1 when unknown (it then reloads). None means now."""
        with self._condition:
            if token is None:
                return self._seq
            epoch, _, seq = token.partition("-")
            if epoch != self._epoch or not seq.isdigit():
                return -1
            return int(seq)

    def publish_reload(self, paths: frozenset[str] | None) -> None:
        with self._condition:
            kind: EventKind = "reload" if self._problems is None else "clear"
            self._problems = None
            self._publish(kind, paths=paths)

    def publish_problems(self, lines: tuple[str, ...]) -> None:
        with self._condition:
            self._problems = lines
            self._publish("problems", lines=lines)

    def _publish(self, kind: EventKind, **fields: Any) -> None:
        self._seq += 1
        self._history.append(_Event(self._seq, kind, **fields))
        self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()

    def stream_opened(self) -> None:
        with self._condition:
            self._streams += 1

    def stream_closed(self) -> None:
        with self._condition:
            self._streams -= 1

    def next_messages(
        self, cursor: int, *, initial: bool, timeout: float
    ) -> tuple[int, list[_Message]] | None:
        """Wait (unless ``initial``) for news after ``cursor``; None once stopped.

        Returns the new cursor and the messages to send; an empty list after ``timeout``.
        """
        with self._condition:
            if not initial:
                self._condition.wait_for(lambda: self._stopped or self._seq != cursor, timeout)
            if self._stopped:
                return None
            if 0 <= cursor <= self._seq:
                events = [event for event in self._history if event.seq > cursor]
                complete = len(events) == self._seq - cursor
            else:
                events, complete = [], False
            return self._seq, _summarize(events, complete, self._problems, initial)


# ---------------------------------------------------------------------------
# HTTP


def _same_origin(origin: str | None, host: str | None) -> bool:
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


def _local_host(host: str | None) -> bool:
    """True when the request names the server by an IP address or by `localhost` (or a name
    under .localhost), not by another domain name: a page of evil.example whose name is
    made to point at 127.0.0.1 once loaded (DNS rebinding) is "same origin" to the browser,
    and must not get the live-reload channel (it carries the build's problems)."""
    if host is None:
        return True  # no browser sends a request without Host
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:
        return False
    if not name:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _Site:
    root: Path
    base_path: str  # as in URLs: "/journal/"
    base_segments: tuple[str, ...]  # decoded: ("journal",)

    @property
    def page_prefix(self) -> str:
        """The base path decoded, as live-reload events and ``decodeURI`` name pages."""
        return "/" + "".join(f"{segment}/" for segment in self.base_segments)


class _PreviewHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # never wait for open event streams or idle clients
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        site: _Site,
        hub: _ReloadHub,
        keepalive_seconds: float,
    ) -> None:
        self.site = site
        self.hub = hub
        self.keepalive_seconds = keepalive_seconds
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _PreviewHandler)

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
    def _preview(self) -> _PreviewHTTPServer:
        server = self.server
        assert isinstance(server, _PreviewHTTPServer)
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
        target = _parse_target(self.path)
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
                self._redirect(HTTPStatus.FOUND, site.base_path + _query(target))
            else:
                self._not_found(head=head)
            return
        if not target.segments[len(base) :] and not target.trailing_slash:
            self._redirect(HTTPStatus.MOVED_PERMANENTLY, target.redirect_path(slash=True))
            return
        self._serve_path(target, target.segments[len(base) :], head=head)

    def _serve_path(self, target: _Target, relative: tuple[str, ...], *, head: bool) -> None:
        root = self._preview.site.root.resolve()
        path = root.joinpath(*relative)
        if _is_within(path, root) and _is_dir(path):
            if not target.trailing_slash:
                self._redirect(HTTPStatus.MOVED_PERMANENTLY, target.redirect_path(slash=True))
                return
            path, relative = path / "index.html", (*relative, "index.html")
        elif target.trailing_slash:  # "/feed.xml/" names no folder
            self._not_found(head=head)
            return
        if not (
            _is_within(path, root)
            and _is_file(path)
            and self._send_file(HTTPStatus.OK, path, PurePosixPath(*relative), head=head)
        ):
            self._not_found(head=head)

    def _not_found(self, *, head: bool) -> None:
        root = self._preview.site.root.resolve()
        page = root / _NOT_FOUND_PAGE
        found = _is_within(page, root) and _is_file(page)
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
                    self._send_stream(status, content_type, file, head=head)
                return True
        except OSError:
            return False
        page = _url_path_of(relative, self._preview.site.page_prefix)
        script = _client_script(EVENTS_PATH, self._preview.hub.token(), page)
        self._send_bytes(status, content_type, _inject_script(body, script), head=head)
        return True

    def _send_bytes(
        self, status: HTTPStatus, content_type: str, body: bytes, *, head: bool
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_stream(
        self, status: HTTPStatus, content_type: str, file: BinaryIO, *, head: bool
    ) -> None:
        size = os.fstat(file.fileno()).st_size
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if not head:
            shutil.copyfileobj(file, self.wfile, _COPY_CHUNK)

    # -- live reload ------------------------------------------------------------

    def _stream_events(self, target: _Target, *, head: bool) -> None:
        """Serve the Server-Sent Events stream until the client leaves or the server stops."""
        host = self.headers.get("Host")
        if not (_local_host(host) and _same_origin(self.headers.get("Origin"), host)):
            self.send_error(HTTPStatus.FORBIDDEN, "Cross-origin requests are not allowed")
            return
        hub = self._preview.hub
        cursor = hub.cursor(self.headers.get("Last-Event-ID") or _query_value(target, "since"))
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

    def _pump_events(self, hub: _ReloadHub, cursor: int) -> None:
        initial = True
        while True:
            news = hub.next_messages(
                cursor, initial=initial, timeout=self._preview.keepalive_seconds
            )
            if news is None:
                return
            cursor, messages = news
            if initial and not messages:
                messages = [_Message("hello", {})]  # sets the page's last event id
            initial = False
            event_id = hub.token(cursor)
            chunk = b"".join(_format_event(message, event_id) for message in messages)
            # A comment keeps the connection alive and shows when a client has vanished.
            self.wfile.write(chunk or b": keepalive\n\n")


def _format_event(message: _Message, event_id: str) -> bytes:
    data = json.dumps(message.data)  # one line: JSON escapes newlines inside strings
    return f"id: {event_id}\nevent: {message.kind}\ndata: {data}\n\n".encode()


def _query(target: _Target) -> str:
    return f"?{target.query}" if target.query else ""


def _query_value(target: _Target, name: str) -> str | None:
    for pair in target.query.split("&"):
        key, _, value = pair.partition("=")
        if key == name:
            return unquote(value)
    return None


# ---------------------------------------------------------------------------
# Public API


class PreviewServer:
    """Serve ``root`` (the output folder) under ``base_path`` with live reload.

    ``start`` runs the server in a daemon thread and returns at once; ``shutdown`` stops it,
    ending every open event stream. ``notify_reload`` and ``show_problems`` may be called
    from any thread.
    """

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        base_path: str = "/",
        *,
        keepalive_seconds: float = 15.0,
    ) -> None:
        normalized = _normalize_base_path(base_path)
        self._site = _Site(Path(root), normalized, _base_segments(normalized))
        self._host = host
        self._port = port
        self._keepalive_seconds = keepalive_seconds
        self._hub = _ReloadHub()
        self._httpd: _PreviewHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The site's address, with the real port once started (useful with ``port=0``)."""
        port = self._httpd.server_address[1] if self._httpd is not None else self._port
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{port}{self._site.base_path}"

    def start(self) -> None:
        """Bind and serve in a daemon thread; raises OSError when the port is taken."""
        if self._httpd is not None:
            raise RuntimeError("the preview server is already started")
        httpd = _PreviewHTTPServer(
            (self._host, self._port), self._site, self._hub, self._keepalive_seconds
        )
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="preview-server",
            daemon=True,
        )
        self._thread.start()

    def shutdown(self) -> None:
        """Stop serving; open event streams end at once. Safe to call more than once."""
        self._hub.stop()
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        if thread.is_alive():
            httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)

    def notify_reload(self, changed: Iterable[str] | None = None) -> None:
        """After a good build: reload pages showing ``changed`` files; clear any overlay.

        ``changed`` holds output-relative POSIX paths written or deleted; None means that
        anything may have changed.
        """
        self._hub.publish_reload(_changed_urls(changed, self._site.page_prefix))

    def show_problems(self, lines: Sequence[str]) -> None:
        """After a failed build: show ``lines`` over every open page."""
        self._hub.publish_problems(tuple(str(line) for line in lines))

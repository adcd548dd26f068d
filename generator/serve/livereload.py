"""Live reload: the event hub every event stream reads, and the script added to HTML pages.

After each build the preview server publishes one event to the hub: a reload of the pages
showing changed files after a good build, or the problems of a failed one. Every event carries
an id (``epoch-seq``) so a page that reconnects, or that was loaded just before a build, learns
what it missed. The script, added while serving (never on disk), listens to the stream at
``EVENTS_PATH``, reloads the page when it is affected, and shows problems over it.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

EVENTS_PATH = "/__livereload"
"""The live-reload endpoint; the generator never writes a file of that name."""

_STANDALONE_SUFFIXES = frozenset({".html", ".htm", ".xml", ".txt", ".json"})
"""Files that no other page embeds: a change to one reloads only the page showing it.

A change to anything else (stylesheets, scripts, images, fonts) may show on any page.
"""

_HISTORY_SIZE = 256


# ---------------------------------------------------------------------------
# Pages: their URL paths, and the script added to them


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


def url_path_of(relative: PurePosixPath, base_path: str) -> str:
    """Output file -> URL path: ``a/b/index.html`` -> ``{base}a/b/``, ``f.xml`` -> same."""
    if relative.name == "index.html":
        parent = relative.parent.as_posix()
        return base_path if parent == "." else f"{base_path}{parent}/"
    return f"{base_path}{relative.as_posix()}"


def changed_urls(changed: Iterable[str] | None, base_path: str) -> frozenset[str] | None:
    """URL paths of the pages that show the changed files; None means every page."""
    if changed is None:
        return None
    urls = set()
    for name in changed:
        relative = PurePosixPath(name.replace("\\", "/").lstrip("/"))
        if relative.suffix.lower() not in _STANDALONE_SUFFIXES:
            return None
        urls.add(url_path_of(relative, base_path))
    return frozenset(urls)


def inject_script(html: bytes, script: bytes) -> bytes:
    """Put ``script`` just before the last ``</body>``, or at the end if there is none."""
    index = html.lower().rfind(b"</body>")
    if index < 0:
        return html + script
    return html[:index] + script + html[index:]


def client_script(endpoint: str, since: str, page: str) -> bytes:
    """The ``<script>`` element for a page at URL path ``page``, loaded at event id ``since``."""
    config = json.dumps({"endpoint": endpoint, "since": since, "page": page})
    # Inside <script>, "</script>" or "<!--" in a value would end or confuse the element.
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<script>{_CLIENT_SCRIPT.replace('__CONFIG__', config)}</script>".encode()


# ---------------------------------------------------------------------------
# Events


EventKind = Literal["reload", "clear", "problems"]
MessageKind = Literal["hello", "reload", "clear", "problems"]


@dataclass(frozen=True)
class _Event:
    seq: int
    kind: EventKind
    paths: frozenset[str] | None = None  # reload/clear: URL paths; None = every page
    lines: tuple[str, ...] = ()  # problems


@dataclass(frozen=True)
class Message:
    """One Server-Sent Event as sent to a page."""

    kind: MessageKind
    data: Mapping[str, object]


def _summarize(
    events: Sequence[_Event],
    complete: bool,
    problems: tuple[str, ...] | None,
    initial: bool,
) -> list[Message]:
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
        messages.append(Message("clear", {}))
    elif paths is None or paths:
        messages.append(Message("reload", {"paths": None if paths is None else sorted(paths)}))
    if problems is not None and (initial or problems_changed or not complete):
        messages.append(Message("problems", {"lines": list(problems)}))
    return messages


class ReloadHub:
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
    ) -> tuple[int, list[Message]] | None:
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


def format_event(message: Message, event_id: str) -> bytes:
    """One message as the event stream carries it, under the event id ``event_id``."""
    data = json.dumps(message.data)  # one line: JSON escapes newlines inside strings
    return f"id: {event_id}\nevent: {message.kind}\ndata: {data}\n\n".encode()

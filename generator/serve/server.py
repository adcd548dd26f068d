"""Preview server: serves the output folder over HTTP with live reload and an error overlay.

It knows nothing about journals: it serves one folder under one URL path (the path of the
site's ``base_url``) and is told what each build did. After a good one, ``notify_reload``
reloads the open pages showing a changed file; after a failed one, ``show_problems`` shows the
problems over every open page, while the last good files keep being served.

handler.py answers the requests, livereload.py holds the event hub and the script added to
pages, and targets.py checks request targets and the hosts that may ask.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from generator.serve.handler import PreviewHTTPServer, Site
from generator.serve.livereload import ReloadHub, changed_urls
from generator.serve.targets import base_segments, normalize_base_path

__all__ = ["PreviewServer"]


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
        normalized = normalize_base_path(base_path)
        self._site = Site(Path(root), normalized, base_segments(normalized))
        self._host = host
        self._port = port
        self._keepalive_seconds = keepalive_seconds
        self._hub = ReloadHub()
        self._httpd: PreviewHTTPServer | None = None
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
        httpd = PreviewHTTPServer(
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
        """After a good build: reload pages showing ``changed`` files (output-relative POSIX
        paths written or deleted; None: anything may have changed); clear any overlay."""
        self._hub.publish_reload(changed_urls(changed, self._site.page_prefix))

    def show_problems(self, lines: Sequence[str]) -> None:
        """After a failed build: show ``lines`` over every open page."""
        self._hub.publish_problems(tuple(str(line) for line in lines))

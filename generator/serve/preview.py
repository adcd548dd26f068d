"""Preview while writing: build, serve, watch, rebuild, reload (`journal serve`).

The loop joins three parts that know nothing of each other: `WatchSession`
(generator/incremental/session.py) makes the site, `PreviewServer` (server.py) serves it with
live reload and the error overlay, `Watcher` (watch.py) reports changed files in debounced
batches. Each batch is one `WatchSession.build(changed=batch)`; a good build reloads the pages
that show a written or deleted file, a failed one keeps the last good files in place and shows
its problems over every open page (overlay.py words them). Nothing here ends the loop: an
exception in a rebuild is shown like a problem.

Where the preview is built: ROOT/.journal-cache/preview/ unless told otherwise, with
`base_url` replaced by the server's own address plus the configured base path. Feeds,
canonical links and the sitemap then point at the preview, and output/, the folder that
`journal build` fills for deployment, is never left holding localhost URLs. The preview folder
is the builder's own (`own_output`): a rebuild that makes only the pages an edit shows keeps
the other files without looking at them, and looks at them soon after (`_audit_later`).

Each build asks `PreviewSettings.clock` for the time; a timer (due.py, `alarm`) waits for the
next post dated later (`WatchSession.next_due`), then `wake` builds as a change would.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from generator.core.config import CONFIG_NAME, BuildOptions, load_config, missing_config
from generator.core.problems import has_errors
from generator.incremental.schedule import Now, aware_now
from generator.incremental.session import WatchSession
from generator.pipeline.build import BuildResult, Request
from generator.pipeline.write import output_problems, write_site
from generator.serve import PREVIEW_HOST, PREVIEW_PORT
from generator.serve.due import DueTimer, SetAlarm, set_alarm
from generator.serve.hosts import bind_error_message, browsable_host
from generator.serve.overlay import PLACEHOLDER_FILES, crash_line, has_no_site, problem_lines
from generator.serve.server import PreviewServer
from generator.serve.watch import Watcher

__all__ = ["PREVIEW_FOLDER", "Preview", "PreviewSettings", "ServeError"]

AUDIT_DELAY = 0.5
"""Seconds after a short rebuild before the files it kept unlooked at are looked at."""

PREVIEW_FOLDER = Path(".journal-cache") / "preview"
"""Where the preview is built, under the journal folder, unless settings name another."""

logger = logging.getLogger(__name__)

WATCHED = ("content", "templates", CONFIG_NAME)
"""What a rebuild depends on, relative to the journal folder."""

OnBuild = Callable[[BuildResult], None]
OnCrash = Callable[[BaseException], None]


class ServeError(Exception):
    """The preview cannot start (port taken, output folder refused, nothing to watch)."""


@dataclass(frozen=True)
class PreviewSettings:
    """What to preview and where to serve it. `output` None means ROOT/.journal-cache/preview."""

    root: Path
    host: str = PREVIEW_HOST
    port: int = PREVIEW_PORT
    options: BuildOptions = field(default_factory=BuildOptions)
    output: Path | None = None
    debounce: float = 0.02  # seconds of quiet after a save before the rebuild
    use_cache: bool = True  # the build cache in ROOT/.journal-cache (False: --no-cache)
    markdown: str | None = None  # the Markdown engine, over journal.toml's (--markdown)
    clock: Now = aware_now  # asked at each build for `now` (options.now is not read)

    @property
    def output_dir(self) -> Path:
        return self.output if self.output is not None else self.root / PREVIEW_FOLDER


def set_aside_what_the_builder_keeps() -> None:
    """After a build that made every page: collect its garbage, then take what the builder
    keeps until the next build (views, renderings, fragments: millions of objects at 10,000
    posts) out of the collector's reach, so that it is not scanned again and again (each scan
    would stall an edit's build for half a second). With `collector_paused`, a one-post edit
    at 10,000 posts takes 147 ms instead of 200 to 228 (benchmarks/run.py)."""
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while a rebuild runs; it runs once afterwards, if due. A rebuild's
    dicts of every post and page stay young until it ends, and each of its dozens of young
    collections would look through them all again (up to 15 ms of an edit at 10,000 posts);
    the few hundred objects it leaves in cycles are freed by the collection after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def configured_base_path(root: Path) -> str | None:
    """The path of journal.toml's base_url ("/journal/"); None while the settings are broken."""
    config, problems = load_config(root)
    return None if has_errors(problems) else config.base_path


def is_settings_change(changed: Iterable[Path], root: Path) -> bool:
    """True when a batch of changes may include journal.toml."""
    config = Path(os.path.abspath(root / CONFIG_NAME))
    return any(Path(os.path.abspath(path)) in (config, config.parent) for path in changed)


class Preview:
    """Build the journal, serve it, and rebuild on every change until `close`.

    `start` returns after the first build (failed or not) with the server and the watcher
    running; `on_build` is called after every build and `on_crash` when a build raises, both
    from the watcher's or the due timer's thread after the first build. Builds never overlap.
    """

    def __init__(
        self,
        settings: PreviewSettings,
        *,
        on_build: OnBuild | None = None,
        on_crash: OnCrash | None = None,
        alarm: SetAlarm = set_alarm,
    ) -> None:
        self.settings = settings
        self._on_build = on_build
        self._on_crash = on_crash
        self._build_lock = threading.Lock()  # held for each build: builds never overlap
        self._server_lock = threading.Lock()  # held while the server is replaced or closed
        self._closing = threading.Event()
        self._server: PreviewServer | None = None
        self._server_base_path = "/"
        self._port = settings.port
        self._watcher: Watcher | None = None
        self._builder: WatchSession | None = None
        self._base_path = "/"  # the one the builder builds for
        self._showing_problems = False
        self._last_result: BuildResult | None = None
        self._audit: threading.Timer | None = None  # see _audit_later
        self._due = DueTimer(settings.clock, self.wake, alarm)  # see wake

    # -- public -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """The address of the site's home page, with the real port once started."""
        return f"{self._origin()}{self._server_base_path}"

    @property
    def output_dir(self) -> Path:
        return self.settings.output_dir

    @property
    def last_result(self) -> BuildResult | None:
        """The latest build's result; None before the first build or after a crash."""
        return self._last_result

    def start(self) -> BuildResult | None:
        """Bind, watch, build once, and serve; raises ServeError when it cannot start.

        The server and the watcher start before the first build: the port is checked at
        once, and a file saved while the first build runs is not missed.
        """
        settings = self.settings
        if not (settings.root / CONFIG_NAME).is_file():
            raise ServeError(missing_config(settings.root))
        refused = output_problems(settings.root, settings.output_dir)
        if refused:
            raise ServeError(refused[0].message)
        self._base_path = configured_base_path(settings.root) or "/"
        try:
            self._start_server(self._base_path, settings.port)
            self._start_watcher()
            with self._build_lock:
                self._rebuild(None)
        except BaseException:
            self.close()
            raise
        return self._last_result

    def close(self, timeout: float | None = None) -> None:
        """Stop serving and watching. Safe to call more than once, from any thread.

        A rebuild already running is waited for, at most `timeout` seconds if given (it
        writes each file atomically, so leaving it unfinished harms nothing).
        """
        self._closing.set()
        if self._audit is not None:
            self._audit.cancel()
        self._due.stop()
        with self._server_lock:  # no restart can slip in after this
            server, watcher = self._server, self._watcher
        if server is not None:
            server.shutdown()
        if watcher is None:
            return
        stopper = threading.Thread(target=watcher.stop, name="preview-stop", daemon=True)
        stopper.start()
        stopper.join(timeout)

    # -- the loop ---------------------------------------------------------------

    def _on_change(self, changed: frozenset[Path]) -> None:
        with self._build_lock:
            if self._closing.is_set():
                return
            if is_settings_change(changed, self.settings.root):
                self._follow_settings()
            self._rebuild(changed)

    def wake(self) -> None:
        """A post's time has come (the due timer calls this): build as a change would."""
        with self._build_lock:
            if not self._closing.is_set() and self._builder is not None:
                self._rebuild(frozenset())

    def _rebuild(self, changed: frozenset[Path] | None) -> None:
        """One build and what follows from it (lock held). Never raises an Exception."""
        try:
            result = self._build(changed)
            if result.ok:
                self._succeeded(result)
            else:
                self._failed(problem_lines(result))
        except Exception as exc:
            self._builder = None  # its state is unknown: the next build starts afresh
            self._last_result = None
            self._crashed(exc)
            return
        self._due.set(self._builder.next_due if self._builder is not None else None)
        if self._on_build is not None and not self._closing.is_set():
            self._on_build(result)
        if not result.short_plan:
            set_aside_what_the_builder_keeps()
        elif result.ok and changed:
            self._audit_later()

    def _audit_later(self) -> None:
        """A short build keeps the other files without looking at them: look at them once
        the preview is quiet (the browser reloading, the next save), AUDIT_DELAY later."""
        if self._audit is not None:
            self._audit.cancel()
        timer = threading.Timer(AUDIT_DELAY, self._audit_now)
        timer.name, timer.daemon = "preview-audit", True
        self._audit = timer
        timer.start()

    def _audit_now(self) -> None:
        """Make again at once the files altered behind the preview's back, if any (and let
        go of what the builder kept of views that are gone)."""
        with self._build_lock:
            builder = self._builder
            if self._closing.is_set() or builder is None:
                return
            builder.forget_dead()
            try:
                altered = builder.audit()
            except OSError:
                logger.debug("preview: the kept files could not be looked at", exc_info=True)
                return
            if altered:
                logger.info("preview: %d file(s) changed by hand; writing them again", len(altered))
                self._rebuild(frozenset())  # (a build that changes nothing calls no audit)

    def _build(self, changed: frozenset[Path] | None) -> BuildResult:
        builder = self._builder
        if builder is None:  # a new builder knows nothing yet: it looks at everything
            builder = self._builder = self._new_builder()
            result = builder.build(changed=None)
        else:
            with collector_paused():
                result = builder.build(changed=changed)
        self._last_result = result
        return result

    def _crashed(self, exc: Exception) -> None:
        try:
            self._failed([crash_line(exc)])
        finally:
            if self._on_crash is not None and not self._closing.is_set():
                self._on_crash(exc)

    def _succeeded(self, result: BuildResult) -> None:
        written = result.written
        changed = (*written.written, *written.deleted) if written is not None else ()
        showing_problems, self._showing_problems = self._showing_problems, False
        if self._server_base_path != self._base_path:
            # Open pages lose their event stream, reconnect to the new server and reload.
            self._restart_server(self._base_path)
        elif changed or showing_problems:
            self._require_server().notify_reload(changed)

    def _failed(self, lines: list[str]) -> None:
        self._write_placeholder()
        self._require_server().show_problems(lines)
        self._showing_problems = True

    def _write_placeholder(self) -> None:
        """Give the overlay a page to sit on when there is no site at all yet."""
        output = self.settings.output_dir
        try:
            if has_no_site(output) and not output_problems(self.settings.root, output):
                write_site(output, PLACEHOLDER_FILES)
        except Exception:  # a nicety: failing it must not stop the preview
            logger.debug("preview: no placeholder page in %s", output, exc_info=True)

    def _follow_settings(self) -> None:
        """journal.toml changed: build for its base path (the server follows after a good
        build). Broken settings keep the current one; the build reports them."""
        base_path = configured_base_path(self.settings.root)
        if base_path is not None and base_path != self._base_path:
            self._base_path = base_path
            self._builder = None

    def _new_builder(self) -> WatchSession:
        settings = self.settings
        return WatchSession(
            Request(
                root=settings.root,
                output=settings.output_dir,
                options=settings.options,
                base_url=f"{self._origin()}{self._base_path}",
                use_cache=settings.use_cache,
                markdown=settings.markdown,
            ),
            own_output=True,
            clock=self.settings.clock,
        )

    # -- parts --------------------------------------------------------------------

    def _origin(self) -> str:
        return f"http://{browsable_host(self.settings.host)}:{self._port}"

    def _require_server(self) -> PreviewServer:
        if self._server is None:
            raise RuntimeError("the preview server is not running")
        return self._server

    def _start_server(self, base_path: str, port: int) -> None:
        host = self.settings.host
        server = PreviewServer(self.settings.output_dir, host, port, base_path)
        try:
            server.start()
        except OSError as exc:
            server.shutdown()
            raise ServeError(bind_error_message(exc, host, port)) from exc
        self._server = server
        self._server_base_path = base_path
        actual = urlsplit(server.url).port
        self._port = actual if actual is not None else port

    def _restart_server(self, base_path: str) -> None:
        """Serve under another base path, on the same port (the server fixes its base path)."""
        with self._server_lock:
            if self._closing.is_set():
                return
            old_base_path = self._server_base_path
            self._require_server().shutdown()
            try:
                self._start_server(base_path, self._port)
            except ServeError:
                # The port was taken in between: serve as before, and say so.
                self._start_server(old_base_path, self._port)
                self._require_server().show_problems(
                    [f"journal serve: error: cannot move the preview to {base_path}: restart it"]
                )
                self._showing_problems = True

    def _start_watcher(self) -> None:
        settings = self.settings
        root = settings.root
        ignore = [settings.output_dir, root / "output", root / ".journal-cache", root / ".git"]
        watcher = Watcher(
            root,
            [root / name for name in WATCHED],
            self._on_change,
            ignore=ignore,
            debounce=settings.debounce,
        )
        try:
            watcher.start()
        except OSError as exc:
            watcher.stop()
            raise ServeError(f"cannot watch {root} for changes: {exc}") from exc
        self._watcher = watcher

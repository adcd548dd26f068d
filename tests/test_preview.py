"""The preview loop (build, serve, watch, rebuild, reload) and `journal serve` itself."""

from __future__ import annotations

import errno
import gc
import os
import shlex
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import OPTIONS, make_journal, post_text
from serving import (
    EventStream,
    ServeProcess,
    atomic_save,
    fetch,
    host_line,
    raw_request,
    status_of,
    wait_until,
)

from generator.incremental.session import WatchSession
from generator.pipeline.build import BuildResult
from generator.serve.hosts import bind_error_message, is_loopback
from generator.serve.preview import (
    Preview,
    PreviewSettings,
    ServeError,
    collector_paused,
)

# watchdog warns (harmlessly) when it adds a watch it already holds.
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")

FIRST = "content/posts/2024/first.md"
SECOND = "content/posts/2024/second.md"
FIRST_PAGE = "/2024/first/"
BROKEN_FRONT_MATTER = "---\ndate: 2024-06-10\ntitle: [not closed\n---\nBroken words.\n"


def journal_files() -> dict[str, str]:
    return {
        FIRST: post_text("2024-06-10", "The first words.\n", title="First"),
        SECOND: post_text("2024-06-11", "The second words.\n", title="Second"),
    }


class BuildLog:
    """The on_build callback: every result, in order."""

    def __init__(self) -> None:
        self.results: list[BuildResult] = []
        self.crashes: list[BaseException] = []
        self._cond = threading.Condition()

    def build(self, result: BuildResult) -> None:
        with self._cond:
            self.results.append(result)
            self._cond.notify_all()

    def crash(self, exc: BaseException) -> None:
        with self._cond:
            self.crashes.append(exc)
            self._cond.notify_all()

    @property
    def count(self) -> int:
        with self._cond:
            return len(self.results) + len(self.crashes)

    def wait_count(self, count: int) -> None:
        with self._cond:
            done = self._cond.wait_for(
                lambda: len(self.results) + len(self.crashes) >= count, timeout=20
            )
        assert done, f"expected {count} builds, got {self.results} and {self.crashes}"


@pytest.fixture
def log() -> BuildLog:
    return BuildLog()


@pytest.fixture
def start_preview(log: BuildLog) -> Iterator[Callable[..., Preview]]:
    """Start previews on free ports; every one is closed afterwards."""
    previews: list[Preview] = []

    def start(root: Path, **settings: Any) -> Preview:
        preview = Preview(
            PreviewSettings(root, **{"port": 0, "options": OPTIONS, "debounce": 0.05, **settings}),
            on_build=log.build,
            on_crash=log.crash,
        )
        previews.append(preview)
        preview.start()
        return preview

    yield start
    for preview in previews:
        preview.close()


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return make_journal(tmp_path, journal_files())


@pytest.fixture
def stream() -> Iterator[Callable[[Preview], EventStream]]:
    streams: list[EventStream] = []

    def open_stream(preview: Preview) -> EventStream:
        events = EventStream(preview.url)
        streams.append(events)
        assert events.next_event()["kind"] == "hello"
        return events

    yield open_stream
    for events in streams:
        events.close()


def page_text(preview: Preview, path: str) -> str:
    status, _, body = fetch(preview.url, path)
    assert status == 200, f"{path}: {status}"
    return body


def shows(preview: Preview, path: str, text: str) -> Callable[[], bool]:
    return lambda: text in fetch(preview.url, path)[2]


# ---------------------------------------------------------------------------
# Rebuild on change


def test_first_build_is_served_with_the_live_reload_script(
    start_preview: Callable[..., Preview], journal: Path
) -> None:
    preview = start_preview(journal)
    body = page_text(preview, FIRST_PAGE)
    assert "The first words." in body
    assert "/__livereload" in body
    on_disk = (preview.output_dir / "2024" / "first" / "index.html").read_text(encoding="utf-8")
    assert "/__livereload" not in on_disk


def test_the_preview_is_built_aside_with_its_own_address(
    start_preview: Callable[..., Preview], journal: Path
) -> None:
    preview = start_preview(journal)
    assert preview.output_dir == journal / ".journal-cache" / "preview"
    assert not (journal / "output").exists()
    body = page_text(preview, FIRST_PAGE)
    assert f'<link rel="canonical" href="{preview.url}2024/first/">' in body
    assert preview.url in fetch(preview.url, "/feed.xml")[2]


def test_an_edit_shows_on_the_served_page(
    start_preview: Callable[..., Preview], journal: Path
) -> None:
    preview = start_preview(journal)
    (journal / FIRST).write_text(post_text("2024-06-10", "Edited in place.\n", title="First"))
    assert wait_until(shows(preview, FIRST_PAGE, "Edited in place."))


def test_an_atomic_save_shows_on_the_served_page(
    start_preview: Callable[..., Preview], journal: Path, stream: Callable[..., EventStream]
) -> None:
    preview = start_preview(journal)
    events = stream(preview)
    atomic_save(journal / FIRST, post_text("2024-06-10", "Saved atomically.\n", title="First"))
    reload = events.wait_for("reload")
    assert FIRST_PAGE in reload["paths"]
    assert "Saved atomically." in page_text(preview, FIRST_PAGE)


def test_a_save_that_changes_nothing_sends_no_reload(
    start_preview: Callable[..., Preview],
    journal: Path,
    stream: Callable[..., EventStream],
    log: BuildLog,
) -> None:
    preview = start_preview(journal)
    events = stream(preview)
    hello_id = events.last_id
    assert hello_id is not None
    builds = log.count
    atomic_save(journal / FIRST, (journal / FIRST).read_text())
    log.wait_count(builds + 1)
    assert log.results[-1].ok
    atomic_save(journal / SECOND, post_text("2024-06-11", "New second words.\n", title="Second"))
    reload = events.wait_for("reload")
    # Event ids (epoch-count) count events: the save that changed nothing published none.
    epoch, _, seen = hello_id.partition("-")
    assert reload["id"] == f"{epoch}-{int(seen) + 1}"
    assert "/2024/second/" in reload["paths"]


def test_a_page_changed_by_hand_in_the_preview_is_set_right_after_the_next_save(
    start_preview: Callable[..., Preview], journal: Path, log: BuildLog
) -> None:
    """Rebuilds do not look at the pages they keep; serve looks once each is done."""
    preview = start_preview(journal)
    tampered = preview.output_dir / "2024" / "second" / "index.html"
    good = tampered.read_bytes()
    tampered.write_text("changed by hand", encoding="utf-8")
    builds = log.count
    atomic_save(journal / FIRST, post_text("2024-06-10", "Edited.\n", title="First"))
    assert wait_until(shows(preview, FIRST_PAGE, "Edited."))
    log.wait_count(builds + 2)  # the save's build, then the one that sets the page right
    save, fix = log.results[-2:]
    assert save.short_plan and save.written is not None
    assert "2024/second/index.html" not in save.written.written
    assert fix.written is not None and fix.written.written == ("2024/second/index.html",)
    assert tampered.read_bytes() == good


def test_new_folder_new_post_and_deleted_post(
    start_preview: Callable[..., Preview], journal: Path
) -> None:
    preview = start_preview(journal)
    folder = journal / "content" / "posts" / "2025" / "spring"
    folder.mkdir(parents=True)
    atomic_save(folder / "third.md", post_text("2025-03-01", "Third words.\n", title="Third"))
    assert wait_until(lambda: fetch(preview.url, "/2025/third/")[0] == 200)
    assert "Third words." in page_text(preview, "/2025/third/")
    (journal / SECOND).unlink()
    assert wait_until(lambda: fetch(preview.url, "/2024/second/")[0] == 404)


def test_a_template_folder_made_later_is_watched(
    start_preview: Callable[..., Preview], journal: Path
) -> None:
    preview = start_preview(journal)
    templates = journal / "templates"
    templates.mkdir()
    (templates / "robots.txt").write_text("User-agent: *\nDisallow: /drafts-of-mine/\n")
    assert wait_until(shows(preview, "/robots.txt", "Disallow: /drafts-of-mine/"))


def test_changed_settings_are_used(start_preview: Callable[..., Preview], journal: Path) -> None:
    preview = start_preview(journal)
    config = journal / "journal.toml"
    atomic_save(config, config.read_text().replace("Test journal", "Renamed journal"))
    assert wait_until(shows(preview, FIRST_PAGE, "Renamed journal"))


def test_the_server_follows_a_new_base_path(
    start_preview: Callable[..., Preview], journal: Path
) -> None:
    preview = start_preview(journal)
    old_url = preview.url
    config = journal / "journal.toml"
    atomic_save(config, config.read_text().replace("example.org/", "example.org/notes/"))
    assert wait_until(lambda: preview.url.endswith("/notes/"))
    assert preview.url == old_url + "notes/"  # same port
    assert wait_until(shows(preview, "/notes/2024/first/", "The first words."))
    body = page_text(preview, "/notes/2024/first/")
    assert f'href="{preview.url}2024/first/"' in body  # the canonical link
    assert 'class="newer" href="/notes/2024/second/"' in body
    status, headers, _ = fetch(preview.url, "/")
    assert (status, headers["location"]) == (302, "/notes/")


# ---------------------------------------------------------------------------
# Errors: the overlay and the last good site


def test_a_broken_post_keeps_the_last_good_page_and_shows_problems(
    start_preview: Callable[..., Preview], journal: Path, stream: Callable[..., EventStream]
) -> None:
    preview = start_preview(journal)
    events = stream(preview)
    atomic_save(journal / FIRST, BROKEN_FRONT_MATTER)
    problems = events.wait_for("problems")
    assert any(line.startswith(f"{FIRST}:") and ": error: " in line for line in problems["lines"])
    assert "The first words." in page_text(preview, FIRST_PAGE)
    assert "Broken words." not in page_text(preview, FIRST_PAGE)

    atomic_save(journal / FIRST, post_text("2024-06-10", "Fixed words.\n", title="First"))
    events.wait_for("clear")
    assert "Fixed words." in page_text(preview, FIRST_PAGE)


def test_a_page_opened_during_problems_is_told_at_once(
    start_preview: Callable[..., Preview], journal: Path, log: BuildLog
) -> None:
    preview = start_preview(journal)
    builds = log.count
    atomic_save(journal / FIRST, BROKEN_FRONT_MATTER)
    log.wait_count(builds + 1)
    events = EventStream(preview.url)
    try:
        first = events.next_event()
        assert first["kind"] == "problems"
        assert any(FIRST in line for line in first["lines"])
    finally:
        events.close()


def test_problems_list_errors_first_then_warnings(
    start_preview: Callable[..., Preview], tmp_path: Path, stream: Callable[..., EventStream]
) -> None:
    files = journal_files()
    files[SECOND] = post_text("2024-06-11", "Second.\n", title="Second", Tags="[x]")  # a typo
    root = make_journal(tmp_path, files)
    preview = start_preview(root)
    events = stream(preview)
    atomic_save(root / FIRST, BROKEN_FRONT_MATTER)
    lines = events.wait_for("problems")["lines"]
    levels = [": error: " in line for line in lines]
    assert levels == sorted(levels, reverse=True) and levels[0] and not levels[-1]


def test_a_first_build_with_errors_serves_a_page_with_the_overlay(
    start_preview: Callable[..., Preview], tmp_path: Path, stream: Callable[..., EventStream]
) -> None:
    files = journal_files()
    files[FIRST] = BROKEN_FRONT_MATTER
    root = make_journal(tmp_path, files)
    preview = start_preview(root)
    status, _, body = fetch(preview.url, "/")
    assert status == 200
    assert "/__livereload" in body
    assert fetch(preview.url, "/any/page/")[0] == 404
    events = EventStream(preview.url)
    try:
        first = events.next_event()
        assert first["kind"] == "problems"
        assert any(FIRST in line for line in first["lines"])
        atomic_save(root / FIRST, post_text("2024-06-10", "Now it builds.\n", title="First"))
        events.wait_for("clear")
    finally:
        events.close()
    assert "Now it builds." in page_text(preview, FIRST_PAGE)
    assert "Second" in page_text(preview, "/")


def test_a_placeholder_that_cannot_be_written_does_not_stop_the_preview(
    start_preview: Callable[..., Preview], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_writer(*args: object) -> None:
        raise NameError("a bug in the writer")

    monkeypatch.setattr("generator.serve.preview.write_site", broken_writer)
    files = journal_files()
    files[FIRST] = BROKEN_FRONT_MATTER
    root = make_journal(tmp_path, files)
    preview = start_preview(root)
    assert fetch(preview.url, "/")[0] == 404
    events = EventStream(preview.url)
    try:
        assert any(FIRST in line for line in events.next_event()["lines"])
    finally:
        events.close()


def test_a_first_build_with_errors_serves_the_last_good_preview(
    start_preview: Callable[..., Preview], journal: Path
) -> None:
    start_preview(journal).close()
    atomic_save(journal / FIRST, BROKEN_FRONT_MATTER)
    preview = start_preview(journal)
    assert "The first words." in page_text(preview, FIRST_PAGE)
    assert preview.last_result is not None and not preview.last_result.ok


def test_an_exception_in_a_rebuild_is_shown_and_the_loop_goes_on(
    start_preview: Callable[..., Preview],
    journal: Path,
    stream: Callable[..., EventStream],
    monkeypatch: pytest.MonkeyPatch,
    log: BuildLog,
) -> None:
    failures: list[Exception] = []

    class FlakySession(WatchSession):
        def build(self, changed: Any = None, write: bool = True) -> BuildResult:
            if failures:
                raise failures.pop()
            return super().build(changed, write)

    monkeypatch.setattr("generator.serve.preview.WatchSession", FlakySession)
    preview = start_preview(journal)  # the first build is a good one
    failures.append(RuntimeError("the disk said no"))
    events = stream(preview)
    atomic_save(journal / FIRST, post_text("2024-06-10", "After a crash.\n", title="First"))
    lines = events.wait_for("problems")["lines"]
    assert any("RuntimeError: the disk said no" in line for line in lines)
    assert log.crashes and isinstance(log.crashes[0], RuntimeError)
    assert "The first words." in page_text(preview, FIRST_PAGE)
    atomic_save(journal / FIRST, post_text("2024-06-10", "Recovered.\n", title="First"))
    events.wait_for("clear")
    assert "Recovered." in page_text(preview, FIRST_PAGE)


# ---------------------------------------------------------------------------
# Starting


def test_a_port_in_use_is_a_clear_error(
    start_preview: Callable[..., Preview], journal: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} .* in use.*--port"):
            start_preview(journal, port=port)


def test_an_output_folder_that_is_not_ours_is_refused(
    start_preview: Callable[..., Preview], journal: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "my-files"
    mine.mkdir()
    (mine / "taxes.txt").write_text("private")
    with pytest.raises(ServeError, match="not empty"):
        start_preview(journal, output=mine)
    assert (mine / "taxes.txt").read_text() == "private"


def test_a_folder_without_a_journal_is_refused(
    start_preview: Callable[..., Preview], tmp_path: Path
) -> None:
    with pytest.raises(ServeError, match=r"no journal\.toml in .*: run `journal init "):
        start_preview(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_bind_error_messages_suggest_what_to_do() -> None:
    in_use = OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))
    assert "--port" in bind_error_message(in_use, "127.0.0.1", 8000)
    denied = OSError(errno.EACCES, os.strerror(errno.EACCES))
    assert "above 1023" in bind_error_message(denied, "127.0.0.1", 80)
    unknown = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert "--host" in bind_error_message(unknown, "no-such-host.invalid", 8000)


# ---------------------------------------------------------------------------
# `journal serve` as a user runs it


def test_serve_command_prints_the_url_serves_rebuilds_and_stops_on_ctrl_c(journal: Path) -> None:
    with ServeProcess(["--root", str(journal), "--port", "0"]) as serve:
        url = serve.wait_for_url()
        assert url.startswith("http://127.0.0.1:") and not url.startswith("http://127.0.0.1:0/")
        assert "The first words." in fetch(url, FIRST_PAGE)[2]
        atomic_save(journal / FIRST, post_text("2024-06-10", "From the CLI.\n", title="First"))
        assert wait_until(lambda: "From the CLI." in fetch(url, FIRST_PAGE)[2])
        code = serve.stop()
    assert code == 0
    assert "Traceback" not in serve.stderr
    assert serve.stderr == ""
    assert any(
        line.startswith("Built 2 posts into .journal-cache/preview/") for line in serve.stdout
    )


def test_serve_command_opens_the_browser(journal: Path, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    record = f"import sys, pathlib; pathlib.Path({str(opened)!r}).write_text(sys.argv[1])"
    browser = f"{shlex.quote(sys.executable)} -c {shlex.quote(record)} %s"
    with ServeProcess(["--root", str(journal), "--port", "0", "--open"], BROWSER=browser) as serve:
        url = serve.wait_for_url()
        assert wait_until(opened.exists)
        assert serve.stop() == 0
    assert opened.read_text() == url


def test_serve_command_port_in_use_is_one_line(journal: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with ServeProcess(["--root", str(journal), "--port", str(port)]) as serve:
            code = serve.wait()
    assert code == 1
    assert serve.stderr.count("\n") == 1
    assert serve.stderr.startswith(f"error: port {port} on 127.0.0.1 is already in use")
    assert "--port" in serve.stderr


def test_serve_command_warns_when_not_on_loopback(journal: Path) -> None:
    with ServeProcess(["--root", str(journal), "--host", "0.0.0.0", "--port", "0"]) as serve:
        url = serve.wait_for_url()
        assert url.startswith("http://127.0.0.1:")
        assert serve.stop() == 0
    assert serve.stderr.startswith("warning: with --host 0.0.0.0 other machines can see")


def test_serve_command_shows_build_problems_and_keeps_serving(journal: Path) -> None:
    with ServeProcess(["--root", str(journal), "--port", "0"]) as serve:
        url = serve.wait_for_url()
        atomic_save(journal / FIRST, BROKEN_FRONT_MATTER)
        assert wait_until(lambda: f"{FIRST}:" in serve.stderr)
        assert "The first words." in fetch(url, FIRST_PAGE)[2]
        assert serve.stop() == 0
    assert "Traceback" not in serve.stderr


SECRET = "s3cr3t-of-the-journal-folder"

TRAVERSALS = [
    "/../private.txt",
    "/../../private.txt",
    "/../../../outside.txt",
    "/%2e%2e/%2e%2e/private.txt",
    "/%2E%2E/%2E%2E/private.txt",
    "/..%2f..%2fprivate.txt",
    "/%2e%2e%2f%2e%2e%2fprivate.txt",
    "/.%2e/.%2e/private.txt",
    "/..\\..\\private.txt",
    "/%5c..%5c..%5cprivate.txt",
    "/..%5c..%5cprivate.txt",
    "/%00/../../private.txt",
    "/private.txt%00.html",
    "//../../private.txt",
    "/./../.././../private.txt",
    "/%252e%252e/%252e%252e/private.txt",
    "/2024/../../../private.txt",
    "/leak.txt",
    "/leak/private.txt",
    "http://127.0.0.1/../../private.txt",
    "PRIVATE",  # the absolute path of the secret, filled in below
]


def test_traversal_over_a_raw_socket_gets_no_file(journal: Path, tmp_path: Path) -> None:
    (journal / "private.txt").write_text(SECRET)
    (tmp_path / "outside.txt").write_text(SECRET)
    with ServeProcess(["--root", str(journal), "--port", "0"]) as serve:
        url = serve.wait_for_url()
        output = journal / ".journal-cache" / "preview"
        (output / "leak.txt").symlink_to(journal / "private.txt")
        (output / "leak").symlink_to(journal)
        answers = {}
        for target in TRAVERSALS:
            target = str(journal / "private.txt") if target == "PRIVATE" else target
            line = f"GET {target} HTTP/1.1\r\n".encode("latin-1") + host_line(url)
            answers[target] = raw_request(url, line + b"Connection: close\r\n\r\n")
        # The server is still well after all that.
        assert fetch(url, FIRST_PAGE)[0] == 200
        assert serve.stop() == 0
    for target, answer in answers.items():
        assert status_of(answer) in (400, 404), f"{target!r}: {answer[:200]!r}"
        assert SECRET.encode() not in answer, target
    assert "Traceback" not in serve.stderr


def test_a_rebuild_runs_with_the_collector_paused_and_leaves_it_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

"""`journal serve` keeps time: a post dated later appears in the preview when its time comes,
without a restart and without a change of files, and the preview is then what a clean build
at that moment makes, byte for byte.

No test waits for the wall clock: the clock is a fake one the test moves, and the timer that
waits for a post's time is the test's own (`Alarms`), ended by the test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import make_journal, post_text, tree_digest
from serving import TIMEOUT, EventStream, atomic_save, fetch, wait_until

from generator.core.config import BuildOptions
from generator.incremental.schedule import aware_now, moment_at
from generator.incremental.session import WatchSession
from generator.pipeline.build import BuildResult, Request, build
from generator.pipeline.load import load_journal
from generator.pipeline.write import MANIFEST
from generator.serve.due import LONGEST_WAIT, DueTimer, set_alarm
from generator.serve.preview import Preview, PreviewSettings

# watchdog warns (harmlessly) when it adds a watch it already holds.
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")

PARIS = ZoneInfo("Europe/Paris")
CONFIG = 'title = "Kept time"\nbase_url = "https://example.org/"\ntimezone = "Europe/Paris"\n'

NINE = datetime(2025, 6, 2, 9, 0, tzinfo=PARIS)  # the morning post's time, in the site's zone
BEFORE = NINE - timedelta(seconds=30)

EARLIER = "content/posts/2025/earlier.md"
MORNING = "content/posts/2025/morning.md"
DRAFT = "content/posts/2025/draft.md"
MORNING_PAGE = "2025/morning/index.html"
DRAFT_PAGE = "2025/unfinished/index.html"


def journal_files() -> dict[str, str]:
    """A published post, one dated 09:00, and a draft dated before it (never published)."""
    return {
        "journal.toml": CONFIG,
        EARLIER: post_text("2025-06-01", "Yesterday's words.\n", title="Earlier"),
        MORNING: post_text("2025-06-02 09:00", "Written for nine.\n", title="Morning"),
        DRAFT: post_text("2025-06-02 08:30", "Not yet.\n", title="Unfinished", draft="true"),
    }


class FakeClock:
    """A clock the test moves; it tells the time in UTC, the journal's zone is Paris."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now.astimezone(ZoneInfo("UTC"))


@dataclass
class FakeAlarm:
    seconds: float
    ended: Callable[[], None]
    cancelled: bool = False
    rung: bool = False

    def cancel(self) -> None:
        self.cancelled = True

    def ring(self) -> None:
        """The wait ends (as a threading.Timer's would, at its time)."""
        self.rung = True
        self.ended()


class Alarms:
    """The preview's timer: records each wait; the test ends them with `end_wait`."""

    def __init__(self) -> None:
        self.set: list[FakeAlarm] = []
        self._lock = threading.Lock()

    def __call__(self, seconds: float, end: Callable[[], None]) -> FakeAlarm:
        with self._lock:
            alarm = FakeAlarm(seconds, end)
            self.set.append(alarm)
            return alarm

    @property
    def waiting(self) -> list[FakeAlarm]:
        with self._lock:
            return [alarm for alarm in self.set if not (alarm.cancelled or alarm.rung)]

    def end_wait(self) -> None:
        """The one wait set ends."""
        (alarm,) = self.waiting
        alarm.ring()


def clean_build(root: Path, output: Path, now: datetime, base_url: str | None = None) -> None:
    """What `journal build --no-cache` makes at `now`."""
    result = build(Request(root, output, BuildOptions(now=now), base_url, use_cache=False))
    assert result.ok, result.problems


def site_files(folder: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(folder).items() if k != MANIFEST}


def home_page(folder: Path) -> str:
    return (folder / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# The watch session


def test_a_session_publishes_a_post_once_its_time_has_come(tmp_path: Path) -> None:
    root = make_journal(tmp_path, journal_files())
    output = tmp_path / "watched"
    clock = FakeClock(BEFORE)
    session = WatchSession(Request(root, output, BuildOptions(now=BEFORE)), clock=clock)
    assert session.build().ok
    assert not (output / MORNING_PAGE).exists()
    assert "Morning" not in home_page(output)
    assert session.next_due == NINE  # not the draft's 08:30: a draft is never due

    clock.now = NINE
    assert session.build(changed=frozenset()).ok
    assert "Written for nine." in (output / MORNING_PAGE).read_text(encoding="utf-8")
    assert "/2025/morning/" in home_page(output)
    assert not (output / DRAFT_PAGE).exists()
    assert session.next_due is None
    clean_build(root, tmp_path / "clean", NINE)
    assert site_files(output) == site_files(tmp_path / "clean")


def test_a_session_follows_the_clock_and_the_files_together(tmp_path: Path) -> None:
    """Time that passed with no post due, then a post saved with a date in that time: it is
    published at once. Time turned back: the post is taken down again."""
    files = journal_files()
    del files[MORNING]
    root = make_journal(tmp_path, files)
    output = tmp_path / "watched"
    clock = FakeClock(BEFORE)
    session = WatchSession(Request(root, output), clock=clock)
    assert session.build().ok
    assert session.next_due is None
    clock.now = NINE + timedelta(hours=1)
    assert session.build(changed=frozenset()).ok
    path = root / MORNING
    path.write_text(post_text("2025-06-02 09:00", "Late words.\n", title="Morning"), "utf-8")
    assert session.build(changed={path}).ok
    assert (output / MORNING_PAGE).is_file()
    clean_build(root, tmp_path / "clean", clock.now)
    assert site_files(output) == site_files(tmp_path / "clean")

    clock.now = BEFORE
    assert session.build(changed=frozenset()).ok
    assert not (output / MORNING_PAGE).exists()
    assert session.next_due == NINE
    clean_build(root, tmp_path / "back", BEFORE)
    assert site_files(output) == site_files(tmp_path / "back")


def test_a_session_without_a_clock_builds_at_the_requests_time(tmp_path: Path) -> None:
    root = make_journal(tmp_path, journal_files())
    session = WatchSession(Request(root, tmp_path / "watched", BuildOptions(now=BEFORE)))
    assert session.build().ok
    assert session.build(changed=frozenset()).ok
    assert not (tmp_path / "watched" / MORNING_PAGE).exists()
    assert session.next_due == NINE


def test_the_last_options_are_kept_while_no_post_is_due(tmp_path: Path) -> None:
    """So that the session takes the site's graph over as after any edit."""
    root = make_journal(tmp_path, journal_files())
    posts = load_journal(root, PARIS).posts
    options = BuildOptions()
    first = moment_at(BEFORE, options, None, posts)
    assert first.options.now == BEFORE and first.next_due == NINE
    later = moment_at(BEFORE + timedelta(seconds=10), options, first, posts)
    assert later.options is first.options and later.next_due == NINE
    due = moment_at(NINE, options, later, posts)
    assert due.options.now == NINE and due.next_due is None
    turned_back = moment_at(BEFORE, options, due, posts)
    assert turned_back.options.now == BEFORE and turned_back.next_due == NINE
    with_drafts = moment_at(BEFORE, BuildOptions(drafts=True), first, posts)
    assert with_drafts.options.drafts and with_drafts.next_due == NINE  # (the draft is out)
    assert moment_at(BEFORE, BuildOptions(future=True), first, posts).next_due is None
    assert moment_at(None, options, first, posts) == moment_at(None, options, None, posts)


# ---------------------------------------------------------------------------
# The preview


@dataclass
class Running:
    preview: Preview
    clock: FakeClock
    alarms: Alarms
    builds: list[BuildResult]
    built: threading.Condition

    def wait_builds(self, count: int) -> None:
        with self.built:
            done = self.built.wait_for(lambda: len(self.builds) >= count, timeout=TIMEOUT)
        assert done, f"expected {count} builds, got {len(self.builds)}"


@pytest.fixture
def start_preview() -> Iterator[Callable[[Path, datetime], Running]]:
    previews: list[Preview] = []

    def start(root: Path, now: datetime) -> Running:
        clock, alarms = FakeClock(now), Alarms()
        builds: list[BuildResult] = []
        built = threading.Condition()

        def on_build(result: BuildResult) -> None:
            with built:
                builds.append(result)
                built.notify_all()

        # The start's time in the options, as the CLI passes it: the clock decides.
        settings = PreviewSettings(
            root, port=0, options=BuildOptions(now=now), debounce=0.05, clock=clock
        )
        preview = Preview(settings, on_build=on_build, alarm=alarms)
        previews.append(preview)
        preview.start()
        return Running(preview, clock, alarms, builds, built)

    yield start
    for preview in previews:
        preview.close()


def test_the_preview_shows_a_post_when_its_time_comes(
    tmp_path: Path, start_preview: Callable[[Path, datetime], Running]
) -> None:
    root = make_journal(tmp_path, journal_files())
    running = start_preview(root, BEFORE)
    preview, output = running.preview, running.preview.output_dir
    assert fetch(preview.url, "/2025/morning/")[0] == 404
    (alarm,) = running.alarms.waiting
    assert alarm.seconds == 30.0

    events = EventStream(preview.url)
    try:
        assert events.next_event()["kind"] == "hello"
        running.clock.now = NINE
        running.alarms.end_wait()
        reload = events.wait_for("reload")
    finally:
        events.close()
    assert "/2025/morning/" in reload["paths"]
    status, _, body = fetch(preview.url, "/2025/morning/")
    assert status == 200 and "Written for nine." in body
    assert "/2025/morning/" in fetch(preview.url, "/")[2]
    assert fetch(preview.url, "/2025/unfinished/")[0] == 404
    assert running.alarms.waiting == []  # nothing more is due
    clean_build(root, tmp_path / "clean", NINE, base_url=preview.url)
    assert site_files(output) == site_files(tmp_path / "clean")


def test_a_wait_that_ends_early_waits_again_and_builds_nothing(
    tmp_path: Path, start_preview: Callable[[Path, datetime], Running]
) -> None:
    running = start_preview(make_journal(tmp_path, journal_files()), BEFORE)
    running.clock.now = NINE - timedelta(seconds=10)  # (a timer a little early)
    running.alarms.end_wait()
    (alarm,) = running.alarms.waiting
    assert alarm.seconds == 10.0
    running.clock.now = BEFORE - timedelta(hours=1)  # the clock was turned back
    running.alarms.end_wait()
    (alarm,) = running.alarms.waiting
    assert alarm.seconds == LONGEST_WAIT
    assert len(running.builds) == 1
    assert fetch(running.preview.url, "/2025/morning/")[0] == 404
    running.clock.now = NINE
    running.alarms.end_wait()
    running.wait_builds(2)
    assert fetch(running.preview.url, "/2025/morning/")[0] == 200


def test_a_post_dated_next_year_is_waited_for_a_little_at_a_time(
    tmp_path: Path, start_preview: Callable[[Path, datetime], Running]
) -> None:
    files = journal_files()
    files[MORNING] = post_text("2026-06-02 09:00", "Next year.\n", title="Morning")
    running = start_preview(make_journal(tmp_path, files), BEFORE)
    (alarm,) = running.alarms.waiting
    assert alarm.seconds == LONGEST_WAIT
    running.clock.now = BEFORE + timedelta(days=100)
    running.alarms.end_wait()
    (again,) = running.alarms.waiting
    assert again is not alarm and again.seconds == LONGEST_WAIT
    assert len(running.builds) == 1


def test_a_saved_file_sets_the_wait_again(
    tmp_path: Path, start_preview: Callable[[Path, datetime], Running]
) -> None:
    """The post made a draft: nothing is waited for, and the wait that was set ends in
    nothing; dated again: it is waited for."""
    root = make_journal(tmp_path, journal_files())
    running = start_preview(root, BEFORE)
    (first,) = running.alarms.waiting
    draft = post_text("2025-06-02 09:00", "Written for nine.\n", title="Morning", draft="true")
    atomic_save(root / MORNING, draft)
    assert wait_until(lambda: first.cancelled)
    assert running.alarms.waiting == []
    running.clock.now = NINE
    first.ring()  # (a timer's thread may end a wait already called off)
    assert running.alarms.waiting == []
    assert fetch(running.preview.url, "/2025/morning/")[0] == 404

    later = post_text("2025-06-02 09:00:20", "Written for nine.\n", title="Morning")
    atomic_save(root / MORNING, later)
    assert wait_until(lambda: [a.seconds for a in running.alarms.waiting] == [20.0])
    running.clock.now = NINE + timedelta(seconds=20)
    running.alarms.end_wait()
    assert "Written for nine." in fetch(running.preview.url, "/2025/morning/")[2]


def test_closing_the_preview_calls_off_the_wait(
    tmp_path: Path, start_preview: Callable[[Path, datetime], Running]
) -> None:
    running = start_preview(make_journal(tmp_path, journal_files()), BEFORE)
    (alarm,) = running.alarms.waiting
    running.preview.close()
    assert alarm.cancelled
    running.clock.now = NINE
    alarm.ring()
    assert len(running.builds) == 1


# ---------------------------------------------------------------------------
# The timer itself


def test_the_real_timer_wakes_when_the_moment_has_come() -> None:
    woken = threading.Event()
    timer = DueTimer(aware_now, woken.set, set_alarm)
    timer.set(aware_now() - timedelta(seconds=1))
    assert woken.wait(TIMEOUT)
    timer.stop()


def test_a_stopped_timer_sets_no_wait() -> None:
    alarms = Alarms()
    timer = DueTimer(FakeClock(BEFORE), lambda: None, alarms)
    timer.stop()
    timer.set(NINE)
    assert alarms.set == []

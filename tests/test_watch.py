"""Watcher: real files in tmp_path, real watchdog observer."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.serve.watch import Watcher, is_ignored_name

# watchdog warns (harmlessly) when it adds a watch it already holds: after `mkdir -p`, or when a
# folder moves back to where it was.
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")

TIMEOUT = 5.0
DEBOUNCE = 0.05


class Recorder:
    """The on_change callback: records every batch, optionally runs `action` on each."""

    def __init__(self, action: Callable[[frozenset[Path]], None] | None = None) -> None:
        self.batches: list[frozenset[Path]] = []
        self.action = action
        self.running = 0
        self.overlapped = False
        self._cond = threading.Condition()

    def __call__(self, changed: frozenset[Path]) -> None:
        with self._cond:
            self.running += 1
            self.overlapped = self.overlapped or self.running > 1
        try:
            if self.action is not None:
                self.action(changed)
        finally:
            with self._cond:
                self.running -= 1
                self.batches.append(changed)
                self._cond.notify_all()

    def seen(self) -> set[Path]:
        with self._cond:
            return set().union(*self.batches)

    def wait_for(self, *paths: Path, timeout: float = TIMEOUT) -> None:
        """Wait until every path has been reported (in any batch)."""
        with self._cond:
            ok = self._cond.wait_for(
                lambda: set(paths) <= set().union(*self.batches), timeout=timeout
            )
        assert ok, f"not reported: {set(paths) - self.seen()}; batches: {self.batches}"

    def wait_batches(self, count: int, timeout: float = TIMEOUT) -> None:
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self.batches) >= count, timeout=timeout)
        assert ok, f"expected {count} batches, got {self.batches}"


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    root = tmp_path / "journal"
    (root / "content" / "posts").mkdir(parents=True)
    (root / "content" / "posts" / "x.md").write_text("# X\n")
    (root / "journal.toml").write_text('title = "J"\n')
    (root / "output").mkdir()
    return root


@contextmanager
def watching(
    root: Path,
    recorder: Recorder,
    *,
    paths: Sequence[Path] | None = None,
    debounce: float = DEBOUNCE,
) -> Iterator[Watcher]:
    if paths is None:
        paths = [root / "content", root / "templates", root / "journal.toml"]
    watcher = Watcher(
        root,
        paths,
        recorder,
        ignore=[root / "output", root / ".journal-cache", root / ".git"],
        debounce=debounce,
    )
    watcher.start()
    try:
        yield watcher
    finally:
        watcher.stop()
    assert not recorder.overlapped


def settle(watcher: Watcher) -> None:
    """Give pending events time to arrive and be flushed (for negative assertions only)."""
    time.sleep(0.25)
    assert watcher.wait_idle(TIMEOUT)


def assert_no_noise(recorder: Recorder) -> None:
    for batch in recorder.batches:
        assert batch, "empty batch delivered"
        for path in batch:
            assert not is_ignored_name(path.name), f"noise reported: {path} in {batch}"


@pytest.mark.parametrize(
    "name",
    [
        ".post.md.swp",
        ".post.md.swo",
        ".post.md.swx",
        ".#post.md",
        "#post.md#",
        "post.md~",
        "4913",
        ".post.md.tmp",
        "post.md.tmp",
        "post.md.TMP",
        "image.png.part",
        "photo.jpg.crdownload",
        "post.md.bak",
        ".DS_Store",
        ".git",
        "~$notes.docx",
        "post.md___jb_tmp___",
    ],
)
def test_ignored_names(name: str) -> None:
    assert is_ignored_name(name)


@pytest.mark.parametrize(
    "name",
    ["post.md", "2024", "2024-06-10-partnership.md", "4913.md", "#tag", "CNAME", "a~b.md", ""],
)
def test_kept_names(name: str) -> None:
    assert not is_ignored_name(name)


def test_edit_reports_the_file(journal: Path) -> None:
    rec = Recorder()
    post = journal / "content" / "posts" / "x.md"
    with watching(journal, rec):
        post.write_text("# X edited\n")
        rec.wait_for(post)
    assert all(p.is_absolute() for p in rec.seen())


def test_new_file_and_delete(journal: Path) -> None:
    rec = Recorder()
    new = journal / "content" / "posts" / "new.md"
    old = journal / "content" / "posts" / "x.md"
    with watching(journal, rec):
        new.write_text("# New\n")
        rec.wait_for(new)
        old.unlink()
        rec.wait_for(old)


@pytest.mark.parametrize("temp_name", [".x.md.tmp", "x.md~", "x.md.tmp"])
def test_atomic_save_reports_the_target(journal: Path, temp_name: str) -> None:
    rec = Recorder()
    post = journal / "content" / "posts" / "x.md"
    with watching(journal, rec) as watcher:
        temp = post.with_name(temp_name)
        temp.write_text("# X saved atomically\n")
        os.replace(temp, post)
        rec.wait_for(post)
        settle(watcher)
    assert_no_noise(rec)


def test_vim_style_save(journal: Path) -> None:
    rec = Recorder()
    posts = journal / "content" / "posts"
    post = posts / "x.md"
    with watching(journal, rec) as watcher:
        swap = posts / ".x.md.swp"
        swap.write_bytes(b"swap")
        probe = posts / "4913"
        probe.write_bytes(b"")
        probe.unlink()
        backup = posts / "x.md~"
        post.rename(backup)
        post.write_text("# X saved by vim\n")
        backup.unlink()
        swap.unlink()
        rec.wait_for(post)
        settle(watcher)
    assert_no_noise(rec)


def test_noise_alone_triggers_nothing(journal: Path) -> None:
    rec = Recorder()
    posts = journal / "content" / "posts"
    with watching(journal, rec) as watcher:
        swap = posts / ".x.md.swp"
        swap.write_bytes(b"swap")
        swap.write_bytes(b"swap 2")
        (posts / "4913").write_bytes(b"")
        (posts / "4913").unlink()
        (posts / "#x.md#").write_text("autosave")
        (posts / ".#x.md").symlink_to("user@host.123")
        (posts / "x.md~").write_text("backup")
        (posts / "draft.md.crdownload").write_text("...")
        (posts / ".hidden").mkdir()
        (posts / ".hidden" / "deep.md").write_text("hidden")
        swap.unlink()
        settle(watcher)
        assert rec.batches == []
        sentinel = posts / "sentinel.md"
        sentinel.write_text("# S\n")
        rec.wait_for(sentinel)
        settle(watcher)
    assert rec.batches == [frozenset({sentinel})]


def test_reading_files_reports_nothing(journal: Path) -> None:
    """A build reads every post; that must not look like a change (or it would loop)."""
    rec = Recorder()
    with watching(journal, rec) as watcher:
        for path in sorted((journal / "content").rglob("*")):
            if path.is_file():
                path.read_bytes()
        (journal / "journal.toml").read_text()
        settle(watcher)
    assert rec.batches == []


def test_new_nested_folder_and_file(journal: Path) -> None:
    rec = Recorder()
    deep = journal / "content" / "posts" / "2025" / "06"
    post = deep / "summer.md"
    with watching(journal, rec):
        deep.mkdir(parents=True)
        post.write_text("# Summer\n")
        rec.wait_for(post)
        later = deep / "later.md"
        later.write_text("# Later\n")
        rec.wait_for(later)
    assert journal / "content" / "posts" / "2025" in rec.seen()


def test_move_a_folder(journal: Path) -> None:
    rec = Recorder()
    posts = journal / "content" / "posts"
    (posts / "2024").mkdir()
    (posts / "2024" / "a.md").write_text("# A\n")
    with watching(journal, rec):
        (posts / "2024").rename(posts / "old")
        rec.wait_for(posts / "2024", posts / "old", posts / "old" / "a.md")
        (posts / "old" / "a.md").write_text("# A edited\n")
        rec.wait_for(posts / "old" / "a.md")
        count = len(rec.batches)
        (posts / "old" / "a.md").rename(posts / "b.md")
        rec.wait_for(posts / "b.md")
        assert posts / "old" / "a.md" in set().union(*rec.batches[count:])


def test_folder_moved_out_and_back(journal: Path, tmp_path: Path) -> None:
    rec = Recorder()
    posts = journal / "content" / "posts"
    away = tmp_path / "away"
    with watching(journal, rec):
        shutil.move(posts, away)
        rec.wait_for(posts)
        count = len(rec.batches)
        shutil.move(away, posts)
        rec.wait_batches(count + 1)
        (posts / "back.md").write_text("# Back\n")
        rec.wait_for(posts / "back.md")


def test_deleted_folder(journal: Path) -> None:
    rec = Recorder()
    posts = journal / "content" / "posts"
    (posts / "2024").mkdir()
    (posts / "2024" / "a.md").write_text("# A\n")
    with watching(journal, rec):
        shutil.rmtree(posts / "2024")
        rec.wait_for(posts / "2024", posts / "2024" / "a.md")


def test_output_folder_never_reported(journal: Path) -> None:
    rec = Recorder()
    out = journal / "output"
    with watching(journal, rec, paths=[journal]) as watcher:
        (out / "index.html").write_text("<html>")
        (out / "2024" / "x").mkdir(parents=True)
        (out / "2024" / "x" / "index.html").write_text("<html>")
        (journal / ".git").mkdir()
        (journal / ".git" / "index").write_bytes(b"git")
        settle(watcher)
        assert rec.batches == []
        shutil.rmtree(out)
        out.mkdir()
        (out / "index.html").write_text("<html>")
        post = journal / "content" / "posts" / "x.md"
        post.write_text("# X\n")
        rec.wait_for(post)
        settle(watcher)
    assert rec.seen() == {post}


def test_config_file_change(journal: Path) -> None:
    rec = Recorder()
    config = journal / "journal.toml"
    with watching(journal, rec) as watcher:
        config.write_text('title = "Journal"\n')
        rec.wait_for(config)
        count = len(rec.batches)
        temp = journal / ".journal.toml.tmp"
        temp.write_text('title = "Again"\n')
        os.replace(temp, config)
        rec.wait_batches(count + 1)
        assert config in rec.batches[count]
        (journal / "README.md").write_text("not watched")
        settle(watcher)
    assert_no_noise(rec)
    assert journal / "README.md" not in rec.seen()


def test_templates_folder_created_after_start(journal: Path) -> None:
    rec = Recorder()
    templates = journal / "templates"
    with watching(journal, rec):
        templates.mkdir()
        (templates / "base.html").write_text("<html>")  # at once: before any watch is set up
        rec.wait_for(templates, templates / "base.html")
        (templates / "post.html").write_text("<article>")
        rec.wait_for(templates / "post.html")
        shutil.rmtree(templates)
        templates.mkdir()
        count = len(rec.batches)
        (templates / "again.html").write_text("<p>")
        rec.wait_for(templates / "again.html")
        assert len(rec.batches) > count


def test_content_folder_created_later(tmp_path: Path) -> None:
    rec = Recorder()
    root = tmp_path / "journal"
    root.mkdir()
    post = root / "content" / "posts" / "2024" / "p.md"
    with watching(root, rec, paths=[root / "content" / "posts"]):
        (root / "content").mkdir()
        time.sleep(0.1)
        post.parent.mkdir(parents=True)
        post.write_text("# P\n")
        rec.wait_for(post)


def test_burst_of_writes_is_debounced(journal: Path) -> None:
    post = journal / "content" / "posts" / "x.md"
    contents: list[str] = []
    rec = Recorder(lambda changed: contents.append(post.read_text()))
    with watching(journal, rec, debounce=0.1) as watcher:
        for i in range(50):
            post.write_text(f"# X {i}\n")
        rec.wait_for(post)
        settle(watcher)
    assert 1 <= len(rec.batches) <= 5
    assert contents[-1] == "# X 49\n"


def test_changes_during_a_slow_callback_give_one_more_call(journal: Path) -> None:
    posts = journal / "content" / "posts"
    started = threading.Event()

    def slow(changed: frozenset[Path]) -> None:
        started.set()
        time.sleep(0.3)

    rec = Recorder(slow)
    with watching(journal, rec) as watcher:
        (posts / "a.md").write_text("# A\n")
        assert started.wait(TIMEOUT)
        (posts / "b.md").write_text("# B\n")
        (posts / "c.md").write_text("# C\n")
        rec.wait_for(posts / "b.md", posts / "c.md")
        settle(watcher)
    assert len(rec.batches) == 2
    assert rec.batches[0] == {posts / "a.md"}
    assert {posts / "b.md", posts / "c.md"} <= rec.batches[1]


def test_exception_in_callback_is_reported_and_watching_goes_on(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = journal / "content" / "posts"

    def fail_once(changed: frozenset[Path]) -> None:
        if posts / "bad.md" in changed:
            raise ValueError("broken\nbuild")

    rec = Recorder(fail_once)
    with watching(journal, rec):
        (posts / "bad.md").write_text("# Bad\n")
        rec.wait_for(posts / "bad.md")
        (posts / "good.md").write_text("# Good\n")
        rec.wait_for(posts / "good.md")
    err = capsys.readouterr().err
    assert "ValueError: broken build" in err
    assert len(err.strip().splitlines()) == 1


def test_wait_idle(journal: Path) -> None:
    started = threading.Event()

    def slow(changed: frozenset[Path]) -> None:
        started.set()
        time.sleep(0.2)

    rec = Recorder(slow)
    post = journal / "content" / "posts" / "x.md"
    with watching(journal, rec) as watcher:
        assert watcher.wait_idle(0.1)
        post.write_text("# X 2\n")
        assert started.wait(TIMEOUT)
        assert not watcher.wait_idle(0.01)
        assert watcher.wait_idle(TIMEOUT)
        assert rec.batches == [frozenset({post})]


def test_stop_is_prompt(journal: Path) -> None:
    """Stopping does not wait out the quiet period of a pending batch (here an hour: a stop
    that waited for it would hang the test, however fast or busy the machine)."""
    rec = Recorder()
    watcher = Watcher(journal, [journal / "content"], rec, debounce=3600.0)
    watcher.start()
    (journal / "content" / "posts" / "x.md").write_text("# pending\n")
    started = time.monotonic()
    watcher.stop()
    assert time.monotonic() - started < 1800
    watcher.stop()  # a second stop is harmless
    assert rec.batches == []


def test_stop_without_start() -> None:
    watcher = Watcher(Path("."), [Path("content")], Recorder())
    watcher.stop()

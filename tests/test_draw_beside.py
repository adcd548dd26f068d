"""Pages drawn in two processes (pipeline/draw_beside.py): the same site, the same problems
and nothing left behind, as when one process draws them all; and when the second process
dies, the build draws what it left."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from conftest import build_journal, make_journal, post_text, tree_digest

from generator.core.faults import FAULT_VARIABLE
from generator.core.problems import Problem
from generator.pipeline import draw_beside, emit
from generator.pipeline.manifest import Entry
from generator.pipeline.parallel import cpu_count
from generator.pipeline.staging import STAGED_SUFFIX
from generator.pipeline.write import MANIFEST, SiteWriter

pytestmark = pytest.mark.skipif(
    cpu_count() < 2 or "fork" not in multiprocessing.get_all_start_methods(),
    reason="one CPU or no fork: every page is drawn in the build's own process",
)


def journal(count: int = 24) -> dict[str, str]:
    """`count` posts over two years, with tags (home, year, tag, archive and feed pages)."""
    files = {}
    for n in range(count):
        date = f"{2023 + n % 2}-{1 + n % 12:02}-{1 + n % 28:02}"
        body = f"Words of note {n}, with *emphasis* and a [link](https://example.org/{n}).\n"
        tags = f"[walks, note {n % 3}]"
        files[f"content/posts/note-{n}.md"] = post_text(date, body, title=f"Note {n}", tags=tags)
    return files


@pytest.fixture
def two_processes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Even a small site's pages drawn in two processes, in runs of 4; the files the second
    process sent back are counted in the returned list."""
    monkeypatch.setattr(draw_beside, "DRAW_BESIDE_MIN", 1)
    monkeypatch.setattr(draw_beside, "RUN", 4)
    sent: list[int] = []
    take_over = SiteWriter.take_over

    def counted(writer: SiteWriter, path: str, entry: Entry, staged: str | None) -> None:
        sent.append(1)
        take_over(writer, path, entry, staged)

    monkeypatch.setattr(SiteWriter, "take_over", counted)
    # The build's own process takes its first run once the second has taken one: so that
    # the second always draws some pages, however the two are scheduled.
    take, build = draw_beside._take, os.getpid()
    taken = multiprocessing.get_context("fork").Event()

    def second_first(counter: draw_beside.Counter, end: int) -> int:
        if os.getpid() == build:
            assert taken.wait(60), "the second process never took a run"  # (a hang guard)
            return take(counter, end)
        first = take(counter, end)
        taken.set()
        return first

    monkeypatch.setattr(draw_beside, "_take", second_first)
    return sent


def drawn_in_one_process(root: Path, output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as one:
        one.setattr(draw_beside, "DRAW_BESIDE_MIN", 10**9)
        assert build_journal(root, output).ok


def leftovers(output: Path) -> list[Path]:
    return [path for path in output.rglob("*") if path.name.endswith(STAGED_SUFFIX)]


def site_of(output: Path) -> dict[str, str]:
    return {path: digest for path, digest in tree_digest(output).items() if path != MANIFEST}


def test_two_processes_draw_the_site_one_draws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_processes: list[int]
) -> None:
    root = make_journal(tmp_path, journal())
    result = build_journal(root, tmp_path / "two")
    assert result.ok and result.written is not None
    assert len(two_processes) >= 4  # (the second process drew a run of pages at least)
    drawn_in_one_process(root, tmp_path / "one", monkeypatch)
    assert site_of(tmp_path / "two") == site_of(tmp_path / "one")
    assert leftovers(tmp_path / "two") == []
    # Built again: every file is found as it was, and none is written.
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "two").rglob("*") if p.is_file()}
    again = build_journal(root, tmp_path / "two")
    assert again.written is not None and again.written.written == ()
    assert again.written.unchanged == len(site_of(tmp_path / "two"))
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert {p: t for p, t in after.items() if p.name != MANIFEST} == {
        p: t for p, t in before.items() if p.name != MANIFEST
    }


def test_when_the_second_process_dies_the_build_draws_what_it_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_processes: list[int]
) -> None:
    root = make_journal(tmp_path, journal())
    monkeypatch.setenv(FAULT_VARIABLE, "drawing:2")  # (killed at the third page of its run)
    result = build_journal(root, tmp_path / "two")
    assert result.ok
    assert two_processes == []  # (nothing came back from it)
    monkeypatch.delenv(FAULT_VARIABLE)
    drawn_in_one_process(root, tmp_path / "one", monkeypatch)
    assert site_of(tmp_path / "two") == site_of(tmp_path / "one")
    assert leftovers(tmp_path / "two") == []


def problems_of(root: Path, output: Path) -> list[Problem]:
    result = build_journal(root, output)
    assert not result.ok
    return list(result.problems)


def test_a_template_error_is_reported_once_and_the_output_is_left_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_processes: list[int]
) -> None:
    """Every post page fails (its template reads a variable no page has): one error, the
    first page's, as one process reports it; the last site is left as it was."""
    root = make_journal(tmp_path, journal())
    output = tmp_path / "two"
    assert build_journal(root, output).ok
    before = tree_digest(output)
    broken = {"templates/post.html": "{{ page.title }} {{ no_such_variable }}\n"}
    make_journal(tmp_path, broken)
    two = problems_of(root, output)
    assert len([p for p in two if "no_such_variable" in p.message]) == 1
    assert tree_digest(output) == before and leftovers(output) == []
    with monkeypatch.context() as one:
        one.setattr(draw_beside, "DRAW_BESIDE_MIN", 10**9)
        assert problems_of(root, tmp_path / "one") == two
    assert not (tmp_path / "one").exists() or list((tmp_path / "one").rglob("*")) == []


def test_a_site_too_small_is_drawn_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []

    def noted(pages: list[object], *args: object) -> int | None:
        asked.append(len(pages))
        return None

    monkeypatch.setattr(emit, "draw_beside", noted)
    root = make_journal(tmp_path, journal(3))
    assert build_journal(root, tmp_path / "small").ok
    assert asked == []
    monkeypatch.setattr(draw_beside, "DRAW_BESIDE_MIN", 1)
    assert build_journal(root, tmp_path / "big").ok  # (drawn here when no fork could be)
    assert len(asked) == 1 and asked[0] > 3
    assert site_of(tmp_path / "big") == site_of(tmp_path / "small")


def edited(files: dict[str, str]) -> dict[str, str]:
    """A post changed and one added (its page needs a folder the output lacks)."""
    changed = {"content/posts/note-1.md": post_text("2024-02-02", "Other words.\n", title="One")}
    added = {"content/posts/new.md": post_text("2024-03-03", "New words.\n", title="New one")}
    return {**files, **changed, **added}


def folders_of(output: Path) -> set[Path]:
    return {path for path in output.rglob("*") if path.is_dir()}


def built_then_edited(tmp_path: Path) -> tuple[Path, Path, dict[str, str], set[Path]]:
    """A journal built into its output, then `edited`: the root, the output, and the built
    site's files and folders."""
    root = make_journal(tmp_path, journal())
    output = tmp_path / "out"
    assert build_journal(root, output).ok
    before, folders = tree_digest(output), folders_of(output)
    make_journal(tmp_path, edited(journal()))
    return root, output, before, folders


def test_a_full_disk_in_either_process_leaves_the_last_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_processes: list[int]
) -> None:
    root, output, before, folders = built_then_edited(tmp_path)
    # (whichever process stages a file first meets the full disk; the build, if it is the
    # other, meets it again when it draws what that one left)
    monkeypatch.setenv(FAULT_VARIABLE, "staged:0:full")
    with pytest.raises(OSError, match="No space left on device"):  # (the command says so)
        build_journal(root, output)
    assert multiprocessing.active_children() == []
    assert tree_digest(output) == before and folders_of(output) == folders
    assert leftovers(output) == []


def test_a_build_that_fails_while_drawing_stops_the_other_process_and_leaves_the_last_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_processes: list[int]
) -> None:
    root, output, before, folders = built_then_edited(tmp_path)
    draw_one, build, calls = draw_beside._draw_one, os.getpid(), []

    def failing(*args: object) -> None:
        if os.getpid() == build:
            calls.append(1)
            if len(calls) == 6:
                raise KeyboardInterrupt  # (Ctrl-C, say, while both processes draw)
        draw_one(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(draw_beside, "_draw_one", failing)
    with pytest.raises(KeyboardInterrupt):
        build_journal(root, output)
    assert multiprocessing.active_children() == []
    assert tree_digest(output) == before and folders_of(output) == folders
    assert leftovers(output) == []

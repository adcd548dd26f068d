"""The sources kept between builds (`sources.SourceMemory`): re-read file by file, and what
an edit changed of the journal (`edited`), which lets the stages after it look at less."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import make_journal, post_text

from generator.incremental.sources import SourceMemory
from generator.pipeline.load import Journal, load_journal

UTC = ZoneInfo("UTC")
POSTS = {
    f"content/posts/2024/{name}.md": post_text(f"2024-06-1{n}", f"{name} words.\n", title=name)
    for n, name in enumerate(["alpha", "beta", "gamma", "delta"])
}
THEME = "content/themes/2024.md"
FILES = {**POSTS, THEME: "---\nyear: 2024\nword: partnership\n---\nThe year's word.\n"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_journal(tmp_path, FILES)


def remembering(root: Path) -> tuple[SourceMemory, Journal]:
    memory = SourceMemory(root, UTC)
    journal = memory.journal(None)
    assert memory.edited is None and memory.before is None
    return memory, journal


def test_an_edited_post_is_all_that_changes(root: Path) -> None:
    memory, first = remembering(root)
    path = root / "content/posts/2024/beta.md"
    path.write_text(post_text("2024-06-11", "New words.\n", title="Beta"), encoding="utf-8")
    journal = memory.journal({path})
    assert memory.before is first
    assert memory.edited == {"content/posts/2024/beta.md"}
    assert journal == load_journal(root, UTC)
    assert memory.read == 1
    for old, new in zip(first.posts, journal.posts, strict=True):
        assert (old is new) == (new.key != "content/posts/2024/beta.md")
    assert journal.themes is first.themes and journal.problems is first.problems


def test_a_folder_reported_with_nothing_new_in_it_keeps_edited_known(root: Path) -> None:
    """Its files are all read again: each is edited, but none came or went."""
    memory, _ = remembering(root)
    path = root / "content/posts/2024/alpha.md"
    path.write_text(post_text("2024-06-10", "Saved again.\n", title="alpha"), encoding="utf-8")
    journal = memory.journal({path.parent})
    assert memory.edited == set(POSTS)
    assert journal == load_journal(root, UTC)


def test_a_change_outside_the_sources_edits_nothing(root: Path) -> None:
    memory, first = remembering(root)
    journal = memory.journal({root / "templates" / "post.html"})
    assert memory.edited == frozenset() and journal == first


@pytest.mark.parametrize(
    "change",
    [
        "new post",
        "deleted post",
        "post that no longer parses",
        "new problem",
        "theme",
    ],
)
def test_other_changes_leave_edited_unknown(root: Path, change: str) -> None:
    memory, _ = remembering(root)
    posts = root / "content/posts/2024"
    if change == "new post":
        path = posts / "epsilon.md"
        path.write_text(post_text("2024-06-20", "More.\n", title="Epsilon"), encoding="utf-8")
    elif change == "deleted post":
        path = posts / "gamma.md"
        path.unlink()
    elif change == "post that no longer parses":
        path = posts / "gamma.md"
        path.write_text("---\ndate: [not closed\n---\nBroken.\n", encoding="utf-8")
    elif change == "new problem":
        path = posts / "gamma.md"
        path.write_text(post_text("2024-06-12", "x\n", title="gamma", Title="b"), encoding="utf-8")
    else:
        path = root / THEME
        path.write_text("---\nyear: 2024\nword: courage\n---\nAnother word.\n", encoding="utf-8")
    journal = memory.journal({path})
    assert memory.edited is None
    assert journal == load_journal(root, UTC)

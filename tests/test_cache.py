"""The build cache (.journal-cache/build.sqlite3), `--no-cache`, `journal clean`, the build
stamp that makes a build with nothing changed a no-op, and parallel Markdown conversion."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import OPTIONS, make_journal, post_text, tree_digest

from generator.cli import main
from generator.core.config import MARKDOWN_ENGINES, BuildOptions
from generator.incremental.session import WatchSession
from generator.pipeline import inputs
from generator.pipeline.build import BuildResult, Request, build
from generator.pipeline.cache import CACHE_DIR, BuildCache, cache_path
from generator.pipeline.markup import cache_key, make_converter, render_markdown
from generator.pipeline.parallel import chunks_of, render_texts, worker_count
from generator.pipeline.theme import builtin_templates
from generator.pipeline.write import MANIFEST

POSTS = {
    "content/posts/2024/a.md": post_text(
        "2024-06-10", "Alpha *words*.\n\nNext: Gamma\n", title="A"
    ),
    "content/posts/2024/b.md": post_text("2024-06-11", "Beta `code`.\n", title="Beta"),
    "content/themes/2024.md": "---\nword: partnership\n---\nTogether.\n",
}


def build_it(root: Path, **request: object) -> BuildResult:
    options = request.pop("options", OPTIONS)
    assert isinstance(options, BuildOptions)
    return build(Request(root, options=options, **request))  # type: ignore[arg-type]


def site(root: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(root / "output").items() if k != MANIFEST}


def test_a_build_fills_the_cache_and_a_cached_build_makes_the_same_site(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    assert build_it(root).ok
    assert cache_path(root).is_file()
    assert (root / CACHE_DIR / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    first = site(root)
    cache = BuildCache.open(root)
    assert cache is not None
    body = "Alpha *words*.\n"
    assert (
        cache.renderings([cache_key(body)])[cache_key(body)].html == "<p>Alpha <em>words</em>.</p>"
    )
    cache.close()
    (root / "output").rename(tmp_path / "first")
    result = build_it(root)
    assert result.ok and result.figures.markdown_converted == 0
    assert site(root) == first


def test_no_cache_neither_reads_nor_writes_it(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    result = build_it(root, use_cache=False)
    assert result.ok and not (root / CACHE_DIR).exists()
    assert main(["build", "--no-cache", "--root", str(root)]) == 0
    assert not (root / CACHE_DIR).exists()


def test_check_reads_the_cache_but_never_writes_it(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    assert main(["check", "--root", str(root)]) == 0
    assert not (root / CACHE_DIR).exists()
    assert build_it(root).ok
    before = tree_digest(root)
    result = WatchSession(Request(root, options=OPTIONS)).build(write=False)
    assert result.ok and result.figures.markdown_converted == 0
    assert tree_digest(root) == before


def test_a_corrupt_cache_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    assert build_it(root).ok
    expected = site(root)
    cache_path(root).write_bytes(b"this is not a database" * 100)
    assert build_it(root, options=OPTIONS).ok  # the stamp is gone with the database
    assert site(root) == expected
    with sqlite3.connect(cache_path(root)) as db:
        assert db.execute("SELECT COUNT(*) FROM markdown").fetchone()[0] == 3


def test_a_cache_of_another_schema_is_dropped(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    cache_path(root).parent.mkdir()
    with sqlite3.connect(cache_path(root)) as db:
        db.execute("CREATE TABLE markdown (key TEXT, html TEXT)")
        db.execute("INSERT INTO markdown VALUES (?, 'forged')", (cache_key("Beta `code`.\n"),))
    db.close()
    assert build_it(root).ok
    assert b"forged" not in (root / "output/2024/b/index.html").read_bytes()
    with sqlite3.connect(cache_path(root)) as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert "meta" in names


def test_a_damaged_row_counts_as_missing(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    assert build_it(root).ok
    expected = site(root)
    with sqlite3.connect(cache_path(root)) as db:
        db.execute("UPDATE markdown SET html = CAST('<p>damaged</p>' AS BLOB)")
        db.execute("DELETE FROM stamps")
    db.close()
    (root / "output/2024/b/index.html").unlink()
    result = build_it(root)
    assert result.ok and result.figures.markdown_converted == 3
    assert site(root) == expected


def test_clean_drops_the_cache_and_nothing_else(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    assert build_it(root).ok
    preview = root / CACHE_DIR / "preview" / "index.html"
    preview.parent.mkdir()
    preview.write_text("preview", encoding="utf-8")
    before = {k: v for k, v in tree_digest(tmp_path).items() if "build.sqlite3" not in k}
    assert main(["clean", "--root", str(root)]) == 0
    assert not cache_path(root).exists()
    assert tree_digest(tmp_path) == before
    assert main(["clean", "--root", str(root)]) == 0  # nothing to do is fine


# ---------------------------------------------------------------- the stamp


def test_a_build_with_nothing_changed_touches_nothing(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    old = 1_000_000_000 * 10**9
    for path in root.rglob("*"):
        os.utime(path, ns=(old, old))  # older than the racy window
    first = build_it(root)
    assert first.ok and first.pending_promises == 1  # "Next: Gamma"
    before = {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*")}
    again = build_it(root)
    assert (
        "stamp" in again.figures.seconds and "load" not in again.figures.seconds
    )  # nothing was read
    assert again.problems == first.problems and again.posts == first.posts
    assert again.pending_promises == first.pending_promises
    assert again.written is not None and again.written.written == ()
    assert {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*")} == before


def test_the_stamp_notices_edits_deleted_output_and_the_clock(tmp_path: Path) -> None:
    posts = {**POSTS, "content/posts/2025/later.md": post_text("2025-07-01", "Later.\n")}
    root = make_journal(tmp_path, posts)
    old = 1_000_000_000 * 10**9
    for path in root.rglob("*"):
        os.utime(path, ns=(old, old))
    assert build_it(root).ok
    assert "load" not in build_it(root).figures.seconds
    (root / "output/2024/b/index.html").unlink()
    repaired = build_it(root)
    assert "load" in repaired.figures.seconds and (root / "output/2024/b/index.html").is_file()
    later = BuildOptions(now=OPTIONS.now + timedelta(days=60) if OPTIONS.now else None)
    published = build_it(root, options=later)
    assert "load" in published.figures.seconds and published.posts == 3
    edited = root / "content/posts/2024/b.md"
    edited.write_text(post_text("2024-06-11", "Beta, edited.\n", title="Beta"), encoding="utf-8")
    assert "load" in build_it(root).figures.seconds  # racy (just written) or changed: built again


def test_the_stamp_notices_an_edit_of_the_built_in_theme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp digests the theme where the package finds it (a copy here, so that the
    test edits no file of the repository)."""
    theme = tmp_path / "theme"
    shutil.copytree(builtin_templates(), theme)
    monkeypatch.setattr(inputs, "builtin_templates", lambda: theme)
    names = [name for name, _ in inputs.package_files()]
    assert "theme/post.html" in names and "theme/assets/style.css" in names
    root = make_journal(tmp_path, POSTS)
    old = 1_000_000_000 * 10**9
    for path in [*root.rglob("*"), *theme.rglob("*")]:
        os.utime(path, ns=(old, old))
    assert build_it(root).ok
    assert "load" not in build_it(root).figures.seconds
    for edited in ("post.html", "assets/style.css"):
        (theme / edited).write_bytes((theme / edited).read_bytes() + b"\n")
        assert "load" in build_it(root).figures.seconds, edited
        assert "load" not in build_it(root).figures.seconds


# ---------------------------------------------------------------- parallel conversion


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_parallel_conversion_equals_serial(engine: str) -> None:
    texts = {str(i): f"# Part {i}\n\nSome *words* and `code` {i}.\n\n- a\n- b\n" for i in range(30)}
    texts["code"] = "```python\nprint('hi')\n```\n"
    converter = make_converter(engine)
    serial = {key: render_markdown(converter, text) for key, text in texts.items()}
    assert render_texts(dict(texts), workers=2, engine=engine) == serial
    assert render_texts(texts, workers=1, engine=engine) == serial


def test_parallel_only_when_it_pays() -> None:
    assert worker_count(50, cpus=8) == 1
    assert worker_count(5000, cpus=1) == 1
    assert worker_count(5000, cpus=2) == 2
    items = [(str(i), "x" * (i % 7 + 1)) for i in range(100)]
    chunks = chunks_of(items, 2)
    assert [item for chunk in chunks for item in chunk] == items
    assert len(chunks) >= 4

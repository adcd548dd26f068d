"""The sample journal (tests/sample_journal) built byte for byte as tests/golden/ holds it.

After an intended change to the output, refresh the expected site and review the diff:

    UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from conftest import build_journal, tree_digest

from generator.pipeline.write import MANIFEST

HERE = Path(__file__).parent
SAMPLE = HERE / "sample_journal"
GOLDEN = HERE / "golden"
UPDATING = os.environ.get("UPDATE_GOLDEN") == "1"


def built_files(output: Path) -> dict[str, bytes]:
    """{relative path: bytes} of a built site, without the manifest (it records mtimes)."""
    result = build_journal(SAMPLE, output=output)
    assert result.ok, [str(p) for p in result.problems]
    return {
        path.relative_to(output).as_posix(): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def rewrite_golden(files: dict[str, bytes]) -> None:
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for relative, data in files.items():
        target = GOLDEN / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def first_difference(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """A readable account of how two sites differ: file sets, then a unified diff."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing or extra:
        return f"file sets differ: missing {missing}, unexpected {extra}"
    for path in sorted(expected):
        if expected[path] != actual[path]:
            diff = difflib.unified_diff(
                expected[path].decode("utf-8", "replace").splitlines(keepends=True),
                actual[path].decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"golden/{path}",
                tofile=f"built/{path}",
            )
            return f"{path} differs:\n{''.join(diff)}"
    return "no difference"


def test_sample_journal_matches_the_golden_site(tmp_path: Path) -> None:
    actual = built_files(tmp_path / "site")
    if UPDATING:
        rewrite_golden(actual)
    assert GOLDEN.is_dir(), "no tests/golden/: run UPDATE_GOLDEN=1 pytest tests/test_golden.py"
    expected = files_in(GOLDEN)
    hint = "\n(if the change is intended: UPDATE_GOLDEN=1 pytest tests/test_golden.py)"
    if expected != actual:
        pytest.fail(first_difference(expected, actual) + hint, pytrace=False)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = built_files(tmp_path / "one")
    second = built_files(tmp_path / "two")
    assert first == second, first_difference(first, second)


def test_a_rebuild_in_place_changes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "site"
    built_files(output)
    before = tree_digest(output)
    result = build_journal(SAMPLE, output=output)
    assert result.written is not None and result.written.written == ()
    assert tree_digest(output) == before


def test_the_golden_site_shows_what_the_sample_promises() -> None:
    """The golden files themselves hold the behaviour the sample journal was written for."""
    essay = (GOLDEN / "2024/partnership/index.html").read_text(encoding="utf-8")
    assert '<span class="chain-next chain-pending">Post everyday</span>' in essay
    assert '<a class="theme-word" href="/2024/">partnership</a>' in essay
    prev = 'class="thread-link chain-prev" href="/2024/working-in-pairs/">Working in pairs</a>'
    assert prev in essay
    first = (GOLDEN / "2023/first-steps/index.html").read_text(encoding="utf-8")
    kept = '<a rel="next" class="thread-link chain-next" href="/2023/small-tools/">Small tools</a>'
    assert kept in first
    assert not (GOLDEN / "2025/post-everyday").exists()  # the draft
    assert b"must not appear" not in b"".join(files_in(GOLDEN).values())
    assert (GOLDEN / "2023/index.html").is_file() and (GOLDEN / "page/2/index.html").is_file()
    assert (GOLDEN / "humans.txt").is_file()

"""Inputs that once crashed the loader or the site stage, kept so they never do again.

Each ran through the same checks as tests/fuzz_loader.py: parse it, render its Markdown,
resolve its promise; no exception may escape and every problem must be well formed. The
first group was found while building the bad-input corpus, the second by the fuzz run.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import time_limit
from fuzz_loader import check_post_input, check_site, check_theme_input

from generator.pipeline.load import load_journal, parse_post

FOUND_BY_HAND: dict[str, tuple[str, bytes]] = {
    # PyYAML's int() of 5000 digits raised ValueError out of the loader.
    "decimal-number-of-5000-digits": (
        "content/posts/a.md",
        b"---\ntitle: " + b"1" * 5000 + b"\ndate: 2024-01-01\n---\nx\n",
    ),
    # Hex, binary and base-60 numbers are read, but printing them in a message raised.
    "hex-number-too-long-to-print": (
        "content/posts/a.md",
        b"---\ntitle: 0x" + b"f" * 4000 + b"\ndate: 2024-01-01\n---\nx\n",
    ),
    "binary-number-too-long-to-print": (
        "content/posts/a.md",
        b"---\ntitle: 0b" + b"1" * 20000 + b"\ndate: 2024-01-01\n---\nx\n",
    ),
    "base-60-number-too-long-to-print": (
        "content/posts/a.md",
        b"---\ntitle: " + b"1:" * 3000 + b"1\ndate: 2024-01-01\n---\nx\n",
    ),
    "tag-of-5000-digits": (
        "content/posts/a.md",
        b"---\ntags: [" + b"9" * 5000 + b"]\ndate: 2024-01-01\n---\nx\n",
    ),
    # Year 1 at UTC+14 is year 0 in UTC: OverflowError in the site stage.
    "year-one-far-east": ("content/posts/a.md", b"---\ndate: 0001-01-01 00:00:00+14:00\n---\n"),
    "year-9999-far-west": ("content/posts/a.md", b"---\ndate: 9999-12-31 23:00:00-12:00\n---\n"),
    "jekyll-name-of-year-one": ("content/posts/0001-01-01-x.md", b"Body.\n"),
    # urlsplit() raised ValueError on the promise's link while resolving it.
    "promise-link-with-a-broken-ipv6-host": (
        "content/posts/a.md",
        b"---\ndate: 2024-01-01\n---\nx\n\nNext: [T](http://[::1)\n",
    ),
    # Python-Markdown recursed once per level of list: RecursionError.
    "lists-nested-300-deep": (
        "content/posts/a.md",
        b"---\ndate: 2024-01-01\n---\n"
        + b"".join(b"    " * level + b"- x\n" for level in range(300)),
    ),
    # Aliases of aliases: printing the value in a message would take gigabytes.
    "billion-laughs": (
        "content/posts/a.md",
        b"---\ndate: 2024-01-01\na: &a [x,x,x,x,x,x,x,x,x]\n"
        + b"".join(
            f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n".encode()
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + b"title: *i\ndraft: *i\n---\n",
    ),
}

FOUND_BY_FUZZING: dict[str, tuple[str, bytes]] = {
    # A key that YAML reads as a number (`0:`) reached a function that wants text.
    "numeric-key-in-a-theme": ("content/themes/2024.md", b"---\n0: \nword: w\n---\n"),
    "numeric-key-in-a-post": ("content/posts/a.md", b"---\n0: \n1.5: x\nnull: y\n---\n"),
    # PyYAML's constructors raised IndexError and KeyError on explicit tags.
    "empty-float-tag-in-a-theme": ("content/themes/0.md", b"---\ntitle: !!float \n---\n"),
    "empty-int-tag": ("content/posts/a.md", b"---\ntitle: !!int\ndate: 2024-01-01\n---\n"),
    "bool-tag-on-a-word": ("content/posts/a.md", b"---\ndraft: !!bool maybe\n---\n"),
    # "Next:" with only blanks after it became a promise of a blank title.
    "blank-promise": ("content/posts/1000-01-01-0.md", b"\n\nNext: "),
    "blank-promise-link": ("content/posts/2024-01-01-a.md", b"x\n\nNext: [ ](/2024/a/)\n"),
    # A block scalar's line breaks went into messages and promises as they were.
    "block-scalar-in-a-message": ("content/posts/0.md", b"---\ndraft: |\n  [\n---\n"),
    "block-scalar-promise": (
        "content/posts/a.md",
        b"---\ndate: 2024-01-01\nnext: |\n  a\n  b\n---\n",
    ),
    "block-scalar-impossible-date": (
        "content/posts/a.md",
        b"---\ndate: |\n  2024-02-30\n  x\n---\n",
    ),
    "block-scalar-slug": (
        "content/posts/a.md",
        b"---\ndate: 2024-01-01\nslug: |\n  !!!\n  ?\n---\n",
    ),
    # A character YAML forbids gave a message of two lines ("in <unicode string>...").
    "control-character-in-front-matter": ("content/posts/a.md", b"---\n\x1f: \n---\n"),
    "non-character-in-a-theme": ("content/themes/2024.md", "---\n\ufffe: \n---\n".encode()),
}


def run_case(key: str, raw: bytes) -> None:
    for zone in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"):
        if key.startswith("content/themes/"):
            theme = check_theme_input(key, raw)
            check_site([], [theme] if theme else [], zone)
        else:
            post = check_post_input(key, raw, zone)
            check_site([post] if post else [], [], zone)


@pytest.mark.parametrize("name", list(FOUND_BY_HAND) + list(FOUND_BY_FUZZING))
def test_once_crashing_input(name: str) -> None:
    key, raw = {**FOUND_BY_HAND, **FOUND_BY_FUZZING}[name]
    with time_limit(60):
        run_case(key, raw)


def test_a_numeric_key_is_ignored_like_any_unknown_setting() -> None:
    key = "content/posts/a.md"
    post, problems = parse_post(key, b"---\n0: x\ndate: 2024-01-01\n---\n", ZoneInfo("UTC"))
    assert problems == [] and post is not None


def test_a_forbidden_character_is_named_on_its_line() -> None:
    """A control character (which YAML, XML and HTML all forbid) is removed, with a warning
    at its line, and the post is read without it."""
    post, problems = parse_post(
        "content/posts/a.md", b"---\ndate: 2024-01-01\nx: \x1f\n---\n", ZoneInfo("UTC")
    )
    assert [str(p) for p in problems] == [
        "content/posts/a.md:3: warning: removed a control character (U+001F), which no page "
        "or feed may hold: delete it here"
    ]
    assert post is not None


def test_a_file_name_with_a_line_break_is_reported_on_one_line(tmp_path: Path) -> None:
    """Found by fuzzing: the name went into messages and split them over two lines."""
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "two\nlines.md").write_text("---\ndate: 2024-01-01\n---\n", encoding="utf-8")
    (posts / "bell\x07.md").write_text("---\ndate: 2024-01-01\n---\n", encoding="utf-8")
    journal = load_journal(tmp_path, ZoneInfo("UTC"))
    assert journal.posts == ()
    assert [str(p) for p in journal.problems] == [
        "content/posts/bell\\x07.md:1: error: this file name is not UTF-8 text or holds a "
        "control character: rename the file (it was left out)",
        "content/posts/two\\nlines.md:1: error: this file name is not UTF-8 text or holds a "
        "control character: rename the file (it was left out)",
    ]

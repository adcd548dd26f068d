"""`journal promises`, `journal new --next` and `journal stats` on journals in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_journal, post_text

from generator.cli import main

THEME = "---\nword: partnership\n---\nThe word.\n"
JOURNAL = {
    "content/themes/2024.md": THEME,
    "content/posts/a.md": post_text(
        "2024-02-01", "A partner.\n\nNext: Second idea\n", title="Newer promise"
    ),
    "content/posts/b.md": post_text(
        "2024-01-10", "Partners, partners.\n\nNext: First idea\n", title="Older promise"
    ),
    "content/posts/c.md": post_text("2024-01-11", "Kept.\n\nNext: Newer promise\n", title="C"),
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_promises_lists_what_to_write_oldest_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    code, out, err = run(capsys, "promises", "--root", str(root))
    assert code == 0
    assert err == ""
    assert out.splitlines() == [
        "2 promises to keep, oldest first:",
        "  2024-01-10  First idea   promised in “Older promise” (content/posts/b.md)",
        "  2024-02-01  Second idea  promised in “Newer promise” (content/posts/a.md)",
        'Write the oldest with: journal new --next (or journal new "Title")',
    ]


def test_promises_when_every_promise_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "content/posts/a.md": post_text("2024-01-01", "A.\n\nNext: B\n", title="A"),
        "content/posts/b.md": post_text("2024-01-02", "B.\n", title="B"),
    }
    root = make_journal(tmp_path, files)
    code, out, _ = run(capsys, "promises", "--root", str(root))
    assert (code, out) == (0, "Nothing promised: every Next: is kept.\n")


def test_promises_without_a_journal_fails_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "promises", "--root", str(tmp_path))
    assert code == 1
    assert out == ""
    assert err.startswith("journal.toml:1: error: no journal.toml")


def test_new_next_writes_the_oldest_promised_post(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    code, out, _ = run(capsys, "new", "--next", "--date", "2024-03-01", "--root", str(root))
    assert code == 0
    assert out.splitlines() == [
        "Created content/posts/2024/first-idea.md",
        'It keeps the promise made in content/posts/b.md ("Next: First idea").',
    ]
    assert "title: First idea" in (root / "content/posts/2024/first-idea.md").read_text()
    code, out, _ = run(capsys, "promises", "--root", str(root))
    assert "First idea" not in out
    assert "Second idea" in out


def test_new_next_with_nothing_promised_and_with_a_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {"content/posts/a.md": post_text("2024-01-01", title="A")})
    code, out, _ = run(capsys, "new", "--next", "--root", str(root))
    assert (code, out) == (1, "Nothing promised: every Next: is kept.\n")
    code, _, err = run(capsys, "new", "Title", "--next", "--root", str(root))
    assert code == 1
    assert "not both" in err
    assert list((root / "content/posts").rglob("*.md")) == [root / "content/posts/a.md"]


def test_stats_json_has_the_year_page_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    code, out, _ = run(capsys, "stats", "--root", str(root), "--year", "2024", "--json")
    assert code == 0
    (year,) = json.loads(out)["years"]
    # Words: "A partner." 2, "Partners, partners." 2, "Kept." 1; the Next: lines are not text.
    assert {k: year[k] for k in ("year", "word", "posts", "words", "days_written")} == {
        "year": 2024,
        "word": "partnership",
        "posts": 3,
        "words": 5,
        "days_written": 3,
    }
    assert year["days_in_year"] == 366
    assert year["longest_streak"] == {"days": 2, "first": "2024-01-10", "last": "2024-01-11"}
    assert (year["weeks_written"], year["weeks_in_year"], year["rhythm"]) == (2, 53, "weeks")
    assert year["longest_week_run"] == {"weeks": 1, "first": "2024-01-08", "last": "2024-01-14"}
    reach = year["reach"]
    assert {k: reach[k] for k in ("posts", "of_posts", "percent", "mentions")} == {
        "posts": 2,
        "of_posts": 3,
        "percent": 67,
        "mentions": 3,
    }
    assert [(m["title"], m["mentions"]) for m in reach["mentioned_in"]] == [
        ("Newer promise", 1),
        ("Older promise", 2),
    ]
    assert [(d["date"], d["level"], d["url"]) for d in year["days"]] == [
        ("2024-01-10", 4, "https://example.org/2024/b/"),
        ("2024-01-11", 2, "https://example.org/2024/c/"),
        ("2024-02-01", 4, "https://example.org/2024/a/"),
    ]


def test_stats_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_journal(tmp_path, JOURNAL)
    code, out, _ = run(capsys, "stats", "--root", str(root))
    assert code == 0
    assert out.splitlines() == [
        "2024 · partnership",
        "  Posts           3",
        "  Words           5",
        "  Days written    3 of 366",
        "  Longest streak  2 days (10–11 January 2024)",
        "  Weeks written   2 of 53",
        "  Weeks in a row  1 week (8–14 January 2024)",
        "  Reach           2 of 3 posts (67%), 3 mentions",
        "  Counted forms   partnership, partnerships, partner, partners",
    ]


def test_stats_of_a_year_without_posts_or_theme_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    code, out, err = run(capsys, "stats", "--root", str(root), "--year", "2019", "--json")
    assert (code, out, err) == (1, "", "error: no posts or theme in 2019\n")


@pytest.mark.parametrize("year", ["0", "99999", "-3", "twenty"])
def test_stats_refuses_a_year_that_is_no_year(
    year: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    with pytest.raises(SystemExit) as exit_:
        main(["stats", "--root", str(root), "--year", year])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "is not a year (1 to 9999)" in err and "Traceback" not in err


def test_promises_fails_when_the_journal_has_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = {**JOURNAL, "content/posts/bad.md": "---\ntitle: [unclosed\n---\n"}
    root = make_journal(tmp_path, broken)
    code, out, err = run(capsys, "promises", "--root", str(root))
    assert code == 1
    assert "content/posts/bad.md:2: error:" in err
    assert out.startswith("2 promises to keep")  # the list is still printed


def test_promises_say_when_the_promised_post_is_a_draft_or_scheduled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        **JOURNAL,
        "content/posts/d.md": post_text(
            "2024-03-01", "Drafted.\n", title="First idea", draft="true"
        ),
        "content/posts/s.md": post_text("2999-01-01", "Later.\n", title="Second idea"),
    }
    root = make_journal(tmp_path, files)
    code, out, err = run(capsys, "promises", "--root", str(root))
    assert (code, err) == (0, "")
    assert out.splitlines()[1:3] == [
        "  2024-01-10  First idea   promised in “Older promise” (content/posts/b.md); "
        "content/posts/d.md is a draft",
        "  2024-02-01  Second idea  promised in “Newer promise” (content/posts/a.md); "
        "content/posts/s.md is scheduled for 2999-01-01",
    ]

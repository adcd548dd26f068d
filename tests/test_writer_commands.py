"""The writer's commands and hints: `journal theme`, the hint of a year with posts and no
theme word, the warning of an intro still the placeholder, and `journal new` refusing a
title that a draft, a scheduled post or a published one has."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import OPTIONS, build_journal, make_journal, one, parse_html, post_text, text_of

from generator.cli import main
from generator.commands.scaffold import ScaffoldError, new_post
from generator.core.problems import Problem
from generator.incremental.session import WatchSession
from generator.pipeline.build import Request, build
from generator.pipeline.load import parse_theme
from generator.pipeline.theme_hints import PLACEHOLDER_INTRO

THEME_2024 = "---\nword: partnership\n---\nGrowing together.\n"
HINT_2025 = (
    "content/posts/2025:1: warning: 2025 has 4 posts but no theme word: "
    "run `journal theme 2025 --word WORD`"
)
PLACEHOLDER_MESSAGE = (
    "the intro is still the placeholder `journal init` or `journal theme` wrote: "
    "write a sentence or two about the word"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def posts_of_2025(count: int) -> dict[str, str]:
    return {
        f"content/posts/2025/p{n}.md": post_text(f"2025-0{n + 1}-01", title=f"Post {n}")
        for n in range(count)
    }


def shown(problems: tuple[Problem, ...]) -> list[str]:
    return [str(p) for p in problems]


# ---------------------------------------------------------------- journal theme


def test_theme_writes_the_year_file_with_a_placeholder_intro(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {"content/posts/2025/a.md": post_text("2025-02-01", title="A")})
    code, out, err = run(capsys, "theme", "2025", "--word", "courage", "--root", str(root))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        'Created content/themes/2025.md: the word for 2025 is "courage".',
        "Edit its intro: content/themes/2025.md",
    ]
    text = (root / "content/themes/2025.md").read_text(encoding="utf-8")
    assert text == f"---\nword: courage\n---\n{PLACEHOLDER_INTRO}\n"
    theme, problems = parse_theme("content/themes/2025.md", text.encode())
    assert problems == [] and theme is not None
    assert (theme.year, theme.word, theme.intro) == (2025, "courage", PLACEHOLDER_INTRO)

    result = build_journal(root)
    assert result.ok
    assert shown(result.problems) == [f"content/themes/2025.md:4: warning: {PLACEHOLDER_MESSAGE}"]
    year = parse_html((root / "output/2025/index.html").read_bytes())
    assert text_of(one(year, "span", "theme-word")) == "courage"


def test_theme_with_an_intro_writes_it_and_nothing_is_left_to_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {})
    intro = "A *brave* year.\n\nTwo paragraphs."
    code, out, _ = run(
        capsys, "theme", "2026", "--word", "#hope", "--intro", intro, "--root", str(root)
    )
    assert code == 0
    assert out == 'Created content/themes/2026.md: the word for 2026 is "#hope".\n'
    text = (root / "content/themes/2026.md").read_text(encoding="utf-8")
    theme, problems = parse_theme("content/themes/2026.md", text.encode())
    assert problems == [] and theme is not None
    assert (theme.word, theme.intro) == ("#hope", intro)
    assert build_journal(root).problems == ()


def test_theme_never_overwrites_a_year_that_has_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(
        tmp_path,
        {"content/themes/2024.md": THEME_2024, "content/themes/old/2023.markdown": THEME_2024},
    )
    code, out, err = run(capsys, "theme", "2024", "--word", "courage", "--root", str(root))
    assert (code, out) == (1, "")
    assert err == (
        "error: content/themes/2024.md already exists: edit it to change 2024's word or "
        "intro; nothing was written\n"
    )
    assert (root / "content/themes/2024.md").read_text(encoding="utf-8") == THEME_2024
    code, _, err = run(capsys, "theme", "2023", "--word", "courage", "--root", str(root))
    assert code == 1
    assert err.startswith("error: content/themes/old/2023.markdown already exists")
    assert not (root / "content/themes/2023.md").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["2025"],
            "error: give the year's word with --word, like `journal theme 2025 --word courage`",
        ),
        (
            ["2025", "--word", "  "],
            "error: --word is empty: give the year's word, like "
            "`journal theme 2025 --word courage`",
        ),
        (
            ["999", "--word", "x"],
            "error: 999 is not a year of a journal: give one from 1000 to 2999",
        ),
        (
            ["2025", "--word", "x", "--intro", " \n"],
            "error: --intro is empty: write a sentence or two about the word, or leave --intro "
            "out and write them in the file",
        ),
    ],
)
def test_theme_says_what_is_missing_and_writes_nothing(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {})
    code, out, err = run(capsys, "theme", *argv, "--root", str(root))
    assert (code, out, err) == (1, "", message + "\n")
    assert not (root / "content/themes").exists()


def test_theme_outside_a_journal_says_to_run_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "theme", "2025", "--word", "courage", "--root", str(tmp_path))
    assert code == 1
    assert err.startswith(f"error: no journal.toml in {tmp_path}: run `journal init {tmp_path}`")
    assert list(tmp_path.iterdir()) == []


def test_theme_says_when_the_themes_folder_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {"content/themes": "oops\n"})
    code, _, err = run(capsys, "theme", "2025", "--word", "courage", "--root", str(root))
    assert (code, err) == (
        1,
        "error: content/themes is a file, not a folder: move it away or rename it, then try "
        "again\n",
    )


# ---------------------------------------------------------------- a year without a word


def test_a_year_with_posts_and_no_theme_gets_one_hint(tmp_path: Path) -> None:
    files = {
        **posts_of_2025(4),
        "content/themes/2024.md": THEME_2024,
        "content/posts/2024/a.md": post_text("2024-02-01", title="A"),
        # Drafts and posts dated later are not on the site: they make no year of it.
        "content/posts/2023/d.md": post_text("2023-02-01", title="D", draft="true"),
        "content/posts/2026/f.md": post_text("2026-02-01", title="F"),
    }
    result = build_journal(make_journal(tmp_path, files))
    assert result.ok
    assert shown(result.problems) == [HINT_2025]


def test_the_hint_names_one_post_in_the_singular(tmp_path: Path) -> None:
    files = {**posts_of_2025(1), "content/themes/2024.md": THEME_2024}
    result = build_journal(make_journal(tmp_path, files))
    assert shown(result.problems) == [
        "content/posts/2025:1: warning: 2025 has 1 post but no theme word: "
        "run `journal theme 2025 --word WORD`"
    ]


def test_check_prints_the_hint_and_journal_theme_answers_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {**posts_of_2025(4), "content/themes/2024.md": THEME_2024})
    code, _, err = run(capsys, "check", "--root", str(root))
    assert code == 0
    assert err.splitlines() == [HINT_2025]
    assert run(capsys, "theme", "2025", "--word", "courage", "--root", str(root))[0] == 0
    (root / "content/themes/2025.md").write_text(
        "---\nword: courage\n---\nBe brave.\n", encoding="utf-8"
    )
    code, _, err = run(capsys, "check", "--root", str(root))
    assert (code, err) == (0, "")


def test_a_journal_without_any_theme_is_not_asked_for_words(tmp_path: Path) -> None:
    assert build_journal(make_journal(tmp_path, posts_of_2025(4))).problems == ()


# ---------------------------------------------------------------- the placeholder intro


@pytest.mark.parametrize(
    "intro",
    [
        PLACEHOLDER_INTRO,
        "Why this word,\nthis year?  Replace this line with a sentence or two about the word.",
        "Why this word, this year.",  # what `journal init` wrote before
    ],
)
def test_a_placeholder_intro_is_a_warning_at_its_line(intro: str, tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/themes/2024.md": f"---\nword: x\n---\n\n{intro}\n"})
    result = build_journal(root)
    assert result.ok
    assert shown(result.problems) == [f"content/themes/2024.md:5: warning: {PLACEHOLDER_MESSAGE}"]


def test_an_edited_intro_is_no_placeholder(tmp_path: Path) -> None:
    intro = f"{PLACEHOLDER_INTRO} And then my own words."
    root = make_journal(tmp_path, {"content/themes/2024.md": f"---\nword: x\n---\n{intro}\n"})
    assert build_journal(root).problems == ()


def test_init_writes_the_word_and_a_placeholder_it_warns_of_until_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "j"
    code, out, _ = run(capsys, "init", str(folder), "--word", "courage", "--year", "2024")
    assert code == 0
    theme = folder / "content/themes/2024.md"
    assert f"Edit the intro of 2024's word: {theme}" in out.splitlines()
    assert theme.read_text(encoding="utf-8") == f"---\nword: courage\n---\n{PLACEHOLDER_INTRO}\n"
    code, _, err = run(capsys, "build", "--root", str(folder))
    assert code == 0
    assert err == f"content/themes/2024.md:4: warning: {PLACEHOLDER_MESSAGE}\n"
    year = parse_html((folder / "output/2024/index.html").read_bytes())
    assert text_of(one(year, "span", "theme-word")) == "courage"
    theme.write_text("---\nword: courage\n---\nBrave, on purpose.\n", encoding="utf-8")
    code, _, err = run(capsys, "build", "--root", str(folder))
    assert (code, err) == (0, "")


# ---------------------------------------------------------------- the hints in a watch session


def test_a_watch_session_keeps_the_hints_right_as_themes_come_and_go(tmp_path: Path) -> None:
    """serve's rebuilds report what a clean build does, after each edit of a theme alone."""
    root = make_journal(tmp_path, {**posts_of_2025(4), "content/themes/2024.md": THEME_2024})
    session = WatchSession(Request(root, tmp_path / "served", OPTIONS))
    theme = root / "content/themes/2025.md"

    def rebuilt(changed: set[Path]) -> list[str]:
        result = session.build(changed=changed)
        clean = build(Request(root, tmp_path / "clean", OPTIONS, use_cache=False))
        assert result.problems == clean.problems
        return shown(result.problems)

    assert shown(session.build().problems) == [HINT_2025]
    theme.write_text(f"---\nword: courage\n---\n{PLACEHOLDER_INTRO}\n", encoding="utf-8")
    assert rebuilt({theme}) == [f"content/themes/2025.md:4: warning: {PLACEHOLDER_MESSAGE}"]
    theme.write_text("---\nword: courage\n---\nBrave.\n", encoding="utf-8")
    assert rebuilt({theme}) == []
    post = root / "content/posts/2025/p0.md"
    post.write_text(post_text("2025-01-01", "Other words.\n", title="Post 0"), encoding="utf-8")
    assert rebuilt({post}) == []
    theme.unlink()
    assert rebuilt({theme}) == [HINT_2025]
    post.unlink()
    assert rebuilt({post}) == [HINT_2025.replace("4 posts", "3 posts")]
    other = root / "content/themes/2024.md"
    other.unlink()  # no theme at all: a journal without the words
    assert rebuilt({other}) == []


# ---------------------------------------------------------------- journal new


def test_new_refuses_the_title_of_a_draft_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = post_text("2025-01-05", title="Post everyday", draft="true")
    root = make_journal(tmp_path, {"content/posts/2025/post-everyday.md": draft})
    code, out, err = run(
        capsys, "new", "post  EVERYDAY!", "--root", str(root), "--date", "2025-02-01"
    )
    assert (code, out) == (1, "")
    assert err == (
        "error: a draft with this title exists: content/posts/2025/post-everyday.md "
        "(draft: true); edit it, or give the new post another title\n"
    )
    assert sorted(p.name for p in (root / "content/posts/2025").iterdir()) == ["post-everyday.md"]


def test_new_next_refuses_a_promise_whose_draft_is_started(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/2024/a.md": post_text("2024-01-01", "A.\n\nNext: Walking\n", title="A"),
            "content/posts/2024/walk.md": post_text("2024-02-01", title="Walking", draft="yes"),
        },
    )
    code, _, err = run(capsys, "new", "--next", "--root", str(root), "--date", "2024-03-01")
    assert code == 1
    assert err.startswith("error: a draft with this title exists: content/posts/2024/walk.md")


def test_new_refuses_the_title_of_a_scheduled_post(tmp_path: Path) -> None:
    later = post_text("2025-09-01T08:00:00", title="Autumn")
    root = make_journal(tmp_path, {"content/posts/2025/autumn.md": later})
    now = datetime(2025, 6, 1, tzinfo=UTC)
    with pytest.raises(ScaffoldError) as refused:
        new_post(root, "Autumn", now.date(), now=now)
    assert str(refused.value) == (
        "a post with this title is scheduled for 2025-09-01: content/posts/2025/autumn.md "
        "(date: 2025-09-01); edit it, or give the new post another title"
    )
    # Once its day has come, it is a published post of that title.
    with pytest.raises(ScaffoldError) as refused:
        new_post(root, "Autumn", now.date(), now=datetime(2025, 10, 1, tzinfo=UTC))
    assert str(refused.value).startswith(
        'content/posts/2025/autumn.md already has the title "Autumn": a second post with it '
        'would make "Next: Autumn" ambiguous; edit it, or give the new post another title'
    )
    assert [p.name for p in (root / "content/posts/2025").iterdir()] == ["autumn.md"]

"""The `journal` command end to end, on tiny journals in tmp_path."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_journal, one, parse_html, post_text, text_of, tree_digest

import generator
from generator.cli import main

PROBLEM_LINE = re.compile(r"^[^:\s][^:]*:\d+: (error|warning): \S.*$")
SUMMARY = re.compile(
    r"^Built (\d+) posts? into (.+): (\d+) files? written, (\d+) unchanged(, \d+ removed)?, "
    r"(\d+) warnings?, \d+\.\d\d s$"
)
ESSAY = post_text(
    "2024-06-10",
    "A partnership is not a deal.\n\nNext: Post everyday\n",
    title="Partnership",
    tags="[partnership]",
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def essay_journal(tmp_path: Path) -> Path:
    return make_journal(
        tmp_path,
        {
            "content/posts/2024/partnership.md": ESSAY,
            "content/themes/2024.md": "---\nword: partnership\n---\n",
        },
    )


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("build", "check", "new", "init"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: journal {command}" in capsys.readouterr().out


def test_init_then_build_with_the_built_in_theme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "fresh"
    code, out, _ = run(capsys, "init", str(folder), "--word", "courage", "--year", "2024")
    assert code == 0
    assert f"Created {folder / 'journal.toml'}" in out
    assert not (folder / "templates").exists()
    code, out, err = run(capsys, "build", "--root", str(folder))
    assert code == 0, err
    assert "content/themes/2024.md:4: warning: the intro is still the placeholder" in err
    assert SUMMARY.match(out.splitlines()[0]), out
    year = parse_html((folder / "output/2024/index.html").read_bytes())
    assert text_of(one(year, "span", "theme-word")) == "courage"
    assert (folder / "output/index.html").is_file()
    code, _, err = run(capsys, "init", str(folder))
    assert code == 1
    assert "already has a journal" in err


def test_build_prints_the_summary_and_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = essay_journal(tmp_path)
    code, out, err = run(capsys, "build", "--root", str(root))
    assert code == 0
    assert err == ""  # a promise still to write is no warning: one line says how many
    pending, summary, preview = out.splitlines()
    assert pending == "1 promised post still to write: run `journal promises`"
    match = SUMMARY.match(summary)
    assert match, out
    assert match.group(1) == "1" and match.group(2) == "output/" and match.group(6) == "0"
    assert int(match.group(3)) > 10 and match.group(4) == "0"
    assert preview.startswith("Preview it: journal serve --root ")
    code, out, _ = run(capsys, "build", "--root", str(root))
    match = SUMMARY.match(out.splitlines()[1])
    assert code == 0 and match and match.group(3) == "0" and int(match.group(4)) > 10


def test_build_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/d.md": post_text("2024-01-01", title="Draft", draft="true"),
            "content/posts/f.md": post_text("2999-01-01", title="Future"),
        },
    )
    out_dir = tmp_path / "site"
    code, out, _ = run(capsys, "build", "--root", str(root), "-o", str(out_dir))
    assert code == 0 and out.startswith("Built 0 posts into ")
    code, out, _ = run(
        capsys,
        "build",
        "--root",
        str(root),
        "--output",
        str(out_dir),
        "--drafts",
        "--future",
        "--base-url",
        "https://example.net/sub/",
    )
    assert code == 0 and out.startswith("Built 2 posts into ")
    home = (out_dir / "2999/f/index.html").read_text(encoding="utf-8")
    assert 'href="/sub/assets/style.css"' in home
    assert '<link rel="canonical" href="https://example.net/sub/2999/f/">' in home
    code, _, err = run(capsys, "build", "--root", str(root), "--base-url", "nowhere")
    assert code == 1
    assert "--base-url:1: error: --base-url must be an absolute http(s) URL" in err


def test_check_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = essay_journal(tmp_path)
    before = tree_digest(tmp_path)
    code, out, err = run(capsys, "check", "--root", str(root))
    assert code == 0
    assert err == ""
    assert out.splitlines() == [
        "1 promised post still to write: run `journal promises`",
        "Checked 1 post: 0 errors, 0 warnings",
    ]
    assert tree_digest(tmp_path) == before
    assert not (root / "output").exists()
    (root / "content/posts/bad.md").write_text("---\ndate: soon\n---\n", encoding="utf-8")
    before = tree_digest(tmp_path)
    code, _, err = run(capsys, "check", "--root", str(root))
    assert code == 1
    assert 'content/posts/bad.md:2: error: `date` "soon" is not a date' in err
    assert tree_digest(tmp_path) == before


def test_new_keeps_a_promise_and_the_build_links_both_ways(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = essay_journal(tmp_path)
    assert run(capsys, "build", "--root", str(root))[0] == 0
    essay = parse_html((root / "output/2024/partnership/index.html").read_bytes())
    assert text_of(one(essay, "span", "chain-next chain-pending")) == "Post everyday"

    code, out, err = run(
        capsys,
        "new",
        "Post everyday",
        "--root",
        str(root),
        "--date",
        "2024-07-01",
        "--tags",
        "a, b",
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Created content/posts/2024/post-everyday.md",
        'It keeps the promise made in content/posts/2024/partnership.md ("Next: Post everyday").',
    ]
    created = root / "content/posts/2024/post-everyday.md"
    text = created.read_text(encoding="utf-8")
    assert "title: Post everyday" in text and "date: 2024-07-01" in text

    created.write_text(text + "Written at last.\n", encoding="utf-8")
    code, out, err = run(
        capsys, "new", "Post everyday", "--root", str(root), "--date", "2024-07-01"
    )
    assert code == 1
    assert "already has the title" in err
    assert created.read_text(encoding="utf-8") == text + "Written at last.\n"

    code, out, err = run(capsys, "build", "--root", str(root))
    assert (code, err) == (0, "")
    essay = parse_html((root / "output/2024/partnership/index.html").read_bytes())
    forward = one(essay, "a", "chain-next", rel="next")
    assert (forward.get("href"), text_of(forward)) == ("/2024/post-everyday/", "Post everyday")
    new = parse_html((root / "output/2024/post-everyday/index.html").read_bytes())
    back = one(new, "a", "chain-prev", rel="prev")
    assert (back.get("href"), text_of(back)) == ("/2024/partnership/", "Partnership")


def test_new_without_a_promise_says_nothing_more(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = essay_journal(tmp_path)
    code, out, _ = run(capsys, "new", "Something else", "--root", str(root), "--date", "2025-01-02")
    assert code == 0
    assert out.splitlines() == ["Created content/posts/2025/something-else.md"]
    with pytest.raises(SystemExit) as exit_info:
        main(["new", "x", "--root", str(root), "--date", "2025-02-30"])
    assert exit_info.value.code == 2
    assert "is not a date like 2024-06-10" in capsys.readouterr().err


BROKEN = {
    "content/posts/good.md": post_text("2024-05-01", "Fine.\n", title="Good", slug="same"),
    "content/posts/bad-yaml.md": "---\ntitle: Bad\ntags: [a, b\n---\nText.\n",
    "content/posts/no-date.md": "---\ntitle: Undated\n---\nText.\n",
    "content/posts/impossible.md": "---\ntitle: Leap\ndate: 2023-02-29\n---\nText.\n",
    "content/posts/same.md": post_text("2024-08-01", "Also fine.\n", title="Same"),
}


def test_a_broken_journal_reports_everything_and_keeps_the_previous_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {"content/posts/good.md": BROKEN["content/posts/good.md"]})
    assert run(capsys, "build", "--root", str(root))[0] == 0
    before = tree_digest(root / "output")
    assert "index.html" in before and ".journal-manifest.json" in before
    make_journal(tmp_path, BROKEN)

    code, out, err = run(capsys, "build", "--root", str(root))
    assert code == 1
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert all(PROBLEM_LINE.match(line) for line in lines), lines
    assert [line.split(": error: ")[0] for line in lines] == [
        "content/posts/bad-yaml.md:3",
        "content/posts/impossible.md:3",
        "content/posts/no-date.md:1",
        "content/posts/same.md:2",  # its `date:`, which with its name makes the URL taken
    ]
    assert "front matter is not valid YAML" in lines[0]
    assert 'impossible date "2023-02-29"' in lines[1]
    assert "no date" in lines[2]
    assert "/2024/same/ is also used by content/posts/good.md" in lines[3]
    assert out.strip() == "Build failed: 4 errors, 0 warnings; output/ left as it was"
    assert tree_digest(root / "output") == before

    code, _, check_err = run(capsys, "check", "--root", str(root))
    assert code == 1 and check_err == err


def test_no_settings_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "build", "--root", str(tmp_path))
    assert code == 1
    assert err.startswith("journal.toml:1: error: no journal.toml in ")
    assert "Traceback" not in out + err
    assert list(tmp_path.iterdir()) == []


def test_python_dash_m_generator(tmp_path: Path) -> None:
    root = essay_journal(tmp_path)
    package_parent = str(Path(generator.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": package_parent, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert SUMMARY.match(done.stdout.splitlines()[1]), done.stdout
    assert done.stdout.startswith("1 promised post still to write")
    assert (root / "output/2024/partnership/index.html").is_file()


def test_bad_settings_do_not_hide_the_posts_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(
        tmp_path,
        {"content/posts/a.md": "---\ndate: soon\n---\n"},
        config='base_url = "https://example.org/"\ntimezone = "Mars/Olympus"\n',
    )
    code, _, err = run(capsys, "build", "--root", str(root))
    assert code == 1
    assert [line.split(": error: ")[0] for line in err.splitlines()] == [
        "content/posts/a.md:2",
        "journal.toml:2",
    ]
    assert not (root / "output").exists()


# ---------------------------------------------------------------- bad arguments, said plainly


def test_build_into_a_folder_that_cannot_be_made_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = essay_journal(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    code, _, err = run(capsys, "build", "--root", str(root), "-o", str(blocker / "out"))
    assert code == 1
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(f"error: cannot write {blocker}")


def test_init_refuses_a_file_and_a_folder_it_cannot_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "passwd"
    file.write_text("root:x:0:0\n")
    code, _, err = run(capsys, "init", str(file))
    assert (code, err) == (1, f"error: {file} is a file, not a folder: choose another place\n")
    assert file.read_text() == "root:x:0:0\n"
    code, _, err = run(capsys, "init", str(file / "journal"))
    assert code == 1 and err.startswith("error: cannot create the journal in ")
    assert "Traceback" not in err
    code, _, err = run(capsys, "init", str(tmp_path / "j"), "--year", "99999")
    assert code == 1 and "--year must be from" in err


@pytest.mark.parametrize("word", ["yes", "2024", "#hope", "no: really", "“quoted”"])
def test_init_keeps_any_word_as_text(
    word: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "j"
    title = 'Ann\'s "journal"\nsecond line \\ back'
    assert (
        run(capsys, "init", str(folder), "--word", word, "--title", title, "--year", "2024")[0] == 0
    )
    code, _, err = run(capsys, "build", "--root", str(folder))
    assert code == 0, err
    year = parse_html((folder / "output/2024/index.html").read_bytes())
    assert text_of(one(year, "span", "theme-word")) == word
    home = parse_html((folder / "output/index.html").read_bytes())
    assert text_of(one(home, "a", "site-title")) == title


def test_new_outside_a_journal_says_to_run_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "new", "Hello", "--root", str(tmp_path))
    assert code == 1
    assert err.startswith(f"error: no journal.toml in {tmp_path}: run `journal init {tmp_path}`")
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_a_title_or_url_another_post_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = essay_journal(tmp_path)
    (root / "content/posts/2024/walk.md").write_text(
        post_text("2024-03-01", title="A walk", slug="walking", draft="true")
    )
    code, _, err = run(capsys, "new", "partnership!", "--root", str(root), "--date", "2024-08-01")
    assert code == 1
    assert 'content/posts/2024/partnership.md already has the title "Partnership"' in err
    code, _, err = run(capsys, "new", "Walking", "--root", str(root), "--date", "2024-08-01")
    assert (code, err) == (
        1,
        "error: /2024/walking/ is already the URL of content/posts/2024/walk.md: "
        "choose another title\n",
    )
    # another year, another URL: fine
    code, out, _ = run(capsys, "new", "Walking", "--root", str(root), "--date", "2025-08-01")
    assert (code, out) == (0, "Created content/posts/2025/walking.md\n")


def test_new_says_when_the_year_folder_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = essay_journal(tmp_path)
    (root / "content/posts/2025").write_text("oops\n")
    code, _, err = run(capsys, "new", "Later", "--root", str(root), "--date", "2025-01-01")
    assert code == 1
    assert err == (
        "error: content/posts/2025 is a file, not a folder: move it away or rename it, "
        "then try again\n"
    )


def test_new_with_a_very_long_title_makes_a_short_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = essay_journal(tmp_path)
    title = " ".join(["Everything I meant to say"] * 16)  # 80 words
    code, out, err = run(capsys, "new", title, "--root", str(root), "--date", "2024-08-01")
    assert code == 0, err
    (created,) = (root / "content/posts/2024").glob("everything-*.md")
    assert len(created.stem) <= 80 and out == f"Created content/posts/2024/{created.name}\n"
    assert run(capsys, "build", "--root", str(root))[0] == 0


def test_new_with_an_emoji_title_keeps_only_the_promise_of_that_emoji(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/2024/a.md": post_text("2024-01-01", "A.\n\nNext: 🎉\n", title="A"),
            "content/posts/2024/b.md": post_text("2024-01-02", "B.\n\nNext: 🚀\n", title="B"),
        },
    )
    code, out, err = run(capsys, "new", "🎉", "--root", str(root), "--date", "2024-02-01")
    assert code == 0, err
    assert out.splitlines()[1:] == [
        'It keeps the promise made in content/posts/2024/a.md ("Next: 🎉").'
    ]


def test_build_in_the_journal_folder_with_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a writer runs it: `journal build` in the journal folder, no --root, a fresh clone
    without output/ yet; and a relative -o."""
    root = make_journal(tmp_path, {"content/posts/2024/a.md": post_text("2024-06-10", title="A")})
    monkeypatch.chdir(root)
    assert main(["build"]) == 0
    assert (root / "output" / "2024" / "a" / "index.html").is_file()
    assert main(["build", "-o", "elsewhere/site"]) == 0
    assert (root / "elsewhere" / "site" / "index.html").is_file()


def test_the_command_line_loads_only_what_a_build_needs() -> None:
    """`journal build` starts without the preview server, the importers or the book maker:
    each command's module is loaded by its own handler."""
    script = (
        "import sys, generator.cli\n"
        "heavy = ('generator.serve.preview', 'generator.commands.import_blog', "
        "'generator.commands.book', 'watchdog')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


def test_the_import_command_offers_every_reader() -> None:
    from generator.commands.import_blog import READERS
    from generator.importing import KINDS

    assert tuple(sorted(READERS)) == KINDS

"""The docs: README.md, CONTRIBUTING.md and the manual in docs/.

- Every relative link leads to a file of the repository, and a #fragment to a heading of the
  Markdown file it names (GitHub's anchors).
- Every page's ```sh blocks run, in order, as one script in an empty home folder of its own,
  with the project's `journal` first on PATH: the quick start a new user follows is run step
  by step. The convention (what runs, what is skipped, `<!-- run: -->`, `journal serve`) is
  in tests/markdown_docs.py and CONTRIBUTING.md.
- The README stays a writer's first hour: short, one way to call `journal`, no path of this
  machine, and the test command CI runs.
- The manual names every command, flag and setting there is.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from markdown_docs import anchors, broken_links, github_anchor, links, script, steps

REPOSITORY = Path(__file__).resolve().parent.parent
README = REPOSITORY / "README.md"
CONTRIBUTING = REPOSITORY / "CONTRIBUTING.md"
DOCS = REPOSITORY / "docs"
PROBE = Path(__file__).resolve().parent / "docs_serve_probe.py"
MANUAL = (
    "writing.md",
    "import.md",
    "themes.md",
    "promises.md",
    "preview.md",
    "book.md",
    "deploy.md",
    "settings.md",
    "templates.md",
    "commands.md",
    "speed.md",
    "reliability.md",
)
# A guard against a hang, never a measure of speed.
GUARD_SECONDS = 900


def pages() -> list[Path]:
    return [README, CONTRIBUTING, *sorted(DOCS.glob("*.md"))]


def page_id(page: Path) -> str:
    return page.relative_to(REPOSITORY).as_posix()


def run_page(page: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """The page's steps as one bash script, run in `home` (an empty folder, also $HOME)."""
    text = page.read_text(encoding="utf-8")
    scripts = sysconfig.get_path("scripts")
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": scripts + os.pathsep + os.environ.get("PATH", ""),
        "NO_COLOR": "1",
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.run(
        ["bash", "-c", script(page.name, text, sys.executable, PROBE)],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=GUARD_SECONDS,
        check=False,
    )


# ---------------------------------------------------------------- links


@pytest.mark.parametrize("page", pages(), ids=page_id)
def test_every_relative_link_resolves(page: Path) -> None:
    assert list(broken_links(page, REPOSITORY)) == []


def test_the_manual_is_there_and_each_page_links_back_to_the_readme() -> None:
    for name in MANUAL:
        text = (DOCS / name).read_text(encoding="utf-8")
        assert "](../README.md" in text, f"docs/{name} has no link back to the README"
        first = [line for line in text.splitlines() if line.strip()][:2]
        assert first[0].startswith("# "), f"docs/{name} starts with its title"
        assert not first[1].startswith("#"), f"docs/{name}: a line of purpose under the title"
    readme_targets = {link.target.partition("#")[0] for link in links(README.read_text())}
    missing = [name for name in MANUAL if f"docs/{name}" not in readme_targets]
    assert missing == [], "the README's contents list misses these pages"
    assert "CONTRIBUTING.md" in readme_targets


def test_a_broken_link_or_anchor_is_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other page\n\n## A `code` heading: yes!\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[fine](other.md#a-code-heading-yes) [here](#page)\n"
        "[gone](missing.md) [no anchor](other.md#nowhere) [out](../../x.md)\n"
        "`[in code](missing.md)`\n\n```text\n[in a block](missing.md)\n```\n"
    )
    problems = list(broken_links(page, tmp_path))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "missing.md: no such file in the repository",
        "other.md#nowhere: no heading #nowhere there",
        "../../x.md leads out of the repository",
    ]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ('"Next:" promises', "next-promises"),
        ("Preview while you write: `journal serve`", "preview-while-you-write-journal-serve"),
        ("journal.toml", "journaltoml"),
        ("Links in [posts](x.md) and *more*", "links-in-posts-and-more"),
        ("Déjà vu_2 -- C++", "déjà-vu_2----c"),
    ],
)
def test_anchors_follow_github(heading: str, anchor: str) -> None:
    assert github_anchor(heading) == anchor


def test_a_repeated_heading_gets_a_number() -> None:
    assert anchors("# A\n## B\n## B\n## B\n") == {"a", "b", "b-1", "b-2"}


# ---------------------------------------------------------------- commands


@pytest.mark.parametrize(
    "page", [p for p in pages() if steps(p.read_text(encoding="utf-8"))], ids=page_id
)
def test_the_pages_commands_run(page: Path, tmp_path: Path) -> None:
    result = run_page(page, tmp_path)
    assert result.returncode == 0, f"{page_id(page)}:\n{result.stdout}\n{result.stderr}"


def test_the_readme_runs_the_quick_start_step_by_step() -> None:
    ran = "\n".join(step.text for step in steps(README.read_text(encoding="utf-8")))
    for command in ("journal init", "journal new", "journal build", "journal check"):
        assert command in ran
    for command in ("journal promises", "journal serve", "journal deploy --to ~/"):
        assert command in ran


def test_a_failing_command_fails_the_page_and_only_sh_blocks_run(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n```sh\npython3 -m venv .venv\n. .venv/bin/activate\npip install -e .\n"
        "journal init ~/j --word hope\ncd ~/j\n```\n\n"
        "```console\n$ journal no-such-command\n```\n\n"
        "<!-- run: echo hidden > hidden.txt -->\n\n"
        "```sh\njournal build --no-such-flag\n```\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    result = run_page(page, home)
    assert result.returncode != 0
    assert "--no-such-flag" in result.stderr
    assert "no-such-command" not in result.stderr
    assert (home / "j" / "hidden.txt").read_text() == "hidden\n"
    assert ": skipped, the project is installed: 'pip install -e .'" in result.stderr


def test_serve_runs_until_it_answers(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```sh\njournal init ~/j\ncd ~/j\njournal serve --port 8000\n```\n")
    home = tmp_path / "home"
    home.mkdir()
    result = run_page(page, home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"http://127\.0\.0\.1:\d+/ answered 200", result.stdout)


# ---------------------------------------------------------------- the README


def test_the_readme_is_a_writers_first_hour() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert "docs/images/home.png" in text.split("## ", 1)[0], "a screenshot on the first screen"
    assert ".venv/bin/journal" not in text, "one way to call journal: a bare `journal`"
    assert "output/index.html" not in text, "pages opened from disk lose their links"


@pytest.mark.parametrize("page", pages(), ids=page_id)
def test_no_placeholder_or_path_of_this_machine(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for word in ("/tmp/", "OWNER", "DESIGN.md"):
        assert word not in text, f"{page_id(page)} mentions {word}"


def test_the_readme_gives_the_test_command_ci_runs() -> None:
    readme = README.read_text(encoding="utf-8")
    ci = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]'" in readme and "python -m pytest" in readme
    assert "pip install -q -e '.[test]'" in ci and ".venv/bin/python -m pytest" in ci


# ---------------------------------------------------------------- the reference pages


def subcommands() -> dict[str, argparse.ArgumentParser]:
    from generator.cli import make_parser  # here, so that the other docs tests need no CLI

    for action in make_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("journal has no commands")


def mentions(text: str, flag: str) -> bool:
    """Whether `flag` stands in the text as itself (`-o`, not the end of `--to`)."""
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


def test_every_command_and_flag_is_in_the_commands_page() -> None:
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    missing = []
    for name, parser in subcommands().items():
        if f"journal {name}" not in text:
            missing.append(f"journal {name}")
        for action in parser._actions:
            missing += [
                f"journal {name} {flag}"
                for flag in action.option_strings
                if flag not in ("-h", "--help") and not mentions(text, flag)
            ]
    assert missing == []


def test_every_setting_is_in_the_settings_page() -> None:
    from generator.core.config import Config

    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Config) if f"`{f.name}`" not in text]
    assert missing == []

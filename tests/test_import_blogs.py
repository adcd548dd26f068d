"""Real blogs imported and built end to end (tests/data/import/, each with its README and
licence): every post present with its title and its author's day, every old URL answered
by a redirect page that the link checker follows, every construct of the old generator
either converted or reported at its line, and the same files on a second run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import OPTIONS, make_journal, tree_digest

from generator.commands.import_blog import run_import
from generator.pipeline.aliases import alias_of
from generator.pipeline.build import Request, build
from generator.pipeline.leftovers import leftovers

DATA = Path(__file__).parent / "data" / "import"

# blog folder, kind, {post file: (title, day)}, (constructs converted, constructs reported)
BLOGS = {
    "brew.sh": (
        "jekyll",
        {
            "content/posts/2016/homebrew-1-0-0.md": ("1.0.0", "2016-09-21"),
            "content/posts/2020/homebrew-tap-with-bottles-uploaded-to-github-releases.md": (
                "Homebrew tap with bottles uploaded to GitHub Releases",
                "2020-11-18",
            ),
            "content/posts/2022/homebrew-security-audit.md": ("Security Audit", "2022-05-17"),
            "content/posts/2022/homebrew-3-6-0.md": ("3.6.0", "2022-09-07"),
            "content/posts/2022/homebrew-maintainer-projects-update.md": (
                "Maintainer Projects",
                "2022-09-15",
            ),
        },
    ),
    "hugoBasicExample": (
        "hugo",
        {
            "content/posts/2019/emoji-support.md": ("Emoji Support", "2019-03-05"),
            "content/posts/2019/markdown-syntax.md": ("Markdown Syntax Guide", "2019-03-11"),
            "content/posts/2019/math-typesetting.md": ("Math Typesetting", "2019-03-08"),
            "content/posts/2019/placeholder-text.md": ("Placeholder Text", "2019-03-09"),
            "content/posts/2019/rich-content.md": ("Rich Content", "2019-03-10"),
        },
    ),
    "jessfraz-blog": (
        "hugo",
        {
            "content/posts/2014/linux-on-mac.md": (
                "Linux or Death (aka How to install Linux on a Mac)",
                "2014-11-27",
            ),
            "content/posts/2019/defining-a-distinguished-engineer.md": (
                "Defining a Distinguished Engineer",
                "2019-03-21",
            ),
            "content/posts/2019/books.md": ("Books I Recommend", "2019-02-25"),
            "content/posts/2017/containers-zones-jails-vms.md": (
                "Setting the Record Straight: containers vs. Zones vs. Jails vs. VMs",
                "2017-03-28",
            ),
        },
    ),
    "fullstackpython.com": (
        "pelican",
        {
            "content/posts/2016/full-stack-python-blog.md": (
                "The Full Stack Python Blog",
                "2016-05-08",
            ),
            "content/posts/2016/python-entrepreneurs.md": (
                "Python for Entrepreneurs",
                "2016-07-30",
            ),
            "content/posts/2017/gitpython-git-tutorials.md": (
                "GitPython and New Git Tutorials",
                "2017-12-11",
            ),
            "content/posts/2019/python-basic-data-types-booleans.md": (
                "Basic Data Types in Python 3: Booleans",
                "2019-11-15",
            ),
        },
    ),
}


def _front(text: str) -> dict[str, str]:
    front = text.split("\n---\n", 1)[0]
    return dict(re.findall(r"^(title|date): '?(.*?)'?$", front, re.M))


def _aliases(text: str) -> list[str]:
    front = text.split("\n---\n", 1)[0]
    block = re.search(r"^aliases:\n((?:- .*\n?)+)", front + "\n", re.M)
    return [] if block is None else [line[2:].strip() for line in block.group(1).splitlines()]


@pytest.mark.parametrize("name", sorted(BLOGS))
def test_a_real_blog_moves_in_whole(tmp_path: Path, name: str) -> None:
    kind, posts = BLOGS[name]
    source = DATA / name
    before = tree_digest(source)
    root = make_journal(tmp_path, {})
    assert run_import(root, kind, source) == 0
    assert tree_digest(source) == before, "the source is only read"
    written = sorted(p.relative_to(root).as_posix() for p in (root / "content/posts").rglob("*.md"))
    assert written == sorted(posts)
    report = (root / "import-report.txt").read_text(encoding="utf-8")
    for key, (title, day) in posts.items():
        text = (root / key).read_text(encoding="utf-8")
        front = _front(text)
        assert front["title"].replace("''", "'") == title, key
        assert front["date"].startswith(day), key
        body = text.split("\n---\n", 1)[1]
        left = len(leftovers(body))
        reported = sum(
            1
            for line in report.splitlines()
            if line.startswith(f"{key}:") and " is not converted: " in line
        )
        assert reported == left, f"{key}: every construct left is reported"

    first = tree_digest(root)
    assert run_import(root, kind, source) == 0
    assert tree_digest(root) == first, "a second run writes the same files"

    output = tmp_path / "site"
    built = build(Request(root, output, OPTIONS))
    assert built.ok, [str(p) for p in built.problems if p.level == "error"]
    result = build(Request(root, tmp_path / "checked", OPTIONS, check_links=True), write=False)
    answered = 0
    for key in posts:
        text = (root / key).read_text(encoding="utf-8")
        url = "/" + key.removeprefix("content/posts/").removesuffix(".md") + "/"
        assert (output / url.strip("/") / "index.html").is_file(), key
        for alias in _aliases(text):
            made = alias_of(alias, 1)
            assert not isinstance(made, str), alias
            page = (output / made.path).read_text(encoding="utf-8")
            assert f'content="0; url={url}"' in page and f'<a href="{url}">' in page
            answered += 1
    assert answered > 0
    shown = {
        "/",
        *("/" + k.removeprefix("content/posts/").removesuffix(".md") + "/" for k in posts),
    }
    for problem in (p for p in result.problems if p.level == "error"):
        # Only links of the posts to pages of the old site that the trimmed copy left out
        # (and brew.sh's PDF, which the report names): none on a redirect page.
        found = re.match(r"broken link (\S+) on (\S+): ", problem.message)
        assert found is not None, str(problem)
        assert found.group(2) in shown, str(problem)
        assert found.group(1).endswith((".html", ".pdf")), str(problem)

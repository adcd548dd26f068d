"""A watch session: after any edit, its output is byte-identical to a clean build.

A seeded random walk edits a small journal (bodies, titles, dates, tags, promises kept and
broken, posts added, moved and deleted, themes, a template override, journal.toml, static
files, whole folders, a broken file and its fix, a template of its own that includes
another, the journal's own assets). After each edit one long-lived session
rebuilds with the changed paths, and its output folder is compared file by file with a
clean build of the same files into a folder of its own.
"""

from __future__ import annotations

import gc
import os
import random
import re
import shutil
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import OPTIONS, make_journal, post_text, tree_digest

from generator.core.config import BuildOptions, Config
from generator.incremental.kept_views import KeptViews
from generator.incremental.session import WatchSession
from generator.incremental.template_reads import ReadingEnvironment
from generator.pipeline.build import BuildResult, Request, build
from generator.pipeline.site import build_site
from generator.pipeline.theme import builtin_templates, environment_of
from generator.pipeline.views import Views
from generator.pipeline.write import MANIFEST
from generator.serve.preview import collector_paused

WORDS = [
    "courage",
    "habit",
    "river",
    "morning",
    "letter",
    "promise",
    "garden",
    "thread",
    "patience",
    "craft",
]
TAGS = ["writing", "Writing", "walks", "work", "café", "tools"]
YEARS = (2022, 2023, 2024, 2025)  # OPTIONS.now is 2025-06-01: some dates are in the future


def site_files(folder: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(folder).items() if k != MANIFEST}


class Journal:
    """A journal on disk and the random edits made to it; each edit returns what changed."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.serial = 0
        self.titles: list[str] = []
        self.pending: list[str] = []  # promised titles that no post has had yet

    # ------------------------------------------------------------ helpers

    def posts(self) -> list[Path]:
        return sorted((self.root / "content/posts").rglob("*.md"))

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def new_title(self) -> str:
        self.serial += 1
        title = f"{self.rng.choice(WORDS).title()} {self.rng.choice(WORDS)} {self.serial}"
        self.titles.append(title)
        return title

    def body(self) -> str:
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(5, 30)))
        extra = self.rng.choice(["", "\n\n## A part\n\n- one\n- two\n", "\n\n> quoted *words*\n"])
        return f"{words.capitalize()}.{extra}\n"

    def post_source(self, title: str | None = None, promise: str | None = None) -> str:
        title = title or self.new_title()
        year = self.rng.choice(YEARS)
        date = f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        tags = ", ".join(self.rng.sample(TAGS, self.rng.randint(0, 3)))
        body = self.body()
        if promise is None and self.rng.random() < 0.4 and self.titles:
            self.serial += 1
            self.pending.append(f"Coming {self.serial}")
            others = [t for t in self.titles if t != title]
            promise = self.rng.choice([*others, self.pending[-1]])
        if promise is not None:
            body += f"\nNext: {promise}\n"
        return post_text(date, body, title=f'"{title}"', tags=f"[{tags}]")

    def pick(self) -> Path:
        return self.rng.choice(self.posts())

    def replace_line(self, path: Path, start: str, new: str) -> None:
        lines = path.read_text(encoding="utf-8").split("\n")
        lines = [new if line.startswith(start) else line for line in lines]
        path.write_text("\n".join(lines), encoding="utf-8")

    def title_of(self, path: Path) -> str:
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.startswith("title: "):
                return line[len("title: ") :].strip('"')
        return ""

    # ------------------------------------------------------------ edits

    def add_post(self) -> set[Path]:
        title = self.new_title()
        slug = title.lower().replace(" ", "-")
        return {
            self.write(f"content/posts/{self.rng.choice(YEARS)}/{slug}.md", self.post_source(title))
        }

    def delete_post(self) -> set[Path]:
        path = self.pick()
        path.unlink()
        return {path}

    def move_post(self) -> set[Path]:
        path = self.pick()
        target = self.root / f"content/posts/moved/{path.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
        return {path, target}

    def edit_body(self) -> set[Path]:
        path = self.pick()
        text = path.read_text(encoding="utf-8")
        head, _, rest = text.partition("---\n")[2].partition("---\n")
        promise = "\n".join(line for line in rest.split("\n") if line.startswith("Next:"))
        path.write_text(f"---\n{head}---\n{self.body()}\n{promise}\n", encoding="utf-8")
        return {path}

    def change_title(self) -> set[Path]:
        path = self.pick()
        self.replace_line(path, "title: ", f'title: "{self.new_title()}"')
        return {path}

    def keep_a_promise(self) -> set[Path]:
        """Write the post a pending promise names (or make an old one take that title)."""
        if not self.pending:
            return self.add_post()
        target = self.pending.pop(self.rng.randrange(len(self.pending)))
        self.titles.append(target)
        if self.rng.random() < 0.5:
            return {
                self.write(f"content/posts/2024/kept-{self.serial}.md", self.post_source(target))
            }
        path = self.pick()
        self.replace_line(path, "title: ", f'title: "{target}"')
        return {path}

    def break_a_promise(self) -> set[Path]:
        """Rename a post that some promise names."""
        promised = set()
        for path in self.posts():
            for line in path.read_text(encoding="utf-8").split("\n"):
                if line.startswith("Next: "):
                    promised.add(line[len("Next: ") :])
        targets = [p for p in self.posts() if self.title_of(p) in promised]
        path = self.rng.choice(targets) if targets else self.pick()
        self.replace_line(path, "title: ", f'title: "{self.new_title()}"')
        return {path}

    def change_date(self) -> set[Path]:
        path = self.pick()
        year = self.rng.choice(YEARS)
        self.replace_line(path, "date: ", f"date: {year}-{self.rng.randint(1, 12):02d}-15")
        return {path}

    def change_tags(self) -> set[Path]:
        path = self.pick()
        tags = ", ".join(self.rng.sample(TAGS, self.rng.randint(0, 3)))
        self.replace_line(path, "tags: ", f"tags: [{tags}]")
        return {path}

    def make_draft(self) -> set[Path]:
        path = self.pick()
        self.replace_line(path, "tags: ", "draft: true\ntags: []")
        return {path}

    def edit_theme(self) -> set[Path]:
        year = self.rng.choice(YEARS)
        path = self.root / f"content/themes/{year}.md"
        if path.exists() and self.rng.random() < 0.3:
            path.unlink()
            return {path}
        word = self.rng.choice(WORDS)
        return {
            self.write(f"content/themes/{year}.md", f"---\nword: {word}\n---\nA {word} year.\n")
        }

    def edit_template(self) -> set[Path]:
        path = self.root / "templates/post.html"
        if path.exists() and self.rng.random() < 0.3:
            path.unlink()
            return {path}
        original = (builtin_templates() / "post.html").read_text(encoding="utf-8")
        return {self.write("templates/post.html", original + f"<!-- {self.serial} -->\n")}

    def edit_partial(self) -> set[Path]:
        """A template of the journal's own that includes another of its own, which reads the
        site's settings: an edit of the included file alone changes every page showing it."""
        self.serial += 1
        note = f'<p class="note">{{{{ site.title }}}}, note {self.serial}</p>\n'
        changed = {self.write("templates/_note.html", note)}
        page = (
            '{% extends "base.html" %}\n{% block main %}{% include "_note.html" %}{% endblock %}\n'
        )
        if not (self.root / "templates/404.html").exists():
            changed.add(self.write("templates/404.html", page))
        return changed

    def edit_asset(self) -> set[Path]:
        """The journal's own stylesheet, or an asset of its own beside the theme's."""
        self.serial += 1
        name = self.rng.choice(["style.css", "extra.css"])
        path = self.root / "templates/assets" / name
        if path.exists() and self.rng.random() < 0.3:
            path.unlink()
            return {path}
        return {self.write(f"templates/assets/{name}", f"/* {self.serial} */\n")}

    def edit_settings(self) -> set[Path]:
        title = f"Journal {self.rng.choice(WORDS)}"
        per_page = self.rng.choice([2, 3, 10])
        zone = self.rng.choice(["UTC", "UTC", "Pacific/Kiritimati", "America/Anchorage"])
        promises = self.rng.choice(["true", "false"])
        text = (
            f'title = "{title}"\nbase_url = "https://example.org/"\ntimezone = "{zone}"\n'
            f"posts_per_page = {per_page}\nshow_promises = {promises}\n"
            f"feed_full_posts = {self.rng.choice([1, 20])}\n"
            f'markdown = "{self.rng.choice(["python-markdown", "commonmark"])}"\n'
        )
        return {self.write("journal.toml", text)}

    def edit_static(self) -> set[Path]:
        path = self.root / "content/static/notes/hello.txt"
        if path.exists() and self.rng.random() < 0.3:
            path.unlink()
            return {path}
        return {self.write("content/static/notes/hello.txt", f"hello {self.serial}\n")}

    def delete_folder(self) -> set[Path]:
        folders = [p for p in (self.root / "content/posts").iterdir() if p.is_dir()]
        if len(folders) < 2:
            return self.add_post()
        folder = self.rng.choice(folders)
        shutil.rmtree(folder)
        return {folder}

    def break_and_fix(self) -> set[Path]:
        """Break a post's front matter (the build fails); the next edit of it fixes it."""
        path = self.pick()
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("tags: [", "tags: [[", 1), encoding="utf-8")
        return {path}

    def link_to_another(self) -> set[Path]:
        """Link a post to another by its source file (rewritten to the other's URL; an error
        once that file is gone)."""
        path, other = self.pick(), self.pick()
        relative = os.path.relpath(other, path.parent)
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        at = next((i for i, line in enumerate(lines) if line.startswith("Next:")), len(lines))
        lines.insert(at, f"See [that one]({relative}).\n")
        path.write_text("\n".join(lines), encoding="utf-8")
        return {path}

    def editor_noise(self) -> set[Path]:
        """A swap file appears: reported by nobody, it must change nothing."""
        return {self.write("content/posts/.draft.md.swp", "noise")}

    def edits(self) -> list[Callable[[], set[Path]]]:
        return [
            self.add_post,
            self.add_post,
            self.delete_post,
            self.move_post,
            self.edit_body,
            self.edit_body,
            self.change_title,
            self.keep_a_promise,
            self.break_a_promise,
            self.change_date,
            self.change_date,
            self.change_tags,
            self.make_draft,
            self.edit_theme,
            self.edit_template,
            self.edit_partial,
            self.edit_asset,
            self.edit_settings,
            self.edit_static,
            self.delete_folder,
            self.break_and_fix,
            self.link_to_another,
            self.editor_noise,
        ]


def clean_build(root: Path, output: Path) -> BuildResult:
    """What `journal build --no-cache` makes: a one-off build that remembers nothing."""
    return build(Request(root, output, OPTIONS, use_cache=False))


def start(
    tmp_path: Path, seed: int, own_output: bool = False
) -> tuple[Journal, WatchSession, Path]:
    """A journal of 12 random posts, built once by a watch-mode builder (`own_output`: as
    serve's, which does not look at the files it keeps)."""
    root = make_journal(tmp_path, {})
    journal = Journal(root, random.Random(seed))
    for _ in range(12):
        journal.add_post()
    journal.edit_theme()
    journal.edit_static()
    output = tmp_path / "watched"
    builder = WatchSession(Request(root, output, OPTIONS), own_output=own_output)
    assert builder.build().ok
    return journal, builder, output


@pytest.mark.parametrize(("seed", "own_output"), [(1, False), (2, True), (3, False)])
def test_random_edits_give_the_same_site_as_a_clean_build(
    tmp_path: Path, seed: int, own_output: bool
) -> None:
    journal, builder, output = start(tmp_path, seed, own_output)
    edits = journal.edits()
    failed = 0
    for step in range(20):
        edit = journal.rng.choice(edits)
        changed = edit()
        result = builder.build(changed=changed)
        where = f"step {step}: {edit.__name__} {sorted(str(p) for p in changed)}"
        failed += not compare(result, journal.root, output, tmp_path / "clean", where)
        if edit == journal.break_and_fix:  # and fix it at once
            path = next(iter(changed))
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("[[", "["), encoding="utf-8")
            compare(builder.build(changed={path}), journal.root, output, tmp_path / "clean", where)
    assert failed < 15, "most steps must build, or the comparison proves little"


def test_every_kind_of_edit_gives_the_same_site_as_a_clean_build(tmp_path: Path) -> None:
    """Each edit of the random walk at least twice, in turn, so that none is left to chance."""
    journal, builder, output = start(tmp_path, 4)
    for round_ in range(2):
        for edit in journal.edits():
            changed = edit()
            where = f"round {round_}: {edit.__name__} {sorted(str(p) for p in changed)}"
            compare(builder.build(changed=changed), journal.root, output, tmp_path / "clean", where)
            if edit == journal.break_and_fix:
                path = next(iter(changed))
                text = path.read_text(encoding="utf-8")
                path.write_text(text.replace("[[", "["), encoding="utf-8")
                result = builder.build(changed={path})
                compare(result, journal.root, output, tmp_path / "clean", where)
                broken = path.relative_to(journal.root).as_posix()
                assert not [p for p in result.problems if p.path == broken and p.level == "error"]


def compare(result: BuildResult, root: Path, output: Path, clean: Path, where: str) -> bool:
    """Compare a watch-mode build with a clean one; True if they succeeded."""
    expected = clean_build(root, clean)
    assert result.problems == expected.problems, where
    if not expected.ok:
        assert result.written is None, where
        return False
    assert site_files(output) == site_files(clean), where
    shutil.rmtree(clean)
    return True


def test_a_template_edit_draws_again_only_the_pages_that_read_it(tmp_path: Path) -> None:
    """What each page read is recorded while it is drawn: the journal's own tag.html is read
    by the tag pages alone, and a file included by its own 404.html by that page alone."""
    journal, builder, output = start(tmp_path, 5)
    note = journal.write("templates/_note.html", "<p>first note</p>\n")
    journal.write(
        "templates/404.html",
        '{% extends "base.html" %}{% block main %}{% include "_note.html" %}{% endblock %}\n',
    )
    assert builder.build(changed={journal.root / "templates"}).ok
    tag_pages = sorted(p for p in site_files(output) if p.startswith("tags/") and p.count("/") == 2)
    assert len(tag_pages) >= 2
    original = (builtin_templates() / "tag.html").read_text(encoding="utf-8")
    mine = journal.write("templates/tag.html", original.replace("<h1>", "<h1>Mine: ", 1))
    result = builder.build(changed={mine})
    assert result.figures.pages_rendered == len(tag_pages)
    assert compare(result, journal.root, output, tmp_path / "clean", "tag.html")
    assert "Mine: " in (output / tag_pages[0]).read_text(encoding="utf-8")
    note.write_text("<p>second note</p>\n", encoding="utf-8")
    result = builder.build(changed={note})
    assert result.figures.pages_rendered == 1
    assert compare(result, journal.root, output, tmp_path / "clean", "_note.html")
    assert "second note" in (output / "404.html").read_text(encoding="utf-8")


def test_a_settings_edit_draws_again_only_the_pages_that_show_the_setting(
    tmp_path: Path,
) -> None:
    """Every page is planned again after a settings edit, and drawn again only if its
    context (which holds every setting it shows) changed: a new `posts_per_page` draws the
    home pages, nothing else."""
    journal, builder, output = start(tmp_path, 8)
    settings = journal.root / "journal.toml"
    text = settings.read_text(encoding="utf-8")
    assert "posts_per_page" not in text
    settings.write_text(text + "posts_per_page = 5\n", encoding="utf-8")
    result = builder.build(changed={settings})
    home = [p for p in site_files(output) if p == "index.html" or p.startswith("page/")]
    assert len(home) == 3  # (12 posts, 5 a page)
    assert result.figures.pages_rendered == len(home)
    assert compare(result, journal.root, output, tmp_path / "clean", "posts_per_page")
    retitled = text.replace('"Test journal"', '"Another title"')
    assert retitled != text
    settings.write_text(retitled + "posts_per_page = 5\n", encoding="utf-8")
    result = builder.build(changed={settings})
    assert result.written is not None
    html = {p for p in site_files(output) if p.endswith(".html")}
    assert html <= set(result.written.written)  # (not robots.txt, the sitemap...)
    assert result.figures.pages_kept > 0
    assert compare(result, journal.root, output, tmp_path / "clean", "title")


def test_a_new_language_gives_the_same_site_as_a_clean_build(tmp_path: Path) -> None:
    """`language` changes the dates and the theme's words of every page: the session's pages
    are then the clean build's: in German, with French dates (and English words: the theme
    has no French yet), and in English again."""
    journal, builder, output = start(tmp_path, 9)
    settings = journal.root / "journal.toml"
    text = settings.read_text(encoding="utf-8")
    for language, lang, word in (
        ("de", "de", "Archiv"),
        ("fr", "fr", "Archive"),
        ("en", "en", "Archive"),
    ):
        settings.write_text(f'{text}language = "{language}"\n', encoding="utf-8")
        result = builder.build(changed={settings})
        assert compare(result, journal.root, output, tmp_path / "clean", language)
        home = (output / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in home and f">{word}</a>" in home


def test_an_edit_rewrites_only_the_pages_that_show_it(tmp_path: Path) -> None:
    journal, builder, output = start(tmp_path, 7)
    before = {p: (output / p).stat().st_mtime_ns for p in site_files(output)}
    path = journal.pick()
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    result = builder.build(changed={path})
    assert result.ok and result.written is not None
    written = set(result.written.written)
    assert written, "the post's own page at least"
    assert "robots.txt" not in written and "assets/style.css" not in written
    for name, mtime in before.items():
        if name not in written:
            assert (output / name).stat().st_mtime_ns == mtime, name
    assert result.figures.files_read == 1
    assert result.figures.pages_rendered < len(before) / 2


def start_larger(
    tmp_path: Path, seed: int, own_output: bool = False
) -> tuple[Journal, WatchSession, Path]:
    """`start` with 40 posts: enough pages for a short plan to be told from a full one."""
    journal, builder, output = start(tmp_path, seed, own_output)
    for _ in range(28):
        journal.add_post()
    assert builder.build().ok
    return journal, builder, output


CONTENT_EDITS = ("edit_body", "change_title", "edit_body", "keep_a_promise", "editor_noise")


@pytest.mark.parametrize(("seed", "own_output"), [(4, False), (5, True)])
def test_content_edits_plan_only_the_pages_that_show_them(
    tmp_path: Path, seed: int, own_output: bool
) -> None:
    """Edits of a post's title or text leave the site's structure as it was: the build plans
    only the pages that show the post (and the few that show every post), and the site is
    still the one a clean build makes."""
    journal, builder, output = start_larger(tmp_path, seed, own_output)
    pages = len(site_files(output)) - sum(1 for p in site_files(output) if p.startswith("assets"))
    short = 0
    for step in range(12):
        edit = getattr(journal, journal.rng.choice(CONTENT_EDITS))
        changed = edit()
        result = builder.build(changed=changed)
        assert compare(result, journal.root, output, tmp_path / "clean", f"{step}: {edit}")
        planned = result.figures.pages_planned
        short += planned < pages / 3
        if edit.__name__ == "edit_body":
            assert planned < pages / 3, f"{step}: {planned} of {pages} pages planned"
    assert short >= 6


def test_a_kept_page_changed_on_disk_is_made_again(tmp_path: Path) -> None:
    """A short plan keeps the pages it does not make only if their files are still as the
    last build wrote them."""
    journal, builder, output = start_larger(tmp_path, 6)
    assert builder.build(changed={journal.root / "content/posts"}).ok
    edited = journal.edit_body()
    other = next(
        p for p in sorted(output.glob("20*/*/index.html")) if p.parent.name not in str(edited)
    )
    other.write_text("tampered", encoding="utf-8")
    result = builder.build(changed=edited)
    assert result.figures.pages_planned < 20
    assert compare(result, journal.root, output, tmp_path / "clean", "tampered")


def test_a_builder_that_owns_its_output_finds_a_page_changed_by_hand_afterwards(
    tmp_path: Path,
) -> None:
    """Serve's builder keeps the files a short plan does not make without looking at them;
    its audit then finds a file changed behind its back, and the next build, even with
    nothing changed, makes that file again."""
    journal, builder, output = start_larger(tmp_path, 6, own_output=True)
    assert builder.build(changed={journal.root / "content/posts"}).ok
    assert builder.audit() == []
    edited = journal.edit_body()
    other = next(
        p for p in sorted(output.glob("20*/*/index.html")) if p.parent.name not in str(edited)
    )
    other.write_text("tampered", encoding="utf-8")
    result = builder.build(changed=edited)
    assert result.ok and result.short_plan
    assert other.read_text(encoding="utf-8") == "tampered"  # kept without a look
    assert builder.audit() == [other.relative_to(output).as_posix()]
    result = builder.build(changed=frozenset())
    assert result.written is not None
    assert result.written.written == (other.relative_to(output).as_posix(),)
    assert compare(result, journal.root, output, tmp_path / "clean", "set right")
    assert builder.audit() == []


def test_a_builder_that_owns_its_output_looks_again_when_its_manifest_changed(
    tmp_path: Path,
) -> None:
    """A preview folder emptied by hand (its manifest gone) is made whole at the next save."""
    journal, builder, output = start_larger(tmp_path, 7, own_output=True)
    assert builder.build(changed={journal.root / "content/posts"}).ok
    shutil.rmtree(output)
    result = builder.build(changed=journal.edit_body())
    assert compare(result, journal.root, output, tmp_path / "clean", "emptied")


def test_a_new_title_reaches_every_page_that_names_the_post(tmp_path: Path) -> None:
    """A title shows on other posts' pages through their neighbours, "on this day" lists,
    threads and promises: after a short plan each of them is as a clean build makes it."""
    files = {
        "content/posts/a.md": post_text("2023-06-01", "Written first.\n", title="First"),
        "content/posts/x.md": post_text("2023-12-01", "Between.\n\nNext: Third\n", title="X"),
        "content/posts/b.md": post_text("2024-06-01", "A year on.\n\nNext: Nope\n", title="Second"),
        "content/posts/c.md": post_text("2024-08-01", "Later.\n", title="Third"),
    }
    files.update(
        {
            f"content/posts/filler-{n}.md": post_text(f"2022-0{1 + n % 8}-1{n % 9}", "Filler.\n")
            for n in range(12)
        }
    )
    root = make_journal(tmp_path, files)
    output = tmp_path / "watched"
    builder = WatchSession(Request(root, output, OPTIONS))
    assert builder.build().ok
    for path, old, new in (
        ("a.md", "title: First", "title: Renamed first"),
        ("b.md", "title: Second", "title: Renamed second"),
        ("c.md", "title: Third", "title: Renamed third"),
    ):
        source = root / "content/posts" / path
        source.write_text(source.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        result = builder.build(changed={source})
        assert compare(result, root, output, tmp_path / "clean", path)
    second = (output / "2024/b/index.html").read_text(encoding="utf-8")
    assert "Renamed first" in second  # on this day


def test_nothing_changed_nothing_rendered(tmp_path: Path) -> None:
    journal, builder, output = start(tmp_path, 8)
    result = builder.build(changed=set())
    assert result.ok and result.written is not None
    assert result.written.written == () and result.written.deleted == ()
    assert result.figures.pages_rendered == 0
    assert result.figures.files_read == 0
    del journal, output


def test_a_changed_path_outside_the_journal_is_ignored(tmp_path: Path) -> None:
    journal, builder, output = start(tmp_path, 9)
    result = builder.build(changed={tmp_path / "elsewhere.md"})
    assert result.ok and result.written is not None and result.written.written == ()
    del journal, output


def test_a_journal_read_through_a_symlink_is_read_again_in_full(tmp_path: Path) -> None:
    journal, builder, output = start(tmp_path, 10)
    real = journal.root / "content/elsewhere"
    real.mkdir()
    (journal.root / "content/posts/linked").symlink_to(real, target_is_directory=True)
    assert builder.build().ok
    # An edit seen only under the link target's own name still reaches the linked copy.
    changed = {journal.write("content/elsewhere/a.md", journal.post_source("Linked post"))}
    result = builder.build(changed=changed)
    clean = clean_build(journal.root, tmp_path / "clean")
    assert result.ok and clean.ok
    assert site_files(output) == site_files(tmp_path / "clean")


def test_rebuilds_leave_few_reference_cycles_whatever_the_size(tmp_path: Path) -> None:
    """Serve pauses the garbage collector while it rebuilds (preview.collector_paused): that
    is sound while what a rebuild leaves in reference cycles (a Markdown converter, template
    macros) is a few hundred objects, not some for each post."""
    journal, builder, _ = start_larger(tmp_path, 8)
    edits = (journal.edit_body, journal.change_title, lambda: None)  # None: plan everything
    gc.collect()
    for edit in edits:
        with collector_paused():
            assert builder.build(changed=edit()).ok
            assert gc.collect() < 1000, edit


def test_a_one_off_build_lets_go_of_every_post_before_drawing_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`journal build` converts each post's Markdown and then holds none of the parsed
    posts (their Markdown is a third of the peak memory at 10,000 posts): what watch mode
    keeps between builds is not kept by a build that runs once."""
    import weakref

    import generator.pipeline.draw_beside
    import generator.pipeline.load

    files = {
        f"content/posts/p{n}.md": post_text(f"2024-01-{n + 10}", "Words. " * 50, title=f"P{n}")
        for n in range(6)
    }
    root = make_journal(tmp_path, files)
    parsed: list[weakref.ref[object]] = []
    parse_post = generator.pipeline.load.parse_post

    def parse_and_watch(*args: object, **kwargs: object) -> object:
        found = parse_post(*args, **kwargs)  # type: ignore[arg-type]
        if found[0] is not None:
            parsed.append(weakref.ref(found[0]))
        return found

    alive_while_drawing: list[int] = []
    page_chunks = generator.pipeline.draw_beside.page_chunks

    def chunks(*args: object) -> object:
        if not alive_while_drawing:
            gc.collect()
            alive_while_drawing.append(sum(ref() is not None for ref in parsed))
        return page_chunks(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(generator.pipeline.load, "parse_post", parse_and_watch)
    monkeypatch.setattr(generator.pipeline.draw_beside, "page_chunks", chunks)
    assert build(Request(root, tmp_path / "out", OPTIONS)).ok
    assert len(parsed) == 6
    assert alive_while_drawing == [0]


def test_new_titles_in_a_long_thread_reach_every_page_that_shows_them(tmp_path: Path) -> None:
    """A post's page shows a window of a long thread (its ends, the posts near it): after a
    short plan, every page whose window shows a retitled post is as a clean build makes it.
    (The promises link to the files, so new titles keep the thread as it was.)"""
    count = 15
    files = {
        f"content/posts/t{n:02}.md": post_text(
            f"2024-02-{n + 1:02}",
            f"Step {n}.\n\nNext: [Step {n + 1}](t{n + 1:02}.md)\n" if n + 1 < count else "End.\n",
            title=f"Step {n}",
        )
        for n in range(count)
    }
    root = make_journal(tmp_path, files)
    output = tmp_path / "watched"
    builder = WatchSession(Request(root, output, OPTIONS), own_output=True)
    assert builder.build().ok
    for n in (0, 7, 3, 14, 11):
        path = root / f"content/posts/t{n:02}.md"
        path.write_text(
            path.read_text(encoding="utf-8").replace(f"title: Step {n}", f"title: Renamed {n}"),
            encoding="utf-8",
        )
        result = builder.build(changed={path})
        assert result.short_plan, n
        assert result.figures.pages_planned < 30, n  # (not every page of the thread)
        assert compare(result, root, output, tmp_path / "clean", f"step {n} renamed")


def test_a_journal_template_that_shows_neighbours_in_a_list_stays_right(tmp_path: Path) -> None:
    """The built-in templates show a post's neighbours on its own page alone, so a new title
    remakes the neighbours' own pages only; a journal's own template may show them anywhere,
    and then every page that shows the neighbours is made again."""
    tag_page = (
        '{% extends "base.html" %}{% block main %}<ul>{% for post in tag.posts %}'
        "<li>{{ post.title }} (after it: {{ post.newer.title if post.newer else '-' }})</li>"
        "{% endfor %}</ul>{% endblock %}\n"
    )
    files = {
        f"content/posts/p{n}.md": post_text(
            f"2024-03-{n + 1:02}", "Words.\n", title=f"Post {n}", tags="[books]" if n % 2 else "[]"
        )
        for n in range(12)
    }
    root = make_journal(tmp_path, {**files, "templates/tag.html": tag_page})
    output = tmp_path / "watched"
    builder = WatchSession(Request(root, output, OPTIONS), own_output=True)
    assert builder.build().ok
    path = root / "content/posts/p4.md"  # its older neighbour, p3, is tagged
    path.write_text(path.read_text(encoding="utf-8").replace("Post 4", "Renamed"), "utf-8")
    result = builder.build(changed={path})
    assert result.short_plan
    assert "(after it: Renamed)" in (output / "tags/books/index.html").read_text("utf-8")
    assert compare(result, root, output, tmp_path / "clean", "own tag template")


class _Item:
    """A view as `cached_each` sees one: equal only to itself."""

    def __init__(self, number: int) -> None:
        self.number = number


def _macro_environment(source: str, drawn: list[int]) -> tuple[ReadingEnvironment, Any]:
    """A watch session's kind of environment with one template, "list.html", and its
    module (its macros); `note(n)` in a template adds n to `drawn`."""
    env = ReadingEnvironment(loader=jinja2.DictLoader({"list.html": source}), autoescape=True)
    env.globals["note"] = lambda n: drawn.append(n) or ""
    return env, env.get_template("list.html").module


def test_cached_lists_draw_each_view_once_and_escape_what_is_not_markup() -> None:
    site = build_site([], [], Config(base_url="https://example.org/"), BuildOptions())
    drawn: list[int] = []
    source = (
        "{% macro item(view) %}{{ note(view.number) }}<li>"
        "{{ view.number or '<b>' }}</li>{% endmacro %}"
    )
    env, module = _macro_environment(source, drawn)
    item = module.item
    items = tuple(_Item(n) for n in range(300))
    first = KeptViews(site, {}, env=env)
    expected = "<li>&lt;b&gt;</li>" + "".join(f"<li>{n}</li>" for n in range(1, 300))
    assert first.fragments("item", item, items) == expected
    assert first.fragments("item", item, list(items)) == expected  # kept: nothing drawn
    assert len(drawn) == 300
    # The next build, after an edit of one view (a block of 128 holds it): one is drawn.
    second = KeptViews(site, {}, reuse=first, env=env)
    second.take_over(first, set())
    edited = (*items[:200], _Item(1000), *items[201:])
    assert second.fragments("item", item, edited) == expected.replace("<li>200<", "<li>1000<")
    assert drawn[300:] == [1000]
    # A build that does not keep what it draws (a one-off build) still draws the same.
    once = Views(site, {})
    assert once.fragments("item", item, edited) == second.fragments("item", item, edited)


def test_a_macro_that_reads_more_than_its_arguments_is_drawn_every_time() -> None:
    """`cached` keeps a fragment only for a macro whose output follows from its arguments:
    one that reads the page, a variable set outside it or an included file is drawn each
    time, so a journal's own templates are right in serve with no annotation."""
    site = build_site([], [], Config(base_url="https://example.org/"), BuildOptions())
    drawn: list[int] = []
    source = (
        "{% set label = page %}"
        "{% macro plain(view) %}{{ note(view.number) }}{{ view.number }}{% endmacro %}"
        "{% macro outer(view) %}{{ plain(view) }}{% endmacro %}"
        "{% macro reads_page(view) %}{{ note(view.number) }}{{ page }}{% endmacro %}"
        "{% macro reads_set(view) %}{{ note(view.number) }}{{ label }}{% endmacro %}"
        "{% macro calls_impure(view) %}{{ reads_page(view) }}{% endmacro %}"
        "{% macro includes(view) %}{{ note(view.number) }}{% include 'x' %}{% endmacro %}"
    )
    env, module = _macro_environment(source, drawn)
    assert env.pure(module.plain) and env.pure(module.outer)
    for impure in ("reads_page", "reads_set", "calls_impure", "includes"):
        assert not env.pure(getattr(module, impure)), impure
    assert not env.pure(lambda view: view)  # not a template's macro
    views = KeptViews(site, {}, env=env)
    item = _Item(7)
    views.fragment("plain", module.plain, item)
    views.fragment("plain", module.plain, item)
    assert drawn == [7]
    views.fragment("reads page", module.reads_page, item)
    views.fragment("reads page", module.reads_page, item)
    assert drawn == [7, 7, 7]


def test_the_built_in_theme_keeps_the_fragments_it_asks_to_keep(tmp_path: Path) -> None:
    """Every macro the built-in templates hand to `cached` or `cached_each` reads its
    arguments alone: a Jinja that kept macros differently would make serve slow, not wrong,
    and this says so."""
    env = environment_of(ReadingEnvironment, tmp_path / "templates")
    assert env.loader is not None
    sources = {
        name: env.loader.get_source(env, name)[0]
        for name in env.loader.list_templates()
        if name.endswith(".html")
    }
    calls = re.compile(r"cached(?:_each)?\(\s*\"[^\"]*\",\s*(\w+)")
    checked = 0
    for source in sources.values():
        for macro in calls.findall(source):
            where = [name for name, text in sources.items() if f"{{% macro {macro}(" in text]
            assert len(where) == 1, macro
            assert env.pure_macro(where[0], macro), f"{where[0]}: {macro}"
            checked += 1
    assert checked >= 5


def test_views_look_back_one_build_and_forget_what_they_drew_of_views_gone() -> None:
    """A watch session makes each build's views from the last build's: neither a chain of every
    build's views nor what was drawn of views that are gone is kept."""
    site = build_site([], [], Config(base_url="https://example.org/"), BuildOptions())
    first = KeptViews(site, {})
    items = [_Item(n) for n in range(5)]
    assert first.derived_each("double", items, lambda v: v.number * 2) == [0, 2, 4, 6, 8]
    second = KeptViews(site, {}, reuse=first)
    second.take_over(first, set())
    third = KeptViews(site, {}, reuse=second)
    third.take_over(second, set())
    gone = weakref.ref(first)
    del first
    gc.collect()
    assert gone() is None
    del items[1:3]
    gc.collect()
    assert third.forget_dead() == 2
    assert third.forget_dead() == 0
    assert third.derived_each("double", items, lambda v: -1) == [0, 6, 8]  # (still kept)

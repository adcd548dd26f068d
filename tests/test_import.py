"""`journal import`: the command's promises (source only read, nothing overwritten unless
--force, re-runnable, --dry-run), front matter of every kind read into the journal's, and
the bodies of Jekyll, Hugo and Pelican posts converted or reported. Each source is a tiny
blog made in tmp_path; the real blogs are in test_import_blogs.py."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import build_journal, make_journal, tree_digest, write_files

from generator.cli import main
from generator.commands.import_blog import run_import
from generator.importing.dates import read_date


def make_blog(tmp_path: Path, files: Mapping[str, str | bytes], name: str = "blog") -> Path:
    return write_files(tmp_path / name, files)


def imported(tmp_path: Path, kind: str, files: Mapping[str, str | bytes]) -> tuple[Path, int]:
    """A journal with the tiny blog of `files` imported into it, and the exit code."""
    blog = make_blog(tmp_path, files)
    root = make_journal(tmp_path, {})
    return root, run_import(root, kind, blog)


def read(root: Path, key: str) -> str:
    return (root / key).read_text(encoding="utf-8")


def report(root: Path) -> str:
    return read(root, "import-report.txt")


JEKYLL = {
    "_config.yml": "title: Old blog\npermalink: /:year/:month/:title/\n",
    "_posts/2016-09-21-moving-day.md": (
        "---\ntitle: 'Moving: day one'\ndate: 2016-09-21 23:30:00 -0400\n"
        "category: life\ncategories: [Boxes, Travel]\ntags: [move]\nlayout: post\n"
        "excerpt: We moved.\n---\n"
        "Read [the next one]({% post_url 2016-09-22-settled %}), "
        "[again]({% link _posts/2016-09-22-settled.markdown %}).\n\n"
        '{% figure caption:"Boxes everywhere" %}![Boxes](/assets/box.png){% endfigure %}\n\n'
        "![Box]({{ site.baseurl }}/assets/box.png)\n\n"
        "{% highlight python linenos %}\nprint('{{ not liquid }}')\n{% endhighlight %}\n\n"
        "{% raw %}\nTemplates use {{ page.title }}.\n{% endraw %}\n\n"
        "{% include signup.html %}\n"
    ),
    "_posts/2016-09-22-settled.markdown": (
        "---\ntitle: Settled\npublished: false\nredirect_from: /settled/\n---\nHome.\n"
    ),
    "_drafts/someday.md": "---\ntitle: Someday\n---\nLater.\n",
    "assets/box.png": b"\x89PNG box",
}


def test_jekyll_posts_land_on_their_authors_day_with_their_old_urls(tmp_path: Path) -> None:
    root, code = imported(tmp_path, "jekyll", JEKYLL)
    assert code == 0, report(root)
    text = read(root, "content/posts/2016/moving-day.md")
    assert text.startswith(
        "---\ntitle: 'Moving: day one'\ndate: 2016-09-21 23:30\n"
        "original_date: 2016-09-21 23:30:00 -0400\ntags:\n- Boxes\n- Travel\n- life\n- move\n"
        "summary: We moved.\naliases:\n- /2016/09/moving-day/\nlayout: post\n---\n"
    )
    assert "Read [the next one](settled.md), [again](settled.md)." in text
    assert '![Boxes](/assets/box.png "Boxes everywhere")' in text
    assert "![Box](/assets/box.png)" in text
    assert "```python\nprint('{{ not liquid }}')\n```" in text
    assert "\nTemplates use {{ page.title }}.\n" in text and "raw %}" not in text
    assert (root / "content/static/assets/box.png").read_bytes() == b"\x89PNG box"
    settled = read(root, "content/posts/2016/settled.md")
    assert "draft: true" in settled and "published" not in settled
    assert "- /settled/" in settled and "- /2016/09/settled/" in settled
    assert "draft: true" in read(root, "content/posts/" + _year_of(root, "someday") + "/someday.md")
    lines = report(root).splitlines()
    assert (
        "content/posts/2016/moving-day.md:28: warning: the Liquid tag {% include ... %} is not "
        "converted: paste the included file's text in its place (or drop it)"
    ) in lines
    result = build_journal(root)
    assert result.ok, [str(p) for p in result.problems]
    page = read(root, "output/2016/moving-day/index.html")
    assert "September 21, 2016" in page or "2016-09-21" in page
    assert 'href="/2016/settled/"' not in page, "a draft is not linked to"
    assert (root / "output/2016/09/moving-day/index.html").is_file()


def _year_of(root: Path, name: str) -> str:
    return next(p.parent.name for p in (root / "content/posts").rglob(f"{name}.md"))


def test_the_source_is_only_read_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    blog = make_blog(tmp_path, JEKYLL)
    before = tree_digest(blog)
    root = make_journal(tmp_path, {})
    assert run_import(root, "jekyll", blog) == 0
    first = tree_digest(root)
    assert run_import(root, "jekyll", blog) == 0, "the same files again: nothing in the way"
    assert tree_digest(root) == first
    assert tree_digest(blog) == before


def test_a_post_in_the_way_is_refused_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = make_blog(tmp_path, JEKYLL)
    root = make_journal(
        tmp_path,
        {
            "content/posts/2016/settled.md": "---\ndate: 2016-01-01\n---\nMine.\n",
            "content/static/assets/box.png": b"mine",
        },
    )
    assert run_import(root, "jekyll", blog) == 1
    err = capsys.readouterr().err
    assert "content/posts/2016/settled.md:1: error: already exists" in err
    assert "content/static/assets/box.png:1: error: already exists" in err
    assert "nothing was written" in err
    assert not (root / "content/posts/2016/moving-day.md").exists()
    assert read(root, "content/posts/2016/settled.md").endswith("Mine.\n")
    assert run_import(root, "jekyll", blog, force=True) == 0
    assert "Home." in read(root, "content/posts/2016/settled.md")


def test_a_dry_run_says_what_it_would_write_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = make_blog(tmp_path, JEKYLL)
    root = make_journal(tmp_path, {})
    before = tree_digest(root)
    assert main(["import", "jekyll", str(blog), "--root", str(root), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would write content/posts/2016/moving-day.md (from {blog.as_posix()}" in out
    assert "would write content/static/assets/box.png" in out
    assert tree_digest(root) == before


def test_into_a_folder_and_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blog = make_blog(tmp_path, JEKYLL)
    root = make_journal(tmp_path, {})
    assert run_import(root, "jekyll", blog, into=Path("content/posts/old")) == 0
    assert (root / "content/posts/old/2016/moving-day.md").is_file()
    assert run_import(root, "jekyll", blog, into=tmp_path / "elsewhere") == 1
    assert run_import(root, "jekyll", root / "content") == 1
    assert run_import(tmp_path / "nothing", "jekyll", blog) == 1
    assert run_import(root, "hugo", blog) == 1
    err = capsys.readouterr().err
    assert "no hugo posts in" in err and "content/<section>/" in err
    assert "outside the journal" in err and "inside one another" in err and "journal init" in err


def test_yaml_anchors_duplicate_keys_and_capitals(tmp_path: Path) -> None:
    post = (
        "---\nTitle: Anchored\nDate: 2020-12-2\nimage: &img /i.png\nthumb: *img\n"
        "tags: [a]\ntags: [b]\nauthor: x\nauthor: y\n---\nText.\n"
    )
    root, code = imported(tmp_path, "jekyll", {"_posts/2020-12-02-anchored.md": post})
    assert code == 0
    text = read(root, "content/posts/2020/anchored.md")
    assert "title: Anchored\ndate: '2020-12-02'\ntags:\n- a\n- b\n" in text
    assert "image: /i.png\nthumb: /i.png\nauthor: y\n" in text
    assert "_posts/2020-12-02-anchored.md:7: warning: `tags` is written twice" in report(root)
    assert "_posts/2020-12-02-anchored.md:9: warning: `author` is written twice" in report(root)


@pytest.mark.parametrize(
    ("written", "day", "time", "offset"),
    [
        ("2016-09-21 23:30:00 -0400", "2016-09-21", True, "-04:00"),
        ("2016-09-21T23:30:00+02:00", "2016-09-21", True, "+02:00"),
        ("21-09-2016", "2016-09-21", False, None),
        ("2016.09.21", "2016-09-21", False, None),
        ("2020-12-2", "2020-12-02", False, None),
        ("2016-09-21 10:00 Z", "2016-09-21", True, "+00:00"),
    ],
)
def test_dates_as_blogs_write_them(written: str, day: str, time: bool, offset: str | None) -> None:
    found = read_date(written)
    assert found is not None
    assert (found.wall.date().isoformat(), found.has_time, found.offset) == (day, time, offset)


def test_a_date_stays_on_its_day_in_the_journals_zone(tmp_path: Path) -> None:
    post = "---\ntitle: Late\ndate: 2016-12-31 23:30:00 -0800\n---\nLate at night.\n"
    blog = make_blog(tmp_path, {"_posts/2016-12-31-late.md": post})
    root = make_journal(
        tmp_path, {}, 'title = "T"\nbase_url = "https://e.org/"\ntimezone = "Asia/Tokyo"\n'
    )
    assert run_import(root, "jekyll", blog) == 0
    assert build_journal(root).ok
    assert (root / "output/2016/late/index.html").is_file(), "not moved into 2017"


def test_the_front_matter_date_wins_over_the_file_name(tmp_path: Path) -> None:
    post = "---\ntitle: Later\ndate: 2016-09-25\n---\nText.\n"
    root, code = imported(tmp_path, "jekyll", {"_posts/2016-09-21-later.md": post})
    assert code == 0
    assert "date: '2016-09-25'" in read(root, "content/posts/2016/later.md")
    assert "differs from the file name's 2016-09-21" in report(root)


def test_a_post_without_a_date_is_an_error_and_the_rest_is_imported(tmp_path: Path) -> None:
    files = {"_posts/undated.md": "---\ntitle: U\n---\nx\n", "_posts/2020-01-01-ok.md": "ok\n"}
    root, code = imported(tmp_path, "jekyll", files)
    assert code == 1
    assert "blog/_posts/undated.md:1: error: no date" in report(root)
    assert (root / "content/posts/2020/ok.md").is_file()


HUGO = {
    "config.toml": (
        'baseURL = "https://old.example/"\n[permalinks]\n  posts = "/:year/:month/:slug/"\n'
    ),
    "content/posts/bundle/index.md": (
        '+++\ntitle = "A bundle"\ndate = 2021-03-04T22:00:00-05:00\ndraft = true\n'
        'tags = ["x"]\nslug = "the-bundle"\n+++\n'
        '{{< figure src="cat.jpg" caption="A cat" alt="Cat" >}}\n\n'
        '{{< youtube id="abc123" >}}\n\n'
        'See {{< relref "plain.md" >}} and [plain]({{< ref "/posts/plain" >}}).\n\n'
        '```go\n{{< figure src="literal.png" >}}\n{{</* tweet 1 */>}}\n```\n\n'
        "{{% notice warning %}}\nCareful.\n\n```sh\n{{< kept >}}\n```\n{{% /notice %}}\n\n"
        '{{< gallery dir="/img" >}}\n'
    ),
    "content/posts/bundle/cat.jpg": b"cat",
    "content/posts/plain.md": (
        '{\n  "title": "Plain",\n  "date": "2021-03-01",\n  "aliases": ["old-plain"]\n}\n'
        "Text with `{{< code span >}}` kept.\n"
    ),
    "content/about.md": "---\ntitle: About\n---\nNot a post.\n",
}


def test_hugo_bundles_shortcodes_and_permalinks(tmp_path: Path) -> None:
    root, code = imported(tmp_path, "hugo", HUGO)
    assert code == 0, report(root)
    text = read(root, "content/posts/2021/the-bundle.md")
    assert "date: 2021-03-04 22:00\noriginal_date: '2021-03-04T22:00:00-05:00'\n" in text
    assert "draft: true" in text and "- /2021/03/the-bundle/" in text
    assert '![Cat](/2021/the-bundle/cat.jpg "A cat")' in text
    assert (root / "content/static/2021/the-bundle/cat.jpg").read_bytes() == b"cat"
    assert "(https://www.youtube-nocookie.com/embed/abc123)" in text
    assert "See plain.md and [plain](plain.md)." in text
    assert '```go\n{{< figure src="literal.png" >}}\n{{< tweet 1 >}}\n```' in text
    assert "> **Warning:**\n>\n> Careful.\n>\n> ```sh\n> {{< kept >}}\n> ```" in text
    lines = report(root).splitlines()
    assert "{{< kept" not in report(root) and "literal.png" not in report(root)
    assert any(
        line.startswith("content/posts/2021/the-bundle.md:")
        and "{{< gallery ...}} is not converted" in line
        for line in lines
    ), lines
    plain = read(root, "content/posts/2021/plain.md")
    assert "aliases:\n- /2021/03/plain/\n- /old-plain\n" in plain
    assert "`{{< code span >}}`" in plain
    assert not (root / "content/posts/2024/about.md").exists()
    assert "not content/about" not in report(root)


PELICAN = {
    "pelicanconf.py": (
        "AUTHOR = 'Me'\nPATH = 'content'\nARTICLE_URL = 'posts/{date:%Y}/{slug}/'\n"
        "STATIC_PATHS = ['images']\nTIMEZONE = 'Europe/Paris'\nEXTRA = compute()\n"
    ),
    "content/python/first.md": (
        "Title: How to: colons in titles\nDate: 2019.05.06 10:20\nTags: a, b\n"
        "Summary: Short.\nModified: 2019-06-01\n\n"
        "See [second]({filename}second.md), [old](|filename|second.md), "
        "![img]({static}/images/pic.png), [file]({attach}notes.txt) and {tag}python.\n\n"
        "{% img /images/pic.png 100 100 'A title' 'An alt' %}\n\n{% notebook demo.ipynb %}\n"
    ),
    "content/python/notes.txt": "notes",
    "content/images/pic.png": b"pic",
    "content/python/second.rst": (
        "Second post\n###########\n\n:date: 01-06-2019\n:status: draft\n:category: Misc\n\n"
        "Some *rst* text.\n\n.. code-block:: python\n\n   print(1)\n"
    ),
    "content/pages/about.md": "Title: About\n\nA page.\n",
}


def test_pelican_headers_links_and_restructured_text(tmp_path: Path) -> None:
    pytest.importorskip("docutils", reason="the rst extra converts reStructuredText posts")
    root, code = imported(tmp_path, "pelican", PELICAN)
    assert code == 0, report(root)
    first = read(root, "content/posts/2019/how-to-colons-in-titles.md")
    assert first.startswith(
        "---\ntitle: 'How to: colons in titles'\ndate: 2019-05-06 10:20\ntags:\n- python\n- a\n"
        "- b\nsummary: Short.\naliases:\n- /posts/2019/how-to-colons-in-titles/\n"
    )
    assert "See [second](second-post.md), [old](second-post.md)" in first
    assert (
        "![img](/images/pic.png)" in first
        and "[file](/2019/how-to-colons-in-titles/notes.txt)" in first
    )
    assert "/tags/python/" in first
    assert '![An alt](/images/pic.png "A title")' in first
    assert (root / "content/static/images/pic.png").read_bytes() == b"pic"
    assert (root / "content/static/2019/how-to-colons-in-titles/notes.txt").read_text() == "notes"
    assert "{% notebook ... %} is not converted: export the notebook" in report(root)
    second = read(root, "content/posts/2019/second-post.md")
    assert "draft: true" in second and "<em>rst</em>" in second and "print(1)" in second
    assert not list((root / "content/posts").rglob("about.md"))


def test_the_cli_names_every_kind_and_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    for word in ("jekyll", "hugo", "pelican", "--into", "--force", "--dry-run", "SRC"):
        assert word in out

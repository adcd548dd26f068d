"""Internal links: the pure checker, source links between posts, and `journal check --links`."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_journal, make_journal, one, parse_html, post_text, select

from generator.cli import main
from generator.features.linkcheck import broken_links
from generator.pipeline.crossrefs import SourceText, Targets, candidate_keys, rewrite_source_links
from generator.pipeline.markup import Rendered

BASE = "https://user.github.io/journal/"


def page(body: str) -> bytes:
    return f"<!DOCTYPE html><html><body>\n{body}\n</body></html>".encode()


# ---------------------------------------------------------------- the checker, on bytes


def test_links_that_resolve_under_the_base_path_pass() -> None:
    files = {
        "index.html": page(
            '<a href="/journal/2024/a/">a</a> <a href="2024/a/#part">part</a>'
            ' <a href="https://user.github.io/journal/feed.xml">feed</a>'
            ' <img src="assets/x.svg" alt=""> <a href="#top">top</a>'
            ' <a href="https://elsewhere.example/">out</a> <a href="mailto:a@b.c">mail</a>'
        ),
        "2024/a/index.html": page('<h2 id="part">Part</h2><a href="../../">home</a>'),
        "assets/x.svg": b"<svg/>",
        "feed.xml": b'<feed xmlns="http://www.w3.org/2005/Atom">'
        b'<link href="https://user.github.io/journal/2024/a/"/></feed>',
    }
    assert broken_links(files, BASE) == []


def test_each_kind_of_broken_link_is_reported_with_page_line_and_reason() -> None:
    files = {
        "index.html": page(
            '<a href="/2024/a/">forgot the base path</a>\n'
            '<a href="2024/missing/">missing</a>\n'
            '<a href="2024/a/#nowhere">bad anchor</a>\n'
            '<img src="/journal/assets/gone.png" alt="">'
        ),
        "2024/a/index.html": page("<p>A</p>"),
        "sitemap.xml": b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://user.github.io/journal/2023/</loc></url></urlset>",
    }
    broken = broken_links(files, BASE)
    found = {(b.page, b.line, b.url): b.reason for b in broken}
    assert "base path /journal/" in found[("index.html", 2, "/2024/a/")]
    assert "no such page" in found[("index.html", 3, "2024/missing/")]
    assert 'id="nowhere"' in found[("index.html", 4, "2024/a/#nowhere")]
    assert "no such page" in found[("index.html", 5, "/journal/assets/gone.png")]
    assert "no such page" in found[("sitemap.xml", 1, "https://user.github.io/journal/2023/")]
    assert len(broken) == 5


def test_a_folder_link_without_its_slash_and_text_directives_resolve() -> None:
    files = {
        "index.html": page('<a href="2024">y</a> <a href="2024/#:~:text=word">words</a>'),
        "2024/index.html": page("<p>word</p>"),
    }
    assert broken_links(files, BASE) == []


# ---------------------------------------------------------------- source links, pure


def rendered(html: str) -> Rendered:
    return Rendered.of(html, summary_html=html, words=1)


TARGETS = Targets(
    urls={
        "content/posts/2023/courage.md": "/journal/2023/courage/",
        "content/themes/2023.md": "/journal/2023/",
    },
    unpublished=frozenset({"content/posts/2024/draft.md"}),
)


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("../2023/courage.md", "/journal/2023/courage/"),
        ("content/posts/2023/courage.md", "/journal/2023/courage/"),
        ("/content/posts/2023/courage.md", "/journal/2023/courage/"),
        ("@/2023/courage.md", "/journal/2023/courage/"),
        ("../2023/courage.md#a-small-table", "/journal/2023/courage/#a-small-table"),
        ("../../themes/2023.md", "/journal/2023/"),
    ],
)
def test_source_links_become_site_urls(href: str, expected: str) -> None:
    key = "content/posts/2024/partnership.md"
    result, problems = rewrite_source_links(
        {key: rendered(f'<p><a href="{href}" title="t">see</a></p>')},
        {key: SourceText(f"[see]({href})\n", 5)},
        TARGETS,
    )
    assert problems == []
    assert result[key].html == f'<p><a href="{expected}" title="t">see</a></p>'
    assert result[key].summary_html == result[key].html


def test_a_link_to_a_missing_source_is_an_error_at_its_line() -> None:
    key = "content/posts/2024/partnership.md"
    body = "First line.\n\nSee [the other](../2023/nothing.md) too.\n"
    _, problems = rewrite_source_links(
        {key: rendered('<p>See <a href="../2023/nothing.md">the other</a> too.</p>')},
        {key: SourceText(body, 5)},
        TARGETS,
    )
    assert [(p.path, p.line, p.level) for p in problems] == [(key, 7, "error")]
    assert "content/posts/2023/nothing.md" in problems[0].message


def test_a_link_to_a_draft_is_a_warning_and_plain_text() -> None:
    key = "content/posts/2024/partnership.md"
    result, problems = rewrite_source_links(
        {key: rendered('<p><a href="draft.md">soon</a></p>')},
        {key: SourceText("[soon](draft.md)\n", 1)},
        TARGETS,
    )
    assert [p.level for p in problems] == ["warning"]
    assert result[key].html == "<p><a>soon</a></p>"


def test_other_links_and_code_are_left_alone() -> None:
    key = "content/posts/2024/partnership.md"
    html = (
        '<p><a href="https://example.org/readme.md">remote</a> <a href="notes.txt">txt</a>'
        ' <code>&lt;a href="x.md"&gt;</code></p>'
    )
    result, problems = rewrite_source_links(
        {key: rendered(html)}, {key: SourceText("", 1)}, TARGETS
    )
    assert problems == []
    assert result[key].html == html


def test_candidate_keys_normalise_dots() -> None:
    assert candidate_keys("content/posts/2024/a.md", "./b.md") == ["content/posts/2024/b.md"]


# ---------------------------------------------------------------- through the build and CLI


def test_build_rewrites_source_links_and_reports_missing_ones(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/2023/courage.md": post_text(
                "2023-03-14", "Be brave.\n", title="Courage"
            ),
            "content/posts/2024/partnership.md": post_text(
                "2024-06-10",
                "It began with [courage](../2023/courage.md).\n\nAnd [this](../2022/gone.md).\n",
                title="Partnership",
            ),
        },
    )
    result = build_journal(root, write=False)
    errors = [p for p in result.problems if p.level == "error"]
    assert [(p.path, p.line) for p in errors] == [("content/posts/2024/partnership.md", 7)]
    fixed = make_journal(
        tmp_path,
        {
            "content/posts/2024/partnership.md": post_text(
                "2024-06-10", "It began with [courage](../2023/courage.md).\n", title="Partnership"
            )
        },
    )
    result = build_journal(fixed, write=False)
    assert result.ok
    links = select(parse_html(result.files["2024/partnership/index.html"]), "a")
    assert "/2023/courage/" in [a.get("href") for a in links]


BROKEN_POST = post_text(
    "2024-06-10",
    "Intro.\n\nA [dead link](/2024/nowhere/) and [a bad anchor](#missing).\n",
    title="Partnership",
)


def test_check_links_reports_page_and_source_post(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {"content/posts/2024/partnership.md": BROKEN_POST})
    assert main(["check", "--root", str(root)]) == 0
    assert main(["check", "--links", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    dead = [line for line in err.splitlines() if "/2024/nowhere/" in line]
    anchor = [line for line in err.splitlines() if "#missing" in line]
    # Reported at the line of the post that holds the link, naming the page it is on.
    assert dead and all(
        line.startswith("content/posts/2024/partnership.md:7: error: broken link") for line in dead
    )
    assert any("on /2024/partnership/" in line for line in dead)
    assert anchor and any('no element with id="missing"' in line for line in anchor)
    assert not (root / "output").exists()


def test_build_check_links_writes_nothing_when_a_link_is_broken(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/2024/partnership.md": BROKEN_POST})
    assert main(["build", "--check-links", "--root", str(root)]) == 1
    assert not (root / "output").exists()
    assert main(["build", "--root", str(root)]) == 0


def test_the_repository_journal_has_no_broken_link_at_the_root_or_a_subpath() -> None:
    root = Path(__file__).resolve().parent.parent
    for base in (None, "https://user.github.io/journal/"):
        result = build_journal(root, base_url=base, write=False)
        assert result.ok and "index.html" in result.files
        base_url = base or "https://example.org/"
        assert broken_links(result.files, base_url) == []


# ---------------------------------------------------------------- links under a subpath


SUBPATH_TARGETS = Targets(
    urls={"content/posts/2023/courage.md": "/journal/2023/courage/"},
    unpublished=frozenset(),
    static={"content/static/images/cat.svg": "/journal/images/cat.svg"},
    base_path="/journal/",
)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ('<img alt="x" src="/images/cat.svg">', '<img alt="x" src="/journal/images/cat.svg">'),
        ('<a href="/2023/courage/#a">c</a>', '<a href="/journal/2023/courage/#a">c</a>'),
        ('<a href="/journal/2023/courage/">c</a>', '<a href="/journal/2023/courage/">c</a>'),
        (
            '<img alt="x" src="../../static/images/cat.svg">',
            '<img alt="x" src="/journal/images/cat.svg">',
        ),
        (
            '<a href="content/static/images/cat.svg?v=2">c</a>',
            '<a href="/journal/images/cat.svg?v=2">c</a>',
        ),
        ('<a href="//cdn.example/x.js">c</a>', '<a href="//cdn.example/x.js">c</a>'),
        ('<a href="https://example.org/x">c</a>', '<a href="https://example.org/x">c</a>'),
        ('<a href="#fn:1">1</a>', '<a href="#fn:1">1</a>'),
        (
            '<a href="../../static/images/missing.svg">c</a>',
            '<a href="../../static/images/missing.svg">c</a>',
        ),
    ],
)
def test_root_relative_and_static_links_get_the_base_path(tag: str, expected: str) -> None:
    key = "content/posts/2024/partnership.md"
    result, problems = rewrite_source_links(
        {key: rendered(f"<p>{tag}</p>")}, {key: SourceText("x\n", 5)}, SUBPATH_TARGETS
    )
    assert problems == []
    assert result[key].html == f"<p>{expected}</p>"


def test_code_that_looks_like_a_link_is_left_alone() -> None:
    key = "content/posts/2024/partnership.md"
    html = '<pre><code>&lt;a href="/x"&gt; src="/y" ../../static/images/cat.svg</code></pre>'
    result, _ = rewrite_source_links(
        {key: rendered(html)}, {key: SourceText("x\n", 5)}, SUBPATH_TARGETS
    )
    assert result[key].html == html


def test_a_site_under_a_subpath_keeps_its_root_relative_and_static_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (
        "![cat](/images/cat.svg) ![cat too](../../static/images/cat.svg)\n\n"
        "See [courage](/2023/courage/) and [its file](../2023/courage.md).\n"
    )
    root = make_journal(
        tmp_path,
        {
            "content/posts/2023/courage.md": post_text("2023-03-14", title="Courage"),
            "content/posts/2024/partnership.md": post_text(body=body, title="Partnership"),
            "content/static/images/cat.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
        },
        'title = "T"\nbase_url = "https://example.org/journal/"\ntimezone = "UTC"\n',
    )
    assert main(["check", "--links", "--root", str(root)]) == 0, capsys.readouterr().err
    result = build_journal(root, write=False)
    page = parse_html(result.files["2024/partnership/index.html"])
    content = one(page, "div", "content")
    assert [img.get("src") for img in content.iter("img")] == ["/journal/images/cat.svg"] * 2
    hrefs = [a.get("href") for a in content.iter("a")]
    assert hrefs == ["/journal/2023/courage/", "/journal/2023/courage/"]


def test_a_bad_anchor_in_a_rewritten_link_is_reported_at_the_links_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "Intro.\n\nMore.\n\nSee [the part](../2023/courage.md#nowhere).\n"
    root = make_journal(
        tmp_path,
        {
            "content/posts/2023/courage.md": post_text("2023-03-14", title="Courage"),
            "content/posts/2024/partnership.md": post_text(body=body, title="Partnership"),
        },
    )
    assert main(["check", "--links", "--root", str(root)]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert len(errors) == 1
    # four lines of front matter and four body lines before the link's line
    assert errors[0].startswith("content/posts/2024/partnership.md:9: error: broken link")
    assert 'no element with id="nowhere"' in errors[0]

"""Old URLs (`aliases:`, `redirect_from:`): a redirect page at each, errors for those that
collide, the link checker following them, and serve's output equal to a clean build's."""

from __future__ import annotations

from pathlib import Path

from conftest import OPTIONS, build_journal, make_journal, post_text
from test_incremental import compare

from generator.features.linkcheck import scan_html
from generator.incremental.session import WatchSession
from generator.pipeline.aliases import Alias, alias_of
from generator.pipeline.build import Request


def _errors(result: object) -> list[str]:
    return [str(p) for p in result.problems if p.level == "error"]  # type: ignore[attr-defined]


def test_each_alias_gets_a_redirect_page_without_script(tmp_path: Path) -> None:
    aliases = "\n  - /2016/09/21/moving.html\n  - blog/moving/\nredirect_from: /old/moving"
    root = make_journal(
        tmp_path, {"content/posts/2024/moving.md": post_text(title="Moving", aliases=aliases)}
    )
    result = build_journal(root)
    assert result.ok, _errors(result)
    output = root / "output"
    for path in ("2016/09/21/moving.html", "blog/moving/index.html", "old/moving/index.html"):
        page = (output / path).read_text(encoding="utf-8")
        assert '<meta http-equiv="refresh" content="0; url=/2024/moving/">' in page
        assert '<link rel="canonical" href="https://example.org/2024/moving/">' in page
        assert '<a href="/2024/moving/">Moving</a>' in page
        assert "<script" not in page
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "old/moving" not in sitemap


def test_a_title_in_a_redirect_page_is_escaped(tmp_path: Path) -> None:
    text = post_text(title='"<b>Bold</b> & co"', aliases="[/old/]")
    root = make_journal(tmp_path, {"content/posts/2024/bold.md": text})
    assert build_journal(root).ok
    page = (root / "output/old/index.html").read_text(encoding="utf-8")
    assert "<b>" not in page and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page


def test_a_draft_answers_no_old_url(tmp_path: Path) -> None:
    text = post_text(aliases="[/old/]", draft="true")
    root = make_journal(tmp_path, {"content/posts/2024/later.md": text})
    assert build_journal(root).ok
    assert not (root / "output/old").exists()


def test_aliases_that_collide_are_errors_at_their_line(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/2024/a.md": post_text(title="A", aliases="[/old/, /2024/b/]"),
            "content/posts/2024/b.md": post_text(title="B", aliases="\n  - /tags/\n  - /old"),
        },
    )
    result = build_journal(root)
    errors = _errors(result)
    assert not result.ok and result.written is None
    assert any(
        e.startswith("content/posts/2024/a.md:4: error: alias /2024/b/ is already the post")
        for e in errors
    )
    assert any(
        e.startswith("content/posts/2024/b.md:5: error: alias /tags/ is already a page")
        for e in errors
    )
    assert any(
        e.startswith(
            "content/posts/2024/b.md:6: error: alias /old/ is already an alias of "
            "content/posts/2024/a.md"
        )
        for e in errors
    )


def test_an_alias_that_is_no_path_says_how_to_write_it(tmp_path: Path) -> None:
    aliases = "\n  - https://old.example.com/x/\n  - /x/?p=3\n  - /../up/\n  - /\n  - 12"
    root = make_journal(tmp_path, {"content/posts/2024/a.md": post_text(aliases=aliases)})
    errors = _errors(build_journal(root))
    assert [e.split(": error: ")[0] for e in errors] == [
        f"content/posts/2024/a.md:{line}" for line in range(4, 9)
    ]
    assert 'write its path alone, like "/x/"' in errors[0]


def test_alias_paths() -> None:
    assert alias_of("/2016/09/21/x.html", 1) == Alias("2016/09/21/x.html", "2016/09/21/x.html", 1)
    assert alias_of("blog/x", 2) == Alias("blog/x/", "blog/x/index.html", 2)
    assert alias_of("/caf%C3%A9/", 3) == Alias("café/", "café/index.html", 3)


def test_the_link_checker_follows_a_meta_refresh() -> None:
    page = b'<meta http-equiv="refresh" content="0; url=/2024/gone/">'
    assert [link.url for link in scan_html("old/index.html", page).links] == ["/2024/gone/"]


def test_redirects_pass_the_link_checker(tmp_path: Path) -> None:
    text = post_text(title="A", aliases="[/old/a.html]")
    root = make_journal(tmp_path, {"content/posts/2024/a.md": text})
    result = build_journal(root, options=OPTIONS)
    assert result.ok
    from generator.pipeline.build import build

    checked = build(Request(root, tmp_path / "out", OPTIONS, check_links=True))
    assert checked.ok, _errors(checked)


def test_serve_answers_old_urls_as_a_clean_build_does(tmp_path: Path) -> None:
    post = root_post = "content/posts/2024/a.md"
    root = make_journal(
        tmp_path,
        {root_post: post_text(title="A"), "content/posts/2024/b.md": post_text(title="B")},
    )
    output = tmp_path / "watched"
    session = WatchSession(Request(root, output, OPTIONS))
    assert session.build().ok
    steps = [
        post_text(title="A", aliases="[/old/a/]"),
        post_text(title="A", aliases="[/old/a/, /older/a.html]"),
        post_text(title="A renamed", aliases="[/old/a/, /older/a.html]"),
        post_text(title="A renamed", aliases="[/older/a.html]"),
        post_text(title="A renamed", aliases="[/2024/b/]"),  # an error
        post_text(title="A renamed", aliases="[/old/a/]", draft="true"),
        post_text(title="A", aliases="[/old/a/]"),
        post_text(title="A"),
    ]
    for number, text in enumerate(steps):
        path = root / post
        path.write_text(text, encoding="utf-8")
        result = session.build(changed={path})
        compare(result, root, output, tmp_path / "clean", f"step {number}")

"""Links by title: `[[Post title]]` and `[[Post title|shown text]]` resolve as "Next:" promises
do, pending ones show as still to come, the target lists "Mentioned in", problems are
reported at their line, code is left alone, and a watch session keeps all of it as a clean
build makes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, OPTIONS, build_journal, make_journal, post_text
from test_incremental import compare

from generator.commands.report import run_promises
from generator.core.config import MARKDOWN_ENGINES
from generator.incremental.session import WatchSession
from generator.pipeline.build import Request
from generator.pipeline.markup import make_converter, render_markdown
from generator.pipeline.wikilinks import TitleMemo, titles_marked


def page(root: Path, url: str) -> str:
    return (root / "output" / url / "index.html").read_text(encoding="utf-8")


def content_of(html: str) -> str:
    return html[html.index('<div class="content">') : html.index("</article>")]


TARGET = post_text("2024-01-10", "The target.\n", title="Post everyday!")


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_a_title_link_leads_to_the_post_whatever_its_case_and_punctuation(
    tmp_path: Path, engine: str
) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/target.md": TARGET,
            "content/posts/source.md": post_text(
                "2024-02-01",
                "See [[post, EVERYDAY]] and [[Post everyday!|that one]], or [[target]].\n",
                title="Source",
            ),
        },
        MINIMAL_CONFIG + f'markdown = "{engine}"\n',
    )
    result = build_journal(root)
    assert result.ok and not result.problems
    html = content_of(page(root, "2024/source"))
    assert '<a class="wikilink" href="/2024/target/">post, EVERYDAY</a>' in html
    assert '<a class="wikilink" href="/2024/target/">that one</a>' in html
    assert '<a class="wikilink" href="/2024/target/">target</a>' in html  # by its slug


def test_a_link_to_no_post_shows_still_to_come_and_warns_at_its_line(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/target.md": TARGET,
            "content/posts/source.md": post_text(
                "2024-02-01",
                "First line.\n\nSee [[Post evreyday]] and\n[[A post never written]].\n",
                title="Source",
            ),
        },
    )
    result = build_journal(root)
    assert result.ok
    warnings = sorted(f"{p.path}:{p.line}: {p.message}" for p in result.problems)
    assert warnings == [
        "content/posts/source.md:7: [[Post evreyday]]: no post has that title yet; it is "
        "shown as still to come; did you mean «Post everyday!»?",
        "content/posts/source.md:8: [[A post never written]]: no post has that title yet; "
        "it is shown as still to come",
    ]
    html = content_of(page(root, "2024/source"))
    assert (
        '<span class="wikilink wikilink-pending">Post evreyday</span> '
        '<span class="coming">(still to come)</span>'
    ) in html
    checked = build_journal(root, write=False)
    assert {(p.path, p.line) for p in checked.problems} == {
        (p.path, p.line) for p in result.problems
    }


def test_a_link_to_a_draft_is_still_to_come_without_a_warning_and_listed_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/draft.md": post_text(
                "2024-01-10", "Soon.\n", title="Being written", draft="true"
            ),
            "content/posts/source.md": post_text(
                "2024-02-01", "See [[Being written]] and [[Nobody]].\n", title="Source"
            ),
        },
    )
    result = build_journal(root)
    assert [p.message for p in result.problems] == [
        "[[Nobody]]: no post has that title yet; it is shown as still to come"
    ]
    assert '<span class="wikilink wikilink-pending">Being written</span>' in page(
        root, "2024/source"
    )
    assert run_promises(root) == 0
    shown = capsys.readouterr().out
    assert "2 links by title to posts still to come:" in shown
    assert "[[Being written]]  in “Source” (content/posts/source.md); " in shown
    assert "content/posts/draft.md is a draft" in shown
    assert "[[Nobody]]" in shown


def test_the_target_lists_the_posts_that_mention_it_oldest_first(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/target.md": TARGET,
            "content/posts/b.md": post_text("2024-03-01", "[[Post everyday]]\n", title="B <2>"),
            "content/posts/a.md": post_text(
                "2024-02-01", "[[Post everyday]] twice: [[post everyday]]\n", title="A"
            ),
            "content/posts/self.md": post_text("2024-04-01", "Me: [[Myself]]\n", title="Myself"),
        },
    )
    assert build_journal(root).ok
    html = page(root, "2024/target")
    assert (
        '<p class="mentioned-in">Mentioned in <a class="mention" href="/2024/a/">A</a>, '
        '<a class="mention" href="/2024/b/">B &lt;2&gt;</a></p>'
    ) in html
    assert "mentioned-in" not in page(root, "2024/self")  # a post does not mention itself
    assert "mentioned-in" not in page(root, "2024/a")


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_code_spans_and_blocks_are_left_alone(engine: str) -> None:
    text = (
        "Inline `[[Post everyday]]` code.\n\n    [[Indented]]\n\n```\n[[Fenced]]\n```\n\n"
        "~~~\n[[Tilde]]\n~~~\n\nBut [[Kept]], and \\[[Escaped]].\n\n"
        "A link whose text is bracketed: [[1]](https://example.org/).\n"
    )
    rendered = render_markdown(make_converter(engine), text)
    assert titles_marked(rendered.html) == ["Kept"]
    assert '<a href="https://example.org/">[1]</a>' in rendered.html
    assert "<code>[[Post everyday]]</code>" in rendered.html
    assert "[[Fenced]]" in rendered.html and "[[Escaped]]" in rendered.html


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_titles_are_escaped_wherever_they_are_shown(tmp_path: Path, engine: str) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/target.md": post_text("2024-01-10", "T.\n", title='"<b>Bold</b>"'),
            "content/posts/source.md": post_text(
                "2024-02-01", "[[<b>Bold</b>]] and [[<script>alert(1)</script>]]\n", title="S"
            ),
        },
        MINIMAL_CONFIG + f'markdown = "{engine}"\n',
    )
    result = build_journal(root)
    html = page(root, "2024/source")
    assert "<script>alert" not in html and "<b>Bold" not in html
    assert '<a class="wikilink" href="/2024/target/">&lt;b&gt;Bold&lt;/b&gt;</a>' in html
    assert any("[[<script>alert(1)</script>]]" in p.message for p in result.problems)


def test_a_theme_intro_links_by_title_too(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/target.md": TARGET,
            "content/themes/2024.md": "---\nword: habit\n---\nIt began with [[Post everyday]].\n",
        },
    )
    assert build_journal(root).ok
    assert '<a class="wikilink" href="/2024/target/">Post everyday</a>' in page(root, "2024")


def test_feeds_carry_the_links(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/target.md": TARGET,
            "content/posts/source.md": post_text("2024-02-01", "[[Post everyday]]\n", title="S"),
        },
    )
    assert build_journal(root).ok
    feed = (root / "output/feed.xml").read_text(encoding="utf-8")
    assert "journal-wikilink" not in feed
    assert "&lt;a class=&#34;wikilink&#34; href=&#34;/2024/target/&#34;&gt;" in feed


# ---------------------------------------------------------------- in a watch session


def test_serve_follows_every_change_of_a_link_and_its_target(tmp_path: Path) -> None:
    files = {
        "content/posts/source.md": post_text("2024-02-01", "Plain words.\n", title="Source"),
        "content/posts/other.md": post_text("2024-03-01", "Others.\n", title="Other"),
        "content/posts/target.md": TARGET,
    }
    root = make_journal(tmp_path, files)
    output = tmp_path / "watched"
    session = WatchSession(Request(root, output, OPTIONS))
    assert session.build().ok
    source, target = root / "content/posts/source.md", root / "content/posts/target.md"
    other = root / "content/posts/other.md"

    def edit(path: Path, old: str, new: str) -> None:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        result = session.build(changed={path})
        assert compare(result, root, output, tmp_path / "clean", f"{path.name}: {new}")

    edit(source, "Plain words.", "Plain words, [[Post everyday]].")  # add a link
    assert "Mentioned in" in (output / "2024/target/index.html").read_text(encoding="utf-8")
    edit(target, "title: Post everyday!", "title: Post everyday")  # same key, new title
    edit(source, "title: Source", "title: The source")  # the mention shows the new title
    edit(target, "title: Post everyday", "title: Posting daily")  # the link is pending now
    edit(other, "title: Other", "title: Post every day")  # one typo away: a did-you-mean
    edit(other, "title: Post every day", "title: Post everyday")  # another post takes it
    shown = (output / "2024/source/index.html").read_text(encoding="utf-8")
    assert '<a class="wikilink" href="/2024/other/">Post everyday</a>' in shown
    other.unlink()  # delete the target
    assert compare(session.build(changed={other}), root, output, tmp_path / "clean", "gone")
    other.write_text(post_text("2024-03-01", "Back.\n", title="Post Everyday"), encoding="utf-8")
    assert compare(session.build(changed={other}), root, output, tmp_path / "clean", "back")
    edit(source, ", [[Post everyday]]", "")  # the link removed: no mention left
    assert "Mentioned in" not in (output / "2024/other/index.html").read_text(encoding="utf-8")


def test_a_title_two_posts_share_leads_to_the_first_and_warns(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/one.md": post_text("2024-01-10", "One.\n", title="Twins"),
            "content/posts/two.md": post_text("2024-01-11", "Two.\n", title="twins!"),
            "content/posts/source.md": post_text("2024-02-01", "See [[Twins]].\n", title="S"),
        },
    )
    result = build_journal(root)
    assert result.ok
    assert [(p.path, p.line, p.level) for p in result.problems] == [
        ("content/posts/source.md", 5, "warning")
    ]
    assert "could be content/posts/one.md and content/posts/two.md" in result.problems[0].message
    assert '<a class="wikilink" href="/2024/one/">Twins</a>' in page(root, "2024/source")


class CountedRendering:
    """A rendering that counts how often its HTML is read."""

    def __init__(self, html: str) -> None:
        self.html = html.encode("utf-8")
        self.reads = 0

    @property
    def html_utf8(self) -> bytes:
        self.reads += 1
        return self.html


def test_a_watch_sessions_memo_reads_only_renderings_it_has_not_seen() -> None:
    marked = render_markdown(make_converter("python-markdown"), "See [[Morning walks]].").html
    first, second = CountedRendering(marked), CountedRendering("<p>No link.</p>")
    memo = TitleMemo()
    assert memo.marked({"a.md": first, "b.md": second}) == {"a.md": ["Morning walks"]}
    edited = CountedRendering("<p>Now none here either.</p>")
    assert memo.marked({"a.md": edited, "b.md": second}) == {}
    assert (first.reads, second.reads, edited.reads) == (1, 1, 1)
    # A source that went is forgotten, and one that came back is read again.
    assert memo.marked({"b.md": second}) == {}
    assert memo.marked({"a.md": first, "b.md": second}) == {"a.md": ["Morning walks"]}
    assert (first.reads, second.reads) == (2, 1)

"""Render stage: the page contract (docs/architecture.md), checked on HTML parsed by html5lib."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from conftest import build_journal, make_journal, one, parse_html, post_text, select, text_of

from generator.pipeline import markup

ATOM = "{http://www.w3.org/2005/Atom}"

JOURNAL = {
    "content/themes/2024.md": "---\nword: partnership\n---\nWhy this word.\n",
    "content/themes/2022.md": "---\nword: craft\n---\n",
    "content/posts/2023/first.md": post_text("2023-03-01", "The first one.\n", title="First"),
    "content/posts/2024/partnership.md": post_text(
        "2024-06-10", "Not a deal.\n\nNext: Rest\n", title="Partnership", tags="[Partnership]"
    ),
    "content/posts/2024/rest.md": post_text(
        "2024-07-01", "Resting.\n\nNext: Post everyday\n", title="Rest"
    ),
    "content/posts/2025/later.md": post_text("2025-01-05", "Later.\n", title="Later"),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_journal(tmp_path_factory.mktemp("render"), JOURNAL)
    result = build_journal(root, write=False)
    assert result.ok, [str(p) for p in result.problems]
    return dict(result.files)


def page(files: dict[str, bytes], path: str) -> ET.Element:
    return parse_html(files[path])


def built(tmp_path: Path, journal: dict[str, str], config: str | None = None) -> dict[str, bytes]:
    result = build_journal(make_journal(tmp_path, journal, config), write=False)
    assert result.ok, [str(p) for p in result.problems]
    return dict(result.files)


# ---------------------------------------------------------------- the page set


def test_every_page_is_planned(files: dict[str, bytes]) -> None:
    expected = {
        "2022/index.html",
        "2023/feed.xml",
        "2023/first/index.html",
        "2023/index.html",
        "2024/feed.xml",
        "2024/index.html",
        "2024/partnership/index.html",
        "2024/rest/index.html",
        "2025/feed.xml",
        "2025/index.html",
        "2025/later/index.html",
        "404.html",
        "archive/index.html",
        "feed.xml",
        "index.html",
        "robots.txt",
        "sitemap.xml",
        "tags/index.html",
        "tags/partnership/index.html",
        "themes/index.html",
        "assets/style.css",
        "assets/favicon.svg",
    }
    assert expected <= set(files)
    assert "2022/feed.xml" not in files  # a year with a theme and no posts has no feed
    assert not [p for p in files if p.startswith("page/")]  # one page of posts only


# ---------------------------------------------------------------- post pages


def test_post_page_title_and_theme_word(files: dict[str, bytes]) -> None:
    tree = page(files, "2024/partnership/index.html")
    article = one(tree, "article", "post")
    assert [text_of(h) for h in article.iter("h1")] == ["Partnership"]
    word = one(tree, "a", "theme-word")
    assert (word.get("href"), text_of(word)) == ("/2024/", "partnership")


def test_no_theme_word_in_a_year_without_theme(files: dict[str, bytes]) -> None:
    assert select(page(files, "2025/later/index.html"), "a", "theme-word") == []
    assert select(page(files, "2023/first/index.html"), "a", "theme-word") == []


def test_kept_promise_and_its_back_link(files: dict[str, bytes]) -> None:
    source = page(files, "2024/partnership/index.html")
    link = one(source, "a", "chain-next", rel="next")
    assert (link.get("href"), text_of(link)) == ("/2024/rest/", "Rest")
    assert select(source, "span", "chain-pending") == []
    target = page(files, "2024/rest/index.html")
    back = one(target, "a", "chain-prev", rel="prev")
    assert (back.get("href"), text_of(back)) == ("/2024/partnership/", "Partnership")


def test_pending_promise(files: dict[str, bytes]) -> None:
    tree = page(files, "2024/rest/index.html")
    pending = one(tree, "span", "chain-next chain-pending")
    assert text_of(pending) == "Post everyday"
    assert select(tree, "a", rel="next") == []
    # The line left the Markdown; the thread's navigation shows it, once.
    assert "Post everyday" not in text_of(one(tree, "article", "post"))
    thread = text_of(one(tree, "nav", "thread"))
    assert "Next Post everyday (still to come)" in " ".join(thread.split())
    assert text_of(one(tree, "main")).count("Post everyday") == 1


def test_no_chain_marks_without_a_promise(files: dict[str, bytes]) -> None:
    tree = page(files, "2025/later/index.html")
    assert select(tree, "a", "chain-next") == select(tree, "span", "chain-next") == []
    assert select(tree, "a", "chain-prev") == []


def test_chronological_neighbours(files: dict[str, bytes]) -> None:
    newest = page(files, "2025/later/index.html")
    assert select(newest, "a", "newer") == []
    assert one(newest, "a", "older").get("href") == "/2024/rest/"
    oldest = page(files, "2023/first/index.html")
    assert one(oldest, "a", "newer").get("href") == "/2024/partnership/"
    assert select(oldest, "a", "older") == []
    # Rest's older post is the one it follows from: its thread links it, its dates do not.
    middle = page(files, "2024/rest/index.html")
    assert one(middle, "a", "newer").get("href") == "/2025/later/"
    assert select(middle, "a", "older") == []
    assert one(middle, "a", "chain-prev").get("href") == "/2024/partnership/"


# ---------------------------------------------------------------- year pages


def test_year_page(files: dict[str, bytes]) -> None:
    tree = page(files, "2024/index.html")
    assert text_of(one(tree, "span", "theme-word")) == "partnership"
    assert [a.get("href") for a in select(tree, "a", "post-link")] == [
        "/2024/rest/",
        "/2024/partnership/",
    ]
    assert "Why this word." in text_of(tree)


def test_year_with_only_a_theme(files: dict[str, bytes]) -> None:
    tree = page(files, "2022/index.html")
    assert [text_of(e) for e in tree.iter() if "theme-word" in (e.get("class") or "")] == ["craft"]
    assert select(tree, "a", "post-link") == []
    assert "2022/feed.xml" not in files


def test_year_without_theme_has_no_theme_word(files: dict[str, bytes]) -> None:
    tree = page(files, "2025/index.html")
    assert [e for e in tree.iter() if "theme-word" in (e.get("class") or "")] == []
    assert [a.get("href") for a in select(tree, "a", "post-link")] == ["/2025/later/"]


# ---------------------------------------------------------------- every page


def test_every_html_page_has_the_head_marks(files: dict[str, bytes]) -> None:
    pages = [p for p in files if p.endswith(".html")]
    assert len(pages) >= 14
    for path in pages:
        tree = page(files, path)
        root = tree if tree.tag == "html" else one(tree, "html")
        assert root.get("lang") == "en", path
        assert text_of(one(tree, "title")), path
        canonical = one(tree, "link", rel="canonical").get("href") or ""
        assert canonical.startswith("https://example.org/"), path
        feeds = select(tree, "link", rel="alternate", type="application/atom+xml")
        assert feeds and all(
            (f.get("href") or "").startswith("https://example.org/") for f in feeds
        ), path


def test_canonical_links_name_each_page(files: dict[str, bytes]) -> None:
    def canonical(path: str) -> str | None:
        return one(page(files, path), "link", rel="canonical").get("href")

    assert canonical("index.html") == "https://example.org/"
    assert canonical("2024/rest/index.html") == "https://example.org/2024/rest/"
    assert canonical("404.html") == "https://example.org/404.html"


def test_year_page_offers_its_own_feed(files: dict[str, bytes]) -> None:
    feeds = select(page(files, "2024/index.html"), "link", rel="alternate")
    assert [f.get("href") for f in feeds] == [
        "https://example.org/feed.xml",
        "https://example.org/2024/feed.xml",
    ]


def test_markdown_features(tmp_path: Path) -> None:
    body = (
        "Some *emphasis* and a [link](https://example.com/).\n\n"
        "```python\ndef f():\n    return 1 < 2\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "<!-- more -->\n\nAfter the fold.\n"
    )
    files = built(tmp_path, {"content/posts/p.md": post_text(body=body, title="Features")})
    tree = parse_html(files["2024/p/index.html"])
    assert select(tree, "div", "highlight")
    assert "1 < 2" in text_of(one(tree, "div", "highlight"))
    assert select(tree, "table")
    home = parse_html(files["index.html"])
    excerpt = text_of(one(home, "div", "excerpt"))
    assert "emphasis" in excerpt and "After the fold" not in excerpt


def test_summaries_come_from_the_field_then_the_more_mark_then_the_first_paragraph(
    tmp_path: Path,
) -> None:
    files = built(
        tmp_path,
        {
            "content/posts/a.md": post_text(
                "2024-01-03", "First.\n\nSecond.\n", title="A", summary="'<b>Given</b> & short'"
            ),
            "content/posts/b.md": post_text(
                "2024-01-02", "One.\n\nTwo.\n\n<!-- more -->\n\nThree.\n", title="B"
            ),
            "content/posts/c.md": post_text("2024-01-01", "Only this.\n\nNot this.\n", title="C"),
        },
    )
    home = parse_html(files["index.html"])
    excerpts = [text_of(e) for e in select(home, "div", "excerpt")]
    assert [" ".join(e.split()) for e in excerpts] == [
        "<b>Given</b> & short",
        "One. Two.",
        "Only this.",
    ]
    entries = feedparser.parse(files["feed.xml"]).entries
    assert [e.summary for e in entries] == [
        "<p>&lt;b&gt;Given&lt;/b&gt; &amp; short</p>",
        "<p>One.</p>\n<p>Two.</p>",
        "<p>Only this.</p>",
    ]
    post = parse_html(files["2024/a/index.html"])
    assert one(post, "meta", name="description").get("content") == "<b>Given</b> & short"


def test_sitemap_and_robots(files: dict[str, bytes]) -> None:
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    tree = ET.fromstring(files["sitemap.xml"])
    entries = {
        (u.findtext(f"{namespace}loc") or ""): u.findtext(f"{namespace}lastmod")
        for u in tree.iter(f"{namespace}url")
    }
    assert all(loc.startswith("https://example.org/") for loc in entries)
    assert entries["https://example.org/2024/partnership/"] == "2024-06-10"
    assert entries["https://example.org/"] is None
    for page in ("2022/", "2024/", "themes/", "tags/", "archive/", "tags/partnership/"):
        assert f"https://example.org/{page}" in entries
    assert "https://example.org/404.html" not in entries
    assert b"Sitemap: https://example.org/sitemap.xml" in files["robots.txt"]


# ---------------------------------------------------------------- escaping

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_journal(
        tmp_path_factory.mktemp("evil"),
        {
            "content/themes/2024.md": f"---\nword: '{EVIL}'\n---\n",
            "content/posts/a.md": post_text(
                "2024-01-01",
                f"Text.\n\nNext: {EVIL} two\n",
                title=f"'{EVIL} & co'",
                tags=f"['{EVIL}', plain]",
            ),
            "content/posts/b.md": post_text(
                "2024-01-02", f"Text.\n\nNext: {EVIL} & co\n", title=f"'{EVIL} kept'"
            ),
        },
        config=f'title = "{EVIL} site"\nbase_url = "https://example.org/"\n',
    )
    result = build_journal(root, write=False)
    assert result.ok, [str(p) for p in result.problems]
    return dict(result.files)


def test_titles_tags_and_theme_words_are_escaped_in_pages(evil: dict[str, bytes]) -> None:
    pages = [p for p in evil if p.endswith(".html")]
    for path in pages:
        tree = parse_html(evil[path])
        assert all(s.get("src") and not text_of(s) for s in tree.iter("script")), path
        assert EVIL.encode() not in evil[path], path
    post = parse_html(evil["2024/a/index.html"])
    assert text_of(one(post, "h1")) == f"{EVIL} & co"
    assert text_of(one(post, "a", "theme-word")) == EVIL
    assert text_of(one(post, "span", "chain-pending")) == f"{EVIL} two"
    assert [text_of(a) for a in select(post, "a", rel="tag")] == [EVIL, "plain"]
    assert one(post, "title").text == f"{EVIL} & co · {EVIL} site"
    kept = parse_html(evil["2024/b/index.html"])
    assert text_of(one(kept, "a", "chain-next")) == f"{EVIL} & co"


@pytest.mark.parametrize("feed_path", ["feed.xml", "2024/feed.xml"])
def test_titles_tags_and_promises_are_escaped_in_feeds(
    evil: dict[str, bytes], feed_path: str
) -> None:
    data = evil[feed_path]
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    titles = sorted(e.title for e in parsed.entries)
    assert titles == [f"{EVIL} & co", f"{EVIL} kept"]
    assert {t.term for e in parsed.entries for t in e.get("tags", [])} == {EVIL, "plain"}
    # One level of unescaping (the XML parser's) gives the HTML of the entry: it must show
    # the text, never carry a script element.
    tree = ET.fromstring(data)
    for element in tree.iter():
        if element.tag in (f"{ATOM}content", f"{ATOM}summary"):
            assert "<script" not in (element.text or "").lower(), element.tag
    contents = [e.text or "" for e in tree.iter(f"{ATOM}content")]
    assert any(html.escape(f"{EVIL} two", quote=False) in c for c in contents)
    assert re.search(rb"<script", data) is None


# ---------------------------------------------------------------- overrides, pagination, base path


def test_a_journal_template_overrides_one_file(tmp_path: Path) -> None:
    files = built(
        tmp_path,
        {
            "content/posts/p.md": post_text(title="Only"),
            "templates/404.html": (
                '{% extends "base.html" %}{% block main %}<h1 class="mine">Lost?</h1>{% endblock %}'
            ),
        },
    )
    lost = parse_html(files["404.html"])
    assert text_of(one(lost, "h1", "mine")) == "Lost?"
    assert one(lost, "link", rel="canonical") is not None  # still the built-in base.html
    post = parse_html(files["2024/p/index.html"])
    assert text_of(one(one(post, "article", "post"), "h1")) == "Only"


def test_a_broken_journal_template_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/p.md": post_text(),
            "templates/tags.html": "{% extends 'base.html' %}\n{% block main %}{{ oops(\n",
        },
    )
    result = build_journal(root, write=False)
    assert not result.ok
    (problem,) = result.problems
    assert problem.path == "templates/tags.html" and problem.line == 2
    assert problem.message.startswith("template error:")


def test_pagination(tmp_path: Path) -> None:
    posts = {
        f"content/posts/p{n}.md": post_text(f"2024-01-0{n}", title=f"Post {n}") for n in range(1, 6)
    }
    config = 'base_url = "https://example.org/"\nposts_per_page = 2\n'
    files = built(tmp_path, posts, config)
    pages = ["index.html", "page/2/index.html", "page/3/index.html"]
    assert sorted(p for p in files if p == "index.html" or p.startswith("page/")) == pages
    listed = [[text_of(a) for a in select(parse_html(files[p]), "a", "post-link")] for p in pages]
    assert listed == [["Post 5", "Post 4"], ["Post 3", "Post 2"], ["Post 1"]]
    first, second, last = (parse_html(files[p]) for p in pages)
    assert select(first, "a", "newer") == []
    assert one(first, "a", "older").get("href") == "/page/2/"
    assert one(second, "a", "newer").get("href") == "/"
    assert one(second, "a", "older").get("href") == "/page/3/"
    assert select(last, "a", "older") == []
    canonical = one(second, "link", rel="canonical").get("href")
    assert canonical == "https://example.org/page/2/"


def test_empty_journal_still_has_a_home_page(tmp_path: Path) -> None:
    files = built(tmp_path, {})
    home = parse_html(files["index.html"])
    assert "No posts yet" in text_of(home)
    assert feedparser.parse(files["feed.xml"]).bozo == 0


def test_every_internal_link_carries_the_base_path(tmp_path: Path) -> None:
    journal = dict(JOURNAL)
    config = 'base_url = "https://user.github.io/journal/"\nposts_per_page = 2\n'
    files = built(tmp_path, journal, config)
    checked = 0
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        tree = parse_html(data)
        for element in tree.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is None or value.startswith("#"):
                    continue
                checked += 1
                if value.startswith("/"):
                    assert value.startswith("/journal/"), (path, value)
                else:
                    assert value.startswith("https://user.github.io/journal/"), (path, value)
    assert checked > 100
    for feed in ("feed.xml", "2024/feed.xml", "sitemap.xml", "robots.txt"):
        urls = re.findall(rb"https?://[^\s\"<]+", files[feed])
        ours = [
            u
            for u in urls
            if b"example" not in u and b"w3.org" not in u and b"sitemaps.org" not in u
        ]
        assert ours and all(u.startswith(b"https://user.github.io/journal/") for u in ours), feed


def test_descriptions_are_plain_text_escaped_once(tmp_path: Path) -> None:
    body = 'A partner\'s *word* & "more" <code>x</code>.\n\nSecond paragraph.\n'
    files = built(tmp_path, {"content/posts/p.md": post_text(body=body, title="Quotes")})
    raw = files["2024/p/index.html"].decode()
    assert "&amp;rsquo;" not in raw and "&amp;amp;" not in raw and "&amp;ldquo;" not in raw
    tree = parse_html(raw)
    expected = "A partner’s word & “more” x."
    assert one(tree, "meta", name="description").get("content") == expected
    assert one(tree, "meta", property="og:description").get("content") == expected
    assert one(tree, "meta", name="twitter:description").get("content") == expected


def test_a_more_mark_inside_a_paragraph_is_ignored(tmp_path: Path) -> None:
    body = "Intro words <!-- more --> still the intro.\n\nSecond paragraph.\n"
    files = built(tmp_path, {"content/posts/p.md": post_text(body=body, title="Inline")})
    home = files["index.html"].decode()
    excerpt = " ".join(text_of(one(parse_html(home), "div", "excerpt")).split())
    assert "still the intro." in excerpt and "Second paragraph" not in excerpt
    # The summary is whole paragraphs: as many <p> opened as closed.
    summary = feedparser.parse(files["feed.xml"]).entries[0].summary
    assert summary.count("<p>") == summary.count("</p>") == 1


def test_page_titles_of_later_home_pages_name_the_site_once(tmp_path: Path) -> None:
    posts = {f"content/posts/p{n}.md": post_text(f"2024-01-0{n}", title=f"P{n}") for n in (1, 2)}
    files = built(
        tmp_path, posts, 'title = "Diary"\nbase_url = "https://e.org/"\nposts_per_page = 1\n'
    )
    assert text_of(one(parse_html(files["page/2/index.html"]), "title")) == "Page 2 · Diary"
    assert text_of(one(parse_html(files["index.html"]), "title")) == "Diary"


def test_not_found_and_search_pages_point_to_the_archive(tmp_path: Path) -> None:
    config = 'base_url = "https://e.org/journal/"\n'
    files = built(tmp_path, {"content/posts/p.md": post_text(title="P")}, config)
    for path in ("404.html", "search/index.html"):
        links = [a.get("href") for a in parse_html(files[path]).iter("a")]
        assert "/journal/archive/" in links, path
    # the search page says so in its <noscript>, which an HTML5 parser keeps as text
    assert b'href="/journal/archive/"' in files["search/index.html"]


def test_empty_calendar_days_carry_no_tooltip(tmp_path: Path) -> None:
    files = built(tmp_path, {"content/posts/p.md": post_text("2024-03-03", title="P")})
    year = files["2024/index.html"].decode()
    assert "nothing written" not in year
    calendar = one(parse_html(year), "figure", "calendar")
    titles = [str(e.get("title")) for e in calendar.iter() if e.get("title")]
    # the one day written, then the legend's five levels
    assert titles[0] == "Sunday 3 March 2024: “P”, 2 words" and len(titles) == 1 + 5
    assert "Calendar of 2024: 1 post" in text_of(one(calendar, "figcaption"))


class _CountingPattern:
    """A regular expression that counts the tokens it hands out."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.tokens = 0

    def finditer(self, text: str) -> object:
        for token in self.pattern.finditer(text):
            self.tokens += 1
            yield token


def test_summaries_look_at_each_tag_once_however_many_marks_a_paragraph_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Thousands of `<!-- more -->` written inside one paragraph (where they do not cut) used
    to make the summary look at the text before each of them again: 10,000 took 34 s."""
    counting = _CountingPattern(markup._TAG_TOKEN)
    monkeypatch.setattr(markup, "_TAG_TOKEN", counting)
    marks = 5_000
    html = "<p>" + "word <!-- more --> " * marks + "</p>\n<!-- more -->\n<p>Rest.</p>"
    assert markup.summary_of(html) == "<p>" + "word <!-- more --> " * marks + "</p>"
    assert counting.tokens <= marks + 3  # (each mark, the paragraph's tags, the real mark)
    assert markup.summary_of("<p>One <!-- more --> two.</p>\n<p>Next.</p>") == (
        "<p>One <!-- more --> two.</p>"
    )

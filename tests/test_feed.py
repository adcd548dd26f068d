"""Atom feeds, read by feedparser: valid, stable ids, `updated` from the newest post, absolute
links, one feed per year."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import feedparser
import pytest
from conftest import build_journal, make_journal, post_text

ATOM = "{http://www.w3.org/2005/Atom}"
CONFIG = (
    'title = "Words"\nauthor = "A. Writer"\ndescription = "One word a year."\n'
    'base_url = "https://example.org/journal/"\ntimezone = "Asia/Singapore"\n'
)
JOURNAL = {
    "content/posts/old.md": post_text(
        "2023-12-31T20:00:00+00:00", "Old.\n", title="Old", tags="[x]"
    ),
    "content/posts/mid.md": post_text(
        "2024-03-01", "Middle with a [link](../old/).\n\nNext: Newest\n", title="Mid"
    ),
    "content/posts/new.md": post_text(
        "2024-06-10 08:30", "Newest.\n\nNext: Not yet\n", title="Newest", tags="[x, Y]"
    ),
    "content/posts/draft.md": post_text("2024-07-01", "Draft.\n", title="Draft", draft="true"),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_journal(tmp_path_factory.mktemp("feed"), JOURNAL, CONFIG)
    result = build_journal(root, write=False)
    assert result.ok, [str(p) for p in result.problems]
    return dict(result.files)


def feed(files: dict[str, bytes], path: str) -> Any:
    parsed = feedparser.parse(files[path])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_site_feed(files: dict[str, bytes]) -> None:
    parsed = feed(files, "feed.xml")
    assert parsed.feed.title == "Words"
    assert parsed.feed.id == "https://example.org/journal/feed.xml"
    assert parsed.feed.subtitle == "One word a year."
    assert parsed.feed.author == "A. Writer"
    assert parsed.feed.link == "https://example.org/journal/"
    assert [e.title for e in parsed.entries] == ["Newest", "Mid", "Old"]  # no draft


def test_entry_ids_are_the_absolute_post_urls(files: dict[str, bytes]) -> None:
    parsed = feed(files, "feed.xml")
    ids = [e.id for e in parsed.entries]
    assert ids == [
        "https://example.org/journal/2024/new/",
        "https://example.org/journal/2024/mid/",
        "https://example.org/journal/2024/old/",  # 31 December 20:00 UTC is 2024 in Singapore
    ]
    assert [e.link for e in parsed.entries] == ids


def test_updated_is_the_newest_post(files: dict[str, bytes]) -> None:
    parsed = feed(files, "feed.xml")
    assert parsed.feed.updated == "2024-06-10T08:30:00+08:00"
    newest = parsed.entries[0]
    assert newest.published == newest.updated == "2024-06-10T08:30:00+08:00"


def test_entries_carry_full_content_and_tags(files: dict[str, bytes]) -> None:
    parsed = feed(files, "feed.xml")
    newest = parsed.entries[0]
    assert [t.term for t in newest.tags] == ["x", "Y"]
    (content,) = newest.content
    assert content.type == "text/html"
    assert "<p>Newest.</p>" in content.value
    assert "Not yet (still to come)" in content.value
    mid = parsed.entries[1].content[0].value
    assert 'href="https://example.org/journal/2024/new/"' in mid  # the kept promise, absolute


def test_every_link_in_the_feed_is_absolute(files: dict[str, bytes]) -> None:
    tree = ET.fromstring(files["feed.xml"])
    hrefs = [e.get("href") or "" for e in tree.iter(f"{ATOM}link")]
    assert hrefs and all(h.startswith("https://example.org/journal/") for h in hrefs)
    bases = [
        e.get("{http://www.w3.org/XML/1998/namespace}base") for e in tree.iter(f"{ATOM}content")
    ]
    assert all(b and b.startswith("https://example.org/journal/") for b in bases)
    # A relative link in a post resolves against the entry's xml:base to the right page.
    parsed = feed(files, "feed.xml")
    assert 'href="https://example.org/journal/2024/old/"' in parsed.entries[1].content[0].value


def test_per_year_feed(files: dict[str, bytes]) -> None:
    parsed = feed(files, "2024/feed.xml")
    assert parsed.feed.id == "https://example.org/journal/2024/feed.xml"
    assert parsed.feed.link == "https://example.org/journal/2024/"
    assert [e.title for e in parsed.entries] == ["Newest", "Mid", "Old"]
    assert parsed.feed.updated == "2024-06-10T08:30:00+08:00"
    assert "2023/feed.xml" not in files


def test_feed_of_an_empty_journal_is_valid(tmp_path: Path) -> None:
    result = build_journal(make_journal(tmp_path, {}), write=False)
    parsed = feedparser.parse(result.files["feed.xml"])
    assert not parsed.bozo
    assert parsed.entries == []
    assert parsed.feed.updated == "1970-01-01T00:00:00+00:00"  # fixed, never the clock


def test_only_the_newest_posts_are_in_full(tmp_path: Path) -> None:
    """`feed_full_posts`: every post is in the feed; the newest N carry their whole text,
    the older ones their summary (and link), in the site's feed and in each year's."""
    root = make_journal(tmp_path, JOURNAL, CONFIG + "feed_full_posts = 1\n")
    result = build_journal(root, write=False)
    for path in ("feed.xml", "2024/feed.xml"):
        parsed = feed(dict(result.files), path)
        assert [e.title for e in parsed.entries] == ["Newest", "Mid", "Old"]
        assert [len(e.get("content", ())) for e in parsed.entries] == [1, 0, 0], path
        assert all(e.summary for e in parsed.entries)
        assert "Middle with a" in parsed.entries[1].summary


def test_summaries_only(tmp_path: Path) -> None:
    root = make_journal(tmp_path, JOURNAL, CONFIG + "feed_full_posts = 0\n")
    parsed = feed(dict(build_journal(root, write=False).files), "feed.xml")
    assert len(parsed.entries) == 3
    assert not any("content" in e for e in parsed.entries)


def test_a_journal_can_draw_its_own_feed_and_entries(tmp_path: Path) -> None:
    """templates/feed-entry.xml draws each entry; a feed.xml of a journal's own that draws
    `feed.entries` itself (and ignores `entries`) works too."""
    own_entry = "  <entry><title>[{{ post.title }}]</title><id>{{ post.abs_url }}</id></entry>\n"
    root = make_journal(tmp_path, {**JOURNAL, "templates/feed-entry.xml": own_entry}, CONFIG)
    parsed = feedparser.parse(build_journal(root, write=False).files["feed.xml"])
    assert [e.title for e in parsed.entries] == ["[Newest]", "[Mid]", "[Old]"]
    own_feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>{{ feed.title }}</title>{% for post in feed.entries %}<entry><title>"
        "{{ post.title }}!</title></entry>{% endfor %}</feed>\n"
    )
    (root / "templates/feed.xml").write_text(own_feed, encoding="utf-8")
    parsed = feedparser.parse(build_journal(root, write=False).files["feed.xml"])
    assert [e.title for e in parsed.entries] == ["Newest!", "Mid!", "Old!"]


def test_control_characters_are_removed_with_a_warning_and_feeds_stay_xml(tmp_path: Path) -> None:
    """A form feed, ESC or backspace pasted into a post, or a NUL made by a YAML escape in a
    title, would make the feeds invalid XML: each is removed, with a warning at its line."""
    body = "Before\x0c the break.\n\nAn escape \x1b[1m and a back\x08space.\n"
    root = make_journal(
        tmp_path,
        {
            "content/posts/2024/ctl.md": (
                '---\ntitle: "Null\\0 and bell\\a"\ndate: 2024-03-01\ntags: ["t\\x01ag"]\n---\n'
                + body
            ),
        },
    )
    result = build_journal(root)
    assert result.ok
    shown = [f"{p.path}:{p.line}: {p.message}" for p in result.problems if p.level == "warning"]
    key = "content/posts/2024/ctl.md"
    assert any(s.startswith(f"{key}:6: removed 3 control characters") for s in shown), shown
    assert any(s.startswith(f"{key}:2: removed 2 control characters") for s in shown), shown
    assert any(s.startswith(f"{key}:4: removed a control character (U+0001)") for s in shown)
    output = root / "output"
    for name in ("feed.xml", "2024/feed.xml", "sitemap.xml"):
        ET.fromstring((output / name).read_bytes())  # raises on a character XML forbids
    page = (output / "2024/ctl/index.html").read_text(encoding="utf-8")
    assert "Null and bell" in page and "Before the break." in page
    assert not any(chr(c) in page for c in (0, 7, 8, 0x0C, 0x1B))

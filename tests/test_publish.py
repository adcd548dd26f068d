"""Publishing under a subpath: the built site served at /journal/ and crawled like a visitor,
with the sharing metadata a link preview needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_journal, make_journal, one, parse_html, select
from sample_journals import RICH_FILES, SUBPATH_BASE_URL
from site_server import crawl, serve_site

REPO = Path(__file__).resolve().parent.parent
UNLINKED = {".journal-manifest.json"}
# Reached without a link: the 404 page (the host serves it), robots.txt (crawlers ask for it;
# it names the sitemap) and the search index (the search page's script loads it).
EXTRA = ("404.html", "robots.txt", "search/index.json")


def built(tmp_path: Path, root: Path, base_url: str | None) -> Path:
    output = tmp_path / "site"
    result = build_journal(root, output=output, base_url=base_url)
    assert result.ok, [str(p) for p in result.problems]
    return output


def crawl_served(output: Path, base_path: str, public_base: str) -> tuple[set[str], list[str]]:
    """The output files a visitor reaches from the home page, and every broken link."""
    with serve_site(output, base_path) as start:
        result = crawl(start, public_base, extra=EXTRA)
    reached = set()
    for url in result.visited:
        path = url[len(start) :] if url.startswith(start) else url
        reached.add(path + "index.html" if path.endswith("/") or not path else path)
    return {p.replace("%E6%97%A5%E8%A8%98", "日記") for p in reached}, result.broken


def files_of(output: Path) -> set[str]:
    return {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()} - UNLINKED


@pytest.mark.parametrize(
    ("journal", "base_url", "base_path"),
    [
        ("rich", SUBPATH_BASE_URL, "/journal/"),
        ("rich", "https://example.org/", "/"),
        ("repo", SUBPATH_BASE_URL, "/journal/"),
        ("repo", "https://example.org/deep/er/", "/deep/er/"),
    ],
)
def test_every_page_is_reached_and_no_link_is_broken(
    tmp_path: Path, journal: str, base_url: str, base_path: str
) -> None:
    root = make_journal(tmp_path, RICH_FILES) if journal == "rich" else REPO
    output = built(tmp_path, root, base_url)
    reached, broken = crawl_served(output, base_path, base_url)
    assert broken == []
    assert files_of(output) - reached == set()


def test_the_crawl_catches_a_link_without_the_base_path(tmp_path: Path) -> None:
    files = dict(RICH_FILES)
    files["templates/404.html"] = (
        '{% extends "base.html" %}{% block main %}<a href="/archive/">lost</a>{% endblock %}'
    )
    output = built(tmp_path, make_journal(tmp_path, files), SUBPATH_BASE_URL)
    _, broken = crawl_served(output, "/journal/", SUBPATH_BASE_URL)
    assert any("/archive/ (found on" in line and "404" in line for line in broken)


def test_feeds_sitemap_and_canonical_links_are_absolute_under_the_subpath(tmp_path: Path) -> None:
    output = built(tmp_path, make_journal(tmp_path, RICH_FILES), SUBPATH_BASE_URL)
    post = parse_html((output / "2024/partnership/index.html").read_bytes())
    assert one(post, "link", rel="canonical").get("href") == SUBPATH_BASE_URL + "2024/partnership/"
    assert one(post, "link", rel="stylesheet").get("href") == "/journal/assets/style.css"
    assert one(post, "link", rel="icon").get("href") == "/journal/assets/favicon.svg"
    sitemap = (output / "sitemap.xml").read_text()
    assert f"<loc>{SUBPATH_BASE_URL}2024/partnership/</loc>" in sitemap
    assert "<loc>/" not in sitemap
    robots = (output / "robots.txt").read_text()
    assert f"Sitemap: {SUBPATH_BASE_URL}sitemap.xml" in robots
    not_found = parse_html((output / "404.html").read_bytes())
    hrefs = [a.get("href") or "" for a in select(not_found, "a")]
    internal = [h for h in hrefs if not h.startswith(("https:", "#"))]
    assert internal and all(h.startswith("/journal/") for h in internal)


def test_post_pages_carry_opengraph_and_twitter_metadata(tmp_path: Path) -> None:
    output = built(tmp_path, make_journal(tmp_path, RICH_FILES), SUBPATH_BASE_URL)
    tree = parse_html((output / "2024/escaped/index.html").read_bytes())
    meta = {
        (m.get("property") or m.get("name")): m.get("content")
        for m in select(tree, "meta")
        if m.get("property") or m.get("name")
    }
    title = "<script>alert('x')</script> & \"quotes\""
    assert meta["og:title"] == title
    assert meta["twitter:title"] == title
    assert meta["og:type"] == "article"
    assert meta["og:url"] == SUBPATH_BASE_URL + "2024/escaped/"
    assert meta["og:description"] == "A summary with <b>markup</b> & ampersands"
    assert meta["description"] == meta["og:description"] == meta["twitter:description"]
    assert meta["article:published_time"] == "2024-07-02T09:30:00+02:00"
    assert meta["twitter:card"] == "summary"
    raw = (output / "2024/escaped/index.html").read_text()
    assert "<script>alert" not in raw
    home = parse_html((output / "index.html").read_bytes())
    assert one(home, "meta", property="og:type").get("content") == "website"


def test_each_year_page_links_its_own_feed(tmp_path: Path) -> None:
    output = built(tmp_path, make_journal(tmp_path, RICH_FILES), SUBPATH_BASE_URL)
    for year in ("2023", "2024"):
        tree = parse_html((output / year / "index.html").read_bytes())
        feeds = [
            link.get("href")
            for link in select(tree, "link", rel="alternate", type="application/atom+xml")
        ]
        assert feeds == [SUBPATH_BASE_URL + "feed.xml", f"{SUBPATH_BASE_URL}{year}/feed.xml"]
        assert (output / year / "feed.xml").is_file()


def test_summaries_on_lists_link_footnotes_to_their_post(tmp_path: Path) -> None:
    output = built(tmp_path, make_journal(tmp_path, RICH_FILES), SUBPATH_BASE_URL)
    listing = (output / "page/3/index.html").read_text()
    assert 'href="/journal/2023/courage/#fn:1"' in listing
    assert 'id="fnref:1"' not in listing
    post = (output / "2023/courage/index.html").read_text()
    assert 'id="fn:1"' in post and 'id="fnref:1"' in post

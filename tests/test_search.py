"""Search: the JSON index (pure, deterministic) and the /search/ page in a real browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import headless_chromium
from conftest import build_journal, make_journal, one, parse_html, post_text, text_of
from sample_journals import RICH_FILES, SUBPATH_BASE_URL
from site_server import serve_site

from generator.search import SEARCH_INDEX

REPO = Path(__file__).resolve().parent.parent


def index_of(files: dict[str, bytes] | Any) -> list[dict[str, Any]]:
    return json.loads(files[SEARCH_INDEX])  # type: ignore[no-any-return]


def test_the_index_lists_every_published_post_newest_first(tmp_path: Path) -> None:
    result = build_journal(make_journal(tmp_path, RICH_FILES), write=False)
    entries = index_of(result.files)
    assert [e["url"] for e in entries] == [
        "/journal/2024/a-jekyll-name/",
        "/journal/2024/cjk/",
        "/journal/2024/escaped/",
        "/journal/2024/partnership/",
        "/journal/2023/courage/",
    ]
    escaped = entries[2]
    assert escaped["title"] == "<script>alert('x')</script> & \"quotes\""
    assert escaped["date"] == "2 July 2024"
    assert escaped["iso"] == "2024-07-02T09:30:00+02:00"
    assert escaped["tags"] == ["C++", "R&D"]
    assert escaped["text"] == "Text with inline HTML, an ampersand & a “quote”. See also the draft."
    courage = entries[4]["text"]
    assert courage.startswith("Courage is a habit. A small table Day Words Monday 300")
    assert courage.endswith("Said many times & by many people.")
    assert "今日は良い天気です" in entries[1]["text"]
    assert all("Unfinished" not in e["text"] for e in entries)  # the draft is not published


def test_the_index_is_byte_identical_across_builds(tmp_path: Path) -> None:
    root = make_journal(tmp_path, RICH_FILES)
    first = build_journal(root, write=False).files[SEARCH_INDEX]
    assert build_journal(root, write=False).files[SEARCH_INDEX] == first


def test_the_search_page_works_without_script_except_for_searching(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/a.md": post_text(title="A")})
    page = build_journal(root, write=False).files["search/index.html"]
    tree = parse_html(page)
    form = one(tree, "form", "search")
    assert form.get("action") == "/search/" and form.get("method") == "get"
    assert form.get("data-search-index") == "/search/index.json"
    one(form, "input", type="search", name="q")
    notice = text_of(one(tree, "noscript"))
    assert "needs JavaScript" in notice
    assert one(tree, "script").get("src") == "/assets/search.js"


# ---------------------------------------------------------------- in headless Chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as launched:
        yield launched


def results_of(page: Any, query: str) -> list[dict[str, str]]:
    """The results shown once the page has answered `query`."""
    page.wait_for_function(
        "q => document.getElementById('search-status').textContent.includes('found for “' + q)",
        arg=query,
    )
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        ".search-result",
        """items => items.map(li => ({
            title: li.querySelector('a').textContent,
            href: li.querySelector('a').getAttribute('href'),
            date: li.querySelector('time').textContent,
            snippet: li.querySelector('.search-snippet').textContent,
            marked: Array.from(li.querySelectorAll('mark')).map(m => m.textContent)
        }))""",
    )


@pytest.mark.browser
def test_typing_partnership_finds_the_essay_under_a_subpath(browser: Any, tmp_path: Path) -> None:
    output = tmp_path / "site"
    assert build_journal(REPO, output=output, base_url=SUBPATH_BASE_URL).ok
    with serve_site(output, "/journal/") as start:
        page = browser.new_page()
        page.goto(start + "search/")
        page.fill("#search-input", "partnership")
        found = results_of(page, "partnership")
        assert [r["title"] for r in found] == ["Partnership"]
        assert found[0]["href"] == "/journal/2024/partnership/"
        assert found[0]["date"] == "10 June 2024"
        assert "partnership" in [m.lower() for m in found[0]["marked"]]
        assert page.url.endswith("/journal/search/?q=partnership")
        page.click(".search-result a")
        page.wait_for_url(start + "2024/partnership/")
        assert page.inner_text("h1") == "Partnership"
        page.close()


@pytest.mark.browser
def test_search_ranks_matches_and_escapes_titles(browser: Any, tmp_path: Path) -> None:
    output = tmp_path / "site"
    root = make_journal(tmp_path, RICH_FILES)
    assert build_journal(root, output=output, base_url=SUBPATH_BASE_URL).ok
    with serve_site(output, "/journal/") as start:
        page = browser.new_page()
        page.goto(start + "search/?q=quotes")
        found = results_of(page, "quotes")
        assert [r["title"] for r in found] == ["<script>alert('x')</script> & \"quotes\""]
        assert page.evaluate("document.querySelectorAll('.search-result script').length") == 0
        page.fill("#search-input", "パートナーシップ")
        found = results_of(page, "パートナーシップ")
        assert [r["title"] for r in found] == ["日本語のタイトル"]
        page.fill("#search-input", "nothing-like-this")
        results_of(page, "nothing-like-this")
        assert page.eval_on_selector_all(".search-result", "items => items.length") == 0
        page.close()


def test_the_public_base_url_is_not_needed_to_search(tmp_path: Path) -> None:
    """Result URLs are paths with the base path, so they work on any host serving the site."""
    entries = index_of(build_journal(REPO, base_url=SUBPATH_BASE_URL, write=False).files)
    assert entries and all(e["url"].startswith("/journal/") for e in entries)

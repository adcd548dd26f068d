"""Search: the JSON index (pure, deterministic; a manifest and one part per year) and the
/search/ page in a real browser."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from browser import headless_chromium
from conftest import OPTIONS, build_journal, make_journal, one, parse_html, post_text, text_of
from sample_journals import RICH_FILES, SUBPATH_BASE_URL
from site_server import serve_site

import generator.pipeline.render
from generator.features.search import SEARCH_INDEX
from generator.incremental.session import WatchSession
from generator.pipeline.build import Request

REPO = Path(__file__).resolve().parent.parent

# Posts in three years (and a theme for a year without posts, which gets no part).
YEARS_FILES: dict[str, str] = {
    "content/themes/2021.md": "---\nword: quiet\n---\nA year without posts.\n",
    "content/posts/2022/lantern.md": post_text(
        "2022-03-04", "The lantern by the heron pond.\n", title="Lantern"
    ),
    "content/posts/2023/bridge.md": post_text(
        "2023-05-06", "A bridge, a river and a heron.\n", title="Bridge"
    ),
    "content/posts/2023/ferry.md": post_text(
        "2023-11-12", "The ferry at dawn.\n", title="Ferry", tags="[boats]"
    ),
    "content/posts/2024/harbour.md": post_text(
        "2024-01-02", "A heron in the harbour.\n", title="Harbour"
    ),
}


def manifest_of(files: Mapping[str, bytes]) -> list[str]:
    """The part URLs the manifest names, in its order."""
    manifest = json.loads(files[SEARCH_INDEX])
    assert list(manifest) == ["parts"]
    return manifest["parts"]  # type: ignore[no-any-return]


def part_path(url: str, base_path: str) -> str:
    assert url.startswith(base_path), url
    return url[len(base_path) :]


def index_of(files: Mapping[str, bytes], base_path: str = "/journal/") -> list[dict[str, Any]]:
    """Every entry of every part, in the manifest's order (as the search page reads them)."""
    entries: list[dict[str, Any]] = []
    for url in manifest_of(files):
        entries.extend(json.loads(files[part_path(url, base_path)]))
    return entries


def search_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path.endswith(".json")}


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
    first = search_files(build_journal(root, write=False).files)
    assert set(first) == {SEARCH_INDEX, "search/2024.json", "search/2023.json"}
    assert search_files(build_journal(root, write=False).files) == first


def test_the_manifest_names_one_part_per_year_with_posts_newest_first(tmp_path: Path) -> None:
    files = build_journal(make_journal(tmp_path, YEARS_FILES), write=False).files
    assert files[SEARCH_INDEX] == (
        b'{"parts":["/search/2024.json","/search/2023.json","/search/2022.json"]}\n'
    )
    assert "search/2021.json" not in files  # a theme alone makes no part
    titles = {
        year: [e["title"] for e in json.loads(files[f"search/{year}.json"])]
        for year in (2024, 2023, 2022)
    }
    assert titles == {2024: ["Harbour"], 2023: ["Ferry", "Bridge"], 2022: ["Lantern"]}
    ferry = json.loads(files["search/2023.json"])[0]
    assert ferry == {
        "title": "Ferry",
        "url": "/2023/ferry/",
        "date": "12 November 2023",
        "iso": "2023-11-12T00:00:00+00:00",
        "tags": ["boats"],
        "text": "The ferry at dawn.",
    }
    assert [e["title"] for e in index_of(files, "/")] == [
        "Harbour",
        "Ferry",
        "Bridge",
        "Lantern",
    ]


def test_a_journal_without_posts_has_an_empty_manifest(tmp_path: Path) -> None:
    result = build_journal(make_journal(tmp_path, {}), write=False)
    assert result.ok, [str(p) for p in result.problems]
    assert search_files(result.files) == {SEARCH_INDEX: b'{"parts":[]}\n'}


def test_parts_carry_the_base_path(tmp_path: Path) -> None:
    root = make_journal(tmp_path, YEARS_FILES)
    files = build_journal(root, base_url=SUBPATH_BASE_URL, write=False).files
    assert manifest_of(files) == [
        "/journal/search/2024.json",
        "/journal/search/2023.json",
        "/journal/search/2022.json",
    ]


def test_an_edit_remakes_only_its_years_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In watch mode, editing one post makes and writes its year's part alone: the other
    parts and the manifest are kept as they are."""
    root = make_journal(tmp_path, YEARS_FILES)
    output = tmp_path / "site"
    builder = WatchSession(Request(root, output, OPTIONS))
    assert builder.build().ok
    made: list[set[int]] = []
    make_part = generator.pipeline.render._search_index_bytes

    def recording(views: Any, context: Mapping[str, Any], *rest: Any) -> Iterator[bytes]:
        made.append({post.year for post in context["posts"]})
        return make_part(views, context, *rest)

    monkeypatch.setattr(generator.pipeline.render, "_search_index_bytes", recording)
    bridge = root / "content/posts/2023/bridge.md"
    bridge.write_text(post_text("2023-05-06", "A bridge and a kingfisher.\n", title="Bridge"))
    result = builder.build(changed={bridge})
    assert result.ok and result.written is not None
    assert made == [{2023}]
    assert [p for p in result.written.written if p.startswith("search/")] == ["search/2023.json"]
    entries = json.loads((output / "search/2023.json").read_bytes())
    assert entries[1]["text"] == "A bridge and a kingfisher."


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


@contextmanager
def search_page(
    browser: Any, root: Path, output: Path, query: str = ""
) -> Iterator[tuple[Any, str]]:
    """The journal at `root` built under /journal/ into `output`, served, and a browser page
    open on its search page (with `?q=query` when given); the page and the site's address."""
    assert build_journal(root, output=output, base_url=SUBPATH_BASE_URL).ok
    with serve_site(output, "/journal/") as start:
        page = browser.new_page()
        try:
            page.goto(start + "search/" + (f"?q={query}" if query else ""))
            yield page, start
        finally:
            page.close()


@pytest.mark.browser
def test_typing_partnership_finds_the_essay_under_a_subpath(browser: Any, tmp_path: Path) -> None:
    with search_page(browser, REPO, tmp_path / "site") as (page, start):
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


@pytest.mark.browser
def test_search_ranks_matches_and_escapes_titles(browser: Any, tmp_path: Path) -> None:
    root = make_journal(tmp_path, RICH_FILES)
    with search_page(browser, root, tmp_path / "site", "quotes") as (page, _):
        found = results_of(page, "quotes")
        assert [r["title"] for r in found] == ["<script>alert('x')</script> & \"quotes\""]
        assert page.evaluate("document.querySelectorAll('.search-result script').length") == 0
        page.fill("#search-input", "パートナーシップ")
        found = results_of(page, "パートナーシップ")
        assert [r["title"] for r in found] == ["日本語のタイトル"]
        page.fill("#search-input", "nothing-like-this")
        results_of(page, "nothing-like-this")
        assert page.eval_on_selector_all(".search-result", "items => items.length") == 0


def test_the_public_base_url_is_not_needed_to_search(tmp_path: Path) -> None:
    """Result URLs are paths with the base path, so they work on any host serving the site."""
    entries = index_of(build_journal(REPO, base_url=SUBPATH_BASE_URL, write=False).files)
    assert entries and all(e["url"].startswith("/journal/") for e in entries)


@pytest.mark.browser
def test_search_finds_posts_of_every_year_newest_first(browser: Any, tmp_path: Path) -> None:
    root = make_journal(tmp_path, YEARS_FILES)
    with search_page(browser, root, tmp_path / "site", "lantern") as (page, _):
        found = results_of(page, "lantern")
        assert [(r["title"], r["href"]) for r in found] == [("Lantern", "/journal/2022/lantern/")]
        assert found[0]["date"] == "4 March 2022"
        page.fill("#search-input", "heron")  # once in each year's post: newest first
        found = results_of(page, "heron")
        assert [r["title"] for r in found] == ["Harbour", "Bridge", "Lantern"]
        page.fill("#search-input", "")
        page.wait_for_function(
            "document.getElementById('search-status').textContent === "
            "'Type a word to search 4 posts.'"
        )


@pytest.mark.browser
def test_a_missing_part_shows_the_loading_error(browser: Any, tmp_path: Path) -> None:
    output = tmp_path / "site"
    assert build_journal(make_journal(tmp_path, YEARS_FILES), output=output).ok
    (output / "search/2023.json").unlink()
    with serve_site(output, "/") as start:
        page = browser.new_page()
        page.goto(start + "search/?q=heron")
        page.wait_for_function(
            "document.getElementById('search-status').textContent.includes('could not be loaded')"
        )
        assert "(HTTP 404)" in page.inner_text("#search-status")
        assert page.eval_on_selector_all(".search-result", "items => items.length") == 0
        page.close()

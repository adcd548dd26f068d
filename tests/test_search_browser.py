"""The /search/ page in headless Chromium: ranked results, snippets cut at words with the
words marked, the bytes a query downloads, under a subpath, in `journal serve` (an edit is
found once the preview has rebuilt), in German, and when the index cannot be loaded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from browser import headless_chromium, skip_without_chromium
from conftest import build_journal, make_journal, post_text
from sample_journals import RICH_FILES, SUBPATH_BASE_URL
from serving import TIMEOUT, ServeProcess, atomic_save, fetch, wait_until
from site_server import serve_site
from test_search import generated_journal

sync_api = skip_without_chromium(
    reason="Playwright for Python is not installed (pip install playwright)",
    allow_module_level=True,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
SUBPATH_CONFIG = f'title = "Herons"\nbase_url = "{SUBPATH_BASE_URL}"\ntimezone = "UTC"\n'

# A few posts about herons among 300 that never name one: the title weighs most, then how
# often the word comes, then how short the post is.
HERONS: dict[str, str] = {
    "content/posts/2024/dawn.md": post_text(
        "2024-01-05", "Mist on the water and a quiet morning.\n", title="Heron at dawn"
    ),
    "content/posts/2024/twice.md": post_text(
        "2024-01-06", "The heron stood still. Later the heron flew.\n", title="Twice"
    ),
    "content/posts/2024/once.md": post_text("2024-01-07", "A heron, once.\n", title="Once"),
    "content/posts/2024/long.md": post_text(
        "2024-01-08",
        " ".join(["The garden in the morning light."] * 30) + " Then one heron came by.\n",
        title="Long",
    ),
}


def heron_journal(tmp_path: Path) -> Path:
    return make_journal(tmp_path, {**generated_journal(300), **HERONS}, config=SUBPATH_CONFIG)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as launched:
        yield launched


class Downloads:
    """The responses a page received, and their bytes."""

    def __init__(self, page: Any) -> None:
        self.responses: list[Any] = []
        page.on("response", self.received)

    def received(self, response: Any) -> None:
        self.responses.append(response)

    def search_files(self) -> dict[str, int]:
        return {
            r.url.split("/search/", 1)[1]: len(r.body())
            for r in self.responses
            if "/search/" in r.url and r.url.endswith(".json")
        }


def results_of(page: Any, query: str) -> list[dict[str, Any]]:
    """The results shown once the page has answered `query` (as typed)."""
    page.wait_for_function(
        "q => document.getElementById('search-results').getAttribute('data-shown') === q",
        arg=query,
        timeout=TIMEOUT * 1000,
    )
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        ".search-result",
        """items => items.map(li => ({
            title: li.querySelector('a').textContent,
            href: li.querySelector('a').getAttribute('href'),
            date: li.querySelector('time').textContent,
            snippet: li.querySelector('.search-snippet').textContent,
            marked: Array.from(li.querySelectorAll('mark')).map(m => m.textContent),
            bounds: Array.from(li.querySelectorAll('mark')).map(m => [
                (m.previousSibling ? m.previousSibling.textContent : '').slice(-1),
                (m.nextSibling ? m.nextSibling.textContent : '').slice(0, 1)
            ])
        }))""",
    )


@contextmanager
def served(browser: Any, root: Path, output: Path) -> Iterator[tuple[Any, str]]:
    """The journal built under /journal/ into `output`, served, and a browser page."""
    assert build_journal(root, output=output, base_url=SUBPATH_BASE_URL).ok
    with serve_site(output, "/journal/") as start:
        page = browser.new_page()
        try:
            yield page, start
        finally:
            page.close()


def test_a_query_downloads_a_few_small_files_and_ranks_the_posts(
    browser: Any, tmp_path: Path
) -> None:
    output = tmp_path / "site"
    with served(browser, heron_journal(tmp_path), output) as (page, start):
        downloads = Downloads(page)
        page.goto(start + "search/")
        page.fill("#search-input", "herons")
        found = results_of(page, "herons")
        assert [r["title"] for r in found] == ["Heron at dawn", "Twice", "Once", "Long"]
        assert page.inner_text("#search-status") == "4 posts found for “herons”."
        assert page.url.endswith("/journal/search/?q=herons")
        assert found[0]["href"] == "/journal/2024/dawn/"
        assert found[0]["date"] == "5 January 2024"
        assert found[1]["marked"] == ["heron", "heron"]
        for result in found:
            assert all(m.lower() == "heron" for m in result["marked"]), result
            for before, after in result["bounds"]:  # whole words marked
                assert not before.isalnum() and not after.isalnum(), result
        snippet = found[3]["snippet"]  # the long post's, cut at words around the heron
        text = json.loads((output / "search/d/75.json").read_text(encoding="utf-8"))[3]["text"]
        assert snippet.startswith("… ") and not snippet.endswith(" …")
        core = snippet.removeprefix("… ")
        at = text.index(core)
        assert text[at - 1] == " " and core.endswith("came by.")
        # The manifest, the file of words that would give the stem of "herons" (no post
        # holds that word), the files of stems where "herons" and "heron" would be (the
        # first holds no "herons"), the texts of the results shown: nothing else.
        fetched = downloads.search_files()
        assert "index.json" in fetched
        assert len([p for p in fetched if p.startswith("f/")]) == 1
        assert len([p for p in fetched if p.startswith("p/")]) == 2
        assert len(fetched) == 1 + 1 + 2 + 1
        assert "d/75.json" in fetched  # (posts 300 to 303: the four herons)
        everything = sum(p.stat().st_size for p in (output / "search").rglob("*.json"))
        assert sum(fetched.values()) < everything / 20, (fetched, everything)

        # Two words: both must be in a post; the first word typed is looked up once.
        page.fill("#search-input", "heron morning")
        found = results_of(page, "heron morning")
        assert [r["title"] for r in found] == ["Heron at dawn", "Long"]
        assert found[0]["marked"] == ["morning"]  # (its heron is in the title alone)
        page.fill("#search-input", "heron kingfisher")
        assert results_of(page, "heron kingfisher") == []
        assert page.inner_text("#search-status") == "No post found for “heron kingfisher”."


def test_ten_results_at_a_time(browser: Any, tmp_path: Path) -> None:
    output = tmp_path / "site"
    with served(browser, heron_journal(tmp_path), output) as (page, start):
        downloads = Downloads(page)
        page.goto(start + "search/?q=walking")
        found = results_of(page, "walking")
        assert len(found) == 10
        count = int(page.inner_text("#search-status").split()[0].replace(",", ""))
        assert count > 100
        assert 3 <= len([p for p in downloads.search_files() if p.startswith("d/")]) <= 10
        page.click("#search-more")
        page.wait_for_function("document.querySelectorAll('.search-result').length === 20")
        assert len([p for p in downloads.search_files() if p.startswith("d/")]) <= 20


def test_titles_are_text_and_words_of_any_script_are_found(browser: Any, tmp_path: Path) -> None:
    root = make_journal(tmp_path, RICH_FILES)
    with served(browser, root, tmp_path / "site") as (page, start):
        page.goto(start + "search/?q=quotes")
        found = results_of(page, "quotes")
        assert [r["title"] for r in found] == ["<script>alert('x')</script> & \"quotes\""]
        assert page.evaluate("document.querySelectorAll('.search-result script').length") == 0
        page.fill("#search-input", "パートナーシップ")
        found = results_of(page, "パートナーシップ")
        assert [r["title"] for r in found] == ["日本語のタイトル"]
        assert found[0]["marked"] == ["パートナーシップ"]


def test_the_page_speaks_the_journals_language(browser: Any, tmp_path: Path) -> None:
    config = SUBPATH_CONFIG + 'language = "de"\n'
    root = make_journal(tmp_path, HERONS, config=config)
    with served(browser, root, tmp_path / "site") as (page, start):
        page.goto(start + "search/")
        assert page.inner_text("#search-status") == (
            "Tippen Sie ein Wort, um die Beiträge zu durchsuchen."
        )
        page.fill("#search-input", "heron")
        results_of(page, "heron")
        assert page.inner_text("#search-status") == "4 Beiträge zu „heron“ gefunden."
        page.fill("#search-input", "dawn")
        results_of(page, "dawn")
        assert page.inner_text("#search-status") == "1 Beitrag zu „dawn“ gefunden."


def test_a_missing_index_says_so(browser: Any, tmp_path: Path) -> None:
    output = tmp_path / "site"
    with served(browser, make_journal(tmp_path, HERONS), output) as (page, start):
        (output / "search/index.json").unlink()
        page.goto(start + "search/?q=heron")
        page.wait_for_function(
            "document.getElementById('search-status').textContent.includes('could not be loaded')"
        )
        assert "(HTTP 404)" in page.inner_text("#search-status")


def test_search_in_the_preview_finds_what_was_just_written(browser: Any, tmp_path: Path) -> None:
    root = heron_journal(tmp_path)
    with ServeProcess(["--root", str(root), "--port", "0"]) as server:
        url = server.wait_for_url()
        assert url.endswith("/journal/")
        page = browser.new_page()
        try:
            page.goto(url + "search/?q=heron")
            assert [r["title"] for r in results_of(page, "heron")] == [
                "Heron at dawn",
                "Twice",
                "Once",
                "Long",
            ]
            page.goto(url + "search/?q=kingfisher")
            assert results_of(page, "kingfisher") == []
            once = root / "content/posts/2024/once.md"
            atomic_save(
                once, post_text("2024-01-07", "A heron, once, and a kingfisher.\n", title="Once")
            )
            # Once the preview has rebuilt (the post's text, number 302, in file 75 says so), the
            # query finds the new word.
            assert wait_until(lambda: "kingfisher" in fetch(url, "/journal/search/d/75.json")[2])
            page.close()
            page = browser.new_page()
            page.goto(url + "search/?q=kingfisher")
            found = results_of(page, "kingfisher")
            assert [r["title"] for r in found] == ["Once"]
            assert found[0]["marked"] == ["kingfisher"]
        finally:
            page.close()
        assert server.stop() == 0
    assert "Traceback" not in server.stderr

"""`journal serve` end to end in headless Chromium: a real page, edits saved on disk.

Nothing here touches the browser after opening a page: every change arrives by live reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser import headless_chromium, skip_without_chromium
from conftest import make_journal, post_text
from serving import TIMEOUT, ServeProcess, atomic_save

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

sync_api = skip_without_chromium(
    reason="Playwright for Python is not installed (pip install playwright)",
    allow_module_level=True,
)

pytestmark = pytest.mark.browser

WAIT_MS = TIMEOUT * 1000

FIRST = "content/posts/2024/first.md"
SECOND = "content/posts/2024/second.md"
BROKEN_FRONT_MATTER = "---\ndate: 2024-06-10\ntitle: [not closed\n---\nBroken words.\n"


def first_post(body: str) -> str:
    return post_text("2024-06-10", body, title="First", tags="[writing]")


def journal_files() -> dict[str, str]:
    return {
        FIRST: first_post("The first words.\n"),
        SECOND: post_text("2024-06-11", "The second words.\n", title="Second"),
        "content/themes/2024.md": "---\nword: partnership\n---\nA year of working together.\n",
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with headless_chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def serve(root: Path) -> ServeProcess:
    return ServeProcess(["--root", str(root), "--port", "0"])


def mark_page(page: Page) -> None:
    """Leave a mark in the page's window: a reload wipes it."""
    page.evaluate("window.__notReloaded = true")


def was_reloaded(page: Page) -> bool:
    return page.evaluate("window.__notReloaded") is None


def test_edit_break_and_fix_a_post_in_the_browser(page: Page, tmp_path: Path) -> None:
    root = make_journal(tmp_path, journal_files())
    expect = sync_api.expect
    with serve(root) as server:
        url = server.wait_for_url()
        page.goto(f"{url}2024/first/")
        article = page.locator("article.post")
        expect(article).to_contain_text("The first words.")
        overlay = page.locator("#livereload-problems")

        # An atomic save shows up by itself.
        mark_page(page)
        atomic_save(root / FIRST, first_post("Words from the editor.\n"))
        expect(article).to_contain_text("Words from the editor.", timeout=WAIT_MS)
        assert was_reloaded(page)

        # Broken front matter: the overlay names the file over the last good page.
        mark_page(page)
        atomic_save(root / FIRST, BROKEN_FRONT_MATTER)
        expect(overlay).to_be_visible(timeout=WAIT_MS)
        expect(overlay).to_contain_text(f"{FIRST}:")
        expect(overlay).to_contain_text("front matter")
        assert not was_reloaded(page)
        expect(article).to_contain_text("Words from the editor.")

        # Fixed: the overlay goes and the page reloads with the new text.
        atomic_save(root / FIRST, first_post("Fixed at last.\n"))
        expect(overlay).to_have_count(0, timeout=WAIT_MS)
        expect(article).to_contain_text("Fixed at last.", timeout=WAIT_MS)
        assert was_reloaded(page)
        assert server.stop() == 0
    assert "Traceback" not in server.stderr


def test_a_site_under_a_subpath_previews_and_reloads(page: Page, tmp_path: Path) -> None:
    config = 'title = "Sub"\nbase_url = "https://example.org/my/journal/"\ntimezone = "UTC"\n'
    root = make_journal(tmp_path, journal_files(), config=config)
    expect = sync_api.expect
    with serve(root) as server:
        url = server.wait_for_url()
        assert url.endswith("/my/journal/")
        page.goto(url)
        page.locator("a.post-link", has_text="First").first.click()
        page.wait_for_url(f"{url}2024/first/")
        article = page.locator("article.post")
        expect(article).to_contain_text("The first words.")
        page.locator("a.theme-word").first.click()
        page.wait_for_url(f"{url}2024/")
        expect(page.locator(".theme-word").first).to_have_text("partnership")

        mark_page(page)
        theme = root / "content" / "themes" / "2024.md"
        atomic_save(theme, "---\nword: together\n---\nA year of working together.\n")
        expect(page.locator(".theme-word").first).to_have_text("together", timeout=WAIT_MS)
        assert was_reloaded(page)
        assert server.stop() == 0


def test_an_open_home_page_follows_a_new_base_path(page: Page, tmp_path: Path) -> None:
    root = make_journal(tmp_path, journal_files())
    expect = sync_api.expect
    with serve(root) as server:
        url = server.wait_for_url()
        page.goto(url)
        expect(page.locator("a.post-link", has_text="First").first).to_be_visible()
        config = root / "journal.toml"
        atomic_save(config, config.read_text().replace("example.org/", "example.org/notes/"))
        page.wait_for_url(f"{url}notes/", timeout=WAIT_MS)
        link = page.locator("a.post-link", has_text="First").first
        expect(link).to_have_attribute("href", "/notes/2024/first/")
        link.click()
        expect(page.locator("article.post")).to_contain_text("The first words.")
        assert server.stop() == 0


def test_a_journal_that_does_not_build_yet_shows_the_overlay_until_fixed(
    page: Page, tmp_path: Path
) -> None:
    files = journal_files()
    files[FIRST] = BROKEN_FRONT_MATTER
    root = make_journal(tmp_path, files)
    expect = sync_api.expect
    with serve(root) as server:
        url = server.wait_for_url()
        page.goto(f"{url}2024/second/")
        overlay = page.locator("#livereload-problems")
        expect(overlay).to_be_visible(timeout=WAIT_MS)
        expect(overlay).to_contain_text(f"{FIRST}:")

        atomic_save(root / FIRST, first_post("Now it builds.\n"))
        expect(overlay).to_have_count(0, timeout=WAIT_MS)
        expect(page.locator("article.post")).to_contain_text("The second words.", timeout=WAIT_MS)
        assert server.stop() == 0


def test_pages_are_closed_after_each_test(browser: Browser) -> None:
    """Runs last: every test's browser context was closed by its fixture."""
    assert browser.is_connected()
    assert len(browser.contexts) == 0

"""The year page's calendar as headless Chromium draws it (skipped without Chromium/Playwright).

The built site is served to the browser by intercepting its requests to base_url, so no
server or network is involved.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import headless_chromium
from conftest import build_journal, make_journal, post_text

pytestmark = pytest.mark.browser

SITE = "https://example.org/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as launched:
        yield launched


def open_page(browser: Any, output: Path, path: str, scheme: str = "light") -> Any:
    """A page of the built site at SITE + path, its files answered from `output`."""
    context = browser.new_context(viewport={"width": 1000, "height": 900}, color_scheme=scheme)

    def answer(route: Any) -> None:
        relative = route.request.url[len(SITE) :].split("#", 1)[0].split("?", 1)[0]
        file = output / relative
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            route.fulfill(status=404, body="not found")
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=file.read_bytes(), content_type=kind)

    context.route(f"{SITE}**", answer)
    page = context.new_page()
    page.goto(SITE + path)
    return page


JOURNAL = {
    "content/themes/2024.md": "---\nword: partnership\n---\nThe word for 2024.\n",
    "content/posts/a.md": post_text("2024-03-03", "A partner. " * 40 + "\n", title="A"),
    "content/posts/b.md": post_text("2024-03-04", "Partners.\n", title="B"),
    "content/posts/c.md": post_text("2024-07-01", "Nothing here.\n", title="C"),
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_calendar_renders_every_day(browser: Any, tmp_path: Path, scheme: str) -> None:
    root = make_journal(tmp_path, JOURNAL)
    assert build_journal(root).ok
    page = open_page(browser, root / "output", "2024/", scheme)
    calendar = page.locator("svg.calendar-grid")
    assert page.locator("svg.calendar-grid rect.day").count() == 366
    assert page.locator("svg.calendar-grid a rect.day").count() == 3
    box = calendar.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 50
    # The stylesheet is applied: the busiest day is not the colour of an empty one.
    fills = page.evaluate(
        """() => ['l0', 'l4'].map(level => getComputedStyle(
            document.querySelector('svg.calendar-grid rect.day.' + level)).fill)"""
    )
    assert fills[0] != fills[1]
    caption = page.locator("figure.calendar figcaption")
    assert "3 posts on 3 of 366 days" in caption.text_content()
    hidden = caption.bounding_box()  # read by screen readers, not drawn
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
    shot = tmp_path / f"year-{scheme}.png"
    calendar.screenshot(path=str(shot))
    assert shot.stat().st_size > 1000
    page.screenshot(path=str(tmp_path / f"year-page-{scheme}.png"), full_page=True)
    page.context.close()


def test_a_calendar_day_leads_to_its_post(browser: Any, tmp_path: Path) -> None:
    root = make_journal(tmp_path, JOURNAL)
    assert build_journal(root).ok
    page = open_page(browser, root / "output", "2024/")
    page.locator('svg.calendar-grid a[href="/2024/b/"]').click()
    page.wait_for_url(f"{SITE}2024/b/")
    assert page.locator("article.post h1").inner_text() == "B"
    page.context.close()


WIDE_POST = post_text(
    "2024-03-05",
    "A link: https://example.org/aVeryLongPathWithoutAnyBreakWhatsoeverThatWouldPushThePage "
    "and Pneumonoultramicroscopicsilicovolcanoconiosis.\n\n"
    "| column one | column two | column three | column four | column five | column six |\n"
    "|---|---|---|---|---|---|\n"
    "| some value | another value | a third value | a fourth value | a fifth value | a sixth |\n",
    title="Wide",
)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1100])
def test_pages_fit_the_window_and_the_calendar_fits_the_text(
    browser: Any, tmp_path: Path, width: int, scheme: str
) -> None:
    root = make_journal(tmp_path, {**JOURNAL, "content/posts/wide.md": WIDE_POST})
    assert build_journal(root).ok
    for path in ("2024/", "2024/wide/", "archive/"):
        page = open_page(browser, root / "output", path, scheme)
        page.set_viewport_size({"width": width, "height": 900})
        # Nothing pushes the page sideways: long words wrap, tables and the calendar scroll
        # inside their own boxes.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        if path == "2024/":
            main = page.locator("main").bounding_box()
            frame = page.locator(".calendar-frame").bounding_box()
            assert main is not None and frame is not None
            assert (
                main["x"] <= frame["x"] and frame["x"] + frame["width"] <= main["x"] + main["width"]
            )
            hint = page.locator(".calendar-hint")
            assert hint.is_visible() == (width < 640)  # only where the calendar must scroll
            fills = page.evaluate(
                """() => ['l0', 'l1'].map(level => getComputedStyle(
                    document.querySelector('.calendar-legend rect.day.' + level)).fill)"""
            )
            assert fills[0] != fills[1]
        if path == "archive/" and width < 640:
            row = page.locator(".archive-year .post-list li").first
            day, title = row.locator("time").bounding_box(), row.locator("a").bounding_box()
            assert day is not None and title is not None
            assert abs(day["y"] - title["y"]) < title["height"]  # on one line
        page.context.close()

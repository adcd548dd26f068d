"""The year page's calendar as headless Chromium draws it, at 360 and 1280 px, light and dark
(skipped without Chromium/Playwright): it never scrolls sideways, its labels are at least
12 px, every shade of a day with posts stands 3:1 against the page (WCAG 1.4.11) while an
empty day stays unlike a written one, and a day is big enough to tap.

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
from contrast import NON_TEXT, Colour, contrast_ratio, parse_css_color, relative_luminance

pytestmark = pytest.mark.browser

SITE = "https://example.org/"
WIDTHS = (360, 1280)
SCHEMES = ("light", "dark")
MIN_LABEL_PX = 12
MIN_TARGET_PX = 24  # WCAG 2.5.8: a day's centre at least this far from the next one's


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as launched:
        yield launched


def open_page(
    browser: Any, output: Path, path: str, scheme: str = "light", width: int = 1000
) -> Any:
    """A page of the built site at SITE + path, its files answered from `output`."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)

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


def words(count: int) -> str:
    return " ".join(["partner"] * count) + "\n"


# Days of 10, 40, 70 and 100 words: one of each shade (by quarters of the busiest day).
JOURNAL = {
    "content/themes/2024.md": "---\nword: partnership\n---\nThe word for 2024.\n",
    "content/posts/a.md": post_text("2024-03-03", words(100), title="A"),
    "content/posts/b.md": post_text("2024-03-04", words(70), title="B"),
    "content/posts/c.md": post_text("2024-07-01", words(40), title="C"),
    "content/posts/d.md": post_text("2024-12-30", words(10), title="D"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_journal(tmp_path_factory.mktemp("calendar"), JOURNAL)
    assert build_journal(root).ok
    return root / "output"


PAGE_BACKGROUND_JS = """() => {
  for (const element of [document.body, document.documentElement]) {
    const colour = getComputedStyle(element).backgroundColor;
    if (!/^rgba\\(.*,\\s*0\\)$/.test(colour) && colour !== 'transparent') return colour;
  }
  return 'rgb(255, 255, 255)';
}"""

SHADES_JS = """() => Array.from(document.querySelectorAll('.calendar .day')).map((day) => ({
  level: Array.from(day.classList).find((c) => /^l[0-9]$/.test(c)),
  background: getComputedStyle(day).backgroundColor,
  legend: day.closest('.calendar-legend') !== null,
}))"""

LABELS_JS = """() => Array.from(document.querySelectorAll(
    '.calendar .month-name, .calendar .weekday, .calendar-legend span:not(.day)'
  )).map((el) => ({text: el.textContent.trim(), size: parseFloat(getComputedStyle(el).fontSize),
                   shown: el.getBoundingClientRect().width > 0}))"""

DAYS_JS = """() => Array.from(document.querySelectorAll('.calendar-months .day')).slice(0, 8)
  .map((day) => {
    const r = day.getBoundingClientRect();
    return {x: r.x + r.width / 2, y: r.y + r.height / 2, w: r.width, h: r.height};
  })"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_calendar_fits_reads_and_shows_its_shades(
    browser: Any, site: Path, width: int, scheme: str
) -> None:
    page = open_page(browser, site, "2024/", scheme, width)
    try:
        # No sideways scroll, at a phone's width too.
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= page.evaluate("innerWidth"), f"{scroll}px wide at {width}px"
        box = page.locator(".calendar-months").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width

        # Month names, weekdays and the legend's words: 12 px or more, as drawn.
        labels = page.evaluate(LABELS_JS)
        assert len(labels) == 12 + 12 * 7 + 2
        small = [label for label in labels if label["size"] < MIN_LABEL_PX or not label["shown"]]
        assert small == [], small

        # Every shade of a written day: 3:1 against the page; an empty day is not.
        background = parse_css_color(page.evaluate(PAGE_BACKGROUND_JS))
        shades = page.evaluate(SHADES_JS)
        levels = {shade["level"] for shade in shades if not shade["legend"]}
        assert levels == {"l0", "l1", "l2", "l3", "l4"}
        ratio: dict[str, float] = {}
        for shade in shades:
            colour = parse_css_color(shade["background"]).over(background)
            found = contrast_ratio(colour, background)
            if shade["level"] != "l0":
                assert found >= NON_TEXT, f"{shade} is {found:.2f}:1 on {background}"
            ratio.setdefault(shade["level"], found)
            assert ratio[shade["level"]] == pytest.approx(found)  # the legend shows the same
        assert ratio["l0"] < NON_TEXT  # visibly lighter than any written day
        # More words, further from the page: the shades step away from it in order.
        steps = [ratio[f"l{n}"] for n in range(5)]
        assert steps == sorted(steps) and len(set(steps)) == 5
        assert relative_luminance(background) != relative_luminance(Colour(0, 0, 0))

        # A day is a square big enough to tap, its neighbour a target's width away.
        days = page.evaluate(DAYS_JS)
        assert all(day["w"] == pytest.approx(day["h"], abs=0.5) for day in days)
        # (1 January 2024 is a Monday: the first seven days are one row.)
        pitch = days[1]["x"] - days[0]["x"]
        assert pitch >= MIN_TARGET_PX, f"days {pitch:.1f}px apart at {width}px"
        assert days[7]["y"] - days[0]["y"] >= MIN_TARGET_PX

        tops = page.evaluate(
            """() => Array.from(document.querySelectorAll('.calendar-month'))
                .map((m) => Math.round(m.getBoundingClientRect().top))"""
        )
        rows = len(set(tops))
        assert rows == (6 if width < 640 else 4)  # two months abreast on a phone, else three
    finally:
        page.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_calendar_has_every_day_and_a_summary(browser: Any, site: Path, scheme: str) -> None:
    page = open_page(browser, site, "2024/", scheme)
    try:
        assert page.locator(".calendar-months .day").count() == 366
        assert page.locator(".calendar-months a.day").count() == 4
        caption = page.locator("figure.calendar figcaption")
        assert "4 posts on 4 of 366 days" in caption.text_content()
        hidden = caption.bounding_box()  # read by screen readers, not drawn
        assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
        label = page.locator('.calendar-months a[href="/2024/b/"]').get_attribute("aria-label")
        assert label == "Monday 4 March 2024: “B”, 70 words"
    finally:
        page.context.close()


def test_a_calendar_day_leads_to_its_post(browser: Any, site: Path) -> None:
    page = open_page(browser, site, "2024/")
    try:
        page.locator('.calendar-months a[href="/2024/b/"]').click()
        page.wait_for_url(f"{SITE}2024/b/")
        assert page.locator("article.post h1").inner_text() == "B"
    finally:
        page.context.close()


DATES_JS = """() => Array.from(document.querySelectorAll(
    '.year-list time, .figures .dates span')).map((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return {text: el.textContent, lines: range.getClientRects().length};
})"""


@pytest.mark.parametrize("width", WIDTHS)
def test_dates_never_wrap(browser: Any, tmp_path: Path, width: int) -> None:
    files = {
        **JOURNAL,
        "content/posts/long.md": post_text(
            "2024-09-30", "Words.\n", title="A title long enough to fill a line on a phone " * 3
        ),
        "content/posts/next.md": post_text("2024-10-01", "More.\n", title="Next"),
    }
    root = make_journal(tmp_path, files)
    assert build_journal(root).ok
    page = open_page(browser, root / "output", "2024/", width=width)
    try:
        dates = page.evaluate(DATES_JS)
        assert len(dates) >= 6
        wrapped = [date for date in dates if date["lines"] != 1]
        assert wrapped == [], wrapped
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    finally:
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


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_pages_beside_the_year_fit_the_window(
    browser: Any, tmp_path: Path, width: int, scheme: str
) -> None:
    root = make_journal(tmp_path, {**JOURNAL, "content/posts/wide.md": WIDE_POST})
    assert build_journal(root).ok
    for path in ("2024/", "2024/wide/", "archive/"):
        page = open_page(browser, root / "output", path, scheme, width)
        try:
            # Long words wrap, tables scroll inside their own boxes.
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width, path
            if path == "archive/" and width < 640:
                row = page.locator(".archive-year .post-list li").first
                day, title = row.locator("time").bounding_box(), row.locator("a").bounding_box()
                assert day is not None and title is not None
                assert abs(day["y"] - title["y"]) < title["height"]  # on one line
        finally:
            page.context.close()

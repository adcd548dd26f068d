"""Every page type as headless Chromium draws it, at 390 and 1280 px, light and dark.

The sample journal, with a 20-character title and a post with a picture and a footnote, is
built and served; on the home page, a post, a year page, /themes/, /search/ with a query and
a tag page this checks: nothing scrolls sideways; the navigation stays on one line; every
visible text is 4.5:1 against what is behind it (3:1 when large), from computed styles;
fields and buttons, and the calendar's days, 3:1 against the page; the calendar's labels at
least 12 px as drawn; and no serious or critical axe-core violation. Skipped, with the
reason, without Playwright, Chromium or axe-playwright-python.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from browser import headless_chromium
from contrast import LARGE_TEXT, NON_TEXT, TEXT, Colour, contrast_ratio, parse_css_color
from screenshots import PAGES, SAMPLE, Tour, build_site, open_page
from site_server import serve_site

pytestmark = pytest.mark.browser

TITLE = "Twenty letters long!"  # the 20 characters the navigation must leave room for
WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")


def picture() -> bytes:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (640, 360), (196, 106, 66)).save(data, format="PNG")
    return data.getvalue()


def extra_files() -> dict[str, str | bytes]:
    config = (SAMPLE / "journal.toml").read_text(encoding="utf-8")
    config = "\n".join(
        f'title = "{TITLE}"' if line.startswith("title") else line for line in config.splitlines()
    )
    return {
        "journal.toml": config + "\n",
        "content/static/images/morning.png": picture(),
        "content/posts/2024/morning-light.md": (
            "---\ntitle: Morning light\ndate: 2024-09-02\ntags: [writing]\n---\n"
            "The window faces east.[^1]\n\n"
            '![A warm orange square](/images/morning.png "The light at seven")\n\n'
            "Some mornings the writing comes first.\n\n"
            "[^1]: And the desk faces the window.\n"
        ),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    output = build_site(SAMPLE, tmp_path_factory.mktemp("pages"), extra_files())
    with serve_site(output) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def axe() -> Any:
    module = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="axe-playwright-python is not installed (pip install -e '.[test]')",
    )
    return module.Axe()


# Every visible element with text of its own, with its colour (an SVG text's fill), its
# size and weight, and the background colours from it up to the page (innermost first),
# stopping at the first opaque one; `image` when a background image lies on the way.
TEXTS_JS = """() => {
  const found = [];
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim())
      name += '.' + el.className.trim().split(/\\s+/).join('.');
    return name;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
  for (let el = walker.currentNode; el; el = walker.nextNode()) {
    const own = Array.from(el.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent).join('').trim();
    if (!own) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible' || style.display === 'none') continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // hidden for screen readers
    if (el.closest('[aria-hidden="true"], noscript, script, style')) continue;
    let opacity = 1;  // (a faded element's text is that much closer to what is behind)
    for (let a = el; a; a = a.parentElement) opacity *= parseFloat(getComputedStyle(a).opacity);
    const svg = el instanceof SVGElement;
    const backgrounds = [];
    let image = false;
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.backgroundImage && s.backgroundImage !== 'none') image = true;
      backgrounds.push(s.backgroundColor);
      if (s.backgroundColor.startsWith('rgb(')) break;  // opaque: nothing shows through
    }
    backgrounds.push(getComputedStyle(document.documentElement).backgroundColor);
    found.push({
      element: describe(el), text: own.slice(0, 40), color: svg ? style.fill : style.color,
      size: parseFloat(style.fontSize) * (svg && el.getScreenCTM() ? el.getScreenCTM().a : 1),
      weight: parseInt(style.fontWeight, 10), backgrounds, image, opacity,
    });
  }
  return found;
}"""

# Fields, buttons and the calendar's days: their colour against what is behind them.
CONTROLS_JS = """() => {
  const found = [];
  const behind = (el) => {
    const colours = [];
    for (let a = el.parentElement; a; a = a.parentElement) {
      const c = getComputedStyle(a).backgroundColor;
      colours.push(c);
      if (c.startsWith('rgb(')) break;
    }
    colours.push(getComputedStyle(document.documentElement).backgroundColor);
    return colours;
  };
  for (const el of document.querySelectorAll('input, button, select, textarea')) {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility !== 'visible' || el.type === 'hidden') continue;
    const width = parseFloat(s.borderTopWidth);
    found.push({element: el.tagName.toLowerCase() + (el.type ? '[' + el.type + ']' : ''),
                colours: [width > 0 ? s.borderTopColor : 'transparent', s.backgroundColor],
                backgrounds: behind(el)});
  }
  for (const el of document.querySelectorAll('.calendar .day:not(.l0)')) {
    const s = getComputedStyle(el);
    found.push({element: 'calendar day.' + el.getAttribute('class').split(' ').join('.'),
                colours: [el instanceof SVGElement ? s.fill : s.backgroundColor],
                backgrounds: behind(el)});
  }
  return found;
}"""

# The calendar's words and numbers, at the size they are drawn (an SVG is scaled).
CALENDAR_LABELS_JS = """() => Array.from(document.querySelectorAll('.calendar *'))
  .filter((el) => Array.from(el.childNodes).some(
      (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
  .filter((el) => el.getBoundingClientRect().width > 1)
  .map((el) => {
    const size = parseFloat(getComputedStyle(el).fontSize);
    const scale = el instanceof SVGElement && el.getScreenCTM() ? el.getScreenCTM().a : 1;
    return {text: el.textContent.trim().slice(0, 20), size: size * scale};
  })"""

NAV_JS = """() => {
  const links = Array.from(document.querySelectorAll('.site-header nav a'));
  const title = document.querySelector('.site-title').getBoundingClientRect();
  return {tops: links.map((a) => Math.round(a.getBoundingClientRect().top)),
          titleLines: Math.round(title.height / parseFloat(
              getComputedStyle(document.querySelector('.site-title')).lineHeight || title.height))};
}"""


def effective(colours: list[str]) -> Colour:
    """The colour the layers make, innermost first, over white (the canvas)."""
    result = Colour(255, 255, 255)
    for value in reversed(colours):
        result = parse_css_color(value).over(result)
    return result


def is_large(size: float, weight: int) -> bool:
    """WCAG's large text: 18 pt (24 px), or 14 pt (18.66 px) bold."""
    return size >= 24 or (size >= 18.66 and weight >= 700)


@dataclass(frozen=True)
class Finding:
    page: str
    what: str

    def __str__(self) -> str:
        return f"{self.page}: {self.what}"


def text_findings(page: Any, where: str) -> list[Finding]:
    findings = []
    for item in page.evaluate(TEXTS_JS):
        if item["image"]:
            continue  # (no colour to compare with: the picture decides)
        behind = effective(item["backgrounds"])
        own = parse_css_color(item["color"])
        colour = replace(own, alpha=own.alpha * item["opacity"]).over(behind)
        ratio = contrast_ratio(colour, behind)
        need = LARGE_TEXT if is_large(item["size"], item["weight"]) else TEXT
        if ratio < need:
            findings.append(
                Finding(
                    where,
                    f"text {item['element']} {item['text']!r}: {ratio:.2f}:1, needs {need}:1 "
                    f"({item['color']} on {behind})",
                )
            )
    return findings


def control_findings(page: Any, where: str) -> list[Finding]:
    findings = []
    for item in page.evaluate(CONTROLS_JS):
        behind = effective(item["backgrounds"])
        ratios = [contrast_ratio(parse_css_color(c).over(behind), behind) for c in item["colours"]]
        if max(ratios) < NON_TEXT:
            findings.append(
                Finding(where, f"{item['element']}: {max(ratios):.2f}:1, needs {NON_TEXT}:1")
            )
    return findings


def visit(browser: Any, site: str, tour: Tour, width: int, scheme: str) -> Any:
    page = open_page(browser, site + tour.path, width, 900, scheme)
    page.wait_for_selector(tour.ready)
    return page


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("tour", PAGES, ids=[tour.name for tour in PAGES])
def test_every_page_type_reads_well(
    browser: Any, axe: Any, site: str, tour: Tour, width: int, scheme: str
) -> None:
    page = visit(browser, site, tour, width, scheme)
    where = f"{tour.name} at {width} px, {scheme}"
    try:
        findings: list[Finding] = []
        scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll[0] > scroll[1]:
            findings.append(Finding(where, f"scrolls sideways: {scroll[0]} px in {scroll[1]}"))
        tops = page.evaluate(NAV_JS)["tops"]
        if len(set(tops)) != 1:
            findings.append(Finding(where, f"the navigation wraps: link tops {tops}"))
        findings += text_findings(page, where)
        findings += control_findings(page, where)
        if tour.name == "year":
            labels = page.evaluate(CALENDAR_LABELS_JS)
            assert labels, "the year page has a calendar with labels"
            small = [f"{label['text']!r} {label['size']:.1f} px" for label in labels]
            small = [s for s, label in zip(small, labels, strict=True) if label["size"] < 12]
            if small:
                findings.append(Finding(where, f"calendar labels under 12 px: {small[:5]}"))
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                findings.append(
                    Finding(where, f"axe {violation['impact']}: {violation['id']} {targets}")
                )
    finally:
        page.context.close()
    assert not findings, "\n".join(str(f) for f in findings)


def test_the_navigation_stays_on_one_line_with_long_names(browser: Any, tmp_path: Path) -> None:
    """In German the links are longer, and the title is 40 characters: on a 320 px phone the
    title has a line of its own, the links one line below it, scrolling inside their row,
    and the page itself never scrolls sideways."""
    config = (
        'title = "Ein Tagebuch mit einem ziemlich langen Namen"\n'
        'base_url = "https://example.org/"\nlanguage = "de"\n'
    )
    post = "---\ntitle: Eins\ndate: 2024-05-01\n---\nWorte.\n"
    journal = tmp_path / "source"
    (journal / "content/posts").mkdir(parents=True)
    (journal / "journal.toml").write_text(config, encoding="utf-8")
    (journal / "content/posts/eins.md").write_text(post, encoding="utf-8")
    output = build_site(journal, tmp_path)
    with serve_site(output) as base:
        page = open_page(browser, base, 320, 700)
        try:
            scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            nav = page.evaluate(NAV_JS)
            title_bottom = page.evaluate(
                "document.querySelector('.site-title').getBoundingClientRect().bottom"
            )
        finally:
            page.context.close()
    assert scroll[0] <= scroll[1]
    assert len(set(nav["tops"])) == 1, nav
    assert min(nav["tops"]) >= title_bottom - 1  # below the title, not beside it

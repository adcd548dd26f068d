"""Screenshots of the built-in theme for the README and the manual.

    .venv/bin/python tests/screenshots.py

builds the sample journal (tests/sample_journal) into a temporary folder, serves it, and
writes docs/images/home.png, post.png, year.png, themes.png, search.png and tag.png: each
page's first screen in headless Chromium, 1280 × 900 px, light mode, with animations off and
the fonts loaded, so that the same theme gives the same pictures. `--out FOLDER` writes them
elsewhere, `--width` and `--height` set the window.

The browser tests (tests/test_pages_browser.py) visit the same pages, `PAGES`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # (run as a script: the helpers beside it)
sys.path.insert(1, str(HERE.parent))

from browser import chromium_executable, launch_chromium  # noqa: E402
from conftest import OPTIONS  # noqa: E402
from site_server import serve_site  # noqa: E402

from generator.pipeline.build import Request, build  # noqa: E402

SAMPLE = HERE / "sample_journal"
IMAGES = HERE.parent / "docs" / "images"


@dataclass(frozen=True)
class Tour:
    """A page of the site to look at: its name (the picture's), its path under the site,
    and the element to wait for before looking (search results, say)."""

    name: str
    path: str
    ready: str = "main"


PAGES = (
    Tour("home", ""),
    Tour("post", "2024/partnership/"),
    Tour("year", "2024/"),
    Tour("themes", "themes/"),
    Tour("search", "search/?q=partnership", ready=".search-result"),
    Tour("tag", "tags/writing/"),
)


def build_site(journal: Path, work: Path, extra: Mapping[str, str | bytes] | None = None) -> Path:
    """A copy of `journal` in `work`, with `extra` files ({relative path: text or bytes})
    added, built with the tests' fixed clock; the output folder."""
    root = work / "journal"
    shutil.copytree(journal, root, ignore=shutil.ignore_patterns(".journal-cache", "output"))
    for relative, content in (extra or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        path.write_bytes(data)
    result = build(Request(root, work / "output", OPTIONS))
    if not result.ok:
        problems = "\n".join(str(problem) for problem in result.problems)
        raise RuntimeError(f"the journal did not build:\n{problems}")
    return work / "output"


def open_page(browser: Any, url: str, width: int, height: int, scheme: str = "light") -> Any:
    """A new page of `width` × `height` px showing `url`, once its fonts are loaded; with
    animations and transitions off (prefers-reduced-motion)."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,
        reduced_motion="reduce",
        device_scale_factor=1,
    )
    page = context.new_page()
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


def take(browser: Any, base: str, tour: Tour, target: Path, width: int, height: int) -> None:
    page = open_page(browser, base + tour.path, width, height)
    try:
        page.wait_for_selector(tour.ready)
        page.screenshot(path=str(target), animations="disabled", caret="hide")
    finally:
        page.context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=IMAGES, help="where the PNGs go")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    if chromium_executable() is None:
        print("screenshots: Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        output = build_site(SAMPLE, Path(work))
        browser = launch_chromium(playwright)
        try:
            with serve_site(output) as base:
                for tour in PAGES:
                    target = args.out / f"{tour.name}.png"
                    take(browser, base, tour, target, args.width, args.height)
                    print(target)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

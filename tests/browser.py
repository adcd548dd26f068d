"""Headless Chromium for the browser tests: where it is, how it is launched, and skipping
when it (or Playwright) is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
NO_PLAYWRIGHT = "Playwright is not installed"


def chromium_executable() -> str | None:
    """The Chromium to launch: CHROMIUM if it exists, else the one on PATH (None if neither)."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def skip_without_chromium(reason: str = NO_PLAYWRIGHT, allow_module_level: bool = False) -> Any:
    """Playwright's sync API; skips (with `reason`) without Playwright, or without Chromium."""
    sync_api = pytest.importorskip("playwright.sync_api", reason=reason)
    if chromium_executable() is None:
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
            allow_module_level=allow_module_level,
        )
    return sync_api


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium; Playwright gives every launch a fresh, temporary profile."""
    return playwright.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=list(CHROMIUM_FLAGS)
    )


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """A launched headless Chromium, closed afterwards; skips the test without one."""
    sync_api = skip_without_chromium()
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()

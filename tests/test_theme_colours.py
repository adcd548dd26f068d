"""The built-in theme's colours, read from its stylesheet's custom properties: every text
colour 4.5:1 against every background it is drawn on, and a field's outline 3:1 against
the page, in light and in dark (WCAG 1.4.3 and 1.4.11). The browser tests
(tests/test_pages_browser.py) check the pages as drawn; this checks the properties a
journal's custom.css starts from, without a browser."""

from __future__ import annotations

import re

import pytest
from contrast import NON_TEXT, TEXT, contrast_ratio, parse_css_color

from generator.pipeline.theme import builtin_assets_folder

TEXT_COLOURS = ("--fg", "--muted", "--accent", "--pending")
BACKGROUNDS = ("--bg", "--accent-soft", "--code-bg")
DARK = "(prefers-color-scheme: dark)"


def custom_properties(css: str, media: str | None) -> dict[str, str]:
    """The custom properties set on :root at the top level (media None) or inside the
    media query `media`, later ones winning; a dark query's start from the light ones."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: dict[str, str] = {}
    dark: dict[str, str] = {}
    stack: list[str] = []
    prelude = ""
    for piece in re.split(r"([{}])", css):
        if piece == "{":
            stack.append(prelude.strip())
            prelude = ""
        elif piece == "}":
            if stack:
                stack.pop()
            prelude = ""
        elif stack and stack[-1] == ":root":
            outer = stack[:-1]
            target = found if not outer else dark if outer == [f"@media {DARK}"] else None
            if target is not None:
                for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", piece):
                    target[name] = value.strip()
        else:
            prelude = piece.split(";")[-1]
    return found if media is None else {**found, **dark}


def ratio(first: str, second: str) -> float:
    return contrast_ratio(parse_css_color(first), parse_css_color(second))


def theme_css() -> str:
    return (builtin_assets_folder() / "style.css").read_text(encoding="utf-8")


def test_the_parser_reads_light_and_dark_properties() -> None:
    css = (
        ":root { --bg: #fff; --fg: #000; }\n/* :root { --bg: #f00; } */\n"
        "@media (prefers-color-scheme: dark) { :root { --bg: #111; } }\n"
        "@media print { :root { --bg: #eee; } }\n.x { color: var(--fg); }\n"
    )
    assert custom_properties(css, None) == {"--bg": "#fff", "--fg": "#000"}
    assert custom_properties(css, DARK) == {"--bg": "#111", "--fg": "#000"}


@pytest.mark.parametrize("scheme", [None, DARK], ids=["light", "dark"])
def test_every_text_colour_reads_on_every_background(scheme: str | None) -> None:
    colours = custom_properties(theme_css(), scheme)
    low = [
        f"{text} on {back}: {ratio(colours[text], colours[back]):.2f}:1"
        for text in TEXT_COLOURS
        for back in BACKGROUNDS
        if ratio(colours[text], colours[back]) < TEXT
    ]
    assert not low, low


@pytest.mark.parametrize("scheme", [None, DARK], ids=["light", "dark"])
def test_a_fields_outline_stands_out_from_the_page(scheme: str | None) -> None:
    colours = custom_properties(theme_css(), scheme)
    assert ratio(colours["--control"], colours["--bg"]) >= NON_TEXT


def test_the_pending_promise_reads_in_its_box() -> None:
    """It was 4.38:1 on the "Next:" box (--accent-soft) in light mode."""
    colours = custom_properties(theme_css(), None)
    assert ratio(colours["--pending"], colours["--accent-soft"]) >= TEXT

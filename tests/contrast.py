"""WCAG 2 contrast of colours as browsers report them (getComputedStyle): relative luminance,
contrast ratio, the ratios WCAG asks for, and CSS colour strings read into a `Colour`.

https://www.w3.org/TR/WCAG21/#dfn-relative-luminance and #dfn-contrast-ratio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TEXT = 4.5  # text against what is behind it (1.4.3)
LARGE_TEXT = 3.0  # text of 24 px, or bold 18.66 px, and more
NON_TEXT = 3.0  # what shows a control's edge, or the parts of a chart (1.4.11)


@dataclass(frozen=True)
class Colour:
    """A colour: red, green and blue from 0 to 255, alpha from 0 (transparent) to 1."""

    red: float
    green: float
    blue: float
    alpha: float = 1.0

    def over(self, background: Colour) -> Colour:
        """This colour drawn over an opaque `background` (alpha blending)."""
        a = self.alpha
        return Colour(
            self.red * a + background.red * (1 - a),
            self.green * a + background.green * (1 - a),
            self.blue * a + background.blue * (1 - a),
        )


_FUNCTION = re.compile(r"^\s*(rgba?|srgb)\s*\(\s*([^)]*)\)\s*$", re.IGNORECASE)
_COLOR_FUNCTION = re.compile(r"^\s*color\(\s*srgb\s+([^)]*)\)\s*$", re.IGNORECASE)
_HEX = re.compile(r"^\s*#([0-9a-f]{3,8})\s*$", re.IGNORECASE)


def _channel(value: str, scale: float) -> float:
    value = value.strip()
    if value.endswith("%"):
        return float(value[:-1]) / 100 * scale
    return float(value)


def _alpha(value: str) -> float:
    value = value.strip()
    return float(value[:-1]) / 100 if value.endswith("%") else float(value)


def parse_css_color(text: str) -> Colour:
    """ "rgb(251, 250, 247)", "rgba(0, 0, 0, 0.5)", "rgb(251 250 247 / 50%)", "#fbfaf7",
    "color(srgb 0.98 0.98 0.97)" or "transparent" as a Colour."""
    if text.strip().lower() == "transparent":
        return Colour(0, 0, 0, 0)
    found = _HEX.match(text)
    if found:
        digits = found.group(1)
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        if len(digits) not in (6, 8):
            raise ValueError(f"not a colour: {text!r}")
        values = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
        alpha = values[3] / 255 if len(values) == 4 else 1.0
        return Colour(values[0], values[1], values[2], alpha)
    found = _COLOR_FUNCTION.match(text)
    if found:
        parts = found.group(1).replace("/", " ").split()
        red, green, blue = (_channel(p, 1) * 255 for p in parts[:3])
        return Colour(red, green, blue, _alpha(parts[3]) if len(parts) > 3 else 1.0)
    found = _FUNCTION.match(text)
    if not found:
        raise ValueError(f"not a colour: {text!r}")
    parts = found.group(2).replace(",", " ").replace("/", " ").split()
    if len(parts) not in (3, 4):
        raise ValueError(f"not a colour: {text!r}")
    red, green, blue = (_channel(p, 255) for p in parts[:3])
    return Colour(red, green, blue, _alpha(parts[3]) if len(parts) == 4 else 1.0)


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: Colour) -> float:
    """WCAG's relative luminance of an opaque colour: 0 for black, 1 for white."""
    return 0.2126 * _linear(rgb.red) + 0.7152 * _linear(rgb.green) + 0.0722 * _linear(rgb.blue)


def contrast_ratio(a: Colour, b: Colour) -> float:
    """WCAG's contrast ratio of two opaque colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)

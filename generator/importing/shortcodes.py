"""Hugo's shortcodes in a post's text, made Markdown: `figure`/`img` become an image with its
caption, `youtube`/`vimeo`/`tweet`/`instagram`/`gist` a link, `ref`/`relref` the link to the
imported post's file, `highlight` fenced code, `notice`/`hint`/`note`/`tip`/`warning` a quote
block, `gallery` its images, `param` its value.

Shortcodes inside code (fenced blocks, `code spans`) stay as the author wrote them, and the
escaped `{{</* figure */>}}` becomes the literal `{{< figure >}}` it stands for. What is left
(inline shortcodes, a theme's own) stays in the text, reported at its line (`report.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from generator.importing.embeds import (
    gist_link,
    image_markdown,
    instagram_link,
    tweet_link,
    vimeo_link,
    youtube_link,
)
from generator.importing.markdown_parts import Shelf, in_code
from generator.importing.records import Links, Tally, line_at

_ESCAPED = re.compile(r"\{\{([<%])\s*/\*(.*?)\*/\s*([>%])\}\}", re.S)
_OPEN = re.compile(
    r"\{\{([<%])-?\s*([\w./-]+)((?:\"(?:[^\"\\]|\\.)*\"|`[^`]*`|[^\"`>%])*?)\s*-?[>%]\}\}", re.S
)
_ARG = re.compile(r"""(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+)""")
_FENCED = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?^\1?\2[`~]*[ \t]*$", re.S | re.M)
_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
_PAIRED = frozenset(
    {
        "highlight",
        "notice",
        "hint",
        "note",
        "tip",
        "warning",
        "alert",
        "info",
        "callout",
        "admonition",
        "details",
        "gallery",
        "load-photoswipe",
        "center",
        "quote",
        "blockquote",
    }
)
_NOTICES = {"notice", "hint", "note", "tip", "warning", "alert", "info", "callout", "admonition"}


@dataclass(frozen=True)
class Shortcode:
    """One shortcode as written: its name, its arguments and where it stands in the text."""

    name: str
    named: dict[str, str]
    positional: tuple[str, ...]
    start: int
    end: int

    def arg(self, name: str, position: int | None = None) -> str:
        if name in self.named:
            return self.named[name]
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return ""


def parse_args(text: str) -> tuple[dict[str, str], tuple[str, ...]]:
    named: dict[str, str] = {}
    positional: list[str] = []
    for match in _ARG.finditer(text):
        value = match.group(2)
        if value[:1] in ('"', "`") and value[-1:] == value[:1] and len(value) > 1:
            value = value[1:-1].replace('\\"', '"')
        if match.group(1):
            named[match.group(1)] = value
        else:
            positional.append(value)
    return named, tuple(positional)


def convert_shortcodes(body: str, first_line: int, links: Links, tally: Tally) -> str:
    """`body` (which starts at file line `first_line`) with the shortcodes it can convert
    made Markdown; each conversion is counted in `tally`."""
    shelf = Shelf()

    def literal(match: re.Match[str]) -> str:
        tally.done("escaped shortcode")
        inner = match.group(2).strip()
        return shelf.put("{{" + match.group(1) + " " + inner + " " + match.group(3) + "}}")

    text = in_code(body, lambda line, _: _ESCAPED.sub(literal, line))
    text = _FENCED.sub(lambda m: shelf.put(m.group(0)), text)
    text = _ESCAPED.sub(literal, text)
    text = _SPAN.sub(lambda m: shelf.put(m.group(0)), text)
    converter = _Converter(text, first_line, links, tally, shelf)
    return shelf.back(converter.run(text, 0))


class _Converter:
    def __init__(
        self, whole: str, first_line: int, links: Links, tally: Tally, shelf: Shelf
    ) -> None:
        self.whole = whole
        self.first_line = first_line
        self.links = links
        self.tally = tally
        self.shelf = shelf

    def line(self, offset: int) -> int:
        return line_at(self.whole, offset, self.first_line)

    def run(self, text: str, base: int) -> str:
        out: list[str] = []
        position = 0
        while True:
            match = _OPEN.search(text, position)
            if match is None:
                out.append(text[position:])
                return "".join(out)
            name = match.group(2)
            if name.startswith("/"):
                out.append(text[position : match.end()])  # a closing tag without its opening
                position = match.end()
                continue
            named, positional = parse_args(match.group(3))
            code = Shortcode(name, named, positional, base + match.start(), base + match.end())
            closing = _closing(name).search(text, match.end()) if name in _PAIRED else None
            if closing is not None:
                inner = self.run(text[match.end() : closing.start()], base + match.end())
                made = self.paired(code, inner)
                if made is None:  # left as it is, its inside converted (reported)
                    made = match.group(0) + inner + closing.group(0)
                end = closing.end()
            else:
                made = self.single(code) or match.group(0)
                end = match.end()
            out.append(text[position : match.start()])
            out.append(made)
            position = end

    def paired(self, code: Shortcode, inner: str) -> str | None:
        name = code.name
        if name == "highlight":
            self.tally.done(name)
            return self.shelf.put(f"```{code.arg('lang', 0)}\n{inner.strip(chr(10))}\n```")
        if name in _NOTICES:
            kind = code.arg("type", 0) or name
            self.tally.done(name)
            quoted = _quoted(self.shelf.back(inner))  # (its code blocks quoted too)
            return self.shelf.put(f"> **{kind[:1].upper()}{kind[1:]}:**\n>\n{quoted}")
        if name == "details":
            self.tally.done(name)
            return f"**{code.arg('title', 0) or code.arg('summary', 0)}**\n\n{inner.strip()}"
        if name in ("gallery", "load-photoswipe", "center"):
            self.tally.done(name)
            return inner.strip("\n")
        if name in ("quote", "blockquote"):
            self.tally.done(name)
            return self.shelf.put(_quoted(self.shelf.back(inner)))
        return None

    def single(self, code: Shortcode) -> str | None:
        make = _SINGLE.get(code.name)
        if make is None:
            return None
        made = make(self, code)
        if made is not None:
            self.tally.done(code.name)
        return made

    def image(self, code: Shortcode) -> str | None:
        src = code.arg("src", 0)
        if not src:
            return None
        if src.startswith(("http://", "https://", "//", "data:")):
            url = src
        elif src.startswith("/"):
            url = self.links.file(src, self.tally) or src
        else:  # beside the post (a page bundle), else from the site's root
            found = self.links.bundle_file(src, self.tally)
            url = found or self.links.file("/" + src, self.tally) or src
        alt = code.arg("alt") or code.arg("title") or code.arg("caption")
        return image_markdown(url, alt, code.arg("title"), code.arg("caption"))

    def reference(self, code: Shortcode) -> str | None:
        target = code.arg("path", 0)
        page, _, anchor = target.partition("#")
        found = self.links.post(page) if page else ""
        if found is None:
            self.tally.warn(
                self.line(code.start),
                f'{{{{< {code.name} "{target}" >}}}} names no post of the source: '
                "write the link by hand",
            )
            return None
        return f"{found}#{anchor}" if anchor else found

    def param(self, code: Shortcode) -> str | None:
        value = self.links.meta.get(code.arg("name", 0).lower())
        return (
            str(value)
            if isinstance(value, str | int | float) and not isinstance(value, bool)
            else None
        )


def _quoted(text: str) -> str:
    """Text as a Markdown quote block."""
    return "\n".join(f"> {row}".rstrip() for row in text.strip("\n").split("\n"))


def _closing(name: str) -> re.Pattern[str]:
    return re.compile(r"\{\{[<%]-?\s*/\s*" + re.escape(name) + r"\s*-?[>%]\}\}")


_SINGLE: dict[str, Callable[[_Converter, Shortcode], str | None]] = {
    "figure": _Converter.image,
    "img": _Converter.image,
    "image": _Converter.image,
    "youtube": lambda c, s: (
        youtube_link(s.arg("id", 0), s.arg("title")) if s.arg("id", 0) else None
    ),
    "vimeo": lambda c, s: vimeo_link(s.arg("id", 0), s.arg("title")) if s.arg("id", 0) else None,
    "vimeo_simple": lambda c, s: vimeo_link(s.arg("id", 0)) if s.arg("id", 0) else None,
    "tweet": lambda c, s: tweet_link(s.arg("user"), s.arg("id", 0)) if s.arg("id", 0) else None,
    "twitter": lambda c, s: tweet_link(s.arg("user"), s.arg("id", 0)) if s.arg("id", 0) else None,
    "twitter_simple": lambda c, s: (
        tweet_link(s.arg("user"), s.arg("id", 0)) if s.arg("id", 0) else None
    ),
    "x": lambda c, s: tweet_link(s.arg("user"), s.arg("id", 0)) if s.arg("id", 0) else None,
    "instagram": lambda c, s: instagram_link(s.arg("id", 0)) if s.arg("id", 0) else None,
    "instagram_simple": lambda c, s: instagram_link(s.arg("id", 0)) if s.arg("id", 0) else None,
    "gist": lambda c, s: (
        gist_link(f"{s.arg('user', 0)}/{s.arg('id', 1)}", s.arg("file", 2))
        if s.arg("id", 1)
        else None
    ),
    "ref": _Converter.reference,
    "relref": _Converter.reference,
    "param": _Converter.param,
}

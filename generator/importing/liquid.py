"""Jekyll's Liquid in a post's text, made Markdown: `{% highlight %}` blocks become fenced
code, `{% raw %}` is unwrapped (over many lines too), `{% post_url %}` and `{% link %}` become
links to the imported posts' files (which the build turns into their URLs), `{{ site.baseurl }}`
goes, `{{ "/x" | relative_url }}` becomes /x, and the common plugin tags (`{% img %}`,
`{% youtube %}`, `{% vimeo %}`, `{% gist %}`, `{% figure %}`) become an image or a link.

What is left (`{% include %}`, `{% assign %}`, loops...) stays in the text: the report lists
it at its line with what to do (`report.py`), and so does every build.
"""

from __future__ import annotations

import re
import shlex

from generator.importing.embeds import gist_link, image_markdown, vimeo_link, youtube_link
from generator.importing.markdown_parts import Shelf, outside_code
from generator.importing.records import Links, Tally, line_at

_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.S)
_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}\n?", re.S)
_HIGHLIGHT = re.compile(
    r"\{%-?\s*(highlight|codeblock)\s*([^%]*?)\s*-?%\}\n?(.*?)\n?\{%-?\s*end(?:highlight|codeblock)\s*-?%\}",
    re.S,
)
_FIGURE = re.compile(r"\{%-?\s*figure\s*([^%]*?)\s*-?%\}(.*?)\{%-?\s*endfigure\s*-?%\}", re.S)
_PLAIN_IMAGE = re.compile(r"^!\[([^\]]*)\]\(\s*([^)\s]+)\s*\)$")
_TAG = re.compile(r"\{%-?\s*(\w+)\s*(.*?)\s*-?%\}", re.S)
_OUTPUT = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_SITE_URL = re.compile(r"^site\.(?:baseurl|url|github\.url)$")
_URL_FILTER = re.compile(
    r"""^(?:site\.baseurl\s*\|\s*append:\s*)?["'](?P<path>[^"']*)["']\s*(?:\|\s*(?:relative_url|absolute_url|prepend:\s*site\.(?:baseurl|url))\s*)+$"""
)


def convert_liquid(body: str, first_line: int, links: Links, tally: Tally) -> str:
    """`body` (which starts at file line `first_line`) with the Liquid it can convert made
    Markdown; each conversion is counted in `tally`."""
    shelf = Shelf()

    def unwrap(match: re.Match[str]) -> str:
        tally.done("raw")
        return shelf.put(match.group(1).strip("\n") if "\n" in match.group(1) else match.group(1))

    text = _RAW.sub(unwrap, body)
    text, count = _COMMENT.subn("", text)
    tally.done("comment", count) if count else None

    def fenced(match: re.Match[str]) -> str:
        words = match.group(2).split()
        lang = next((w.split(":", 1)[-1] for w in words if w.startswith("lang:")), "")
        lang = lang or (words[0] if words and ":" not in words[0] else "")
        tally.done(match.group(1))
        return shelf.put(f"```{lang}\n{match.group(3)}\n```")

    text = _HIGHLIGHT.sub(fenced, text)
    text = _FIGURE.sub(lambda m: _figure(m, tally), text)

    def inline(part: str, offset: int) -> str:
        def tag(match: re.Match[str]) -> str:
            line = line_at(text, offset + match.start(), first_line)
            return _tag(match, line, links, tally)

        def output(match: re.Match[str]) -> str:
            line = line_at(text, offset + match.start(), first_line)
            return _output(match, line, links, tally)

        return _OUTPUT.sub(output, _TAG.sub(tag, part))

    text = outside_code(text, inline)
    return shelf.back(text)


def _figure(match: re.Match[str], tally: Tally) -> str:
    caption = re.search(r"caption:\s*[\"']([^\"']*)[\"']", match.group(1))
    tally.done("figure")
    inner = match.group(2).strip()
    image = _PLAIN_IMAGE.match(inner)
    if caption and image:  # the caption as the picture's title: a figure in the journal
        return image_markdown(image.group(2), image.group(1), caption=caption.group(1))
    return inner + (f"\n\n*{caption.group(1)}*" if caption else "")


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _tag(match: re.Match[str], line: int, links: Links, tally: Tally) -> str:
    name, args = match.group(1), match.group(2).strip()
    whole = match.group(0)
    if name in ("post_url", "link"):
        target = links.post(args) or (links.file(args, tally) if name == "link" else None)
        if target is None:
            tally.warn(
                line, f"{{% {name} {args} %}} names nothing in the source: write the link by hand"
            )
            return whole
        tally.done(name)
        return target
    if name in ("img", "image"):
        made = _img(_words(args), links, tally)
        if made is not None:
            tally.done(name)
            return made
    if name in ("youtube", "vimeo", "gist") and args:
        tally.done(name)
        first = _words(args)[0]
        if name == "youtube":
            return youtube_link(first)
        return vimeo_link(first) if name == "vimeo" else gist_link(first)
    return whole  # reported where it stands (report.py)


def _img(words: list[str], links: Links, tally: Tally) -> str | None:
    """Octopress' `{% img [class] /path [width [height]] ["title" ["alt"]] %}`."""
    src = next((w for w in words if "/" in w or "." in w), None)
    if src is None:
        return None
    rest = words[words.index(src) + 1 :]
    texts = [w for w in rest if not w.isdigit()]
    title = texts[0] if texts else ""
    alt = texts[1] if len(texts) > 1 else title
    url = links.file(src, tally) or src
    return image_markdown(url, alt, title)


def _output(match: re.Match[str], line: int, links: Links, tally: Tally) -> str:
    expression = match.group(1).strip()
    parts = [p.strip() for p in re.split(r"\}\}\s*\{\{", expression)]
    if all(_SITE_URL.match(p) for p in parts):
        tally.done("site.baseurl")
        return ""
    filtered = _URL_FILTER.match(expression)
    if filtered is not None:
        path = filtered.group("path")
        tally.done("relative_url")
        return links.file(path, tally) or path
    if expression.startswith("page."):
        value = links.meta.get(expression[5:])
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            tally.done("page variable")
            return str(value)
    return match.group(0)

"""A Pelican blog: articles under `content/` (not its `pages/`), with `Key: value` header
lines (Markdown) or `:key:` fields (reStructuredText), its settings in `pelicanconf.py`.

The settings file is Python: it is read, never run; only plain `NAME = "text"` lines count
(ARTICLE_URL, PATH, PAGE_PATHS, STATIC_PATHS...), anything cleverer leaves Pelican's default.
Old URLs follow ARTICLE_URL (default `{slug}.html`; `{date:%Y}`, `{category}`, `{author}`,
`{lang}` filled in). Links written `{filename}x.md`, `{static}x.png`, `{attach}x.png` and the
older `|filename|x.md` become links to the imported post or the copied file; `{tag}x` and
`{category}x` lead to the tag's page; the `liquid_tags` plugin's `{% img %}`, `{% youtube %}`
are converted as Jekyll's are.
"""

from __future__ import annotations

import ast
import posixpath
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from generator.core.problems import Problem, warning
from generator.core.text import tag_slug
from generator.importing.blog import Blog, PostFacts, join_url, shown, walk
from generator.importing.dates import short_name_date
from generator.importing.front_matter import read_header, rst_header
from generator.importing.liquid import convert_liquid
from generator.importing.markdown_parts import outside_code
from generator.importing.records import FoundPost, Links, Tally, line_at

SETTINGS = ("pelicanconf.py", "settings.py")
SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".rst")
_LINK = re.compile(
    r"(?:\{(filename|static|attach|tag|category|author|index)\}|\|(filename|static|attach|tag|category)\|)([^\s)\"'>]*)"
)


def read_pelican(root: Path) -> Blog:
    settings, name, problems = _settings(root)
    content = root / str(settings.get("PATH", "content"))
    pages = [str(p) for p in _listed(settings, "PAGE_PATHS", ["pages"])]
    statics = [str(p) for p in _listed(settings, "STATIC_PATHS", ["images"])]
    posts: list[FoundPost] = []
    for path in walk(content, SUFFIXES):
        inside = path.relative_to(content).as_posix()
        if any(inside.startswith(p.rstrip("/") + "/") for p in [*pages, *statics] if p):
            continue
        posts.append(_found(root, content, path))
    pattern = str(settings.get("ARTICLE_URL", "{slug}.html"))

    def old_urls(facts: PostFacts) -> tuple[str, ...]:
        return (pelican_url(pattern, facts),)

    roots = (content, *(content / s for s in statics), root / "static", root)
    blog_name = name if name else ""
    return Blog(
        "pelican",
        root,
        tuple(posts),
        roots,
        old_urls,
        convert_pelican,
        tuple(problems),
        blog_name,
        slug_of=pelican_slug,
    )


def _listed(settings: dict[str, object], name: str, default: list[str]) -> list[str]:
    value = settings.get(name, default)
    return [str(v) for v in value] if isinstance(value, list | tuple) else default


def _found(root: Path, content: Path, path: Path) -> FoundPost:
    text = path.read_text(encoding="utf-8", errors="replace")
    rst = path.suffix.lower() == ".rst"
    header = rst_header(text) if rst else read_header(shown(path, root), text, pelican=True)
    written, name = short_name_date(path.stem)
    folder = path.parent.relative_to(content).parts
    if folder and "category" not in header.meta:  # Pelican's USE_FOLDER_AS_CATEGORY
        header = replace(header, meta={**header.meta, "category": folder[0]})
    return FoundPost(
        path, shown(path, root), header, written, name, section="/".join(folder[:1]), rst=rst
    )


def _settings(root: Path) -> tuple[dict[str, object], str, list[Problem]]:
    """The plain `NAME = value` lines of the settings file (literals only), never run."""
    for name in SETTINGS:
        path = root / name
        if not path.is_file():
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            return (
                {},
                name,
                [warning(name, 1, "cannot read the settings: old URLs follow Pelican's defaults")],
            )
        found: dict[str, object] = {}
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except (ValueError, SyntaxError, TypeError):
                    continue
        return found, name, []
    return {}, "", []


def pelican_slug(text: str) -> str:
    """Pelican's slugify: accents dropped, lowercase, punctuation removed, hyphens."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^\w\s-]", "", plain).strip().lower()
    return re.sub(r"[-\s]+", "-", words)


class _Date:
    """The post's date for `{date:%Y}` in ARTICLE_URL."""

    def __init__(self, facts: PostFacts) -> None:
        self.wall = facts.date.wall

    def __format__(self, spec: str) -> str:
        return self.wall.strftime(spec or "%Y-%m-%d")


def pelican_url(pattern: str, facts: PostFacts) -> str:
    author = facts.meta.get("author")
    category = facts.categories[0] if facts.categories else "misc"
    try:
        url = pattern.format(
            slug=facts.slug,
            date=_Date(facts),
            category=pelican_slug(category),
            author=pelican_slug(author) if isinstance(author, str) else "",
            lang=str(facts.meta.get("lang", "en")),
        )
    except (KeyError, IndexError, ValueError):
        url = f"{facts.slug}.html"
    return join_url(*url.split("/")) + ("/" if url.endswith("/") else "")


def convert_pelican(body: str, first_line: int, links: Links, tally: Tally) -> str:
    """Pelican's links made links of this journal, then the liquid_tags plugin's tags."""

    def rewrite(part: str, offset: int) -> str:
        def one(match: re.Match[str]) -> str:
            kind = match.group(1) or match.group(2)
            target = match.group(3)
            line = line_at(body, offset + match.start(), first_line)
            made = _pelican_link(kind, target, links, tally)
            if made is None:
                tally.warn(
                    line,
                    f"{{{kind}}}{target} leads to nothing in the source: write the link by hand",
                )
                return match.group(0)
            tally.done("{" + kind + "}")
            return made

        return _LINK.sub(one, part)

    return convert_liquid(outside_code(body, rewrite), first_line, links, tally)


def _pelican_link(kind: str, target: str, links: Links, tally: Tally) -> str | None:
    path, hash_mark, anchor = target.partition("#")
    tail = f"#{anchor}" if hash_mark else ""
    if kind in ("tag", "category"):
        return f"/tags/{tag_slug(path)}/"
    if kind in ("author", "index"):
        return None
    if kind == "filename":
        post = links.post(path)
        if post is not None:
            return post + tail
    if kind == "attach":
        found = links.bundle_file(path, tally)
        if found is not None:
            return found + tail
    found = links.file(posixpath.normpath("/" + path.lstrip("/")), tally) or links.bundle_file(
        path, tally
    )
    return None if found is None else found + tail

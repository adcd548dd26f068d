"""Properties of whole builds, on random journals (hypothesis).

Random journals have titles in any script (emoji, CJK, markup characters), dates in many
forms and time zones, tags, drafts, future posts and "Next:" chains (kept, pending, to a
draft, in loops). For each one: the build never raises, gives byte-identical output twice,
every internal link of every page and feed leads to a file of the output (under the base
path), every kept promise links both ways, and nothing of a draft or a future post reaches
the output. In watch mode, random sequences of edits end in the output of a clean build.

Example counts stay small in the normal suite (the "properties" profile, derandomized so
the suite is deterministic); `HYPOTHESIS_PROFILE=fuzz pytest tests/test_properties.py` runs
many more, with fresh random examples.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from conftest import NOW, make_journal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core.config import BuildOptions
from generator.incremental.session import WatchSession
from generator.pipeline.build import BuildResult, Request, build
from generator.pipeline.write import MANIFEST

settings.register_profile(
    "properties",
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "properties"))
OPTIONS = BuildOptions(now=NOW)
ZONES = ["UTC", "Pacific/Auckland", "Pacific/Kiritimati", "America/Los_Angeles", "Asia/Kolkata"]
BASE_URLS = ["https://example.org/", "https://user.github.io/journal/"]

# Titles and tags: letters of any script, digits, punctuation, symbols (emoji), spaces.
TEXT_CHARS = st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029")
# Bodies: no brackets, angle brackets or backticks, so that they hold no links of their own.
BODY_CHARS = st.characters(
    categories=("L", "N", "Zs"), include_characters=".,;!?'\"-*_", exclude_characters="\u3000"
)


@dataclass(frozen=True)
class PostSpec:
    index: int
    prefix: str  # the random part of the title; the title is "{prefix} {index}"
    hidden: str  # "" for a published post, "draft" or "future"
    word: str  # a random ASCII word, for the markers of a hidden post
    file_name: str
    date: str | None  # the YAML value, or None when the file name gives the date
    tags: tuple[str, ...]
    explicit_slug: bool
    body: str
    promise: tuple[str, int | None] | None  # (kind, target index): kept, pending, hidden

    @property
    def title(self) -> str:
        if self.hidden:
            return f"Hidden {self.word} {self.index}"
        return f"{self.prefix} {self.index}".strip()

    @property
    def slug(self) -> str | None:
        if self.hidden:
            return f"secret{self.word}{self.index}"
        return f"slug{self.index}x{self.word}" if self.explicit_slug else None

    def markers(self) -> tuple[str, ...]:
        """What must never reach the output while the post is hidden."""
        assert self.hidden
        return (self.title, f"secret{self.word}{self.index}", f"zq{self.word}body{self.index}")


@dataclass(frozen=True)
class JournalSpec:
    zone: str
    base_url: str
    posts: tuple[PostSpec, ...]
    themes: tuple[tuple[int, str], ...]

    def published(self) -> list[PostSpec]:
        return [p for p in self.posts if not p.hidden]


DAY = st.dates(min_value=datetime(2020, 1, 1).date(), max_value=datetime(2025, 5, 29).date())
FUTURE_DAY = st.dates(min_value=datetime(2026, 1, 1).date(), max_value=datetime(2030, 1, 1).date())


@st.composite
def date_forms(draw: st.DrawFn, future: bool) -> tuple[str | None, str]:
    """(the `date:` value or None, the Jekyll-style file name prefix or "")."""
    day = draw(FUTURE_DAY if future else DAY)
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    form = draw(st.sampled_from(["date", "naive", "aware", "file name"]))
    if form == "date":
        return day.isoformat(), ""
    if form == "naive":
        return f'"{day.isoformat()} {hour:02d}:{minute:02d}"', ""
    if form == "aware":
        offset = draw(st.sampled_from(["+14:00", "-12:00", "+05:30", "Z", "+00:00"]))
        return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{offset}", ""
    return None, f"{day.isoformat()}-"


@st.composite
def post_specs(draw: st.DrawFn, index: int) -> PostSpec:
    hidden = draw(st.sampled_from(["", "", "", "draft", "future"]))
    date, name_prefix = draw(date_forms(future=hidden == "future"))
    prefix = draw(st.text(TEXT_CHARS, max_size=12))
    word = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=8))
    tags = tuple(draw(st.lists(st.text(TEXT_CHARS, min_size=1, max_size=8), max_size=3)))
    body = draw(st.text(BODY_CHARS, max_size=60))
    folder = draw(st.sampled_from(["", "2024/", "deep/er/"]))
    return PostSpec(
        index=index,
        prefix=prefix,
        hidden=hidden,
        word=word,
        file_name=f"{folder}{name_prefix}p{index}.md",
        date=date,
        tags=tags,
        explicit_slug=draw(st.booleans()),
        body=body,
        promise=None,
    )


@st.composite
def journals(draw: st.DrawFn, max_posts: int = 7) -> JournalSpec:
    count = draw(st.integers(1, max_posts))
    posts = [draw(post_specs(index)) for index in range(count)]
    with_promises = []
    for post in posts:
        targets = {
            "kept": [p.index for p in posts if p.index != post.index and not p.hidden],
            "hidden": [p.index for p in posts if p.index != post.index and p.hidden],
        }
        kinds = ["none", "pending"] + [kind for kind, found in targets.items() if found]
        kind = draw(st.sampled_from(kinds))
        promise: tuple[str, int | None] | None = None
        if kind == "pending":
            promise = ("pending", None)
        elif kind != "none":
            promise = (kind, draw(st.sampled_from(targets[kind])))
        with_promises.append(replace(post, promise=promise))
    themes = draw(
        st.lists(
            st.tuples(st.integers(2019, 2026), st.text(TEXT_CHARS, min_size=1, max_size=10)),
            max_size=3,
            unique_by=lambda t: t[0],
        )
    )
    return JournalSpec(
        zone=draw(st.sampled_from(ZONES)),
        base_url=draw(st.sampled_from(BASE_URLS)),
        posts=tuple(with_promises),
        themes=tuple(themes),
    )


def yaml_text(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def promise_line(spec: JournalSpec, post: PostSpec) -> str:
    if post.promise is None:
        return ""
    kind, target = post.promise
    if kind == "pending":
        return f"\n\nNext: Someday {post.word} {post.index}\n"
    assert target is not None
    title = spec.posts[target].title
    if spec.posts[target].hidden:
        return f"\n\nNext: {title.upper()}\n"  # matches the title, yet is not its spelling
    return f"\n\nNext: {title}\n"


def source_of(spec: JournalSpec, post: PostSpec) -> str:
    lines = ["---", f"title: {yaml_text(post.title)}"]
    if post.date is not None:
        lines.append(f"date: {post.date}")
    if post.tags:
        lines.append("tags: [" + ", ".join(yaml_text(t) for t in post.tags) + "]")
    if post.slug is not None:
        lines.append(f"slug: {post.slug}")
    if post.hidden == "draft":
        lines.append("draft: true")
    marker = f" zq{post.word}body{post.index}" if post.hidden else ""
    body = f"{post.body}\n\nWords {post.index}.{marker}" + promise_line(spec, post)
    return "\n".join([*lines, "---", body, ""])


def journal_files(spec: JournalSpec) -> dict[str, str]:
    config = f'title = "J"\nbase_url = "{spec.base_url}"\ntimezone = "{spec.zone}"\n'
    files = {"journal.toml": config}
    for post in spec.posts:
        files[f"content/posts/{post.file_name}"] = source_of(spec, post)
    for year, word in spec.themes:
        files[f"content/themes/{year}.md"] = f"---\nword: {yaml_text(word)}\n---\nAbout {year}.\n"
    return files


@contextmanager
def journal_folder(spec: JournalSpec) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield make_journal(Path(folder), journal_files(spec))


def request(root: Path, output: Path) -> Request:
    return Request(root, output, OPTIONS, use_cache=False)


def site_files(output: Path) -> dict[str, bytes]:
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def built(root: Path, output: Path) -> tuple[BuildResult, dict[str, bytes]]:
    result = build(request(root, output))
    return result, (site_files(output) if output.is_dir() else {})


# ---------------------------------------------------------------- reading the output


class LinkCollector(HTMLParser):
    """Every href/src of a page, and the anchors with their classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.anchors: list[tuple[set[str], str]] = []
        self._in_h1 = False
        self.h1 = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("href", "src"):
            if name in values:
                self.urls.append(values[name])
        if tag == "a" and "href" in values:
            self.anchors.append((set(values.get("class", "").split()), values["href"]))
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data


def collect(data: bytes) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(data.decode("utf-8"))
    collector.close()
    return collector


XML_URL = re.compile(r'(?:href="([^"]*)"|<loc>([^<]*)</loc>|<id>([^<]*)</id>)')


def urls_in(path: str, data: bytes) -> list[str]:
    if path.endswith(".html"):
        return collect(data).urls
    if path.endswith(".xml"):
        return [
            html.unescape(next(g for g in m.groups() if g is not None))
            for m in XML_URL.finditer(data.decode("utf-8"))
        ]
    return []


def page_url(path: str, base_path: str) -> str:
    return base_path + (path.removesuffix("index.html") if path.endswith("index.html") else path)


def target_file(url: str, page: str, base_url: str) -> str | None:
    """The output file an internal URL leads to (None for an external one); "" when the URL
    is internal but outside the base path."""
    parts = urlsplit(url)
    base = urlsplit(base_url)
    if parts.scheme in ("mailto", "javascript", "data"):
        return None
    if parts.scheme or parts.netloc:
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        path = parts.path
    elif not parts.path:
        return None  # "#fragment" or "?query" on the same page
    else:
        path = urlsplit(urljoin(page, url)).path
    if not path.startswith(base.path):
        return ""
    relative = unquote(path[len(base.path) :])
    return relative + "index.html" if relative == "" or relative.endswith("/") else relative


def post_pages(files: dict[str, bytes]) -> dict[str, str]:
    """{title: the post page's file} for every post page."""
    pages = {}
    for path, data in files.items():
        if re.fullmatch(r"\d{4}/[^/]+/index\.html", path):
            pages[collect(data).h1.strip()] = path
    return pages


# ---------------------------------------------------------------- the properties


def check_links_resolve(files: dict[str, bytes], base_url: str) -> None:
    base_path = urlsplit(base_url).path
    for path, data in files.items():
        page = urljoin(base_url, page_url(path, base_path))
        for url in urls_in(path, data):
            target = target_file(url, page, base_url)
            if target is None:
                continue
            assert target, f"{path}: {url} is outside the base path {base_path}"
            assert target in files, f"{path}: {url} leads to no file ({target})"


def check_promises_link_both_ways(spec: JournalSpec, files: dict[str, bytes]) -> None:
    pages = post_pages(files)
    base_path = urlsplit(spec.base_url).path
    published = {p.index: p for p in spec.published()}
    assert sorted(pages) == sorted(p.title for p in published.values())
    for post in published.values():
        here = collect(files[pages[post.title]])
        kind, target = post.promise or ("none", None)
        nexts = [unquote(href) for classes, href in here.anchors if "chain-next" in classes]
        if kind == "kept":
            assert target is not None
            there_path = pages[spec.posts[target].title]
            assert nexts == [page_url(there_path, base_path)]
            there = collect(files[there_path])
            backs = [unquote(h) for classes, h in there.anchors if "chain-prev" in classes]
            assert page_url(pages[post.title], base_path) in backs
        else:
            assert nexts == []
    for post in published.values():
        backs = [h for c, h in collect(files[pages[post.title]]).anchors if "chain-prev" in c]
        keepers = [p for p in published.values() if p.promise == ("kept", post.index)]
        assert len(backs) == len(keepers)


def check_nothing_hidden_leaks(spec: JournalSpec, files: dict[str, bytes]) -> None:
    for post in spec.posts:
        if not post.hidden:
            continue
        for marker in post.markers():
            for path, data in files.items():
                assert marker.encode() not in data, f"{marker!r} of a {post.hidden} in {path}"


@settings(PROFILE)
@given(spec=journals())
def test_random_journals_build_the_same_safe_site_twice(spec: JournalSpec) -> None:
    with journal_folder(spec) as root:
        first, files = built(root, root.parent / "one")
        second, again = built(root, root.parent / "two")
        assert first.problems == second.problems
        assert files == again, "two builds of the same journal differ"
        assert first.ok, [str(p) for p in first.problems]
        assert all(p.level == "warning" for p in first.problems)
        check_links_resolve(files, spec.base_url)
        check_promises_link_both_ways(spec, files)
        check_nothing_hidden_leaks(spec, files)


@settings(PROFILE)
@given(
    files=st.dictionaries(
        st.sampled_from(["content/posts/a.md", "content/posts/b.md", "content/themes/2024.md"]),
        st.text(st.characters(codec="utf-8"), max_size=200).map(lambda t: "---\n" + t),
        min_size=1,
    )
)
def test_any_text_at_all_gives_problems_not_exceptions(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = make_journal(Path(folder), files)
        result = build(request(root, Path(folder) / "out"), write=False)
        again = build(request(root, Path(folder) / "out"), write=False)
        assert result.problems == again.problems
        assert dict(result.files) == dict(again.files)
        for problem in result.problems:
            assert problem.line >= 1 and problem.level in ("error", "warning")


# ---------------------------------------------------------------- watch mode


@dataclass(frozen=True)
class Edit:
    kind: str  # "write", "delete", "break"
    path: str
    text: str = ""


@st.composite
def edits(draw: st.DrawFn, spec: JournalSpec) -> list[Edit]:
    """Random edits of a journal: posts rewritten, added, deleted, renamed, broken and fixed;
    themes changed; a template overridden."""
    names = [f"content/posts/{p.file_name}" for p in spec.posts]
    result: list[Edit] = []
    for step in range(draw(st.integers(1, 6))):
        kind = draw(
            st.sampled_from(["rewrite", "add", "delete", "break", "theme", "template", "rename"])
        )
        if kind in ("rewrite", "break", "delete", "rename") and names:
            name = draw(st.sampled_from(names))
            if kind == "break":
                result.append(Edit("write", name, "---\ndate: soon\n---\n"))
            elif kind == "delete":
                result.append(Edit("delete", name))
                names.remove(name)
            elif kind == "rename":
                text = source_of(spec, draw(post_specs(100 + step)))
                result.append(Edit("delete", name))
                names.remove(name)
                moved = f"content/posts/moved/{step}.md"
                result.append(Edit("write", moved, text))
                names.append(moved)
            else:
                post = replace(draw(post_specs(200 + step)), hidden="")
                result.append(Edit("write", name, source_of(spec, post)))
        elif kind == "theme":
            word = draw(st.text(TEXT_CHARS, min_size=1, max_size=8))
            year = draw(st.integers(2020, 2025))
            result.append(
                Edit("write", f"content/themes/{year}.md", f"---\nword: {yaml_text(word)}\n---\n")
            )
        elif kind == "template":
            footer = draw(st.text("abc xyz", max_size=10))
            text = f"User-agent: *\n# {footer}\nSitemap: {{{{ sitemap_url }}}}\n"
            result.append(Edit("write", "templates/robots.txt", text))
        else:
            post = replace(draw(post_specs(300 + step)), hidden="")
            name = f"content/posts/new{step}.md"
            result.append(Edit("write", name, source_of(spec, post)))
            names.append(name)
    return result


def apply(root: Path, edit: Edit) -> Path:
    path = root / edit.path
    if edit.kind == "delete":
        path.unlink(missing_ok=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(edit.text, encoding="utf-8")
    return path


@settings(PROFILE)
@given(data=st.data())
def test_watch_mode_edits_end_in_the_output_of_a_clean_build(data: st.DataObject) -> None:
    spec = data.draw(journals(max_posts=5))
    steps = data.draw(edits(spec))
    with journal_folder(spec) as root:
        watched = root / "output"
        builder = WatchSession(Request(root, watched, OPTIONS))
        builder.build()
        for edit in steps:
            changed = apply(root, edit)
            builder.build(changed={changed})
        last = builder.build(changed=set())
        clean, clean_files = built(root, root.parent / "clean")
        assert sorted(last.problems) == sorted(clean.problems)
        if clean.ok:
            assert site_files(watched) == clean_files

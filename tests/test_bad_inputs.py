"""The bad-input corpus: journals a writer can really end up with, built by `journal build`.

Each case is a tiny journal ({path: text or bytes}, plus symlinks made by `setup`) and the
exact problems it must report, as `path:line: level` with a piece of the message. The build
runs the CLI in-process, under a time limit, and must never print a traceback or hang; every
line it writes to stderr must be a problem line; it fails exactly when an error is expected,
and then writes nothing. Cases that build also check the pages (`check`).

Time zones are tested below the table with a fixed clock, since the CLI reads the real one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import (
    build_journal,
    make_journal,
    one,
    parse_html,
    post_text,
    select,
    text_of,
    time_limit,
)

from generator.cli import main
from generator.core.config import BuildOptions
from generator.core.problems import Level

PROBLEM_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<level>error|warning): (?P<msg>.+)$")
POSTS = "content/posts"
FIVE_MB = 5 * 1024 * 1024


@dataclass(frozen=True)
class Expect:
    """One problem the build must report: at `path:line`, of `level`, saying `fragment`."""

    path: str
    line: int
    level: Level
    fragment: str


@dataclass(frozen=True)
class Case:
    files: Mapping[str, str | bytes]
    problems: tuple[Expect, ...] = ()
    setup: Callable[[Path], None] | None = None  # gets the journal root (symlinks, odd names)
    check: Callable[[Path], None] | None = None  # gets the output folder of a good build
    args: tuple[str, ...] = ()
    config: str | None = None
    seconds: int = 60  # the hang guard; real builds take a fraction of it


def err(path: str, line: int, fragment: str) -> Expect:
    return Expect(path, line, "error", fragment)


def warn(path: str, line: int, fragment: str) -> Expect:
    return Expect(path, line, "warning", fragment)


def post(date: str = "2024-06-10", body: str = "Some words.\n", **fields: str) -> str:
    return post_text(date, body, **fields)


# ---------------------------------------------------------------- output helpers


def output_files(output: Path) -> dict[str, bytes]:
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file() and p.name != ".journal-manifest.json"
    }


def page(output: Path, url_path: str) -> bytes:
    """The file a URL path of the site (base path "/") is served from."""
    relative = unquote(url_path).strip("/")
    return (output / relative / "index.html").read_bytes()


def h1(output: Path, url_path: str) -> str:
    return text_of(one(parse_html(page(output, url_path)), "h1"))


def post_urls(output: Path) -> list[str]:
    """Every post page's URL path, from the archive page's links."""
    tree = parse_html((output / "archive/index.html").read_bytes())
    hrefs = [a.get("href") or "" for a in tree.iter("a")]
    return sorted(
        urlsplit(h).path for h in hrefs if re.fullmatch(r"/\d{4}/[^/]+/", urlsplit(h).path)
    )


def assert_published(*titles: str) -> Callable[[Path], None]:
    """A check: exactly these posts are published, each on a page with its title in <h1>."""

    def check(output: Path) -> None:
        shown = sorted(h1(output, url) for url in post_urls(output))
        assert shown == sorted(titles)

    return check


def nowhere_in_output(*texts: str) -> Callable[[Path], None]:
    def check(output: Path) -> None:
        for path, data in output_files(output).items():
            for text in texts:
                assert text.encode() not in data, f"{text!r} leaked into {path}"

    return check


def both(*checks: Callable[[Path], None]) -> Callable[[Path], None]:
    def check(output: Path) -> None:
        for one_check in checks:
            one_check(output)

    return check


# ---------------------------------------------------------------- checks of particular cases


def check_bom(output: Path) -> None:
    assert h1(output, "/2024/bom/") == "Café"
    assert not any("\ufeff".encode() in data for data in output_files(output).values())


def check_crlf(output: Path) -> None:
    data = page(output, "/2024/crlf/")
    assert b"\r" not in data
    tree = parse_html(data)
    assert text_of(one(tree, "span", "chain-next chain-pending")) == "Somewhere else"
    assert [text_of(p) for p in select(tree, "p") if "Second" in text_of(p)] == ["Second line."]


def check_big(output: Path) -> None:
    data = page(output, "/2024/big/")
    assert len(data) > FIVE_MB
    assert b"the very last paragraph" in data


def check_unicode(output: Path) -> None:
    urls = post_urls(output)
    assert len(urls) == 5
    for url in urls:
        slug = unquote(url).strip("/").split("/")[1]
        assert slug.strip("-"), f"empty slug in {url}"
        assert page(output, url).count(b"<h1>") == 1  # the URL leads to a page
    titles = {h1(output, url) for url in urls}
    assert titles == {"Café crème", "😀🎉", "日本語のタイトル", "مرحبا بالعالم", "🌱"}


SCRIPT_TITLE = "<script>alert('title')</script>"
SCRIPT_TAG = "<b onmouseover=alert('tag')>tag</b>"
SCRIPT_WORD = "<img src=x onerror=alert('word')>"
SCRIPT_PROMISE = "<iframe src=javascript:alert('next')>"


def check_escaped(output: Path) -> None:
    raw_forms = [SCRIPT_TITLE, SCRIPT_TAG, SCRIPT_WORD, SCRIPT_PROMISE]
    for path, data in output_files(output).items():
        if path.endswith(".json"):  # data for scripts, which show it as text (textContent)
            continue
        for raw in raw_forms:
            assert raw.encode() not in data, f"unescaped {raw!r} in {path}"
    tree = parse_html(page(output, "/2024/evil/"))
    assert text_of(one(tree, "h1")) == SCRIPT_TITLE
    assert text_of(one(tree, "a", "theme-word")) == SCRIPT_WORD
    assert text_of(one(tree, "span", "chain-next")) == SCRIPT_PROMISE
    assert SCRIPT_TAG in {text_of(a) for a in tree.iter("a")}
    assert not [s for s in tree.iter("script") if "alert" in (s.text or "")]
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    assert not feed.bozo
    (entry,) = feed.entries
    assert entry.title == SCRIPT_TITLE
    assert [t.term for t in entry.tags] == [SCRIPT_TAG]
    year_feed = feedparser.parse((output / "2024/feed.xml").read_bytes())
    assert year_feed.feed.title == f"2024: {SCRIPT_WORD}"


def check_chain_cycle(output: Path) -> None:
    for here, there in (("/2024/a/", "/2024/b/"), ("/2024/b/", "/2024/a/")):
        tree = parse_html(page(output, here))
        assert one(tree, "a", "chain-next").get("href") == there
        assert one(tree, "a", "chain-prev").get("href") == there


def check_future(output: Path) -> None:
    assert post_urls(output) == ["/2024/past/"]
    nowhere_in_output("Far ahead")(output)


def check_symlinked(output: Path) -> None:
    assert_published("Kept here", "Linked file", "In a linked folder")(output)
    nowhere_in_output("Outside the journal", "SECRET-OUTSIDE")(output)


# ---------------------------------------------------------------- setups (symlinks, odd names)


def outside_file(root: Path, name: str, text: str) -> Path:
    """A file beside the journal, not in it."""
    path = root.parent / "outside" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def link(root: Path, at: str, target: str | Path) -> None:
    path = root / at
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def setup_symlinks_inside(root: Path) -> None:
    link(root, f"{POSTS}/linked.md", "../../drafts-elsewhere/linked.md")
    link(root, f"{POSTS}/folder", "../../more-posts")


def setup_links_out(root: Path) -> None:
    outside = outside_file(root, "secret.md", post(title="Outside the journal"))
    link(root, f"{POSTS}/out.md", outside)
    link(root, f"{POSTS}/out-folder", outside.parent)
    link(root, "content/static/secret.txt", outside_file(root, "secret.txt", "SECRET-OUTSIDE"))
    link(root, f"{POSTS}/etc", "/etc")


def setup_template_link_out(root: Path) -> None:
    secret = outside_file(root, "id_rsa", "SECRET-OUTSIDE")
    link(root, "templates/robots.txt", secret)


def setup_shared_theme_folder(root: Path) -> None:
    theme = outside_file(root, "shared-theme/robots.txt", "User-agent: *\n# shared theme\n")
    link(root, "templates", theme.parent)


def check_shared_theme(output: Path) -> None:
    assert (output / "robots.txt").read_text(encoding="utf-8").endswith("# shared theme\n")


def setup_loops(root: Path) -> None:
    link(root, f"{POSTS}/loop-a.md", "loop-b.md")
    link(root, f"{POSTS}/loop-b.md", "loop-a.md")
    link(root, f"{POSTS}/self", ".")
    link(root, f"{POSTS}/sub/up", "..")
    link(root, f"{POSTS}/broken.md", "no-such-file.md")


def setup_non_utf8_name(root: Path) -> None:
    name = os.fsencode(root / POSTS) + b"/caf\xe9.md"
    with open(name, "wb") as handle:
        handle.write(post(title="Latin-1 name").encode())


def setup_fifo(root: Path) -> None:
    os.mkfifo(root / POSTS / "pipe.md")  # reading it would block forever


# ---------------------------------------------------------------- the corpus

BILLION_LAUGHS = (
    "---\ndate: 2024-06-10\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "title: *i\ntags: *i\n---\nx\n"
)

DEEP_LIST = "".join("    " * level + "- item\n" for level in range(300))

BIG_BODY = "".join(
    f"Paragraph {n}: "
    + "a writer keeps one word a year and grows a practice from it. " * 16
    + "\n\n"
    for n in range(FIVE_MB // 1000 + 1)
)

CASES: dict[str, Case] = {
    # -- front matter that YAML cannot read, or that is not a mapping
    "yaml-unclosed-list": Case(
        {f"{POSTS}/a.md": "---\ndate: 2024-06-10\ntags: [one, two\ntitle: Oops\n---\nx\n"},
        (err(f"{POSTS}/a.md", 3, "front matter is not valid YAML"),),
    ),
    "yaml-bad-indentation": Case(
        {f"{POSTS}/a.md": "---\ntitle: A\n  date: 2024-06-10\n---\nx\n"},
        (err(f"{POSTS}/a.md", 3, "front matter is not valid YAML"),),
    ),
    "yaml-tab-indent": Case(
        {f"{POSTS}/a.md": "---\ntags:\n\t- one\ndate: 2024-06-10\n---\nx\n"},
        (err(f"{POSTS}/a.md", 3, "front matter is not valid YAML"),),
    ),
    "yaml-unknown-tag": Case(
        {f"{POSTS}/a.md": "---\ntitle: !!python/object:os.system echo\ndate: 2024-06-10\n---\n"},
        (err(f"{POSTS}/a.md", 2, "front matter is not valid YAML"),),
    ),
    "yaml-nested-ten-thousand-deep": Case(
        {f"{POSTS}/a.md": "---\ntitle: " + "[" * 10_000 + "]" * 10_000 + "\n---\nx\n"},
        (err(f"{POSTS}/a.md", 2, "front matter is not valid YAML"),),
    ),
    "yaml-billion-laughs": Case(
        {f"{POSTS}/a.md": BILLION_LAUGHS},
        (
            err(f"{POSTS}/a.md", 12, "`title` must be text, not a list"),
            err(f"{POSTS}/a.md", 13, "each tag must be a word or phrase, not a list"),
        ),
        seconds=30,
    ),
    "front-matter-a-list": Case(
        {f"{POSTS}/a.md": "---\n- title\n- date\n---\nx\n"},
        (err(f"{POSTS}/a.md", 2, "front matter must be `key: value` lines"),),
    ),
    "front-matter-plain-text": Case(
        {f"{POSTS}/a.md": "---\nMy first post, written on a Monday\n---\nx\n"},
        (err(f"{POSTS}/a.md", 2, "front matter must be `key: value` lines"),),
    ),
    "front-matter-not-closed": Case(
        {f"{POSTS}/a.md": "---\ntitle: A\ndate: 2024-06-10\n\nThe body, but no closing line.\n"},
        (err(f"{POSTS}/a.md", 1, "front matter is not closed"),),
    ),
    "key-set-twice": Case(
        {f"{POSTS}/a.md": "---\ntitle: First\ndate: 2024-06-10\ntitle: Second\n---\nx\n"},
        (warn(f"{POSTS}/a.md", 4, "`title` is set twice (first on line 2)"),),
        check=assert_published("Second"),
    ),
    # -- wrong types
    "title-yes": Case(
        {f"{POSTS}/a.md": post(title="yes")},
        (err(f"{POSTS}/a.md", 3, "`title` must be text, not the true/false value true"),),
    ),
    "tags-a-number": Case(
        {f"{POSTS}/a.md": post(tags="5")},
        (err(f"{POSTS}/a.md", 3, "`tags` must be a list like [travel, family]"),),
    ),
    "tag-a-mapping": Case(
        {f"{POSTS}/a.md": post(tags="[ok, {a: 1}]")},
        (err(f"{POSTS}/a.md", 3, "each tag must be a word or phrase, not a mapping"),),
    ),
    "draft-maybe": Case(
        {f"{POSTS}/a.md": post(draft="maybe")},
        (err(f"{POSTS}/a.md", 3, '`draft` must be true or false, not "maybe"'),),
    ),
    "slug-of-symbols": Case(
        {f"{POSTS}/a.md": post(slug='"!!!"')},
        (err(f"{POSTS}/a.md", 3, '`slug` "!!!" has no letters or digits'),),
    ),
    "number-of-five-thousand-digits": Case(
        {f"{POSTS}/a.md": post(title="1" * 5000)},
        (err(f"{POSTS}/a.md", 2, "front matter has a value YAML cannot turn into"),),
    ),
    "hex-number-too-long-to-print": Case(
        {f"{POSTS}/a.md": post(title="0x" + "f" * 4000)},
        (err(f"{POSTS}/a.md", 3, "`title` must be text, not the number (a number too long"),),
    ),
    "long-value-is-shortened-in-messages": Case(
        {f"{POSTS}/a.md": post(draft="x" * 100_000)},
        (err(f"{POSTS}/a.md", 3, '`draft` must be true or false, not "xxxxxxxx'),),
    ),
    # -- dates
    "date-soon": Case(
        {f"{POSTS}/a.md": post(date="soon")},
        (err(f"{POSTS}/a.md", 2, '`date` "soon" is not a date'),),
    ),
    "date-a-list": Case(
        {f"{POSTS}/a.md": post(date="[2024, 6, 10]")},
        (err(f"{POSTS}/a.md", 2, "`date` must look like 2024-06-10"),),
    ),
    "date-with-a-one-digit-hour": Case(
        {f"{POSTS}/a.md": post(date="2024-06-10 8:30")},
        (err(f"{POSTS}/a.md", 2, '`date` "2024-06-10 8:30" is not a date'),),
    ),
    "no-date": Case(
        {f"{POSTS}/notes.md": "---\ntitle: Notes\n---\nx\n"},
        (err(f"{POSTS}/notes.md", 1, "no date: add `date: YYYY-MM-DD`"),),
    ),
    "impossible-date": Case(
        {f"{POSTS}/a.md": post(date="2024-02-30")},
        (err(f"{POSTS}/a.md", 2, 'impossible date "2024-02-30"'),),
    ),
    "impossible-date-in-the-file-name": Case(
        {f"{POSTS}/2023-02-29-leap.md": "No leap day in 2023.\n"},
        (err(f"{POSTS}/2023-02-29-leap.md", 1, "the file name's date: impossible date"),),
    ),
    "year-one-in-a-far-east-zone": Case(
        {f"{POSTS}/a.md": post(date="0001-01-01 00:00:00+14:00")},
        (err(f"{POSTS}/a.md", 2, "is out of range: the year must be from 1000 to 2999"),),
    ),
    "year-9999": Case(
        {f"{POSTS}/a.md": post(date="9999-12-31")},
        (err(f"{POSTS}/a.md", 2, "is out of range"),),
        args=("--future",),
    ),
    "future-post-is-left-out": Case(
        {
            f"{POSTS}/past.md": post(title="Past"),
            f"{POSTS}/ahead.md": post(date="2999-01-01", title="Far ahead"),
        },
        check=check_future,
    ),
    "future-post-with-the-future-flag": Case(
        {
            f"{POSTS}/past.md": post(title="Past"),
            f"{POSTS}/ahead.md": post(date="2999-01-01", title="Far ahead"),
        },
        args=("--future",),
        check=assert_published("Past", "Far ahead"),
    ),
    # -- bytes and line ends
    "not-utf8": Case(
        {f"{POSTS}/a.md": b"---\ndate: 2024-06-10\n---\nFirst line.\nCaf\xe9 cr\xe8me.\n"},
        (err(f"{POSTS}/a.md", 5, "not UTF-8 text (byte 0xe9"),),
    ),
    "utf16-file": Case(
        {f"{POSTS}/a.md": post(title="Wide").encode("utf-16")},
        (err(f"{POSTS}/a.md", 1, "not UTF-8 text (byte 0xff at offset 0)"),),
    ),
    "byte-order-mark": Case(
        {f"{POSTS}/bom.md": "\ufeff" + post(title="Café")},
        check=check_bom,
    ),
    "crlf-line-ends": Case(
        {
            f"{POSTS}/crlf.md": (
                "---\r\ndate: 2024-06-10\r\ntitle: CRLF\r\n---\r\nFirst line.\r\n\r\n"
                "Second line.\r\n\r\nNext: Somewhere else\r\n"
            )
        },
        (),  # the promise is read (a pending one is no problem)
        check=check_crlf,
    ),
    "old-mac-line-ends": Case(
        {f"{POSTS}/cr.md": "---\rdate: 2024-06-10\rtitle: CR only\r---\rBody.\r"},
        check=assert_published("CR only"),
    ),
    "empty-file": Case(
        {f"{POSTS}/empty.md": ""},
        (err(f"{POSTS}/empty.md", 1, "no date"),),
    ),
    "only-blank-lines": Case(
        {f"{POSTS}/blank.md": "\n \n\t\n"},
        (err(f"{POSTS}/blank.md", 1, "no date"),),
    ),
    "front-matter-only": Case(
        {f"{POSTS}/only.md": "---\ndate: 2024-06-10\ntitle: Only settings\n---\n"},
        check=assert_published("Only settings"),
    ),
    "front-matter-only-without-a-last-newline": Case(
        {f"{POSTS}/only.md": "---\ndate: 2024-06-10\ntitle: No newline\n---"},
        check=assert_published("No newline"),
    ),
    "five-megabyte-post": Case(
        {f"{POSTS}/big.md": post(body=BIG_BODY + "And the very last paragraph.\n")},
        check=check_big,
        seconds=300,
    ),
    "nested-lists-300-deep": Case(
        {f"{POSTS}/deep.md": post(body="Intro.\n\n" + DEEP_LIST)},
        (err(f"{POSTS}/deep.md", 107, "indented 101 levels deep"),),
    ),
    "nested-quotes-5000-deep": Case(
        {f"{POSTS}/quotes.md": post(title="Quotes", body="> " * 5000 + "deep\n")},
        check=assert_published("Quotes"),
    ),
    # -- files that are not posts
    "nul-bytes-in-a-post": Case(
        {f"{POSTS}/a.md": b"---\ndate: 2024-06-10\n---\nText\n\x00\x01\x02\xff\x00"},
        (err(f"{POSTS}/a.md", 5, "not UTF-8 text"),),
    ),
    "nul-bytes-in-utf8-text": Case(
        {f"{POSTS}/a.md": b"---\ndate: 2024-06-10\n---\nText\nmore\x00text\n"},
        (err(f"{POSTS}/a.md", 5, "this is not a text file (it has NUL bytes)"),),
    ),
    "png-among-posts": Case(
        {
            f"{POSTS}/photo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
            f"{POSTS}/real.md": post(title="Real"),
        },
        (warn(POSTS, 1, "1 file is not a post and is skipped: photo.png"),),
        check=assert_published("Real"),
    ),
    "editor-temp-files": Case(
        {
            f"{POSTS}/real.md": post(title="Real"),
            f"{POSTS}/.real.md.swp": b"\x00vim swap\xff",
            f"{POSTS}/real.md~": "---\nbroken: [\n---\n",
            f"{POSTS}/#real.md#": "---\nbroken: [\n---\n",
            f"{POSTS}/.#real.md": "user@host.1234",
            f"{POSTS}/4913": "",
            f"{POSTS}/real.md.tmp": "---\nbroken: [\n---\n",
            f"{POSTS}/~$real.md": b"\xff\xfe",
            f"{POSTS}/.DS_Store": b"\x00\x00\x00\x01Bud1",
        },
        check=assert_published("Real"),
    ),
    "file-name-not-utf8": Case(
        {f"{POSTS}/fine.md": post(title="Fine")},
        (err(f"{POSTS}/caf\\xe9.md", 1, "this file name is not UTF-8 text"),),
        setup=setup_non_utf8_name,
    ),
    "named-pipe-among-posts": Case(
        {f"{POSTS}/fine.md": post(title="Fine")},
        (warn(f"{POSTS}/pipe.md", 1, "skipped: this is not a file but a named pipe"),),
        setup=setup_fifo,
        check=assert_published("Fine"),
        seconds=20,
    ),
    # -- URLs and themes
    "two-posts-on-one-url": Case(
        {
            f"{POSTS}/one.md": post(title="Same", slug="same"),
            f"{POSTS}/two.md": post(date="2024-12-01", title="Other", slug="same"),
        },
        # (at the `slug:` line that makes the URL)
        (err(f"{POSTS}/two.md", 4, "URL /2024/same/ is also used by content/posts/one.md"),),
    ),
    "two-theme-files-for-one-year": Case(
        {
            "content/themes/2024.md": "---\nword: partnership\n---\n",
            "content/themes/old/2024.md": "---\nword: courage\n---\n",
        },
        (err("content/themes/old/2024.md", 1, "2024 already has a theme in content/themes/2024"),),
    ),
    "theme-for-a-nonsense-year": Case(
        {
            "content/themes/someday.md": "---\nword: hope\n---\n",
            "content/themes/0999.md": "---\nword: old\n---\n",
            "content/themes/3000.md": "---\nword: far\n---\n",
            "content/themes/٢٠٢٤.md": "---\nword: digits\n---\n",
        },
        (
            err("content/themes/0999.md", 1, '"0999" is not a year'),
            err("content/themes/3000.md", 1, '"3000" is not a year'),
            err("content/themes/someday.md", 1, '"someday" is not a year'),
            err("content/themes/٢٠٢٤.md", 1, '"٢٠٢٤" is not a year'),
        ),
    ),
    "theme-without-a-word": Case(
        {"content/themes/2024.md": "---\nforms: [a]\n---\nNo word.\n"},
        (err("content/themes/2024.md", 1, "a theme needs its word"),),
    ),
    "unicode-emoji-and-cjk-titles": Case(
        {
            f"{POSTS}/cafe.md": post(title="Café crème"),
            f"{POSTS}/😀.md": post(date="2024-06-11", title="😀🎉"),
            f"{POSTS}/日本.md": post(date="2024-06-12", title="日本語のタイトル"),
            f"{POSTS}/arabic.md": post(date="2024-06-13", title="مرحبا بالعالم"),
            f"{POSTS}/🌱.md": post(date="2024-06-14", title="🌱"),
        },
        check=check_unicode,
    ),
    "markup-in-titles-tags-theme-words-and-promises": Case(
        {
            f"{POSTS}/evil.md": post(
                title=f'"{SCRIPT_TITLE}"',
                slug="evil",
                tags=f'["{SCRIPT_TAG}"]',
                body=f"Body.\n\nNext: {SCRIPT_PROMISE}\n",
            ),
            "content/themes/2024.md": f'---\nword: "{SCRIPT_WORD}"\n---\nIntro.\n',
        },
        (),
        check=check_escaped,
    ),
    # -- "Next:" chains
    "chain-cycle-a-b-a": Case(
        {
            f"{POSTS}/a.md": post(title="A", body="x\n\nNext: B\n"),
            f"{POSTS}/b.md": post(date="2024-06-11", title="B", body="y\n\nNext: A\n"),
        },
        check=check_chain_cycle,
    ),
    "chain-cycle-of-three": Case(
        {
            f"{POSTS}/a.md": post(title="A", body="Next: B\n"),
            f"{POSTS}/b.md": post(date="2024-06-11", title="B", body="Next: C\n"),
            f"{POSTS}/c.md": post(date="2024-06-12", title="C", body="Next: a\n"),
        },
        check=assert_published("A", "B", "C"),
    ),
    "self-promise": Case(
        {f"{POSTS}/a.md": post(title="Again", body="x\n\nNext: again!\n")},
        (err(f"{POSTS}/a.md", 7, "points to this post itself"),),
    ),
    "ambiguous-promise": Case(
        {
            f"{POSTS}/a.md": post(title="A", body="Next: Twin\n"),
            f"{POSTS}/twin1.md": post(date="2024-06-11", title="Twin"),
            f"{POSTS}/twin2.md": post(date="2024-06-12", title="twin!"),
        },
        (
            err(
                f"{POSTS}/a.md",
                5,
                "could be content/posts/twin1.md and content/posts/twin2.md",
            ),
        ),
    ),
    "promise-to-a-draft": Case(
        {
            f"{POSTS}/a.md": post(title="Open", body="x\n\nNext: Secret plans\n"),
            f"{POSTS}/b.md": post(
                date="2024-06-11", title="Secret plans", slug="hidden-slug", draft="true"
            ),
        },
        (),  # being written, as promised: no problem
        check=both(assert_published("Open"), nowhere_in_output("hidden-slug")),
    ),
    "promise-with-a-broken-link": Case(
        {f"{POSTS}/a.md": post(title="A", body="x\n\nNext: [B](http://[::1/2024/b/)\n")},
        (),
    ),
    "promise-in-front-matter-of-the-wrong-type": Case(
        {f"{POSTS}/a.md": post(next="[1, 2]")},
        (err(f"{POSTS}/a.md", 3, "`next` must be the title of the next post"),),
    ),
    # -- symlinks
    "symlinks-inside-the-journal": Case(
        {
            f"{POSTS}/kept.md": post(title="Kept here"),
            "drafts-elsewhere/linked.md": post(date="2024-06-11", title="Linked file"),
            "more-posts/in-folder.md": post(date="2024-06-12", title="In a linked folder"),
        },
        setup=setup_symlinks_inside,
        check=check_symlinked,
    ),
    "symlinks-leading-out-of-the-journal": Case(
        {f"{POSTS}/kept.md": post(title="Kept here")},
        (
            warn("content/static/secret.txt", 1, "leads outside the journal"),
            warn(f"{POSTS}/etc", 1, "leads outside the journal"),
            warn(f"{POSTS}/out-folder", 1, "leads outside the journal"),
            warn(f"{POSTS}/out.md", 1, "leads outside the journal"),
        ),
        setup=setup_links_out,
        check=both(
            assert_published("Kept here"),
            nowhere_in_output("Outside the journal", "SECRET-OUTSIDE"),
        ),
    ),
    "template-symlink-leading-out": Case(
        {f"{POSTS}/kept.md": post(title="Kept here")},
        (err("templates/robots.txt", 1, "robots.txt is a symlink leading out of its templates"),),
        setup=setup_template_link_out,
    ),
    "templates-folder-linked-to-a-shared-theme": Case(
        {f"{POSTS}/kept.md": post(title="Kept here")},
        setup=setup_shared_theme_folder,
        check=check_shared_theme,
    ),
    "symlink-loops-and-broken-links": Case(
        {f"{POSTS}/kept.md": post(title="Kept here")},
        (
            warn(f"{POSTS}/broken.md", 1, "points to nothing"),
            warn(f"{POSTS}/loop-a.md", 1, "makes a loop"),
            warn(f"{POSTS}/loop-b.md", 1, "makes a loop"),
            warn(f"{POSTS}/self", 1, "makes a loop"),
            warn(f"{POSTS}/sub/up", 1, "makes a loop"),
        ),
        setup=setup_loops,
        check=assert_published("Kept here"),
    ),
}


def problems_in(stderr: str) -> list[tuple[str, int, str, str]]:
    found = []
    for line in stderr.splitlines():
        match = PROBLEM_LINE.match(line)
        assert match, f"not a `path:line: level: message` line: {line!r}"
        found.append((match["path"], int(match["line"]), match["level"], match["msg"]))
    return found


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[name]
    root = make_journal(tmp_path, case.files, case.config)
    if case.setup is not None:
        case.setup(root)
    with time_limit(case.seconds):
        code = main(["build", "--root", str(root), *case.args])
    out, stderr = capsys.readouterr()
    assert "Traceback" not in out + stderr
    found = problems_in(stderr)
    assert sorted(p[:3] for p in found) == sorted((e.path, e.line, e.level) for e in case.problems)
    for expected in case.problems:
        messages = [p[3] for p in found if p[:3] == (expected.path, expected.line, expected.level)]
        assert any(expected.fragment in m for m in messages), (expected, messages)
    failed = any(e.level == "error" for e in case.problems)
    assert code == (1 if failed else 0), out
    if failed:
        assert out.startswith("Build failed:")
        assert not (root / "output").exists()
    elif case.check is not None:
        case.check(root / "output")


def test_the_corpus_covers_every_case_of_the_issue() -> None:
    """Guards the corpus itself: each kind of bad input named in the issue has cases."""
    kinds = [
        "yaml",
        "front-matter",
        "title-yes",
        "tags-a-number",
        "date-soon",
        "no-date",
        "impossible-date",
        "future",
        "not-utf8",
        "byte-order-mark",
        "crlf",
        "empty-file",
        "front-matter-only",
        "five-megabyte",
        "nul-bytes",
        "png-among-posts",
        "editor-temp-files",
        "two-posts-on-one-url",
        "two-theme-files",
        "nonsense-year",
        "unicode-emoji-and-cjk",
        "markup-in-titles",
        "chain-cycle",
        "self-promise",
        "ambiguous-promise",
        "promise-to-a-draft",
        "symlinks-inside",
        "symlink-loops",
        "leading-out",
    ]
    for kind in kinds:
        assert any(kind in name for name in CASES), kind


# ---------------------------------------------------------------- time zones, with a fixed clock

AUCKLAND = 'title = "J"\nbase_url = "https://example.org/"\ntimezone = "Pacific/Auckland"\n'


def urls_of(files: Mapping[str, bytes]) -> list[str]:
    return sorted(
        "/" + path.removesuffix("index.html")
        for path in files
        if re.fullmatch(r"\d{4}/[^/]+/index\.html", path)
    )


def test_a_post_dated_today_ahead_of_utc_is_published(tmp_path: Path) -> None:
    """10 June in Auckland (UTC+12) starts while it is still 9 June in UTC."""
    root = make_journal(
        tmp_path,
        {
            f"{POSTS}/today.md": post(date="2024-06-10", title="Today"),
            f"{POSTS}/tomorrow.md": post(date="2024-06-11", title="Tomorrow"),
        },
        AUCKLAND,
    )
    now = datetime(2024, 6, 9, 13, 0, tzinfo=UTC)  # 01:00 on 10 June in Auckland
    result = build_journal(root, options=BuildOptions(now=now), write=False)
    assert result.ok, result.problems
    assert urls_of(result.files) == ["/2024/today/"]


def test_a_naive_clock_is_local_time_and_agrees_with_the_aware_one(tmp_path: Path) -> None:
    """A library caller's naive `now` is read as Python reads naive times (local time)."""
    files = {
        f"{POSTS}/today.md": post(date="2024-06-10", title="Today"),
        f"{POSTS}/tomorrow.md": post(date="2024-06-11", title="Tomorrow"),
    }
    root = make_journal(tmp_path, files, AUCKLAND)
    aware = datetime(2024, 6, 9, 13, 0, tzinfo=UTC)
    naive = aware.astimezone().replace(tzinfo=None)
    from_aware = build_journal(root, options=BuildOptions(now=aware), write=False)
    from_naive = build_journal(root, options=BuildOptions(now=naive), write=False)
    assert from_naive.problems == from_aware.problems == ()
    assert dict(from_naive.files) == dict(from_aware.files)
    assert urls_of(from_naive.files) == ["/2024/today/"]


def test_the_cli_publishes_a_post_dated_today_in_the_furthest_zone_ahead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the real clock: whatever the hour, "today" at UTC+14 is already published."""
    zone = ZoneInfo("Pacific/Kiritimati")
    today = datetime.now(zone).date()
    config = AUCKLAND.replace("Pacific/Auckland", "Pacific/Kiritimati")
    root = make_journal(tmp_path, {f"{POSTS}/today.md": post(date=today.isoformat())}, config)
    assert main(["build", "--root", str(root)]) == 0, capsys.readouterr()
    assert (root / "output" / str(today.year) / "today" / "index.html").is_file()


@pytest.mark.parametrize(
    ("written", "zone", "url", "shown"),
    [
        # aware, in another zone: the page uses the site's zone for the year and the day
        ("2024-12-31T20:00:00-05:00", "Asia/Tokyo", "/2025/moment/", "1 January 2025"),
        ("2025-01-01T05:00:00+09:00", "America/New_York", "/2024/moment/", "31 December 2024"),
        # naive: in the site's zone, even where UTC is still in the year before
        ("2025-01-01 00:30", "Pacific/Auckland", "/2025/moment/", "1 January 2025"),
        ("2024-12-31 23:30", "Pacific/Honolulu", "/2024/moment/", "31 December 2024"),
    ],
)
def test_datetimes_across_time_zones(
    tmp_path: Path, written: str, zone: str, url: str, shown: str
) -> None:
    config = AUCKLAND.replace("Pacific/Auckland", zone)
    root = make_journal(tmp_path, {f"{POSTS}/moment.md": post(date=f'"{written}"')}, config)
    result = build_journal(
        root, options=BuildOptions(now=datetime(2026, 1, 1, tzinfo=UTC)), write=False
    )
    assert result.ok, result.problems
    assert urls_of(result.files) == [url]
    page_text = text_of(parse_html(result.files[url.strip("/") + "/index.html"]))
    assert shown in page_text


def test_a_future_post_becomes_published_when_its_moment_comes(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {f"{POSTS}/later.md": post(date='"2024-06-10 09:00"')})
    moment = datetime(2024, 6, 10, 9, 0, tzinfo=UTC)
    before = build_journal(
        root, options=BuildOptions(now=moment - timedelta(seconds=1)), write=False
    )
    at = build_journal(root, options=BuildOptions(now=moment), write=False)
    assert urls_of(before.files) == []
    assert urls_of(at.files) == ["/2024/later/"]


@pytest.mark.parametrize(
    "templates",
    [
        {"templates/post.html": '{% include "post.html" %}\n'},
        {"templates/post.html": '{% extends "post.html" %}\n'},
        {
            "templates/post.html": '{% include "_a.html" %}\n',
            "templates/_a.html": '{% include "post.html" %}\n',
        },
    ],
    ids=["includes itself", "extends itself", "through another"],
)
def test_a_template_that_draws_itself_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], templates: dict[str, str]
) -> None:
    root = make_journal(tmp_path, {"content/posts/2024/a.md": post(title="A"), **templates})
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "RecursionError" not in err
    assert "error: drawing this page never ends" in err
    assert not (root / "output").exists() or not any((root / "output").rglob("*.journal-tmp"))


def test_an_output_symlink_that_leads_to_itself_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {"content/posts/2024/a.md": post(title="A")})
    try:
        (root / "output").symlink_to(root / "output")
    except OSError:
        pytest.skip("this file system cannot make symlinks")
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "output:1: error: refusing to build into output: it is a symlink that leads" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="this system has no named pipes")
@pytest.mark.parametrize(
    "where", ["templates/post.html", "templates/assets/style.css", "content/posts/2024/b.md"]
)
def test_a_named_pipe_is_never_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """A FIFO where a file is expected would block the build for ever at its first read."""
    root = make_journal(tmp_path, {"content/posts/2024/a.md": post(title="A")})
    (root / where).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / where)
    with time_limit(120):
        code = main(["build", "--root", str(root)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == 0  # (the theme's own file is used in place of a pipe in templates/)
    assert f"{where}:1: warning: skipped: this is not a file but a named pipe" in err
    assert (root / "output/2024/a/index.html").is_file()


def test_names_windows_refuses_are_reported_at_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A post or tag whose URL would be a folder named CON, AUX, NUL, COM1... makes a site
    that cannot be checked out on Windows: each is an error at the line that names it."""
    root = make_journal(
        tmp_path,
        {
            "content/posts/2024/con.md": post(title="Cons and pros"),
            "content/posts/2024/b.md": "---\ntitle: B\ndate: 2024-06-11\nslug: Aux\n---\nB.\n",
            "content/posts/2024/c.md": (
                "---\ntitle: C\ndate: 2024-06-12\ntags: [ok, NUL]\n---\nC.\n"
            ),
            "content/posts/2024/d.md": post(title="Console"),  # (not a reserved name)
        },
    )
    assert main(["build", "--root", str(root)]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if "Windows" in line]
    assert lines[0].startswith('content/posts/2024/b.md:4: error: the URL ends in "aux/"')
    assert lines[1].startswith('content/posts/2024/c.md:4: error: tag "NUL" has the URL tags/nul/')
    assert lines[2].startswith('content/posts/2024/con.md:1: error: the URL ends in "con/"')
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("Draft: true", "did you mean `draft`?"),
        ("drafft: true", "did you mean `draft`?"),
        ("DRAFT: yes", "did you mean `draft`?"),
        ("published: false", "`published` is not read here"),
        ("Status: draft", "`Status` is not read here"),
        ("publishDate: 2030-01-01", "`publishDate` is not read here"),
    ],
)
def test_a_misspelt_or_foreign_draft_setting_publishes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, said: str
) -> None:
    """The one mistake a journal must never make: a post its writer meant to keep back goes
    live. A setting that decides publishing and is not understood is an error at its line,
    and the site already built is left as it was."""
    root = make_journal(tmp_path, {"content/posts/2024/a.md": post(title="A")})
    assert main(["build", "--root", str(root)]) == 0
    before = output_files(root / "output")
    secret = root / "content/posts/2024/secret.md"
    secret.write_text(f"---\ntitle: Secret\ndate: 2024-06-11\n{setting}\n---\nHidden.\n")
    capsys.readouterr()
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "content/posts/2024/secret.md:4: error: " in err and said in err
    assert output_files(root / "output") == before


def test_a_near_miss_of_another_setting_only_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "---\ntitle: A\ndate: 2024-06-10\ntitel: B\nlayout: post\n---\nA.\n"
    root = make_journal(tmp_path, {"content/posts/2024/a.md": text})
    assert main(["build", "--root", str(root)]) == 0
    err = capsys.readouterr().err
    assert "a.md:4: warning: unknown setting `titel` is ignored: did you mean `title`?" in err
    assert "layout" not in err  # (an unknown setting that is near nothing: Jekyll's, say)

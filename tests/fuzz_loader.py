"""Fuzz the loader: parse_post, parse_theme, the "Next:" line and where a promise leads.

    python tests/fuzz_loader.py --minutes 5 [--save crashes.json]

Hypothesis makes inputs without end until the time is up: random bytes, text in odd
encodings, YAML-ish front matter built from the pieces that break parsers (unclosed
brackets, anchors and aliases, tags, numbers of thousands of digits, impossible dates, tabs,
NUL, BOM, U+2028, deep nesting), bodies with deeply indented lists, and "Next:" lines with
broken links. Every input must give a Post or None and well-formed problems (the file's
path, a line within the file, error or warning, a one-line message); no exception may
escape, including from the Markdown of the body and from resolving the promise
(site.build_site). Each failure is shrunk, printed and saved; keep it as a case in
tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core.config import BuildOptions, Config
from generator.core.problems import Problem
from generator.pipeline.load import YEARS, Post, Theme, parse_post, parse_theme
from generator.pipeline.markup import render_markdown
from generator.pipeline.python_markdown import make_converter
from generator.pipeline.site import build_site

ZONES = ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata", "Europe/Paris")
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

# ---------------------------------------------------------------- checking one input


def check_problems(key: str, raw: bytes, problems: Sequence[Problem]) -> None:
    """Each problem names this file (or one of its lines) and says what is wrong in a line."""
    lines = raw.count(b"\n") + raw.count(b"\r") + 1
    for problem in problems:
        assert isinstance(problem, Problem), problem
        assert problem.path == key, problem
        assert isinstance(problem.line, int) and 1 <= problem.line <= lines, (problem, lines)
        assert problem.level in ("error", "warning"), problem
        assert problem.message.strip() and "\n" not in problem.message, problem
        assert len(problem.message) < 1000, problem  # long values are cut short
        str(problem).encode("utf-8")  # printable


def check_post(post: Post, problems: Sequence[Problem]) -> None:
    assert not any(p.level == "error" for p in problems), problems
    assert isinstance(post.title, str) and post.title.strip(), post
    assert post.slug and post.slug.strip("-") == post.slug, post
    assert post.date.tzinfo is not None and post.date.year in YEARS, post
    assert all(isinstance(tag, str) and tag for tag in post.tags), post
    assert post.promise is None or post.promise.text.strip(), post
    assert post.promise is None or post.promise.line >= 1, post


def check_post_input(key: str, raw: bytes, zone_name: str) -> Post | None:
    """parse_post on one input, its Markdown rendered, its promise resolved."""
    post, problems = parse_post(key, raw, ZoneInfo(zone_name))
    check_problems(key, raw, problems)
    if post is None:
        assert any(p.level == "error" for p in problems), problems
        return None
    check_post(post, problems)
    render_markdown(make_converter(), post.body)
    return post


def check_theme_input(key: str, raw: bytes) -> Theme | None:
    theme, problems = parse_theme(key, raw)
    check_problems(key, raw, problems)
    if theme is None:
        assert any(p.level == "error" for p in problems), problems
        return None
    assert theme.year in YEARS and theme.word.strip(), theme
    render_markdown(make_converter(), theme.intro)
    return theme


def check_site(posts: Sequence[Post], themes: Sequence[Theme], zone_name: str) -> None:
    """The promises of these posts resolved against each other (and a site built)."""
    config = Config(timezone=zone_name, base_url="https://example.org/journal/")
    for options in (BuildOptions(now=NOW), BuildOptions(drafts=True, future=True)):
        site = build_site(posts, themes, config, options)
        for problem in site.problems:
            assert problem.line >= 1 and problem.level in ("error", "warning"), problem
            assert "\n" not in problem.message, problem


# ---------------------------------------------------------------- inputs

KEYS = st.sampled_from(["title", "date", "tags", "slug", "draft", "summary", "next", "word"])
PIECES = st.sampled_from(
    [
        "[",
        "]",
        "{",
        "}",
        ",",
        ": ",
        ":",
        "- ",
        "'",
        '"',
        "&a ",
        "*a",
        "!!str ",
        "!!int ",
        "!!binary ",
        "!!timestamp ",
        "!!float ",
        "!!set ",
        "!!python/object:os.system ",
        "|",
        ">",
        "#",
        "? ",
        "%YAML 1.1",
        "---",
        "...",
        "~",
        "null",
        "yes",
        "no",
        "on",
        "true",
        ".inf",
        ".nan",
        "0x1F",
        "0o17",
        "0b101",
        "1_000",
        "1:20:30",
        "1e999",
        "-0",
        "2024",
        "2024-02-30",
        "2024-06-10",
        "2024-06-10 08:30",
        "2024-06-10T08:30:00+14:00",
        "0001-01-01",
        "9999-12-31T23:59:59-12:00",
        "2024-6-1",
        "\t",
        "\r",
        "\r\n",
        "\x00",
        "\x85",
        "\u2028",
        "\ufeff",
        " ",
        "\n",
        "\n  ",
        "é",
        "日本",
        "😀",
        "<script>",
        "&amp;",
        "\\",
        "%",
        "@",
        "`",
        "Next: ",
        "a",
        "b",
        "partnership",
    ]
)
LONG_RUNS = st.sampled_from(["9", "f", "[", "{a: ", "- ", "    ", "> ", "*", "1:", "&b [*b]"])


@st.composite
def runs(draw: st.DrawFn) -> str:
    """A piece repeated hundreds or thousands of times (numbers, nesting, indentation)."""
    return draw(LONG_RUNS) * draw(st.integers(50, 6000))


FRAGMENT = st.one_of(PIECES, st.text(max_size=6), runs())


@st.composite
def yaml_values(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(FRAGMENT, max_size=8)))


@st.composite
def front_matters(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.one_of(KEYS, st.text(max_size=5)))
        lines.append(f"{key}: {draw(yaml_values())}")
    return "---\n" + "\n".join(lines) + "\n---\n"


@st.composite
def next_lines(draw: st.DrawFn) -> str:
    label = draw(st.sampled_from(["Next:", "next :", "NEXT:", "  Next:", "Next:\t"]))
    text = draw(st.one_of(st.text(max_size=20), PIECES))
    href = draw(
        st.sampled_from(
            ["/2024/a/", "http://[::1", "http://[x/", "//", "%zz", "/journal/2024/a", "?q", ""]
        )
    )
    form = draw(st.sampled_from(["plain", "link", "link"]))
    return f"{label} {text}" if form == "plain" else f"{label} [{text}]({href})"


@st.composite
def bodies(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(FRAGMENT, st.just("\n\n"), st.just("# Title\n")), max_size=8))
    body = "".join(parts)
    if draw(st.booleans()):
        body += "\n\n" + draw(next_lines()) + draw(st.sampled_from(["", "\n", "\n\n  \n"]))
    return body


@st.composite
def post_sources(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "structured", "structured", "structured"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600))
    text = (draw(front_matters()) if draw(st.booleans()) else "") + draw(bodies())
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


# File names as the loader lets them through (walk_files refuses control characters).
NAMES = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="/"),
    min_size=1,
    max_size=12,
)


@st.composite
def post_keys(draw: st.DrawFn) -> str:
    name = draw(st.one_of(NAMES, st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z😀]{0,5}\Z")))
    return f"content/posts/{name}.md"


THEME_KEYS = st.one_of(st.from_regex(r"\A[0-9]{1,5}\Z"), NAMES).map(
    lambda name: f"content/themes/{name}.md"
)

# ---------------------------------------------------------------- the run


@dataclass
class Tally:
    examples: int = 0
    failures: list[dict[str, object]] = field(default_factory=list)


def fuzz_once(tally: Tally, examples: int) -> None:
    """One hypothesis run of `examples` inputs; a failure is shrunk, recorded and re-raised."""
    failing: list[dict[str, object]] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        posts=st.lists(st.tuples(post_keys(), post_sources()), min_size=1, max_size=3),
        theme=st.tuples(THEME_KEYS, post_sources()),
        zone=st.sampled_from(ZONES),
    )
    def run(posts: list[tuple[str, bytes]], theme: tuple[str, bytes], zone: str) -> None:
        tally.examples += 1
        try:
            parsed = [check_post_input(key, raw, zone) for key, raw in posts]
            found = check_theme_input(*theme)
            unique = {p.key: p for p in parsed if p is not None}
            check_site(list(unique.values()), [found] if found else [], zone)
        except BaseException as exc:
            failing[:] = [
                {
                    "posts": [[key, raw.decode("latin-1")] for key, raw in posts],
                    "theme": [theme[0], theme[1].decode("latin-1")],
                    "zone": zone,
                    "error": "".join(traceback.format_exception_only(exc)).strip(),
                    "where": traceback.format_exc().strip().splitlines()[-3:],
                }
            ]
            raise

    try:
        run()
    except Exception:
        # The shrunk example (the last one that failed), once per kind of error.
        known = {kind_of(str(f["error"])) for f in tally.failures}
        for failure in failing:
            if kind_of(str(failure["error"])) not in known:
                tally.failures.append(failure)
                print(json.dumps(failure, ensure_ascii=False, indent=1)[:4000], file=sys.stderr)


def kind_of(error: str) -> str:
    """An error without the file it was about: failures of one kind are reported once."""
    first = error.splitlines()[0] if error else ""
    return re.sub(r"content/\S*?:\d+: ", "", first)[:60]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to fuzz")
    parser.add_argument("--batch", type=int, default=2000, help="examples per hypothesis run")
    parser.add_argument("--save", type=Path, help="write the failing inputs there (JSON)")
    args = parser.parse_args(argv)
    tally = Tally()
    started = time.monotonic()
    deadline = started + args.minutes * 60
    while time.monotonic() < deadline:
        fuzz_once(tally, args.batch)
        elapsed = time.monotonic() - started
        print(f"{elapsed:7.0f} s: {tally.examples} examples, {len(tally.failures)} failures")
    elapsed = time.monotonic() - started
    print(
        f"Fuzzed for {elapsed / 60:.1f} min: {tally.examples} examples, "
        f"{len(tally.failures)} failing inputs"
    )
    if args.save is not None:
        args.save.write_text(json.dumps(tally.failures, ensure_ascii=False, indent=1) + "\n")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())

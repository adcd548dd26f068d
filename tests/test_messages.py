"""Errors that teach: each problem at the line that causes it, with the likely fix.

Front matter YAML and journal.toml's TOML mistakes, the forms of the "Next:" line and the
journal's own keyword for it, a promise within a typo of a post's title, the files of
content/posts that are not posts, and the lines of tag and URL collisions.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import OPTIONS, build_journal, make_journal, post_text

from generator.core.config import Config, load_config
from generator.core.text import NearKeys, one_typo_apart
from generator.incremental.site_memo import SiteMemo
from generator.incremental.sources import SourceMemory
from generator.pipeline.load import Post, load_journal, parse_post, parse_theme
from generator.pipeline.post_fields import FieldLines, Promise
from generator.pipeline.site import build_site

ZONE = ZoneInfo("UTC")
KEY = "content/posts/2024/post.md"
CONFIG = Config(base_url="https://example.org/")


def problems_of(source: str, key: str = KEY, keyword: str = "Next") -> list[str]:
    _, problems = parse_post(key, source.encode("utf-8"), ZONE, keyword)
    return [str(p) for p in problems]


def loaded(source: str, keyword: str = "Next") -> Post:
    post, problems = parse_post(KEY, source.encode("utf-8"), ZONE, keyword)
    assert post is not None, [str(p) for p in problems]
    return post


# ---------------------------------------------------------------- YAML that teaches


def front(*lines: str) -> str:
    """A post whose front matter is a date line, then `lines` (from file line 3 on)."""
    return "---\ndate: 2024-06-10\n" + "".join(line + "\n" for line in lines) + "---\nText.\n"


def test_a_colon_in_a_value_names_the_setting_and_says_to_quote_it() -> None:
    assert problems_of(front("tags: [a]", "title: Partnership: a year")) == [
        f"{KEY}:4: error: front matter is not valid YAML: mapping values are not allowed in "
        'this context (in `title`): the value holds ": ", which YAML reads as a new setting; '
        'put it in quotes: title: "Partnership: a year"'
    ]


@pytest.mark.parametrize(
    ("value", "reading"),
    [
        ("*bold* start", "YAML reads as an alias (a reference to an anchor)"),
        ("@home", "YAML reserves"),
        ("`code` in a title", "YAML reserves"),
        ("%done", "YAML reads as a directive"),
        ("!important stuff", "YAML reads as a type tag"),
        ("| a pipe", "YAML reads as the start of a block of text"),
        ("> a quote", "YAML reads as the start of a folded block of text"),
        ("{curly} title", "YAML reads as the start of a mapping"),
        ("[bracket] title", "YAML reads as the start of a list"),
    ],
)
def test_a_value_starting_with_a_yaml_sign_says_to_quote_it(value: str, reading: str) -> None:
    (message,) = problems_of(front("summary: fine", f"title: {value}"))
    assert message.startswith(f"{KEY}:4: error: front matter is not valid YAML: ")
    assert "(in `title`)" in message
    assert message.endswith(
        f'the value starts with "{value[0]}", which {reading}; put it in quotes: title: "{value}"'
    )


def test_an_anchor_that_eats_the_start_of_a_value_is_a_warning() -> None:
    """`&amp stuff` is valid YAML, which keeps "stuff" alone: said, at its line."""
    post, problems = parse_post(KEY, front("title: &amp stuff").encode(), ZONE)
    assert post is not None and post.title == "stuff"
    assert [str(p) for p in problems] == [
        f'{KEY}:3: warning: the value of `title` starts with "&", which YAML reads as an '
        "anchor name and leaves out; put it in quotes to keep it as written: "
        'title: "&amp stuff"'
    ]
    # YAML written as YAML is let be.
    assert problems_of(front("base: &base [a, b]", "tags: *base")) == []


@pytest.mark.parametrize(
    ("line", "fix"),
    [
        ('title: "Quoted" rest', "put the whole value in quotes: title: '\"Quoted\" rest'"),
        ("title: 'it's'", 'quote it with the other kind: title: "it\'s"'),
    ],
)
def test_a_value_past_its_closing_quote(line: str, fix: str) -> None:
    (message,) = problems_of(front(line))
    assert message.startswith(f"{KEY}:3: error: front matter is not valid YAML")
    assert message.endswith(fix)


def test_an_open_quote_points_at_its_line_not_where_yaml_gave_up() -> None:
    (message,) = problems_of(front('title: "unclosed', "summary: more", "tags: [a]"))
    assert message.startswith(f"{KEY}:3: error: front matter is not valid YAML")
    assert message.endswith('the quote that opens the value is not closed: end the value with "')


def test_an_unclosed_list_and_a_tab_and_an_indent() -> None:
    (unclosed,) = problems_of(front("tags: [a, b", "title: x"))
    assert unclosed.startswith(f"{KEY}:3: error:")
    assert unclosed.endswith("end it with ], or put the value in quotes if it is no list")
    (tab,) = problems_of(front("title: x", "\tsummary: y"))
    assert tab.startswith(f"{KEY}:4: error:")
    assert tab.endswith("replace the tab in this line with spaces")
    (indent,) = problems_of(front("title: x", "  summary: y"))
    assert indent.startswith(f"{KEY}:4: error:")
    assert indent.endswith("this line is indented: start `summary:` at the beginning of the line")


def test_a_theme_file_gets_the_same_help() -> None:
    _, problems = parse_theme("content/themes/2024.md", b"---\nword: hope: again\n---\nIntro.\n")
    assert [str(p) for p in problems] == [
        "content/themes/2024.md:2: error: front matter is not valid YAML: mapping values are "
        'not allowed in this context (in `word`): the value holds ": ", which YAML reads as a '
        'new setting; put it in quotes: word: "hope: again"'
    ]


# ---------------------------------------------------------------- TOML that teaches


@pytest.mark.parametrize(
    ("text", "line", "fix"),
    [
        ('title = "ok"\nbase_url = https://x.org/\n', 2, 'base_url = "https://x.org/"'),
        ("title = My journal\n", 1, 'text is written in quotes: title = "My journal"'),
        ('title: "Words"\n', 1, 'settings are written with `=`, not `:`: title = "Words"'),
        ("show_promises = True\n", 1, "lower case, without quotes: show_promises = true"),
        ('title = "a"\ntitle = "b"\n', 2, "`title` is set twice: keep one of the two lines"),
        ('title = "open\n', 1, 'the quote that opens the value is not closed: end it with "'),
        ("posts_per_page = 10 posts\n", 1, "write a whole number alone: posts_per_page = 10"),
    ],
)
def test_toml_mistakes_say_how_to_write_the_setting(
    tmp_path: Path, text: str, line: int, fix: str
) -> None:
    _, problems = load_config(make_journal(tmp_path, {}, config=text))
    (problem,) = [str(p) for p in problems]
    assert problem.startswith(f"journal.toml:{line}: error: not valid TOML: ")
    assert problem.endswith(fix)


# ---------------------------------------------------------------- the "Next:" line


@pytest.mark.parametrize(
    "last_line",
    [
        "Next: Post everyday",
        "**Next:** Post everyday",
        "__Next:__ Post everyday",
        "_Next:_ Post everyday",
        "*Next:* Post everyday",
        "**Next**: Post everyday",
        "*Next: Post everyday*",
        "Next : Post everyday",
        "next: Post everyday",
        "NEXT: Post everyday",
        "**Next:** *Post everyday*",
    ],
)
def test_every_way_of_writing_the_promise_is_the_promise(last_line: str) -> None:
    post = loaded(post_text(body=f"Words.\n\n{last_line}\n"))
    assert post.promise == Promise("Post everyday", None, 6)
    assert post.body == "Words.\n"


def test_an_emphasised_promise_may_be_a_link() -> None:
    post = loaded(post_text(body="Words.\n\n**Next:** [Later](/2025/later/)\n"))
    assert post.promise == Promise("Later", "/2025/later/", 6)


@pytest.mark.parametrize(
    ("last_line", "what"),
    [
        ("> Next: Post everyday", "in a quote"),
        ("## Next: Post everyday", "a heading"),
        ("- Next: Post everyday", "a list item"),
    ],
)
def test_a_promise_inside_a_quote_list_or_heading_is_named_in_a_warning(
    last_line: str, what: str
) -> None:
    source = post_text(body=f"Words.\n\n{last_line}\n")
    post, problems = parse_post(KEY, source.encode(), ZONE)
    assert post is not None and post.promise is None
    assert last_line in post.body
    assert [str(p) for p in problems] == [
        f"{KEY}:6: warning: this last line looks like a promise, but it is {what}, so it is "
        'shown as text: write it as a line of its own, like "Next: Title", to make it the '
        "promise"
    ]


def test_a_list_that_ends_with_a_next_item_is_a_list() -> None:
    post = loaded(post_text(body="Plans:\n\n- Done: the draft\n- Next: the edit\n"))
    assert post.promise is None


def test_the_journal_keyword_makes_its_own_promises() -> None:
    post = loaded(post_text(body="Worte.\n\nWeiter: Jeden Tag\n"), keyword="Weiter")
    assert post.promise == Promise("Jeden Tag", None, 6, "Weiter")
    assert loaded(post_text(body="x\n\n**weiter:** Jeden Tag\n"), "Weiter").promise is not None
    # The front matter's `next:` is still read.
    fm = loaded(post_text(next='"Jeden Tag"'), keyword="Weiter")
    assert fm.promise == Promise("Jeden Tag", None, 3, "Weiter")


def test_next_in_a_journal_with_another_keyword_is_named() -> None:
    source = post_text(body="Worte.\n\nNext: Jeden Tag\n")
    post, problems = parse_post(KEY, source.encode(), ZONE, "Weiter")
    assert post is not None and post.promise is None
    assert [str(p) for p in problems] == [
        f"{KEY}:6: warning: this last line starts with `Next:`, but this journal's promise "
        'keyword is "Weiter" (next_keyword in journal.toml): write it as "Weiter: Title" to '
        "make it the promise"
    ]


def test_a_build_reads_promises_with_the_keyword_of_its_settings(tmp_path: Path) -> None:
    config = 'base_url = "https://example.org/"\nnext_keyword = "Weiter"\n'
    root = make_journal(
        tmp_path,
        {
            "content/posts/a.md": post_text("2024-06-10", "Eins.\n\nWeiter: Zwei\n", title="Eins"),
            "content/posts/b.md": post_text("2024-06-11", "Zwei.\n", title="Zwei"),
        },
        config,
    )
    result = build_journal(root, tmp_path / "out")
    assert result.ok and result.problems == ()
    page = (tmp_path / "out/2024/a/index.html").read_text(encoding="utf-8")
    assert 'class="thread-link chain-next" href="/2024/b/"' in page
    assert '<span class="thread-role">Weiter</span>' in page
    assert "Weiter: Zwei" not in page


@pytest.mark.parametrize(
    ("value", "fix"),
    [
        ('"Weiter:"', 'written without its colon: write next_keyword = "Weiter"'),
        ('"Coming up"', "must be one word, without spaces or signs"),
        ('""', "`next_keyword` is empty: write one word"),
    ],
)
def test_the_keyword_setting_is_one_word(tmp_path: Path, value: str, fix: str) -> None:
    text = f'title = "J"\nnext_keyword = {value}\n'
    config, problems = load_config(make_journal(tmp_path, {}, config=text))
    (problem,) = [str(p) for p in problems]
    assert problem.startswith("journal.toml:2: error: `next_keyword`")
    assert fix in problem
    assert config.next_keyword == "Next"


def test_a_good_keyword_setting(tmp_path: Path) -> None:
    text = 'next_keyword = " Suivant "\n'
    config, problems = load_config(make_journal(tmp_path, {}, config=text))
    assert problems == [] and config.next_keyword == "Suivant"
    assert Config().next_keyword == "Next"


# ---------------------------------------------------------------- a promise with a typo


def post(
    name: str, title: str, *, day: str = "2024-06-10", next: str | None = None, draft: bool = False
) -> Post:
    return Post(
        key=f"content/posts/{name}.md",
        title=title,
        date=datetime.fromisoformat(day).replace(tzinfo=UTC),
        slug=name,
        tags=(),
        draft=draft,
        summary=None,
        body="Text.\n",
        promise=None if next is None else Promise(next, None, 9),
    )


def site_messages(*posts: Post) -> list[str]:
    return [str(p) for p in build_site(posts, (), CONFIG, OPTIONS).problems]


def test_a_promise_within_a_typo_of_a_title_asks_did_you_mean() -> None:
    assert site_messages(
        post("a", "Partnership", next="Post everyda"), post("b", "Post everyday", day="2024-07-01")
    ) == [
        'content/posts/a.md:9: warning: "Next: Post everyda": no post with that title; '
        "did you mean «Post everyday»?"
    ]


def test_did_you_mean_looks_at_unpublished_posts_too() -> None:
    draft = post("b", "Post everyday", day="2024-07-01", draft=True)
    assert site_messages(post("a", "Partnership", next="Post everday"), draft) == [
        'content/posts/a.md:9: warning: "Next: Post everday": no post with that title; '
        "did you mean «Post everyday»?"
    ]
    # A promise that names the draft as it is written is not asked about.
    assert site_messages(post("a", "Partnership", next="Post everyday"), draft) == []


def test_no_did_you_mean_for_other_numbers_or_other_words() -> None:
    assert site_messages(post("a", "Part 1", next="Part 2"), post("b", "Part 3")) == []
    assert site_messages(post("a", "Rest", next="Rust")) == []


def test_the_message_quotes_the_journal_keyword() -> None:
    promise = Promise("Jeden Tg", None, 9, "Weiter")
    promising = replace(post("a", "Eins"), promise=promise)
    assert site_messages(promising, post("b", "Jeden Tag")) == [
        'content/posts/a.md:9: warning: "Weiter: Jeden Tg": no post with that title; '
        "did you mean «Jeden Tag»?"
    ]


def test_near_keys_find_a_typo_anywhere_and_only_a_typo() -> None:
    near = NearKeys(["post everyday", "partnership", "a long walk by the river", "rest"])
    assert near.closest("post everyda") == "post everyday"
    assert near.closest("ost everyday") == "post everyday"
    assert near.closest("post evreyday") == "post everyday"
    assert near.closest("a long walk by the rivr") == "a long walk by the river"
    assert near.closest("partnrship") == "partnership"
    assert near.closest("something else") is None
    assert near.closest("post everyday") is None  # (itself is no typo)
    assert NearKeys(["post everyda"]).near_word("post everyday")


def _typos(a: str, b: str) -> int:
    """Letters left out, added, changed or swapped to make `b` of `a` (the reference)."""
    rows = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(
                rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def test_near_keys_find_every_key_one_typo_away_and_no_other() -> None:
    rng = random.Random(3)

    def text() -> str:
        return "".join(rng.choice("ab d1") for _ in range(rng.randint(4, 9)))

    keys = sorted({text() for _ in range(800)})
    near = NearKeys(keys)
    for _ in range(200):
        word = text()
        expected = [
            k
            for k in keys
            if min(len(k), len(word)) >= 6
            and _typos(word, k) == 1
            and re.findall(r"\d+", k) == re.findall(r"\d+", word)
        ]
        assert [k for k in near.candidates(word) if one_typo_apart(word, k)] == expected


def test_a_watch_session_follows_titles_that_come_near_a_promise() -> None:
    """A retitled post that comes within a typo of a pending promise, or leaves it, changes
    the warning: the memo's site is a fresh build's, titles cased apart included."""
    rng = random.Random(14)
    titles = ["Post everyday", "Post everyda", "post Everyday", "Courage", "Couragee", "Rest"]
    posts = [
        post("a", "Partnership", next="Post everydy"),
        post("b", "Courage", day="2024-06-11", next="Courag"),
        post("c", "Rest", day="2024-06-12"),
        post("d", "Late", day="2024-06-13", draft=True),
    ]
    memo = SiteMemo()
    warned = set()
    for _ in range(40):
        n = rng.randrange(len(posts))
        posts[n] = replace(posts[n], title=rng.choice(titles))
        site = memo.site(posts, (), CONFIG, OPTIONS)
        assert site == build_site(posts, (), CONFIG, OPTIONS)
        warned.add(len(site.problems))
    assert len(warned) > 1


def test_a_watch_session_follows_the_lines_of_a_url_error() -> None:
    one = post("one", "One")
    two = replace(post("two", "Two", day="2024-07-01"), slug="one", lines=FieldLines(url=4))
    memo = SiteMemo()
    assert [p.line for p in memo.site([one, two], (), CONFIG, OPTIONS).problems] == [4]
    moved = replace(two, lines=FieldLines(url=6))
    assert [p.line for p in memo.site([one, moved], (), CONFIG, OPTIONS).problems] == [6]


# ---------------------------------------------------------------- files that are not posts


def test_files_that_are_not_posts_are_listed_in_one_warning(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/2024/real.md": post_text(title="Real"),
            "content/posts/2024/a.txt": "notes",
            "content/posts/2024/b.docx": b"PK\x03\x04",
            "content/posts/notes.html": "<p>x</p>",
            "content/posts/.DS_Store": b"\x00",
            "content/posts/2024/real.md.swp": b"\x00",
            "content/posts/2024/real.md~": "old",
            "content/posts/.hidden/x.txt": "hidden",
        },
    )
    journal = load_journal(root, ZONE)
    assert [str(p) for p in journal.problems] == [
        "content/posts:1: warning: 3 files are not posts and are skipped: 2024/a.txt, "
        "2024/b.docx, notes.html (posts end in .md or .markdown; images and other files to "
        "publish as they are go in content/static)"
    ]


def test_a_long_list_of_files_that_are_not_posts_is_cut(tmp_path: Path) -> None:
    files = {f"content/posts/img/{n:02d}.jpg": b"\xff\xd8" for n in range(25)}
    journal = load_journal(make_journal(tmp_path, files), ZONE)
    (problem,) = journal.problems
    assert problem.message.startswith("25 files are not posts and are skipped: img/00.jpg, ")
    assert "img/19.jpg and 5 more (posts end" in problem.message


def test_a_watch_session_and_the_build_stamp_see_files_come_and_go(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/2024/real.md": post_text(title="Real")})
    memory = SourceMemory(root, ZONE)
    assert memory.journal(None).problems == ()
    assert build_journal(root).problems == ()
    stray = root / "content/posts/2024/photo.png"
    stray.write_bytes(b"\x89PNG")
    journal = memory.journal({stray})
    assert journal == load_journal(root, ZONE)
    assert [p.message[:45] for p in journal.problems] == [
        "1 file is not a post and is skipped: 2024/pho"
    ]
    # A build that finds nothing else changed still says so (its stamp counts the file).
    assert [p.path for p in build_journal(root).problems] == ["content/posts"]
    stray.unlink()
    assert memory.journal({stray}).problems == ()
    assert build_journal(root).problems == ()


# ---------------------------------------------------------------- lines of the site's problems


def test_tags_that_share_a_url_are_named_at_the_tag_line(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/a.md": post_text("2024-06-10", title="A", tags="[cafe]"),
            "content/posts/b.md": (
                "---\ndate: 2024-06-11\ntitle: B\ntags:\n  - walks\n  - café\n---\nText.\n"
            ),
        },
    )
    result = build_journal(root, write=False)
    assert [(p.path, p.line) for p in result.problems] == [("content/posts/b.md", 6)]
    assert 'tag "café" has the same URL /tags/cafe/ as tag "cafe"' in result.problems[0].message


@pytest.mark.parametrize(
    ("two", "line"),
    [
        (post_text("2024-07-01", title="Other", summary="s", slug="same"), 5),  # `slug:`
        ("---\ntitle: Other\ndate: 2024-07-01\n---\nText.\n", 3),  # the name and the `date:`
    ],
)
def test_a_url_taken_twice_is_named_at_the_line_that_makes_it(
    tmp_path: Path, two: str, line: int
) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/same.md": post_text(title="Same"),
            "content/posts/z/same.md": two,
        },
    )
    result = build_journal(root, write=False)
    ((path, found, message),) = [(p.path, p.line, p.message) for p in result.problems]
    assert (path, found) == ("content/posts/z/same.md", line)
    assert message.startswith("URL /2024/same/ is also used by content/posts/same.md")


def test_a_title_that_makes_the_url_is_the_line_named(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/same.md": post_text(title="Same"),
            "content/posts/🎉.md": "---\ndate: 2024-07-01\ntitle: Same\n---\nText.\n",
        },
    )
    result = build_journal(root, write=False)
    assert [(p.path, p.line) for p in result.problems] == [("content/posts/🎉.md", 3)]

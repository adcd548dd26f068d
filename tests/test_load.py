"""Load stage: parse_post / parse_theme on bytes, load_journal on folders in tmp_path."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import make_journal, post_text

from generator.core.problems import Problem
from generator.pipeline.load import MAX_PARAGRAPH, Post, load_journal, parse_post, parse_theme
from generator.pipeline.post_fields import Promise

UTC = ZoneInfo("UTC")
SINGAPORE = ZoneInfo("Asia/Singapore")
KEY = "content/posts/2024/post.md"


def parsed(source: str | bytes, key: str = KEY, zone: ZoneInfo = UTC) -> Post:
    raw = source.encode("utf-8") if isinstance(source, str) else source
    post, problems = parse_post(key, raw, zone)
    assert problems == [], [str(p) for p in problems]
    assert post is not None
    return post


def failed(source: str | bytes, key: str = KEY) -> list[str]:
    """The problems of a post that must not load, as printed."""
    raw = source.encode("utf-8") if isinstance(source, str) else source
    post, problems = parse_post(key, raw, UTC)
    assert post is None
    assert problems, "a post that does not load must say why"
    return [str(p) for p in problems]


# ---------------------------------------------------------------- front matter types


def test_a_full_front_matter() -> None:
    post = parsed(
        "---\n"
        "title: Partnership\n"
        "date: 2024-06-10\n"
        "tags: [partnership, business]\n"
        "slug: working-together\n"
        "draft: true\n"
        "summary: Not a deal.\n"
        "---\n"
        "Body text.\n"
    )
    assert post.title == "Partnership"
    assert post.date == datetime(2024, 6, 10, tzinfo=UTC)
    assert post.tags == ("partnership", "business")
    assert post.slug == "working-together"
    assert post.draft is True
    assert post.summary == "Not a deal."
    assert post.body == "Body text.\n"
    assert post.promise is None


def test_a_naive_date_is_in_the_configured_timezone() -> None:
    post = parsed(post_text(date="2024-06-10"), zone=SINGAPORE)
    assert post.date == datetime(2024, 6, 10, tzinfo=SINGAPORE)
    assert post.date.utcoffset() == timedelta(hours=8)


def test_a_naive_datetime_is_in_the_configured_timezone() -> None:
    post = parsed(post_text(date="2024-06-10 08:30"), zone=SINGAPORE)
    assert post.date == datetime(2024, 6, 10, 8, 30, tzinfo=SINGAPORE)


def test_a_datetime_with_an_offset_keeps_it() -> None:
    post = parsed(post_text(date="2024-06-10T08:30:00+02:00"), zone=SINGAPORE)
    assert post.date == datetime(2024, 6, 10, 8, 30, tzinfo=timezone(timedelta(hours=2)))


def test_a_quoted_date_is_read_as_a_date() -> None:
    assert parsed(post_text(date='"2024-06-10"')).date == datetime(2024, 6, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("travel, family", ("travel", "family")),
        ("solo", ("solo",)),
        ("[travel, family]", ("travel", "family")),
        ("[2024, work]", ("2024", "work")),
        ("[a, a, b]", ("a", "b")),
        ('"  spaced    out , x "', ("spaced out", "x")),
        ("[]", ()),
    ],
)
def test_tags_as_text_or_a_list(value: str, expected: tuple[str, ...]) -> None:
    assert parsed(post_text(tags=value)).tags == expected


def test_a_draft_flag_must_be_true_or_false() -> None:
    assert failed(post_text(draft="maybe")) == [
        f'{KEY}:3: error: `draft` must be true or false, not "maybe"'
    ]


# ---------------------------------------------------------------- errors, with their lines


def test_bad_yaml_names_the_line() -> None:
    source = "---\ntitle: Bad\ndate: 2024-06-10\ntags: [a, b\n---\nBody\n"
    (message,) = failed(source)
    # The line of the `[` left open, not the end of the front matter where YAML gave up.
    assert message.startswith(f"{KEY}:4: error: front matter is not valid YAML: ")
    assert "']'" in message


def test_front_matter_that_is_not_a_mapping() -> None:
    assert failed("---\n- a\n- b\n---\nBody\n") == [
        f"{KEY}:2: error: front matter must be `key: value` lines, like `title: My post`"
    ]


def test_unclosed_front_matter() -> None:
    assert failed("---\ntitle: x\ndate: 2024-06-10\nBody\n") == [
        f"{KEY}:1: error: front matter is not closed: add a line `---` after the settings"
    ]


def test_title_yes_is_not_a_title() -> None:
    assert failed("---\ndate: 2024-06-10\ntitle: yes\n---\nBody\n") == [
        f"{KEY}:3: error: `title` must be text, not the true/false value true: "
        'put it in quotes, like title: "yes"'
    ]


def test_tags_as_a_number() -> None:
    assert failed("---\ndate: 2024-06-10\n\ntags: 5\n---\nBody\n") == [
        f'{KEY}:4: error: `tags` must be a list like [travel, family] or text like "travel, '
        'family", not the number 5'
    ]


def test_a_tag_that_is_a_mapping() -> None:
    assert failed(post_text(tags="[ok, {a: b}]")) == [
        f"{KEY}:3: error: each tag must be a word or phrase, not a mapping"
    ]


def test_date_soon() -> None:
    assert failed("---\ntitle: Later\ndate: soon\n---\nBody\n") == [
        f'{KEY}:3: error: `date` "soon" is not a date: write it as 2024-06-10 or 2024-06-10 08:30'
    ]


def test_impossible_date() -> None:
    assert failed("---\ntitle: Leap\n\n\ndate: 2024-02-30\n---\nBody\n") == [
        f'{KEY}:5: error: impossible date "2024-02-30": day is out of range for month'
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-01", 'impossible date "2024-13-01": month must be in 1..12'),
        ("2024-02-30 10:00", 'impossible date "2024-02-30 10:00": day is out of range for month'),
        ("2023-02-29", 'impossible date "2023-02-29": day is out of range for month'),
        (
            "2024-06-10 8:30",
            '`date` "2024-06-10 8:30" is not a date: write it as 2024-06-10 or 2024-06-10 08:30',
        ),
        (
            "10/06/2024",
            '`date` "10/06/2024" is not a date: write it as 2024-06-10 or 2024-06-10 08:30',
        ),
    ],
)
def test_bad_dates(value: str, message: str) -> None:
    assert failed(post_text(date=value)) == [f"{KEY}:2: error: {message}"]


def test_leap_day_is_a_date() -> None:
    assert parsed(post_text(date="2024-02-29")).date == datetime(2024, 2, 29, tzinfo=UTC)


def test_a_number_is_not_a_date() -> None:
    assert failed(post_text(date="2024")) == [
        f"{KEY}:2: error: `date` must look like 2024-06-10 or 2024-06-10 08:30, not the number 2024"
    ]


def test_no_date_anywhere() -> None:
    assert failed("---\ntitle: Undated\n---\nBody\n", key="content/posts/undated.md") == [
        "content/posts/undated.md:1: error: no date: add `date: YYYY-MM-DD` to the front "
        "matter or name the file YYYY-MM-DD-undated.md"
    ]


def test_empty_file_is_a_post_without_a_date() -> None:
    (message,) = failed(b"", key="content/posts/empty.md")
    assert message.startswith("content/posts/empty.md:1: error: no date:")


def test_every_problem_of_one_post_is_reported() -> None:
    messages = failed("---\ntitle: yes\ndate: soon\ntags: 5\ndraft: 3\n---\nBody\n")
    assert [m.split(": error:")[0] for m in messages] == [
        f"{KEY}:2",
        f"{KEY}:3",
        f"{KEY}:4",
        f"{KEY}:5",
    ]


def test_problem_format() -> None:
    assert str(Problem("a.md", 3, "warning", "careful")) == "a.md:3: warning: careful"


# ---------------------------------------------------------------- names, titles, encodings


def test_jekyll_name_gives_date_and_slug() -> None:
    post = parsed("Body\n", key="content/posts/2024-06-10-partnership-notes.md")
    assert post.date == datetime(2024, 6, 10, tzinfo=UTC)
    assert post.slug == "partnership-notes"
    assert post.title == "Partnership notes"


def test_jekyll_name_date_is_overridden_by_front_matter() -> None:
    post = parsed(post_text(date="2023-01-02"), key="content/posts/2024-06-10-x.md")
    assert post.date == datetime(2023, 1, 2, tzinfo=UTC)
    assert post.slug == "x"


def test_jekyll_name_with_an_impossible_date() -> None:
    assert failed("Body\n", key="content/posts/2024-02-30-leap.md") == [
        "content/posts/2024-02-30-leap.md:1: error: the file name's date: "
        'impossible date "2024-02-30": day is out of range for month'
    ]


def test_title_falls_back_to_the_first_heading_which_leaves_the_body() -> None:
    post = parsed(post_text(body="\n# The real title\n\nFirst paragraph.\n\n# Another\n"))
    assert post.title == "The real title"
    assert "The real title" not in post.body
    assert post.body == "First paragraph.\n\n# Another\n"


def test_a_heading_after_text_is_not_the_title() -> None:
    post = parsed(post_text(body="Intro.\n\n# Heading\n"), key="content/posts/my_walk.md")
    assert post.title == "My walk"
    assert "# Heading" in post.body


def test_a_front_matter_title_keeps_the_heading_in_the_body() -> None:
    post = parsed(post_text(title="Given", body="# Heading\n\nText.\n"))
    assert post.title == "Given"
    assert post.body.startswith("# Heading\n")


def test_title_falls_back_to_the_file_name() -> None:
    post = parsed(post_text(body="Text.\n"), key="content/posts/deep/down/post-everyday.md")
    assert post.title == "Post everyday"
    assert post.slug == "post-everyday"


def test_emoji_file_names_get_distinct_non_empty_slugs() -> None:
    party = parsed(post_text(), key="content/posts/🎉.md")
    rocket = parsed(post_text(), key="content/posts/🚀.md")
    assert party.title == "🎉"
    assert party.slug.startswith("post-") and rocket.slug.startswith("post-")
    assert party.slug != rocket.slug
    titled = parsed(post_text(title="Party time"), key="content/posts/🎉.md")
    assert titled.slug == "party-time"


def test_a_slug_with_nothing_usable_is_an_error() -> None:
    assert failed(post_text(slug='"🎉"')) == [
        f'{KEY}:3: error: `slug` "🎉" has no letters or digits to make a URL from'
    ]


def test_byte_order_mark_is_dropped() -> None:
    post = parsed("\ufeff" + post_text(title="With BOM"))
    assert post.title == "With BOM"


def test_crlf_line_ends() -> None:
    source = "---\r\ndate: 2024-06-10\r\n---\r\n# Title\r\n\r\nText.\r\n\r\nNext: Later\r\n"
    post = parsed(source)
    assert post.title == "Title"
    assert post.body == "Text.\n"
    assert post.promise == Promise("Later", None, 8)


def test_not_utf8_names_the_line_of_the_bad_byte() -> None:
    raw = b"---\ndate: 2024-06-10\n---\nFine.\ncaf\xe9\n"
    assert failed(raw) == [
        f"{KEY}:5: error: not UTF-8 text (byte 0xe9 at offset 34): save the file as UTF-8"
    ]


def test_nul_bytes_are_not_text() -> None:
    (message,) = failed(b"---\ndate: 2024-06-10\n---\n\x00\x01")
    assert message == f"{KEY}:4: error: this is not a text file (it has NUL bytes)"


# ---------------------------------------------------------------- "Next:" lines


@pytest.mark.parametrize(
    ("last_line", "text", "href"),
    [
        ("Next: Post everyday", "Post everyday", None),
        ("next:   Post everyday  ", "Post everyday", None),
        ("NEXT : Post everyday", "Post everyday", None),
        ("Next: [Post everyday](/2024/post-everyday/)", "Post everyday", "/2024/post-everyday/"),
        ("Next: [Title](/2024/x/)", "Title", "/2024/x/"),
    ],
)
def test_next_line_forms(last_line: str, text: str, href: str | None) -> None:
    post = parsed(post_text(body=f"Text.\n\n{last_line}\n\n\n"))
    assert post.promise == Promise(text, href, 6)
    assert post.body == "Text.\n"


def test_next_must_be_the_last_non_blank_line() -> None:
    post = parsed(post_text(body="Next: Not a promise\n\nMore text.\n"))
    assert post.promise is None
    assert "Next: Not a promise" in post.body


def test_next_line_after_a_removed_heading_keeps_its_file_line() -> None:
    post = parsed("---\ndate: 2024-06-10\n---\n# Title\n\nText.\n\nNext: Later\n")
    assert post.promise == Promise("Later", None, 8)


def test_front_matter_next_overrides_the_next_line() -> None:
    post = parsed("---\ndate: 2024-06-10\nnext: From front matter\n---\nText.\n\nNext: From body\n")
    assert post.promise == Promise("From front matter", None, 3)
    assert post.body == "Text.\n"


def test_front_matter_next_as_a_link() -> None:
    post = parsed(post_text(next='"[Later](/2025/later/)"'))
    assert post.promise == Promise("Later", "/2025/later/", 3)


def test_front_matter_next_false_removes_the_promise() -> None:
    post = parsed("---\ndate: 2024-06-10\nnext: false\n---\nText.\n\nNext: Something\n")
    assert post.promise is None


def test_front_matter_next_must_be_text() -> None:
    assert failed(post_text(next="[1, 2]")) == [
        f"{KEY}:3: error: `next` must be the title of the next post, in quotes if needed"
    ]


# ---------------------------------------------------------------- themes


def test_theme() -> None:
    theme, problems = parse_theme(
        "content/themes/2024.md", b"---\nword: partnership\nforms: [partner]\n---\nWhy.\n"
    )
    assert problems == []
    assert theme is not None
    assert (theme.year, theme.word, theme.intro, theme.forms) == (
        2024,
        "partnership",
        "Why.",
        ("partner",),
    )


@pytest.mark.parametrize("name", ["abcd", "24", "0999", "2024-notes", "9999"])
def test_theme_file_must_be_named_by_a_year(name: str) -> None:
    key = f"content/themes/{name}.md"
    theme, problems = parse_theme(key, b"---\nword: x\n---\n")
    assert theme is None
    assert [str(p) for p in problems] == [
        f'{key}:1: error: "{name}" is not a year: name theme files by year, like 2024.md'
    ]


def test_theme_needs_a_word() -> None:
    theme, problems = parse_theme("content/themes/2024.md", b"---\nintro: x\n---\n")
    assert theme is None
    assert [str(p) for p in problems] == [
        "content/themes/2024.md:1: error: a theme needs its word: "
        "add `word: partnership` to the front matter"
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("word: 5", '`word` must be text, not the number 5: put it in quotes, like word: "5"'),
        ("word: yes", "`word` must be text, not the true/false value true: put it in quotes"),
        ("word: #hope", "`word` is empty: write the word after `word:` (in quotes if it starts"),
        (
            "wrod: hope",
            "a theme needs its word: add `word: partnership` to the front matter (`wrod`",
        ),
    ],
)
def test_a_theme_word_that_is_not_text_says_to_quote_it(written: str, message: str) -> None:
    theme, problems = parse_theme("content/themes/2024.md", f"---\n{written}\n---\n".encode())
    assert theme is None
    errors = [p for p in problems if p.level == "error"]
    assert [(p.line, p.message[: len(message)]) for p in errors] == [
        (2 if written.startswith("word") else 1, message)
    ]


# ---------------------------------------------------------------- the folder

POST = post_text()


def test_posts_at_any_depth_and_noise_ignored(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/top.md": POST,
            "content/posts/2024/06/deep/down.markdown": POST,
            "content/posts/notes.txt": "not a post",
            "content/posts/.hidden.md": POST,
            "content/posts/.drafts/x.md": POST,
            "content/posts/top.md~": POST,
            "content/posts/#top.md#": POST,
            "content/posts/.top.md.swp": POST,
            "content/posts/top.md.bak": POST,
            "content/posts/~$top.md": POST,
        },
    )
    journal = load_journal(root, UTC)
    assert [p.key for p in journal.posts] == [
        "content/posts/2024/06/deep/down.markdown",
        "content/posts/top.md",
    ]
    # Editor noise goes without a word; the one file that is not a post is named.
    assert [str(p) for p in journal.problems] == [
        "content/posts:1: warning: 1 file is not a post and is skipped: notes.txt (posts end "
        "in .md or .markdown; images and other files to publish as they are go in "
        "content/static)"
    ]


def test_a_bad_post_does_not_hide_the_others(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/a.md": "---\ntags: [x\n---\n",
            "content/posts/b.md": POST,
            "content/posts/c.md": "no date here\n",
        },
    )
    journal = load_journal(root, UTC)
    assert [p.key for p in journal.posts] == ["content/posts/b.md"]
    assert [(p.path, p.level) for p in journal.problems] == [
        ("content/posts/a.md", "error"),
        ("content/posts/c.md", "error"),
    ]


def test_themes_and_static_files(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/themes/2024.md": "---\nword: partnership\n---\n",
            "content/themes/2023.md": "---\nword: craft\n---\n",
            "content/themes/README.txt": "not a theme",
            "content/static/img/a.png": b"\x89PNG",
            "content/static/CNAME": "example.org\n",
        },
    )
    journal = load_journal(root, UTC)
    assert [(t.year, t.word) for t in journal.themes] == [(2023, "craft"), (2024, "partnership")]
    assert [(s.path, s.data) for s in journal.static] == [
        ("CNAME", b"example.org\n"),
        ("img/a.png", b"\x89PNG"),
    ]
    assert journal.problems == ()


def test_two_theme_files_for_one_year(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/themes/2024.md": "---\nword: one\n---\n",
            "content/themes/old/2024.md": "---\nword: two\n---\n",
            "content/themes/nonsense.md": "---\nword: three\n---\n",
        },
    )
    journal = load_journal(root, UTC)
    assert [str(p) for p in journal.problems] == [
        "content/themes/nonsense.md:1: error: "
        '"nonsense" is not a year: name theme files by year, like 2024.md',
        "content/themes/old/2024.md:1: error: 2024 already has a theme in "
        "content/themes/2024.md: keep one file per year",
    ]


def test_symlink_loop_is_reported_not_followed(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/a/p.md": POST})
    os.symlink(root / "content/posts", root / "content/posts/a/again")
    os.symlink("self", root / "content/posts/self")
    journal = load_journal(root, UTC)
    assert [p.key for p in journal.posts] == ["content/posts/a/p.md"]
    assert [str(p) for p in journal.problems] == [
        "content/posts/a/again:1: warning: skipped: this symlink makes a loop",
        "content/posts/self:1: warning: skipped: this symlink makes a loop",
    ]


def test_symlinks_leading_outside_are_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.md").write_text(POST, encoding="utf-8")
    root = make_journal(tmp_path, {"content/posts/own.md": POST, "content/inside.md": POST})
    os.symlink(outside, root / "content/posts/dir")
    os.symlink(outside / "secret.md", root / "content/posts/file.md")
    os.symlink(root / "content/inside.md", root / "content/posts/linked.md")
    os.symlink(tmp_path / "missing.md", root / "content/posts/broken.md")
    journal = load_journal(root, UTC)
    assert [p.key for p in journal.posts] == ["content/posts/linked.md", "content/posts/own.md"]
    outside_message = (
        "warning: skipped: this symlink leads outside the journal; copy the file in instead"
    )
    assert [str(p) for p in journal.problems] == [
        "content/posts/broken.md:1: warning: skipped: this symlink points to nothing",
        f"content/posts/dir:1: {outside_message}",
        f"content/posts/file.md:1: {outside_message}",
    ]


def test_a_journal_without_content_is_empty(tmp_path: Path) -> None:
    journal = load_journal(make_journal(tmp_path, {}), UTC)
    assert (journal.posts, journal.themes, journal.static, journal.problems) == ((), (), (), ())


# ---------------------------------------------------------------- typos, unreadable files


def test_a_setting_written_almost_like_a_known_one_is_a_warning_at_its_line() -> None:
    source = (
        "---\ndate: 2024-06-10\ndarft: true\nTitle: Shouted\ntag: [a]\n"
        "subtitle: mine\nauthor: me\nlayout: post\n---\nText.\n"
    )
    post, problems = parse_post(KEY, source.encode(), UTC)
    assert post is None  # `darft` decides publishing: never guessed, never ignored
    assert [(p.line, p.level, p.message) for p in problems] == [
        (
            3,
            "error",
            "unknown setting `darft` would be ignored, and it decides whether this post is "
            "published: did you mean `draft`?",
        ),
        (4, "warning", "unknown setting `Title` is ignored: did you mean `title`?"),
        (5, "warning", "unknown setting `tag` is ignored: did you mean `tags`?"),
    ]  # the writer's own settings (subtitle, author, layout) are not typos
    fixed, problems = parse_post(KEY, source.replace("darft", "draft").encode(), UTC)
    assert fixed is not None and fixed.draft is True
    assert [p.level for p in problems] == ["warning", "warning"]


def test_a_theme_setting_written_almost_like_a_known_one_is_a_warning() -> None:
    theme, problems = parse_theme(
        "content/themes/2024.md", b"---\nword: hope\nform: [hopes]\n---\n"
    )
    assert theme is not None and theme.forms == ()
    assert [str(p) for p in problems] == [
        "content/themes/2024.md:3: warning: unknown setting `form` is ignored: "
        "did you mean `forms`?"
    ]


def test_a_date_with_a_zone_name_suggests_the_offset() -> None:
    (problem,) = failed(post_text(date="2024-06-10 10:00 Europe/Paris"))
    assert problem.startswith(f'{KEY}:2: error: `date` "2024-06-10 10:00 Europe/Paris" names')
    assert "like 2024-06-10T10:00:00+02:00" in problem
    post = parsed(post_text(date="2024-06-10T10:00:00+02:00"))
    assert post.date.utcoffset() == timedelta(hours=2)


def test_a_long_slug_from_the_front_matter_or_the_title_is_capped() -> None:
    long = " ".join(["word"] * 60)
    assert len(parsed(post_text(slug=f'"{long}"')).slug) <= 80
    assert (
        len(parsed(post_text(title=f'"{long}"'), key="content/posts/x" + "y" * 200 + ".md").slug)
        <= 80
    )


def test_an_unreadable_file_is_an_error_not_an_empty_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/fine.md": post_text(title="Fine"),
            "content/posts/locked.md": post_text(title="Locked"),
            "content/themes/2024.md": "---\nword: hope\n---\n",
            "content/static/locked.png": b"\x89PNG",
        },
    )
    real = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name.startswith(("locked", "2024")):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    journal = load_journal(root, UTC)
    assert [p.title for p in journal.posts] == ["Fine"]
    assert journal.themes == () and journal.static == ()
    assert sorted(str(p) for p in journal.problems) == [
        "content/posts/locked.md:1: error: cannot read this file: Permission denied",
        "content/static/locked.png:1: error: cannot read this file: Permission denied",
        "content/themes/2024.md:1: error: cannot read this file: Permission denied",
    ]


def test_an_unreadable_folder_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/fine.md": post_text(title="Fine"),
            "content/posts/private/hidden.md": post_text(title="Hidden"),
        },
    )
    real = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path).name == "private":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr("generator.pipeline.folder_walk.os.scandir", scandir)
    journal = load_journal(root, UTC)
    assert [p.title for p in journal.posts] == ["Fine"]
    assert [str(p) for p in journal.problems] == [
        "content/posts/private:1: error: cannot read this folder: Permission denied"
    ]


def test_a_folder_named_like_a_post_is_walked_into_not_read(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/x.md/inner.md": post_text(title="Inner")})
    journal = load_journal(root, UTC)
    assert journal.problems == ()
    assert [p.key for p in journal.posts] == ["content/posts/x.md/inner.md"]


def test_a_paragraph_too_long_for_markdown_is_refused_at_its_line() -> None:
    """Markdown matches brackets in a paragraph in time that grows with the square of its
    length (400,000 characters: over five minutes): past the limit, the post is refused with
    the limit named. A long paragraph without brackets, or a long code block, is fine."""
    linked = "See [a link](https://example.org/) and go on. " * (MAX_PARAGRAPH // 40)
    plain = "Words and more words without any bracket. " * (MAX_PARAGRAPH // 40)
    code = "```\n" + "x = [1, 2]\n" * (MAX_PARAGRAPH // 10) + "```\n"
    text = post_text("2024-01-02", f"Short.\n\n{linked}\n\n{plain}\n\n{code}")
    post, problems = parse_post(KEY, text.encode(), UTC)
    assert post is None
    [problem] = problems
    assert problem.level == "error" and problem.line == text.split("\n").index(linked) + 1
    assert f"past {MAX_PARAGRAPH:,}" in problem.message and "split it" in problem.message
    fine = post_text("2024-01-02", f"Short.\n\n{plain}\n\n{code}")
    post, problems = parse_post(KEY, fine.encode(), UTC)
    assert post is not None and problems == []

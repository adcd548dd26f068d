"""Text helpers: slugs and the form titles are matched in."""

from __future__ import annotations

import pytest

from generator.core.text import (
    MAX_SLUG_BYTES,
    MAX_SLUG_CHARS,
    count_words,
    html_to_text,
    match_key,
    plural,
    slug_or_fallback,
    slugify,
    tag_slug,
)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Post everyday", "post-everyday"),
        ("Hello, World!", "hello-world"),
        ("  --Spaces and dashes--  ", "spaces-and-dashes"),
        ("Café crème brûlée", "cafe-creme-brulee"),
        ("Ångström naïve", "angstrom-naive"),
        ("Straße", "strasse"),
        ("snake_case words", "snake-case-words"),
        ("Ｆｕｌｌ width", "full-width"),
        ("日本語のタイトル", "日本語のタイトル"),
        ("中文 标题", "中文-标题"),
        ("한국어 제목", "한국어-제목"),
        ("Emoji 🎉 inside", "emoji-inside"),
        ("2024: a year", "2024-a-year"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize("title", ["🎉", "🎉🎉 🚀", "!!!", "", "   "])
def test_slug_of_nothing_usable_falls_back_and_is_never_empty(title: str) -> None:
    assert slugify(title) == ""
    slug = slug_or_fallback(title)
    assert slug.startswith("post-") and len(slug) == len("post-") + 8
    assert slugify(slug) == slug  # a fallback is itself a clean slug
    assert slug_or_fallback(title) == slug  # and stable


def test_fallback_differs_for_different_titles() -> None:
    assert slug_or_fallback("🎉") != slug_or_fallback("🚀")


def test_slug_or_fallback_takes_the_first_usable_candidate() -> None:
    assert slug_or_fallback("🎉", "Second choice", "third") == "second-choice"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Post everyday", "post everyday"),
        ("Post everyday", "POST   EVERYDAY"),
        ("Post everyday", "Post everyday."),
        ("Post, everyday!", "post everyday"),
        ("Post—everyday", "post everyday"),
        ("post_everyday", "Post everyday"),
        ("Straße", "STRASSE"),
        ("Ｐｏｓｔ", "post"),
        ("日本語", "日本語"),
    ],
)
def test_match_key_equal(a: str, b: str) -> None:
    assert match_key(a) == match_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Post everyday", "Post every day"),
        ("Post everyday", "Posts everyday"),
        ("Part one", "Part two"),
        # Titles with no letters or digits are compared as written, not all as "".
        ("🎉", "🚀"),
        ("!!!", "???"),
        ("🎉", "Post everyday"),
    ],
)
def test_match_key_different(a: str, b: str) -> None:
    assert match_key(a) != match_key(b)


def test_match_key_form() -> None:
    assert match_key("  Hello,   World!  ") == "hello world"
    assert match_key(" 🎉  🎉 ") == match_key("🎉 🎉") == "🎉 🎉"


def test_long_titles_make_slugs_short_enough_for_a_file_name() -> None:
    words = slugify(" ".join(["lorem ipsum dolor"] * 27))
    assert len(words) <= MAX_SLUG_CHARS and words.startswith("lorem-ipsum-dolor-")
    assert not words.endswith("-") and words.split("-")[-1] in {"lorem", "ipsum", "dolor"}
    assert len(slugify("a" * 300)) == MAX_SLUG_CHARS  # one long word is cut where it must be
    wide = slugify("𠀀" * 100)  # four bytes a character
    assert 0 < len(wide.encode("utf-8")) <= MAX_SLUG_BYTES
    assert slugify("short title") == "short-title"


@pytest.mark.parametrize(
    ("tag", "slug"),
    [
        ("C++", "c-plus-plus"),
        ("c++", "c-plus-plus"),
        ("C#", "c-sharp"),
        ("C", "c"),
        ("🎉", "party-popper"),
        ("❤️", "heavy-black-heart"),  # the variation selector is left out
        ("Daily Life", "daily-life"),
    ],
)
def test_tag_slugs_tell_signs_apart_and_name_emoji(tag: str, slug: str) -> None:
    assert tag_slug(tag) == slug


def test_html_to_text_decodes_entities_and_keeps_words_whole() -> None:
    html = (
        '<p>Partner&rsquo;s <em>w</em>ord &amp; more<sup id="fnref:1"><a href="#fn:1">1</a>'
        "</sup></p>\n<!-- more -->\n<ul><li>one</li><li>two</li></ul>"
    )
    assert html_to_text(html) == "Partner’s word & more one two"
    assert html_to_text("plain   text\n") == "plain text"


def test_plural() -> None:
    assert [plural(1, "post"), plural(2, "post"), plural(1204, "word")] == [
        "1 post",
        "2 posts",
        "1,204 words",
    ]
    assert plural(3, "entry", "entries") == "3 entries"


def test_count_words() -> None:
    assert count_words("One two, three. Don’t stop") == 5
    assert count_words("日本語") == 3
    assert count_words("") == 0

"""Text helpers: slugs and the form titles are matched in."""

from __future__ import annotations

import pytest

from generator.text import count_words, match_key, slug_or_fallback, slugify


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
    ],
)
def test_match_key_different(a: str, b: str) -> None:
    assert match_key(a) != match_key(b)


def test_match_key_form() -> None:
    assert match_key("  Hello,   World!  ") == "hello world"


def test_count_words() -> None:
    assert count_words("One two, three. Don’t stop") == 5
    assert count_words("日本語") == 3
    assert count_words("") == 0

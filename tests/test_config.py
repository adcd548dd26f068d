"""journal.toml -> Config: defaults, types, and a problem (with its line) for each bad value."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_journal

from generator.core.config import Config, load_config, normalize_base_url, with_base_url


def loaded(tmp_path: Path, text: str) -> tuple[Config, list[str]]:
    config, problems = load_config(make_journal(tmp_path, {}, config=text))
    return config, [str(p) for p in problems]


def test_minimal_config(tmp_path: Path) -> None:
    config, problems = loaded(tmp_path, 'base_url = "https://example.org"\n')
    assert problems == []
    assert config.base_url == "https://example.org/"
    assert config.base_path == "/"
    assert (config.title, config.timezone, config.language, config.posts_per_page) == (
        "My journal",
        "UTC",
        "en",
        10,
    )


def test_every_setting(tmp_path: Path) -> None:
    config, problems = loaded(
        tmp_path,
        'title = "Words"\nauthor = "Me"\ndescription = "D"\n'
        'base_url = "https://user.github.io/journal"\ntimezone = "Asia/Singapore"\n'
        'language = "fr"\nposts_per_page = 3\n',
    )
    assert problems == []
    assert config.base_url == "https://user.github.io/journal/"
    assert config.base_path == "/journal/"
    assert config.zone.key == "Asia/Singapore"
    assert (config.title, config.author, config.language, config.posts_per_page) == (
        "Words",
        "Me",
        "fr",
        3,
    )


def test_bom_in_config(tmp_path: Path) -> None:
    config, problems = loaded(tmp_path, '\ufefftitle = "With BOM"\n')
    assert problems == []
    assert config.title == "With BOM"


def test_missing_config(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert config == Config()
    assert len(problems) == 1
    assert problems[0].path == "journal.toml"
    assert "run `journal init" in problems[0].message


def test_invalid_toml_names_its_line(tmp_path: Path) -> None:
    config, problems = loaded(tmp_path, 'title = "ok"\n\nbase_url = https://x\n')
    assert config == Config()
    assert len(problems) == 1
    assert problems[0].startswith("journal.toml:3: error: not valid TOML")


def test_wrong_type(tmp_path: Path) -> None:
    config, problems = loaded(tmp_path, 'title = "ok"\nposts_per_page = "ten"\n')
    assert problems == [
        "journal.toml:2: error: `posts_per_page` must be a whole number, not text: "
        "write it as posts_per_page = 10"
    ]
    assert config.posts_per_page == 10
    assert config.title == "ok"


def test_wrong_type_names_toml_kinds(tmp_path: Path) -> None:
    _, problems = loaded(tmp_path, "title = 5\nshow_promises = [1]\n")
    assert problems == [
        "journal.toml:1: error: `title` must be text, not a whole number: "
        'write it as title = "text"',
        "journal.toml:2: error: `show_promises` must be true or false, not a table or list: "
        "write it as show_promises = true",
    ]


def test_unknown_setting_is_a_warning(tmp_path: Path) -> None:
    _, problems = loaded(tmp_path, "colour = 3\n")
    assert len(problems) == 1
    assert problems[0].startswith("journal.toml:1: warning: unknown setting `colour`")


def test_every_bad_value_is_reported_at_its_line(tmp_path: Path) -> None:
    config, problems = loaded(
        tmp_path,
        'base_url = "example.org"\ntimezone = "Mars/Olympus"\nposts_per_page = 0\n',
    )
    assert [p.split(": error:")[0] for p in problems] == [
        "journal.toml:1",
        "journal.toml:2",
        "journal.toml:3",
    ]
    assert "absolute http(s) URL" in problems[0]
    assert '"Mars/Olympus" is not a known time zone' in problems[1]
    assert "`posts_per_page` must be 1 or more" in problems[2]
    assert config == Config()  # each bad value falls back to its default


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("https://example.org", "https://example.org/"),
        ("http://example.org/journal", "http://example.org/journal/"),
        (" https://example.org/a/ ", "https://example.org/a/"),
        ("example.org", None),
        ("ftp://example.org/", None),
        ("/journal/", None),
    ],
)
def test_normalize_base_url(url: str, normalized: str | None) -> None:
    assert normalize_base_url(url) == normalized


def test_base_url_override() -> None:
    config = with_base_url(Config(), "http://localhost:8000/preview")
    assert config.base_url == "http://localhost:8000/preview/"
    assert config.base_path == "/preview/"
    assert with_base_url(config, None) is config
    with pytest.raises(ValueError, match="absolute http"):
        with_base_url(config, "nowhere")


def test_feed_full_posts_cannot_be_negative(tmp_path: Path) -> None:
    config, problems = loaded(tmp_path, 'title = "ok"\nfeed_full_posts = -1\n')
    assert problems == [
        "journal.toml:2: error: `feed_full_posts` must be 0 (summaries only) or more"
    ]
    assert config.feed_full_posts == Config().feed_full_posts == 20

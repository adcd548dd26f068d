"""What readers meet on the home page, a post's page and /themes/: the year's word as the
home page's heading, "Continue reading", one wording for a promise still to come, a post's
thread and date navigations linking each neighbour once, one length figure, footnotes, and
the years without a word."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, build_journal, make_journal, one, parse_html, post_text, select

from generator.core.config import MARKDOWN_ENGINES
from generator.pipeline.theme_hints import PLACEHOLDER_INTRO


def words_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def built(tmp_path: Path, files: dict[str, str], config: str = MINIMAL_CONFIG) -> Path:
    root = make_journal(tmp_path, files, config)
    result = build_journal(root)
    assert result.ok, [str(p) for p in result.problems]
    return root / "output"


def html_of(output: Path, path: str) -> ET.Element:
    return parse_html((output / path).read_bytes())


def theme(word: str, intro: str = "Why this word.") -> str:
    return f"---\nword: {word}\n---\n{intro}\n"


def post(day: str, title: str, promise: str | None = None, body: str = "Words.\n") -> str:
    return post_text(day, body + (f"\nNext: {promise}\n" if promise else ""), title=title)


# ---------------------------------------------------------------- the home page


def test_the_home_page_leads_with_the_current_years_word_and_its_intro(tmp_path: Path) -> None:
    output = built(
        tmp_path,
        {
            "content/themes/2024.md": theme("partnership"),
            "content/themes/2025.md": theme(
                "courage", "Doing it before feeling *ready*.\n\nA second paragraph."
            ),
            "content/posts/2024/a.md": post("2024-03-01", "A"),
            "content/posts/2025/b.md": post("2025-02-01", "B"),
        },
    )
    home = html_of(output, "index.html")
    heading = one(home, "h1")
    assert words_of(heading) == "2025: courage"
    assert one(heading, "a", "theme-word").get("href") == "/2025/"
    lead = one(home, "header", "home-lead")
    assert words_of(one(lead, "div", "intro")) == "Doing it before feeling ready."
    assert "A second paragraph" not in words_of(lead)


@pytest.mark.parametrize(
    ("themes", "expected"),
    [
        # The newest post is of 2025, which has no word: the latest year before it that has.
        ({"2023": "craft", "2024": "partnership"}, "2024: partnership"),
        # Only a later year has one: that year's.
        ({"2026": "rest"}, "2026: rest"),
        # No word at all: the journal's title.
        ({}, "Test journal"),
    ],
)
def test_a_year_without_a_word_leads_with_the_nearest_word_or_the_title(
    tmp_path: Path, themes: dict[str, str], expected: str
) -> None:
    files = {f"content/themes/{year}.md": theme(word) for year, word in themes.items()}
    files["content/posts/2025/b.md"] = post("2025-02-01", "B")
    files["content/posts/2024/a.md"] = post("2024-02-01", "A")
    config = MINIMAL_CONFIG + 'description = "A journal."\n'
    home = html_of(built(tmp_path, files, config), "index.html")
    assert words_of(one(home, "h1")) == expected
    # The journal's description leads only where no word does.
    assert [words_of(p) for p in select(home, "p", "lede")] == (
        ["A journal."] if not themes else []
    )


def test_the_placeholder_intro_stays_off_the_home_page(tmp_path: Path) -> None:
    output = built(
        tmp_path,
        {
            "content/themes/2025.md": theme("courage", PLACEHOLDER_INTRO),
            "content/posts/2025/b.md": post("2025-02-01", "B"),
        },
    )
    home = html_of(output, "index.html")
    assert words_of(one(home, "h1")) == "2025: courage"
    assert select(home, "div", "intro") == []


def test_later_home_pages_are_headed_by_their_number(tmp_path: Path) -> None:
    files = {f"content/posts/p{n}.md": post(f"2025-01-0{n + 1}", f"P{n}") for n in range(3)}
    output = built(tmp_path, files, MINIMAL_CONFIG + "posts_per_page = 2\n")
    assert words_of(one(html_of(output, "page/2/index.html"), "h1")) == "Page 2"


def test_each_summary_ends_with_continue_reading_naming_its_post(tmp_path: Path) -> None:
    output = built(
        tmp_path,
        {
            "content/posts/a.md": post("2025-01-01", "<b>Bold</b> & plain"),
            "content/posts/b.md": post("2025-01-02", "Second"),
        },
    )
    home = html_of(output, "index.html")
    links = select(home, "a", "more-link")
    assert [a.get("href") for a in links] == ["/2025/b/", "/2025/a/"]
    assert [words_of(a) for a in links] == [
        "Continue reading: Second",
        "Continue reading: <b>Bold</b> & plain",
    ]
    # Seen: "Continue reading"; heard: which post, from the visually hidden rest.
    hidden = [words_of(one(a, "span", "visually-hidden")) for a in links]
    assert hidden == [": Second", ": <b>Bold</b> & plain"]
    assert b"<b>Bold" not in (output / "index.html").read_bytes()


def test_the_pending_list_leaves_the_home_page_unless_asked_for(tmp_path: Path) -> None:
    files = {"content/posts/a.md": post("2025-01-01", "A", "Someday")}
    home = html_of(built(tmp_path, files), "index.html")
    assert select(home, "aside", "coming-next") == []
    asked = built(tmp_path / "asked", files, MINIMAL_CONFIG + "show_promises = true\n")
    coming = one(html_of(asked, "index.html"), "aside", "coming-next")
    assert "Someday" in words_of(coming)


# ---------------------------------------------------------------- one wording


def test_a_promise_still_to_come_reads_the_same_on_every_page_and_feed(tmp_path: Path) -> None:
    output = built(
        tmp_path,
        {
            "content/posts/a.md": post("2025-01-01", "A", "B"),
            "content/posts/b.md": post("2025-01-02", "B", "Someday"),
            "content/posts/c.md": post("2025-01-03", "Alone", "Elsewhere"),
        },
    )
    pages = {
        "home": html_of(output, "index.html"),
        "thread's last post": html_of(output, "2025/b/index.html"),
        "lone post": html_of(output, "2025/c/index.html"),
        "threads": html_of(output, "threads/index.html"),
    }
    for name, tree in pages.items():
        text = words_of(one(tree, "main"))
        assert "(still to come)" in text, name
        assert "(coming)" not in text, name
    assert "Elsewhere (still to come)" in (output / "feed.xml").read_text()


# ---------------------------------------------------------------- a post's navigation

LONG_THREAD = {
    **{
        f"content/posts/s{n}.md": post(f"2025-03-{n + 1:02}", f"S{n}", f"S{n + 1}")
        for n in range(5)
    },
    "content/posts/s5.md": post("2025-03-06", "S5"),
    # Between S2 and S3 by date, in no thread.
    "content/posts/aside.md": post_text("2025-03-03T12:00:00", "Aside.\n", title="Aside"),
}


def neighbour_links(tree: ET.Element) -> list[str]:
    """The hrefs of every link to another post in the page's navigations."""
    return [
        a.get("href") or ""
        for nav in select(tree, "nav", "thread") + select(tree, "nav", "date-nav")
        for a in nav.iter("a")
        if "thread-all" not in (a.get("class") or "")
    ]


def test_thread_and_date_navigations_are_labelled_apart(tmp_path: Path) -> None:
    output = built(tmp_path, LONG_THREAD)
    tree = html_of(output, "2025/s2/index.html")
    thread = one(tree, "nav", "thread")
    assert words_of(one(thread, "h2")).startswith("In this thread")
    assert one(tree, "a", "chain-prev", rel="prev").get("href") == "/2025/s1/"
    assert one(tree, "a", "chain-next", rel="next").get("href") == "/2025/s3/"
    dates = one(tree, "nav", "date-nav")
    assert words_of(one(dates, "h2")) == "By date"
    assert thread.get("aria-labelledby") != dates.get("aria-labelledby")
    # S1 is older and S1 is where it follows from: shown once, in the thread.
    assert select(dates, "a", "older") == []
    assert one(dates, "a", "newer").get("href") == "/2025/aside/"


@pytest.mark.parametrize("post_path", ["s0", "s2", "s3", "s5", "aside"])
def test_no_post_is_linked_twice_by_the_navigations(tmp_path: Path, post_path: str) -> None:
    output = built(tmp_path, LONG_THREAD)
    tree = html_of(output, f"2025/{post_path}/index.html")
    links = neighbour_links(tree)
    assert len(links) == len(set(links)), links
    assert f"/2025/{post_path}/" not in links


LOOP_AND_BRANCHES = {
    # X and Y promise each other; A and B both promise C.
    "content/posts/x.md": post("2023-05-01", "X", "Y"),
    "content/posts/y.md": post("2023-05-02", "Y", "X"),
    "content/posts/a.md": post("2024-01-01", "A", "C"),
    "content/posts/b.md": post("2024-01-02", "B", "C"),
    "content/posts/c.md": post("2024-01-03", "C"),
}


def rels(tree: ET.Element) -> dict[str, list[str]]:
    """Each rel token of the page's links to other posts -> their hrefs."""
    found: dict[str, list[str]] = {}
    for a in tree.iter("a"):
        for token in (a.get("rel") or "").split():
            if token in ("prev", "next"):
                found.setdefault(token, []).append(a.get("href") or "")
    return found


@pytest.mark.parametrize(
    ("post_path", "expected"),
    [
        ("2023/x", {"prev": ["/2023/y/"], "next": ["/2023/y/"]}),
        ("2023/y", {"prev": ["/2023/x/"], "next": ["/2023/x/"]}),
        ("2024/a", {"next": ["/2024/c/"]}),
        ("2024/b", {"next": ["/2024/c/"]}),
        ("2024/c", {"prev": ["/2024/a/", "/2024/b/"]}),
    ],
)
def test_loops_and_branches_link_each_post_once(
    tmp_path: Path, post_path: str, expected: dict[str, list[str]]
) -> None:
    tree = html_of(built(tmp_path, LOOP_AND_BRANCHES), f"{post_path}/index.html")
    links = neighbour_links(tree)
    assert len(links) == len(set(links)), links
    assert f"/{post_path}/" not in links
    assert rels(tree) == expected


def test_a_post_outside_threads_keeps_both_date_neighbours(tmp_path: Path) -> None:
    tree = html_of(built(tmp_path, LONG_THREAD), "2025/aside/index.html")
    assert select(tree, "nav", "thread") == []
    dates = one(tree, "nav", "date-nav")
    assert one(dates, "a", "newer").get("href") == "/2025/s3/"
    assert one(dates, "a", "older").get("href") == "/2025/s2/"


def test_a_post_whose_neighbours_are_all_in_its_thread_has_no_date_navigation(
    tmp_path: Path,
) -> None:
    files = {
        "content/posts/a.md": post("2025-01-01", "A", "B"),
        "content/posts/b.md": post("2025-01-02", "B"),
    }
    tree = html_of(built(tmp_path, files), "2025/a/index.html")
    assert select(tree, "nav", "date-nav") == []
    assert select(tree, "a", "newer") == []
    assert one(tree, "a", "chain-next").get("href") == "/2025/b/"


def test_a_lone_promise_still_to_come_ends_the_post(tmp_path: Path) -> None:
    tree = html_of(
        built(tmp_path, {"content/posts/a.md": post("2025-01-01", "A", "Z")}), "2025/a/index.html"
    )
    assert select(tree, "nav", "thread") == []
    line = one(one(tree, "article", "post"), "p", "chain-to")
    assert words_of(line) == "Next: Z (still to come)"


def test_one_length_figure_reading_time(tmp_path: Path) -> None:
    body = "word " * 660 + "\n"
    tree = html_of(
        built(tmp_path, {"content/posts/a.md": post("2025-01-01", "A", body=body)}),
        "2025/a/index.html",
    )
    article = one(tree, "article", "post")
    assert "3 min read" in words_of(one(article, "p", "meta"))
    assert select(article, "p", "words") == []
    assert "words" not in words_of(article).replace("word word", "")


# ---------------------------------------------------------------- footnotes


FOOTNOTES = "A claim[^1] and another[^src].\n\n[^1]: The first note.\n[^src]: The source.\n"


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_footnotes_link_back_and_are_named_for_screen_readers(tmp_path: Path, engine: str) -> None:
    files = {"content/posts/a.md": post("2025-01-01", "A", body=FOOTNOTES)}
    output = built(tmp_path, files, MINIMAL_CONFIG + f'markdown = "{engine}"\n')
    tree = html_of(output, "2025/a/index.html")
    refs = select(tree, "a", "footnote-ref")
    assert [(a.get("href"), a.get("aria-label")) for a in refs] == [
        ("#fn:1", "Footnote 1"),
        ("#fn:src", "Footnote 2"),
    ]
    backs = select(tree, "a", "footnote-backref")
    assert [(a.get("href"), a.get("aria-label")) for a in backs] == [
        ("#fnref:1", "Back to footnote 1 in the text"),
        ("#fnref:src", "Back to footnote 2 in the text"),
    ]
    assert [a.get("title") for a in backs] == [a.get("aria-label") for a in backs]
    assert [words_of(a) for a in backs] == ["↩", "↩"]
    # The home page's summary points its footnote at the post.
    home_refs = select(html_of(output, "index.html"), "a", "footnote-ref")
    assert [(a.get("href"), a.get("aria-label")) for a in home_refs] == [
        ("/2025/a/#fn:1", "Footnote 1"),
        ("/2025/a/#fn:src", "Footnote 2"),
    ]


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_footnote_names_follow_the_journals_language(tmp_path: Path, engine: str) -> None:
    config = MINIMAL_CONFIG + f'language = "de"\nmarkdown = "{engine}"\n'
    output = built(
        tmp_path, {"content/posts/a.md": post("2025-01-01", "A", body=FOOTNOTES)}, config
    )
    tree = html_of(output, "2025/a/index.html")
    labels = [a.get("aria-label") for a in select(tree, "a", "footnote-backref")]
    assert labels == ["Zurück zur Fußnote 1 im Text", "Zurück zur Fußnote 2 im Text"]


# ---------------------------------------------------------------- /themes/


def test_themes_put_the_word_first_and_say_how_to_give_a_year_one(tmp_path: Path) -> None:
    output = built(
        tmp_path,
        {
            "content/themes/2025.md": theme("<courage>"),
            "content/posts/2025/a.md": post("2025-01-01", "A"),
            "content/posts/2024/b.md": post("2024-01-01", "B"),
        },
    )
    tree = html_of(output, "themes/index.html")
    worded, bare = select(tree, "li", "timeline-year")
    heading = one(worded, "h2")
    assert [child.get("class") for child in heading] == ["theme-word", "year-link"]
    assert words_of(heading) == "<courage> 2025"
    assert "timeline-no-word" in (bare.get("class") or "")
    assert words_of(one(bare, "h2")) == "2024 no word yet"
    assert words_of(one(bare, "p", "no-word-hint")) == (
        "To give it one: journal theme 2024 --word WORD"
    )
    assert select(worded, "p", "no-word-hint") == []
    assert b"<courage>" not in (output / "themes/index.html").read_bytes()

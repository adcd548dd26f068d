"""Threads from "Next:" chains: order, branches, loops, pending ends, and their pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

from conftest import (
    MINIMAL_CONFIG,
    OPTIONS,
    build_journal,
    make_journal,
    one,
    parse_html,
    post_text,
    select,
)

from generator.core.config import load_config
from generator.features.insights import Insights
from generator.features.threads import Thread, open_promises, thread_index, threads_of
from generator.pipeline.load import load_journal
from generator.pipeline.site import Site, build_site

KEY = "content/posts/{}.md".format


def post(day: str, title: str, promise: str | None = None) -> str:
    body = "Words.\n" + (f"\nNext: {promise}\n" if promise else "")
    return post_text(day, body, title=title)


def site_of(tmp_path: Path, files: Mapping[str, str]) -> Site:
    root = make_journal(tmp_path, files)
    config, _ = load_config(root)
    journal = load_journal(root, config.zone)
    assert not journal.problems
    return build_site(journal.posts, journal.themes, config, OPTIONS)


def shape(thread: Thread) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """Each step as (post, its next, the posts it follows), with names for keys."""
    name = {KEY(n): n for n in "abcdefxyz"}
    return [
        (name[s.key], name.get(s.next or ""), tuple(name[f] for f in s.follows))
        for s in thread.steps
    ]


def test_a_chain_reads_first_to_last_with_its_pending_end(tmp_path: Path) -> None:
    # Written out of order: the thread follows the promises, not the file names.
    site = site_of(
        tmp_path,
        {
            "content/posts/c.md": post("2024-01-03", "C", "D"),
            "content/posts/a.md": post("2024-01-01", "A", "B"),
            "content/posts/b.md": post("2024-01-02", "B", "C"),
        },
    )
    (thread,) = threads_of(site)
    assert shape(thread) == [("a", "b", ()), ("b", "c", ("a",)), ("c", None, ("b",))]
    assert thread.coming == "D"
    assert (thread.branches, thread.loop) == (False, False)


def test_a_promise_of_an_older_post_puts_it_after(tmp_path: Path) -> None:
    # b (2 January) promises a (1 January): b comes first in the thread although it is newer.
    site = site_of(
        tmp_path,
        {
            "content/posts/a.md": post("2024-01-01", "A"),
            "content/posts/b.md": post("2024-01-02", "B", "A"),
        },
    )
    (thread,) = threads_of(site)
    assert thread.keys == (KEY("b"), KEY("a"))
    assert thread.coming is None


def test_branches_two_posts_promise_the_same_post(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "content/posts/a.md": post("2024-01-01", "A", "C"),
            "content/posts/b.md": post("2024-01-02", "B", "C"),
            "content/posts/c.md": post("2024-01-03", "C", "D"),
            "content/posts/d.md": post("2024-01-04", "D"),
        },
    )
    (thread,) = threads_of(site)
    assert shape(thread) == [
        ("a", "c", ()),
        ("b", "c", ()),
        ("c", "d", ("a", "b")),
        ("d", None, ("c",)),
    ]
    assert thread.branches
    assert not thread.loop


def test_side_branches_are_marked_on_the_way_back_from_the_last_post(tmp_path: Path) -> None:
    # x -> y -> c is the longer way into c: the main line. a -> c joins it: a side branch.
    files = {
        "content/posts/x.md": post("2024-01-01", "X", "Y"),
        "content/posts/a.md": post("2024-01-02", "A", "C"),
        "content/posts/y.md": post("2024-01-03", "Y", "C"),
        "content/posts/c.md": post("2024-01-04", "C", "D"),
        "content/posts/d.md": post("2024-01-05", "D"),
    }
    (thread,) = threads_of(site_of(tmp_path, files))
    name = {KEY(n): n for n in "acdxy"}
    assert [(name[s.key], s.branch) for s in thread.steps] == [
        ("x", False),
        ("a", True),
        ("y", False),
        ("c", False),
        ("d", False),
    ]
    root = make_journal(tmp_path, files)
    assert build_journal(root).ok
    for page in ("threads/index.html", "2024/d/index.html"):
        (branch,) = select(parse_html((root / "output" / page).read_bytes()), "li", "thread-branch")
        text = " ".join("".join(branch.itertext()).split())
        assert text.startswith("branch: A") and "then C" in text, page


def test_a_loop_ends_and_is_cut_before_its_oldest_post(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "content/posts/a.md": post("2024-01-01", "A", "B"),
            "content/posts/b.md": post("2024-01-02", "B", "A"),
        },
    )
    (thread,) = threads_of(site)
    # b still promises a (its `next`), but a follows nothing in the thread's order.
    assert shape(thread) == [("a", "b", ()), ("b", "a", ("a",))]
    assert thread.loop
    assert thread.coming is None


def test_a_loop_with_a_post_leading_into_it(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "content/posts/a.md": post("2024-01-02", "A", "B"),
            "content/posts/b.md": post("2024-01-03", "B", "C"),
            "content/posts/c.md": post("2024-01-04", "C", "A"),
            "content/posts/x.md": post("2024-01-05", "X", "B"),
        },
    )
    (thread,) = threads_of(site)
    assert thread.loop
    assert sorted(thread.keys) == [KEY("a"), KEY("b"), KEY("c"), KEY("x")]
    order = list(thread.keys)
    assert order.index(KEY("a")) < order.index(KEY("b")) < order.index(KEY("c"))
    assert order.index(KEY("x")) < order.index(KEY("b"))
    assert thread.branches  # b keeps the promises of a and x


def test_a_lone_post_is_no_thread_unless_it_promises_one(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "content/posts/a.md": post("2024-01-01", "A"),
            "content/posts/b.md": post("2024-01-02", "B", "Not written"),
        },
    )
    (thread,) = threads_of(site)
    assert thread.keys == (KEY("b"),)
    assert thread.coming == "Not written"


def test_threads_newest_first_and_each_post_finds_its_own(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "content/posts/a.md": post("2024-01-01", "A", "B"),
            "content/posts/b.md": post("2024-05-01", "B"),
            "content/posts/x.md": post("2024-02-01", "X", "Y"),
            "content/posts/y.md": post("2024-02-02", "Y"),
        },
    )
    threads = threads_of(site)
    assert [t.keys for t in threads] == [(KEY("a"), KEY("b")), (KEY("x"), KEY("y"))]
    index = thread_index(threads)
    assert index[KEY("y")] is threads[1]
    assert index[KEY("a")] is threads[0]


def test_a_long_chain_does_not_recurse_or_hang(tmp_path: Path) -> None:
    count = 1500
    start = datetime(2020, 1, 1)
    files = {
        f"content/posts/p{n:04}.md": post(
            (start + timedelta(hours=n)).isoformat(" "),
            f"P{n}",
            f"P{n + 1}" if n + 1 < count else None,
        )
        for n in range(count)
    }
    site = site_of(tmp_path, files)
    (thread,) = threads_of(site)
    assert len(thread.steps) == count
    assert thread.first == "content/posts/p0000.md"
    assert thread.last == f"content/posts/p{count - 1:04}.md"


def test_open_promises_oldest_first(tmp_path: Path) -> None:
    site = site_of(
        tmp_path,
        {
            "content/posts/a.md": post("2024-03-01", "A", "Later idea"),
            "content/posts/b.md": post("2024-01-01", "B", "First idea"),
            "content/posts/c.md": post("2024-02-01", "C", "A"),  # kept
        },
    )
    assert [(p.text, p.key) for p in open_promises(site)] == [
        ("First idea", KEY("b")),
        ("Later idea", KEY("a")),
    ]


# ---------------------------------------------------------------- the pages


def texts(elements: list[ET.Element]) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in elements]


CHAIN = {
    "content/posts/a.md": post("2024-01-01", "A", "B"),
    "content/posts/b.md": post("2024-01-02", "B", "C"),
    "content/posts/c.md": post("2024-01-03", "C", "Post everyday"),
    "content/posts/z.md": post("2024-01-04", "Alone"),
}


def test_post_page_shows_its_thread_with_the_current_post_marked(tmp_path: Path) -> None:
    root = make_journal(tmp_path, CHAIN)
    assert build_journal(root).ok
    tree = parse_html((root / "output/2024/b/index.html").read_bytes())
    box = one(tree, "nav", "thread")
    assert texts(select(box, "h2")) == ["In this thread all 3 posts"]
    items = select(box, "li")
    assert texts(items) == [
        "Follows from A 1 January 2024",
        "B 2 January 2024",
        "Next C 3 January 2024",
        "Post everyday (still to come)",
    ]
    assert items[1].get("aria-current") == "page"
    assert [a.get("href") for a in select(box, "a", "thread-link")] == ["/2024/a/", "/2024/c/"]
    # The page contract is untouched: one rel=next, one rel=prev, one pending mark at most.
    assert len(select(tree, "a", rel="next")) == 1
    assert len(select(tree, "a", rel="prev")) == 1
    assert select(tree, "span", "chain-pending") == []
    alone = parse_html((root / "output/2024/z/index.html").read_bytes())
    assert select(alone, "nav", "thread") == []


def test_threads_page_lists_every_thread(tmp_path: Path) -> None:
    files = dict(CHAIN)
    files["content/posts/x.md"] = post("2023-05-01", "X", "Y")
    files["content/posts/y.md"] = post("2023-05-02", "Y", "X")
    root = make_journal(tmp_path, files)
    assert build_journal(root).ok
    tree = parse_html((root / "output/threads/index.html").read_bytes())
    cards = select(tree, "section", "thread-card")
    assert [c.get("id") for c in cards] == ["thread-2024-a", "thread-2023-x"]
    assert texts(select(cards[0], "p", "meta")) == [
        "3 posts · 1 January 2024 to 3 January 2024 · one to come"
    ]
    assert texts(select(cards[1], "p", "meta")) == [
        "2 posts · 1 May 2023 to 2 May 2023 · comes full circle"
    ]
    assert texts(select(cards[1], "span", "thread-then")) == ["then back to X"]
    nav = [a.get("href") for a in select(tree, "nav")[0].iter("a")]
    assert "/threads/" in nav


def test_home_page_lists_what_is_coming_only_when_asked(tmp_path: Path) -> None:
    root = make_journal(tmp_path, CHAIN, MINIMAL_CONFIG + "show_promises = true\n")
    assert build_journal(root).ok
    home = parse_html((root / "output/index.html").read_bytes())
    coming = one(home, "aside", "coming-next")
    assert texts(select(coming, "li")) == ["Post everyday promised in C, 3 January 2024"]
    default = make_journal(tmp_path / "default", CHAIN)
    assert build_journal(default).ok
    home = parse_html((default / "output/index.html").read_bytes())
    assert select(home, "aside", "coming-next") == []


def test_a_long_thread_on_a_post_page_shows_the_ends_and_the_posts_near_it() -> None:
    assert Insights.shown_positions(9, 4) == list(range(9))
    assert Insights.shown_positions(12, 6) == [0, 3, 4, 5, 6, 7, 8, 9, 11]
    assert Insights.shown_positions(12, 0) == [0, 1, 2, 3, 11]
    assert Insights.shown_positions(12, None) == list(range(12))


def test_a_long_thread_page_says_how_many_posts_it_leaves_out(tmp_path: Path) -> None:
    files = {
        f"content/posts/p{n:02}.md": post(
            f"2024-01-{n + 1:02}", f"P{n}", f"P{n + 1}" if n < 11 else None
        )
        for n in range(12)
    }
    root = make_journal(tmp_path, files)
    assert build_journal(root).ok
    tree = parse_html((root / "output/2024/p06/index.html").read_bytes())
    box = one(tree, "nav", "thread")
    assert texts(select(box, "li", "thread-gap")) == ["2 more posts", "1 more post"]
    shown = [a.get("href") for a in select(box, "a", "thread-link")]
    assert shown == [f"/2024/p{n:02}/" for n in (0, 3, 4, 5, 7, 8, 9, 11)]

"""Site stage: the pure graph of published posts, years, tags, neighbours and chains; and the
SiteMemo that watch mode keeps between builds, which gives the same graph."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW, OPTIONS

from generator.core.config import BuildOptions, Config
from generator.core.text import slugify
from generator.incremental.site_memo import SiteMemo
from generator.pipeline.chains import Chain
from generator.pipeline.load import Post, Theme
from generator.pipeline.post_fields import Promise
from generator.pipeline.site import Site, build_site

CONFIG = Config(base_url="https://example.org/")


def post(
    name: str,
    day: str = "2024-06-10",
    title: str | None = None,
    *,
    next: str | None = None,
    href: str | None = None,
    tags: tuple[str, ...] = (),
    slug: str | None = None,
    draft: bool = False,
) -> Post:
    """A post record content/posts/<name>.md; `next` makes a promise on its line 9."""
    moment = datetime.fromisoformat(day)
    return Post(
        key=f"content/posts/{name}.md",
        title=title or name.capitalize(),
        date=moment if moment.tzinfo else moment.replace(tzinfo=UTC),
        slug=slug or slugify(name),
        tags=tags,
        draft=draft,
        summary=None,
        body="Text.\n",
        promise=Promise(next, href, 9) if next is not None else None,
    )


def theme(year: int, word: str) -> Theme:
    return Theme(f"content/themes/{year}.md", year, word, "", ())


def site_of(
    posts: Sequence[Post],
    themes: Sequence[Theme] = (),
    options: BuildOptions = OPTIONS,
    config: Config = CONFIG,
) -> Site:
    return build_site(posts, themes, config, options)


def key(name: str) -> str:
    return f"content/posts/{name}.md"


def messages(site: Site) -> list[str]:
    return [str(p) for p in site.problems]


# ---------------------------------------------------------------- order, urls, years


def test_newest_first_with_ties_broken_by_key() -> None:
    site = site_of(
        [
            post("b", "2024-01-02"),
            post("a", "2024-01-02"),
            post("old", "2023-05-05"),
            post("new", "2024-03-01"),
            post("c", "2024-01-02"),
        ]
    )
    assert site.order == (key("new"), key("a"), key("b"), key("c"), key("old"))


def test_order_compares_moments_across_time_zones() -> None:
    early = post("early", "2024-01-01T10:00:00+08:00")  # 02:00 UTC
    late = post("late", "2024-01-01T03:00:00+00:00")
    assert site_of([early, late]).order == (key("late"), key("early"))


def test_urls_use_the_year_in_the_site_time_zone() -> None:
    config = Config(base_url="https://example.org/", timezone="Asia/Singapore")
    new_year = post("party", "2023-12-31T20:00:00+00:00")  # 04:00 on 1 January in Singapore
    site = site_of([new_year], config=config)
    assert site.urls[key("party")] == "2024/party/"
    assert [y.year for y in site.years] == [2024]


def test_years_include_a_year_with_only_a_theme() -> None:
    site = site_of(
        [post("a", "2024-02-01"), post("b", "2024-03-01"), post("c", "2022-01-01")],
        [theme(2024, "partnership"), theme(2023, "craft")],
    )
    assert [(y.year, y.theme.word if y.theme else None, y.posts) for y in site.years] == [
        (2024, "partnership", (key("b"), key("a"))),
        (2023, "craft", ()),
        (2022, None, (key("c"),)),
    ]
    assert site.year_of(key("c")) == site.years[2]


def test_neighbours() -> None:
    site = site_of([post("a", "2024-01-01"), post("b", "2024-01-02"), post("c", "2024-01-03")])
    assert site.newer == {key("c"): None, key("b"): key("c"), key("a"): key("b")}
    assert site.older == {key("c"): key("b"), key("b"): key("a"), key("a"): None}


def test_tags_merged_case_insensitively_in_the_most_used_spelling() -> None:
    site = site_of(
        [
            post("a", "2024-01-01", tags=("Writing", "Life")),
            post("b", "2024-01-02", tags=("writing",)),
            post("c", "2024-01-03", tags=("writing", "Café")),
            post("d", "2024-01-04", tags=("🎉",)),
        ]
    )
    tags = {t.slug: (t.name, t.posts) for t in site.tags}
    assert tags["writing"] == ("writing", (key("c"), key("b"), key("a")))
    assert tags["life"] == ("Life", (key("a"),))
    assert tags["cafe"] == ("Café", (key("c"),))
    assert tags["party-popper"][0] == "🎉"  # an emoji tag is named by its character
    assert [t.slug for t in site.tags] == sorted(tags)
    assert [t.slug for t in site.post_tags[key("a")]] == ["writing", "life"]


def test_tags_whose_signs_differ_get_their_own_pages() -> None:
    site = site_of(
        [
            post("a", "2024-01-01", tags=("C++", "C#")),
            post("b", "2024-01-02", tags=("c", "c++")),
        ]
    )
    assert {t.slug: t.name for t in site.tags} == {"c-plus-plus": "C++", "c-sharp": "C#", "c": "c"}
    assert site.problems == ()


def test_a_tie_between_spellings_prefers_one_not_in_capitals() -> None:
    site = site_of(
        [post("a", "2024-01-01", tags=("LIFE",)), post("b", "2024-01-02", tags=("Life",))]
    )
    assert [t.name for t in site.tags] == ["Life"]
    site = site_of([post("a", "2024-01-01", tags=("AI",)), post("b", "2024-01-02", tags=("ai",))])
    assert [t.name for t in site.tags] == ["ai"]


def test_different_tags_on_one_url_are_a_warning_naming_both() -> None:
    site = site_of(
        [
            post("a", "2024-01-01", tags=("Café", "Daily Life")),
            post("b", "2024-01-02", tags=("cafe", "daily-life", "CAFE")),
        ]
    )
    assert [t.slug for t in site.tags] == ["cafe", "daily-life"]
    assert [(p.path, p.level, p.message) for p in site.problems] == [
        (
            key("b"),
            "warning",
            'tag "cafe" has the same URL /tags/cafe/ as tag "Café" (in content/posts/a.md): '
            "they are shown as one tag; rename one of them to keep them apart",
        )
    ]  # "daily-life" and "Daily Life" only differ in spacing: merged without a word


def test_two_posts_on_one_url_is_an_error_naming_both() -> None:
    site = site_of([post("one", "2024-01-01", slug="same"), post("two", "2024-05-01", slug="same")])
    assert messages(site) == [
        f"{key('two')}:1: error: URL /2024/same/ is also used by {key('one')}: "
        "give one of them another `slug:`"
    ]


def test_same_slug_in_different_years_is_fine() -> None:
    site = site_of([post("a", "2023-01-01", slug="same"), post("b", "2024-01-01", slug="same")])
    assert site.problems == ()
    assert sorted(site.urls.values()) == ["2023/same/", "2024/same/"]


# ---------------------------------------------------------------- drafts and the future


def test_drafts_and_future_posts_are_left_out_by_default() -> None:
    posts = [
        post("draft", "2024-01-01", draft=True),
        post("future", (NOW + timedelta(days=1)).isoformat()),
        post("now", NOW.isoformat()),
    ]
    assert site_of(posts).order == (key("now"),)
    assert site_of(posts, options=BuildOptions(drafts=True, now=NOW)).order == (
        key("now"),
        key("draft"),
    )
    assert site_of(posts, options=BuildOptions(future=True, now=NOW)).order == (
        key("future"),
        key("now"),
    )
    everything = BuildOptions(drafts=True, future=True, now=NOW)
    assert len(site_of(posts, options=everything).order) == 3


def test_future_is_compared_as_a_moment() -> None:
    later_today_elsewhere = post(
        "p", (NOW + timedelta(minutes=1)).astimezone(ZoneInfo("Asia/Tokyo")).isoformat()
    )
    assert site_of([later_today_elsewhere]).order == ()


# ---------------------------------------------------------------- chains


def test_kept_promise_links_both_ways() -> None:
    site = site_of(
        [
            post("partnership", "2024-06-10", "Partnership", next="post  EVERYDAY!"),
            post("everyday", "2024-07-01", "Post everyday"),
        ]
    )
    assert site.chains == {key("partnership"): Chain("kept", "post  EVERYDAY!", key("everyday"))}
    assert site.backlinks == {key("everyday"): (key("partnership"),)}
    assert site.problems == ()


def test_a_pending_promise_is_no_problem() -> None:
    """A promise of a post still to write is what a journal is for: it is counted once by
    the commands, not warned about post by post."""
    site = site_of([post("partnership", next="Post everyday")])
    assert site.chains == {key("partnership"): Chain("pending", "Post everyday", None)}
    assert site.backlinks == {}
    assert messages(site) == []


def test_ambiguous_promise_is_an_error_naming_both_files() -> None:
    site = site_of(
        [
            post("a", "2024-01-01", next="Twin"),
            post("twin1", "2024-01-02", "Twin"),
            post("twin2", "2024-01-03", "twin!"),
        ]
    )
    assert messages(site) == [
        f'{key("a")}:9: error: "Next: Twin" could be {key("twin1")} and {key("twin2")}: give one '
        "a different title, or write the promise as Next: [Title](/YYYY/slug/)"
    ]
    assert key("a") not in site.chains


def test_a_link_settles_an_ambiguous_title() -> None:
    site = site_of(
        [
            post("a", "2024-01-01", next="Twin", href="/2024/twin2/"),
            post("twin1", "2024-01-02", "Twin"),
            post("twin2", "2024-01-03", "Twin"),
        ]
    )
    assert site.chains[key("a")] == Chain("kept", "Twin", key("twin2"))
    assert site.problems == ()


def test_self_promise_is_an_error() -> None:
    site = site_of([post("loop", title="Loop", next="loop")])
    assert messages(site) == [
        f'{key("loop")}:9: error: "Next: loop" points to this post itself: name the next post'
    ]
    assert site.chains == {}


def test_a_two_post_loop_is_allowed() -> None:
    site = site_of(
        [
            post("a", "2024-01-01", "Alpha", next="Beta"),
            post("b", "2024-01-02", "Beta", next="Alpha"),
        ]
    )
    assert site.problems == ()
    assert site.chains[key("a")].target == key("b")
    assert site.chains[key("b")].target == key("a")
    assert site.backlinks == {key("a"): (key("b"),), key("b"): (key("a"),)}


def test_promise_to_a_draft_stays_pending_in_silence() -> None:
    site = site_of(
        [post("a", "2024-01-01", next="Secret"), post("s", "2024-01-02", "Secret", draft=True)]
    )
    assert site.chains[key("a")] == Chain("pending", "Secret", None)
    assert messages(site) == []  # the draft is being written, as promised
    with_drafts = site_of(
        [post("a", "2024-01-01", next="Secret"), post("s", "2024-01-02", "Secret", draft=True)],
        options=BuildOptions(drafts=True, now=NOW),
    )
    assert with_drafts.chains[key("a")] == Chain("kept", "Secret", key("s"))


def test_promise_by_slug() -> None:
    site = site_of(
        [
            post("a", "2024-01-01", next="the-walk"),
            post("b", "2024-01-02", "A long title", slug="the-walk"),
        ]
    )
    assert site.chains[key("a")] == Chain("kept", "the-walk", key("b"))


@pytest.mark.parametrize(
    "href", ["/2024/b/", "/2024/b", "https://example.org/2024/b/", "/journal/2024/b/"]
)
def test_promise_by_url(href: str) -> None:
    config = Config(base_url="https://example.org/journal/")
    site = site_of(
        [post("a", "2024-01-01", next="Whatever the text", href=href), post("b", "2024-01-02")],
        config=config,
    )
    assert site.chains[key("a")] == Chain("kept", "Whatever the text", key("b"))


def test_promise_by_source_file_resolves_by_file_not_by_its_text() -> None:
    site = site_of(
        [
            post("2024/a", "2024-01-01", next="the amp one", href="amp.md"),
            post("2024/amp", "2024-01-02", title="Ampersands & co"),
            post("2024/b", "2024-01-03", next="older", href="../2023/old.md"),
            post("2023/old", "2023-01-03", title="Old"),
            post("2024/c", "2024-01-04", next="itself", href="c.md"),
        ]
    )
    assert site.chains[key("2024/a")] == Chain("kept", "the amp one", key("2024/amp"))
    assert site.chains[key("2024/b")] == Chain("kept", "older", key("2023/old"))
    assert [(p.path, p.level) for p in site.problems] == [(key("2024/c"), "error")]
    assert "points to this post itself" in site.problems[0].message


def test_emoji_titles_match_only_themselves() -> None:
    site = site_of(
        [
            post("a", "2024-01-01", title="🎉", next="🚀"),
            post("b", "2024-01-02", title="!!!", next="🎉"),
            post("c", "2024-01-03", title="???", next="…"),
        ]
    )
    assert site.chains[key("a")].state == "pending"  # no post is titled 🚀
    assert site.chains[key("b")] == Chain("kept", "🎉", key("a"))
    assert site.chains[key("c")].state == "pending"
    assert not [p for p in site.problems if p.level == "error"]


def test_backlinks_are_oldest_first() -> None:
    site = site_of(
        [
            post("target", "2024-01-01", "Target"),
            post("second", "2024-01-03", next="Target"),
            post("first", "2024-01-02", next="Target"),
        ]
    )
    assert site.backlinks == {key("target"): (key("first"), key("second"))}


def test_problems_are_sorted_and_all_reported() -> None:
    site = site_of(
        [
            post("z", "2024-01-01", "Z", next="z"),
            post("a", "2024-01-01", next="Partnershp"),
            post("m", "2024-01-02", slug="a"),
            post("p", "2024-01-03", "Partnership"),
        ]
    )
    assert [(p.path, p.level) for p in site.problems] == [
        (key("a"), "warning"),
        (key("m"), "error"),
        (key("z"), "error"),
    ]


# ---------------------------------------------------------------- a memo kept between builds


def same_site(site: Site, fresh: Site) -> None:
    """The two sites are the same in every field and order, and give the same dates."""
    assert site == fresh
    for name in ("posts", "urls", "post_tags", "newer", "older", "chains", "backlinks"):
        assert list(getattr(site, name).items()) == list(getattr(fresh, name).items()), name
    for key_ in fresh.order:
        assert site.posts[key_] is fresh.posts[key_]
        assert site.local_date(key_) == fresh.local_date(key_)
        assert site.local_date(key_).tzinfo is fresh.local_date(key_).tzinfo
        assert site.year_of(key_) == fresh.year_of(key_)


def journal_posts() -> list[Post]:
    titles = ["Courage", "Craft", "Rest", "Café", "Rivers", "Lamps", "Windows", "Maps"]
    tags = [("Writing",), ("writing", "Life"), ("C++", "Café"), ("cafe",), (), ("🎉", "LIFE")]
    return [
        post(
            f"{2022 + n % 3}/p{n}",
            f"{2022 + n % 3}-0{1 + n % 9}-1{n % 10}T23:30:00+00:00",
            titles[n % len(titles)] + ("" if n < len(titles) else f" {n}"),
            next=titles[(n * 3) % len(titles)] if n % 3 else None,
            tags=tags[n % len(tags)],
            draft=n % 11 == 0,
        )
        for n in range(24)
    ]


def edited(posts: list[Post], themes: list[Theme], rng: random.Random) -> list[Theme]:
    """One random edit of `posts` (in place) or of the themes (returned)."""
    i = rng.randrange(len(posts))
    old = posts[i]
    kind = rng.choice(
        ["body", "title", "tags", "date", "draft", "promise", "slug", "add", "remove", "theme"]
    )
    if kind == "body":
        posts[i] = replace(old, body=old.body + "More.\n", summary="Changed.")
    elif kind == "title":
        posts[i] = replace(old, title=rng.choice(posts).title + rng.choice(["", "!"]))
    elif kind == "tags":
        names = ["Writing", "writing", "Café", "cafe", "C#", "C++", "🎉", "life"]
        posts[i] = replace(old, tags=tuple(rng.sample(names, rng.randrange(4))))
    elif kind == "date":
        posts[i] = replace(old, date=old.date + timedelta(hours=rng.choice([-9000, -1, 1, 30])))
    elif kind == "draft":
        posts[i] = replace(old, draft=not old.draft)
    elif kind == "promise":
        target = rng.choice(posts)
        posts[i] = replace(
            old,
            promise=rng.choice(
                [
                    None,
                    Promise(target.title, None, 9),
                    Promise(target.slug, None, 9),
                    Promise("x", "/" + target.key.split("/")[2] + f"/{target.slug}/", 9),
                    Promise("x", target.key.rsplit("/", 1)[1], 9),
                ]
            ),
        )
    elif kind == "slug":
        posts[i] = replace(old, slug=rng.choice(posts).slug)
    elif kind == "add":
        posts.insert(i, replace(old, key=old.key.replace(".md", f"-{rng.randrange(10**6)}.md")))
    elif kind == "remove" and len(posts) > 2:
        posts.pop(i)
    elif kind == "theme":
        year = rng.randrange(2021, 2026)
        return [t for t in themes if t.year != year] + (
            [theme(year, rng.choice(["craft", "rest"]))] if rng.random() < 0.6 else []
        )
    return themes


@pytest.mark.parametrize("seed", range(4))
def test_a_memo_kept_between_builds_gives_the_site_of_a_fresh_build(seed: int) -> None:
    rng = random.Random(seed)
    zone = ["UTC", "America/New_York"][seed % 2]
    config = Config(base_url="https://example.org/journal/", timezone=zone)
    options = BuildOptions(now=datetime(2024, 6, 1, tzinfo=UTC))
    posts, themes = journal_posts(), [theme(2023, "craft")]
    memo = SiteMemo()
    for _ in range(60):
        for _ in range(rng.choice([1, 1, 2])):
            themes = edited(posts, themes, rng)
        site = memo.site(posts, themes, config, options)
        same_site(site, build_site(posts, themes, config, options))


@pytest.mark.parametrize("seed", range(4, 8))
def test_a_memo_told_which_posts_were_edited_gives_the_site_of_a_fresh_build(seed: int) -> None:
    """Watch mode tells the memo which posts an edit changed (the others being the very
    same, in the same order): it then looks at those alone."""
    rng = random.Random(seed)
    config = Config(base_url="https://example.org/", timezone=["UTC", "Europe/Paris"][seed % 2])
    options = BuildOptions(now=datetime(2024, 6, 1, tzinfo=UTC))
    posts, themes = journal_posts(), [theme(2023, "craft")]
    memo = SiteMemo()
    last: tuple[Post, ...] | None = None
    hinted = 0
    for _ in range(60):
        for _ in range(rng.choice([1, 1, 2])):
            themes = edited(posts, themes, rng)
        now = tuple(posts)
        before: tuple[Post, ...] | None = None
        edited_keys: set[str] | None = None
        if last is not None and [p.key for p in last] == [p.key for p in now]:
            before = last
            edited_keys = {p.key for p, q in zip(last, now, strict=True) if p is not q}
            hinted += 1
        site = memo.site(now, themes, config, options, before=before, edited=edited_keys)
        same_site(site, build_site(now, themes, config, options))
        last = now
    assert hinted > 30


def test_a_memo_follows_new_settings_and_options() -> None:
    posts, memo = journal_posts(), SiteMemo()
    for config, options in [
        (CONFIG, OPTIONS),
        (Config(base_url="https://example.org/other/", timezone="Asia/Tokyo"), OPTIONS),
        (Config(base_url="https://example.org/other/", timezone="Asia/Tokyo"), BuildOptions()),
        (CONFIG, BuildOptions(drafts=True)),
    ]:
        site = memo.site(posts, (), config, options)
        same_site(site, build_site(posts, (), config, options))


def test_an_edit_of_a_posts_text_only_keeps_the_graph() -> None:
    posts, memo = journal_posts(), SiteMemo()
    before = memo.site(posts, (), CONFIG, OPTIONS)
    posts[5] = replace(posts[5], body="Other words.\n")
    after = memo.site(posts, (), CONFIG, OPTIONS)
    assert after.posts[posts[5].key] is posts[5]
    assert after.tags is before.tags and after.chains is before.chains
    same_site(after, build_site(posts, (), CONFIG, OPTIONS))


def test_local_dates_follow_a_site_made_with_other_posts() -> None:
    site = site_of([post("a", "2024-12-31T23:30:00+00:00")])
    moved = replace(site.posts[key("a")], date=datetime(2025, 1, 1, 12, tzinfo=UTC))
    other = replace(site, posts={key("a"): moved})
    assert site.local_date(key("a")).year == 2024
    assert other.local_date(key("a")) == datetime(2025, 1, 1, 12, tzinfo=UTC)

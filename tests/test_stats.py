"""A year in figures: counts, streaks, the calendar, the theme word's reach, "on this day".

The journals are small enough that every answer is worked out by hand in the test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from conftest import OPTIONS, build_journal, make_journal, one, parse_html, post_text, select

from generator.core.config import Config, load_config
from generator.features.stats import (
    default_forms,
    forms_pattern,
    level_of,
    longest_streak,
    mentions_in,
    on_this_day,
    plural_of,
    same_day_index,
    theme_forms,
    year_stats,
)
from generator.pipeline.conversion import render_sources
from generator.pipeline.load import Theme, load_journal
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site, build_site

THEME_2024 = "---\nword: partnership\n---\nThe word for 2024.\n"

# Five posts of 2024 (site time zone UTC). Words and mentions of partner/partners/
# partnership/partnerships, counted by hand:
#   morning  3 March  08:00  "We found a partner today. Partners matter."         7 words, 2
#   second   4 March  08:00  "Partnership is work, partnership-minded people know." 7 words, 2
#   later    4 March  10:00  "Partnering and copartners do not count."            6 words, 0
#   third    5 March  08:00  "A partner, again."                                  3 words, 1
#   summer   1 July   08:00  "Partnerships grow. Partnerships last. PARTNER!"     5 words, 3
FIVE_POSTS = {
    "content/themes/2024.md": THEME_2024,
    "content/posts/morning.md": post_text(
        "2024-03-03 08:00", "We found a partner today. Partners matter.\n", title="Morning"
    ),
    "content/posts/second.md": post_text(
        "2024-03-04 08:00",
        "Partnership is work, partnership-minded people know.\n",
        title="Second",
    ),
    "content/posts/later.md": post_text(
        "2024-03-04 10:00", "Partnering and copartners do not count.\n", title="Later"
    ),
    "content/posts/third.md": post_text("2024-03-05 08:00", "A partner, again.\n", title="Third"),
    "content/posts/summer.md": post_text(
        "2024-07-01 08:00",
        "Partnerships grow. Partnerships last. PARTNER!\n",
        title="Summer",
    ),
}


def site_and_text(
    tmp_path: Path, files: Mapping[str, str], config: str | None = None
) -> tuple[Site, dict[str, Rendered]]:
    root = make_journal(tmp_path, files, config)
    settings, problems = load_config(root)
    assert not problems
    journal = load_journal(root, settings.zone)
    assert not journal.problems
    site = build_site(journal.posts, journal.themes, settings, OPTIONS)
    return site, render_sources(site, journal)


KEY = "content/posts/{}.md".format


# ---------------------------------------------------------------- counts


def test_counts_of_five_posts(tmp_path: Path) -> None:
    site, rendered = site_and_text(tmp_path, FIVE_POSTS)
    stats = year_stats(site, 2024, rendered)
    assert stats.word == "partnership"
    assert stats.posts == 5
    assert stats.words == 7 + 7 + 6 + 3 + 5
    assert stats.days_written == 4  # 3, 4, 5 March and 1 July
    assert (stats.streak.days, stats.streak.first, stats.streak.last) == (
        3,
        date(2024, 3, 3),
        date(2024, 3, 5),
    )


def test_reach_of_five_posts(tmp_path: Path) -> None:
    site, rendered = site_and_text(tmp_path, FIVE_POSTS)
    reach = year_stats(site, 2024, rendered).reach
    assert reach is not None
    assert reach.forms == ("partnership", "partnerships", "partner", "partners")
    # Newest first, as the year lists its posts; "later" mentions no form.
    assert [(m.key, m.count) for m in reach.posts] == [
        (KEY("summer"), 3),
        (KEY("third"), 1),
        (KEY("second"), 2),
        (KEY("morning"), 2),
    ]
    assert reach.mentions == 8
    assert (len(reach.posts), reach.of_posts, reach.percent) == (4, 5, 80)
    assert reach.posts[0].first_form == "Partnerships"


def test_forms_from_the_theme_file_replace_the_default_ones(tmp_path: Path) -> None:
    files = dict(FIVE_POSTS)
    files["content/themes/2024.md"] = "---\nword: partnership\nforms: [partner]\n---\n"
    site, rendered = site_and_text(tmp_path, files)
    reach = year_stats(site, 2024, rendered).reach
    assert reach is not None
    assert reach.forms == ("partnership", "partner")
    # "Partners" and "Partnerships" no longer count: morning 1, second 2, third 1, summer 1.
    assert {m.key: m.count for m in reach.posts} == {
        KEY("morning"): 1,
        KEY("second"): 2,
        KEY("third"): 1,
        KEY("summer"): 1,
    }
    assert reach.mentions == 5


def test_a_year_without_a_theme_has_no_reach_and_an_empty_year_has_zeros(
    tmp_path: Path,
) -> None:
    files = {"content/posts/a.md": post_text("2023-05-01", "Two words.\n")}
    site, rendered = site_and_text(tmp_path, files)
    assert year_stats(site, 2023, rendered).reach is None
    empty = year_stats(site, 2019, rendered)
    assert (empty.posts, empty.words, empty.days_written, empty.streak.days) == (0, 0, 0, 0)
    assert len(empty.days) == 365
    assert all(day.level == 0 for day in empty.days)


def test_days_are_counted_in_the_site_time_zone(tmp_path: Path) -> None:
    config = 'title = "T"\nbase_url = "https://example.org/"\ntimezone = "Asia/Singapore"\n'
    files = {
        # 20:00 UTC on 3 March is 04:00 on 4 March in Singapore.
        "content/posts/a.md": post_text("2024-03-03T20:00:00+00:00", "Late.\n"),
        "content/posts/b.md": post_text("2024-03-04 09:00", "Early.\n"),
    }
    site, rendered = site_and_text(tmp_path, files, config)
    stats = year_stats(site, 2024, rendered)
    assert stats.days_written == 1
    day = next(d for d in stats.days if d.posts)
    assert day.day == date(2024, 3, 4)
    assert day.posts == (KEY("a"), KEY("b"))  # oldest first


# ---------------------------------------------------------------- streaks and levels


def test_longest_streak_takes_the_earliest_of_equal_runs() -> None:
    days = [date(2024, 1, d) for d in (1, 2, 5, 6, 9)]
    streak = longest_streak(days)
    assert (streak.days, streak.first, streak.last) == (2, date(2024, 1, 1), date(2024, 1, 2))
    assert longest_streak([]).days == 0


def test_a_streak_runs_across_months_and_the_leap_day() -> None:
    days = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2024, 3, 3)]
    assert longest_streak(days).days == 3


def test_levels_are_quarters_of_the_busiest_day() -> None:
    assert level_of(0, False, 100) == 0
    assert level_of(0, True, 100) == 1  # posts without words still show
    assert [level_of(w, True, 100) for w in (1, 25, 26, 50, 51, 75, 76, 100)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


# ---------------------------------------------------------------- the calendar


def test_calendar_of_a_leap_year(tmp_path: Path) -> None:
    site, rendered = site_and_text(tmp_path, FIVE_POSTS)
    stats = year_stats(site, 2024, rendered)
    assert len(stats.days) == 366
    assert stats.days[0].day == date(2024, 1, 1)
    assert stats.days[-1].day == date(2024, 12, 31)
    # 1 January 2024 is a Monday: day n of the year (from 0) is in column n // 7.
    assert (stats.days[0].column, stats.days[0].row) == (0, 0)
    march_3 = stats.days[31 + 29 + 2]
    assert march_3.day == date(2024, 3, 3)
    assert (march_3.column, march_3.row) == (8, 6)  # a Sunday
    assert stats.columns == 53  # 366 days from a Monday: 52 weeks and 2 days
    # Words per day: 3 March 7, 4 March 7 + 6 = 13 (the busiest), 5 March 3, 1 July 5.
    # Level = ceil(4 * words / 13), at least 1.
    written = {d.day: (d.words, d.level, d.posts) for d in stats.days if d.posts}
    assert written == {
        date(2024, 3, 3): (7, 3, (KEY("morning"),)),
        date(2024, 3, 4): (13, 4, (KEY("second"), KEY("later"))),
        date(2024, 3, 5): (3, 1, (KEY("third"),)),
        date(2024, 7, 1): (5, 2, (KEY("summer"),)),
    }
    assert sum(1 for d in stats.days if d.level == 0) == 362


def test_month_labels_stand_over_the_first_full_week(tmp_path: Path) -> None:
    site, rendered = site_and_text(tmp_path, FIVE_POSTS)
    months = year_stats(site, 2024, rendered).months
    assert [m.name for m in months][:3] == ["Jan", "Feb", "Mar"]
    assert len(months) == 12
    # 1 Feb 2024 is a Thursday (column 4): it has four days in that week, the label stays.
    # 1 March is a Friday (column 8): the label moves to the next week.
    assert months[1].column == 4
    assert months[2].column == 9


def test_calendar_starts_on_the_weekday_of_1_january() -> None:
    # 1 January 2025 is a Wednesday: row 2 of column 0; 31 December is a Wednesday too.
    site = build_site((), (), Config(), OPTIONS)
    stats = year_stats(site, 2025, {})
    assert (stats.days[0].row, stats.days[0].column) == (2, 0)
    assert (stats.days[-1].row, stats.days[-1].column) == (2, 52)
    assert len(stats.days) == 365


# ---------------------------------------------------------------- forms and matching


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("partnership", ("partnership", "partnerships", "partner", "partners")),
        ("Friendship", ("friendship", "friendships", "friend", "friends")),
        ("childhood", ("childhood", "childhoods", "child", "childs")),
        ("family", ("family", "families")),
        ("focus", ("focus", "focuses")),
        ("play", ("play", "plays")),
        ("ship", ("ship", "ships")),  # too short to take the suffix off
        ("slow down", ("slow down",)),
    ],
)
def test_default_forms(word: str, forms: tuple[str, ...]) -> None:
    assert default_forms(word) == forms


def test_plural_of() -> None:
    assert [plural_of(w) for w in ("box", "church", "day", "city", "partner")] == [
        "boxes",
        "churches",
        "days",
        "cities",
        "partners",
    ]


def test_theme_forms_keep_the_word_itself() -> None:
    theme = Theme("content/themes/2024.md", 2024, "Partnership", "", ("Partner", "allies"))
    assert theme_forms(theme) == ("partnership", "partner", "allies")


def test_matching_is_on_whole_words_ignoring_case() -> None:
    pattern = forms_pattern(["partner", "partners"])
    assert pattern is not None
    text = "Partner, partners; PARTNERS. partnering copartner partner-led partner’s"
    assert mentions_in(text, pattern) == (5, "Partner")


def test_a_phrase_matches_across_line_breaks() -> None:
    pattern = forms_pattern(["slow down"])
    assert pattern is not None
    assert mentions_in("Slow\ndown, then slow  down. Slowdown.", pattern)[0] == 2


# ---------------------------------------------------------------- on this day


def test_on_this_day_lists_earlier_years_newest_first(tmp_path: Path) -> None:
    files = {
        "content/posts/y2022.md": post_text("2022-03-04", title="Y2022"),
        "content/posts/y2023.md": post_text("2023-03-04", title="Y2023"),
        "content/posts/y2024.md": post_text("2024-03-04", title="Y2024"),
        "content/posts/y2024b.md": post_text("2024-03-04 12:00", title="Same day, same year"),
        "content/posts/other.md": post_text("2023-03-05", title="Other day"),
        "content/posts/leap2020.md": post_text("2020-02-29", title="Leap 2020"),
        "content/posts/leap2024.md": post_text("2024-02-29", title="Leap 2024"),
    }
    site, _ = site_and_text(tmp_path, files)
    index = same_day_index(site)
    assert on_this_day(site, KEY("y2024"), index) == (KEY("y2023"), KEY("y2022"))
    assert on_this_day(site, KEY("y2023"), index) == (KEY("y2022"),)
    assert on_this_day(site, KEY("y2022"), index) == ()
    assert on_this_day(site, KEY("leap2024"), index) == (KEY("leap2020"),)


# ---------------------------------------------------------------- the pages


def cells(tree: ET.Element) -> list[ET.Element]:
    """The day cells (svg `rect.day`, namespace dropped) of the year's calendar."""
    svg = [e for e in tree.iter() if _bare(e.tag) == "svg" and "calendar-grid" in _cls(e)]
    assert len(svg) == 1
    return [e for e in svg[0].iter() if _bare(e.tag) == "rect" and "day" in _cls(e)]


def _bare(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _cls(element: ET.Element) -> set[str]:
    return set((element.get("class") or "").split())


def test_year_page_shows_the_figures_calendar_and_reach(tmp_path: Path) -> None:
    root = make_journal(tmp_path, FIVE_POSTS)
    result = build_journal(root)
    assert result.ok, result.problems
    page = (root / "output/2024/index.html").read_bytes()
    tree = parse_html(page)
    # The page contract stays: the word in .theme-word, each post as a.post-link.
    assert "".join(one(tree, "span", "theme-word").itertext()) == "partnership"
    assert len(select(tree, "a", "post-link")) == 5
    figures = {
        "".join(dt.itertext()): "".join(dd.itertext()).split()[0]
        for dt, dd in zip(select(tree, "dt"), select(tree, "dd"), strict=True)
    }
    assert figures == {"Posts": "5", "Words": "28", "Days written": "4", "Longest streak": "3"}
    days = cells(tree)
    assert len(days) == 366
    links = [e for e in tree.iter() if _bare(e.tag) == "a" and e.find("./*") is not None]
    linked = {
        a.get("href"): a.get("aria-label") for a in links if any(_bare(c.tag) == "rect" for c in a)
    }
    # 4 March links to its first post, "Second" (08:00), not "Later" (10:00).
    assert linked == {
        "/2024/morning/": "Sunday 3 March 2024: “Morning”, 7 words",
        "/2024/second/": "Monday 4 March 2024: “Second” and 1 more post, 13 words",
        "/2024/third/": "Tuesday 5 March 2024: “Third”, 3 words",
        "/2024/summer/": "Monday 1 July 2024: “Summer”, 5 words",
    }
    summary = one(tree, "figcaption")
    assert "5 posts on 4 of 366 days" in "".join(summary.itertext())
    reach = "".join(one(tree, "p", "reach-summary").itertext())
    assert " ".join(reach.split()) == "partnership came up in 4 of 5 posts (80%), 8 times."
    reach_links = [a.get("href") for a in select(tree, "a") if "#:~:text=" in (a.get("href") or "")]
    assert reach_links == [
        "/2024/summer/#:~:text=Partnerships",
        "/2024/third/#:~:text=partner",
        "/2024/second/#:~:text=Partnership",
        "/2024/morning/#:~:text=partner",
    ]


def test_themes_page_is_a_timeline_newest_first(tmp_path: Path) -> None:
    files = dict(FIVE_POSTS)
    files["content/themes/2023.md"] = "---\nword: patience\n---\nSlow is <smooth>.\n"
    files["content/posts/old.md"] = post_text("2023-02-01", "Patience, patience.\n", title="Old")
    root = make_journal(tmp_path, files)
    assert build_journal(root).ok
    tree = parse_html((root / "output/themes/index.html").read_bytes())
    years = select(tree, "li", "timeline-year")
    assert [y.get("id") for y in years] == ["year-2024", "year-2023"]
    words = ["".join(e.itertext()) for e in select(tree, "span", "theme-word")]
    assert words == ["partnership", "patience"]
    summaries = [
        " ".join("".join(p.itertext()).split()) for p in select(tree, "p", "reach-summary")
    ]
    assert summaries == [
        "partnership came up in 4 of 5 posts (80%), 8 times.",
        "patience came up in 1 of 1 post (100%), 2 times.",
    ]
    assert "Slow is" in "".join(years[1].itertext())
    assert len(select(years[0], "a", "post-link")) == 5


def test_post_page_links_the_same_day_in_earlier_years(tmp_path: Path) -> None:
    files = {
        "content/posts/a.md": post_text("2023-03-04", title="A year ago"),
        "content/posts/b.md": post_text("2024-03-04", title="Today"),
    }
    root = make_journal(tmp_path, files)
    assert build_journal(root).ok
    today = parse_html((root / "output/2024/b/index.html").read_bytes())
    aside = one(today, "aside", "on-this-day")
    assert [(a.get("href"), "".join(a.itertext())) for a in select(aside, "a")] == [
        ("/2023/a/", "A year ago")
    ]
    earlier = parse_html((root / "output/2023/a/index.html").read_bytes())
    assert select(earlier, "aside", "on-this-day") == []

"""A year in figures: counts, streaks, the calendar, the theme word's reach, "on this day".

The journals are small enough that every answer is worked out by hand in the test.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from conftest import (
    MINIMAL_CONFIG,
    OPTIONS,
    build_journal,
    classes,
    make_journal,
    one,
    parse_html,
    post_text,
    select,
    text_of,
    tree_digest,
)

from generator.core.config import Config, load_config
from generator.features.reviews import date_parts
from generator.features.stats import (
    WEEKLY_POSTS,
    Weeks,
    calendar_days,
    level_of,
    longest_streak,
    on_this_day,
    same_day_index,
    week_rhythm,
    year_stats,
)
from generator.features.word_forms import default_forms, forms_pattern, mentions_in, theme_forms
from generator.incremental.session import WatchSession
from generator.pipeline.build import Request, build
from generator.pipeline.conversion import render_sources
from generator.pipeline.load import Theme, load_journal
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site, build_site
from generator.pipeline.write import MANIFEST

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


def weeks_of(year: int, posts: Mapping[date, int]) -> Weeks:
    """`week_rhythm` of a year with `posts[day]` posts on each of those days."""
    by_day = {day: [f"{day}-{n}" for n in range(count)] for day, count in posts.items()}
    return week_rhythm(calendar_days(year, by_day, {}))


def test_weeks_written_and_the_longest_run_of_weeks() -> None:
    # 2024 starts on a Monday: weeks are 1-7 January, 8-14 January, ... and 30-31 December.
    days = [date(2024, 1, 3), date(2024, 1, 10), date(2024, 1, 17), date(2024, 2, 1)]
    weeks = weeks_of(2024, {day: 1 for day in days} | {date(2024, 2, 8): 2})
    assert (weeks.written, weeks.of_weeks) == (5, 53)
    run = weeks.longest
    assert (run.weeks, run.first, run.last) == (3, date(2024, 1, 1), date(2024, 1, 21))
    assert weeks.weekly  # every week holds one or two posts


def test_the_earliest_of_equal_runs_of_weeks_and_weeks_cut_by_the_year() -> None:
    # 2025 starts on a Wednesday: its first week is 1-5 January, its last 29-31 December.
    days = [date(2025, 1, 1), date(2025, 1, 6), date(2025, 3, 3), date(2025, 3, 10)]
    days += [date(2025, 12, 24), date(2025, 12, 31)]
    weeks = weeks_of(2025, dict.fromkeys(days, 1))
    assert (weeks.written, weeks.of_weeks) == (6, 53)
    run = weeks.longest
    assert (run.weeks, run.first, run.last) == (2, date(2025, 1, 1), date(2025, 1, 12))
    last = weeks_of(2025, dict.fromkeys(days[-2:], 1)).longest
    assert (last.weeks, last.first, last.last) == (2, date(2025, 12, 22), date(2025, 12, 31))


def test_a_daily_writer_is_not_a_weekly_one() -> None:
    daily = weeks_of(2024, {date(2024, 1, d): 1 for d in range(1, 15)})
    assert (daily.written, daily.longest.weeks, daily.weekly) == (2, 2, False)
    # Half the weeks light is not most of them: a tie leads with days.
    tie = weeks_of(2024, {date(2024, 1, 1): WEEKLY_POSTS, date(2024, 1, 8): WEEKLY_POSTS + 1})
    assert not tie.weekly
    most = weeks_of(
        2024,
        {date(2024, 1, 1): 1, date(2024, 1, 8): WEEKLY_POSTS, date(2024, 1, 15): 5},
    )
    assert most.weekly
    empty = weeks_of(2024, {})
    assert (empty.written, empty.longest.weeks, empty.longest.first, empty.weekly) == (
        0,
        0,
        None,
        False,
    )


def test_a_range_of_days_breaks_only_after_its_dash() -> None:
    assert date_parts("30 March – 2 April 2024") == ("30 March –", "2 April 2024")
    assert date_parts("30. März\u2009–\u20092. Apr. 2024") == ("30. März\u2009–", "2. Apr. 2024")
    assert date_parts("4–6 March 2024") == ("4–6 March 2024",)
    assert date_parts("") == ()


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
    assert stats.days[-1].column == 52  # 366 days from a Monday: 52 weeks and 2 days
    assert stats.weeks.of_weeks == 53
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
        ("childhood", ("childhood", "childhoods", "child", "children")),
        ("releases", ("releases", "release")),  # a plural theme word counts its singular
        ("boundaries", ("boundaries", "boundary")),
        ("partnerships", ("partnerships", "partnership", "partner", "partners")),
        ("courage", ("courage", "courages")),
        ("family", ("family", "families")),
        ("focus", ("focus", "focuses")),
        ("play", ("play", "plays")),
        ("ship", ("ship", "ships")),  # too short to take the suffix off
        ("slow down", ("slow down",)),
    ],
)
def test_default_forms(word: str, forms: tuple[str, ...]) -> None:
    assert default_forms(word) == forms


def test_theme_forms_keep_the_word_itself() -> None:
    theme = Theme("content/themes/2024.md", 2024, "Partnership", "", ("Partner", "allies"))
    assert theme_forms(theme) == ("partnership", "partner", "allies")


def test_matching_is_on_whole_words_ignoring_case() -> None:
    pattern = forms_pattern(["partner", "partners"])
    assert pattern is not None
    text = "Partner, partners; PARTNERS. partnering copartner partner-led partner’s"
    found = mentions_in(text, pattern)
    assert (found.count, found.first, found.forms) == (5, "Partner", ("partner", "partners"))


def test_a_phrase_matches_across_line_breaks() -> None:
    pattern = forms_pattern(["slow down"])
    assert pattern is not None
    found = mentions_in("Slow\ndown, then slow  down. Slowdown.", pattern)
    assert (found.count, found.forms) == (2, ("slow down",))


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
    """The day cells (`.day`) of the year's calendar, January first."""
    months = one(tree, "div", "calendar-months")
    return [e for e in months.iter() if "day" in classes(e)]


def figures_of(tree: ET.Element) -> dict[str, str]:
    """The figures' names and their first word: {"Posts": "5", ...}."""
    return {
        text_of(dt): text_of(dd).split()[0]
        for dt, dd in zip(select(tree, "dt"), select(tree, "dd"), strict=True)
    }


def test_year_page_shows_the_figures_calendar_and_reach(tmp_path: Path) -> None:
    root = make_journal(tmp_path, FIVE_POSTS)
    result = build_journal(root)
    assert result.ok, result.problems
    page = (root / "output/2024/index.html").read_bytes()
    tree = parse_html(page)
    # The page contract stays: the word in .theme-word, each post as a.post-link.
    assert "".join(one(tree, "span", "theme-word").itertext()) == "partnership"
    assert len(select(tree, "a", "post-link")) == 5
    # Weeks of 3 March (1 post), 4-10 March (3) and 1 July (1): most weeks hold one or two
    # posts, so weeks lead: 3 weeks written, 2 in a row (26 February - 10 March).
    assert figures_of(tree) == {
        "Posts": "5",
        "Words": "28",
        "Weeks written": "3",
        "Weeks in a row": "2",
    }
    run = one(tree, "small", "dates")
    assert [text_of(part) for part in run] == ["26 February –", "10 March 2024"]
    also = " ".join(text_of(one(tree, "p", "rhythm-also")).split())
    assert also == "Written on 4 of 366 days; at most 3 days in a row."
    days = cells(tree)
    assert len(days) == 366
    assert sum(1 for day in days if day.tag == "a") == 4
    month_names = [text_of(p) for p in select(tree, "p", "month-name")]
    assert month_names[:3] == ["January", "February", "March"] and len(month_names) == 12
    # 1 January 2024 is a Monday, 1 March a Friday: each month's first day is placed under
    # its weekday.
    assert classes(days[31 + 29]) == {"day", "l0", "from-5"}  # 1 March
    assert classes(days[0]) == {"day", "l0"}  # 1 January, under Monday
    linked = {a.get("href"): a.get("aria-label") for a in days if a.tag == "a"}
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
    forms = [text_of(q) for q in select(one(tree, "p", "reach-forms"), "q")]
    assert forms == ["partnership", "partnerships", "partner", "partners"]
    # The post list shows each post once, with its mentions: no second list of them.
    assert select(tree, "ul", "reach-posts") == []
    marks = [
        (a.get("href"), text_of(a), a.get("aria-label")) for a in select(tree, "a", "mentions")
    ]
    assert marks == [
        ("/2024/summer/#:~:text=Partnerships", "3×", "partnership: 3 times"),
        ("/2024/third/#:~:text=partner", "1×", "partnership: 1 time"),
        ("/2024/second/#:~:text=Partnership", "2×", "partnership: 2 times"),
        ("/2024/morning/#:~:text=partner", "2×", "partnership: 2 times"),
    ]
    later = [li for li in select(tree, "li") if "/2024/later/" in str(ET.tostring(li))]
    assert len(later) == 1 and select(later[0], "a", "mentions") == []


def test_a_daily_writer_sees_days_first(tmp_path: Path) -> None:
    files = {
        f"content/posts/d{n}.md": post_text(f"2024-05-{n:02}", title=f"D{n}") for n in range(1, 11)
    }
    root = make_journal(tmp_path, files)
    assert build_journal(root).ok
    tree = parse_html((root / "output/2024/index.html").read_bytes())
    assert figures_of(tree) == {
        "Posts": "10",
        "Words": "20",
        "Days written": "10",
        "Longest streak": "10",
    }
    also = " ".join(text_of(one(tree, "p", "rhythm-also")).split())
    assert also == "Written in 2 of 53 weeks; at most 2 weeks in a row."
    assert [text_of(part) for part in one(tree, "small", "dates")] == ["1–10 May 2024"]
    # Without a theme word, the list shows no mentions.
    assert select(tree, "a", "mentions") == [] and select(tree, "section", "reach") == []


def test_only_the_forms_that_came_up_are_shown(tmp_path: Path) -> None:
    files = {
        "content/themes/2024.md": "---\nword: courage\n---\n",
        "content/posts/a.md": post_text("2024-02-01", "Courage, and more courage.\n", title="A"),
    }
    root = make_journal(tmp_path, files)
    assert build_journal(root).ok
    tree = parse_html((root / "output/2024/index.html").read_bytes())
    forms = [text_of(q) for q in select(one(tree, "p", "reach-forms"), "q")]
    assert forms == ["courage"]  # "courages" counts, but nobody wrote it


def test_the_year_page_in_german(tmp_path: Path) -> None:
    config = MINIMAL_CONFIG + 'language = "de"\n'
    files = {
        "content/themes/2024.md": "---\nword: Grenzen\n---\n",
        "content/posts/a.md": post_text("2024-03-01", "Grenzen.\n", title="A"),
        "content/posts/b.md": post_text("2024-03-08", "Keine.\n", title="B"),
        "content/posts/c.md": post_text("2024-03-09", "Grenzen, Grenzen.\n", title="C"),
    }
    root = make_journal(tmp_path, files, config)
    assert build_journal(root).ok
    tree = parse_html((root / "output/2024/index.html").read_bytes())
    figures = {
        text_of(dt): " ".join(text_of(dd).split())
        for dt, dd in zip(select(tree, "dt"), select(tree, "dd"), strict=True)
    }
    assert figures["Wochen geschrieben"] == "2 von 53"
    assert figures["Wochen am Stück"].startswith("2 Wochen ")
    also = " ".join(text_of(one(tree, "p", "rhythm-also")).split())
    assert also == "Geschrieben an 3 von 366 Tagen; höchstens 2 Tage am Stück."
    marks = [a.get("aria-label") for a in select(tree, "a", "mentions")]
    assert marks == ["Grenzen: 2 Mal", "Grenzen: 1 Mal"]
    assert [text_of(p) for p in select(tree, "p", "month-name")][2] == "März"


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


def test_serve_shows_new_mentions_and_a_new_rhythm_as_a_clean_build_does(tmp_path: Path) -> None:
    root = make_journal(tmp_path, FIVE_POSTS)
    served = tmp_path / "served"
    session = WatchSession(Request(root, served, OPTIONS), own_output=True)
    assert session.build().ok
    later = root / "content/posts/later.md"
    edits = [
        # "later" comes to mention the word: its mark appears in the year's list.
        (later, post_text("2024-03-04 10:00", "Partners at last.\n", title="Later")),
        # Four posts on 12-15 March: weeks are no longer mostly light, days lead.
        *(
            (root / f"content/posts/daily{n}.md", post_text(f"2024-03-{n}", title=f"D{n}"))
            for n in (12, 13, 14, 15)
        ),
    ]
    for path, text in edits:
        path.write_text(text, encoding="utf-8")
        assert session.build(changed={path}).ok
        clean = tmp_path / "clean"
        assert build(Request(root, clean, OPTIONS, use_cache=False)).ok
        assert site_files(served) == site_files(clean), path.name
        shutil.rmtree(clean)
    tree = parse_html((served / "2024/index.html").read_bytes())
    assert "Days written" in figures_of(tree)
    assert "/2024/later/#:~:text=Partners" in [a.get("href") for a in select(tree, "a", "mentions")]


def site_files(folder: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(folder).items() if k != MANIFEST}

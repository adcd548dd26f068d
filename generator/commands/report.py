"""What `journal promises` and `journal stats` print: the to-write list and a year's figures,
as text for a terminal or as JSON; and the promises still to write of `--verbose` builds.
Reading the journal is `read_site`, printing is `run_promises` and `run_stats`; the rest is
pure."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.commands.console import Note, fail, print_problems
from generator.core.config import BuildOptions
from generator.core.problems import Problem, has_errors
from generator.core.text import plural
from generator.features.insights import day_range
from generator.features.stats import YearStats, year_stats
from generator.features.threads import OpenPromise, open_promises
from generator.features.title_links import pending_title_lines, pending_titles
from generator.features.waiting import Waiting, waiting_posts
from generator.pipeline.build import Request, load_settings
from generator.pipeline.conversion import render_sources
from generator.pipeline.load import Post, load_journal
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site, build_site
from generator.pipeline.views import Urls

NOTHING_PROMISED = "Nothing promised: every Next: is kept."


@dataclass(frozen=True)
class Loaded:
    """A journal read into its Site; `site` is None when the settings could not be read."""

    site: Site | None
    problems: tuple[Problem, ...]
    rendered: Mapping[str, Rendered] = field(default_factory=dict)
    left_out: tuple[Post, ...] = ()  # the posts the site does not show (drafts, later ones)


def read_site(
    root: Path, options: BuildOptions, render: bool = False, base_url: str | None = None
) -> Loaded:
    """The journal's Site (and, with `render`, its rendered Markdown) and its problems;
    `base_url` stands for journal.toml's, as `--base-url` does."""
    config, problems = load_settings(Request(root, options=options, base_url=base_url))
    if has_errors(problems):
        return Loaded(None, tuple(problems))
    journal = load_journal(root, config.zone, keyword=config.next_keyword)
    site = build_site(journal.posts, journal.themes, config, options)
    found = tuple(sorted({*problems, *journal.problems, *site.problems}))
    rendered = render_sources(site, journal) if render else {}
    left_out = tuple(post for post in journal.posts if post.key not in site.posts)
    return Loaded(site, found, rendered, left_out)


# ---------------------------------------------------------------- journal promises


def promise_lines(site: Site, waiting: Mapping[str, Waiting] | None = None) -> list[str]:
    """The to-write list: each open promise with its date, title and the post that made it,
    and the post that will keep it when it is written already (`waiting`: by promising post;
    see `waiting_posts`)."""
    promises = open_promises(site)
    if not promises:
        return [NOTHING_PROMISED]
    lines = [f"{plural(len(promises), 'promise')} to keep, oldest first:"]
    width = max(len(p.text) for p in promises)
    for promise in promises:
        source = site.posts[promise.key]
        written = (waiting or {}).get(promise.key)
        known = f"; {written.key} is {written.why()}" if written is not None else ""
        lines.append(
            f"  {promise.date.date().isoformat()}  {promise.text:<{width}}  "
            f"promised in “{source.title}” ({promise.key}){known}"
        )
    lines.append('Write the oldest with: journal new --next (or journal new "Title")')
    return lines


def oldest_promise(site: Site) -> OpenPromise | None:
    promises = open_promises(site)
    return promises[0] if promises else None


def run_promises(root: Path) -> int:
    """The to-write list, as `journal build` counts it now: a promised post written as a
    draft, or dated later, is still to come, and the list says so."""
    options = BuildOptions(now=datetime.now().astimezone())
    loaded = read_site(root, options)
    print_problems([p for p in loaded.problems if p.level == "error"])
    if loaded.site is None:
        return 1
    waiting = waiting_posts(loaded.site, loaded.left_out, options)
    print("\n".join(promise_lines(loaded.site, waiting)))
    titles = pending_titles(loaded.site, loaded.left_out)
    print("\n".join(pending_title_lines(loaded.site, titles)), end="\n" if titles else "")
    return 1 if has_errors(loaded.problems) else 0


def pending_notes(root: Path, options: BuildOptions, base_url: str | None = None) -> list[Note]:
    """Each promise still to write, at its line, as `--verbose` lists them (the journal is
    read again, as a build with `options` and `base_url` reads it)."""
    loaded = read_site(root, options, base_url=base_url)
    site = loaded.site
    if site is None:
        return []
    waiting = waiting_posts(site, loaded.left_out, options)
    notes = []
    for promise in open_promises(site):
        made = site.posts[promise.key].promise
        if made is None:  # (a pending promise was made)
            continue
        written = waiting.get(promise.key)
        known = f" ({written.key} is {written.why()})" if written is not None else ""
        quoted = f'"{made.keyword}: {promise.text}"'
        message = f"{quoted}: no post with that title yet{known}; shown as still to come"
        notes.append(Note(promise.key, made.line, message))
    return sorted(notes)


# ---------------------------------------------------------------- journal stats


def run_stats(root: Path, year: int | None = None, *, as_json: bool = False) -> int:
    """Print the figures of `year` (with the posts that mention its word), else of every
    year, as a table or as JSON."""
    now = datetime.now().astimezone()
    loaded = read_site(root, BuildOptions(now=now), render=True)
    print_problems([p for p in loaded.problems if p.level == "error"])
    if loaded.site is None:
        return 1
    years = [y.year for y in loaded.site.years]  # every year with posts or a theme
    if year is not None:
        if year not in years:
            return fail(f"no posts or theme in {year}")
        years = [year]
    stats = [year_stats(loaded.site, y, loaded.rendered) for y in years]
    if as_json:
        print(stats_json(loaded.site, stats))
    else:
        print(stats_text(loaded.site, stats, details=year is not None))
    return 0


def stats_table(stats: YearStats, site: Site, details: bool = False) -> list[str]:
    """One year as a small table; with `details`, the posts that mention the word too."""
    title = f"{stats.year} · {stats.word}" if stats.word else str(stats.year)
    streak = plural(stats.streak.days, "day")
    if stats.streak.days:
        streak += f" ({day_range(stats.streak.first, stats.streak.last)})"
    rows = [
        ("Posts", f"{stats.posts:,}"),
        ("Words", f"{stats.words:,}"),
        ("Days written", f"{stats.days_written:,} of {len(stats.days)}"),
        ("Longest streak", streak),
        ("Weeks written", f"{stats.weeks.written:,} of {stats.weeks.of_weeks}"),
        ("Weeks in a row", weeks_in_a_row(stats)),
    ]
    if stats.reach is not None:
        reach = stats.reach
        rows.append(
            (
                "Reach",
                f"{len(reach.posts):,} of {plural(reach.of_posts, 'post')} "
                f"({reach.percent}%), {plural(reach.mentions, 'mention')}",
            )
        )
        rows.append(("Counted forms", ", ".join(reach.forms)))
    width = max(len(label) for label, _ in rows)
    lines = [title, *(f"  {label:<{width}}  {value}" for label, value in rows)]
    if details and stats.reach is not None and stats.reach.posts:
        lines.append("  Mentioned in:")
        for mention in stats.reach.posts:
            when = site.local_date(mention.key).date().isoformat()
            lines.append(f"    {when}  {mention.count:>4}×  {site.posts[mention.key].title}")
    return lines


def weeks_in_a_row(stats: YearStats) -> str:
    """The longest run of weeks with a post each: "12 weeks (4 March – 26 May 2024)"."""
    run = stats.weeks.longest
    text = plural(run.weeks, "week")
    return f"{text} ({day_range(run.first, run.last)})" if run.weeks else text


def stats_text(site: Site, stats: Sequence[YearStats], details: bool = False) -> str:
    if not stats:
        return "No posts yet."
    blocks = ["\n".join(stats_table(s, site, details)) for s in stats]
    return "\n\n".join(blocks)


def stats_data(stats: YearStats, site: Site) -> dict[str, Any]:
    """One year's figures as plain data (for JSON)."""
    urls = Urls(site.config.base_url, site.config.base_path)
    data: dict[str, Any] = {
        "year": stats.year,
        "word": stats.word,
        "posts": stats.posts,
        "words": stats.words,
        "days_written": stats.days_written,
        "days_in_year": len(stats.days),
        "longest_streak": {
            "days": stats.streak.days,
            "first": stats.streak.first.isoformat() if stats.streak.first else None,
            "last": stats.streak.last.isoformat() if stats.streak.last else None,
        },
        "weeks_written": stats.weeks.written,
        "weeks_in_year": stats.weeks.of_weeks,
        "longest_week_run": {
            "weeks": stats.weeks.longest.weeks,
            "first": stats.weeks.longest.first.isoformat() if stats.weeks.longest.first else None,
            "last": stats.weeks.longest.last.isoformat() if stats.weeks.longest.last else None,
        },
        "rhythm": "weeks" if stats.weeks.weekly else "days",
        "reach": None,
        "days": [
            {
                "date": day.day.isoformat(),
                "posts": len(day.posts),
                "words": day.words,
                "level": day.level,
                "url": urls.absolute(site.urls[day.posts[0]]),
            }
            for day in stats.days
            if day.posts
        ],
    }
    if stats.reach is not None:
        reach = stats.reach
        data["reach"] = {
            "word": reach.word,
            "forms": list(reach.forms),
            "posts": len(reach.posts),
            "of_posts": reach.of_posts,
            "percent": reach.percent,
            "mentions": reach.mentions,
            "mentioned_in": [
                {
                    "title": site.posts[m.key].title,
                    "source": m.key,
                    "url": urls.absolute(site.urls[m.key]),
                    "date": site.local_date(m.key).date().isoformat(),
                    "mentions": m.count,
                }
                for m in reach.posts
            ],
        }
    return data


def stats_json(site: Site, stats: Sequence[YearStats]) -> str:
    return json.dumps({"years": [stats_data(s, site) for s in stats]}, ensure_ascii=False, indent=2)

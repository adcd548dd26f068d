"""The benchmark's figures, the issue's goals, and the table of one journal size.

`run.py` fills the figures by running the commands; this module only reads them, so the
goals and the table can be checked on figures made by hand (tests/test_benchmark.py).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

PYTHON_MARKDOWN = "python-markdown"
COMMONMARK = "commonmark"
LARGE = 10000  # posts: the absolute goals apply from this size on


@dataclass
class Figures:
    """What one Markdown engine of ours measured at one size, filled run after run."""

    engine: str = PYTHON_MARKDOWN
    cold: list[float] = field(default_factory=list)
    again: list[float] = field(default_factory=list)
    edit_ms: list[float] = field(default_factory=list)
    rebuild_ms: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    again_peak_mib: list[float] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    mtimes_kept: bool = True
    note: str = ""


@dataclass
class Peer:
    """What one peer (Hugo, Pelican) measured at one size."""

    name: str
    cold: list[float] = field(default_factory=list)
    again: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def versus(ours: float | None, theirs: float | None) -> str:
    """How the peer compares with us, in words."""
    if ours is None or theirs is None or ours <= 0 or theirs <= 0:
        return ""
    if theirs >= ours:
        return f" (ours {theirs / ours:.1f}x faster)"
    return f" (ours {ours / theirs:.1f}x slower)"


def hugo_cold(others: Sequence[Peer]) -> float | None:
    """The median of Hugo's cold builds, if Hugo ran."""
    return next((median(p.cold) for p in others if p.name == "Hugo"), None)


def ratio(value: float | None, to: float | None) -> float | None:
    return None if value is None or to is None or to <= 0 else value / to


def hugo_ratio_limit(size: int, engine: str) -> float:
    """The issue's goal for a cold build, as a multiple of Hugo's cold build in the same run:
    commonmark faster than Hugo at 10,000 posts (0.7x) and within 1.2x at 1,000;
    python-markdown within 2.5x at both."""
    if engine == COMMONMARK:
        return 0.7 if size >= LARGE else 1.2
    return 2.5


@dataclass(frozen=True)
class Goal:
    text: str
    met: bool | None  # None: cannot tell (a figure is missing)


def check(value: float | None, limit: float | None) -> bool | None:
    return None if value is None or limit is None else value <= limit


def goals(size: int, ours: Figures, others: Sequence[Peer]) -> dict[str, Goal]:
    """The issue's goals for one engine: at 10,000 posts in absolute terms, at 1,000 against
    Hugo; the cold build against Hugo's at both."""
    stages = sum(ours.stages.values()) if ours.stages else None
    cold, again, edit = median(ours.cold), median(ours.again), median(ours.edit_ms)
    peak = max(ours.peak_mib) if ours.peak_mib else None
    hugo = hugo_cold(others)
    limit = hugo_ratio_limit(size, ours.engine)
    against_hugo = Goal(f"<= {limit}x Hugo's cold build", check(ratio(cold, hugo), limit))
    if size >= LARGE:
        return {
            "cold": Goal("<= 1.2x the sum of our stages", check(cold, stages and 1.2 * stages)),
            "hugo": against_hugo,
            "again": Goal("<= 1.5 s, no file rewritten", check(again, 1.5) and ours.mtimes_kept),
            "edit": Goal("<= 150 ms", check(edit, 150)),
            "memory": Goal("<= 250 MiB", check(peak, 250)),
        }
    return {
        "hugo": against_hugo,
        "again": Goal("faster than Hugo's cold build", check(again, hugo)),
        "edit": Goal("faster than Hugo's cold build", check(edit and edit / 1000, hugo)),
    }


def engine_rows(size: int, ours: Figures, others: Sequence[Peer]) -> list[list[str]]:
    """One engine's row group: its name, then a row per figure with the peers beside it."""
    stages = sum(ours.stages.values()) if ours.stages else None
    cold = median(ours.cold)
    again = median(ours.again)
    edit = median(ours.edit_ms)
    rebuild = median(ours.rebuild_ms)
    peak = max(ours.peak_mib) if ours.peak_mib else None
    hugo = hugo_cold(others)
    wanted = goals(size, ours, others)
    rows: list[list[str]] = [
        [f"**{ours.engine}** (`--markdown {ours.engine}`)", "", *("" for _ in others), "", ""]
    ]

    def row(what: str, name: str, mine: str, theirs: Callable[[Peer], str]) -> None:
        goal = wanted.get(what)
        met = "" if goal is None or goal.met is None else ("yes" if goal.met else "**no**")
        rows.append([name, mine, *(theirs(p) for p in others), goal.text if goal else "", met])

    def times_hugo(value: float | None) -> str:
        share = ratio(value, hugo)
        return "-" if share is None else f"{share:.2f}x"

    staged = f" (stages alone {seconds(stages)}: x{cold / stages:.2f})" if cold and stages else ""
    row(
        "cold",
        "cold build (no cache, empty output)",
        seconds(cold) + staged,
        lambda p: seconds(median(p.cold)) + versus(cold, median(p.cold)),
    )
    row(
        "hugo",
        "cold build / Hugo's cold build",
        times_hugo(cold),
        lambda p: times_hugo(median(p.cold)),
    )
    kept = "mtimes kept" if ours.mtimes_kept else "FILES REWRITTEN"
    row(
        "again",
        "build again, nothing changed",
        f"{seconds(again)}, {kept}",
        lambda p: seconds(median(p.again)) + versus(again, median(p.again)),
    )
    row(
        "edit",
        "one-post edit in `journal serve`: save -> every file that shows it on disk",
        f"{edit:.0f} ms (rebuild {rebuild:.0f} ms)" if edit and rebuild else "-",
        lambda p: "not measured",
    )
    row(
        "memory",
        "peak memory (cold build)",
        f"{peak:.0f} MiB" if peak is not None else "-",
        lambda p: f"{max(p.peak_mib):.0f} MiB" if p.peak_mib else "-",
    )
    return rows


def table(size: int, engines: Sequence[Figures], others: Sequence[Peer]) -> str:
    """The Markdown table of one size: a row group per engine, the peers in columns."""
    header = ["", "ours", *(p.name for p in others), "goal", "met"]
    lines = [
        f"| {size:,} posts | " + " | ".join(header[1:]) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for ours in engines:
        lines += ["| " + " | ".join(r) + " |" for r in engine_rows(size, ours, others)]
    return "\n".join(lines)


def unmet(size: int, engines: Sequence[Figures], others: Sequence[Peer]) -> list[str]:
    """The goals not met, one line each ("commonmark, 1,000 posts: <= 1.2x Hugo's ...")."""
    return [
        f"{ours.engine}, {size:,} posts, {what}: {goal.text}"
        for ours in engines
        for what, goal in goals(size, ours, others).items()
        if goal.met is False
    ]

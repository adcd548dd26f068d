"""benchmarks/run.py: each Markdown engine measured beside the peers, in rounds, chosen with
`--markdown` as a writer chooses it, and the issue's goals checked per engine. The goals and
the table are checked on figures made by hand; one tiny run (no peers) goes through the real
commands. Nothing here times anything."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from generator.core.config import MARKDOWN_ENGINES

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_run", BENCHMARKS / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    path = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
    return module


bench = load_benchmark()
figures = sys.modules["figures"]


def ours(engine: str, cold: float, **more: object) -> object:
    made = figures.Figures(engine=engine, cold=[cold], again=[0.3], edit_ms=[60.0])
    made.rebuild_ms.append(40.0)
    made.peak_mib.append(float(more.get("peak", 100.0)))
    made.stages.update({"read": cold / 2, "markdown": cold / 2})
    return made


def hugo(cold: float) -> object:
    return figures.Peer("Hugo", cold=[cold], again=[cold], peak_mib=[200.0])


# ---------------------------------------------------------------- goals


@pytest.mark.parametrize(
    ("size", "engine", "cold", "met"),
    [
        (1000, "commonmark", 1.2, True),
        (1000, "commonmark", 1.3, False),
        (1000, "python-markdown", 2.5, True),
        (1000, "python-markdown", 2.6, False),
        (10000, "commonmark", 0.7, True),
        (10000, "commonmark", 0.8, False),
        (10000, "python-markdown", 2.5, True),
        (10000, "python-markdown", 2.6, False),
    ],
)
def test_the_cold_build_is_held_to_its_engines_ratio_to_hugo(
    size: int, engine: str, cold: float, met: bool
) -> None:
    goal = figures.goals(size, ours(engine, cold), [hugo(1.0)])["hugo"]
    assert goal.met is met
    assert goal.text == f"<= {figures.hugo_ratio_limit(size, engine)}x Hugo's cold build"


def test_without_hugo_the_ratio_cannot_be_told() -> None:
    assert figures.goals(1000, ours("commonmark", 1.0), [])["hugo"].met is None


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_memory_edit_and_no_change_budgets_are_the_same_for_either_engine(engine: str) -> None:
    within = figures.goals(10000, ours(engine, 0.5, peak=250.0), [hugo(1.0)])
    over = figures.goals(10000, ours(engine, 0.5, peak=251.0), [hugo(1.0)])
    assert within["memory"].met and within["again"].met and within["edit"].met
    assert over["memory"].met is False


# ---------------------------------------------------------------- the table


def test_the_table_has_a_row_group_per_engine_with_its_ratio_and_goals() -> None:
    engines = [ours("python-markdown", 3.0), ours("commonmark", 1.1)]
    text = figures.table(1000, engines, [hugo(1.0)])
    lines = text.splitlines()
    assert lines[0] == "| 1,000 posts | ours | Hugo | goal | met |"
    groups = [i for i, line in enumerate(lines) if line.startswith("| **")]
    assert [lines[i].split("**")[1] for i in groups] == ["python-markdown", "commonmark"]
    python_markdown, commonmark = lines[groups[0] : groups[1]], lines[groups[1] :]
    ratio = "| cold build / Hugo's cold build |"
    assert f"{ratio} 3.00x | 1.00x | <= 2.5x Hugo's cold build | **no** |" in python_markdown
    assert f"{ratio} 1.10x | 1.00x | <= 1.2x Hugo's cold build | yes |" in commonmark
    assert figures.unmet(1000, engines, [hugo(1.0)]) == [
        "python-markdown, 1,000 posts, hugo: <= 2.5x Hugo's cold build"
    ]


# ---------------------------------------------------------------- running


def test_rounds_take_every_step_in_turn() -> None:
    done: list[str] = []
    steps = [lambda n, name=name: done.append(f"{name}{n}") for name in "ABC"]
    bench.in_rounds(2, steps)
    assert done == ["A0", "B0", "C0", "A1", "B1", "C1"]


def test_the_engine_is_chosen_on_the_command_line(tmp_path: Path) -> None:
    mine = bench.Ours("commonmark", tmp_path / "journal", tmp_path, figures.Figures())
    assert bench.as_typed(mine.build_command()) == (
        f"journal build --root {tmp_path / 'journal'} --markdown commonmark"
    )
    serve = bench.serve_command(tmp_path, tmp_path / "preview", "commonmark")
    assert serve[-2:] == ["--markdown", "commonmark"]
    assert bench.chosen_engines(["commonmark", "python-markdown", "commonmark"]) == [
        "commonmark",
        "python-markdown",
    ]


def test_a_tiny_run_measures_both_engines_with_the_real_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyromark", reason="the commonmark engine needs pyromark")
    table = tmp_path / "table.md"
    argv = ["--sizes", "30", "--runs", "1", "--edits", "1", "--no-peers"]
    assert bench.main([*argv, "--work", str(tmp_path / "work"), "--markdown", str(table)]) == 0
    printed = capsys.readouterr().out
    order = [line.split(":")[0].strip() for line in printed.splitlines() if "cold build 1" in line]
    assert order == list(MARKDOWN_ENGINES)
    text = table.read_text(encoding="utf-8")
    for engine in MARKDOWN_ENGINES:
        assert f"| **{engine}** (`--markdown {engine}`) |" in text
        assert (
            f"--root {tmp_path / 'work' / '30' / engine / 'journal-30'} --markdown {engine}\n"
            in text
        )
    assert text.count("mtimes kept") == len(MARKDOWN_ENGINES)
    assert text.count("(stages alone ") == len(MARKDOWN_ENGINES)
    assert text.count(" ms (rebuild ") == len(MARKDOWN_ENGINES)

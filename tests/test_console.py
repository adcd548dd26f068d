"""What build, check, deploy and serve print: the one line of promises still to write,
colour on a terminal (and NO_COLOR), --quiet and --verbose, the progress bar, the preview
hint."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import OPTIONS, make_journal, post_text
from rich.console import Console

import generator
from generator.cli import main
from generator.commands.console import Verbosity
from generator.commands.progress_bar import TerminalProgress, build_progress, shows_progress
from generator.commands.serve import build_reporter
from generator.incremental.session import WatchSession
from generator.pipeline.build import Request, build
from generator.pipeline.progress import MARKDOWN, NO_PROGRESS, PAGES, READING
from generator.serve.preview import PreviewSettings

ESCAPE = "\x1b["
LONG_AGO = 1_000_000_000 * 10**9  # ns: 2001
JOURNAL = {
    "content/posts/a.md": post_text("2024-02-01", "Hello.\n\nNext: Second thing\n", title="First"),
    "content/posts/b.md": post_text("2024-02-03", "Soon.\n", title="Second thing", draft="true"),
    "content/posts/c.md": post_text("2024-02-05", "Hello.\n\nNext: Fourth\n", title="Third"),
    "content/posts/d.md": post_text("2024-02-07", "Hello.\n\nNext: Sixth\n", title="Fifth"),
    "content/posts/f.md": post_text("2999-01-01", "Later.\n", title="Sixth"),
}
PENDING = "3 promised posts still to write: run `journal promises`"
# A post with an error: a title that is a list.
BROKEN = {**JOURNAL, "content/posts/bad.md": "---\ntitle: [unclosed\n---\n"}


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No colour or terminal setting of the machine running the tests leaks in."""
    for name in ("NO_COLOR", "FORCE_COLOR", "CI", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- promises: one line


def test_pending_promises_are_one_line_after_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    code, out, err = run(capsys, "build", "--root", str(root))
    assert code == 0
    assert "no post with that title yet" not in err
    lines = out.splitlines()
    assert lines[0] == PENDING
    assert lines[1].startswith("Built 3 posts into output/: ")
    code, out, _ = run(capsys, "check", "--root", str(root))
    assert code == 0
    assert out.splitlines() == [PENDING, "Checked 3 posts: 0 errors, 0 warnings"]


def test_one_pending_promise_is_said_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, {"content/posts/c.md": JOURNAL["content/posts/c.md"]})
    _, out, _ = run(capsys, "check", "--root", str(root))
    assert out.splitlines()[0] == "1 promised post still to write: run `journal promises`"


def test_no_line_when_every_promise_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "content/posts/a.md": post_text("2024-01-01", "A.\n\nNext: B\n", title="A"),
        "content/posts/b.md": post_text("2024-01-02", "B.\n", title="B"),
    }
    root = make_journal(tmp_path, files)
    _, out, _ = run(capsys, "check", "--root", str(root))
    assert "promised" not in out


def settled(root: Path) -> Path:
    """`root`, its files dated long ago: a build's no-change stamp trusts their times."""
    for path in root.rglob("*"):
        os.utime(path, ns=(LONG_AGO, LONG_AGO))
    return root


def test_a_build_with_nothing_to_do_still_counts_the_promises(tmp_path: Path) -> None:
    root = settled(make_journal(tmp_path, JOURNAL))
    assert build(Request(root, options=OPTIONS)).pending_promises == 3
    result = build(Request(root, options=OPTIONS))  # the stamp holds: nothing is read
    assert result.written is not None and not result.written.written
    assert "load" not in result.figures.seconds
    assert result.pending_promises == 3


def test_watch_sessions_and_serve_count_the_promises_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    result = WatchSession(Request(root, tmp_path / "preview", OPTIONS)).build()
    assert result.pending_promises == 3
    build_reporter(PreviewSettings(root, options=OPTIONS), Verbosity.NORMAL)(result)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == PENDING
    assert out[1].startswith("Built 3 posts into ")
    build_reporter(PreviewSettings(root, options=OPTIONS), Verbosity.QUIET)(result)
    assert capsys.readouterr() == ("", "")


def test_deploy_says_the_line_and_is_silent_when_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    target = tmp_path / "public"
    argv = ["deploy", "--root", str(root), "--to", str(target), "--allow-local-url"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.splitlines()[0] == PENDING
    code, out, err = run(capsys, *argv, "--quiet")
    assert (code, out, err) == (0, "", "")


# ---------------------------------------------------------------- --verbose and --quiet


def test_verbose_lists_each_promise_at_its_line_and_the_stages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    code, out, err = run(capsys, "build", "--root", str(root), "--verbose")
    assert code == 0
    assert err.splitlines() == [
        'content/posts/a.md:7: note: "Next: Second thing": no post with that title yet '
        "(content/posts/b.md is a draft); shown as still to come",
        'content/posts/c.md:7: note: "Next: Fourth": no post with that title yet; '
        "shown as still to come",
        'content/posts/d.md:7: note: "Next: Sixth": no post with that title yet '
        "(content/posts/f.md is scheduled for 2999-01-01); shown as still to come",
    ]
    lines = out.splitlines()
    assert lines[0] == PENDING
    assert lines[-1].startswith("Stages: ")
    assert " markdown " in lines[-1] and " render " in lines[-1]
    _, out, err = run(capsys, "check", "--root", str(root), "-v")
    assert len(err.splitlines()) == 3 and out.splitlines()[-1].startswith("Stages: ")


def test_quiet_says_nothing_of_a_good_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {**JOURNAL, "content/posts/w.md": post_text("2024-03-01", title="W", Tags="[x]")}
    root = make_journal(tmp_path, files)
    _, _, err = run(capsys, "check", "--root", str(root))
    assert "content/posts/w.md:" in err and "warning" in err  # a warning there is
    for command in ("build", "check"):
        code, out, err = run(capsys, command, "--root", str(root), "-q")
        assert (code, out, err) == (0, "", ""), command
    assert (root / "output/index.html").is_file()


def test_quiet_prints_the_errors_and_the_summary_of_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {**BROKEN, "content/posts/w.md": post_text("2024-03-01", title="W", Tags="[x]")}
    root = make_journal(tmp_path, files)
    code, out, err = run(capsys, "build", "--root", str(root), "--quiet")
    assert code == 1
    assert err.splitlines() and all(": error: " in line for line in err.splitlines())
    assert out.splitlines() == [
        "Build failed: 1 error, 1 warning; output/ left as it was",
    ]
    code, out, _ = run(capsys, "check", "--root", str(root), "--quiet")
    assert code == 1 and out.startswith("Checked 4 posts: 1 error")


def test_quiet_and_verbose_do_not_go_together(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["build", "-q", "-v"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


# ---------------------------------------------------------------- colour


def test_no_colour_in_a_pipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_journal(tmp_path, BROKEN)
    code, out, err = run(capsys, "build", "--root", str(root), "-v")
    assert code == 1 and err
    assert ESCAPE not in out + err


def test_force_color_colours_and_no_color_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_journal(tmp_path, BROKEN)
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, _, err = run(capsys, "check", "--root", str(root))
    line = next(line for line in err.splitlines() if "bad.md" in line)
    assert line.startswith(f"{ESCAPE}1mcontent/posts/bad.md:2:{ESCAPE}0m {ESCAPE}1;31merror")
    monkeypatch.setenv("NO_COLOR", "1")
    _, _, err = run(capsys, "check", "--root", str(root))
    assert ESCAPE not in err
    assert "content/posts/bad.md:2: error: " in err
    monkeypatch.setenv("NO_COLOR", "")  # set but empty: no-color.org says it does nothing
    _, _, err = run(capsys, "check", "--root", str(root))
    assert ESCAPE in err


# ---------------------------------------------------------------- the preview hint


def test_build_says_how_to_preview(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_journal(tmp_path, JOURNAL)
    _, out, _ = run(capsys, "build", "--root", str(root))
    assert out.splitlines()[-1] == (
        f"Preview it: journal serve --root {root} (then open http://127.0.0.1:8000/)"
    )
    monkeypatch.chdir(root)
    (root / "journal.toml").write_text(
        'title = "T"\nbase_url = "https://me.github.io/journal/"\ntimezone = "UTC"\n'
    )
    _, out, _ = run(capsys, "build")
    assert out.splitlines()[-1] == (
        "Preview it: journal serve (then open http://127.0.0.1:8000/journal/)"
    )
    _, out, _ = run(capsys, "check")
    assert "Preview it" not in out


def test_no_preview_hint_after_a_failed_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, BROKEN)
    code, out, _ = run(capsys, "build", "--root", str(root))
    assert code == 1 and "Preview it" not in out


# ---------------------------------------------------------------- progress


@dataclass
class Recorded:
    """A Progress that writes down what it is told."""

    calls: list[tuple[str, str | int]] = field(default_factory=list)

    def stage(self, name: str, total: int) -> None:
        self.calls.append(("stage", name))
        self.calls.append(("total", total))

    def advance(self, count: int) -> None:
        self.calls.append(("advance", count))


def stages_of(recorded: Recorded) -> dict[str, tuple[int, int]]:
    """Stage -> (total, the sum of its advances), in the order the stages came."""
    found: dict[str, tuple[int, int]] = {}
    name = ""
    for kind, value in recorded.calls:
        if kind == "stage":
            name = str(value)
            found[name] = (0, 0)
        elif kind == "total":
            found[name] = (int(value), 0)
        else:
            found[name] = (found[name][0], found[name][1] + int(value))
    return found


def test_a_build_tells_its_progress_stage_by_stage(tmp_path: Path) -> None:
    theme = {"content/themes/2024.md": "---\nword: w\n---\n"}
    root = settled(make_journal(tmp_path, {**JOURNAL, **theme}))
    recorded = Recorded()
    result = build(Request(root, options=OPTIONS, progress=recorded))
    assert result.ok
    stages = stages_of(recorded)
    assert list(stages) == [READING, MARKDOWN, PAGES]
    assert stages[READING] == (6, 6)  # the five posts and the theme
    assert stages[MARKDOWN] == (4, 4)  # the three published posts and the theme's intro
    assert stages[PAGES] == (result.figures.pages_planned,) * 2
    assert result.figures.pages_planned > 10
    again = Recorded()
    build(Request(root, options=OPTIONS, progress=again))
    assert again.calls == []  # nothing to do: no stage


def test_the_bar_shows_only_once_a_build_has_run_a_while() -> None:
    moments = iter([0.0, 0.2, 0.5, 1.5, 1.6, 1.65, 3.0])
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=60)
    bar = TerminalProgress(console, delay=1.0, clock=lambda: next(moments))
    bar.stage(READING, 2)  # 0.2
    bar.advance(2)  # 0.5
    assert screen.getvalue() == ""  # a build done by now shows no bar
    bar.stage(PAGES, 10)  # 1.5: shown
    assert "Pages" in screen.getvalue() and "0/10" in screen.getvalue()
    bar.advance(4)  # 1.6: drawn again
    assert "4/10" in screen.getvalue()
    bar.advance(1)  # 1.65: too soon to draw again
    assert "5/10" not in screen.getvalue()
    bar.advance(5)  # 3.0
    assert "10/10" in screen.getvalue()
    bar.close()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_only_on_terminals_outside_ci_and_never_when_quiet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (in the test itself: pytest sets its own sys.stdout again between a fixture and a test)
    monkeypatch.setattr("sys.stdout", Terminal())
    monkeypatch.setattr("sys.stderr", Terminal())
    assert shows_progress(Verbosity.NORMAL)
    assert shows_progress(Verbosity.VERBOSE)
    assert not shows_progress(Verbosity.QUIET)
    monkeypatch.setenv("CI", "true")
    assert not shows_progress(Verbosity.NORMAL)
    monkeypatch.delenv("CI")
    monkeypatch.setenv("TERM", "dumb")
    assert not shows_progress(Verbosity.NORMAL)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr("sys.stdout", io.StringIO())  # `journal build > log`
    assert not shows_progress(Verbosity.NORMAL)


def test_no_bar_in_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    assert not shows_progress(Verbosity.NORMAL)
    with build_progress(Verbosity.NORMAL) as progress:
        assert progress is NO_PROGRESS


def test_the_stages_know_nothing_of_the_terminal() -> None:
    """The pipeline tells its progress through a protocol: it never imports rich."""
    code = (
        "import sys, generator.pipeline.build, generator.features.waiting; "
        "print(sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.')))"
    )
    package_parent = str(Path(generator.__file__).resolve().parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": package_parent},
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "[]"

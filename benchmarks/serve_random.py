"""A long random-edit run of `journal serve`: no traceback, and the preview always equal to a
clean build.

    python benchmarks/serve_random.py [--bursts 300] [--seed 1] [--work DIR]

Runs `journal serve --port 0` (the real command, in a subprocess) on a small random journal
and, burst after burst, makes one to five random edits as a writer and their tools do: posts
added, edited, retitled, moved, deleted, made drafts, broken and fixed; promises kept and
broken; themes, templates, partials, assets, settings and static files changed; folders
deleted; editor swap files. Every other burst ends with the journal repaired, as a writer
fixes what the preview reports. The edits are those of the watch-mode property test
(tests/test_incremental.py), so this needs the test dependencies installed.

After each burst it writes a marker file, makes a clean `journal build --no-cache` of the same
journal at the preview's address, and, when that succeeds, waits for the preview to publish
the marker and compares the two folders file by file. It stops at the first difference or
traceback; it ends by printing how many bursts, edits and comparisons it made. Only the
journal it generates in --work is edited.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(REPO / "tests"))

from test_incremental import Journal  # noqa: E402

WAIT_SECONDS = 600.0  # a guard against a hang, not a measure of speed
MANIFEST = ".journal-manifest.json"
ADDRESS = re.compile(r"Serving the preview at (http://\S+/) ")
LINK = re.compile(r"^See \[that one\]\((.+)\)\.$")  # as Journal.link_to_another writes it


class Preview:
    """`journal serve --port 0` in a subprocess; every line it prints is kept."""

    def __init__(self, journal: Path, output: Path) -> None:
        argv = [sys.executable, "-m", "generator", "serve", "--root", str(journal)]
        self.process = subprocess.Popen(
            [*argv, "--port", "0", "--output", str(output)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Ctrl-C must reach it even when this runs in the background (SIGINT ignored).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def address(self) -> str:
        with self.changed:
            self.changed.wait_for(lambda: self._found(ADDRESS) is not None, WAIT_SECONDS)
        found = self._found(ADDRESS)
        if found is None:
            raise SystemExit("journal serve printed no address:\n" + "".join(self.lines))
        return found.group(1)

    def _found(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        return next((m for line in self.lines if (m := pattern.search(line))), None)

    def tracebacks(self) -> int:
        return sum("Traceback" in line for line in self.lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def repair(journal: Journal) -> None:
    """Fix what the edits broke: front matter made invalid, links to posts since deleted (a
    writer fixes what the preview reports)."""
    for post in journal.posts():
        text = post.read_text(encoding="utf-8")
        lines = [
            line
            for line in text.replace("tags: [[", "tags: [", 1).split("\n")
            if not (link := LINK.match(line)) or (post.parent / link.group(1)).is_file()
        ]
        if "\n".join(lines) != text:
            post.write_text("\n".join(lines), encoding="utf-8")


def clean_build(journal: Path, output: Path, address: str) -> bool:
    shutil.rmtree(output, ignore_errors=True)
    argv = [sys.executable, "-m", "generator", "build", "--root", str(journal), "--no-cache"]
    done = subprocess.run(
        [*argv, "--output", str(output), "--base-url", address, "--quiet"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
    )
    if "Traceback" in done.stderr:
        raise SystemExit(f"journal build raised:\n{done.stderr}")
    return done.returncode == 0


def wait_for(path: Path, text: str) -> None:
    """Wait until `path` holds `text` (the preview published the marker)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            if path.read_text(encoding="utf-8") == text:
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise SystemExit(f"the preview did not publish {path.name} within {WAIT_SECONDS:.0f} s")


def differences(preview: Path, clean: Path) -> list[str]:
    """The files that differ, or are in one folder only (the manifest aside)."""
    found: list[str] = []
    for current, _, names in os.walk(clean):
        for name in names:
            relative = Path(current, name).relative_to(clean)
            if name == MANIFEST:
                continue
            other = preview / relative
            if not other.is_file() or not filecmp.cmp(other, clean / relative, shallow=False):
                found.append(str(relative))
    for current, _, names in os.walk(preview):
        for name in names:
            relative = Path(current, name).relative_to(preview)
            if name != MANIFEST and not (clean / relative).is_file():
                found.append(f"{relative} (in the preview only)")
    return sorted(found)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bursts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/journal-bench-random"))
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    root = args.work / "journal"
    (root / "content/posts").mkdir(parents=True)
    (root / "journal.toml").write_text('title = "Random"\ntimezone = "UTC"\n', encoding="utf-8")
    journal = Journal(root, random.Random(args.seed))
    for _ in range(40):
        journal.add_post()
    journal.edit_theme()
    preview_dir, clean_dir = args.work / "preview", args.work / "clean"
    server = Preview(root, preview_dir)
    edits, compared, failed = Counter[str](), 0, 0
    started = time.monotonic()
    try:
        address = server.address()
        for burst in range(1, args.bursts + 1):
            while len(journal.posts()) < 20:  # (deletes outrun adds: keep writing)
                journal.add_post()
                edits["add_post"] += 1
            for _ in range(journal.rng.randint(1, 5)):
                edit = journal.rng.choice(journal.edits())
                edit()
                edits[edit.__name__] += 1
            if burst % 2 == 0:
                repair(journal)
            marker = f"burst {burst}\n"
            journal.write("content/static/marker.txt", marker)
            if clean_build(root, clean_dir, address):
                wait_for(preview_dir / "marker.txt", marker)
                found = differences(preview_dir, clean_dir)
                if found:
                    raise SystemExit(f"burst {burst}: the preview differs: {found[:20]}")
                compared += 1
            else:
                failed += 1  # a burst that left the journal broken: nothing to compare
            if server.tracebacks():
                raise SystemExit("journal serve raised:\n" + "".join(server.lines[-60:]))
    finally:
        server.stop()
    minutes = (time.monotonic() - started) / 60
    print(f"journal serve, {args.bursts} bursts of random edits in {minutes:.1f} minutes:")
    print(f"  {sum(edits.values())} edits: " + ", ".join(f"{n} {k}" for k, n in edits.items()))
    print(f"  preview equal to a clean build after {compared} bursts; {failed} left it broken")
    print(f"  tracebacks: {server.tracebacks()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

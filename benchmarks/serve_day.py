"""A day of writing in `journal serve`: memory after many saves.

    python benchmarks/serve_day.py [--posts 10000] [--edits 1000] [--work DIR]

Runs `journal serve --port 0` (the real command, in a subprocess) on a generated journal
(benchmarks/make_journal.py) and saves one post after another, as a writer does all day: each
save retitles one of 50 posts spread over the journal or adds a paragraph to it, in turn, and
waits for the rebuild's summary line before the next. It reads the server's resident memory
(`ps -o rss=`) after the first build, after the first tenth of the edits (what a session
settles at) and at the end, and prints the growth over the last nine tenths: what a preview
left running all day costs in memory. Only the generated journal is edited.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))

from run import Serve, atomic_save, chosen_posts, prepared_journal, title_of  # noqa: E402

SPREAD = 50  # posts the edits go round


def resident_mib(pid: int) -> float:
    """The process's resident memory, from `ps` (Linux and macOS alike)."""
    done = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True)
    return int(done.stdout.strip()) / 1024


def edited(text: str, title: str, number: int) -> str:
    """The post's text after save `number`: retitled on even saves, a paragraph added on odd
    ones (the title goes back and forth, the text grows by a line)."""
    if number % 2 == 0:
        return text.replace(f"title: {title}", f"title: {title} {number}", 1)
    head, separator, body = text.partition("\n---\n")
    return f"{head}{separator}Saved {number}.\n\n{body}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/journal-bench-day"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    journal = prepared_journal(args.posts, args.work)
    posts = chosen_posts(journal, SPREAD)
    originals = {post: post.read_text(encoding="utf-8") for post in posts}
    titles = {post: title_of(post) for post in posts}
    server = Serve(journal, args.work / "preview")
    settled_at = max(1, args.edits // 10)
    figures: dict[str, float] = {}
    started = time.monotonic()
    try:
        server.wait_builds(1)
        figures["after the first build"] = resident_mib(server.process.pid)
        for number in range(1, args.edits + 1):
            post = posts[number % len(posts)]
            atomic_save(post, edited(originals[post], titles[post], number))
            server.wait_builds(number + 1)
            if number == settled_at:
                figures[f"after {number} saves"] = resident_mib(server.process.pid)
        figures[f"after {args.edits} saves"] = resident_mib(server.process.pid)
    finally:
        server.stop()
        for post, text in originals.items():
            post.write_text(text, encoding="utf-8")
    minutes = (time.monotonic() - started) / 60
    print(f"journal serve, {args.posts} posts, {args.edits} saves in {minutes:.1f} minutes:")
    for what, mib in figures.items():
        print(f"  resident memory {what}: {mib:.0f} MiB")
    values = list(figures.values())
    growth = values[-1] - values[1]
    print(f"  growth over the last {args.edits - settled_at} saves: {growth:+.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

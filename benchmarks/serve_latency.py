"""How long a save takes to show in the preview: save -> output file, save -> browser.

    python benchmarks/serve_latency.py [--edits 10] [--posts 1000] [--no-browser]
                                       [--generated DIR] [--journal DIR ...]

Runs `journal serve --port 0` (the real command, in a subprocess) on a copy of each journal:
by default the repository's own sample journal and a generated journal of --posts posts
(benchmarks/make_journal.py, made in a temporary folder unless --generated names one). For each
edit it saves one post atomically (a temporary file, then a rename) with a new paragraph, and
measures the time until

* the post's page in the preview folder holds the new paragraph (file), and
* headless Chromium, showing that page and left alone, shows it (browser: the live reload).

The times include the watcher's quiet period (`PreviewSettings.debounce`, 20 ms). It prints
the median of the edits, with the fastest and slowest, in milliseconds. Only copies are edited;
nothing in the journals named on the command line changes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.serve.preview import PreviewSettings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PREVIEW_FOLDER = Path(".journal-cache") / "preview"
WAIT_SECONDS = 60.0
SETTLE_SECONDS = 0.5  # between edits, so that each one is measured on its own
QUIET_MS = round(PreviewSettings(REPO).debounce * 1000)  # what `journal serve` waits
POLL_SECONDS = 0.002


@dataclass(frozen=True)
class Figures:
    name: str
    posts: int
    first_build: str
    file_ms: list[float]
    browser_ms: list[float]


# ---------------------------------------------------------------------------
# Journals


def copy_journal(source: Path, target: Path) -> Path:
    """The parts of a journal a build reads: journal.toml, content/, templates/."""
    target.mkdir(parents=True)
    shutil.copy2(source / "journal.toml", target / "journal.toml")
    for folder in ("content", "templates"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder, symlinks=True)
    return target


def generate_journal(posts: int, target: Path) -> Path:
    script = REPO / "benchmarks" / "make_journal.py"
    subprocess.run([sys.executable, str(script), str(posts), str(target)], check=True)
    return target


def chosen_post(root: Path) -> Path:
    """The middle post, in path order: not the newest (on every list page), not the oldest."""
    posts = sorted((root / "content" / "posts").rglob("*.md"))
    if not posts:
        raise SystemExit(f"{root} has no posts")
    return posts[len(posts) // 2]


def with_paragraph(text: str, paragraph: str) -> str:
    """The post with a paragraph added at the end of its body, before any `Next:` line."""
    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1].startswith("Next:"):
        return "\n".join([*lines[:-1], paragraph, "", lines[-1]]) + "\n"
    return "\n".join([*lines, "", paragraph]) + "\n"


def atomic_save(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.saving.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def post_page(output: Path, marker: str) -> Path:
    """The post page (YYYY/slug/index.html) that shows `marker`."""
    for page in sorted(output.glob("*/*/index.html")):
        year = page.relative_to(output).parts[0]
        if year.isdigit() and marker in page.read_text(encoding="utf-8"):
            return page
    raise SystemExit(f"no post page in {output} shows {marker!r}")


# ---------------------------------------------------------------------------
# The server and the browser


class Serve:
    """`journal serve --port 0` in a subprocess; its stdout lines are collected."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", "0"],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        self._url = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "Serving the preview at" in line:
                self._url.set()
        self._url.set()

    def url(self) -> str:
        if not self._url.wait(600):
            raise SystemExit("journal serve printed no URL")
        for line in self.lines:
            match = re.search(r"Serving the preview at (http://\S+)", line)
            if match:
                return match.group(1)
        raise SystemExit(f"journal serve stopped: {''.join(self.lines)}")

    def first_build(self) -> str:
        for line in self.lines:
            match = re.search(r"(\d+\.\d+) s$", line.strip())
            if match:
                return f"{float(match.group(1)):.2f} s"
        return "?"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextmanager
def browser_page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


def browser_available() -> str | None:
    """Why the browser cannot be used, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}"
    return None


# ---------------------------------------------------------------------------
# Measuring


def wait_for_file(path: Path, marker: str, started: float, found: list[float]) -> None:
    """Poll `path` until it holds `marker`; append the seconds since `started`."""
    deadline = time.monotonic() + WAIT_SECONDS
    seen: tuple[int, int] | None = None
    while time.monotonic() < deadline:
        try:
            stat = path.stat()
            key = (stat.st_mtime_ns, stat.st_ino)
            if key != seen:
                seen = key
                if marker in path.read_text(encoding="utf-8"):
                    found.append(time.perf_counter() - started)
                    return
        except (FileNotFoundError, UnicodeDecodeError):
            pass
        time.sleep(POLL_SECONDS)


def wait_for_browser(page: Any, marker: str) -> None:
    script = "m => document.body !== null && document.body.innerText.includes(m)"
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            page.wait_for_function(script, arg=marker, polling="raf", timeout=WAIT_SECONDS * 1000)
            return
        except Exception:  # the page navigated away under the check: check the new one
            if time.monotonic() > deadline:
                raise


# When the page on screen was first painted, in ms since the epoch (as Date.now() counts).
PAINTED_AT = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const loaded = performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd;
  return performance.timeOrigin + (paint ? paint.startTime : loaded);
}"""


def one_edit(
    post: Path, original: str, page_file: Path, marker: str, page: Any | None
) -> tuple[float, float | None]:
    """Save the post with `marker` in it; seconds until the file, then the browser, show it.

    The browser's time is taken inside the page: the first paint of the reloaded page. (The
    moment Playwright notices the new text comes some 50-100 ms later.)
    """
    text = with_paragraph(original, f"Edited for the benchmark: {marker}.")
    file_seconds: list[float] = []
    started = time.perf_counter()
    poller = threading.Thread(target=wait_for_file, args=(page_file, marker, started, file_seconds))
    poller.start()
    saved_at = time.time()
    atomic_save(post, text)
    browser_seconds = None
    if page is not None:
        wait_for_browser(page, marker)
        browser_seconds = page.evaluate(PAINTED_AT) / 1000 - saved_at
    poller.join()
    if not file_seconds:
        raise SystemExit(f"{page_file} never showed {marker!r}")
    return file_seconds[0], browser_seconds


def measure(name: str, source: Path, edits: int, use_browser: bool, work: Path) -> Figures:
    root = copy_journal(source, work / name.replace(" ", "-"))
    post = chosen_post(root)
    original = post.read_text(encoding="utf-8")
    server = Serve(root)
    try:
        url = server.url()
        output = root / PREVIEW_FOLDER
        # A first edit finds the post's page, and warms up whatever the build keeps.
        atomic_save(post, with_paragraph(original, "Edited for the benchmark: warm-up."))
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                page_file = post_page(output, "warm-up")
                break
            except SystemExit:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        relative = page_file.parent.relative_to(output).as_posix()
        file_ms: list[float] = []
        browser_ms: list[float] = []
        with browser_page() if use_browser else nullcontext() as page:
            if page is not None:
                page.goto(f"{url}{relative}/")
                wait_for_browser(page, "warm-up")
            for number in range(1, edits + 1):
                time.sleep(SETTLE_SECONDS)
                marker = f"edit-{number}-{time.monotonic_ns()}"
                file_s, browser_s = one_edit(post, original, page_file, marker, page)
                file_ms.append(file_s * 1000)
                if browser_s is not None:
                    browser_ms.append(browser_s * 1000)
        posts = len(list((root / "content" / "posts").rglob("*.md")))
        return Figures(name, posts, server.first_build(), file_ms, browser_ms)
    finally:
        server.stop()


# ---------------------------------------------------------------------------
# Report


def summary(values: Sequence[float]) -> str:
    if not values:
        return "n/a"
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


def table(figures: Sequence[Figures], edits: int) -> str:
    header = ("journal", "posts", "first build", "save -> file", "save -> browser")
    rows = [
        (f.name, str(f.posts), f.first_build, summary(f.file_ms), summary(f.browser_ms))
        for f in figures
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"Median of {edits} edits in ms (fastest-slowest); "
        f"the watcher waits {QUIET_MS} ms of quiet.",
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
    ]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=10, help="edits per journal (default 10)")
    parser.add_argument("--posts", type=int, default=1000, help="posts in the generated journal")
    parser.add_argument("--generated", type=Path, help="an existing generated journal to use")
    parser.add_argument(
        "--journal", type=Path, action="append", default=[], help="another journal to measure"
    )
    parser.add_argument("--no-browser", action="store_true", help="measure save -> file only")
    args = parser.parse_args(argv)
    use_browser = not args.no_browser
    if use_browser and (reason := browser_available()):
        print(f"Browser figures skipped: {reason}", file=sys.stderr)
        use_browser = False
    with tempfile.TemporaryDirectory(prefix="serve-latency-") as folder:
        work = Path(folder)
        generated = args.generated or generate_journal(args.posts, work / "source")
        journals = [("sample", REPO), ("generated", generated)]
        journals += [(path.name, path) for path in args.journal]
        figures = []
        for name, source in journals:
            print(f"Measuring {name} ...", file=sys.stderr, flush=True)
            figures.append(measure(name, source, args.edits, use_browser, work))
    print(table(figures, args.edits))
    return 0


if __name__ == "__main__":
    sys.exit(main())

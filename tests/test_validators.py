"""The built sites checked by tools nobody here wrote: the W3C Nu HTML checker, feedparser,
the sitemaps.org schema and LinkChecker. Each test skips, saying what to install, when its
tool is missing; CI installs them all (see .ci/run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import build_journal, make_journal
from sample_journals import RICH_FILES, SUBPATH_BASE_URL
from site_server import serve_site

REPO = Path(__file__).resolve().parent.parent
VNU_JAR = Path(os.environ.get("VNU_JAR", REPO / "node_modules/vnu-jar/build/dist/vnu.jar"))
SITEMAP_XSD = Path(__file__).parent / "data" / "sitemap.xsd"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """The repository's own journal at its root URL, and the rich fixture under /journal/:
    {name: (output folder, base_url)}."""
    built: dict[str, tuple[Path, str]] = {}
    repo_out = tmp_path_factory.mktemp("repo-site")
    result = build_journal(REPO, output=repo_out)
    assert result.ok, [str(p) for p in result.problems]
    built["repo"] = (repo_out, "https://example.org/")
    rich_root = make_journal(tmp_path_factory.mktemp("rich"), RICH_FILES)
    rich_out = tmp_path_factory.mktemp("rich-site")
    result = build_journal(rich_root, output=rich_out)
    assert result.ok, [str(p) for p in result.problems]
    built["rich"] = (rich_out, SUBPATH_BASE_URL)
    return built


def files_named(sites: dict[str, tuple[Path, str]], pattern: str) -> list[Path]:
    return sorted(p for output, _ in sites.values() for p in output.rglob(pattern))


def test_every_html_page_passes_the_nu_html_checker(sites: dict[str, tuple[Path, str]]) -> None:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        pytest.skip(f"vnu.jar not found at {VNU_JAR} (npm ci, or set VNU_JAR)")
    pages = files_named(sites, "*.html")
    assert len(pages) > 30
    done = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(done.stderr or done.stdout)
    errors = [
        f"{urlsplit(m.get('url', '')).path}:{m.get('lastLine', '?')}: {m.get('message')}"
        for m in report["messages"]
        if m.get("type") in ("error", "non-document-error")
    ]
    assert errors == []


def test_every_feed_parses_without_bozo_with_ids_dates_and_absolute_links(
    sites: dict[str, tuple[Path, str]],
) -> None:
    feedparser = pytest.importorskip("feedparser", reason="feedparser is not installed")
    feeds = files_named(sites, "feed.xml")
    assert len(feeds) >= 4
    for path in feeds:
        base = next(b for output, b in sites.values() if path.is_relative_to(output))
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.feed.id.startswith(base) and parsed.feed.updated
        assert any(link.rel == "self" and link.href.startswith(base) for link in parsed.feed.links)
        assert parsed.entries, path
        for entry in parsed.entries:
            assert entry.id.startswith(base) and entry.updated and entry.published
            assert entry.link.startswith(base)
            for link in _content_links(entry):
                assert link.startswith(("https://", "http://", "mailto:", "#")), (path, link)


def _content_links(entry: object) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(v for k, v in attrs if k in ("href", "src") and v)

    for content in getattr(entry, "content", []):
        Links().feed(content.value)
    return found


def test_feed_content_links_resolve_to_absolute_urls(sites: dict[str, tuple[Path, str]]) -> None:
    feedparser = pytest.importorskip("feedparser", reason="feedparser is not installed")
    output, base = sites["rich"]
    parsed = feedparser.parse((output / "feed.xml").read_bytes())
    essay = next(e for e in parsed.entries if e.title == "Partnership")
    links = _content_links(essay)
    assert f"{base}2023/courage/" in links
    assert f"{base}images/dot.svg" in links


def test_every_sitemap_validates_against_the_sitemaps_org_schema(
    sites: dict[str, tuple[Path, str]],
) -> None:
    etree = pytest.importorskip("lxml.etree", reason="lxml is not installed (pip install lxml)")
    schema = etree.XMLSchema(etree.parse(str(SITEMAP_XSD)))
    for output, base in sites.values():
        document = etree.parse(str(output / "sitemap.xml"))
        assert schema.validate(document), schema.error_log
        locs = document.findall(".//{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        assert locs and all(loc.text.startswith(base) for loc in locs)


def linkchecker_command() -> list[str] | None:
    beside = Path(sys.executable).with_name("linkchecker")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("linkchecker")
    return [found] if found else None


@pytest.mark.parametrize("journal", ["repo", "rich"])
def test_linkchecker_finds_no_broken_link_under_a_subpath(journal: str, tmp_path: Path) -> None:
    command = linkchecker_command()
    if command is None:
        pytest.skip("LinkChecker is not installed (pip install linkchecker)")
    root = REPO if journal == "repo" else make_journal(tmp_path, RICH_FILES)
    output = tmp_path / "served"
    settings = tmp_path / "linkcheckerrc"
    settings.write_text("[checking]\nmaxrequestspersecond=1000\n")
    with serve_site(output, "/journal/") as start:
        # Built for the address it is served at, so canonical links and feeds are checked too.
        assert build_journal(root, output=output, base_url=start).ok
        done = subprocess.run(
            [*command, "-f", str(settings), "--no-status", "--no-warnings", "-o", "csv", start],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    report = [line for line in done.stdout.splitlines() if line and not line.startswith("#")]
    assert done.returncode == 0, "\n".join(report[1:]) or done.stderr
    assert len(report) == 1  # the CSV header alone: no broken link

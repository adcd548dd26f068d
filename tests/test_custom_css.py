"""A journal's own templates/assets/custom.css: linked by every page after the theme's
stylesheet when it exists, and only then; in `journal serve` too, where adding or removing
it gives the same site as a clean build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import OPTIONS, build_journal, make_journal, parse_html, post_text, tree_digest

from generator.incremental.session import WatchSession
from generator.pipeline.build import Request, build
from generator.pipeline.theme import has_custom_css
from generator.pipeline.write import MANIFEST

FILES = {
    "content/themes/2024.md": "---\nword: courage\n---\nThe word.\n",
    "content/posts/2024/a.md": post_text("2024-03-01", "One.\n", title="A", tags="[walks]"),
    "content/posts/2024/b.md": post_text("2024-04-01", "Two.\n", title="B"),
}
CUSTOM = "templates/assets/custom.css"
RESTYLE = ":root { --accent: #1b5e9a; --measure: 42rem; }\n"


def stylesheets(page: Path) -> list[str]:
    """The hrefs of a page's stylesheet links, in order."""
    tree = parse_html(page.read_bytes())
    return [link.get("href") or "" for link in tree.iter("link") if link.get("rel") == "stylesheet"]


def html_pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_without_a_custom_css_no_page_links_one(tmp_path: Path) -> None:
    root = make_journal(tmp_path, FILES)
    assert build_journal(root).ok
    output = root / "output"
    assert not (output / "assets/custom.css").exists()
    pages = html_pages(output)
    assert len(pages) > 5
    for page in pages:
        assert stylesheets(page) == ["/assets/style.css"], page


def test_every_page_links_the_custom_css_after_the_themes(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {**FILES, CUSTOM: RESTYLE})
    assert build_journal(root).ok
    output = root / "output"
    assert (output / "assets/custom.css").read_text(encoding="utf-8") == RESTYLE
    for page in html_pages(output):
        assert stylesheets(page) == ["/assets/style.css", "/assets/custom.css"], page


def test_the_custom_css_link_carries_the_base_path(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {**FILES, CUSTOM: RESTYLE})
    assert build_journal(root, base_url="https://user.github.io/journal/").ok
    home = root / "output/index.html"
    assert stylesheets(home) == ["/journal/assets/style.css", "/journal/assets/custom.css"]


def test_a_second_build_follows_a_custom_css_added_then_removed(tmp_path: Path) -> None:
    """The no-change stamp of the first build does not hold once the file comes or goes."""
    root = make_journal(tmp_path, FILES)
    assert build_journal(root).ok
    custom = root / CUSTOM
    custom.parent.mkdir(parents=True)
    custom.write_text(RESTYLE, encoding="utf-8")
    assert build_journal(root).ok
    assert stylesheets(root / "output/tags/walks/index.html")[-1] == "/assets/custom.css"
    custom.unlink()
    assert build_journal(root).ok
    assert stylesheets(root / "output/tags/walks/index.html") == ["/assets/style.css"]
    assert not (root / "output/assets/custom.css").exists()


def test_a_custom_css_leading_out_of_the_templates_folder_is_not_linked(
    tmp_path: Path,
) -> None:
    root = make_journal(tmp_path, FILES)
    outside = tmp_path / "outside.css"
    outside.write_text(RESTYLE, encoding="utf-8")
    (root / "templates/assets").mkdir(parents=True)
    os.symlink(outside, root / CUSTOM)
    assert not has_custom_css(root / "templates")
    result = build_journal(root)
    assert [p.path for p in result.problems if p.level == "error"] == [CUSTOM]


def test_a_folder_named_custom_css_is_not_linked(tmp_path: Path) -> None:
    root = make_journal(tmp_path, FILES)
    (root / CUSTOM).mkdir(parents=True)
    assert not has_custom_css(root / "templates")
    assert not has_custom_css(None)


def site_files(folder: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(folder).items() if k != MANIFEST}


def same_as_a_clean_build(root: Path, served: Path, clean: Path) -> None:
    if clean.exists():
        shutil.rmtree(clean)
    assert build(Request(root, clean, OPTIONS, use_cache=False)).ok
    assert site_files(served) == site_files(clean)


def test_serve_links_a_custom_css_added_and_unlinks_it_removed(tmp_path: Path) -> None:
    root = make_journal(tmp_path, FILES)
    served, clean = tmp_path / "served", tmp_path / "clean"
    session = WatchSession(Request(root, served, OPTIONS), own_output=True)
    assert session.build().ok
    custom = root / CUSTOM
    custom.parent.mkdir(parents=True)
    custom.write_text(RESTYLE, encoding="utf-8")

    added = session.build(changed={custom})
    assert added.ok and added.figures.pages_rendered > 5
    assert stylesheets(served / "index.html") == ["/assets/style.css", "/assets/custom.css"]
    assert stylesheets(served / "2024/a/index.html")[-1] == "/assets/custom.css"
    same_as_a_clean_build(root, served, clean)

    custom.write_text(RESTYLE + "body { letter-spacing: 0.01em; }\n", encoding="utf-8")
    edited = session.build(changed={custom})
    assert edited.ok and edited.figures.pages_rendered == 0  # the file alone is copied again
    assert edited.written is not None and edited.written.written == ("assets/custom.css",)
    same_as_a_clean_build(root, served, clean)

    custom.unlink()
    removed = session.build(changed={custom})
    assert removed.ok
    assert not (served / "assets/custom.css").exists()
    for page in html_pages(served):
        assert stylesheets(page) == ["/assets/style.css"], page
    same_as_a_clean_build(root, served, clean)


def test_serve_follows_a_custom_css_after_a_post_edit(tmp_path: Path) -> None:
    """The short plan of a post edit keeps the custom.css link on the pages it redraws."""
    root = make_journal(tmp_path, {**FILES, CUSTOM: RESTYLE})
    served, clean = tmp_path / "served", tmp_path / "clean"
    session = WatchSession(Request(root, served, OPTIONS), own_output=True)
    assert session.build().ok
    post = root / "content/posts/2024/b.md"
    post.write_text(post_text("2024-04-01", "Two, again.\n", title="B"), encoding="utf-8")
    result = session.build(changed={post})
    assert result.ok and result.short_plan
    assert stylesheets(served / "2024/b/index.html")[-1] == "/assets/custom.css"
    same_as_a_clean_build(root, served, clean)

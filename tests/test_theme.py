"""The built-in theme: found as the package that pyproject.toml maps to the top-level
templates/, shipped by the packages it lists, and overridden file by file by a journal's own
templates/, its assets (templates/assets/) included."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from conftest import OPTIONS, build_journal, make_journal, post_text, tree_digest

from generator.incremental.session import WatchSession
from generator.pipeline.build import Request
from generator.pipeline.theme import (
    THEME_PACKAGE,
    asset_files,
    builtin_assets,
    builtin_assets_folder,
    builtin_templates,
    code_css,
)
from generator.pipeline.write import MANIFEST

REPOSITORY = Path(__file__).parent.parent
POSTS = {"content/posts/2024/a.md": post_text("2024-06-10", "Some `code`.\n", title="A")}
THEME_ASSETS = ["assets/favicon.svg", "assets/search.js", "assets/style.css"]


def test_the_theme_is_the_top_level_templates_folder() -> None:
    assert builtin_templates().resolve() == (REPOSITORY / "templates").resolve()
    assert builtin_assets_folder() == builtin_templates() / "assets"
    assert (builtin_templates() / "base.html").is_file()
    assert list(asset_files()) == THEME_ASSETS


def test_pyproject_ships_every_package_and_the_theme() -> None:
    settings = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = settings["tool"]["setuptools"]
    assert setuptools["package-dir"] == {THEME_PACKAGE: "templates"}
    code = {
        ".".join(init.parent.relative_to(REPOSITORY).parts)
        for init in (REPOSITORY / "generator").rglob("__init__.py")
    }
    theme = {
        ".".join((THEME_PACKAGE, *folder.relative_to(builtin_templates()).parts))
        for folder in [builtin_templates(), *builtin_templates().rglob("*")]
        if folder.is_dir() and folder.name != "__pycache__"
    }
    assert sorted(setuptools["packages"]) == sorted(code | theme)
    assert set(setuptools["package-data"]) == theme


def test_a_journal_without_templates_gets_the_theme_and_nothing_else(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    assert build_journal(root).ok
    assets = sorted(f"assets/{p.name}" for p in (root / "output/assets").iterdir())
    assert assets == THEME_ASSETS
    assert not [p for p in (root / "output").rglob("*") if p.suffix in (".py", ".pyc")]
    style = (root / "output/assets/style.css").read_bytes()
    assert style == (builtin_assets_folder() / "style.css").read_bytes() + code_css().encode()


def test_a_copy_of_the_whole_theme_changes_nothing(tmp_path: Path) -> None:
    """As in this repository, a sample journal whose templates/ is the theme itself."""
    plain = make_journal(tmp_path / "plain", POSTS)
    copied = make_journal(tmp_path / "copied", POSTS)
    shutil.copytree(builtin_templates(), copied / "templates")
    assert (copied / "templates/__init__.py").is_file()
    assert build_journal(plain).ok and build_journal(copied).ok
    plain_site, copied_site = tree_digest(plain / "output"), tree_digest(copied / "output")
    del plain_site[MANIFEST], copied_site[MANIFEST]  # (it records modification times)
    assert plain_site == copied_site


def test_a_journal_overrides_and_adds_assets_file_by_file(tmp_path: Path) -> None:
    own = {
        "templates/assets/style.css": "body { color: teal; }\n",
        "templates/assets/logo.svg": "<svg/>\n",
        "templates/assets/.notes": "not published\n",
    }
    root = make_journal(tmp_path, {**POSTS, **own})
    assert build_journal(root).ok
    output = root / "output/assets"
    style = (output / "style.css").read_text(encoding="utf-8")
    assert style == "body { color: teal; }\n" + code_css()
    assert (output / "logo.svg").read_text(encoding="utf-8") == "<svg/>\n"
    theme_script = (builtin_assets_folder() / "search.js").read_bytes()
    assert (output / "search.js").read_bytes() == theme_script
    assert not (output / ".notes").exists()


def test_an_asset_symlink_leading_out_of_the_templates_is_never_published(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-OUTSIDE\n", encoding="utf-8")
    root = make_journal(tmp_path, POSTS)
    (root / "templates/assets").mkdir(parents=True)
    (root / "templates/assets/style.css").symlink_to(secret)
    (root / "templates/assets/key.txt").symlink_to(secret)
    (root / "templates/assets/inside.css").symlink_to(root / "templates/assets/style.css")
    assets = builtin_assets(root / "templates")
    assert b"SECRET" not in b"".join(assets.values())
    assert list(assets) == THEME_ASSETS
    assert assets == builtin_assets()
    result = build_journal(root, tmp_path / "out")
    assert not result.ok
    errors = sorted(p.path for p in result.problems if p.level == "error")
    # (inside.css leads to style.css, which leads out: it is reported too)
    assert errors == [f"templates/assets/{name}" for name in ("inside.css", "key.txt", "style.css")]
    assert all("copy the file in instead" in p.message for p in result.problems if p.path in errors)
    assert not (tmp_path / "out").exists()


def test_a_shared_theme_folder_brings_its_assets(tmp_path: Path) -> None:
    shared = tmp_path / "shared-theme"
    (shared / "assets").mkdir(parents=True)
    (shared / "assets/style.css").write_text("/* shared */\n", encoding="utf-8")
    root = make_journal(tmp_path, POSTS)
    (root / "templates").symlink_to(shared)
    assert builtin_assets(root / "templates")["assets/style.css"].startswith(b"/* shared */\n")


def test_a_watch_session_publishes_a_changed_asset(tmp_path: Path) -> None:
    root = make_journal(tmp_path, POSTS)
    output = tmp_path / "watched"
    builder = WatchSession(Request(root, output, OPTIONS), own_output=True)
    assert builder.build().ok
    style = root / "templates/assets/style.css"
    style.parent.mkdir(parents=True)
    style.write_text("/* first */\n", encoding="utf-8")
    assert builder.build(changed={style}).ok
    assert (output / "assets/style.css").read_text(encoding="utf-8").startswith("/* first */\n")
    style.write_text("/* second, longer */\n", encoding="utf-8")
    second = builder.build(changed={style})
    assert second.ok
    assert second.figures.pages_rendered == 0  # a stylesheet is no template: no page drawn
    assert (output / "assets/style.css").read_text(encoding="utf-8").startswith("/* second")
    style.unlink()
    assert builder.build(changed={style}).ok
    built = (output / "assets/style.css").read_bytes()
    assert built == (builtin_assets_folder() / "style.css").read_bytes() + code_css().encode()

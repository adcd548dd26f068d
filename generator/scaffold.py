"""`journal new` and `journal init`: the only commands that write into a journal's content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import frontmatter

from generator.config import CONFIG_NAME, BuildOptions, load_config
from generator.load import POSTS_DIR, THEMES_DIR, load_journal
from generator.site import build_site
from generator.text import match_key, slug_or_fallback


@dataclass(frozen=True)
class Promiser:
    """A post whose pending "Next:" names the title being written."""

    key: str
    text: str


@dataclass(frozen=True)
class NewPost:
    path: Path
    keeps: tuple[Promiser, ...]


def pending_promisers(root: Path, title: str) -> tuple[Promiser, ...]:
    config, _ = load_config(root)
    journal = load_journal(root, config.zone)
    site = build_site(journal.posts, journal.themes, config, BuildOptions(future=True))
    wanted = {match_key(title), slug_or_fallback(title)}
    found = []
    for key in reversed(site.order):
        chain = site.chains.get(key)
        if chain is None or chain.state != "pending":
            continue
        if match_key(chain.text) in wanted or slug_or_fallback(chain.text) in wanted:
            found.append(Promiser(key, chain.text))
    return tuple(found)


def post_text(title: str, day: date, tags: tuple[str, ...]) -> str:
    post = frontmatter.Post("\n", title=title, date=day)
    if tags:
        post["tags"] = list(tags)
    return frontmatter.dumps(post, sort_keys=False) + "\n"


def new_post(root: Path, title: str, day: date, tags: tuple[str, ...] = ()) -> NewPost:
    """Write content/posts/YYYY/<slug>.md; never overwrites (FileExistsError)."""
    path = root / POSTS_DIR / f"{day.year}" / f"{slug_or_fallback(title)}.md"
    keeps = pending_promisers(root, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(post_text(title, day, tags))
    return NewPost(path, keeps)


def journal_toml(title: str) -> str:
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f'title = "{quoted}"\n'
        'author = ""\n'
        'description = ""\n'
        "# The address the site will live at; its path (e.g. /journal/) prefixes every link.\n"
        'base_url = "http://127.0.0.1:8000/"\n'
        'timezone = "UTC"\n'
        'language = "en"\n'
        "posts_per_page = 10\n"
    )


def init_journal(folder: Path, title: str, word: str, year: int) -> list[Path]:
    """A new journal that builds at once; refuses a folder that already has a journal."""
    if (folder / CONFIG_NAME).exists():
        raise FileExistsError(f"{folder / CONFIG_NAME} already exists")
    (folder / POSTS_DIR).mkdir(parents=True, exist_ok=True)
    (folder / THEMES_DIR).mkdir(parents=True, exist_ok=True)
    theme = folder / THEMES_DIR / f"{year}.md"
    created = [folder / CONFIG_NAME, theme, folder / POSTS_DIR]
    (folder / CONFIG_NAME).write_text(journal_toml(title), encoding="utf-8")
    if not theme.exists():
        theme.write_text(f"---\nword: {word}\n---\nWhy this word, this year.\n", encoding="utf-8")
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("output/\n.journal-cache/\n", encoding="utf-8")
        created.append(gitignore)
    return created

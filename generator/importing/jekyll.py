"""A Jekyll blog: posts in `_posts/` (and `<category>/_posts/`), drafts in `_drafts/`, its
settings in `_config.yml`, its bodies in Liquid.

Old URLs follow Jekyll's rules: the post's own `permalink:`, else the `permalink` of the
`defaults` that apply to posts, else the site's `permalink` (a style, `date`, `pretty`,
`ordinal`, `none`, or a pattern of `:year`, `:month`, `:day`, `:title`, `:categories`...),
else the `date` style: `/:categories/:year/:month/:day/:title.html`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from generator.core.problems import Problem, warning
from generator.importing.blog import POST_SUFFIXES, Blog, PostFacts, join_url, shown, walk
from generator.importing.dates import name_date, read_date
from generator.importing.front_matter import read_header
from generator.importing.liquid import convert_liquid
from generator.importing.records import FoundPost

CONFIG = "_config.yml"
_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


def read_jekyll(root: Path) -> Blog:
    settings, problems = _settings(root)
    template = _post_permalink(settings)
    posts: list[FoundPost] = []
    for folder in [root / "_posts", *_category_post_folders(root)]:
        categories = folder.parent.relative_to(root).parts
        for path in walk(folder, POST_SUFFIXES):
            posts.append(_found(root, path, "/".join(categories), draft=False))
    for path in walk(root / "_drafts", POST_SUFFIXES):
        posts.append(_found(root, path, "", draft=True))

    def old_urls(facts: PostFacts) -> tuple[str, ...]:
        own = facts.meta.get("permalink")
        pattern = own if isinstance(own, str) and own.strip() else template
        return (jekyll_url(pattern, facts),)

    return Blog(
        "jekyll",
        root,
        tuple(posts),
        (root,),
        old_urls,
        convert_liquid,
        tuple(problems),
        CONFIG if (root / CONFIG).is_file() else "",
    )


def _found(root: Path, path: Path, section: str, draft: bool) -> FoundPost:
    text = path.read_text(encoding="utf-8", errors="replace")
    written, name = name_date(path.stem)
    header = read_header(shown(path, root), text)
    if draft and written is None and "date" not in header.meta:
        # Jekyll dates a draft by its file's time; so does the import, and says so.
        day = datetime.fromtimestamp(path.stat().st_mtime).date()
        written = read_date(day)
        message = (
            f"a draft without a date is dated {day}, its file's day: set `date:` when you "
            "publish it"
        )
        header = replace(
            header, problems=(*header.problems, warning(shown(path, root), 1, message))
        )
    return FoundPost(path, shown(path, root), header, written, name, draft=draft, section=section)


def _category_post_folders(root: Path) -> list[Path]:
    """`<category>/_posts/` folders (Jekyll takes their folders as categories)."""
    found = [
        p
        for p in root.rglob("_posts")
        if p.is_dir()
        and p != root / "_posts"
        and not any(part.startswith((".", "_")) for part in p.parent.relative_to(root).parts)
        and "node_modules" not in p.parts
        and "vendor" not in p.relative_to(root).parts
    ]
    return sorted(found)


def _settings(root: Path) -> tuple[Mapping[str, Any], list[Problem]]:
    path = root / CONFIG
    if not path.is_file():
        return {}, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        what = " ".join(str(exc).split())[:120]
        message = f"cannot read the settings ({what}): old URLs follow Jekyll's `date` style"
        return {}, [warning(CONFIG, 1, message)]
    return (data if isinstance(data, dict) else {}), []


def _post_permalink(settings: Mapping[str, Any]) -> str:
    """The permalink pattern of posts: from `defaults` for posts, else the site's."""
    chosen = settings.get("permalink")
    for entry in settings.get("defaults") or ():
        if not isinstance(entry, dict):
            continue
        scope = entry.get("scope") or {}
        values = entry.get("values") or {}
        if not isinstance(scope, dict) or not isinstance(values, dict):
            continue
        kind, path = scope.get("type"), str(scope.get("path", "") or "")
        applies = kind in (None, "posts") and path in ("", "_posts")
        if applies and values.get("permalink") and (kind == "posts" or chosen is None):
            chosen = values["permalink"]
    text = str(chosen) if chosen else "date"
    return _STYLES.get(text, text)


def jekyll_url(pattern: str, facts: PostFacts) -> str:
    """A post's URL by a Jekyll permalink pattern (or style name)."""
    pattern = _STYLES.get(pattern.strip(), pattern.strip())
    when = facts.date.wall
    categories = "/".join(c.strip().lower().replace(" ", "-") for c in facts.categories)
    values = {
        "year": f"{when.year:04d}",
        "month": f"{when.month:02d}",
        "i_month": str(when.month),
        "day": f"{when.day:02d}",
        "i_day": str(when.day),
        "short_year": f"{when.year % 100:02d}",
        "y_day": f"{when.timetuple().tm_yday:03d}",
        "hour": f"{when.hour:02d}",
        "minute": f"{when.minute:02d}",
        "second": f"{when.second:02d}",
        "week": f"{when.isocalendar()[1]:02d}",
        "short_day": when.strftime("%a"),
        "title": facts.slug,
        "slug": facts.slug.lower(),
        "name": facts.found.name,
        "categories": categories,
        "output_ext": ".html",
    }
    out = pattern
    for name in sorted(values, key=len, reverse=True):
        out = out.replace(f":{name}", values[name])
    return join_url(*out.split("/")) + ("/" if out.endswith("/") else "")

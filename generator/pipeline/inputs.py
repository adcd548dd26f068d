"""What a build reads, digested from file status alone, for the build stamp (see cache.py).

A digest covers every source file the loader would read (by key), journal.toml, the journal's
templates, the generator's own files (its code and the built-in theme), the versions of the
libraries that shape the output, and the request. Each file counts by its size, modification
and change times and inode, as version control tools compare working files: an edit, a replaced
file or a touched one all change it. A file written within `RACY_SECONDS` of the digest could
be written again without its times moving (file times tick coarsely), so such a digest is
marked racy and never stored. (A write sets the modification time to the present, so an older
one proves the file has not been written since; tools that set it back, like `touch -d`, move
the change time instead.)
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from generator.core.config import CONFIG_NAME
from generator.pipeline.load import SourceFiles
from generator.pipeline.theme import builtin_templates

RACY_SECONDS = 2
_LIBRARIES = ("markdown", "jinja2", "markupsafe", "pygments", "pyyaml", "babel")


@dataclass(frozen=True)
class InputDigest:
    value: str
    racy: bool  # a file changed too recently for its times to be trusted


def library_versions() -> str:
    versions = []
    for name in _LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    return f"python {sys.version}; " + "; ".join(versions)


def files_under(folder: Path) -> list[Path]:
    """Every file under `folder`, sorted (nothing if it is missing)."""
    found: list[Path] = []
    for current, folders, names in os.walk(folder):
        folders.sort()
        found.extend(Path(current, name) for name in sorted(names))
    return found


def package_files() -> list[tuple[str, Path]]:
    """The generator's own code, and the built-in theme's templates and assets (the package
    generator.theme_files, which is this repository's templates/), by name."""
    package = Path(__file__).parent.parent
    theme = builtin_templates()  # inside the package once installed from a wheel
    code = [path for path in files_under(package) if not path.is_relative_to(theme)]
    named = [
        *((f"generator/{path.relative_to(package).as_posix()}", path) for path in code),
        *((f"theme/{path.relative_to(theme).as_posix()}", path) for path in files_under(theme)),
    ]
    return [(name, path) for name, path in named if "__pycache__" not in path.parts]


def digest_inputs(root: Path, sources: SourceFiles, request: Iterable[str]) -> InputDigest:
    """The digest of everything a build of `sources` under `root` depends on."""
    started = time.time_ns()
    newest = 0
    digest = hashlib.sha256()
    digest.update(library_versions().encode())
    for item in request:
        digest.update(b"\0request\0" + item.encode())
    for problem in sources.problems:
        digest.update(b"\0skipped\0" + str(problem).encode())
    for other in sources.others:  # (named in a warning)
        digest.update(b"\0other\0" + other.encode())
    keys = [CONFIG_NAME, *sources.posts, *sources.themes, *sources.static]
    folder = str(root)
    paths: list[tuple[str, Path | str]] = [(key, os.path.join(folder, key)) for key in keys]
    paths += [(p.relative_to(root).as_posix(), p) for p in files_under(root / "templates")]
    racy_window = len(paths)  # the generator's own files: digested, not checked for races
    paths += package_files()
    for number, (name, path) in enumerate(paths):
        try:
            status = os.stat(path)
        except OSError:
            digest.update(b"\0missing\0" + name.encode())
            continue
        if number < racy_window:
            newest = max(newest, status.st_mtime_ns)
        digest.update(
            f"\0{name}\0{status.st_size} {status.st_mtime_ns} {status.st_ctime_ns} "
            f"{status.st_ino} {status.st_dev}".encode()
        )
    racy = newest >= started - RACY_SECONDS * 1_000_000_000
    return InputDigest(digest.hexdigest(), racy)

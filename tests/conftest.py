"""Shared helpers: tiny journals made in tmp_path, a fixed clock, HTML queries.

Import them in a test module with `from conftest import make_journal, NOW, ...`.
"""

from __future__ import annotations

import hashlib
import signal
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import html5lib

from generator.core.config import BuildOptions
from generator.pipeline.build import BuildResult, Request, build

# Every build in the tests runs "now" at this moment, never at the clock's.
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
OPTIONS = BuildOptions(now=NOW)

MINIMAL_CONFIG = 'title = "Test journal"\nbase_url = "https://example.org/"\ntimezone = "UTC"\n'


def make_journal(
    tmp_path: Path, files: Mapping[str, str | bytes], config: str | None = None
) -> Path:
    """A journal in tmp_path/journal holding `files` ({relative path: text or bytes}).

    journal.toml is `config` when given, else a minimal one (base_url https://example.org/,
    timezone UTC); a "journal.toml" entry in `files` wins over both.
    """
    root = tmp_path / "journal"
    root.mkdir(parents=True, exist_ok=True)
    all_files: dict[str, str | bytes] = {"journal.toml": config or MINIMAL_CONFIG}
    all_files.update(files)
    return write_files(root, all_files)


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """`root` holding `files` ({relative path: text (UTF-8) or bytes}), folders made."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def post_text(date: str = "2024-06-10", body: str = "Some words.\n", **fields: str) -> str:
    """A post's source: front matter with `date` and `fields` (YAML values as written), body."""
    lines = [f"date: {date}"] if date else []
    lines += [f"{name}: {value}" for name, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def build_journal(
    root: Path,
    output: Path | None = None,
    options: BuildOptions = OPTIONS,
    base_url: str | None = None,
    write: bool = True,
) -> BuildResult:
    return build(Request(root, output, options, base_url), write=write)


def tree_digest(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under folder (to prove nothing changed)."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


class TimeLimitExceeded(BaseException):
    """Raised by `time_limit`; a BaseException, so that no `except Exception` swallows it."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail the test, instead of hanging the suite, when the block runs over `seconds`.

    A guard against hangs, not a speed test: give it a limit far above the usual time.
    Uses SIGALRM, so it works in the main thread only (where pytest runs tests).
    """

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded(f"still running after {seconds} s: a hang?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- HTML queries


def parse_html(data: bytes | str) -> ET.Element:
    """A page parsed by an HTML5 parser (html5lib), elements without namespaces."""
    return html5lib.parse(data, namespaceHTMLElements=False)  # type: ignore[no-any-return]


def classes(element: ET.Element) -> set[str]:
    return set((element.get("class") or "").split())


def select(tree: ET.Element, tag: str, cls: str | None = None, **attrs: str) -> list[ET.Element]:
    """Elements named `tag` having the class `cls` (among others) and the attribute values."""
    found = []
    for element in tree.iter(tag):
        if cls is not None and not set(cls.split()) <= classes(element):
            continue
        if all(element.get(name) == value for name, value in attrs.items()):
            found.append(element)
    return found


def one(tree: ET.Element, tag: str, cls: str | None = None, **attrs: str) -> ET.Element:
    found = select(tree, tag, cls, **attrs)
    assert len(found) == 1, f"expected one <{tag} class={cls!r} {attrs}>, found {len(found)}"
    return found[0]


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext()).strip()

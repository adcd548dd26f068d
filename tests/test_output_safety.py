"""Nothing is lost: output folders that must not be written to, and builds killed mid-write.

The refusals run `journal build --output X` in-process and compare a snapshot of the whole
tree around the journal (every folder, file and symlink) before and after: a refused build
must change nothing at all. The kill test runs real builds in a subprocess and SIGKILLs them
while they write, then checks every output file is either its old or its new version, and
that the next build gives exactly what a clean build gives.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import make_journal, post_text, time_limit

from generator.cli import main
from generator.core.faults import FAULT_VARIABLE
from generator.pipeline.write import MANIFEST

REPO = Path(__file__).resolve().parent.parent
STAGED_SUFFIX = ".journal-tmp"  # what the writer names the files it stages beside a target

Snapshot = dict[str, tuple[str, str]]


def snapshot(folder: Path) -> Snapshot:
    """Every entry under `folder`: ("dir", ""), ("link", target) or ("file", sha256)."""
    entries: Snapshot = {}
    for current, dirs, files in os.walk(folder, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(current, name)
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                entries[key] = ("link", os.readlink(path))
            elif path.is_dir():
                entries[key] = ("dir", "")
            else:
                entries[key] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return entries


def journal_with_neighbours(tmp_path: Path) -> Path:
    """A journal that is a git checkout, with a hand-made website folder beside it."""
    root = make_journal(
        tmp_path,
        {
            "content/posts/2024/one.md": post_text(title="One"),
            "content/themes/2024.md": "---\nword: care\n---\n",
            "content/static/CNAME": "example.org\n",
            "templates/robots.txt": "User-agent: *\n",
            ".git/HEAD": "ref: refs/heads/main\n",
            ".git/config": "[core]\n",
            "notes/ideas.txt": "keep me\n",
        },
    )
    website = tmp_path / "website"
    website.mkdir()
    (website / "index.html").write_text("<p>my hand-made site</p>\n", encoding="utf-8")
    (tmp_path / "only-git").mkdir()
    (tmp_path / "only-git" / ".git").mkdir()
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    return root


def linked(tmp_path: Path, target: Path) -> Path:
    link = tmp_path / f"link-to-{target.name}"
    link.symlink_to(target, target_is_directory=True)
    return link


OUTPUTS: dict[str, Callable[[Path, Path], Path]] = {
    "the journal itself": lambda tmp, root: root,
    "content": lambda tmp, root: root / "content",
    "content/posts": lambda tmp, root: root / "content" / "posts",
    "content/static": lambda tmp, root: root / "content" / "static",
    "a new folder inside content": lambda tmp, root: root / "content" / "site",
    "templates": lambda tmp, root: root / "templates",
    ".git": lambda tmp, root: root / ".git",
    "the parent of the journal": lambda tmp, root: tmp,
    "the grandparent of the journal": lambda tmp, root: tmp.parent,
    "a non-empty folder that is not ours": lambda tmp, root: tmp / "website",
    "a folder holding only .git": lambda tmp, root: tmp / "only-git",
    "a file": lambda tmp, root: tmp / "a-file",
    "a symlink to the journal": lambda tmp, root: linked(tmp, root),
    "a symlink to content": lambda tmp, root: linked(tmp, root / "content"),
    "a symlink to the parent": lambda tmp, root: linked(tmp / "website", tmp),
    "a symlink to a folder not ours": lambda tmp, root: linked(tmp, tmp / "website"),
    "a path through a symlink to the journal": lambda tmp, root: linked(tmp, root) / "content",
}


@pytest.mark.parametrize("where", list(OUTPUTS))
def test_dangerous_output_folders_are_refused_and_nothing_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    root = journal_with_neighbours(tmp_path)
    output = OUTPUTS[where](tmp_path, root)
    before = snapshot(tmp_path)
    with time_limit(60):
        code = main(["build", "--root", str(root), "--output", str(output)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "refusing to build into" in err
    assert "error:" in err and "Traceback" not in err
    assert out.startswith("Build failed:")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("relative", [".", "..", "./content", "../.."])
def test_relative_output_folders_named_from_inside_the_journal(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    relative: str,
) -> None:
    """`--output ..` typed in the journal's folder (Zola once deleted a project that way)."""
    root = journal_with_neighbours(tmp_path)
    monkeypatch.chdir(root)
    before = snapshot(tmp_path)
    assert main(["build", "--root", ".", "--output", relative]) == 1
    assert "refusing to build into" in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_a_journal_reached_through_a_symlink_is_still_recognised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = journal_with_neighbours(tmp_path)
    alias = linked(tmp_path, root)
    before = snapshot(tmp_path)
    assert main(["build", "--root", str(alias), "--output", str(root / "content")]) == 1
    assert main(["build", "--root", str(root), "--output", str(alias)]) == 1
    assert capsys.readouterr().err.count("refusing to build into") == 2
    assert snapshot(tmp_path) == before


def test_a_failed_build_leaves_the_previous_site_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = journal_with_neighbours(tmp_path)
    assert main(["build", "--root", str(root)]) == 0
    site = snapshot(root / "output")
    (root / "content/posts/2024/two.md").write_text("---\ndate: soon\n---\n", encoding="utf-8")
    (root / "content/posts/2024/one.md").write_text(post_text(title="Changed"), encoding="utf-8")
    assert main(["build", "--root", str(root)]) == 1
    assert "left as it was" in capsys.readouterr().out
    assert snapshot(root / "output") == site


def test_the_writers_own_files_in_the_output_survive_every_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files the build did not write are never deleted, even in a folder whose page goes."""
    root = journal_with_neighbours(tmp_path)
    assert main(["build", "--root", str(root)]) == 0
    mine = {
        "output/notes.txt": "mine\n",
        "output/2024/one/photo-notes.txt": "mine too\n",
        "output/.well-known/security.txt": "Contact: me\n",
    }
    for path, text in mine.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    (root / "content/posts/2024/one.md").unlink()  # its page folder becomes stale
    (root / "content/posts/2024/new.md").write_text(post_text(title="New"), encoding="utf-8")
    assert main(["build", "--root", str(root)]) == 0
    assert main(["build", "--root", str(root)]) == 0
    capsys.readouterr()
    for path, text in mine.items():
        assert (root / path).read_text(encoding="utf-8") == text
    assert not (root / "output/2024/one/index.html").exists()
    assert (root / "output/2024/new/index.html").is_file()


# ---------------------------------------------------------------- SIGKILL mid-write

POSTS = 300


def big_journal_text(number: int, version: str) -> str:
    body = (f"{version}: a day of work and words, written down. " * 30 + "\n\n") * 4
    promise = f"Next: Post {number + 1}\n" if number % 3 else ""
    return post_text(
        f"2024-01-01T{number // 60:02d}:{number % 60:02d}:00",
        body + promise,
        title=f"Post {number}",
        tags=f"[t{number % 7}]",
    )


def write_version(root: Path, version: str) -> None:
    for number in range(POSTS):
        path = root / "content/posts" / f"p{number:03d}.md"
        path.write_text(big_journal_text(number, version), encoding="utf-8")


def cli(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--root", str(root), *args]


def run_build(root: Path, *args: str) -> None:
    done = subprocess.run(
        cli(root, *args), cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}


def site_files(output: Path) -> dict[str, bytes]:
    """The site as a reader gets it: every file but the manifest and staged temporaries."""
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file() and p.name != MANIFEST and not p.name.endswith((STAGED_SUFFIX, ".tmp"))
    }


def leftovers(output: Path) -> list[str]:
    """Files in the output that belong to no version of the site (staged or temporary)."""
    return sorted(
        p.relative_to(output).as_posix()
        for p in output.rglob("*")
        if p.is_file() and (p.name.endswith((STAGED_SUFFIX, ".tmp")))
    )


def journal_of(tmp_path: Path, version: str, built: bool = True) -> Path:
    """A journal of the big journal's `version`, built once unless `built` is False."""
    root = make_journal(tmp_path, {})
    (root / "content/posts").mkdir(parents=True)
    write_version(root, version)
    if built:
        run_build(root)
    return root


def killed_at(root: Path, point: str, after: int = 0) -> None:
    """Run a build that is killed at the named fault point (generator/core/faults.py), after
    `after` passes of it: the same place on any machine, however fast."""
    env = {**child_env(), FAULT_VARIABLE: f"{point}:{after}"}
    done = subprocess.run(
        cli(root), cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    assert done.returncode == -signal.SIGKILL, (
        f"the build was not killed at {point}:{after} (exit {done.returncode}): "
        + done.stderr.decode(errors="replace")[-2000:]
    )


def assert_each_file_old_or_new(
    output: Path, old: dict[str, bytes], new: dict[str, bytes]
) -> tuple[int, int]:
    """Every site file is byte for byte its old or its new version; none is missing.
    Returns how many are old and how many new (some of both: the kill hit mid-write)."""
    now = site_files(output)
    assert set(old) & set(new) <= set(now), "a file of both versions is missing"
    assert set(now) <= set(old) | set(new), "a file of neither version appeared"
    olds = news = 0
    for path, data in now.items():
        if data == new.get(path):
            news += 1
        elif data == old.get(path):
            olds += 1
        else:
            pytest.fail(f"{path} is torn: neither its old nor its new bytes")
    return olds, news


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The site of version A and of version B of the big journal, each from a clean build."""
    built: list[dict[str, bytes]] = []
    for version in ("A", "B"):
        root = make_journal(tmp_path_factory.mktemp(f"clean-{version}"), {})
        (root / "content/posts").mkdir(parents=True)
        write_version(root, version)
        run_build(root)
        built.append(site_files(root / "output"))
    old, new = built
    assert set(old) == set(new) and all(
        old[p] != new[p] for p in old if "/p" in p and not p.startswith("search/")
    )
    return old, new


def test_a_build_killed_mid_write_leaves_old_or_new_files_and_the_next_build_repairs(
    tmp_path: Path, versions: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    old, new = versions
    root = make_journal(tmp_path, {})
    (root / "content/posts").mkdir(parents=True)
    rng = random.Random(6)
    kills = [("staged", 0), ("staged", 1), ("staged", rng.randint(2, 40))]
    kills += [("swap", 0), ("swap", rng.randint(1, 40)), ("manifest", 0)]
    mixed = 0
    for point, after in kills:
        write_version(root, "A")
        run_build(root)
        assert site_files(root / "output") == old
        write_version(root, "B")
        with time_limit(120):
            killed_at(root, point, after)
        olds, news = assert_each_file_old_or_new(root / "output", old, new)
        mixed += bool(olds and news) or bool(leftovers(root / "output"))
        run_build(root)
        assert site_files(root / "output") == new, "the next build did not repair the site"
        assert leftovers(root / "output") == []
    assert mixed >= 1, "no kill landed while files were being written"


def test_a_build_killed_mid_write_then_reverted_leaves_no_stray_files(
    tmp_path: Path, versions: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    """Killed while staging B, then the writer goes back to A: the site is A, exactly."""
    old, new = versions
    root = journal_of(tmp_path, "A")
    write_version(root, "B")
    with time_limit(120):
        killed_at(root, "staged", 0)
    assert_each_file_old_or_new(root / "output", old, new)
    write_version(root, "A")
    run_build(root)
    assert site_files(root / "output") == old
    assert leftovers(root / "output") == []


@pytest.mark.parametrize(("point", "after"), [("staged", 0), ("staged", 5), ("swap", 3)])
def test_an_interrupted_first_build_is_repaired_by_the_next(
    tmp_path: Path, versions: tuple[dict[str, bytes], dict[str, bytes]], point: str, after: int
) -> None:
    """Killed during the very first build (no manifest yet), the output holds staged files
    and perhaps some pages: the next build takes the folder as its own and finishes."""
    old, _ = versions
    root = journal_of(tmp_path, "A", built=False)
    with time_limit(120):
        killed_at(root, point, after)
    run_build(root)
    assert site_files(root / "output") == old
    assert leftovers(root / "output") == []


def test_a_build_killed_while_writing_the_cache_leaves_a_cache_the_next_build_uses(
    tmp_path: Path, versions: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    old, new = versions
    root = journal_of(tmp_path, "A")
    write_version(root, "B")
    with time_limit(120):
        killed_at(root, "cache", 0)
    assert_each_file_old_or_new(root / "output", old, new)
    run_build(root)
    assert site_files(root / "output") == new
    assert leftovers(root / "output") == []


@pytest.mark.parametrize(("point", "after"), [("staged", 5), ("swap", 3), ("manifest", 0)])
def test_a_full_disk_leaves_no_staged_file_behind(
    tmp_path: Path, versions: tuple[dict[str, bytes], dict[str, bytes]], point: str, after: int
) -> None:
    """The disk fills up while the build writes: it says so and exits 1, every staged file
    goes with it, each file is its old or new version, and the next build repairs."""
    old, new = versions
    root = journal_of(tmp_path, "A")
    write_version(root, "B")
    env = {**child_env(), FAULT_VARIABLE: f"{point}:{after}:full"}
    with time_limit(120):
        done = subprocess.run(cli(root), cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
    assert leftovers(root / "output") == []
    assert_each_file_old_or_new(root / "output", old, new)
    run_build(root)
    assert site_files(root / "output") == new


def marked_processes(mark: str) -> list[int]:
    """The processes whose environment holds `mark` (Linux: /proc/PID/environ)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # (gone, or another user's)
        if mark.encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's /proc")
def test_worker_processes_end_with_a_killed_build(tmp_path: Path) -> None:
    """Killed while its workers convert Markdown (a CI timeout), a build leaves no worker
    behind: each ends with it instead of sleeping forever."""
    mark = f"JOURNAL_TEST_MARK={tmp_path.name}"
    script = (
        "from generator.pipeline.parallel import render_texts\n"
        "texts = {f'k{n}': f'Post {n}: ' + 'words and more words. ' * 200 for n in range(400)}\n"
        "render_texts(texts, workers=2)\n"
    )
    name, _, value = mark.partition("=")
    env = {**child_env(), FAULT_VARIABLE: "converted:0", name: value}
    with time_limit(120):
        done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, check=False)
        assert done.returncode == -signal.SIGKILL, "the fault point was not reached"
        deadline = time.monotonic() + 60  # (workers end at once; a generous bound)
        while marked_processes(mark) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert marked_processes(mark) == [], "worker processes outlived the build"

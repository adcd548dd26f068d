"""`journal deploy`: to a gh-pages branch of a local bare repository, and into a folder."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import build_journal, make_journal, post_text, tree_digest

from generator.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

CONFIG = (
    'title = "Deployed"\nbase_url = "https://user.github.io/journal/"\ntimezone = "UTC"\n'
    'cname = "journal.example.org"\n'
)
POSTS = {
    "content/posts/2024/one.md": post_text("2024-01-02", "First.\n", title="One"),
    "content/posts/2024/two.md": post_text("2024-02-03", "Second.\n", title="Two"),
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture(autouse=True)
def clean_git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git settings, and no identity: deploy must manage without one."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    for name in ("AUTHOR", "COMMITTER"):
        for part in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{name}_{part}", raising=False)
    monkeypatch.setenv("EMAIL", "")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    """A journal in a git repository with one commit, and a bare repository as its origin."""
    root = make_journal(tmp_path, POSTS, config=CONFIG)
    (root / ".gitignore").write_text("output/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "-c", "user.name=W", "-c", "user.email=w@example.org", "commit", "-qm", "Start")
    (root / "notes.txt").write_text("work in progress, not added\n")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(root, "remote", "add", "origin", str(remote))
    return root, remote


def repo_state(root: Path) -> tuple[str, str, str, str, dict[str, str]]:
    """HEAD, the branch, the index's bytes, `git status` and the working tree's files."""
    index = hashlib.sha256((root / ".git" / "index").read_bytes()).hexdigest()
    files = {k: v for k, v in tree_digest(root).items() if not k.startswith(".git/")}
    status = git(root, "status", "--porcelain", "--untracked-files=all")
    return git(root, "rev-parse", "HEAD"), git(root, "symbolic-ref", "HEAD"), index, status, files


def test_gh_pages_holds_exactly_the_site_and_the_writers_repo_is_untouched(
    repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, remote = repo
    before = repo_state(root)
    assert main(["deploy", "--to", "gh-pages", "--root", str(root)]) == 0
    assert "Published" in capsys.readouterr().out
    assert repo_state(root) == before

    site = build_journal(root, write=False).files
    listed = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert sorted(listed) == sorted([*site, ".nojekyll", "CNAME"])
    assert git(remote, "show", "gh-pages:CNAME") == "journal.example.org"
    shown = subprocess.run(
        ["git", "show", "gh-pages:2024/one/index.html"], cwd=remote, capture_output=True, check=True
    ).stdout
    assert shown == site["2024/one/index.html"]
    message = git(remote, "log", "-1", "--format=%s", "gh-pages")
    assert message == f"Publish the site (built from {git(root, 'rev-parse', '--short', 'HEAD')})"


def test_a_second_deploy_adds_a_commit_and_an_unchanged_site_adds_none(
    repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, remote = repo
    assert main(["deploy", "--to", "gh-pages", "--root", str(root)]) == 0
    first = git(remote, "rev-parse", "gh-pages")
    git(root, "rm", "-q", "content/posts/2024/one.md")
    git(root, "-c", "user.name=W", "-c", "user.email=w@example.org", "commit", "-qm", "Less")
    assert main(["deploy", "--to", "gh-pages", "--root", str(root), "-m", "Less"]) == 0
    second = git(remote, "rev-parse", "gh-pages")
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Less"
    assert "2024/one/index.html" not in git(remote, "ls-tree", "-r", "--name-only", "gh-pages")
    capsys.readouterr()
    assert main(["deploy", "--to", "gh-pages", "--root", str(root)]) == 0
    assert "Nothing changed" in capsys.readouterr().out
    assert git(remote, "rev-parse", "gh-pages") == second


def test_deploy_builds_on_the_remote_branch_from_a_fresh_clone(
    repo: tuple[Path, Path], tmp_path: Path
) -> None:
    root, remote = repo
    assert main(["deploy", "--to", "gh-pages", "--root", str(root)]) == 0
    first = git(remote, "rev-parse", "gh-pages")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    for relative, text in POSTS.items():
        (clone / relative).parent.mkdir(parents=True, exist_ok=True)
        (clone / relative).write_text(text.replace("Second.", "Second, edited."))
    (clone / "journal.toml").write_text(CONFIG)
    deploy = ["deploy", "--to", "gh-pages", "--root", str(clone), "--allow-uncommitted"]
    assert main(deploy) == 0
    assert git(remote, "rev-parse", "gh-pages^") == first


def test_uncommitted_sources_are_named_and_published_only_when_allowed(
    repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The branch's commit says "built from" the journal's HEAD: a post edited, added or
    deleted since would make that false, so deploy names them and stops, unless told."""
    root, remote = repo
    (root / "content/posts/2024/two.md").write_text(POSTS["content/posts/2024/two.md"] + "More.\n")
    (root / "content/posts/2024/three.md").write_text(post_text("2024-03-04", "Third.\n"))
    (root / "content/posts/2024/one.md").unlink()
    before = repo_state(root)
    for target in (["--to", "gh-pages"], ["--to", "gh-pages", "--dry-run"]):
        assert main(["deploy", *target, "--root", str(root)]) == 1
        err = capsys.readouterr().err
        for name in ("one.md", "two.md", "three.md"):
            assert f"content/posts/2024/{name}" in err
        assert "--allow-uncommitted" in err
        assert "notes.txt" not in err  # (not a source of the site)
    assert git(remote, "branch", "--list", "gh-pages") == ""
    assert repo_state(root) == before
    assert main(["deploy", "--to", "gh-pages", "--root", str(root), "--allow-uncommitted"]) == 0
    published = git(remote, "ls-tree", "-r", "--name-only", "gh-pages")
    assert "2024/three/index.html" in published and "2024/one/index.html" not in published


def test_dry_run_changes_nothing(
    repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, remote = repo
    before = repo_state(root)
    assert main(["deploy", "--to", "gh-pages", "--dry-run", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Would commit" in out and "CNAME" in out and "Dry run" in out
    assert repo_state(root) == before
    assert git(remote, "branch", "--list") == ""
    assert git(root, "branch", "--list", "gh-pages") == ""


def test_a_build_with_errors_deploys_nothing(
    repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, remote = repo
    (root / "content/posts/2024/bad.md").write_text("---\ntitle: [unclosed\n---\nText\n")
    assert main(["deploy", "--to", "gh-pages", "--root", str(root)]) == 1
    captured = capsys.readouterr()
    assert "content/posts/2024/bad.md:2: error" in captured.err
    assert "Nothing deployed" in captured.out
    assert git(remote, "branch", "--list") == ""
    assert git(root, "branch", "--list", "gh-pages") == ""


def test_refuses_the_checked_out_branch_and_a_missing_remote(
    repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = repo
    assert main(["deploy", "--to", "gh-pages", "--branch", "main", "--root", str(root)]) == 1
    assert "checked out here" in capsys.readouterr().err
    assert main(["deploy", "--to", "gh-pages", "--remote", "upstream", "--root", str(root)]) == 1
    assert "no remote named 'upstream'" in capsys.readouterr().err


def test_outside_a_git_repository_says_how_to_start_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_journal(tmp_path, POSTS, config=CONFIG)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert main(["deploy", "--to", "gh-pages", "--root", str(root)]) == 1
    assert "git init" in capsys.readouterr().err


# ---------------------------------------------------------------- a folder


def test_folder_deploy_copies_changes_and_deletes_only_its_own_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, POSTS, config=CONFIG)
    target = tmp_path / "www"
    target.mkdir()
    (target / "keep.txt").write_text("the server's own file\n")
    assert main(["deploy", "--to", str(target), "--root", str(root)]) == 0
    site = build_journal(root, write=False).files
    deployed = tree_digest(target)
    assert set(deployed) == {*site, "keep.txt", ".journal-deploy.json"}
    assert (target / "2024/one/index.html").read_bytes() == site["2024/one/index.html"]
    assert not (target / "CNAME").exists()
    stamp = (target / "assets/style.css").stat().st_mtime_ns

    (root / "content/posts/2024/one.md").unlink()
    capsys.readouterr()
    assert main(["deploy", "--to", str(target), "--root", str(root), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "delete 2024/one/index.html" in out
    assert tree_digest(target) == deployed
    assert main(["deploy", "--to", str(target), "--root", str(root)]) == 0
    assert not (target / "2024/one").exists()
    assert (target / "keep.txt").read_text() == "the server's own file\n"
    assert (target / "assets/style.css").stat().st_mtime_ns == stamp
    assert "0 unchanged" not in capsys.readouterr().out


def test_folder_deploy_refuses_the_journal_and_a_build_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, POSTS, config=CONFIG)
    before = tree_digest(root)
    assert main(["deploy", "--to", str(root), "--root", str(root)]) == 1
    assert main(["deploy", "--to", str(root / "content"), "--root", str(root)]) == 1
    assert tree_digest(root) == before
    assert main(["build", "--root", str(root)]) == 0
    assert main(["deploy", "--to", str(root / "output"), "--root", str(root)]) == 1
    assert "build's output folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "base_url",
    [
        None,  # (the default: http://127.0.0.1:8000/)
        "http://localhost:8000/",
        "http://localhost./",
        "http://journal.localhost/",
        "http://127.0.0.2/",
        "http://0.0.0.0:8000/",
        "http://[::1]:8000/",
        "https://example.org/",
        "https://www.example.com/journal/",
    ],
)
def test_a_site_built_for_this_machine_or_an_example_domain_is_not_deployed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], base_url: str | None
) -> None:
    root = make_journal(tmp_path, POSTS, config='title = "Local"\ntimezone = "UTC"\n')
    given = ["--base-url", base_url] if base_url else []
    www = tmp_path / "www"
    assert main(["deploy", "--to", str(www), "--root", str(root), *given]) == 1
    err = capsys.readouterr().err
    assert "error: base_url is" in err and "--allow-local-url" in err
    assert not www.exists()
    assert main(["deploy", "--to", str(www), "--root", str(root), *given, "--allow-local-url"]) == 0
    assert (www / "index.html").is_file()


def test_a_site_with_a_real_address_deploys_without_a_word_about_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, POSTS, config='title = "Local"\ntimezone = "UTC"\n')
    real = ["--base-url", "https://me.github.io/journal/"]
    assert main(["deploy", "--to", str(tmp_path / "www"), "--root", str(root), *real]) == 0
    assert "base_url" not in capsys.readouterr().err


def test_folder_deploy_refuses_to_overwrite_files_it_did_not_put_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, POSTS, config=CONFIG)
    target = tmp_path / "www"
    (target / "2024/one").mkdir(parents=True)
    (target / "index.html").write_text("the server's own home page\n")
    (target / "2024/one/index.html").write_text("hand-made\n")
    before = tree_digest(target)
    assert main(["deploy", "--to", str(target), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "refusing to overwrite 2 files" in err
    assert "2024/one/index.html, index.html" in err and "--force" in err
    assert tree_digest(target) == before  # nothing copied, no manifest
    assert main(["deploy", "--to", str(target), "--root", str(root), "--force"]) == 0
    site = build_journal(root, write=False).files
    assert (target / "index.html").read_bytes() == site["index.html"]


def test_folder_deploy_leaves_files_edited_since_the_last_deploy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_journal(tmp_path, POSTS, config=CONFIG)
    target = tmp_path / "www"
    assert main(["deploy", "--to", str(target), "--root", str(root)]) == 0
    (target / "2024/two/index.html").write_text("fixed by hand on the server\n")
    (target / "2024/one/index.html").write_text("also edited\n")
    (root / "content/posts/2024/one.md").unlink()  # its page is no longer in the site
    (root / "content/posts/2024/two.md").write_text(post_text("2024-02-03", "New.\n", title="Two"))
    capsys.readouterr()
    assert main(["deploy", "--to", str(target), "--root", str(root)]) == 0
    err = capsys.readouterr().err
    assert "warning: left 2 files as they are, edited in" in err
    assert "2024/one/index.html, 2024/two/index.html" in err
    assert (target / "2024/two/index.html").read_text() == "fixed by hand on the server\n"
    assert (target / "2024/one/index.html").read_text() == "also edited\n"
    # still theirs next time, with the same warning; --force replaces and deletes them
    assert main(["deploy", "--to", str(target), "--root", str(root)]) == 0
    assert "left 2 files as they are" in capsys.readouterr().err
    assert main(["deploy", "--to", str(target), "--root", str(root), "--force"]) == 0
    site = build_journal(root, write=False).files
    assert (target / "2024/two/index.html").read_bytes() == site["2024/two/index.html"]
    assert not (target / "2024/one").exists()
    assert main(["deploy", "--to", str(target), "--root", str(root)]) == 0
    assert "warning" not in capsys.readouterr().err

"""Deploy to a git branch for GitHub Pages.

The files become the only content of a commit on the branch (parent: the branch as it is on
the remote, else as it is here), pushed to the remote without forcing. Only git plumbing is
used, with a temporary index, so the writer's working tree, index and HEAD are never touched.
`.nojekyll` is always added (GitHub Pages would otherwise run Jekyll and drop files starting
with `_`), and `CNAME` when journal.toml has `cname`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.commands.deploy_result import DeployError, DeployResult
from generator.core.config import Config

_FALLBACK_NAME = "journal deploy"
_FALLBACK_EMAIL = "journal-deploy@localhost"


@dataclass(frozen=True)
class BranchDeploy:
    remote: str = "origin"
    branch: str = "gh-pages"
    message: str | None = None
    dry_run: bool = False
    allow_uncommitted: bool = False  # publish sources that are not committed, as they are


def pages_files(files: Mapping[str, bytes], config: Config) -> dict[str, bytes]:
    """The files of a GitHub Pages branch: the site, `.nojekyll` and `CNAME` if configured."""
    result = dict(files)
    result[".nojekyll"] = b""
    if config.cname.strip():
        result["CNAME"] = (config.cname.strip() + "\n").encode("utf-8")
    return result


class Git:
    """Runs git in one repository; the environment may point at a temporary index."""

    def __init__(self, cwd: Path, env: Mapping[str, str] | None = None) -> None:
        self.cwd = cwd
        self.env = dict(os.environ if env is None else env)

    def run(self, *args: str, stdin: bytes | None = None, check: bool = True) -> str:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.cwd,
                env=self.env,
                input=stdin if stdin is not None else b"",
                capture_output=True,
                check=False,
            )
        except FileNotFoundError as exc:
            raise DeployError("git is not installed: install it to deploy to a branch") from exc
        if check and done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            raise DeployError(f"git {args[0]} failed: {detail}")
        return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else ""

    def ok(self, *args: str) -> bool:
        """True when the git command succeeds; False when it fails or git is missing."""
        try:
            self.run(*args)
        except DeployError:
            return False
        return True


def repository_of(root: Path) -> Git:
    git = Git(root)
    if not git.ok("rev-parse", "--git-dir"):
        raise DeployError(
            f"{root} is not in a git repository: run `git init`, then "
            "`git remote add origin URL` with your repository's URL"
        )
    return git


def remote_url(git: Git, remote: str) -> str:
    if not git.ok("remote", "get-url", remote):
        raise DeployError(
            f"this repository has no remote named {remote!r}: add one with "
            f"`git remote add {remote} URL`, or pass --remote NAME"
        )
    return git.run("remote", "get-url", remote)


def check_branch_name(git: Git, branch: str) -> None:
    if not git.ok("check-ref-format", "--branch", branch):
        raise DeployError(f"{branch!r} is not a valid branch name")
    current = git.run("symbolic-ref", "-q", "--short", "HEAD", check=False)
    if current == branch:
        raise DeployError(
            f"{branch} is the branch checked out here: deploying would change it under your "
            "working tree; switch to your main branch first"
        )


SOURCES = ("content", "templates", "journal.toml")  # what a site is built from
SHOWN = 10  # uncommitted sources named in the refusal


def uncommitted_sources(git: Git) -> list[str]:
    """The journal's sources that differ from the last commit or are not in it (new files
    included, ignored ones not): the site would be built from them as they are."""
    changed = git.run("diff", "--name-only", "--relative", "HEAD", "--", *SOURCES, check=False)
    new = git.run("ls-files", "--others", "--exclude-standard", "--", *SOURCES)
    return sorted({line for line in (*changed.splitlines(), *new.splitlines()) if line})


def check_committed(git: Git) -> None:
    """Refuse to publish sources that are not committed: the branch's commit would say
    "built from" a commit that does not hold them."""
    pending = uncommitted_sources(git)
    if pending:
        more = f" and {len(pending) - SHOWN} more" if len(pending) > SHOWN else ""
        raise DeployError(
            "these sources are not committed, so the published site would not match the commit "
            f"it names: {', '.join(pending[:SHOWN])}{more}; commit them (or stash them), or "
            "publish them as they are with --allow-uncommitted"
        )


def default_message(git: Git) -> str:
    head = git.run("rev-parse", "--short", "HEAD", check=False)
    return f"Publish the site (built from {head})" if head else "Publish the site"


def with_identity(git: Git) -> Git:
    """The same repository with a committer identity: the configured one, else a fallback
    (CI machines often have none)."""
    if git.ok("var", "GIT_COMMITTER_IDENT") and git.ok("var", "GIT_AUTHOR_IDENT"):
        return git
    env = dict(git.env)
    env.setdefault("GIT_AUTHOR_NAME", _FALLBACK_NAME)
    env.setdefault("GIT_AUTHOR_EMAIL", _FALLBACK_EMAIL)
    env.setdefault("GIT_COMMITTER_NAME", _FALLBACK_NAME)
    env.setdefault("GIT_COMMITTER_EMAIL", _FALLBACK_EMAIL)
    return Git(git.cwd, env)


def remote_tip(git: Git, remote: str, branch: str) -> str | None:
    """Fetch the branch from the remote and return its commit; None when the remote has none."""
    listed = git.run("ls-remote", "--heads", remote, f"refs/heads/{branch}")
    if not listed:
        return None
    tracking = f"refs/remotes/{remote}/{branch}"
    git.run("fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:{tracking}")
    return git.run("rev-parse", "--verify", f"{tracking}^{{commit}}")


def local_tip(git: Git, branch: str) -> str | None:
    return git.run("rev-parse", "--verify", "-q", f"refs/heads/{branch}^{{commit}}", check=False)


def write_tree(git: Git, files: Mapping[str, bytes]) -> str:
    """Store the files as git objects and return the tree holding exactly them, built in a
    temporary index so the repository's own index is never touched."""
    paths = sorted(files)
    with tempfile.TemporaryDirectory(prefix="journal-deploy-") as scratch:
        folder = Path(scratch) / "files"
        for number, path in enumerate(paths):
            (folder / str(number // 1000)).mkdir(parents=True, exist_ok=True)
            (folder / str(number // 1000) / str(number)).write_bytes(files[path])
        names = "".join(f"{folder / str(n // 1000) / str(n)}\n" for n in range(len(paths))).encode()
        shas = git.run("hash-object", "-w", "--no-filters", "--stdin-paths", stdin=names).split()
        env = dict(git.env, GIT_INDEX_FILE=str(Path(scratch) / "index"))
        staged = Git(git.cwd, env)
        records = b"".join(
            f"100644 {sha}\t{path}".encode() + b"\0" for sha, path in zip(shas, paths, strict=True)
        )
        staged.run("update-index", "-z", "--add", "--index-info", stdin=records)
        return staged.run("write-tree")


def deploy_to_branch(
    root: Path, files: Mapping[str, bytes], config: Config, how: BranchDeploy
) -> DeployResult:
    """Commit `files` (plus .nojekyll and CNAME) as the whole content of `how.branch` and push
    it to `how.remote`."""
    git = repository_of(root)
    url = remote_url(git, how.remote)
    check_branch_name(git, how.branch)
    if not how.allow_uncommitted:
        check_committed(git)
    content = pages_files(files, config)
    where = f"branch {how.branch} of {how.remote} ({url})"
    if how.dry_run:
        extra = ", with CNAME" if "CNAME" in content and "CNAME" not in files else ""
        return DeployResult(
            (
                f"Would commit {len(content)} files (the site, .nojekyll{extra}) as the whole "
                f"content of {where} and push it.",
                "Dry run: nothing was committed or pushed.",
            )
        )
    git = with_identity(git)
    parent = remote_tip(git, how.remote, how.branch) or local_tip(git, how.branch)
    tree = write_tree(git, content)
    if parent and git.run("rev-parse", f"{parent}^{{tree}}") == tree:
        old = local_tip(git, how.branch)
        git.run("update-ref", f"refs/heads/{how.branch}", parent, *([old] if old else []))
        git.run("push", "--quiet", how.remote, f"refs/heads/{how.branch}:refs/heads/{how.branch}")
        return DeployResult((f"Nothing changed: {where} already holds this site.",))
    message = how.message or default_message(git)
    commit = git.run("commit-tree", tree, *(["-p", parent] if parent else []), "-m", message)
    old = local_tip(git, how.branch)
    git.run("update-ref", f"refs/heads/{how.branch}", commit, *([old] if old else []))
    try:
        git.run("push", "--quiet", how.remote, f"refs/heads/{how.branch}:refs/heads/{how.branch}")
    except DeployError as exc:
        raise DeployError(
            f"committed the site as {commit[:7]} on the local branch {how.branch}, but the push "
            f"failed ({exc}); fix that, then run the deploy again"
        ) from exc
    return DeployResult((f"Published {len(content)} files to {where}: commit {commit[:7]}.",))

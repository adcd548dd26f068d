"""Deploy a built site: to a git branch for GitHub Pages, or into a folder.

Both take the build's files ({output path: bytes}) as they are in memory, so what is deployed
is exactly what the build made.

- Branch: the files become the only content of a commit on the branch (parent: the branch as
  it is on the remote, else as it is here), pushed to the remote without forcing. Only git
  plumbing is used, with a temporary index, so the writer's working tree, index and HEAD are
  never touched. `.nojekyll` is always added (GitHub Pages would otherwise run Jekyll and drop
  files starting with `_`), and `CNAME` when journal.toml has `cname`.
- Folder: copies the files that changed and deletes only files that an earlier deploy put
  there, listed in the folder's own manifest (`.journal-deploy.json`); other files are left
  alone, so a folder shared with other things stays safe. Unless forced, it refuses to
  overwrite a file that no deploy put there, and leaves alone (with a warning) a file that
  was edited since the last deploy, told by its sha256 in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.core.config import Config
from generator.core.text import plural
from generator.pipeline.write import (
    MANIFEST,
    remove_empty_parents,
    replace_atomically,
    safe_target,
)

DEPLOY_MANIFEST = ".journal-deploy.json"
BRANCH_TARGET = "gh-pages"
_MANIFEST_VERSION = 1
_FALLBACK_NAME = "journal deploy"
_FALLBACK_EMAIL = "journal-deploy@localhost"


class DeployError(Exception):
    """Deploying cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class DeployResult:
    lines: tuple[str, ...]  # what was done (or, in a dry run, what would be)
    warnings: tuple[str, ...] = ()  # what was left undone, and why


# ---------------------------------------------------------------- a git branch


@dataclass(frozen=True)
class BranchDeploy:
    remote: str = "origin"
    branch: str = "gh-pages"
    message: str | None = None
    dry_run: bool = False


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
        try:
            return (
                subprocess.run(
                    ["git", *args], cwd=self.cwd, env=self.env, capture_output=True, check=False
                ).returncode
                == 0
            )
        except FileNotFoundError:
            return False


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


# ---------------------------------------------------------------- a folder


@dataclass(frozen=True)
class FolderPlan:
    copy: tuple[str, ...]  # new or changed
    delete: tuple[str, ...]  # put there by an earlier deploy, no longer in the site
    unchanged: int
    foreign: tuple[str, ...] = ()  # in the way, and not put there by a deploy: refused
    edited: tuple[str, ...] = ()  # put there by a deploy, edited since: left alone


def folder_problem(root: Path, folder: Path) -> str | None:
    """Why `folder` must not receive a deploy, if it must not."""
    real_root, real = root.resolve(), folder.resolve()
    protected = [real_root / "content", real_root / "templates", real_root / ".git"]
    if real == real_root or real_root.is_relative_to(real):
        return "it is the journal's folder or holds it"
    if any(real == p or real.is_relative_to(p) for p in protected):
        return "it is inside the journal's content, templates or .git"
    if real.exists() and not real.is_dir():
        return "it is a file, not a folder"
    if (real / MANIFEST).is_file():
        return "it is a build's output folder (journal build writes there); deploy elsewhere"
    return None


def read_deploy_manifest(folder: Path) -> dict[str, str]:
    """{path: sha256} of the files an earlier deploy put in the folder; unreadable: none."""
    try:
        data = json.loads((folder / DEPLOY_MANIFEST).read_text(encoding="utf-8"))
        return {str(path): str(digest) for path, digest in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def manifest_bytes(entries: Mapping[str, str]) -> bytes:
    data = {"version": _MANIFEST_VERSION, "files": dict(sorted(entries.items()))}
    return (json.dumps(data, indent=0) + "\n").encode("utf-8")


def file_digest(path: Path) -> str | None:
    """The sha256 of a regular file, None for anything else (missing, a folder, a symlink)."""
    if path.is_symlink() or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan_folder(folder: Path, files: Mapping[str, bytes], force: bool = False) -> FolderPlan:
    """What a deploy of `files` into `folder` does. A file that is in the way and that no
    deploy put there (`foreign`), or that a deploy put there and someone edited since
    (`edited`, found by its digest in the manifest), is overwritten or deleted only with
    `force`."""
    old = read_deploy_manifest(folder)
    copy: list[str] = []
    foreign: list[str] = []
    edited: list[str] = []
    unchanged = 0
    for path in sorted(files):
        target = safe_target(folder, path)
        digest = file_digest(target)
        if digest == hashlib.sha256(files[path]).hexdigest():
            unchanged += 1
        elif force or not (target.exists() or target.is_symlink()):
            copy.append(path)
        elif path not in old:
            foreign.append(path)
        elif digest != old[path]:
            edited.append(path)
        else:
            copy.append(path)
    delete: list[str] = []
    for path in sorted(p for p in old if p not in files):
        try:
            digest = file_digest(safe_target(folder, path))
        except ValueError:
            continue
        if force or digest is None or digest == old[path]:
            delete.append(path)
        else:
            edited.append(path)
    return FolderPlan(tuple(copy), tuple(delete), unchanged, tuple(foreign), tuple(sorted(edited)))


def apply_plan(folder: Path, files: Mapping[str, bytes], plan: FolderPlan) -> tuple[str, ...]:
    """Copy and delete as planned; returns what was really deleted."""
    folder.mkdir(parents=True, exist_ok=True)
    real = folder.resolve()
    old = read_deploy_manifest(folder)
    digests = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    # Edited files stay as they are, and stay in the manifest with the digest of what the
    # deploy had put there: the next deploy leaves them alone again, with the same warning.
    kept = {path: old[path] for path in plan.edited if path in old}
    final = {**{p: d for p, d in digests.items() if p not in plan.edited}, **kept}
    # Written first, so that an interrupted deploy still knows every file it may have put here.
    replace_atomically(folder / DEPLOY_MANIFEST, manifest_bytes({**old, **final}))
    for path in plan.copy:
        target = safe_target(folder, path)
        if not target.parent.resolve().is_relative_to(real):
            raise DeployError(f"{path} would be written outside {folder} through a symlink")
        replace_atomically(target, files[path])
    deleted: list[str] = []
    for path in plan.delete:
        try:
            target = safe_target(folder, path)
        except ValueError:
            continue
        if target.parent.exists() and not target.parent.resolve().is_relative_to(real):
            continue
        if target.is_file() or target.is_symlink():
            target.unlink()
            deleted.append(path)
        remove_empty_parents(target.parent, folder)
    replace_atomically(folder / DEPLOY_MANIFEST, manifest_bytes(final))
    return tuple(deleted)


_LISTED = 5  # files named in a message; the rest are counted


def listed(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:_LISTED])
    more = len(paths) - _LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def deploy_to_folder(
    root: Path,
    folder: Path,
    files: Mapping[str, bytes],
    dry_run: bool = False,
    force: bool = False,
) -> DeployResult:
    """Make `folder` hold the site: copy what changed, delete what an earlier deploy left.
    Files that no deploy put there are never overwritten, and files edited since the last
    deploy are left as they are, unless `force`."""
    reason = folder_problem(root, folder)
    if reason is not None:
        raise DeployError(f"refusing to deploy into {folder}: {reason}")
    try:
        plan = plan_folder(folder, files, force)
    except ValueError as exc:
        raise DeployError(str(exc)) from exc
    if plan.foreign:
        raise DeployError(
            f"refusing to overwrite {plural(len(plan.foreign), 'file')} in {folder} that no "
            f"deploy put there: {listed(plan.foreign)}; move them away, or pass --force to "
            "overwrite them"
        )
    warnings = (
        (
            f"left {plural(len(plan.edited), 'file')} as they are, edited in {folder} since "
            f"the last deploy: {listed(plan.edited)}; pass --force to replace them",
        )
        if plan.edited
        else ()
    )
    counts = (
        f"{plural(len(plan.copy), 'file')} to copy, {plural(len(plan.delete), 'file')} to "
        f"delete, {plan.unchanged} unchanged"
    )
    if dry_run:
        lines = [f"Would deploy into {folder}: {counts}."]
        lines += [f"  copy   {path}" for path in plan.copy]
        lines += [f"  delete {path}" for path in plan.delete]
        lines.append("Dry run: nothing was copied or deleted.")
        return DeployResult(tuple(lines), warnings)
    deleted = apply_plan(folder, files, plan)
    return DeployResult(
        (
            f"Deployed into {folder}: {plural(len(plan.copy), 'file')} copied, "
            f"{plural(len(deleted), 'file')} deleted, {plan.unchanged} unchanged.",
        ),
        warnings,
    )

"""Deploy into a folder.

Copies the files that changed and deletes only files that an earlier deploy put there, listed
in the folder's own manifest (`.journal-deploy.json`); other files are left alone, so a folder
shared with other things stays safe. Unless forced, it refuses to overwrite a file that no
deploy put there, and leaves alone (with a warning) a file that was edited since the last
deploy, told by its sha256 in the manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.commands.deploy_result import DeployError, DeployResult
from generator.core.text import plural
from generator.pipeline.write import (
    MANIFEST,
    remove_empty_parents,
    replace_atomically,
    safe_target,
)

DEPLOY_MANIFEST = ".journal-deploy.json"
_MANIFEST_VERSION = 1


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
    """What a deploy of `files` into `folder` does; `foreign` and `edited` files (see
    FolderPlan) are overwritten or deleted only with `force`."""
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
    """Make `folder` hold the site: copy what changed, delete what an earlier deploy left
    (foreign and edited files only with `force`)."""
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
    warnings: tuple[str, ...] = ()
    if plan.edited:
        warnings = (
            f"left {plural(len(plan.edited), 'file')} as they are, edited in {folder} since "
            f"the last deploy: {listed(plan.edited)}; pass --force to replace them",
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

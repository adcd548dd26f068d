"""`journal deploy`: build, then publish the site to a git branch for GitHub Pages
(deploy_branch.py) or into a folder (deploy_folder.py).

Both take the build's files ({output path: bytes}) as they are in memory, so what is deployed
is exactly what the build made.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from generator.commands.build import report_build
from generator.commands.console import Verbosity, fail, print_warning
from generator.commands.deploy_branch import BranchDeploy, deploy_to_branch
from generator.commands.deploy_folder import deploy_to_folder
from generator.commands.deploy_result import DeployError
from generator.commands.progress_bar import build_progress
from generator.core.problems import count_level
from generator.core.text import plural
from generator.pipeline.build import Request, build, load_settings
from generator.serve.hosts import is_loopback

BRANCH_TARGET = "gh-pages"
"""The `--to` that names a branch deploy; any other names a folder."""

PLACEHOLDER_DOMAINS = ("example", "example.com", "example.net", "example.org", "invalid", "test")


def unfit_address(base_url: str) -> str | None:
    """Why a site at `base_url` cannot be read by anyone else (None: it can): an address of
    this machine (localhost, 127.x.x.x, [::1], 0.0.0.0...) or a domain kept for examples."""
    name = (urlsplit(base_url).hostname or "").rstrip(".").lower()
    if is_loopback(name) or name in ("0.0.0.0", "::"):
        return "an address of this machine"
    if any(name == d or name.endswith("." + d) for d in PLACEHOLDER_DOMAINS):
        return "a domain kept for examples"
    return None


def run_deploy(
    request: Request,
    to: str,
    *,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    allow_local_url: bool = False,
    allow_uncommitted: bool = False,
    verbosity: Verbosity = Verbosity.NORMAL,
) -> int:
    """Build `request` without writing it and, when the build has no error, publish it `to`
    a branch of `remote` (`to` is BRANCH_TARGET) or into the folder `to`. A base_url of this
    machine or a placeholder domain is refused unless `allow_local_url`; a branch deploy of
    sources that are not committed, unless `allow_uncommitted`."""
    with build_progress(verbosity) as progress:
        result = build(replace(request, progress=progress), write=False)
    report_build(result, request, verbosity)
    if not result.ok:
        errors = count_level(result.problems, "error")
        print(f"Nothing deployed: the build has {plural(errors, 'error')}")
        return 1
    config = load_settings(request)[0]
    unfit = unfit_address(config.base_url)
    if unfit and not allow_local_url:
        return fail(
            f"base_url is {config.base_url}, {unfit}: the feeds, canonical links and sitemap "
            "would send readers there. Set base_url in journal.toml to the site's address "
            "(or pass --base-url); --allow-local-url deploys anyway"
        )
    try:
        if to == BRANCH_TARGET:
            how = BranchDeploy(remote, branch, message, dry_run, allow_uncommitted)
            done = deploy_to_branch(request.root, result.files, config, how)
        else:
            done = deploy_to_folder(request.root, Path(to), result.files, dry_run, force=force)
    except DeployError as exc:
        return fail(f"{exc}")
    except OSError as exc:
        where = exc.filename or to
        return fail(f"cannot write {where}: {exc.strerror or exc}")
    for line in done.warnings:
        print_warning(line, verbosity)
    if verbosity is not Verbosity.QUIET:
        print("\n".join(done.lines))
    return 0

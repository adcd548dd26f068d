"""`journal deploy`: build, then publish the site to a git branch for GitHub Pages
(deploy_branch.py) or into a folder (deploy_folder.py).

Both take the build's files ({output path: bytes}) as they are in memory, so what is deployed
is exactly what the build made.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

from generator.commands.console import fail, print_problems
from generator.commands.deploy_branch import BranchDeploy, deploy_to_branch
from generator.commands.deploy_folder import deploy_to_folder
from generator.commands.deploy_result import DeployError
from generator.core.problems import count_level
from generator.core.text import plural
from generator.pipeline.build import Request, build, load_settings

BRANCH_TARGET = "gh-pages"
"""The `--to` that names a branch deploy; any other names a folder."""


def run_deploy(
    request: Request,
    to: str,
    *,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
    dry_run: bool = False,
    force: bool = False,
) -> int:
    """Build `request` without writing it and, when the build has no error, publish it `to`
    a branch of `remote` (`to` is BRANCH_TARGET) or into the folder `to`."""
    result = build(request, write=False)
    print_problems(result.problems)
    if not result.ok:
        errors = count_level(result.problems, "error")
        print(f"Nothing deployed: the build has {plural(errors, 'error')}")
        return 1
    config = load_settings(request)[0]
    if urlsplit(config.base_url).hostname in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: base_url is {config.base_url}: feeds, canonical links and the sitemap "
            "will point to this machine; set base_url in journal.toml to the site's address",
            file=sys.stderr,
        )
    try:
        if to == BRANCH_TARGET:
            how = BranchDeploy(remote, branch, message, dry_run)
            done = deploy_to_branch(request.root, result.files, config, how)
        else:
            done = deploy_to_folder(request.root, Path(to), result.files, dry_run, force=force)
    except DeployError as exc:
        return fail(f"{exc}")
    except OSError as exc:
        where = exc.filename or to
        return fail(f"cannot write {where}: {exc.strerror or exc}")
    for line in done.warnings:
        print(f"warning: {line}", file=sys.stderr)
    print("\n".join(done.lines))
    return 0

"""What a deploy, to a branch or into a folder, gives back: what it did, or why it stopped."""

from __future__ import annotations

from dataclasses import dataclass


class DeployError(Exception):
    """Deploying cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class DeployResult:
    lines: tuple[str, ...]  # what was done (or, in a dry run, what would be)
    warnings: tuple[str, ...] = ()  # what was left undone, and why

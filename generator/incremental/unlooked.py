"""Keeping output files without looking at them, for a watch session that owns its output
folder (serve's preview), and looking at them once the build is done.

A writer whose manifest is the one its process saved last (`SiteWriter.remembered`) can take
the files that manifest lists to be as it left them (`keep_unlooked`): nothing else writes
that folder. `altered_files` checks afterwards, when no build is waiting for it; a file found
changed makes the next build look at every file it keeps. At 10,000 posts a one-post edit
takes 147 ms so, and 213 to 240 ms when every kept file is looked at first
(benchmarks/run.py, two runs).
"""

from __future__ import annotations

from collections.abc import Collection

from generator.pipeline.staging import left_as, status_key
from generator.pipeline.write import MANIFEST, SiteWriter, WriterMemory


def keep_unlooked(writer: SiteWriter, paths: Collection[str]) -> list[str]:
    """Keep the files of `paths` as the writer's remembered manifest lists them, without
    looking at them; the paths it does not list. Refuses all if the manifest was not the
    one remembered."""
    if not writer.remembered:
        return list(paths)
    old = writer.old
    listed = paths if all(map(old.__contains__, paths)) else [p for p in paths if p in old]
    writer.current.update(zip(listed, map(old.__getitem__, listed), strict=True))
    writer.unchanged += len(listed)
    return [path for path in paths if path not in old] if len(listed) < len(paths) else []


def altered_files(memory: WriterMemory) -> list[str]:
    """The paths of `memory` whose files are no longer as its build left them (changed,
    replaced or gone); every path if the manifest itself changed since."""
    if status_key(memory.real_out / MANIFEST) != memory.manifest_status:
        return sorted(memory.entries)
    targets = memory.layout.targets
    return sorted(
        path
        for path, entry in memory.entries.items()
        if path not in targets or not left_as(targets[path], entry)
    )

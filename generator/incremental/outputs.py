"""The output files a watch session keeps between builds, and how a build keeps them.

For each file of the last committed build it remembers an `Output`: the fingerprint of what
made it (fingerprint.py: a page's template name and context; any other file's bytes), the
templates a page read and the digest of their sources (template_reads.py), and the SHA-256 of
the bytes written. A page whose fingerprint and templates are as they were, and whose file the
output's manifest still vouches for, is neither drawn nor written. The files of pages a short
plan did not make again (`replan.plan_again`) are looked at before they are kept, unless the
session owns its output folder (serve's preview): then `KeptOutput.audit` looks at them once
the build is done. A file that is not as the last build left it is made again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import jinja2

from generator.core.problems import Problem, has_errors
from generator.incremental.fingerprint import Fingerprinter
from generator.incremental.replan import Plan
from generator.incremental.template_reads import ReadingEnvironment, TemplateSources
from generator.incremental.unlooked import altered_files, keep_unlooked
from generator.pipeline.emit import Destination, Emitted, aborted_on_failure, open_writer
from generator.pipeline.figures import Clock
from generator.pipeline.render import Page, Recipe, page_chunks, page_problem
from generator.pipeline.write import WriterMemory

_UNKNOWN = b""  # the fingerprint of a page whose context was not digested


@dataclass(frozen=True)
class Output:
    """One output file as the last committed build made it."""

    fingerprint: bytes  # of its template name and context (pages) or of its bytes (others)
    sha256: str
    reads: frozenset[str] = frozenset()  # the templates a page read while it was drawn
    sources: bytes = b""  # the digest of their sources then (`TemplateSources.digest`)


@dataclass(frozen=True)
class Drawing:
    """The templates a build draws with."""

    templates: str  # the digest of every template file (`session.templates_digest`)
    env: ReadingEnvironment
    sources: TemplateSources  # of `env`'s templates, for the pages' recorded reads


@dataclass(frozen=True)
class Making:
    """What a build makes: the pages of its plan, drawn with `drawing`, and other files."""

    plan: Plan  # its pages are emptied as they are drawn
    paths: Sequence[str]  # every page's path, in output order, those the plan keeps too
    other: Mapping[str, bytes]  # the assets and the journal's static files, by path
    drawing: Drawing


@dataclass
class Emitting(Emitted):
    """`Emitted`, with each file made or kept as the next build will find it."""

    outputs: dict[str, Output] = field(default_factory=dict)


@dataclass(frozen=True)
class _Drawn:
    drawn: int  # pages drawn
    kept: int  # pages whose file was kept, their fingerprint the same


class KeptOutput:
    """The last committed build's output files, and what its writer left (`WriterMemory`)."""

    def __init__(self, own_output: bool) -> None:
        """`own_output=True` when nothing else writes the output folder between builds."""
        self._own_output = own_output
        self._look = True  # the next short plan looks at each file it keeps
        self._outputs: dict[str, Output] = {}
        self._fingerprints = Fingerprinter()
        self._manifest: WriterMemory | None = None

    def emit(
        self, making: Making, target: Destination, problems: Sequence[Problem], clock: Clock
    ) -> Emitting:
        """Draw and write every file (`making.plan.pages` is emptied on the way); pages whose
        fingerprint did not change, and those the plan did not make again, are kept.
        Nothing is written when `problems` hold an error already."""
        emitted = Emitting()
        if target.write and not has_errors(problems):
            paths = [*making.other, *making.paths]
            open_writer(emitted, target, paths, known=self._manifest)
        with aborted_on_failure(emitted.writer):
            for path, data in making.other.items():
                fingerprint = hashlib.blake2b(data, digest_size=20).digest()
                if not self._kept(emitted, path, fingerprint):
                    _put(emitted, path, fingerprint, data, target.keep_files)
            plan, env = making.plan, making.drawing.env
            views = plan.memory.views if plan.memory is not None else None
            env.keeper = views
            clock.lap("write")
            kept = self._keep_unplanned(emitted, plan, target.keep_files)
            drawn = self._draw(emitted, making, target.keep_files)
        clock.pages_rendered = drawn.drawn
        clock.pages_kept = kept + drawn.kept
        clock.lap("render")
        return emitted

    def committed(self, emitted: Emitting) -> None:
        """The build was written: its files are what the next build compares with."""
        self._outputs = emitted.outputs
        self._manifest = emitted.writer.saved if emitted.writer is not None else None
        self._look = False

    def audit(self) -> list[str]:
        """The files no longer as the last build left them: see `WatchSession.audit`."""
        memory = self._manifest
        altered = altered_files(memory) if memory is not None else []
        if altered:
            self._look = True
        return altered

    def _draw(self, emitted: Emitting, making: Making, keep_files: bool) -> _Drawn:
        """Draw the plan's pages, letting go of each once written, unless its fingerprint
        says it is as the last build made it. A template that fails is reported once. The
        counts drawn and kept."""
        plan, drawing = making.plan, making.drawing
        pages = plan.pages
        writer = emitted.writer
        failed: set[str] = set()
        drawn = kept = 0
        pages.reverse()
        while pages:
            page = pages.pop()  # let go of each page's context once it is written
            if page.template in failed:
                continue
            fingerprint: bytes | None = None
            if not keep_files:
                # A partial plan makes only pages that show a changed post: digesting their
                # contexts to find the few that did not change costs more than drawing them.
                fingerprint = _UNKNOWN
                if not plan.kept:
                    fingerprint = self._fingerprints.page(page.template, page.context)
            try:
                if self._kept(emitted, page.path, fingerprint, drawing.sources):
                    kept += 1
                    continue
                _put_page(emitted, page, drawing, fingerprint, keep_files)
                drawn += 1
            except jinja2.TemplateError as exc:
                failed.add(page.template)
                emitted.problems.append(page_problem(exc, page.template))
                if writer is not None:
                    writer.discard(page.path)
        if not plan.kept:
            self._fingerprints.forget_unused()  # (a partial plan used only some of them)
        return _Drawn(drawn, kept)

    def _kept(
        self,
        emitted: Emitting,
        path: str,
        fingerprint: bytes | None,
        sources: TemplateSources | None = None,
    ) -> bool:
        """True if the file is left as the last build made it: it was made of the same
        (for a page, with `sources`: read the same templates), and the output still holds
        it."""
        before = self._outputs.get(path)
        if not fingerprint or before is None or before.fingerprint != fingerprint:
            return False
        if sources is not None and sources.digest(before.reads) != before.sources:
            return False
        writer = emitted.writer
        if writer is None:
            return True  # a failed build: this page would render as it did, without error
        if writer.keep(path, before.sha256):
            emitted.outputs[path] = before
            return True
        return False

    def _keep_unplanned(self, emitted: Emitting, plan: Plan, keep_files: bool) -> int:
        """Keep the files of the pages the plan did not make again; a file that is not as
        the last build left it has its page made and added to `plan.pages`. The count kept."""
        writer = emitted.writer
        outputs = self._outputs
        if keep_files:
            known: Collection[str] = ()
        elif plan.kept.keys() <= outputs.keys():  # (as a short plan's always are)
            known = plan.kept.keys()
        else:
            known = [path for path in plan.kept if path in outputs]
        refused = set(plan.kept).difference(known) if len(known) < len(plan.kept) else set()
        if writer is not None and self._own_output and not self._look and writer.remembered:
            # The outputs and the writer's manifest are both the last build's, so their
            # digests agree: the files are taken to be as it left them (`audit` looks).
            refused.update(keep_unlooked(writer, known))
        elif writer is not None:
            files = ((path, outputs[path].sha256) for path in known)
            refused.update(writer.keep_all(files))
        if refused:
            known = [path for path in known if path not in refused]
        emitted.outputs.update(zip(known, map(outputs.__getitem__, known), strict=True))
        remake: dict[Recipe, set[str]] = {}
        for path in refused:
            remake.setdefault(plan.kept[path], set()).add(path)
        if remake and plan.memory is not None:
            planner = plan.memory.planner
            for recipe in sorted(remake, key=plan.memory.order.__getitem__):
                paths = remake[recipe]
                plan.pages.extend(page for page in planner.make(recipe) if page.path in paths)
        return len(plan.kept) - len(refused)


def _put_page(
    emitted: Emitting, page: Page, drawing: Drawing, fingerprint: bytes | None, keep_files: bool
) -> None:
    """Draw one page and write it: streamed to the writer, unless its bytes are kept. The
    templates it reads are noted with its output."""
    env = drawing.env
    reads: set[str] = set()
    env.reading = reads
    try:
        chunks = page_chunks(page, env)
        writer = emitted.writer
        if keep_files or writer is None:
            _put(emitted, page.path, fingerprint, b"".join(chunks), keep_files)
            return
        sha = writer.put_chunks(page.path, chunks)
    finally:
        env.reading = None
    if fingerprint is not None:
        read = frozenset(reads)
        emitted.outputs[page.path] = Output(fingerprint, sha, read, drawing.sources.digest(read))


def _put(
    emitted: Emitting, path: str, fingerprint: bytes | None, data: bytes, keep_files: bool
) -> None:
    """Write one file (and hold its bytes with `keep_files`)."""
    if keep_files:
        emitted.files[path] = data
    if emitted.writer is not None:
        sha = emitted.writer.put(path, data)
        if fingerprint is not None:
            emitted.outputs[path] = Output(fingerprint, sha)

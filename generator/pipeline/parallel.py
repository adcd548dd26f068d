"""Markdown conversion of many texts, spread over processes when that pays.

Python-Markdown holds the interpreter's lock while it works, so threads would not help;
processes do. A pool costs its start (a fork is cheap; a fresh interpreter that imports
Markdown and Pygments is not) and the copying of texts and results, so it is used only for
more texts than pay for it, on a machine with more than one CPU: `parallel_min(engine)`,
measured for each engine (docs/speed.md). Each text's rendering depends only on the text
and the engine: the results are the same, process by process, as one converter's.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed

from generator.core.faults import fault_point
from generator.pipeline.markup import (
    COMMONMARK,
    PYTHON_MARKDOWN,
    Rendered,
    make_converter,
    render_markdown,
)

# Fewer texts than this are converted here: a pool would cost more than it saves.
PARALLEL_MIN = 200  # Python-Markdown
PARALLEL_MIN_COMMONMARK = 1500  # pyromark
_CHUNKS_PER_WORKER = 4  # small enough to share the work out evenly, big enough to be cheap
_MAX_CHUNK = 400


def cpu_count() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def parallel_min(engine: str = PYTHON_MARKDOWN) -> int:
    """The fewest texts that a pool converts sooner than one process, with `engine`."""
    return PARALLEL_MIN_COMMONMARK if engine == COMMONMARK else PARALLEL_MIN


def worker_count(texts: int, cpus: int | None = None, engine: str = PYTHON_MARKDOWN) -> int:
    """How many processes to convert `texts` texts with: 1 means here, without a pool."""
    cpus = cpu_count() if cpus is None else cpus
    least = parallel_min(engine)
    if texts < least or cpus < 2:
        return 1
    return min(cpus, max(2, texts // (least // 2)))


def chunks_of(items: list[tuple[str, str]], workers: int) -> list[list[tuple[str, str]]]:
    """Chunks of about equal length of text, in the given order."""
    target = max(1, sum(len(text) for _, text in items) // (workers * _CHUNKS_PER_WORKER))
    chunks: list[list[tuple[str, str]]] = []
    start = size = 0
    for index, (_, text) in enumerate(items):
        size += len(text)
        if size >= target or index + 1 - start >= _MAX_CHUNK:
            chunks.append(items[start : index + 1])
            start, size = index + 1, 0
    if start < len(items):
        chunks.append(items[start:])
    return chunks


def pool_context() -> multiprocessing.context.BaseContext:
    """Fork when this process runs one thread (fast, and safe then); otherwise a fork server,
    since forking a process whose other threads hold locks can hang the child."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def render_texts(
    texts: dict[str, str],
    workers: int | None = None,
    consume: bool = False,
    engine: str = PYTHON_MARKDOWN,
) -> dict[str, Rendered]:
    """Each text rendered by `engine`, by its key; in `workers` processes (default: as many
    as pay).
    With `consume`, `texts` is emptied, and each text is let go of once converted (the caller
    holding no other reference, a large journal's Markdown is never all in memory with all
    its HTML)."""
    count = worker_count(len(texts), engine=engine) if workers is None else workers
    items = sorted(texts.items())
    if consume:
        texts.clear()
    if count <= 1 or len(items) < 2:
        return render_chunk(items, engine)
    chunks = chunks_of(items, count)
    items = []
    results: dict[str, Rendered] = {}
    pending: dict[Future[dict[str, Rendered]], list[tuple[str, str]]] = {}
    try:
        context = pool_context()
        parent = os.getpid() if context.get_start_method() == "fork" else None
        with ProcessPoolExecutor(
            max_workers=count, mp_context=context, initializer=end_with_parent, initargs=(parent,)
        ) as pool:
            while chunks:
                future = pool.submit(render_chunk, chunks[-1], engine)
                pending[future] = chunks.pop()
            received = fault_point("converted")
            for done in as_completed(list(pending)):
                received.passed()
                results.update(done.result())
                del pending[done]
    except (OSError, RuntimeError):
        # No processes to be had (a sandbox, a limit reached): convert what is left here.
        for chunk in [*pending.values(), *chunks]:
            results.update(render_chunk(list(chunk), engine))
    return results


def render_chunk(
    items: list[tuple[str, str]], engine: str = PYTHON_MARKDOWN
) -> dict[str, Rendered]:
    """Convert `items` with one converter of `engine` (here, or in a worker process),
    emptying the list: each text is let go of once converted."""
    converter = make_converter(engine)
    results: dict[str, Rendered] = {}
    items.reverse()
    while items:
        key, text = items.pop()
        results[key] = render_markdown(converter, text)
    return results


_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends


def end_with_parent(parent: int | None) -> None:
    """In a worker: end when the process that started it ends. A build killed mid-way (a CI
    timeout) would otherwise leave its workers asleep forever, each holding tens of MB. Linux
    has the kernel send the worker SIGKILL; elsewhere a thread looks every second. `parent`:
    the pid of the build, when it forked the worker itself (then a build that ended before
    this ran is noticed at once)."""
    started_by = os.getppid()
    if parent is not None and started_by != parent:
        os._exit(1)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0:
                if os.getppid() != started_by:  # (it ended while this was being set)
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(started_by,), daemon=True).start()


def _watch_parent(started_by: int) -> None:
    while os.getppid() == started_by:
        time.sleep(1.0)
    os._exit(1)

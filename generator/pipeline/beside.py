"""A value made in a second process while this one goes on: a build that runs once makes its
search index so, beside the drawing of its pages (features/search.py), on a second CPU.

The process is forked: it starts with this one's memory as it is (the views, the rendered
posts), so nothing is copied to it, and only the value comes back, pickled through a pipe.
A fork is safe only while this process runs one thread, and pays only with a second CPU:
otherwise, or when the fork fails, `made_beside` gives None and the caller makes the value
itself. So does a caller whose process ended without the value (`Beside.result()` is None):
the build's output is the same either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Generic, TypeVar

from generator.pipeline.parallel import cpu_count, end_with_parent

T = TypeVar("T")


@dataclass(frozen=True)
class Forked:
    """A process forked from this one, and the end of a pipe that it writes to."""

    process: BaseProcess
    receiver: Connection


@dataclass(frozen=True)
class Beside(Forked, Generic[T]):
    """A value being made in a forked process."""

    def result(self) -> T | None:
        """The value, once made; None if the process ended without it."""
        try:
            value: T | None = self.receiver.recv()
        except (EOFError, OSError):
            value = None
        finally:
            self.receiver.close()
            self.process.join()
        return value


def made_beside(make: Callable[[], T]) -> Beside[T] | None:
    """`make()` run in a process forked from this one, which goes on at once; None when
    that cannot be or would not pay (one CPU, no fork, another thread running)."""
    if cpu_count() < 2 or threading.active_count() > 1:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    forked = fork_with_pipe(_make_and_send, make, os.getpid())
    return Beside(forked.process, forked.receiver) if forked is not None else None


def fork_with_pipe(target: Callable[..., None], *args: object) -> Forked | None:
    """`target(sender, *args)` run in a process forked from this one, which goes on at once
    (`sender`: the other end of the returned pipe; EOF here when the process ends); None
    when the fork fails."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    for stream in (sys.stdout, sys.stderr):  # (the child must not write them out again)
        stream.flush()
    try:
        process = context.Process(target=_child, args=(target, sender, *args), daemon=True)
        process.start()
    except OSError:
        receiver.close()
        return None
    finally:
        sender.close()  # (the child holds its own end)
    return Forked(process, receiver)


def _child(target: Callable[..., None], *args: object) -> None:
    # Ctrl-C reaches every process of the terminal's group: this one leaves it to the build,
    # which ends it (rather than print where it was interrupted).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    target(*args)


def _make_and_send(sender: Connection, make: Callable[[], object], parent: int) -> None:
    end_with_parent(parent)
    # The collector leaves what the fork brought alone: scanning it would touch (and so
    # copy) every page of this process's memory, again at each collection.
    gc.freeze()
    sender.send(make())
    sender.close()

"""Threads and open promises, worked out from the Site's "Next:" chains (pure).

A thread is a group of posts joined by promises: each post promises at most one next post,
so a thread is a tree whose branches meet (two posts promising the same post), ending in one
last post, whose own promise may still be pending, or else in a loop (A promises B, B
promises A). Every walk here keeps a visited set, so no chain can make it loop.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from generator.pipeline.site import Site


@dataclass(frozen=True)
class ThreadStep:
    key: str
    next: str | None  # the post whose promise it keeps, in this thread; None for the last
    follows: tuple[str, ...]  # the posts whose promise it keeps, oldest first
    # Not on the thread's main line (the way back from its last post, through the post shown
    # just before at each meeting point): a side branch that joins it later.
    branch: bool = False


@dataclass(frozen=True)
class Thread:
    """Posts from first to last: each after every post that leads to it, older ones first
    where the order is free (branches). A loop is cut before its oldest post."""

    steps: tuple[ThreadStep, ...]
    coming: str | None  # the title the last post promises, not written yet
    branches: bool  # some post keeps the promises of two or more posts
    loop: bool  # the promises go round: the last post promises an earlier one

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """(Made once: /threads/ asks for every thread's keys at every build.)"""
        return tuple(step.key for step in self.steps)

    @property
    def first(self) -> str:
        return self.steps[0].key

    @property
    def last(self) -> str:
        return self.steps[-1].key


@dataclass(frozen=True)
class OpenPromise:
    """A "Next:" whose post is not written yet."""

    key: str  # the post that made the promise
    text: str  # the promised title
    date: datetime  # the promising post's date


def kept_links(site: Site) -> dict[str, str]:
    """Post -> the post that keeps its promise."""
    return {
        key: chain.target
        for key, chain in site.chains.items()
        if chain.target is not None and key in site.posts and chain.target in site.posts
    }


def threads_of(site: Site) -> tuple[Thread, ...]:
    """Every thread: posts joined by kept promises, or a lone post whose promise is pending.
    Newest first, by the date of their latest post."""
    links = kept_links(site)
    pending = {k for k, c in site.chains.items() if c.state == "pending" and k in site.posts}
    threads = [
        thread_of(group, links, site)
        for group in linked_groups(site.order, links)
        if len(group) > 1 or group[0] in pending
    ]
    threads.sort(key=lambda t: (-max(site.posts[k].date.timestamp() for k in t.keys), t.first))
    return tuple(threads)


def linked_groups(order: Iterable[str], links: Mapping[str, str]) -> list[list[str]]:
    """The posts split into groups joined by links either way (each group in `order`)."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for source, target in links.items():
        neighbours[source].add(target)
        neighbours[target].add(source)
    ordered = list(order)
    position = {key: i for i, key in enumerate(ordered)}
    seen: set[str] = set()
    groups: list[list[str]] = []
    for start in ordered:
        if start in seen:
            continue
        seen.add(start)
        group, todo = [start], [start]
        while todo:
            for other in sorted(neighbours[todo.pop()]):
                if other not in seen and other in position:
                    seen.add(other)
                    group.append(other)
                    todo.append(other)
        groups.append(sorted(group, key=position.__getitem__))
    return groups


def loop_in(group: Iterable[str], links: Mapping[str, str]) -> list[str]:
    """The posts of the group's loop, in promise order (empty when there is none).

    Every post has at most one next, so a group holds at most one loop; walking on from any
    post either ends or enters it."""
    members = set(group)
    done: set[str] = set()
    for start in sorted(members):
        walked: dict[str, int] = {}
        path: list[str] = []
        key: str | None = start
        while key is not None and key in members and key not in walked and key not in done:
            walked[key] = len(path)
            path.append(key)
            key = links.get(key)
        if key is not None and key in walked:
            return path[walked[key] :]
        done.update(path)
    return []


def thread_of(group: list[str], links: Mapping[str, str], site: Site) -> Thread:
    members = set(group)
    full = {s: links[s] for s in group if s in links and links[s] in members}
    inner = dict(full)
    loop = loop_in(group, inner)
    if loop:
        oldest = min(loop, key=lambda k: (site.posts[k].date.timestamp(), k))
        cut = loop[loop.index(oldest) - 1]  # the post in the loop that promises the oldest
        inner = {s: t for s, t in inner.items() if s != cut}
    order = first_to_last(group, inner, site)
    follows: dict[str, list[str]] = defaultdict(list)
    for source, target in sorted(inner.items()):
        follows[target].append(source)
    main_line = main_line_of(order, follows)
    steps = tuple(
        ThreadStep(
            key,
            full.get(key),
            tuple(sorted(follows[key], key=lambda k: (site.posts[k].date.timestamp(), k))),
            branch=key not in main_line,
        )
        for key in order
    )
    last_chain = site.chains.get(order[-1])
    coming = (
        last_chain.text
        if last_chain is not None and last_chain.state == "pending" and not loop
        else None
    )
    return Thread(
        steps=steps,
        coming=coming,
        branches=any(len(step.follows) > 1 for step in steps),
        loop=bool(loop),
    )


def main_line_of(order: list[str], follows: Mapping[str, list[str]]) -> set[str]:
    """The posts on the way back from the last post, taking at each post kept by several
    promises the one with the longest chain of posts behind it (on a tie, the one placed
    last, shown just before it)."""
    position = {key: i for i, key in enumerate(order)}
    depth: dict[str, int] = {}
    for post in order:  # every post comes after the posts that promise it
        depth[post] = 1 + max((depth.get(k, 0) for k in follows.get(post, ())), default=0)
    line: set[str] = set()
    key: str | None = order[-1] if order else None
    while key is not None and key not in line:
        line.add(key)
        before = follows.get(key)
        key = max(before, key=lambda k: (depth[k], position[k])) if before else None
    return line


def first_to_last(group: list[str], links: Mapping[str, str], site: Site) -> list[str]:
    """The group in promise order (links must have no loop): a post comes after every post
    that promises it; among posts free to come next, the oldest first."""
    waiting = {key: 0 for key in group}
    for target in links.values():
        waiting[target] += 1

    def rank(key: str) -> tuple[float, str]:
        return (site.posts[key].date.timestamp(), key)

    ready = [(rank(k), k) for k in group if waiting[k] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, key = heapq.heappop(ready)
        order.append(key)
        after = links.get(key)
        if after is not None:
            waiting[after] -= 1
            if waiting[after] == 0:
                heapq.heappush(ready, (rank(after), after))
    return order


def thread_index(threads: Iterable[Thread]) -> dict[str, Thread]:
    """Post -> its thread."""
    return {key: thread for thread in threads for key in thread.keys}


def open_promises(site: Site) -> tuple[OpenPromise, ...]:
    """Every pending promise, oldest promise first: the list of posts still to write."""
    found = [
        OpenPromise(key, chain.text, site.local_date(key))
        for key, chain in site.chains.items()
        if chain.state == "pending" and key in site.posts
    ]
    found.sort(key=lambda p: (p.date.timestamp(), p.key))
    return tuple(found)

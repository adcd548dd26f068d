"""The time a watch session builds at, and when a post it left out for its date is due.

A one-off build decides which posts are published with one `now` (`BuildOptions.now`). A
watch session lives for hours: each of its builds asks its clock for the time, so that a post
dated 09:00 is published by the first build at or after 09:00, and tells when the next such
post is due (`Moment.next_due`), so that whoever runs the session can build again then.

`moment_at` keeps the last build's options while the time that passed since published
nothing new: the site's graph (incremental/site_memo.py) is then taken over as after any
edit. The output is the same either way, since the options decide nothing but which posts are
published (`pipeline.site.is_published`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from generator.core.config import BuildOptions
from generator.pipeline.load import Post
from generator.pipeline.stamp import publish_horizon

Now = Callable[[], datetime]
"""A clock: the current time, aware (a naive time is taken as local time)."""


def aware_now() -> datetime:
    """The real time, with this machine's offset from UTC."""
    return datetime.now().astimezone()


@dataclass(frozen=True)
class Moment:
    """The options one build decides with, and the first moment after them at which a post
    they leave out for its date is published (None: no post waits for its date)."""

    options: BuildOptions
    next_due: datetime | None


def moment_at(
    now: datetime | None, options: BuildOptions, last: Moment | None, posts: Sequence[Post]
) -> Moment:
    """The options of a build at `now` (`options` with that `now`; None: no date is in the
    future), for these `posts`. They are the `last` build's options when nothing was
    published since (the same drafts and future settings, the clock not turned back, and no
    post due before `now`); either way, the same posts are published as at `now`."""
    fresh = replace(options, now=now)
    if last is not None and fresh.now is not None:
        kept = last.options
        if kept.now is not None and kept.now <= fresh.now and replace(kept, now=now) == fresh:
            due = publish_horizon(posts, kept)
            if due is None or fresh.now < due:
                return Moment(kept, due)
    return Moment(fresh, publish_horizon(posts, fresh))

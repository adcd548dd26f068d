"""Promised posts that are written but not published yet: a draft, or a post dated later.

A pending promise names no published post; the post it names may still be in the journal,
left out of the site. It is found as the site graph finds a kept promise's post
(`chains.PostFinder`: by title, slug, URL or source file), among the posts left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from generator.core.config import BuildOptions
from generator.pipeline.chains import PostFinder
from generator.pipeline.load import Post
from generator.pipeline.post_facts import Words, post_facts
from generator.pipeline.site import Site, is_published

WaitingState = Literal["draft", "scheduled", "left out"]


@dataclass(frozen=True)
class Waiting:
    """The post a pending promise names, written but left out of the site."""

    key: str  # its source, e.g. content/posts/2024/first-idea.md
    state: WaitingState  # a draft, dated later than now, or left out for another reason
    date: datetime  # its date in the site's time zone

    def why(self) -> str:
        """`a draft`, `scheduled for 2025-07-01` or `not published`."""
        if self.state == "draft":
            return "a draft"
        if self.state == "scheduled":
            return f"scheduled for {self.date.date().isoformat()}"
        return "not published"


def waiting_posts(
    site: Site, left_out: Iterable[Post], options: BuildOptions
) -> dict[str, Waiting]:
    """Each published post whose promise is pending -> the post of `left_out` (the journal's
    posts the site does not show, built with `options`) that its promise names, if any; of
    several, the first by source."""
    zone, words, base_path = site.config.zone, Words(), site.config.base_path
    pending = [
        post_facts(site.posts[key], zone, words)
        for key, chain in sorted(site.chains.items())
        if chain.state == "pending" and key in site.posts
    ]
    promised = [f.promise_keys for f in pending if f.promise_keys is not None]
    if not promised:
        return {}
    unpublished = {p.key: post_facts(p, zone, words) for p in left_out if p.key not in site.posts}
    titles, slugs = {k.title_key for k in promised}, {k.slug for k in promised}
    finder = PostFinder(unpublished, {}, titles, slugs)
    found: dict[str, Waiting] = {}
    for facts in pending:
        promise, keys = facts.promise, facts.promise_keys
        if promise is None or keys is None:  # (the one is None when the other is)
            continue
        named = finder.find(promise.href, base_path, facts.key, keys)
        if named:
            post = unpublished[named[0]]
            found[facts.key] = Waiting(post.key, _state(post.post, options), post.local)
    return found


def _state(post: Post, options: BuildOptions) -> WaitingState:
    if post.draft and not options.drafts:
        return "draft"
    if not is_published(post, options):
        return "scheduled"
    return "left out"  # (its URL is another post's: an error says so)

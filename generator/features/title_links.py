"""Links by title still to come, for `journal promises`: each `[[Title]]` of a published post
that no published post answers yet, and the draft or later post that will, if it is written.

Only the posts whose Markdown holds `[[` are converted (the links are found in the HTML, so
that a code span or block is left out, as the build leaves it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.core.text import plural
from generator.pipeline.load import Post
from generator.pipeline.markup import make_converter, render_markdown
from generator.pipeline.site import Site
from generator.pipeline.wikilinks import Lines, wikilink_graph


@dataclass(frozen=True)
class PendingTitle:
    """A `[[Title]]` that leads to no published post yet."""

    title: str
    source: str  # the key of the post that holds it
    waiting: Post | None  # the draft or later post of that title, if written


def pending_titles(site: Site, left_out: Sequence[Post]) -> list[PendingTitle]:
    """Each pending link by title, by source post, in the order of the text."""
    converter = make_converter(site.config.markdown)
    marked = {
        key: render_markdown(converter, post.body)
        for key, post in site.posts.items()
        if "[[" in post.body
    }
    if not marked:
        return []
    graph = wikilink_graph(marked, site.posts, site.order, lambda: left_out, Lines(_no_text))
    unpublished = {post.key: post for post in left_out}
    return [
        PendingTitle(link.title, key, unpublished.get(link.waiting or ""))
        for key, links in sorted(graph.links.items())
        for link in links
        if link.target is None
    ]


def _no_text(key: str) -> None:
    return None


def pending_title_lines(site: Site, pending: Sequence[PendingTitle]) -> list[str]:
    """The to-write list of links by title."""
    if not pending:
        return []
    lines = [f"{plural(len(pending), 'link')} by title to posts still to come:"]
    width = max(len(item.title) for item in pending) + 4
    for item in pending:
        title = site.posts[item.source].title
        known = ""
        if item.waiting is not None:
            why = (
                "a draft"
                if item.waiting.draft
                else "scheduled for "
                + (item.waiting.date.astimezone(site.config.zone).date().isoformat())
            )
            known = f"; {item.waiting.key} is {why}"
        written = f"[[{item.title}]]"
        lines.append(f"  {written:<{width}}  in “{title}” ({item.source}){known}")
    return lines

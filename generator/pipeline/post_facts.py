"""What the site graph reads of each post, worked out once per post.

The graph compares titles, tags and promises in normalized forms (`match_key`, `tag_slug`,
`slug_or_fallback`) and orders and groups posts by their moment and local date. `PostFacts`
holds those forms of one post, so that the graph's parts (pipeline/site.py,
pipeline/tags.py, pipeline/chains.py) never work them out twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from generator.core.text import match_key, slug_or_fallback, tag_slug
from generator.pipeline.load import Post
from generator.pipeline.post_fields import Promise


@dataclass(frozen=True, slots=True)
class TitleKeys:
    """The two forms a promise's text is compared in: with titles and with slugs."""

    title_key: str  # match_key(text)
    slug: str  # slug_or_fallback(text)


@dataclass(frozen=True, slots=True)
class TagForms:
    """The forms of one list of tag names, as the tags come."""

    slugs: tuple[str, ...]  # tag_slug of each tag
    keys: tuple[str, ...]  # match_key of each tag
    own_slugs: tuple[str, ...]  # the distinct slugs, in order


class PostFacts(NamedTuple):
    """What the graph needs of one post alone, in the site's time zone (the post's own fields
    it reads are here too, to be reached in one step). Read by name only. A NamedTuple rather
    than a frozen dataclass: one is made for every post of every build, and a NamedTuple is
    made several times quicker (a 10,000-post site graph takes some 10% longer to build with
    a dataclass)."""

    post: Post
    key: str
    slug: str
    tags: tuple[str, ...]
    promise: Promise | None
    moment: float  # post.date.timestamp(): the order
    local: datetime  # the date in the site's time zone
    url: str  # YYYY/slug/
    title_key: str  # match_key(title)
    tag_slugs: tuple[str, ...]  # tag_slug of each tag, as the tags come
    tag_keys: tuple[str, ...]  # match_key of each tag, as the tags come
    own_slugs: tuple[str, ...]  # the post's distinct tag slugs, in order
    promise_keys: TitleKeys | None  # the forms of the promise's text


class Words:
    """match_key, slug_or_fallback and tag_slug of each string, worked out once per build
    (the same few hundred tag names, and often the same lists of them, come back in
    thousands of posts; a promise names another post's title)."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._slugs: dict[str, str] = {}
        self._tag_slugs: dict[str, str] = {}
        self._tags: dict[tuple[str, ...], TagForms] = {}

    def key(self, text: str) -> str:
        found = self._keys.get(text)
        if found is None:
            found = self._keys[text] = match_key(text)
        return found

    def slug(self, text: str) -> str:
        found = self._slugs.get(text)
        if found is None:
            found = self._slugs[text] = slug_or_fallback(text)
        return found

    def tag_slug(self, name: str) -> str:
        found = self._tag_slugs.get(name)
        if found is None:
            found = self._tag_slugs[name] = tag_slug(name)
        return found

    def tags(self, names: tuple[str, ...]) -> TagForms:
        """The slug and match key of each tag, and the distinct slugs in order."""
        found = self._tags.get(names)
        if found is None:
            slugs = tuple(self.tag_slug(name) for name in names)
            keys = tuple(self.key(name) for name in names)
            found = self._tags[names] = TagForms(slugs, keys, tuple(dict.fromkeys(slugs)))
        return found


def post_facts(post: Post, zone: ZoneInfo, words: Words) -> PostFacts:
    """The facts of one post, its dates in `zone`; `words` shares the work of one build."""
    local = post.date.astimezone(zone)
    promise = post.promise
    forms = words.tags(post.tags)
    # (made with its fields in their order: by keyword it takes twice as long)
    return PostFacts(
        post,
        post.key,
        post.slug,
        post.tags,
        promise,
        post.date.timestamp(),
        local,
        f"{local.year}/{post.slug}/",
        words.key(post.title),
        forms.slugs,
        forms.keys,
        forms.own_slugs,
        None if promise is None else TitleKeys(words.key(promise.text), words.slug(promise.text)),
    )

"""The site graph's tags: tag names merged by slug, and the warnings of names that share one.

"Writing" and "writing" are one tag, shown in the spelling most posts use; "café" and "cafe"
are one tag too (their URLs are the same), with a warning that they were written apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter

from generator.core.problems import Problem, warning
from generator.pipeline.post_facts import PostFacts


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    posts: tuple[str, ...]  # newest first


@dataclass(frozen=True, slots=True)
class TagGraph:
    """The tags part of a Site, with the problems found making it."""

    tags: tuple[Tag, ...]  # by slug
    post_tags: Mapping[str, tuple[Tag, ...]]  # post key -> its tags, as the post lists them
    problems: tuple[Problem, ...]


def tag_graph(posts: Mapping[str, PostFacts], base_path: str) -> TagGraph:
    """The tags of the published posts (`posts`: by key, newest first)."""
    in_order = list(posts.values())
    members = tag_members(in_order)
    slug_of, key_of = tag_names(in_order)
    tags, post_tags = tag_records(in_order, members, slug_of)
    problems = tag_problems(posts, members, slug_of, key_of, base_path)
    return TagGraph(tags=tags, post_tags=post_tags, problems=tuple(problems))


def tag_members(posts: Iterable[PostFacts]) -> dict[str, list[str]]:
    """Tag slug -> the posts that have it, in the order of `posts` (newest first)."""
    members: dict[str, list[str]] = defaultdict(list)
    for facts in posts:
        for slug in facts.own_slugs:  # (distinct: each post is listed once under a tag)
            members[slug].append(facts.key)
    return members


def tag_names(posts: Collection[PostFacts]) -> tuple[dict[str, str], dict[str, str]]:
    """Each tag name as written -> its slug, and -> its match key."""

    def each(field: Callable[[PostFacts], tuple[str, ...]]) -> Iterator[str]:
        return chain.from_iterable(map(field, posts))

    names = list(each(_TAGS))
    return (
        dict(zip(names, each(_TAG_SLUGS), strict=True)),
        dict(zip(names, each(_TAG_KEYS), strict=True)),
    )


_TAGS = attrgetter("tags")
_TAG_SLUGS = attrgetter("tag_slugs")
_TAG_KEYS = attrgetter("tag_keys")


def tag_records(
    posts: Collection[PostFacts], members: Mapping[str, list[str]], slug_of: Mapping[str, str]
) -> tuple[tuple[Tag, ...], dict[str, tuple[Tag, ...]]]:
    """Tags merged by slug ("Writing" and "writing" are one tag, shown in its most used form)."""
    uses = Counter(chain.from_iterable(map(_TAGS, posts)))
    spellings: dict[str, dict[str, int]] = defaultdict(dict)
    for name, count in uses.items():
        spellings[slug_of[name]][name] = count
    tags = {
        slug: Tag(slug, _most_used(spellings[slug]), tuple(keys))
        for slug, keys in sorted(members.items())
    }
    post_tags = {f.key: tuple(map(tags.__getitem__, f.own_slugs)) for f in posts}
    return tuple(tags.values()), post_tags


def _most_used(counter: Mapping[str, int]) -> str:
    """The spelling most posts use; on a tie, one not in capitals ("Life" over "LIFE"), then
    the first in code point order ("Life" over "life")."""
    return min(counter, key=lambda name: (-counter[name], _shouts(name), name))


def _shouts(name: str) -> bool:
    return name.isupper() and sum(ch.isalpha() for ch in name) > 1


def tag_problems(
    posts: Mapping[str, PostFacts],
    members: Mapping[str, Sequence[str]],
    slug_of: Mapping[str, str],
    key_of: Mapping[str, str],
    base_path: str,
) -> list[Problem]:
    """A warning for each tag that shares its URL with a differently written tag (not just
    in other capitals or spacing: "café" and "cafe"), at the first post that uses it, on the
    tag's line: they are shown as one tag."""
    keys_of_slug: dict[str, set[str]] = defaultdict(set)
    for name, slug in slug_of.items():
        keys_of_slug[slug].add(key_of[name])
    problems: list[Problem] = []
    for slug, keys in keys_of_slug.items():
        if len(keys) > 1:  # else every tag of this slug is written alike
            problems.extend(_shared_slug_problems(slug, posts, members[slug], base_path))
    return problems


@dataclass(frozen=True, slots=True)
class _Spelling:
    """The first spelling of a slug met, oldest post first."""

    name: str
    post: str
    key: str  # its match key


def _shared_slug_problems(
    slug: str, posts: Mapping[str, PostFacts], members: Sequence[str], base_path: str
) -> list[Problem]:
    """The warnings of one slug that differently written tags share: one for each other
    spelling, at the first post (oldest first) that uses it."""
    first: _Spelling | None = None
    warned: set[str] = set()
    problems: list[Problem] = []
    for key in reversed(members):
        facts = posts[key]
        lines = facts.post.lines.tags
        for index, (name, name_slug, name_key) in enumerate(
            zip(facts.tags, facts.tag_slugs, facts.tag_keys, strict=True)
        ):
            if name_slug != slug:
                continue
            if first is None:
                first = _Spelling(name, key, name_key)
            elif first.key != name_key and name_key not in warned:
                warned.add(name_key)
                message = (
                    f'tag "{name}" has the same URL {base_path}tags/{slug}/ as tag '
                    f'"{first.name}" (in {first.post}): they are shown as one tag; rename '
                    "one of them to keep them apart"
                )
                line = lines[index] if index < len(lines) else 1  # the tag's own line
                problems.append(warning(key, line, message))
    return problems

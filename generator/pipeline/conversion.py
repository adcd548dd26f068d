"""Every source's Markdown as HTML: from the journal's cache (ROOT/.journal-cache, see
cache.py) where it is there, converted otherwise, in several processes when that pays
(parallel.py), and then cached.

A build that runs once holds each text only until it is converted (`consume`, and
`without_markdown` for the posts): at 10,000 posts the Markdown is a third of the peak memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from generator.pipeline.cache import BuildCache
from generator.pipeline.load import Journal
from generator.pipeline.markup import PYTHON_MARKDOWN, Rendered, cache_key, renderer_version
from generator.pipeline.parallel import render_texts
from generator.pipeline.site import Site


@dataclass(frozen=True)
class Converted:
    """Each text's rendering by key, and how many had to be converted."""

    rendered: dict[str, Rendered]
    converted: int


def markdown_sources(site: Site, journal: Journal) -> dict[str, str]:
    """The Markdown to render, by source key: every published post, then every theme intro."""
    texts = {key: post.body for key, post in site.posts.items()}
    texts.update({theme.key: theme.intro for theme in journal.themes})
    return texts


def render_sources(site: Site, journal: Journal) -> dict[str, Rendered]:
    """Rendered Markdown of every published post and every theme intro, by source key,
    by the site's engine."""
    texts = markdown_sources(site, journal)
    engine = site.config.markdown
    hashes = cache_keys(texts, engine)
    return rendered_by_key(texts, hashes, None, workers=None, engine=engine).rendered


def cache_keys(texts: Mapping[str, str], engine: str = PYTHON_MARKDOWN) -> dict[str, str]:
    """Each text's `cache_key` with `engine`, by key."""
    renderer = renderer_version(engine)
    return {key: cache_key(text, renderer) for key, text in texts.items()}


def rendered_by_key(
    texts: dict[str, str],
    hashes: Mapping[str, str],
    cache: BuildCache | None,
    workers: int | None,
    consume: bool = False,
    engine: str = PYTHON_MARKDOWN,
) -> Converted:
    """Each text's rendering by `engine`, by key (`hashes`: each text's `cache_key` with that
    engine, `cache_keys`): from the cache where it is, converted (and cached) otherwise. With
    `consume`, `texts` is emptied, and each text is let go of once converted."""
    wanted = {hashes[key]: text for key, text in texts.items()}
    if consume:
        texts.clear()
    found = cache.renderings(wanted) if cache is not None else {}
    missing = {digest: text for digest, text in wanted.items() if digest not in found}
    count = len(missing)
    wanted.clear()
    if missing:
        converted = render_texts(missing, workers=workers, consume=consume, engine=engine)
        if cache is not None:
            cache.store_renderings(converted)
        found.update(converted)
    return Converted({key: found[digest] for key, digest in hashes.items()}, count)


def convert_all(
    texts: dict[str, str],
    cache: BuildCache | None,
    workers: int | None,
    consume: bool,
    engine: str = PYTHON_MARKDOWN,
) -> Converted:
    """`rendered_by_key` of every source of the journal; the cache then forgets what no
    source uses any more (`BuildCache.prune_renderings`)."""
    hashes = cache_keys(texts, engine)
    converted = rendered_by_key(texts, hashes, cache, workers, consume=consume, engine=engine)
    if cache is not None:
        cache.prune_renderings(set(hashes.values()))
    return converted


def without_markdown(site: Site, journal: Journal) -> tuple[Site, Journal]:
    """The site and journal with every post's Markdown body left out (its text is set apart
    for the conversion already)."""
    light = {post.key: replace(post, body="") for post in journal.posts}
    return (
        site.with_records({key: light[key] for key in site.posts}),
        replace(journal, posts=tuple(light[post.key] for post in journal.posts)),
    )

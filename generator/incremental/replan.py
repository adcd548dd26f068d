"""Watch mode's planning: after an edit, make again only the pages that read what changed.

A full plan (`plan_fully`) makes every page, recording for each recipe (`render.Recipe`) the
posts whose views, links or containers its pages read (`KeptViews.reads`). After an edit
that leaves the site's structure as it was (`same_structure`: the same posts in the same
order, with the same URLs, dates, tags, years, themes and promises), `plan_again` works out
which posts' views changed (the edited posts, and the posts whose views link to them) and
makes only the recipes that read one of them, recording their reads again; every other page
is the same as last time. Any other edit gets a full plan.

Either way the pages made are those a full plan would make, byte for byte
(tests/test_incremental.py compares the output with a clean build after random edits).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial

from generator.incremental.kept_views import KeptViews
from generator.incremental.template_reads import ReadingEnvironment
from generator.pipeline.markup import Rendered
from generator.pipeline.render import Page, Planner, Recipe
from generator.pipeline.site import Site


@dataclass(frozen=True)
class PlanMemory:
    """What a plan leaves for the next one."""

    site: Site
    views: KeptViews
    planner: Planner
    paths: Mapping[Recipe, tuple[str, ...]]  # the files each recipe makes, in output order
    reads: Mapping[Recipe, frozenset[str]]  # the posts each recipe's pages read
    readers: Mapping[str, frozenset[Recipe]]  # post key -> the recipes that read it
    made_by: Mapping[str, Recipe]  # every file, in output order -> its recipe
    order: Mapping[Recipe, int]  # each recipe's place in output order


@dataclass(frozen=True)
class Plan:
    pages: list[Page]  # the pages to make (all of them, or those that may have changed)
    kept: Mapping[str, Recipe]  # the files left as the last plan made them, and their recipe
    memory: PlanMemory | None  # None for a build that will not run again


def plan_fully(
    site: Site,
    rendered: Mapping[str, Rendered],
    reuse: KeptViews | None,
    env: ReadingEnvironment | None = None,
    custom_css: bool = False,
) -> Plan:
    """Every page, and what a later `plan_again` needs (`env`, `custom_css`: see
    `KeptViews`)."""
    views = KeptViews(site, rendered, reuse, env, custom_css)
    planner = Planner(site, views)
    pages: list[Page] = []
    paths: dict[Recipe, tuple[str, ...]] = {}
    reads: dict[Recipe, frozenset[str]] = {}
    for recipe in planner.recipes():
        made, reads[recipe] = views.reads(partial(_made, planner, recipe))
        pages.extend(made)
        paths[recipe] = tuple(page.path for page in made)
    readers: dict[str, set[Recipe]] = {}
    for recipe, keys in reads.items():
        for key in keys:
            readers.setdefault(key, set()).add(recipe)
    memory = PlanMemory(
        site=site,
        views=views,
        planner=planner,
        paths=paths,
        reads=reads,
        readers={key: frozenset(found) for key, found in readers.items()},
        made_by={path: recipe for recipe, made in paths.items() for path in made},
        order={recipe: number for number, recipe in enumerate(paths)},
    )
    return Plan(pages, {}, memory)


def plan_again(
    memory: PlanMemory,
    site: Site,
    rendered: Mapping[str, Rendered],
    only: Collection[str] | None = None,
) -> Plan | None:
    """The pages that may differ from the last plan's, or None when the site's structure
    changed (then only a full plan will do). `only`: the posts whose records or renderings
    may be new objects since the last plan's, if that is known."""
    before = memory.views
    changed = changed_posts(memory.site, site, before.rendered, rendered, only)
    if not same_structure(memory.site, site, changed):
        return None
    near = set(changed)  # the changed posts, and those whose views link to one of them
    for key in changed:
        near.update(before.linking.get(key, ()))
    views = KeptViews(site, rendered, before, before.env, before.custom_css)
    views.take_over(before, near)
    touched = {key for key in near if views.post(key) is not before.known(key)}
    planner = Planner(site, views)
    wanted: set[Recipe] = set()
    for key in touched:
        wanted.update(memory.readers.get(key, ()))
    if touched:  # the search index's files that hold a word whose postings changed
        wanted.update(planner.changed_search_recipes(touched))
    pages: list[Page] = []
    kept = dict(memory.made_by)
    reads = dict(memory.reads)
    for recipe in sorted(wanted, key=memory.order.__getitem__):
        made, reads[recipe] = views.reads(partial(_made, planner, recipe))
        pages.extend(made)
        for path in memory.paths[recipe]:
            del kept[path]
    readers = _readers_again(memory, reads, wanted)
    again = replace(memory, site=site, views=views, planner=planner, reads=reads, readers=readers)
    return Plan(pages, kept, again)


def _made(planner: Planner, recipe: Recipe) -> list[Page]:
    return list(planner.make(recipe))


def _readers_again(
    memory: PlanMemory, reads: Mapping[Recipe, frozenset[str]], remade: Iterable[Recipe]
) -> Mapping[str, frozenset[Recipe]]:
    """`memory.readers`, brought up to date with the `reads` of the recipes made again (the
    same structure mostly reads the same posts: then it is the same mapping)."""
    readers: dict[str, frozenset[Recipe]] | None = None
    for recipe in remade:
        was, now = memory.reads[recipe], reads[recipe]
        if was == now:
            continue
        if readers is None:
            readers = dict(memory.readers)
        for key in was - now:
            readers[key] = readers[key] - {recipe}
        for key in now - was:
            readers[key] = readers.get(key, frozenset()) | {recipe}
    return memory.readers if readers is None else readers


def changed_posts(
    before: Site,
    after: Site,
    rendered_before: Mapping[str, Rendered],
    rendered_after: Mapping[str, Rendered],
    only: Collection[str] | None = None,
) -> set[str]:
    """The published posts whose record or rendering is not what it was (posts that came or
    went are left to `same_structure`, which then says no); only among `only`, if given."""
    old_posts, new_posts = before.posts, after.posts
    keys = new_posts.keys() if only is None else [k for k in sorted(only) if k in new_posts]
    found = {key for key in keys if old_posts.get(key) is not new_posts[key]}
    found = {key for key in found if old_posts.get(key) != new_posts[key]}
    was, now = rendered_before.get, rendered_after.get
    found.update(key for key in keys if was(key) is not now(key) and was(key) != now(key))
    return found


def same_structure(before: Site, after: Site, changed: Iterable[str]) -> bool:
    """True when both sites have the same pages, each showing the same posts: only the
    titles, text and summaries of the `changed` posts differ."""
    if before.config != after.config or before.order != after.order:
        return False
    for key in changed:
        old, new = before.posts[key], after.posts[key]
        if (old.date, old.slug, old.tags, old.draft) != (new.date, new.slug, new.tags, new.draft):
            return False
        if old.aliases != new.aliases:  # (each alias is a page of its own)
            return False
    return (
        before.urls == after.urls
        and before.years == after.years
        and before.tags == after.tags
        and before.chains == after.chains
        and before.wikilinks == after.wikilinks
        and before.book_pictures == after.book_pictures
    )

"""Watch mode's planning: after an edit, make again only the pages that show what changed.

A full plan (`plan_fully`) makes every page and remembers, for each post, the recipes
(`render.Recipe`) whose pages show it, and the recipes that show every post (the feed, the
archive...). After an edit that leaves the site's structure as it was (`same_structure`: the
same posts in the same order, with the same URLs, dates, tags, years, themes and promises),
`plan_again` works out which posts' views changed and makes only the recipes that show one
of them; every other page is the same as last time. Any other edit gets a full plan.

Either way the pages made are those a full plan would make, byte for byte
(tests/test_incremental.py compares the output with a clean build after random edits).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from generator.incremental.kept_views import KeptViews
from generator.pipeline.markup import Rendered
from generator.pipeline.render import Page, Planner, Recipe
from generator.pipeline.site import Site
from generator.pipeline.views import PostView


@dataclass(frozen=True)
class PlanMemory:
    """What a plan leaves for the next one."""

    site: Site
    views: KeptViews
    planner: Planner
    recipes: tuple[Recipe, ...]  # in output order
    paths: Mapping[Recipe, tuple[str, ...]]  # the files each recipe makes
    readers: Mapping[str, tuple[Recipe, ...]]  # post key -> the recipes that show it
    everything: frozenset[Recipe]  # recipes that show every post
    made_by: Mapping[str, Recipe]  # every file, in output order -> its recipe
    order: Mapping[Recipe, int]  # each recipe's place in `recipes`


@dataclass(frozen=True)
class Plan:
    pages: list[Page]  # the pages to make (all of them, or those that may have changed)
    kept: Mapping[str, Recipe]  # the files left as the last plan made them, and their recipe
    memory: PlanMemory | None  # None for a build that will not run again


def plan_fully(site: Site, rendered: Mapping[str, Rendered], reuse: KeptViews | None) -> Plan:
    """Every page, and what a later `plan_again` needs."""
    views = KeptViews(site, rendered, reuse)
    planner = Planner(site, views)
    pages: list[Page] = []
    paths: dict[Recipe, tuple[str, ...]] = {}
    readers: dict[str, list[Recipe]] = defaultdict(list)
    everything: set[Recipe] = set()
    for recipe in planner.recipes():
        made = list(planner.make(recipe))
        pages.extend(made)
        paths[recipe] = tuple(page.path for page in made)
        shows = planner.shows(recipe)
        if shows is None:
            everything.add(recipe)
            continue
        for key in shows:
            readers[key].append(recipe)
    memory = PlanMemory(
        site=site,
        views=views,
        planner=planner,
        recipes=tuple(paths),
        paths=paths,
        readers={key: tuple(found) for key, found in readers.items()},
        everything=frozenset(everything),
        made_by={path: recipe for recipe, made in paths.items() for path in made},
        order={recipe: number for number, recipe in enumerate(paths)},
    )
    return Plan(pages, {}, memory)


def plan_again(
    memory: PlanMemory,
    site: Site,
    rendered: Mapping[str, Rendered],
    only: Collection[str] | None = None,
    own_templates: bool = True,
) -> Plan | None:
    """The pages that may differ from the last plan's, or None when the site's structure
    changed (then only a full plan will do). `only`: the posts whose records or renderings
    may be new objects since the last plan's, if that is known. `own_templates`: the journal
    has templates of its own, which may show anything of any post's view on any page; the
    built-in ones show a post's neighbours on its own page alone."""
    before = memory.site
    changed = changed_posts(before, site, memory.views.rendered, rendered, only)
    if not same_structure(before, site, changed):
        return None
    near = neighbourhood(site, changed)
    views = KeptViews(site, rendered, memory.views)
    views.take_over(memory.views, near)
    touched = changed | {key for key in near if views.post(key) is not memory.views.known(key)}
    # A neighbour of an edited post whose view changed only in its links to its neighbours
    # (the edited post's new title) changed its own page alone.
    own_page_only = (
        set()
        if own_templates
        else {
            k for k in touched - changed if _neighbours_alone(memory.views.known(k), views.post(k))
        }
    )
    touched -= own_page_only
    clean_years = frozenset(y.year for y in site.years) - {
        site.local_date(key).year for key in touched
    }
    planner = Planner(
        site, views, like=memory.planner, clean_years=clean_years, renewed=frozenset(near)
    )
    wanted = set(memory.everything) if touched else set()
    for key in touched:
        wanted.update(memory.readers.get(key, ()))
    wanted.update(
        Recipe("post", key) for key in own_page_only if Recipe("post", key) in memory.order
    )
    pages: list[Page] = []
    kept = dict(memory.made_by)
    for recipe in sorted(wanted, key=memory.order.__getitem__):
        pages.extend(planner.make(recipe))
        for path in memory.paths[recipe]:
            del kept[path]
    return Plan(pages, kept, replace(memory, site=site, views=views, planner=planner))


def _neighbours_alone(before: PostView | None, now: PostView) -> bool:
    """True if the two views of a post differ in their newer and older links alone."""
    return before is not None and replace(now, newer=before.newer, older=before.older) == before


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
    return (
        before.urls == after.urls
        and before.years == after.years
        and before.tags == after.tags
        and before.chains == after.chains
    )


def neighbourhood(site: Site, keys: Iterable[str]) -> set[str]:
    """The posts whose views show one of `keys` (its title in a link): the posts themselves,
    their neighbours in time, the posts whose promise they keep, and the one they promise."""
    near: set[str] = set()
    for key in keys:
        near.add(key)
        for other in (site.newer.get(key), site.older.get(key)):
            if other is not None:
                near.add(other)
        chain = site.chains.get(key)
        if chain is not None and chain.target is not None:
            near.add(chain.target)
        near.update(site.backlinks.get(key, ()))
    return near

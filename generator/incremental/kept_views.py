"""The views a watch session keeps from one build to the next (`KeptViews`), and what each
page read of them.

After a one-post edit, most posts' views are the same as last time. `KeptViews` makes a
post's view and, when it equals the last build's, hands out the last build's object, so that
what was made of it is kept too:

- containers (a year's view, a tag's, the archive's years) while none of their posts changes;
- derived values (search entries, feed entries, mention counts), one per view object, held
  by a weak reference to the view, so that what was made of a view that is gone can be let
  go of (`forget_dead`);
- the fragments templates draw with `cached` and `cached_each` from a macro that reads its
  arguments alone (`ReadingEnvironment.pure`), and the joined blocks of 128 fragments of long
  lists (an edit of one post in a list of thousands joins one block again).

While a page is planned (`reads`), every post whose view, link or container it asked for is
recorded: those are the posts whose change makes the page again (replan.py). While a post's
view is made, the posts it links to are recorded (`linking`): a retitled post's neighbours
have their views made again, no others.

Each build's views look back one build only: a session never holds a chain of every build.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, NamedTuple, TypeVar, cast

from markupsafe import Markup, escape

from generator.incremental.template_reads import ReadingEnvironment, macro_place
from generator.pipeline.markup import Rendered
from generator.pipeline.site import Site
from generator.pipeline.views import Link, PostView, Views

# Views whose fragments are joined and kept together (see KeptViews.fragments). At 10,000
# posts a one-post edit takes 147 ms with blocks of 128, 164 to 166 ms with one block for a
# whole list (benchmarks/run.py, two runs).
BLOCK = 128

T = TypeVar("T")
V = TypeVar("V")


class _Derived(NamedTuple):
    view: Callable[[], object]  # a weak reference to the view it was made from
    value: Any


class _Block(NamedTuple):
    views: tuple[object, ...]
    joined: str  # their fragments, joined


class _Container(NamedTuple):
    keys: tuple[str, ...]  # the posts whose views it is made of
    view: Any


def _reference(view: object) -> Callable[[], object]:
    """A weak reference to the view (a strong one to what cannot have weak references)."""
    try:
        return weakref.ref(view)
    except TypeError:
        return lambda: view


class KeptViews(Views):
    """The views of one build of a watch session, taking over those of the last build
    (`reuse`) that are equal to this build's."""

    watched = True

    def __init__(
        self,
        site: Site,
        rendered: Mapping[str, Rendered],
        reuse: KeptViews | None = None,
        env: ReadingEnvironment | None = None,
        custom_css: bool = False,
    ) -> None:
        """`env`: the templates' environment, which tells the macros whose fragments may be
        kept (None: none are); `custom_css`: as for `Views`."""
        super().__init__(site, rendered, custom_css)
        self._reuse = reuse if reuse is not None and reuse.site.config == site.config else None
        if reuse is not None:
            reuse._reuse = None  # (one build looks back one build: no chain of them all)
        self.env = env
        # name -> id(view) -> what was derived from the view: checked on each use, as an id
        # can be reused once its view is gone (see `forget_dead`).
        self._derived: dict[str, dict[int, _Derived]] = {}
        # Blocks of fragments joined, this build's and the last one's (see `fragments`), by
        # (name, start, id of the first view).
        self._blocks: dict[tuple[str, int, int], _Block] = {}
        self._blocks_before: Mapping[tuple[str, int, int], _Block] = {}
        # Views made of many posts' views (a year's posts, a tag's), by (name, arg).
        self._containers: dict[tuple[str, object], _Container] = {}
        # post key -> the posts whose views link to it (recorded while views are made).
        self.linking: dict[str, set[str]] = {}
        self._reading: set[str] | None = None  # the posts the page being planned read
        self._making: str | None = None  # the post whose view is being made
        # Values made from the last build's (`carried`): this build's, and the last ones.
        self._carried: dict[str, Any] = {}
        kept = self._reuse
        self._carried_before: Mapping[str, Any] = (
            {**kept._carried_before, **kept._carried} if kept is not None else {}
        )

    def reads(self, make: Callable[[], T]) -> tuple[T, frozenset[str]]:
        """What `make()` returns, and the posts whose views, links or containers it read."""
        outer, self._reading = self._reading, set()
        try:
            return make(), frozenset(self._reading)
        finally:
            self._reading = outer

    def post(self, key: str) -> PostView:
        if self._reading is not None:
            self._reading.add(key)
        found = self._posts.get(key)
        if found is None:
            found = self._posts[key] = self._made(key)
        return found

    def link(self, key: str) -> Link:
        if self._reading is not None:
            self._reading.add(key)
        elif self._making is not None:
            self.linking.setdefault(key, set()).add(self._making)
        return super().link(key)

    def take_over(self, previous: KeptViews, except_for: set[str]) -> None:
        """Start from every view `previous` made, but those of `except_for` (which are made
        again, and taken over by `post` if they are equal): when the site's structure did
        not change and only a few posts did."""
        self.urls = previous.urls
        self._posts = dict(previous._posts)  # (a copy, then a few deletions: thousands kept)
        for key in except_for:
            self._posts.pop(key, None)
        self.linking = previous.linking  # (the same structure links the same posts)
        self._derived = previous._derived  # (each value is checked against its view)
        self._blocks_before = previous._blocks  # (only those drawn again are kept)
        self._containers = {
            name: made
            for name, made in previous._containers.items()
            if except_for.isdisjoint(made.keys)
        }

    def container(self, name: str, arg: object, keys: tuple[str, ...], make: Callable[[], T]) -> T:
        """Made once, and taken over, the same object, while none of the posts of `keys`
        changes; templates can then keep what they drew from it (`cached`)."""
        if self._reading is not None:
            self._reading.update(keys)
        found = self._containers.get((name, arg))
        if found is None or (found.keys is not keys and found.keys != keys):
            found = self._containers[(name, arg)] = _Container(keys, make())
        return cast(T, found.view)

    def known(self, key: str) -> PostView | None:
        """The view of a post if it was made (or taken over) already."""
        return self._posts.get(key)

    def derived(self, name: str, view: object, make: Callable[[], T]) -> T:
        """Made once per view object: a later build that takes the view over takes the
        value over too."""
        return self.derived_each(name, (view,), lambda _: make())[0]

    def derived_each(self, name: str, items: Iterable[V], make: Callable[[V], T]) -> list[T]:
        """`derived` for each item, in one loop (lists of thousands of posts are made of
        these)."""
        mine = self._derived.setdefault(name, {})
        theirs = self._reuse._derived.get(name, {}) if self._reuse is not None else {}
        found: list[T] = []
        for item in items:
            key = id(item)
            known = mine.get(key)
            if known is None or known.view() is not item:
                known = theirs.get(key)
                if known is None or known.view() is not item:
                    known = _Derived(_reference(item), make(item))
                mine[key] = known
            found.append(cast(T, known.value))
        return found

    def carried(self, name: str, make: Callable[[Any], T]) -> T:
        """Made once a build, from the value the last build made (or took over)."""
        if name not in self._carried:
            self._carried[name] = make(self._carried_before.get(name))
        return cast(T, self._carried[name])

    def forget_dead(self) -> int:
        """Forget what was derived from views that no longer exist (those of edited posts,
        and of the lists that held them, would otherwise pile up build after build); how
        many values were forgotten."""
        forgotten = 0
        for table in self._derived.values():
            dead = [key for key, derived in table.items() if derived.view() is None]
            for key in dead:
                del table[key]
            forgotten += len(dead)
        return forgotten

    def fragment(self, name: str, macro: Callable[..., Any], view: object, *args: object) -> Any:
        """What `macro(view, ...)` drew the first time, for as long as the view lives, if
        the macro reads its arguments alone; otherwise drawn now."""
        if self.env is None or not self.env.pure(macro):
            return macro(view, *args)
        key = _fragment_key(macro, args)
        return self.derived(key, view, partial(macro, view, *args))

    def fragments(
        self, name: str, macro: Callable[..., Any], views: Iterable[object], *args: object
    ) -> Markup:
        """`fragment` for each view, joined."""
        if self.env is None or not self.env.pure(macro):
            return Markup("").join(macro(view, *args) for view in views)
        # Each fragment is escaped once, when drawn (a no-op for what a macro returns), so
        # that joining thousands of them needs no look at each; a block of joined fragments
        # is kept while its views are the same (see BLOCK).
        key = _fragment_key(macro, args)
        items = views if isinstance(views, tuple) else tuple(views)
        mine, theirs = self._blocks, self._blocks_before
        joined: list[str] = []
        for start in range(0, len(items), BLOCK):
            block = items[start : start + BLOCK]
            where = (key, start, id(block[0]))  # (the block holds its first view: no reuse)
            found = mine.get(where) or theirs.get(where)
            if found is None or found.views != block:
                drawn = self.derived_each(key, block, lambda v: escape(macro(v, *args)))
                found = _Block(block, "".join(drawn))
            mine[where] = found
            joined.append(found.joined)
        return Markup("".join(joined))

    def _made(self, key: str) -> PostView:
        """This build's view of a post: the last build's object if it is equal."""
        outer, self._reading, self._making = self._reading, None, key
        try:
            made = self._make_post(key)
        finally:
            self._reading, self._making = outer, None
        before = self._reuse._posts.get(key) if self._reuse is not None else None
        return before if before is not None and before == made else made


def _fragment_key(macro: Callable[..., Any], args: tuple[object, ...]) -> str:
    """What a macro's fragments are kept under: the macro (its template and name: a
    journal may give two macros the same label) and the other arguments."""
    return f"fragment {macro_place(macro)} {args!r}"

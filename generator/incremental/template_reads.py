"""Which templates each page read while it was drawn: recorded, not declared.

A watch session draws its pages with a `ReadingEnvironment`, which notes every template it
hands out while a page is drawn: the page's own, what it extends, includes and imports, a
journal's overrides and the built-in files alike. A page drawn again after a template edit
is one whose recorded templates' sources (`TemplateSources`) are not what they were, or
whose context changed; editing a journal's own tag.html draws the tag pages again, and
nothing else.

It also tells which macros draw what is made of their arguments alone (`pure`): only those
may have what they drew kept with the views they drew (`cached` in templates), so a
journal's macro that reads the page, a variable set outside it or an included file is
simply drawn each time, and its output is right with no annotation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, Protocol

import jinja2
from jinja2 import nodes
from jinja2.meta import find_undeclared_variables
from markupsafe import Markup

from generator.pipeline.theme import (
    FRAGMENT_LISTS,
    FRAGMENTS,
    draw_each_uncached,
    draw_uncached,
)


class FragmentKeeper(Protocol):
    """What keeps the fragments `cached` and `cached_each` draw (a build's `KeptViews`)."""

    def fragment(self, name: str, macro: Callable[..., Any], view: object, *args: object) -> Any:
        """What `macro(view, *args)` draws."""

    def fragments(
        self, name: str, macro: Callable[..., Any], views: Iterable[object], *args: object
    ) -> Markup:
        """What `macro` draws for each of `views`, joined."""


class ReadingEnvironment(jinja2.Environment):
    """A Jinja environment that adds the name of each template it hands out to `reading`,
    while that is a set (None: not recording)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading: set[str] | None = None
        # The build's views, which keep fragments: templates reach them through the two
        # functions below, set once. (Jinja keeps a module of each template imported without
        # context, made with the globals of the day: a build's own functions set as globals
        # would live on in it, and with them that build's views and all they drew.)
        self.keeper: FragmentKeeper | None = None
        self.globals[FRAGMENTS] = self.cached
        self.globals[FRAGMENT_LISTS] = self.cached_each
        self._pure: dict[tuple[str, str], bool] = {}  # (template, macro) -> `pure`

    def get_template(
        self,
        name: str | jinja2.Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        return self._noted(super().get_template(name, parent, globals))

    def select_template(
        self,
        names: Iterable[str | jinja2.Template],
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        return self._noted(super().select_template(names, parent, globals))

    def cached(self, name: str, macro: Callable[..., Any], view: object, *args: object) -> Any:
        """`cached(name, macro, view, ...)` in a template (see `theme.draw_uncached`)."""
        keeper = self.keeper
        if keeper is None:
            return draw_uncached(name, macro, view, *args)
        return keeper.fragment(name, macro, view, *args)

    def cached_each(
        self, name: str, macro: Callable[..., Any], views: Iterable[object], *args: object
    ) -> Markup:
        """`cached_each(name, macro, views, ...)` in a template."""
        keeper = self.keeper
        if keeper is None:
            return draw_each_uncached(name, macro, views, *args)
        return keeper.fragments(name, macro, views, *args)

    def pure(self, macro: object) -> bool:
        """True if `macro` is a template's macro whose output follows from its arguments
        alone: it reads no name but its arguments, the environment's globals, macros
        imported without context and other such macros of its template, and includes
        nothing. Anything else (or a macro whose template cannot be told) is False."""
        place = macro_place(macro)
        return place is not None and self.pure_macro(*place)

    def pure_macro(self, template: str, name: str) -> bool:
        """`pure` for the macro `name` defined in `template`."""
        key = (template, name)
        if key not in self._pure:
            self._pure[key] = self._pure_in(template, name, set())
        return self._pure[key]

    def _pure_in(self, template: str, name: str, seen: set[str]) -> bool:
        """`pure` for the macro `name` of `template` (`seen`: the macros looked at already,
        taken to be pure while their own look is under way)."""
        if name in seen:
            return True
        seen.add(name)
        if self.loader is None:
            return False
        try:
            tree = self.parse(self.loader.get_source(self, template)[0], template)
        except jinja2.TemplateError:
            return False
        top = _top_level_names(tree)
        found = [node for node in tree.body if isinstance(node, nodes.Macro)]
        macro = next((node for node in found if node.name == name), None)
        if macro is None or _reads_context(macro):
            return False
        alone = nodes.Template([macro], lineno=macro.lineno)
        alone.set_environment(self)
        for free in find_undeclared_variables(alone):
            kind = top.get(free)
            if kind == "macro":
                if not self._pure_in(template, free, seen):
                    return False
            elif kind != "imported" and not (kind is None and free in self.globals):
                return False
        return True

    def _noted(self, template: jinja2.Template) -> jinja2.Template:
        if self.reading is not None and template.name is not None:
            self.reading.add(template.name)
        return template


def macro_place(macro: object) -> tuple[str, str] | None:
    """The template a Jinja macro was defined in, and its name (None: not a macro, or a
    Jinja that no longer keeps its template where this looks)."""
    if not isinstance(macro, jinja2.runtime.Macro):
        return None
    function = getattr(macro, "_func", None)
    template = getattr(function, "__globals__", {}).get("name")
    return (template, macro.name) if isinstance(template, str) else None


def _top_level_names(tree: nodes.Template) -> dict[str, str]:
    """What each name a template sets at its top level is: "macro", "imported" (from a
    template imported without context: it cannot see the page) or "other"."""
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, nodes.Macro):
            names[node.name] = "macro"
        elif isinstance(node, nodes.Import):
            names[node.target] = "other" if node.with_context else "imported"
        elif isinstance(node, nodes.FromImport):
            for item in node.names:
                target = item if isinstance(item, str) else item[1]
                names[target] = "other" if node.with_context else "imported"
        else:
            for assigned in node.find_all(nodes.Name):
                if assigned.ctx in ("store", "param"):
                    names[assigned.name] = "other"
    return names


def _reads_context(macro: nodes.Macro) -> bool:
    """True if the macro includes a template or imports one with the page's context."""
    if any(True for _ in macro.find_all(nodes.Include)):
        return True
    imports = macro.find_all((nodes.Import, nodes.FromImport))
    return any(getattr(node, "with_context", True) for node in imports)


class TemplateSources:
    """The digest of templates' sources as an environment finds them now (each read once:
    a new set of templates makes a new environment, and new sources)."""

    def __init__(self, env: jinja2.Environment) -> None:
        self._env = env
        self._known: dict[str, bytes] = {}
        # Pages read a few sets of templates, thousands of times: each set's digest, once.
        self._digests: dict[frozenset[str], bytes] = {}

    def digest(self, names: frozenset[str]) -> bytes:
        """One digest of the sources of `names` (a template that is gone counts as such)."""
        found = self._digests.get(names)
        if found is None:
            hasher = hashlib.blake2b(digest_size=20)
            for name in sorted(names):
                hasher.update(name.encode("utf-8") + b"\0" + self._source(name))
            found = self._digests[names] = hasher.digest()
        return found

    def _source(self, name: str) -> bytes:
        found = self._known.get(name)
        if found is None:
            loader = self._env.loader
            try:
                if loader is None:
                    raise jinja2.TemplateNotFound(name)
                source, _filename, _uptodate = loader.get_source(self._env, name)
                found = hashlib.blake2b(source.encode("utf-8"), digest_size=20).digest()
            except jinja2.TemplateError:  # (not found, or a link leading out of its folder)
                found = b"\0gone"
            self._known[name] = found
        return found

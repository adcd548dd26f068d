"""Which templates each page read while it was drawn: recorded, not declared.

A watch session draws its pages with a `ReadingEnvironment`, which notes every template it
hands out while a page is drawn: the page's own, what it extends, includes and imports, a
journal's overrides and the built-in files alike. A page drawn again after a template edit
is one whose recorded templates' sources (`TemplateSources`) are not what they were, or
whose context changed; editing a journal's own tag.html draws the tag pages again, and
nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, MutableMapping
from typing import Any

import jinja2


class ReadingEnvironment(jinja2.Environment):
    """A Jinja environment that adds the name of each template it hands out to `reading`,
    while that is a set (None: not recording)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading: set[str] | None = None

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

    def _noted(self, template: jinja2.Template) -> jinja2.Template:
        if self.reading is not None and template.name is not None:
            self.reading.add(template.name)
        return template


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

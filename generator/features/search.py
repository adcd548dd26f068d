"""The files of the search page: the manifest, the index split into small files by word
(search_index.py), and each post's text, so that a query downloads a few small files, not
the whole journal.

- `search/index.json`, the manifest: how many posts, how many files of each kind, and each
  post's length (one character each, oldest first) for the ranking;
- `search/f/N.json` and `search/p/N.json`: the words and the stems' postings (search_index.py);
- `search/d/N.json`: the title, URL, date and plain text of posts 4N to 4N + 3, fetched
  only for the results shown, for their snippets.

The /search/ page loads them with a small script of the default theme (assets/search.js) and
searches in the browser: no server, no outside service. Pure: the same journal always gives
the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any, cast

from babel import Locale

from generator.core.faults import fault_point
from generator.core.locales import parse_language
from generator.core.text import html_to_text
from generator.features.search_index import (
    BLOCK,
    IndexBuilder,
    SearchIndex,
    bucket_count,
    postings_path,
    update_index,
    words_path,
)
from generator.features.search_words import DocWords, Stems, doc_words
from generator.pipeline.beside import Beside, made_beside
from generator.pipeline.site import Site
from generator.pipeline.views import PostView, Views

SEARCH_INDEX = "search/index.json"  # the manifest
SEARCH_SCRIPT = "assets/search.js"


@dataclass(frozen=True)
class SearchDoc:
    """What a result shows of a post."""

    title: str
    url: str
    date: str  # in the journal's language
    iso: str
    tags: tuple[str, ...]
    text: str  # plain text, on one line


def search_doc(post: PostView) -> SearchDoc:
    return SearchDoc(
        title=post.title,
        url=post.url,
        date=post.date_human,
        iso=post.date_iso,
        tags=tuple(tag.title for tag in post.tags),
        text=html_to_text(post.html),
    )


DOCS_PER_FILE = 4  # posts' texts in one file: post N's is item N % 4 of file N // 4


def doc_path(number: int) -> str:
    """The output path of the `number`th file of posts' texts (the oldest posts': 0)."""
    return f"search/d/{number}.json"


def docs_bytes(docs: Sequence[SearchDoc]) -> bytes:
    entries = [
        {"title": doc.title, "url": doc.url, "date": doc.date, "iso": doc.iso, "text": doc.text}
        for doc in docs
    ]
    return (json.dumps(entries, **_JSON) + "\n").encode("utf-8")


def manifest_bytes(index: SearchIndex) -> bytes:
    """The manifest's bytes: what the script needs before it looks a word up."""
    content = {"block": BLOCK, "buckets": index.buckets, "docs": index.count}
    content["per_file"] = DOCS_PER_FILE
    return _json({**content, "lengths": index.lengths})


def file_bytes(index: SearchIndex, path: str) -> bytes:
    return index.files[path].encode("utf-8")


def searched_words(doc: object, stems: Stems) -> DocWords:
    """What the index holds of a post (its `SearchDoc`)."""
    assert isinstance(doc, SearchDoc)
    return doc_words(doc.text, doc.title, doc.tags, stems)


def next_index(
    before: SearchIndex | None,
    docs: Sequence[SearchDoc],
    language: str,
    new_docs: Collection[int] | None = None,
) -> SearchIndex:
    """The index of the posts' `docs` (oldest first), from the last build's when there is one:
    only the posts whose doc is a new object are read again (`new_docs`: their numbers, when
    known)."""
    stems = before.stems if before is not None else Stems(language)
    return update_index(before, docs, partial(searched_words, stems=stems), stems, new_docs)


@dataclass(frozen=True)
class PluralCount:
    """A count that takes one of the language's plural forms (CLDR's `category`): the search
    page holds its phrase for each, and the script picks by `Intl.PluralRules`."""

    category: str  # "one", "few", "many", "other", ...
    count: int


def plural_counts(language: str) -> tuple[PluralCount, ...]:
    """For each plural form of a `language` setting, the smallest count that takes it."""
    locale = parse_language(language) or Locale("en")
    found: dict[str, int] = {}
    for count in range(1000):
        found.setdefault(locale.plural_form(count), count)
    return tuple(PluralCount(category, count) for category, count in sorted(found.items()))


class SearchFiles:
    """The search files of one build, made from its views; in a watch session, the index is
    made from the last build's (`Views.carried`), reading again only the posts that changed."""

    def __init__(self, site: Site, views: Views) -> None:
        self.site = site
        self.views = views
        self._numbers: dict[str, int] | None = None
        self._index: SearchIndex | None = None
        # A build that runs once makes its index in a second process while it draws its
        # pages (`begin`); without one, it reads the posts' texts for the index as it writes
        # the texts' files (oldest first, before the index's files): each text made once.
        self._beside: Beside[IndexFiles] | None = None
        self._builder: IndexBuilder | None = None

    def begin(self) -> None:
        """In a build that runs once, before its pages are planned: start making the index
        in a second process, if there is a second CPU (pipeline/beside.py)."""
        if not self.views.watched and self._index is None and self._beside is None:
            self._beside = made_beside(self._index_files)

    def buckets(self) -> int:
        return bucket_count(len(self.site.order))

    def bucket_paths(self, bucket: int) -> tuple[str, str]:
        return (words_path(bucket), postings_path(bucket))

    def numbers(self) -> Mapping[str, int]:
        """Each post's number in the index: 0 for the oldest."""
        if self._numbers is None:
            order = self.site.order
            self._numbers = {key: len(order) - 1 - at for at, key in enumerate(order)}
        return self._numbers

    def number_of(self, key: str) -> int | None:
        """One post's number in the index (None: not published), without making the table of
        them all, as a watch session's edit asks (2.7 ms at 10,000 posts)."""
        if self._numbers is not None:
            return self._numbers.get(key)
        order = self.site.order
        try:
            return len(order) - 1 - order.index(key)
        except ValueError:
            return None

    def doc_files(self) -> int:
        """How many files hold the posts' texts."""
        return -(-len(self.site.order) // DOCS_PER_FILE)

    def doc_keys(self, file: int) -> tuple[str, ...]:
        """The posts whose texts file number `file` holds, oldest first."""
        order = self.site.order
        first = file * DOCS_PER_FILE
        return tuple(
            order[len(order) - 1 - n] for n in range(first, min(first + DOCS_PER_FILE, len(order)))
        )

    def doc(self, key: str) -> SearchDoc:
        return self.doc_of(self.views.post(key))

    def doc_of(self, post: PostView) -> SearchDoc:
        return self.views.derived("search doc", post, partial(search_doc, post))

    def file_docs(self, posts: Sequence[PostView]) -> list[SearchDoc]:
        """The docs of one file of posts' texts (`doc_keys`); in a build that runs once, read
        for the index too when they are the next it needs."""
        docs = [self.doc_of(post) for post in posts]
        if self._index is None and self._beside is None and not self.views.watched:
            numbers = self.numbers()
            builder = self._builder_of()
            for post, doc in zip(posts, docs, strict=True):
                if numbers.get(post.key) == builder.count:
                    builder.add(doc)
        return docs

    def _builder_of(self) -> IndexBuilder:
        if self._builder is None:
            stems = Stems(self.site.config.language)
            self._builder = IndexBuilder(partial(searched_words, stems=stems), stems, False)
        return self._builder

    def index(self, touched: Collection[str] | None = None) -> SearchIndex:
        """This build's index. `touched`: the only posts whose views may differ from the last
        build's, when that is known (a watch session's edit)."""
        if self._index is None:
            self._index = self.views.carried("search index", partial(self._made, touched))
        return self._index

    def _made(self, touched: Collection[str] | None, before: SearchIndex | None) -> SearchIndex:
        keys = self.site.order[::-1]
        docs: Sequence[SearchDoc]
        changed: set[int] | None = None  # (the posts whose doc is new, when known)
        if before is not None and touched is not None and len(before.docs) == len(keys):
            kept = cast(list[SearchDoc], list(before.docs))
            changed = set()
            if len(touched) > 64:
                self.numbers()  # (one table, rather than a search of the order for each)
            for key in touched:
                number = self.number_of(key)
                if number is None:
                    continue
                doc, was = self.doc(key), before.docs[number]
                if doc != was:  # (a neighbour's view is new, its text mostly the same)
                    kept[number] = doc
                    changed.add(number)
            docs = kept
        elif self.views.watched:
            posts = [self.views.post(key) for key in keys]
            docs = self.views.derived_each("search doc", posts, search_doc)
        else:  # (a build that runs once: each post's text is let go of once read)
            made = self._beside.result() if self._beside is not None else None
            self._beside = None
            if made is not None:
                return made.index(Stems(self.site.config.language))
            builder = self._builder_of()
            for key in keys[builder.count :]:  # (those the texts' files have not read yet)
                builder.add(search_doc(self.views.post(key)))
            self._builder = None
            return builder.finish()
        return next_index(before, docs, self.site.config.language, changed)

    def _index_files(self) -> IndexFiles:
        """The index of a build that runs once, made from scratch (in the second process)."""
        builder = self._builder_of()
        read = fault_point("indexing")
        for key in self.site.order[::-1]:
            read.passed()
            builder.add(search_doc(self.views.post(key)))
        return IndexFiles.of(builder.finish())


@dataclass(frozen=True)
class IndexFiles:
    """What a build that runs once keeps of its index: its files' texts and what the manifest
    says (sent back from the second process)."""

    count: int
    buckets: int
    lengths: str
    files: Mapping[str, str]

    @classmethod
    def of(cls, index: SearchIndex) -> IndexFiles:
        return cls(index.count, index.buckets, index.lengths, dict(index.files))

    def index(self, stems: Stems) -> SearchIndex:
        return SearchIndex(
            docs=(),
            count=self.count,
            buckets=self.buckets,
            lengths=self.lengths,
            postings={},
            word_docs={},
            forms={},
            members={},
            files=self.files,
            changed=frozenset(self.files),
            stems=stems,
        )


def _json(value: Mapping[str, Any]) -> bytes:
    return (json.dumps(value, **_JSON) + "\n").encode("utf-8")


_JSON: Mapping[str, Any] = MappingProxyType(
    {"ensure_ascii": False, "separators": (",", ":"), "sort_keys": True}
)

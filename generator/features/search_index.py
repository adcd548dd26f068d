"""The search index: which posts hold each word, split into small files by a hash of the word,
so that a query downloads one or two small files per word (features/search.py names the
files, assets/search.js reads them).

The posts are numbered oldest first (a new post takes the next number: no other number
changes). Two kinds of files, `buckets` of each, a power of two that grows with the journal:

- `search/f/N.json`: each word found in the posts whose stem is not the word itself, with
  its stem (`{"walking": "walk"}`), in file `bucket_of(word)`;
- `search/p/N.json`: each stem, in file `bucket_of(stem)`: the words found with that stem
  (`"w": "walk walked walking"`, for marking them in snippets) and its postings (`"p"`):
  the posts that hold it, with its weight in each, as numbers (search_words.encode_number),
  in segments of `BLOCK` posts: the segment's block, the length of the rest in characters,
  then for each post the distance from the last one (from the block's start for the first)
  and the weight.

Segments let a watch session change what one post holds without decoding a whole list
(`update_index`): an edit rewrites the segments of its block for the stems whose weight in
it changed, and the files that hold those. Made again from scratch, the index has the same
bytes (`build_index`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from generator.features.search_words import (
    MORE,
    NO_WORDS,
    SMALL_NUMBERS,
    TERMINAL,
    DocWords,
    Stems,
    bucket_of,
    encode_number,
    length_code,
)

BLOCK = 256  # posts per segment of a stem's postings
POSTS_PER_BUCKET = 16  # the number of files of each kind grows with the posts ...
MAX_BUCKETS = 512  # ... up to this many


def bucket_count(posts: int) -> int:
    """How many files of each kind an index of `posts` posts has: a power of two."""
    count = 1
    while count * 2 <= min(MAX_BUCKETS, posts // POSTS_PER_BUCKET):
        count *= 2
    return count


def postings_path(bucket: int) -> str:
    return f"search/p/{bucket}.json"


def words_path(bucket: int) -> str:
    return f"search/f/{bucket}.json"


@dataclass(frozen=True)
class SearchIndex:
    """The index of a journal's posts, and the text of each of its files."""

    docs: tuple[object, ...]  # what each post's words were read from, oldest first (if kept)
    count: int  # posts
    buckets: int
    lengths: str  # each post's `length_code`, oldest first
    postings: Mapping[str, str]  # stem -> its segments
    word_docs: Mapping[str, int]  # word -> how many posts hold it
    forms: Mapping[str, tuple[str, ...]]  # stem -> the words found with it, sorted
    members: Mapping[str, tuple[str, ...]]  # file -> the stems or words it holds, sorted
    files: Mapping[str, str]  # file -> its text
    changed: frozenset[str]  # the files whose text is not the last index's
    stems: Stems = field(compare=False, repr=False)

    def file_paths(self) -> list[str]:
        """Every file of the index but the manifest, in output order."""
        return _paths(self.buckets)


Words = Callable[[object], DocWords]  # what the index holds of a post, from its view


def build_index(
    docs: Iterable[object], words: Words, stems: Stems, keep_docs: bool = True
) -> SearchIndex:
    """The index of `docs` (oldest first) from scratch, reading each once (`keep_docs`:
    keep them and what `update_index` changes; a build that runs once keeps only the files'
    texts, and lets each doc go once read)."""
    builder = IndexBuilder(words, stems, keep_docs)
    for doc in docs:
        builder.add(doc)
    return builder.finish()


class IndexBuilder:
    """`build_index` fed one doc at a time, oldest first (`add`), then `finish`ed: a build
    that runs once reads each post's text for the index as it writes the text's file."""

    def __init__(self, words: Words, stems: Stems, keep_docs: bool) -> None:
        self.words = words
        self.stems = stems
        self.keep_docs = keep_docs
        self.count = 0  # docs added
        self._parts: dict[str, list[str]] = {}
        self._word_docs: Counter[str] = Counter()
        self._lengths: list[str] = []
        self._kept: list[object] = []
        self._found: dict[str, list[int]] = {}  # stem -> offset, weight, offset, weight, ...
        self._block = 0

    def add(self, doc: object) -> None:
        """Read the next post's doc (number `count`)."""
        number = self.count
        if number // BLOCK != self._block:
            _flush(self._parts, self._block, self._found)
            self._found, self._block = {}, number // BLOCK
        if self.keep_docs:
            self._kept.append(doc)
        self.count += 1
        offset = number % BLOCK
        held = self.words(doc)
        self._lengths.append(length_code(held.length))
        self._word_docs.update(held.words)
        found = self._found
        for stem, weight in held.weights.items():
            entries = found.get(stem)
            if entries is None:
                found[stem] = [offset, weight]
            else:
                entries.append(offset)
                entries.append(weight)

    def finish(self) -> SearchIndex:
        """The index of the docs added."""
        parts, stems, keep_docs = self._parts, self.stems, self.keep_docs
        _flush(parts, self._block, self._found)
        self._found = {}
        postings = {stem: "".join(parts.pop(stem)) for stem in list(parts)}
        word_docs = self._word_docs
        forms = _forms(word_docs, stems)
        buckets = bucket_count(self.count)
        members = _members(postings, forms, stems, buckets)
        files: dict[str, str] = {}
        for path in _paths(buckets):
            keys = members.get(path, ())
            files[path] = _file_text(path, keys, postings, forms, stems)
            if not keep_docs and path.startswith("search/p/"):
                for stem in keys:  # (what a build that runs once no longer needs, let go of)
                    del postings[stem]
        if not keep_docs:  # (nothing will be changed: only the files' texts are kept)
            postings, word_docs, forms, members = {}, Counter(), {}, {}
        return SearchIndex(
            docs=tuple(self._kept),
            count=self.count,
            buckets=buckets,
            lengths="".join(self._lengths),
            postings=postings,
            word_docs=dict(word_docs),
            forms=forms,
            members=members,
            files=files,
            changed=frozenset(files),
            stems=stems,
        )


def _flush(parts: dict[str, list[str]], block: int, found: Mapping[str, Sequence[int]]) -> None:
    for stem, entries in found.items():
        parts.setdefault(stem, []).append(_segment(block, entries))


def update_index(
    before: SearchIndex | None,
    docs: Sequence[object],
    words: Words,
    stems: Stems,
    new_docs: Collection[int] | None = None,
) -> SearchIndex:
    """The index of `docs`, made from `before` (the last build's) by changing what the posts
    whose view is not the same object hold (`new_docs`: their numbers, when the caller knows
    them; else each doc is compared); from scratch when most changed. The index's `changed`
    tells the files whose text is not `before`'s."""
    if before is None or len(before.docs) != before.count:
        return build_index(docs, words, stems)
    old = before.docs
    size = max(len(old), len(docs))
    changed_docs = (
        sorted(new_docs)
        if new_docs is not None and len(old) == len(docs)
        else [
            number
            for number in range(size)
            if number >= len(old) or number >= len(docs) or old[number] is not docs[number]
        ]
    )
    if bucket_count(len(docs)) != before.buckets or len(changed_docs) * 4 > len(docs):
        fresh = build_index(docs, words, before.stems)
        changed = frozenset(p for p, text in fresh.files.items() if before.files.get(p) != text)
        return replace(fresh, changed=changed)
    return _Update(before, docs, words).run(changed_docs)


class _Update:
    """One `update_index` of a few posts."""

    def __init__(self, before: SearchIndex, docs: Sequence[object], words: Words) -> None:
        self.before = before
        self.docs = docs
        self.words = words
        self.stems = before.stems
        self.edits: dict[str, dict[int, dict[int, int]]] = {}  # stem -> block -> post -> weight
        self.word_change: Counter[str] = Counter()
        self.lengths = list(before.lengths[: len(docs)])

    def run(self, changed_docs: Iterable[int]) -> SearchIndex:
        before, docs = self.before, self.docs
        for number in changed_docs:
            was = self.words(before.docs[number]) if number < len(before.docs) else NO_WORDS
            now = self.words(docs[number]) if number < len(docs) else NO_WORDS
            self._post(number, was, now)
        self.lengths.extend(TERMINAL[0] for _ in range(len(self.lengths), len(docs)))
        for number in changed_docs:
            if number < len(docs):
                self.lengths[number] = length_code(self.words(docs[number]).length)
        postings = dict(before.postings)
        for stem, blocks in self.edits.items():
            text = _spliced(postings.get(stem, ""), blocks)
            if text:
                postings[stem] = text
            else:
                postings.pop(stem, None)
        word_docs = dict(before.word_docs)
        came, went = set(), set()
        for word, change in self.word_change.items():
            count = word_docs.get(word, 0) + change
            if count > 0:
                word_docs[word] = count
                if word not in before.word_docs:
                    came.add(word)
            else:
                word_docs.pop(word, None)
                went.add(word)
        forms = dict(before.forms)
        for stem in {self.stems(word) for word in came | went}:
            now_forms = (set(forms.get(stem, ())) - went) | {
                w for w in came if self.stems(w) == stem
            }
            if now_forms:
                forms[stem] = tuple(sorted(now_forms))
            else:
                forms.pop(stem, None)
        stems_touched = set(self.edits) | {self.stems(word) for word in came | went}
        words_touched = {word for word in came | went if self.stems(word) != word}
        buckets = before.buckets
        members = dict(before.members)
        paths: set[str] = set()
        for stem in stems_touched:
            path = postings_path(bucket_of(stem, buckets))
            paths.add(path)
            present = stem in postings
            if present != (stem in before.postings):
                members[path] = _toggled(members.get(path, ()), stem, present)
        for word in words_touched:
            path = words_path(bucket_of(word, buckets))
            paths.add(path)
            members[path] = _toggled(members.get(path, ()), word, word in word_docs)
        files = dict(before.files)
        changed = set()
        for path in paths:
            text = _file_text(path, members.get(path, ()), postings, forms, self.stems)
            if text != files[path]:
                files[path] = text
                changed.add(path)
        return SearchIndex(
            docs=tuple(docs),
            count=len(docs),
            buckets=buckets,
            lengths="".join(self.lengths),
            postings=postings,
            word_docs=word_docs,
            forms=forms,
            members=members,
            files=files,
            changed=frozenset(changed),
            stems=self.stems,
        )

    def _post(self, number: int, was: DocWords, now: DocWords) -> None:
        block = number // BLOCK
        for stem in was.weights.keys() | now.weights.keys():
            weight = now.weights.get(stem, 0)
            if was.weights.get(stem, 0) != weight:
                self.edits.setdefault(stem, {}).setdefault(block, {})[number % BLOCK] = weight
        self.word_change.subtract(was.words - now.words)
        self.word_change.update(now.words - was.words)


def _toggled(members: tuple[str, ...], key: str, present: bool) -> tuple[str, ...]:
    keys = set(members)
    if present:
        keys.add(key)
    else:
        keys.discard(key)
    return tuple(sorted(keys))


def _paths(buckets: int) -> list[str]:
    return [make(bucket) for make in (words_path, postings_path) for bucket in range(buckets)]


def _forms(word_docs: Mapping[str, int], stems: Stems) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for word in word_docs:
        grouped.setdefault(stems(word), []).append(word)
    return {stem: tuple(sorted(words)) for stem, words in grouped.items()}


def _members(
    postings: Mapping[str, str], forms: Mapping[str, tuple[str, ...]], stems: Stems, buckets: int
) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for stem in postings:
        grouped.setdefault(postings_path(bucket_of(stem, buckets)), []).append(stem)
    for stem, words in forms.items():
        for word in words:
            if word != stem:
                grouped.setdefault(words_path(bucket_of(word, buckets)), []).append(word)
    return {path: tuple(sorted(keys)) for path, keys in grouped.items()}


def _file_text(
    path: str,
    members: Iterable[str],
    postings: Mapping[str, str],
    forms: Mapping[str, tuple[str, ...]],
    stems: Stems,
) -> str:
    content: dict[str, object]
    if path.startswith("search/p/"):
        content = {
            stem: {"p": postings[stem], "w": " ".join(forms.get(stem, ()))} for stem in members
        }
    else:
        content = {word: stems(word) for word in members}
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def _segment(block: int, entries: Sequence[int]) -> str:
    """One block's segment of a stem's postings from offset, weight, offset, weight, ..."""
    pieces: list[str] = []
    last = 0
    for at in range(0, len(entries), 2):
        offset = entries[at]
        pieces.append(SMALL_NUMBERS[offset - last])
        pieces.append(SMALL_NUMBERS[entries[at + 1]])
        last = offset
    payload = "".join(pieces)
    return encode_number(block) + encode_number(len(payload)) + payload


class _Reader:
    """Numbers read one by one from a string of them."""

    def __init__(self, text: str, at: int = 0) -> None:
        self.text = text
        self.at = at

    def number(self) -> int:
        value = 0
        while True:
            char = self.text[self.at]
            self.at += 1
            terminal = TERMINAL.find(char)
            if terminal >= 0:
                return value * 32 + terminal
            value = value * 32 + MORE.index(char)


def _spliced(postings: str, blocks: Mapping[int, Mapping[int, int]]) -> str:
    """A stem's postings with the weights of some posts changed (0: the post no longer
    holds it), block by block."""
    pieces: list[str] = []
    reader = _Reader(postings)
    pending = sorted(blocks)
    while reader.at < len(postings) or pending:
        if reader.at >= len(postings):
            block, payload = pending[0], ""
        else:
            start = reader.at
            block = reader.number()
            length = reader.number()
            payload = postings[reader.at : reader.at + length]
            if pending and pending[0] < block:
                reader.at = start
                block, payload = pending[0], ""
            else:
                reader.at += length
        if not pending or pending[0] != block:
            pieces.append(encode_number(block) + encode_number(len(payload)) + payload)
            continue
        pending.pop(0)
        weights = _decoded(payload)
        for offset, weight in blocks[block].items():
            if weight:
                weights[offset] = weight
            else:
                weights.pop(offset, None)
        if weights:
            entries = [number for offset in sorted(weights) for number in (offset, weights[offset])]
            pieces.append(_segment(block, entries))
    return "".join(pieces)


def _decoded(payload: str) -> dict[int, int]:
    """A segment's payload as offset -> weight."""
    reader = _Reader(payload)
    weights: dict[int, int] = {}
    offset = 0
    while reader.at < len(payload):
        offset += reader.number()
        weights[offset] = reader.number()
    return weights

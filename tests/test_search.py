"""Search: the index split by word (stems, weights, postings, bounded files, the same bytes
for the same journal), the posts' texts, the manifest, the search page's phrases, and a watch
session that keeps the index up to date by changing what an edited post holds.

The search page in a real browser: tests/test_search_browser.py.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from conftest import OPTIONS, build_journal, make_journal, one, parse_html, post_text, time_limit

from generator.core.faults import FAULT_VARIABLE, strike
from generator.features import search
from generator.features.search import SEARCH_INDEX, plural_counts
from generator.features.search_index import (
    BLOCK,
    bucket_count,
    build_index,
    postings_path,
    update_index,
    words_path,
)
from generator.features.search_words import (
    MAX_WEIGHT,
    TITLE_WEIGHT,
    DocWords,
    Stems,
    bucket_of,
    decode_numbers,
    doc_words,
    encode_number,
    fold,
    stemmer_name,
    words_of,
)
from generator.incremental.session import WatchSession
from generator.pipeline.beside import fork_with_pipe, made_beside
from generator.pipeline.build import Request
from generator.pipeline.parallel import cpu_count

WALKS: dict[str, str] = {
    "content/posts/2024/river.md": post_text(
        "2024-03-01", "Two walks by the river, and a heron.\n", title="River"
    ),
    "content/posts/2024/evening.md": post_text(
        "2024-03-02", "Walking home in the evening.\n", title="Evening"
    ),
    "content/posts/2024/walked.md": post_text(
        "2024-03-03", "The dog slept all day.\n", title="Walked too far"
    ),
    "content/posts/2024/kitchen.md": post_text(
        "2024-03-04", "Bread in the kitchen. Bread again.\n", title="Kitchen"
    ),
}

VOCABULARY = " ".join(
    (
        "river morning habit garden letter window kitchen bread coffee silence rhythm voice",
        "patience budget promise thread routine practice energy focus lesson mistake story",
        "draft walk walks walking walked write writes writing wrote quiet slow careful honest",
        "open the the the a a and and of of to in is it that for on with as was we you this but",
    )
).split(" ")


def generated_journal(count: int, seed: int = 1) -> dict[str, str]:
    """`count` posts of 40 to 200 words from a small vocabulary, one a day from 2020."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    for n in range(count):
        day = 1 + n % 28
        month = 1 + (n // 28) % 12
        year = 2020 + n // (28 * 12)
        body = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(40, 200)))
        title = f"Note {n} {rng.choice(VOCABULARY)}"
        date = f"{year}-{month:02}-{day:02}"
        files[f"content/posts/{year}/note-{n}.md"] = post_text(date, body + ".\n", title=title)
    return files


def search_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {
        path: data
        for path, data in files.items()
        if path.startswith("search/") and path.endswith(".json")
    }


@dataclass(frozen=True)
class Found:
    """What assets/search.js finds for a word typed."""

    stem: str
    postings: dict[int, int]  # post number -> weight
    forms: list[str]  # the words found with the stem


def look_up(files: Mapping[str, bytes], word: str) -> Found:
    """What assets/search.js finds for a word typed (a word of the posts, not tried less its
    last letters)."""
    manifest = json.loads(files[SEARCH_INDEX])
    buckets = manifest["buckets"]
    folded = fold(word)
    stems = json.loads(files[words_path(bucket_of(folded, buckets))])
    stem = stems.get(folded, folded)
    entries = json.loads(files[postings_path(bucket_of(stem, buckets))])
    if stem not in entries:
        return Found(stem, {}, [])
    numbers = decode_numbers(entries[stem]["p"])
    postings: dict[int, int] = {}
    at = 0
    while at < len(numbers):
        doc, length = numbers[at] * manifest["block"], numbers[at + 1]
        end = at + 2 + _numbers_in(entries[stem]["p"], numbers, at + 2, length)
        for i in range(at + 2, end, 2):
            doc += numbers[i]
            postings[doc] = numbers[i + 1]
        at = end
    return Found(stem, postings, entries[stem]["w"].split())


def _numbers_in(text: str, numbers: list[int], start: int, length: int) -> int:
    """How many numbers of `numbers` from `start` on take `length` characters of `text`."""
    count, used = 0, 0
    while used < length:
        used += len(encode_number(numbers[start + count]))
        count += 1
    return count


def doc_titles(files: Mapping[str, bytes]) -> list[str]:
    manifest = json.loads(files[SEARCH_INDEX])
    per_file = manifest["per_file"]
    return [
        json.loads(files[f"search/d/{n // per_file}.json"])[n % per_file]["title"]
        for n in range(manifest["docs"])
    ]


# ---------------------------------------------------------------- words and stems


def test_words_are_folded_and_cut_as_the_script_cuts_them() -> None:
    assert words_of("Café au LAIT, naïve résumé; don’t a I 2024") == [
        "cafe",
        "au",
        "lait",
        "naive",
        "resume",
        "don",
        "2024",
    ]
    assert words_of("今日は良い天気です。パートナーシップについて考えました。") == [
        "今日", "は", "良", "い", "天気", "です", "パートナーシップ", "について", "考", "えました"
    ]  # fmt: skip


def test_each_language_gets_snowballs_stemmer_when_it_has_one() -> None:
    assert stemmer_name("en") == "english"
    assert stemmer_name("en_GB") == "english"
    assert stemmer_name("de-AT") == "german"
    assert stemmer_name("pt_BR") == "portuguese"
    assert stemmer_name("nb") == "norwegian"
    assert stemmer_name("ja") is None
    stems = Stems("en")
    assert {stems(w) for w in ("walks", "walking", "walked", "walk")} == {"walk"}
    assert stems("writing") == stems("writes")
    assert Stems("ja")("walking") == "walking"  # (no stemmer: each word is its own stem)


def test_numbers_take_one_character_below_32_and_need_no_separator() -> None:
    numbers = [0, 1, 31, 32, 1023, 1024, 99999]
    text = "".join(encode_number(n) for n in numbers)
    assert len(encode_number(31)) == 1 and len(encode_number(32)) == 2
    assert decode_numbers(text) == numbers


def test_title_and_tag_words_weigh_more_than_words_of_the_text() -> None:
    held = doc_words("A heron and a river. The river.", "Heron", ("rivers",), Stems("en"))
    assert held.weights["heron"] == 1 + TITLE_WEIGHT
    assert held.weights["river"] == 2 + TITLE_WEIGHT
    assert held.length == 5  # ("a" alone is no word)
    many = doc_words(" ".join(["river"] * 100), "", (), Stems("en"))
    assert many.weights["river"] == MAX_WEIGHT


# ---------------------------------------------------------------- the built index


def test_walks_walking_and_walked_are_found_together(tmp_path: Path) -> None:
    files = build_journal(make_journal(tmp_path, WALKS), write=False).files
    titles = doc_titles(files)
    assert titles == ["River", "Evening", "Walked too far", "Kitchen"]  # oldest first
    for typed in ("walks", "Walking", "WALKED", "walk"):
        found = look_up(files, typed)
        assert found.stem == "walk"
        assert sorted(titles[doc] for doc in found.postings) == [
            "Evening",
            "River",
            "Walked too far",
        ]
        assert found.forms == ["walked", "walking", "walks"]
    postings = look_up(files, "walked").postings
    assert postings[titles.index("Walked too far")] == TITLE_WEIGHT  # in the title
    assert postings[titles.index("River")] == 1
    assert look_up(files, "kitchen").postings == {3: 1 + TITLE_WEIGHT}
    assert look_up(files, "bread").postings == {3: 2}
    assert look_up(files, "nowhere") == Found("nowhere", {}, [])


def test_the_posts_texts_are_in_small_files_for_their_snippets(tmp_path: Path) -> None:
    files = build_journal(
        make_journal(tmp_path, {**WALKS, **generated_journal(1)}), write=False
    ).files
    assert [len(json.loads(files[f"search/d/{n}.json"])) for n in (0, 1)] == [4, 1]
    doc = json.loads(files["search/d/0.json"])[2]  # note-0 is the oldest: post 0
    assert doc == {
        "title": "Evening",
        "url": "/2024/evening/",
        "date": "2 March 2024",
        "iso": "2024-03-02T00:00:00+00:00",
        "text": "Walking home in the evening.",
    }
    manifest = json.loads(files[SEARCH_INDEX])
    assert manifest["docs"] == 5 and manifest["buckets"] == 1 and manifest["block"] == BLOCK
    assert manifest["per_file"] == 4
    assert len(manifest["lengths"]) == 5


def test_the_files_are_small_and_grow_in_number_with_the_journal(tmp_path: Path) -> None:
    files = build_journal(make_journal(tmp_path, generated_journal(300)), write=False).files
    found = search_files(files)
    buckets = bucket_count(300)
    assert buckets == 16
    assert json.loads(files[SEARCH_INDEX])["buckets"] == buckets
    index = {
        path: data for path, data in found.items() if path.startswith(("search/f/", "search/p/"))
    }
    assert len(index) == 2 * buckets
    total = sum(len(data) for data in index.values())
    largest = max(len(data) for data in index.values())
    # Each file holds a sixteenth of the words; the words in every post ("the") weigh most,
    # and still no file holds a fifth of the index.
    assert largest < total / 5, (largest, total)
    assert len([p for p in found if p.startswith("search/d/")]) == 300 // 4


def test_the_same_journal_gives_the_same_bytes(tmp_path: Path) -> None:
    files = generated_journal(40)
    first = search_files(build_journal(make_journal(tmp_path / "a", files), write=False).files)
    reordered = dict(reversed(list(files.items())))
    second = search_files(build_journal(make_journal(tmp_path / "b", reordered), write=False).files)
    assert first == second


def test_the_index_made_in_a_second_process_is_the_index_made_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that runs once makes its index beside the drawing of its pages; if that
    process ends without it (killed at its first post), the build makes it itself: the same
    bytes either way."""
    if cpu_count() < 2:
        pytest.skip("one CPU: the index is always made in the build's own process")
    started: list[object] = []

    def noted(make: Callable[[], object]) -> object:
        beside = made_beside(make)
        started.append(beside)
        return beside

    monkeypatch.setattr(search, "made_beside", noted)
    root = make_journal(tmp_path / "j", generated_journal(30))
    beside = search_files(build_journal(root, write=False).files)
    assert len(started) == 1 and started[0] is not None  # (it was made in a second process)
    monkeypatch.setenv(FAULT_VARIABLE, "indexing:0")
    here = search_files(build_journal(root, write=False).files)
    assert len(started) == 2 and started[1] is not None
    assert here == beside
    assert any(path.startswith("search/p/") for path in here)


def test_a_value_made_beside_comes_back_and_a_process_that_dies_gives_none() -> None:
    if cpu_count() < 2:
        pytest.skip("one CPU: made_beside makes nothing beside")
    made = made_beside(lambda: {"word": [1, 2, 3]})
    assert made is not None and made.result() == {"word": [1, 2, 3]}
    dead = made_beside(strike)
    assert dead is not None and dead.result() is None


def answer_after_go(sender: Connection, go: Connection) -> None:
    """In a forked process: say who it is, wait for the word, then answer."""
    sender.send(os.getpid())
    go.recv()
    sender.send("still here")


def test_a_process_forked_beside_the_build_leaves_ctrl_c_to_the_build() -> None:
    """Ctrl-C reaches every process of the terminal's group; the build ends its helpers
    itself, and they print nothing of their own (no traceback of where they were)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork: nothing is forked beside the build")
    go, say_go = multiprocessing.get_context("fork").Pipe(duplex=False)
    forked = fork_with_pipe(answer_after_go, go)
    assert forked is not None
    with time_limit(60):
        pid = forked.receiver.recv()
        os.kill(pid, signal.SIGINT)
        say_go.send("go")
        assert forked.receiver.recv() == "still here"
    forked.process.join()
    assert forked.process.exitcode == 0


@dataclass(frozen=True, eq=False)
class Doc:
    """A post as the index reads it (each a new object: an edit is a new one)."""

    title: str
    text: str


def test_an_index_changed_post_by_post_is_the_index_made_from_scratch() -> None:
    rng = random.Random(5)
    stems = Stems("en")

    def words(doc: object) -> DocWords:
        assert isinstance(doc, Doc)
        return doc_words(doc.text, doc.title, (), stems)

    def text() -> str:
        return " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(0, 30)))

    docs: list[object] = [Doc(f"Post {n}", text()) for n in range(2 * BLOCK + 40)]
    index = build_index(docs, words, stems)
    for step in range(40):
        docs = list(docs)
        kind = rng.choice(("edit", "edit", "add", "remove"))
        told: set[int] | None = None  # (half the edits say which post changed, as serve does)
        if kind == "edit":
            number = rng.randrange(len(docs))
            docs[number] = Doc(f"Post {number} {rng.choice(VOCABULARY)}", text())
            told = {number} if step % 2 else None
        elif kind == "add":
            docs.append(Doc(f"Post {len(docs)}", text()))
        else:
            docs.pop()
        updated = update_index(index, docs, words, stems, told)
        fresh = build_index(docs, words, stems)
        assert updated.files == fresh.files, step
        assert updated.lengths == fresh.lengths, step
        assert updated.changed == {p for p in fresh.files if fresh.files[p] != index.files[p]}
        index = updated


# ---------------------------------------------------------------- the search page


def test_the_search_page_holds_its_phrases_in_the_journals_language(tmp_path: Path) -> None:
    config = 'title = "T"\nbase_url = "https://example.org/"\ntimezone = "UTC"\nlanguage = "de"\n'
    root = make_journal(tmp_path, WALKS, config=config)
    form = one(parse_html(build_journal(root, write=False).files["search/index.html"]), "form")
    assert form.get("data-search-index") == "/search/index.json"
    assert form.get("data-lang") == "de"
    assert form.get("data-found-one") == "{n} Beitrag zu „{query}“ gefunden."
    assert form.get("data-found-other") == "{n} Beiträge zu „{query}“ gefunden."
    assert form.get("data-none") == "Kein Beitrag zu „{query}“ gefunden."
    assert form.get("data-searching") == "Suche läuft …"
    assert "{error}" in (form.get("data-failed") or "")
    english = make_journal(tmp_path / "en", WALKS)
    form = one(parse_html(build_journal(english, write=False).files["search/index.html"]), "form")
    assert form.get("data-found-one") == "{n} post found for “{query}”."
    assert form.get("data-found-other") == "{n} posts found for “{query}”."
    assert form.get("data-prompt") == "Type a word to search the posts."


def test_each_plural_form_has_a_count() -> None:
    assert [(p.category, p.count) for p in plural_counts("en")] == [("one", 1), ("other", 0)]
    assert {p.category for p in plural_counts("ru")} >= {"one", "few", "many"}
    assert [p.category for p in plural_counts("ja")] == ["other"]


# ---------------------------------------------------------------- in a watch session


def test_an_edit_rewrites_only_the_files_of_the_words_that_changed(tmp_path: Path) -> None:
    root = make_journal(tmp_path, generated_journal(120))
    output = tmp_path / "watched"
    session = WatchSession(Request(root, output, OPTIONS), own_output=True)
    assert session.build().ok
    post = root / "content/posts/2020/note-5.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nA kingfisher.\n", encoding="utf-8")
    result = session.build(changed={post})
    assert result.ok and result.short_plan and result.written is not None
    written = sorted(p for p in result.written.written if p.startswith("search/"))
    buckets = bucket_count(120)
    expected = {
        postings_path(bucket_of("kingfish", buckets)),
        words_path(bucket_of("kingfisher", buckets)),
    }
    # its text, the stem's postings and the word's stem (the manifest if its length's step
    # changed): no other file
    assert set(written) - {SEARCH_INDEX} == {"search/d/1.json", *expected}, written
    files = {
        path.relative_to(output).as_posix(): path.read_bytes() for path in output.rglob("*.json")
    }
    assert look_up(files, "kingfisher").postings == {5: 1}
    clean = build_journal(root, write=False).files
    assert search_files(clean) == search_files(files)

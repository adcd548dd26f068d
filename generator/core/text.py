"""Text helpers shared by the stages: slugs, title matching, word counts, HTML as text, and
keys one typo away from another (`NearKeys`)."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from generator.core.english import counted

_NON_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+(?:['’][^\W_]+)*"
)
# Slugs name folders and files: kept short enough for every file system (255 bytes a name).
MAX_SLUG_CHARS = 80
MAX_SLUG_BYTES = 200


def slugify(text: str) -> str:
    """A lowercase, hyphenated slug; accents are dropped, other scripts (CJK...) are kept.

    At most MAX_SLUG_CHARS long, cut at a hyphen where it can be (a whole title as a slug
    would make a file name too long to create). May be empty (a title made only of emoji):
    callers use `slug_or_fallback`.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    composed = unicodedata.normalize("NFKC", stripped).casefold()
    return capped_slug(_NON_WORD.sub("-", composed).strip("-"))


def capped_slug(slug: str) -> str:
    """The slug cut to MAX_SLUG_CHARS characters and MAX_SLUG_BYTES bytes of UTF-8, between
    words where that keeps most of it."""
    if len(slug) <= MAX_SLUG_CHARS and len(slug.encode("utf-8")) <= MAX_SLUG_BYTES:
        return slug
    cut = slug[:MAX_SLUG_CHARS]
    while len(cut.encode("utf-8")) > MAX_SLUG_BYTES:
        cut = cut[:-1]
    at_boundary = slug[len(cut)] == "-"
    if not at_boundary and cut.rfind("-") >= len(cut) // 2:  # else a word too long to keep
        cut = cut[: cut.rindex("-")]
    return cut.strip("-")


def slug_or_fallback(*candidates: str) -> str:
    """The first non-empty slug of the candidates, else a short stable hash of them."""
    for candidate in candidates:
        slug = slugify(candidate)
        if slug:
            return slug
    digest = hashlib.sha256("\n".join(candidates).encode("utf-8")).hexdigest()
    return f"post-{digest[:8]}"


_TAG_SIGNS = (("+", "-plus-"), ("#", "-sharp-"))
_NAME_NOISE = ("VARIATION SELECTOR", "EMOJI MODIFIER", "ZERO WIDTH", "COMBINING")


# Names Windows cannot give a file or folder, with any extension: a site holding one cannot
# be checked out or unpacked there.
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)


def windows_reserved(slug: str) -> bool:
    """True if a URL segment would be a file or folder name that Windows refuses."""
    return slug.split(".", 1)[0] in _WINDOWS_RESERVED


def tag_slug(name: str) -> str:
    """A tag's slug: signs that tell tags apart are spelled out ("C++" -> c-plus-plus, "C#"
    -> c-sharp), a tag of emoji or symbols only is named by its characters ("🎉" ->
    party-popper), else a short stable hash."""
    spelled = name
    for sign, word in _TAG_SIGNS:
        spelled = spelled.replace(sign, word)
    slug = slugify(spelled)
    if slug:
        return slug
    names = (unicodedata.name(ch, "") for ch in unicodedata.normalize("NFC", name))
    described = slugify(" ".join(n for n in names if n and not n.startswith(_NAME_NOISE)))
    return described or slug_or_fallback(name)


def match_key(title: str) -> str:
    """The form titles are compared in: case folded, punctuation and spaces collapsed.

    A title with no letters or digits (emoji, punctuation) would collapse to nothing and
    match every other such title: it is compared as written instead, case folded and with
    its spaces collapsed ("🎉" and "🎉 " match, "🎉" and "🚀" do not)."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    key = _NON_WORD.sub(" ", folded).strip()
    return key if key else " ".join(folded.split())


# Footnote marks and their back links: numbers and arrows, not words.
_FOOTNOTE_MARKS = re.compile(
    r'<sup id="fnref[^"]*">.*?</sup>|<a class="footnote-backref"[^>]*>.*?</a>', re.S
)
# Tags that separate words; every other tag (em, a, code...) sits inside a word's run.
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|li|ul|ol|dl|dt|dd|h[1-6]|br|hr|tr|td|th|table|thead|tbody|pre|blockquote|"
    r"figure|figcaption|section|article|aside|header|footer|nav|img)\b[^>]*>",
    re.I,
)
_ANY_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)


def html_to_text(fragment: str) -> str:
    """The text of rendered HTML as a reader sees it, on one line: tags dropped (block tags
    keep words apart, inline ones do not split a word), footnote marks dropped, entities
    decoded ("&rsquo;" -> "’"), runs of spaces made one."""
    # (split() and \s are the same whitespace; joining the split words is ten times faster
    # than replacing each run of spaces)
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    text = _FOOTNOTE_MARKS.sub("", fragment)
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", text))
    return " ".join(html.unescape(text).split())


def count_words(text: str) -> int:
    """Words in plain text; each CJK character counts as a word, as readers of those scripts do."""
    return len(_WORD.findall(text))


def plural(count: int, noun: str, many: str | None = None) -> str:
    """ "1 post", "2 posts", "1,204 words" (the plural by inflect: english.py)."""
    return counted(count, noun, many)


def quoted(value: str) -> str:
    """`value` in quotes that YAML and TOML both read back as written: double quotes, else
    single ones, else double quotes with backslashes and quotes escaped."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- near misses

# Keys shorter than this are never taken for a typo of another: too many short words are a
# letter apart ("rest" and "rust", "cat" and "car").
MIN_TYPO_KEY = 6
_NUMBER = re.compile(r"\d+")


def one_typo_apart(word: str, other: str) -> bool:
    """True if `other` is `word` with one typo: a letter left out, added, changed, or two
    letters swapped. Never when their numbers differ ("part 3" is no typo of "part 2"),
    nor for equal texts or short ones (MIN_TYPO_KEY)."""
    short, long = sorted((word, other), key=len)
    if len(long) - len(short) > 1 or len(short) < MIN_TYPO_KEY or short == long:
        return False
    if _NUMBER.findall(word) != _NUMBER.findall(other):
        return False
    at = _common_prefix(short, long)
    if len(short) < len(long):  # one letter more in `long`, at `at`
        return short[at:] == long[at + 1 :]
    if short[at + 1 :] == long[at + 1 :]:  # one letter changed
        return True
    swapped = short[at : at + 2] == long[at : at + 2][::-1]
    return swapped and short[at + 2 :] == long[at + 2 :]


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest start `a` and `b` share (slices compared, halving)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


class NearKeys:
    """Keys (match keys of titles), filed so that those one typo away from another key are
    found without comparing it with all of them. A typo leaves two thirds of the shorter
    text of a pair alone: its first two thirds, its last two thirds, or its first and last
    thirds (`_entries`). A key is filed under the three, and a lookup compares only the
    keys filed where the word would be."""

    def __init__(self, keys: Iterable[str]) -> None:
        filed: dict[tuple[str, int, int, str], list[str]] = defaultdict(list)
        for key in set(keys):
            size = len(key)
            if size >= MIN_TYPO_KEY:
                for shorter in (size - 1, size):  # the length of the shorter of a pair
                    for entry in _entries(key, size, shorter):
                        filed[entry].append(key)
        self._filed = filed

    def candidates(self, word: str) -> list[str]:
        """The keys filed as `word` would be: those that may be a typo away, sorted."""
        found: set[str] = set()
        size = len(word)
        if size < MIN_TYPO_KEY:
            return []
        for other in (size - 1, size, size + 1):
            for entry in _entries(word, other, min(size, other)):
                found.update(self._filed.get(entry, ()))
        return sorted(found)

    def closest(self, word: str) -> str | None:
        """The first key (in code point order) one typo away from `word`; None if none is."""
        return next((key for key in self.candidates(word) if one_typo_apart(word, key)), None)

    def near_word(self, key: str) -> bool:
        """True if `key` is one typo away from one of the keys filed."""
        return self.closest(key) is not None


def _entries(text: str, size: int, shorter: int) -> tuple[tuple[str, int, int, str], ...]:
    """The three places where keys of `size` characters are filed for pairs whose shorter
    text has `shorter` characters, as `text` makes them (`text` is the key filed, or the
    word looked up): the parts a typo in the first, the middle or the last third of the
    shorter text leaves alone (a swap of two letters across a cut included)."""
    first, second = shorter // 3, 2 * shorter // 3
    length = len(text)
    # (`shorter` is 5 or more: each end below is one character or more)
    return (
        ("last", size, shorter, text[length - (shorter - first - 1) :]),
        ("ends", size, shorter, text[:first] + "\0" + text[length - (shorter - second - 1) :]),
        ("first", size, shorter, text[:second]),
    )

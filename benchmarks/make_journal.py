"""Generate a deterministic sample journal of N posts for benchmarks.

    python benchmarks/make_journal.py 10000 /tmp/journal-10k [--seed 1] [--force]

The same N and seed always give byte-identical files. Posts are realistic Markdown (about 640
words on average, 200 to 1200): paragraphs, headings, lists, links, quotes, code blocks and
emphasis. About a third of the posts end with a "Next:" promise: two thirds of those name a
later post (kept), one third a title that no post has (pending).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

END_DATE = dt.date(2024, 12, 31)
FIRST_START = dt.date(2016, 1, 1)
MAX_POSTS_PER_DAY = 3
MIN_WORDS = 200
MAX_WORDS = 1200
MEAN_POSTS_PER_DAY = 2
DATETIME_SHARE = 0.2
NEXT_SHARE = 1 / 3
KEPT_SHARE = 2 / 3
KEPT_LOOKAHEAD = 40
TITLE_CASE_TAG_SHARE = 0.1

SITE_TITLE = "A Year of Words"
SITE_AUTHOR = "Robin Example"


def words(text: str) -> tuple[str, ...]:
    """The space-separated words of `text`."""
    return tuple(text.split())


FUNCTION_WORDS = words(
    "the the the the a a an and and and of of of to to to in in is is it it that that "
    "for for on with as was we I I I you this but be at by not or from have are"
)
NOUNS = words(
    "time year day week morning evening habit work team partner customer product market "
    "friend family book page note idea question answer plan project meeting email garden "
    "city street river coffee tea walk run deal value skill relationship mindset lesson "
    "mistake story draft theme word letter chapter season weather window desk kitchen "
    "phone code test bug release budget risk trust promise thread routine practice "
    "rhythm voice silence attention energy focus patience change decision problem tool "
    "café résumé"
)
VERBS = words(
    "write read learn build keep make take give find think try start finish change grow "
    "share ask listen notice plan explore decide focus wait return carry improve repeat "
    "renew withdraw discuss arrange deliver hire reach push pull remember forget"
)
ADJECTIVES = words(
    "quiet long short early late slow fast small large simple hard easy new old better "
    "honest careful patient busy open clear strange familiar useful crucial complete "
    "specialized experienced potential repeatable different great naïve"
)
ADVERBS = words("often rarely slowly quickly finally still already again perhaps together")
CONTRACTIONS = tuple(
    word.replace("'", "\u2019") for word in words("I've don't I'm it's we're didn't can't that's")
)
PROSE_WORDS = FUNCTION_WORDS * 3 + NOUNS * 2 + VERBS * 2 + ADJECTIVES * 2 + ADVERBS + CONTRACTIONS

TITLE_NOUNS = words(
    "partnership patience mornings habits deadlines drafts letters gardens rivers maps "
    "tools meetings customers markets friends mentors lessons mistakes stories chapters "
    "seasons windows kitchens promises threads routines rhythms voices silence attention "
    "energy focus decisions problems questions answers notebooks bicycles trains bridges "
    "coffee tea bread walks runs budgets risks trust craft courage rest play depth "
    "listening curiosity kindness balance clarity discipline generosity resilience "
    "simplicity presence weekends holidays winters summers springs autumns cities towns "
    "islands harbours mountains forests deserts libraries bookshops cafés offices desks "
    "chairs lamps clocks calendars inboxes backlogs releases bugs tests prototypes sketches "
    "essays poems songs photographs recipes dinners breakfasts neighbours strangers teachers "
    "students interviews contracts invoices proposals pitches launches reviews retreats"
)
TITLE_ADJECTIVES = words(
    "quiet slow small long early late honest careful patient busy open clear strange "
    "familiar useful simple hard gentle stubborn brave tired curious restless steady "
    "unfinished borrowed forgotten shared hidden ordinary first last second"
)
TITLE_VERBS = words(
    "write read keep start finish share ask listen plan explore wait return carry "
    "renew repeat measure protect choose trust"
)
TITLE_PATTERNS = (
    "{Adj} {noun}",
    "On {noun}",
    "{Noun} and {noun2}",
    "Notes on {noun}: {adj} {noun2}",
    "Why I {verb} {noun}",
    "The {adj} {noun}",
    "What {noun} taught me about {noun2}",
    'The "{adj}" {noun}',
    "{Noun}, {noun2}, and {noun3}",
    "A week of {adj} {noun}",
    "How to {verb} {noun}?",
    "{Verb} every day",
    "{Verb} the {noun}",
    "Against {adj} {noun}",
    "In praise of {noun}",
)

TAG_POOL = (
    *words(
        "writing reading books habits work family travel health running cooking music "
        "photography code python design learning teaching business partnership leadership "
        "productivity focus mornings sleep walking garden weather city friends money startups "
        "meetings email tools notes journaling reflection gratitude patience craft mentoring "
        "hiring customers product marketing sales community film podcasts coffee tea art "
        "history science language"
    ),
    "open source",
    "slow living",
    "book notes",
    "weekly review",
    "year in review",
)

THEME_WORDS = words(
    "partnership patience focus craft courage simplicity presence curiosity discipline "
    "generosity balance resilience clarity kindness growth rest listening play depth "
    "gratitude renewal trust attention rhythm steadiness openness care practice voice "
    "home wonder service health friendship learning"
)

LINK_DOMAINS = (
    "example.com",
    "docs.python.org",
    "en.wikipedia.org",
    "www.gutenberg.org",
    "blog.example.net",
    "news.example.org",
)

CODE_LANGUAGES = ("python", "bash", "javascript", "toml", "sql")


@dataclass(frozen=True)
class Post:
    """One generated post: its front matter fields and where it lives."""

    index: int
    date: dt.date
    time: dt.time | None
    title: str
    slug: str
    tags: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"/{self.date.year}/{self.slug}/"

    @property
    def relpath(self) -> str:
        return f"content/posts/{self.date.year}/{self.slug}.md"


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def title_key(title: str) -> str:
    """The strictest comparison key: letters and digits only, case-folded."""
    return re.sub(r"[\W_]+", "", title.casefold())


# ---------------------------------------------------------------------------------------
# Dates


def start_date(n_posts: int) -> dt.date:
    """2016-01-01, or earlier when N posts need more days at about two posts a day."""
    days_needed = -(-n_posts // MEAN_POSTS_PER_DAY)
    return min(FIRST_START, END_DATE - dt.timedelta(days=days_needed - 1))


def make_dates(rng: random.Random, n_posts: int) -> list[tuple[dt.date, dt.time | None]]:
    """N (date, time or None) pairs, sorted, at most three posts on any day."""
    first = start_date(n_posts)
    n_days = (END_DATE - first).days + 1
    slots = sorted(rng.sample(range(n_days * MAX_POSTS_PER_DAY), n_posts))
    result: list[tuple[dt.date, dt.time | None]] = []
    for slot in slots:
        day = first + dt.timedelta(days=slot // MAX_POSTS_PER_DAY)
        when: dt.time | None = None
        if rng.random() < DATETIME_SHARE:
            hour = 6 + 6 * (slot % MAX_POSTS_PER_DAY) + rng.randrange(6)
            when = dt.time(hour, rng.randrange(60), rng.randrange(60))
        result.append((day, when))
    return result


# ---------------------------------------------------------------------------------------
# Titles and tags


def random_title(rng: random.Random) -> str:
    nouns = rng.sample(TITLE_NOUNS, 3)
    verb = rng.choice(TITLE_VERBS)
    adj = rng.choice(TITLE_ADJECTIVES)
    return rng.choice(TITLE_PATTERNS).format(
        noun=nouns[0],
        noun2=nouns[1],
        noun3=nouns[2],
        Noun=nouns[0].capitalize(),
        adj=adj,
        Adj=adj.capitalize(),
        verb=verb,
        Verb=verb.capitalize(),
    )


def unique_title(rng: random.Random, used: set[str], tries: int = 20) -> str:
    """A title whose key no earlier title has; `used` is updated."""
    title = random_title(rng)
    for _ in range(tries):
        if title_key(title) not in used:
            break
        title = random_title(rng)
    base, part = title, 2
    while title_key(title) in used:
        title = f"{base}, part {part}"
        part += 1
    used.add(title_key(title))
    return title


def tag_weights() -> list[float]:
    """Zipf-like popularity: a few tags are on many posts, most on few."""
    return [1 / (rank + 1) ** 0.8 for rank in range(len(TAG_POOL))]


def make_tags(rng: random.Random, weights: Sequence[float]) -> tuple[str, ...]:
    count = rng.choices((0, 1, 2, 3, 4), weights=(10, 25, 30, 20, 15))[0]
    tags: list[str] = []
    seen: list[str] = []
    for tag in rng.choices(TAG_POOL, weights=weights, k=count):
        if tag in seen:
            continue
        seen.append(tag)
        tags.append(tag.title() if rng.random() < TITLE_CASE_TAG_SHARE else tag)
    return tuple(tags)


def make_posts(rng: random.Random, n_posts: int, used_titles: set[str]) -> list[Post]:
    weights = tag_weights()
    posts = []
    for index, (day, when) in enumerate(make_dates(rng, n_posts)):
        title = unique_title(rng, used_titles)
        posts.append(Post(index, day, when, title, slugify(title), make_tags(rng, weights)))
    return posts


# ---------------------------------------------------------------------------------------
# "Next:" promises


def first_later_day(posts: Sequence[Post], index: int) -> int:
    """Index of the first post dated strictly after posts[index]."""
    later = index + 1
    while later < len(posts) and posts[later].date == posts[index].date:
        later += 1
    return later


def make_promises(rng: random.Random, posts: Sequence[Post], used: set[str]) -> dict[int, str]:
    """Post index -> promised title, for about a third of the posts."""
    promises: dict[int, str] = {}
    for post in posts:
        if rng.random() >= NEXT_SHARE:
            continue
        later = first_later_day(posts, post.index)
        if later < len(posts) and rng.random() < KEPT_SHARE:
            last = min(len(posts) - 1, later + KEPT_LOOKAHEAD)
            promises[post.index] = posts[rng.randint(later, last)].title
        else:
            promises[post.index] = unique_title(rng, used)
    return promises


# ---------------------------------------------------------------------------------------
# Markdown bodies


BLOCK_KINDS = ("paragraph", "heading", "bullets", "numbered", "quote", "code")
BLOCK_WEIGHTS = (55, 12, 9, 6, 7, 6)
WORD_POOL_SIZE = 1 << 16


class Writer:
    """Writes Markdown blocks; sentences are slices of one long run of random words."""

    def __init__(self, rng: random.Random, posts: Sequence[Post]) -> None:
        self.rng = rng
        self.posts = posts
        self.pool = rng.choices(PROSE_WORDS, k=WORD_POOL_SIZE)

    def words(self, low: int, high: int) -> list[str]:
        count = self.rng.randint(low, high)
        start = self.rng.randrange(WORD_POOL_SIZE - count)
        return self.pool[start : start + count]

    def decorate(self, words: list[str]) -> None:
        """Add emphasis, inline code or a link to one word of some sentences, in place."""
        rng = self.rng
        roll = rng.random()
        if roll >= 0.24:
            return
        i = rng.randrange(len(words))
        if roll < 0.10:
            words[i] = f"*{words[i]}*"
        elif roll < 0.15:
            words[i] = f"**{words[i]}**"
        elif roll < 0.17:
            words[i] = f"`{rng.choice(VERBS)}_{rng.choice(NOUNS)}()`"
        elif roll < 0.23:
            path = slugify(f"{rng.choice(NOUNS)} {rng.choice(NOUNS)}")
            words[i] = f"[{words[i]}](https://{rng.choice(LINK_DOMAINS)}/{path})"
        else:
            words[i] = f"{words[i]} ([see]({rng.choice(self.posts).url}))"

    def sentence(self) -> str:
        words = self.words(6, 22)
        self.decorate(words)
        text = " ".join(words)
        roll = self.rng.random()
        end = "." if roll < 0.9 else "?" if roll < 0.97 else "!"
        return text[0].upper() + text[1:] + end

    def sentences(self, low: int, high: int) -> list[str]:
        return [self.sentence() for _ in range(self.rng.randint(low, high))]

    def paragraph(self) -> str:
        return " ".join(self.sentences(2, 6))

    def heading(self) -> str:
        text = " ".join(self.rng.choices(NOUNS + ADJECTIVES, k=self.rng.randint(2, 5)))
        return f"## {text[0].upper()}{text[1:]}"

    def bullet_list(self) -> str:
        return "\n".join(f"- {item}" for item in self.sentences(3, 6))

    def numbered_list(self) -> str:
        items = self.sentences(3, 6)
        return "\n".join(f"{number}. {item}" for number, item in enumerate(items, 1))

    def block_quote(self) -> str:
        return "\n>\n".join(f"> {line}" for line in self.sentences(1, 3))

    def code_block(self) -> str:
        language = self.rng.choice(CODE_LANGUAGES)
        return "\n".join([f"```{language}", *code_lines(self.rng, language), "```"])

    def block(self, kind: str) -> str:
        if kind == "heading":
            return self.heading()
        if kind == "bullets":
            return self.bullet_list()
        if kind == "numbered":
            return self.numbered_list()
        if kind == "quote":
            return self.block_quote()
        if kind == "code":
            return self.code_block()
        return self.paragraph()

    def body(self) -> str:
        """Markdown of 200 to 1200 words (640 on average), starting and ending with prose."""
        rng = self.rng
        target = round(rng.triangular(MIN_WORDS, MAX_WORDS - 100, 450))
        blocks = [self.paragraph()]
        words = len(blocks[0].split())
        last_kind = "paragraph"
        while words < target:
            kind = rng.choices(BLOCK_KINDS, weights=BLOCK_WEIGHTS)[0]
            if kind == "heading" and last_kind == "heading":
                continue
            blocks.append(self.block(kind))
            words += len(blocks[-1].split())
            last_kind = kind
        if last_kind != "paragraph":
            blocks.append(self.paragraph())
        return "\n\n".join(blocks)


def identifier(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}".replace("é", "e")


def code_lines(rng: random.Random, language: str) -> list[str]:
    name, other = identifier(rng), identifier(rng)
    number = rng.randint(2, 99)
    if language == "python":
        return [
            f"def {name}(items: list[str]) -> int:",
            f'    """Count the items worth a {rng.choice(NOUNS)}."""',
            f"    total = sum(len(item) for item in items if item != {other!r})",
            f"    return total * {number}",
        ]
    if language == "bash":
        return [f"mkdir -p ~/{name}", f"cd ~/{name} && ls -la | grep {other}", "echo done"]
    if language == "javascript":
        return [
            f"function {name}(items) {{",
            f"  return items.filter((x) => x.length > {number});",
            "}",
        ]
    if language == "toml":
        return [f"[{name}]", f'{other} = "{rng.choice(NOUNS)}"', f"limit = {number}"]
    return [f"SELECT {other}, COUNT(*) FROM {name}", f"WHERE year > {2000 + number % 25}"]


# ---------------------------------------------------------------------------------------
# Files


def yaml_string(text: str) -> str:
    """A YAML scalar: plain when that is safe, else double-quoted (JSON escapes are YAML)."""
    reserved = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9 ,.!?()-]*", text) and text.lower() not in reserved:
        return text
    return json.dumps(text, ensure_ascii=False)


def front_matter(post: Post) -> str:
    when = post.date.isoformat()
    if post.time is not None:
        when += " " + post.time.isoformat()
    lines = ["---", f"title: {yaml_string(post.title)}", f"date: {when}"]
    if post.tags:
        lines.append("tags: [" + ", ".join(yaml_string(tag) for tag in post.tags) + "]")
    elif post.index % 2:
        lines.append("tags: []")
    lines.append("---")
    return "\n".join(lines) + "\n"


def post_text(writer: Writer, post: Post, promise: str | None) -> str:
    text = front_matter(post) + "\n" + writer.body() + "\n"
    if promise is not None:
        text += f"\nNext: {promise}\n"
    return text


def theme_text(writer: Writer, year: int, word: str) -> str:
    intro = f"Every year I pick a theme word. The {year} theme is “{word}”."
    return f"---\nword: {word}\n---\n\n{intro}\n\n{writer.paragraph()}\n"


def theme_words(rng: random.Random, years: Sequence[int]) -> list[str]:
    """One word per year, all different while the pool lasts."""
    words = rng.sample(THEME_WORDS, min(len(years), len(THEME_WORDS)))
    while len(words) < len(years):
        words.append(rng.choice(THEME_WORDS))
    return words


def journal_toml() -> str:
    return (
        f"title = {json.dumps(SITE_TITLE)}\n"
        f"author = {json.dumps(SITE_AUTHOR)}\n"
        'base_url = "https://example.org/"\n'
        'timezone = "UTC"\n'
        'language = "en"\n'
    )


def generate(n_posts: int, seed: int) -> dict[str, str]:
    """The whole journal as {relative path: text}."""
    rng = random.Random(seed)
    used_titles: set[str] = set()
    posts = make_posts(rng, n_posts, used_titles)
    promises = make_promises(rng, posts, used_titles)
    writer = Writer(rng, posts)
    files = {"journal.toml": journal_toml()}
    for post in posts:
        files[post.relpath] = post_text(writer, post, promises.get(post.index))
    years = sorted({post.date.year for post in posts})
    for year, word in zip(years, theme_words(rng, years), strict=True):
        files[f"content/themes/{year}.md"] = theme_text(writer, year, word)
    return files


# ---------------------------------------------------------------------------------------
# Command line


def prepare_out_dir(out_dir: Path, force: bool) -> None:
    """Refuse a non-empty folder unless forced; when forced, drop what this script writes."""
    if out_dir.exists() and not out_dir.is_dir():
        raise SystemExit(f"error: {out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise SystemExit(f"error: {out_dir} is not empty (use --force to replace the journal)")
        for generated in ("content/posts", "content/themes"):
            shutil.rmtree(out_dir / generated, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def write_files(out_dir: Path, files: dict[str, str]) -> None:
    made: set[Path] = set()
    for relpath, text in files.items():
        path = out_dir / relpath
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_posts", type=int, metavar="N", help="number of posts")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="journal folder to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty OUT_DIR, replacing content/posts and content/themes",
    )
    args = parser.parse_args(argv)
    if args.n_posts < 1:
        parser.error("N must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    prepare_out_dir(args.out_dir, args.force)
    files = generate(args.n_posts, args.seed)
    write_files(args.out_dir, files)
    n_themes = sum(1 for path in files if path.startswith("content/themes/"))
    print(f"Wrote {args.n_posts} posts and {n_themes} themes into {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

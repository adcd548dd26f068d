"""The journal's language: dates and month names by Babel in the locale of `language`, the
theme's own words from its catalogs (templates/locales/*.po), the promise keyword where the
theme shows "Next:", and English exactly as it was (tests/test_golden.py holds the rest)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from babel.dates import get_day_names, get_month_names
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from conftest import (
    OPTIONS,
    build_journal,
    make_journal,
    one,
    parse_html,
    post_text,
    select,
    text_of,
)

from generator.core.config import BuildOptions
from generator.core.locales import is_english, language_problem, language_tag, parse_language
from generator.pipeline.language import Language, catalog_names
from generator.pipeline.theme import builtin_catalogs, builtin_templates

REPOSITORY = Path(__file__).parent.parent
CATALOGS = builtin_catalogs()
GERMAN_CONFIG = (
    'title = "Mein Tagebuch"\nauthor = "Anna"\ndescription = "Ein Wort im Jahr."\n'
    'base_url = "https://example.org/"\ntimezone = "UTC"\nlanguage = "de"\n'
    'next_keyword = "Weiter"\nposts_per_page = 3\nshow_promises = true\n'
)
WITH_DRAFTS = BuildOptions(drafts=True, now=OPTIONS.now)
SVG = "http://www.w3.org/2000/svg"


def german_journal(tmp_path: Path) -> Path:
    """A journal in German that shows every part of the theme: a thread of fourteen posts
    (long enough to leave posts out around the current one), a promise still to write, the
    year's word mentioned in more than twelve posts, a post on the same day a year before,
    tags, three home pages and a draft."""
    files: dict[str, str] = {
        "content/themes/2024.md": "---\nword: Mut\n---\nEin Jahr mit Mut.\n",
        "content/themes/2023.md": "---\nword: Geduld\n---\nWarten lernen.\n",
        "content/posts/2023/vorjahr.md": post_text(
            "2023-06-03", "Geduld und Ruhe.\n", title="Ein Jahr davor", tags="[Rückblick]"
        ),
        "content/posts/2024/entwurf.md": post_text(
            "2024-07-01", "Noch nicht fertig.\n", title="Halb fertig", draft="true"
        ),
    }
    for n in range(1, 15):
        promise = f"\nWeiter: Schritt {n + 1}\n" if n < 14 else "\nWeiter: Der letzte Schritt\n"
        files[f"content/posts/2024/schritt-{n}.md"] = post_text(
            f"2024-06-{n + 2:02d}",
            f"Heute mit Mut, Tag {n}.\n" + promise,
            title=f"Schritt {n}",
            tags="[Alltag, Garten]",
        )
    return make_journal(tmp_path, files, GERMAN_CONFIG)


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The German journal's site, drafts shown (one build for the tests that read it)."""
    return built(german_journal(tmp_path_factory.mktemp("german")), WITH_DRAFTS)


def built(root: Path, options: BuildOptions = OPTIONS) -> Path:
    result = build_journal(root, options=options)
    assert result.ok, [str(p) for p in result.problems]
    return root / "output"


def page(output: Path, path: str) -> ET.Element:
    return parse_html((output / path).read_bytes())


def spoken(element: ET.Element) -> str:
    """The element's text, its pieces joined by single spaces."""
    return " ".join(" ".join(element.itertext()).split())


def svg(tree: ET.Element, tag: str) -> list[ET.Element]:
    return [element for element in tree.iter() if element.tag == f"{{{SVG}}}{tag}"]


# ---------------------------------------------------------------- dates and month names


def test_a_german_journal_writes_its_dates_and_month_names_in_german(german: Path) -> None:
    output = german
    post = page(output, "2024/schritt-1/index.html")
    assert one(post, "html").get("lang") == "de"
    assert text_of(next(one(post, "p", "meta").iter("time"))) == "3. Juni 2024"
    archive = page(output, "archive/index.html")
    assert [text_of(h) for h in archive.iter("h3")] == ["Juli", "Juni", "Juni"]
    year = page(output, "2024/index.html")
    labels = [text_of(t) for t in select(year, "p", "month-name")]
    weekdays = [text_of(t) for t in select(year, "span", "weekday")][:7]
    assert labels[:3] == ["Januar", "Februar", "März"] and weekdays == list("MDMDFSS")
    assert spoken(one(year, "dl", "figures")).endswith("Längste Serie 14 Tage 3.–16. Juni 2024")
    cell = next(a for a in select(year, "a", "day") if a.get("aria-label", "").startswith("Montag"))
    assert cell.get("aria-label") == "Montag, 3. Juni 2024: „Schritt 1“, 5 Wörter"
    assert "die meisten Wörter am 3. Juni" in text_of(one(year, "figcaption"))
    assert "3. Juni 2024 bis 16. Juni 2024" in spoken(page(output, "threads/index.html"))
    texts = [json.loads(p.read_text(encoding="utf-8")) for p in output.glob("search/d/*.json")]
    entries = [entry for text in texts for entry in text]
    assert {entry["date"] for entry in entries} >= {"3. Juni 2024", "16. Juni 2024"}
    # Feeds and the sitemap keep machine dates.
    feed = (output / "feed.xml").read_text(encoding="utf-8")
    assert 'xml:lang="de"' in feed
    assert "<published>2024-06-16T00:00:00+00:00</published>" in feed
    assert "Juni" not in feed
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>2024-06-03</lastmod>" in sitemap and "Juni" not in sitemap


def test_german_numbers_and_plurals(tmp_path: Path) -> None:
    words = " ".join(["Mut"] * 1234)
    root = make_journal(
        tmp_path,
        {
            "content/themes/2024.md": "---\nword: Mut\n---\n",
            "content/posts/2024/lang.md": post_text("2024-06-03", words + "\n", title="Lang"),
        },
        GERMAN_CONFIG,
    )
    output = built(root)
    year = page(output, "2024/index.html")
    assert "Wörter 1.234 Wochen geschrieben 1 von 53" in spoken(one(year, "dl", "figures"))
    also = spoken(one(year, "p", "rhythm-also"))
    assert also == "Geschrieben an 1 von 366 Tagen; höchstens 1 Tag am Stück."
    reach = spoken(one(year, "p", "reach-summary"))
    assert reach == "Mut kam in 1 von 1 Beitrag vor (100 %), 1.234 Mal."
    # (English forms of the word, "muts", are for English journals alone)
    assert spoken(one(year, "p", "reach-forms")) == "Geschrieben als: mut ."
    themes = spoken(one(page(output, "themes/index.html"), "p", "year-figures"))
    assert themes == "1 Beitrag · 1.234 Wörter · an 1 Tag geschrieben"


def test_any_locale_babel_knows_writes_its_dates(tmp_path: Path) -> None:
    """French has no catalog of the theme's words yet: its dates are French, the words stay
    English. An Austrian journal gets the German words, and its region in `lang`."""
    post = {"content/posts/2024/a.md": post_text("2024-06-03", title="A")}
    for language, lang, day, words in [
        ("fr", "fr", "3 juin 2024", "1 min read"),
        ("en_US", "en-US", "June 3, 2024", "1 min read"),
        ("de-AT", "de-AT", "3. Juni 2024", "1 Min. Lesezeit"),
    ]:
        config = f'base_url = "https://example.org/"\nlanguage = "{language}"\n'
        root = make_journal(tmp_path / language, post, config)
        html = page(built(root), "2024/a/index.html")
        assert one(html, "html").get("lang") == lang
        meta = spoken(one(html, "p", "meta"))
        assert meta == f"{day} · {words}", language


def test_english_is_written_as_it_always_was(tmp_path: Path) -> None:
    root = make_journal(
        tmp_path,
        {
            "content/posts/2024/a.md": post_text("2024-03-04", title="A"),
            "content/posts/2024/b.md": post_text("2024-03-05", title="B"),
            "content/posts/2024/c.md": post_text("2024-03-06", title="C"),
        },
    )
    output = built(root)
    html = page(output, "2024/a/index.html")
    assert one(html, "html").get("lang") == "en"
    assert spoken(one(html, "p", "meta")) == "4 March 2024 · 1 min read"
    figures = spoken(one(page(output, "2024/index.html"), "dl", "figures"))
    assert figures.endswith("Longest streak 3 days 4–6 March 2024")


def test_a_span_of_days_in_each_style() -> None:
    english, german = Language("en", CATALOGS), Language("de", CATALOGS)
    spans = [
        (date(2024, 3, 4), date(2024, 3, 4)),
        (date(2024, 3, 4), date(2024, 3, 6)),
        (date(2024, 3, 30), date(2024, 4, 2)),
        (date(2023, 12, 30), date(2024, 1, 2)),
    ]
    assert [english.day_range(*span) for span in spans] == [
        "4 March 2024",
        "4–6 March 2024",
        "30 March – 2 April 2024",
        "30 December 2023 – 2 January 2024",
    ]
    assert [german.day_range(*span) for span in spans][:2] == ["4. März 2024", "4.–6. März 2024"]
    assert english.day_range(None, None) == german.day_range(None, None) == ""
    assert german.weekday_date(date(2024, 6, 3)) == "Montag, 3. Juni 2024"
    assert english.weekday_date(date(2024, 6, 3)) == "Monday 3 June 2024"
    assert (english.number(1234567), german.number(1234567)) == ("1,234,567", "1.234.567")


# ---------------------------------------------------------------- the theme's words


def english_words() -> set[str]:
    """Every word of the theme's English (its messages, month and weekday names) that its
    German (its messages, month and weekday names) does not use too."""
    english: set[str] = set()
    german: set[str] = set()
    for message in german_catalog():
        english |= words_of(" ".join(forms(message.id)))
        german |= words_of(" ".join(forms(message.string)))
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            english |= set(get_month_names(width, context, "en").values())
            english |= set(get_day_names(width, context, "en").values())
            german |= set(get_month_names(width, context, "de").values())
            german |= set(get_day_names(width, context, "de").values())
    return english - german


def forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message's text, or its singular and plural (msgid) or each plural form (msgstr)."""
    return text if isinstance(text, tuple) else (text,)


def words_of(text: str) -> set[str]:
    """The words of a message, without its placeholders and markup, of three letters or more."""
    plain = re.sub(r"%\(\w+\)s|<[^>]*>", " ", text)
    return {word for word in re.findall(r"[^\W\d_]+", plain) if len(word) >= 3}


def shown_text(tree: ET.Element) -> str:
    """What a reader sees or hears of a page: its text (not its scripts) and the attributes
    read aloud or shown on hover."""
    parts: list[str] = []
    for element in tree.iter():
        if element.tag in ("script", "style"):
            continue
        parts += [element.text or "", element.tail or ""]
        parts += [element.get(name) or "" for name in ("aria-label", "title", "alt")]
    return " ".join(parts)


def test_a_german_journal_has_no_english_theme_words_left(german: Path) -> None:
    output = german
    english = english_words()
    assert {"Archive", "Newer", "read", "words", "June", "Mon"} <= english
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 25
    left: dict[str, set[str]] = {}
    for path in pages:
        found = words_of(shown_text(parse_html(path.read_bytes()))) & english
        if found:
            left[path.relative_to(output).as_posix()] = found
    assert not left
    shown = {path.relative_to(output).as_posix(): path.read_text("utf-8") for path in pages}
    home, second = shown["index.html"], shown["page/2/index.html"]
    for expected in ("Juni", "Min. Lesezeit", "Neuere Beiträge", "Seite 1 von 6", "Als Nächstes"):
        assert expected in home + second, expected
    assert "Entwurf" in shown["2024/entwurf/index.html"]
    assert "An diesem Tag" in shown["2024/schritt-1/index.html"]
    assert "weitere Beiträge" in shown["2024/schritt-14/index.html"]  # (a long thread's gap)
    assert shown["2024/index.html"].count('aria-label="Mut: 1 Mal"') == 14
    assert "Seite nicht gefunden" in shown["404.html"]
    assert "Gesuchte Wörter" in shown["search/index.html"]
    assert "<title>Seite 2 · Mein Tagebuch</title>" in second
    assert 'title="Mein Tagebuch (alle Beiträge)"' in home
    assert 'title="Beiträge aus 2024"' in shown["2024/index.html"]


def test_the_promise_keyword_is_shown_where_the_theme_shows_next(german: Path) -> None:
    output = german
    post = page(output, "2024/schritt-14/index.html")
    end = one(one(post, "nav", "thread"), "li", "thread-next")
    assert spoken(end) == "Weiter Der letzte Schritt (folgt noch)"
    home = page(output, "index.html")
    assert all(text_of(p).startswith("Weiter: ") for p in select(home, "p", "promise"))
    feed = (output / "feed.xml").read_text(encoding="utf-8")
    assert "Weiter: Der letzte Schritt (folgt noch)" in feed
    assert "Weiter: &lt;a href=" in feed  # (a kept promise, escaped in the Atom entry)
    threads = page(output, "threads/index.html")
    assert "„Weiter:“" in text_of(one(threads, "p", "lede"))


def test_every_theme_word_has_a_german_translation() -> None:
    """The catalogs cannot drift: messages.pot lists exactly what the templates and the views
    ask for (extracted as babel.cfg says, as `pybabel extract` does), and de.po translates
    each of them, every plural form, with the same placeholders."""
    extracted = extracted_messages()
    assert len(extracted) > 60
    with (CATALOGS / "messages.pot").open("rb") as pot:
        template = {message_key(m) for m in read_po(pot) if m.id}
    assert template == extracted, "run the `pybabel extract` of templates/locales/babel.cfg"
    german = german_catalog()
    assert {message_key(m) for m in german if m.id} == extracted
    for message in german:
        if not message.id:
            continue
        strings = forms(message.string)
        assert all(strings) and not message.fuzzy, message.id
        assert len(strings) == german.num_plurals or not message.pluralizable, message.id
    assert not [(m.id, errors) for m, errors in german.check() if errors]


def extracted_messages() -> set[tuple[str | None, str]]:
    with (CATALOGS / "babel.cfg").open(encoding="utf-8") as config:
        methods, options = parse_mapping_cfg(config)
    found = extract_from_dir(REPOSITORY, methods, options)
    return {(context, forms(message)[0]) for _, _, message, _, context in found}


def message_key(message: Message) -> tuple[str | None, str]:
    """A message as extraction names it: its context and its (singular) text."""
    return message.context, forms(message.id)[0]


def german_catalog() -> Catalog:
    with (CATALOGS / "de.po").open("rb") as po:
        return read_po(po, locale="de")


def test_the_catalogs_ship_with_the_theme() -> None:
    assert builtin_templates() / "locales" == CATALOGS
    assert (CATALOGS / "de.po").is_file() and (CATALOGS / "messages.pot").is_file()
    assert catalog_names("zh_Hant_TW") == ("zh_Hant_TW", "zh_Hant", "zh")
    assert Language("de_CH", CATALOGS).gettext("Archive") == "Archiv"  # (de.po, for de_CH)
    assert Language("en", CATALOGS).gettext("Archive") == "Archive"


# ---------------------------------------------------------------- the setting


@pytest.mark.parametrize(
    ("name", "meant"),
    [("dee", '"de"'), ("German", '"de"'), ("de_XX", '"de"'), ("frnch", '"fr"')],
)
def test_an_unknown_language_says_what_it_may_have_meant(name: str, meant: str) -> None:
    problem = language_problem(name)
    assert problem is not None and f"did you mean {meant}" in problem


def test_a_language_babel_knows_is_fine_written_either_way() -> None:
    for name in ("en", "de", "de_AT", "de-AT", "pt-br", "zh_Hant_TW"):
        assert language_problem(name) is None, name
    locale = parse_language("pt-br")
    assert locale is not None and language_tag(locale) == "pt-BR"
    assert is_english("en_GB") and not is_english("de")


def test_an_unknown_language_is_an_error_at_its_line(tmp_path: Path) -> None:
    config = 'title = "T"\nbase_url = "https://example.org/"\n\nlanguage = "dee"\n'
    root = make_journal(tmp_path, {"content/posts/2024/a.md": post_text(title="A")}, config)
    result = build_journal(root)
    assert not result.ok and result.written is None
    assert [str(p) for p in result.problems if p.level == "error"] == [
        f"journal.toml:4: error: {language_problem('dee')}"
    ]

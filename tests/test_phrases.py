"""`{% trans %}` in templates (phrases.py): the theme's phrases and a journal's own, in the
journal's language, their values escaped; in English drawn as written text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2
import pytest
from conftest import OPTIONS, build_journal, make_journal, one, parse_html, post_text, text_of

from generator.pipeline.language import Language
from generator.pipeline.phrases import PhraseBook, speak
from generator.pipeline.theme import builtin_catalogs, builtin_templates

CATALOGS = builtin_catalogs()
GERMAN_CONFIG = 'base_url = "https://example.org/"\nlanguage = "de"\n'


def built_page(root: Path, path: str) -> ET.Element:
    result = build_journal(root, options=OPTIONS)
    assert result.ok, [str(p) for p in result.problems]
    return parse_html((root / "output" / path).read_bytes())


def speaking(language: Language) -> jinja2.Environment:
    env = jinja2.Environment(extensions=[PhraseBook], autoescape=True)
    speak(env, language)
    return env


PHRASES = (
    "{% trans %}Archive{% endtrans %}|{% trans name=name %}Tagged “{{ name }}”{% endtrans %}|"
    "{% trans num=n %}{{ num }} post{% pluralize %}{{ num }} posts{% endtrans %}|"
    "{% trans num=n | number, count=n %}{{ num }} word{% pluralize count %}{{ num }} words"
    "{% endtrans %}|{% trans 'button' %}Search{% endtrans %}"
)


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", "Archive|Tagged “&lt;b&gt;”|1 post|1 word|Search", "2 posts|1,234 words"),
        ("de", "Archiv|Schlagwort „&lt;b&gt;“|1 Beitrag|1 Wort|Suchen", "2 Beiträge|1.234 Wörter"),
    ],
)
def test_phrases_are_translated_and_their_values_escaped(
    language: str, one: str, many: str
) -> None:
    template = speaking(Language(language, CATALOGS)).from_string(PHRASES)
    assert template.render(name="<b>", n=1) == one
    assert template.render(name="<b>", n=2).split("|")[2] == many.split("|")[0]
    assert template.render(name="<b>", n=1234).split("|")[3] == many.split("|")[1]


def test_english_phrases_are_drawn_as_written_text() -> None:
    """In English, the theme's phrases are translated as the templates are compiled: no
    function is called while a page is drawn (what keeps English pages as fast as before)."""
    source = (builtin_templates() / "_insights.html").read_text(encoding="utf-8")
    env = speaking(Language("en", CATALOGS))
    english = env.compile(source, raw=True)
    assert "gettext" not in english and "plural_form" not in english
    german = speaking(Language("de", CATALOGS)).compile(source, raw=True)
    assert "plural_form" in german  # (German plurals: chosen by their count)


def test_a_translation_that_is_not_a_valid_phrase_gives_way_to_the_english(
    tmp_path: Path,
) -> None:
    (tmp_path / "de.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Archive"\nmsgstr "100% Archiv"\n\n'
        'msgid "Tagged “%(name)s”"\nmsgstr "Schlagwort %(nom)s"\n',
        encoding="utf-8",
    )
    german = Language("de", tmp_path)
    template = speaking(german).from_string(PHRASES.split("|{% trans num")[0])
    assert template.render(name="x") == "Archive|Tagged “x”"
    assert german.gettext("Archive") == "Archive"
    assert german.gettext("Tagged “%(name)s”", name="x") == "Tagged “x”"


def test_a_journal_template_speaks_the_journal_language(tmp_path: Path) -> None:
    own = (
        '{% extends "base.html" %}{% block main %}<p class="own">{% trans %}Archive{% endtrans %}'
        " · {% trans num=3 %}{{ num }} post{% pluralize %}{{ num }} posts{% endtrans %}</p>"
        "{% endblock %}\n"
    )
    files = {"templates/404.html": own, "content/posts/2024/a.md": post_text(title="A")}
    german = built_page(make_journal(tmp_path / "de", files, GERMAN_CONFIG), "404.html")
    assert text_of(one(german, "p", "own")) == "Archiv · 3 Beiträge"
    english = built_page(make_journal(tmp_path / "en", files), "404.html")
    assert text_of(one(english, "p", "own")) == "Archive · 3 posts"

"""The lean Python-Markdown converter makes the HTML Python-Markdown's own steps make, byte
for byte.

tests/data/python-markdown/NAME.md is a text that uses what the extensions handle (smart
quotes everywhere, emphasis, abbreviations, footnotes, tables, definition lists, attribute
lists, Markdown in HTML, code blocks of every kind, heading ids, figures, links by title, raw
HTML, entities, `<!-- more -->`); NAME.html is its HTML and NAME.txt its word count and text,
made once by the converter as it was before its steps were made lean. Never make them again
to get a test through: a difference is a change of the journal's output.

The converter is also compared with one made of Python-Markdown's own steps (`reference`),
on the same texts and on texts made here, so that the proof holds for the Python-Markdown
installed, whatever its version.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest
from markdown.treeprocessors import InlineProcessor

from generator.core.text import count_words, html_to_text
from generator.pipeline import highlight
from generator.pipeline.figure_markup import register_figures
from generator.pipeline.inline_pass import LeanInlineProcessor
from generator.pipeline.markup import render_markdown
from generator.pipeline.python_markdown import EXTENSION_CONFIGS, EXTENSIONS, make_converter
from generator.pipeline.regex_needles import needed_in, needles
from generator.pipeline.wikilinks import TitleLinkExtension

DATA = Path(__file__).parent / "data" / "python-markdown"
CASES = sorted(path.stem for path in DATA.glob("*.md"))


def reference() -> markdown.Markdown:
    """The converter as Python-Markdown's own steps make it (the journal's settings)."""
    configs = {name: dict(settings) for name, settings in EXTENSION_CONFIGS.items()}
    converter = markdown.Markdown(
        extensions=[*EXTENSIONS, TitleLinkExtension()],
        extension_configs=configs,
        output_format="html",
    )
    smarty = converter.treeprocessors["smarty"]
    converter.treeprocessors.deregister("smarty")
    converter.treeprocessors.register(smarty, "smarty", 12)  # (as make_converter places it)
    register_figures(converter)
    return converter


def source(name: str) -> str:
    return (DATA / f"{name}.md").read_text(encoding="utf-8")


def test_there_are_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("name", CASES)
def test_html_as_it_was(name: str) -> None:
    rendered = render_markdown(make_converter(), source(name))
    assert rendered.html + "\n" == (DATA / f"{name}.html").read_text(encoding="utf-8")
    text = html_to_text(rendered.html)
    expected = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    assert f"{count_words(text)} words\n{text}\n" == expected
    assert rendered.words == count_words(text)


def test_one_converter_for_every_text_in_any_order() -> None:
    """What one text leaves in the converter (kept lexers, patterns, stashes) changes no
    other text's HTML."""
    converter = make_converter()
    for name in [*CASES, *reversed(CASES), *CASES]:
        html = render_markdown(converter, source(name)).html
        assert html + "\n" == (DATA / f"{name}.html").read_text(encoding="utf-8"), name


@pytest.mark.parametrize("name", CASES)
def test_same_as_python_markdown_own_steps(name: str) -> None:
    assert make_converter().convert(source(name)) == reference().convert(source(name))


# Texts made of pieces that meet in every order: quotes beside emphasis, code, links, raw
# HTML, entities and placeholders of each other.
_PIECES = (
    '"',
    "'",
    "--",
    "---",
    "...",
    "*em*",
    "**strong**",
    "_u_",
    "`co'de`",
    "[link](u 't')",
    '![img](i.png "t")',
    "<b>raw</b>",
    "&amp;",
    "&ndash;",
    "[[Title]]",
    "[^1]",
    "\\*",
    "80s",
    "x",
    " ",
    "\n",
    "{: .c}",
)


def _mixtures() -> list[str]:
    texts = []
    for step in range(1, 40):
        pieces = [_PIECES[(i * step + step // 3) % len(_PIECES)] for i in range(24)]
        texts.append("".join(pieces) + "\n\n[^1]: A 'note' -- here.\n")
    return texts


def test_mixtures_same_as_python_markdown_own_steps() -> None:
    lean, own = make_converter(), reference()
    for text in _mixtures():
        assert lean.reset().convert(text) == own.reset().convert(text), text


def test_nested_too_deep_fails_as_python_markdown_does() -> None:
    """The lean inline pass recurses as Python-Markdown's does: a text nested so deep that
    one runs out of stack makes the other run out too (and the build shows it as text)."""
    lean, own = make_converter(), reference()
    for depth in (100, 400, 1000):
        for text in ("*a " * depth + "x" + " b*" * depth, "[" * depth + "x" + "](y)" * depth):
            expected = render_markdown(own, text)
            assert render_markdown(lean, text) == expected


def test_the_lean_steps_are_in_place() -> None:
    converter = make_converter()
    steps = converter.treeprocessors
    assert isinstance(steps["inline"], LeanInlineProcessor)
    assert isinstance(steps["smarty"], LeanInlineProcessor)
    assert not any(type(step) is InlineProcessor for step in steps)
    assert isinstance(
        converter.preprocessors["fenced_code_block"], highlight.LeanFencedBlockPreprocessor
    )
    assert isinstance(steps["hilite"], highlight.LeanHiliteTreeprocessor)
    assert [name for name in ("smarty", "prettify") if name in steps] == ["smarty", "prettify"]
    assert steps.get_index_for_name("smarty") < steps.get_index_for_name("prettify")


def test_block_processors_in_python_markdown_order_and_kept_up_to_date() -> None:
    converter, own = make_converter(), reference()
    blocks = converter.parser.blockprocessors
    assert [type(p) for p in blocks] == [type(p) for p in own.parser.blockprocessors]
    assert [type(p) for p in blocks] == [type(p) for p in blocks]  # (kept between passes)
    first = next(iter(blocks))
    blocks.register(first, "again", 1)  # a change is seen at the next pass
    assert list(blocks)[-1] is first
    blocks.deregister("again")
    assert list(blocks)[-1] is not first


@pytest.mark.parametrize("tag", ["p", "DIV", "div/", "details", "span", "em", "", None, 3])
def test_block_level_as_python_markdown_says(tag: object) -> None:
    assert make_converter().is_block_level(tag) == reference().is_block_level(tag)


def test_a_lexer_and_a_formatter_per_kind_of_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five Python blocks and two indented ones: one lexer and one formatter for each set of
    options, not one per block."""
    made: list[str] = []
    lexer_by_name, formatter_by_name = highlight.get_lexer_by_name, highlight.get_formatter_by_name

    def counted_lexer(name: str, **options: object) -> object:
        made.append(f"lexer {name}")
        return lexer_by_name(name, **options)

    def counted_formatter(name: str, **options: object) -> object:
        made.append(f"formatter {name}")
        return formatter_by_name(name, **options)

    monkeypatch.setattr(highlight, "get_lexer_by_name", counted_lexer)
    monkeypatch.setattr(highlight, "get_formatter_by_name", counted_formatter)
    text = "".join(f"```python\nx = {n}\n```\n\n" for n in range(5))
    text += "    :::python\n    a = 1\n\nBetween.\n\n    :::python\n    b = 2\n"
    converter = make_converter()
    html = converter.convert(text)
    assert html.count('<div class="highlight">') == 7
    assert made.count("lexer python") == 2  # (fenced blocks and indented ones differ in options)
    assert made.count("formatter html") == 2
    assert html == reference().convert(text)


def test_formatters_kept_are_few(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks that each highlight other lines need a formatter each: the first 64 are kept,
    later ones are made for their block alone, so a journal of many cannot fill memory."""
    made: list[str] = []
    formatter_by_name = highlight.get_formatter_by_name

    def counted(name: str, **options: object) -> object:
        made.append(name)
        return formatter_by_name(name, **options)

    monkeypatch.setattr(highlight, "get_formatter_by_name", counted)
    converter = make_converter()

    def block(line: int) -> str:
        return f'```python hl_lines="{line}"\nx = 1\n```\n'

    text = "\n".join(block(line) for line in range(1, 71))
    assert converter.convert(text) == reference().convert(text)
    assert len(made) == 70
    converter.reset().convert(block(1))  # kept
    assert len(made) == 70
    converter.reset().convert(block(70))  # not kept: made again
    assert len(made) == 71


def test_an_unknown_language_is_looked_up_once() -> None:
    converter = make_converter()
    text = "```nosuchlanguage\na\n```\n\n```nosuchlanguage\nb\n```\n"
    assert converter.convert(text) == reference().convert(text)
    assert converter.reset().convert(text) == reference().convert(text)


# ---------------------------------------------------------------- needles


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (r"(?<!-)---(?!-)", ("---",)),
        (r"(?<!\.)\.{3}(?!\.)", ("...",)),
        (r"\*|_", ("*", "_")),
        (r"ab+c", ("ab",)),
        (r"a?b", ("b",)),
        (r"x{0}yz", ("yz",)),
        (r"[a-c]d?", ("a", "b", "c")),
        (r"(\s|&nbsp;|--)'(?=\w)", ("'",)),
        (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", ("\\\\", "`")),
    ],
)
def test_needles(expression: str, expected: tuple[str, ...]) -> None:
    assert needles(re.compile(expression)) == expected


@pytest.mark.parametrize(
    "expression",
    [r"(?i)abc", r"(?i:ab)c?", r"\d+", r"[^a]", r"\w", r"a*", r"(?:a|\s)", r"[a-z]", r"(?x) a b"],
)
def test_no_needles_where_none_is_sure(expression: str) -> None:
    assert needles(re.compile(expression)) is None


def test_every_match_holds_a_needle() -> None:
    """Every expression of the converter's patterns, on every text of the cases: where it
    finds something, one of its needles is in the text."""
    converter = make_converter()
    expressions = [
        pattern.compiled_re
        for registry in (
            converter.inlinePatterns,
            converter.treeprocessors["smarty"].inlinePatterns,
        )
        for pattern in registry
    ]
    texts = [source(name) for name in CASES] + _mixtures()
    lines = [line for text in texts for line in text.splitlines()]
    for expression in expressions:
        found = needles(expression)
        assert found is not None, expression.pattern
        for text in texts + lines:
            if expression.search(text):
                assert needed_in(text, found), (expression.pattern, text)

"""The two Markdown engines: `markdown = "commonmark"` (pyromark) gives the HTML the default
Python-Markdown gives wherever CommonMark allows (heading ids, footnotes, tables, quotes and
dashes, code colours, figures, links by title, summaries, word counts), and says so per
engine where they differ (docs/markdown-engines.md). The setting, the `--markdown` flag, the
cache key, the worker processes and a watch session all follow the engine chosen."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, OPTIONS, build_journal, make_journal, post_text
from test_incremental import Journal, compare, site_files

from generator.cli import make_parser, request_of
from generator.core import config as config_module
from generator.core.config import MARKDOWN_ENGINES, load_config
from generator.incremental.session import WatchSession
from generator.pipeline.build import Request, build
from generator.pipeline.conversion import cache_keys
from generator.pipeline.markup import Rendered, make_converter, render_markdown
from generator.pipeline.parallel import parallel_min, render_texts, worker_count
from generator.pipeline.wikilinks import titles_marked

pytest.importorskip("pyromark", reason="the commonmark engine needs pyromark")

SAMPLE = Path(__file__).parent / "sample_journal"
BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def rendered(engine: str, text: str) -> Rendered:
    return render_markdown(make_converter(engine), text)


def both(text: str) -> tuple[str, str]:
    python_markdown, commonmark = (rendered(engine, text).html for engine in MARKDOWN_ENGINES)
    return python_markdown, commonmark


# ---------------------------------------------------------------- the same HTML

SAME = {
    "heading ids": (
        "# It's *my* \"best\" <b>day</b> & co\n\n## It's my best day & co\n\n"
        "## Written {#mine}\n\n### Klassé Überschrift\n\n#### Written {#mine}\n"
    ),
    "heading ids skip ids taken": "## Notes\n\n## Notes_1\n\n## Notes\n",
    "a heading with a footnote": "## Heading[^1]\n\nText.\n\n[^1]: The note.\n",
    "footnotes": (
        "First[^b] and again[^b], then[^a] and [^missing].\n\n"
        "[^a]: Note a, *defined first*.\n[^b]: Note b.\n\n    Its second paragraph.\n"
        "[^unused]: Nobody points here.\n"
    ),
    "a note ending in a list": "Text[^n].\n\n[^n]: Para.\n\n    - one\n    - two\n",
    "tables": "| a | b | c |\n|:--|:-:|--:|\n| 1 | *2* | `3` |\n| 4 | 5 | 6 |\n",
    "quotes and dashes": (
        "\"Quoted\" and 'single' -- and --- dashes... It's typed: “as is” – kept.\n\n"
        '`code "stays" -- straight`\n'
    ),
    "definition lists": "Term\n: Its definition.\n\nOther term\n: Another *one*.\n",
    "raw html": 'Before <span>inline</span>.\n\n<div class="box">\n<p>Raw *kept*.</p>\n</div>\n',
    "fenced code": (
        '```python\ndef f(x: int) -> str:\n    return "<%d>" % x  # note\n```\n\n'
        "```\nplain <text> & more\n```\n\n```nosuchlanguage\nkept as text\n```\n"
    ),
    "indented code": "Text.\n\n    indented = True\n    <tag> & more\n\nAfter.\n",
    "summary": "First paragraph.\n\nSecond.\n\n<!-- more -->\n\nThe rest.\n",
    "figures": (
        '![Alt](photo.jpg "A caption & \\"quotes\\"")\n\n'
        '![inline](a.jpg "Not alone") with words.\n\n![no caption](b.jpg)\n\n'
        '> ![b](b.jpg "In a quote")\n\n[![c](c.jpg "Linked")](c.jpg)\n'
    ),
    "links by title": (
        "See [[Post title]], [[Other|shown *text*]], [[It's & <b>]], "
        "`[[in code]]` and \\[[escaped]].\n\n    [[indented]]\n\n"
        "A link: [[1]](https://example.org/).\n\n<div>[[raw html]]</div>\n"
    ),
    "links to sources": '[see](../2023/courage.md) and [there](other.md#part "T").\n',
    "emphasis and breaks": "**Strong** *em*  \nnew line\n\n---\n\nAfter the rule.\n",
    "not markdown in either": "~~strike~~ H~2~O\n\n- [ ] to do\n- [x] done\n",
    "lists": "1. one\n2. two\n\n- a\n- b\n    - nested\n\nText.\n",
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_both_engines_make_the_same_html(name: str) -> None:
    python_markdown, commonmark = (rendered(engine, SAME[name]) for engine in MARKDOWN_ENGINES)
    assert commonmark == python_markdown


def test_the_footnotes_keep_their_shape_and_order() -> None:
    for html in both(SAME["footnotes"]):
        assert '<sup id="fnref:b"><a class="footnote-ref" href="#fn:b">2</a></sup>' in html
        assert '<sup id="fnref2:b"><a class="footnote-ref" href="#fn:b">2</a></sup>' in html
        assert '<li id="fn:a">' in html and "[^missing]" in html
        assert html.endswith("</ol>\n</div>")
        assert html.count('class="footnote-backref"') == 4  # b twice, a and the unused once


def test_headings_get_the_ids_of_the_toc_extension() -> None:
    for html in both(SAME["heading ids"]):
        ids = re.findall(r'<h\d id="([^"]*)"', html)
        assert ids == [
            *("its-my-best-day-co", "its-my-best-day-co_1", "mine", "klasse-uberschrift", "mine")
        ]
        assert '<h4 id="mine">' in html  # an id written is kept, even twice


def test_code_is_coloured_with_the_classes_of_codehilite() -> None:
    for html in both(SAME["fenced code"]):
        assert '<div class="highlight"><pre><span></span><code><span class="k">def</span>' in html
        assert "plain &lt;text&gt; &amp; more" in html


def test_links_by_title_are_marked_outside_code_and_raw_html() -> None:
    for html in both(SAME["links by title"]):
        assert titles_marked(html) == ["Post title", "Other", "It's & <b>"]
        assert '<journal-wikilink data-title="Other">shown <em>text</em>' in html


def test_words_summary_and_reading_time_agree() -> None:
    text = SAME["summary"] + SAME["footnotes"] + SAME["tables"]
    python_markdown, commonmark = (rendered(engine, text) for engine in MARKDOWN_ENGINES)
    assert commonmark.words == python_markdown.words > 20
    assert (
        commonmark.summary_html
        == python_markdown.summary_html
        == ("<p>First paragraph.</p>\n<p>Second.</p>")
    )


# ---------------------------------------------------------------- where they differ

# Each difference of docs/markdown-engines.md: (Markdown, what Python-Markdown makes, what
# the commonmark engine makes).
DIFFERENT = {
    "lists with a blank line between items": (
        "- a\n- b\n\n- c\n",
        "<ul>\n<li>a</li>\n<li>\n<p>b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n</ul>",
        "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n</ul>",
    ),
    "a list right after a paragraph": (
        "Items:\n- a\n- b\n",
        "<p>Items:\n- a\n- b</p>",
        "<p>Items:</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>",
    ),
    "quotes with a blank line between them": (
        "> a\n\n> b\n",
        "<blockquote>\n<p>a</p>\n<p>b</p>\n</blockquote>",
        "<blockquote>\n<p>a</p>\n</blockquote>\n<blockquote>\n<p>b</p>\n</blockquote>",
    ),
    "attribute lists": (
        "A paragraph.\n{: .wide}\n",
        '<p class="wide">A paragraph.</p>',
        "<p>A paragraph.\n{: .wide}</p>",
    ),
    "abbreviations": (
        "The HTML spec.\n\n*[HTML]: Hyper Text Markup Language\n",
        '<p>The <abbr title="Hyper Text Markup Language">HTML</abbr> spec.</p>',
        "<p>The HTML spec.</p>\n<p>*[HTML]: Hyper Text Markup Language</p>",
    ),
    "Markdown inside HTML": (
        '<div markdown="1">\n*em*\n</div>\n',
        "<div>\n<p><em>em</em></p>\n</div>",
        '<div markdown="1">\n*em*\n</div>',
    ),
    "fenced code inside a list item or quote": (
        "- a\n\n    ```\n    code\n    ```\n",
        "<ul>\n<li>\n<p>a</p>\n<p><code>code</code></p>\n</li>\n</ul>",
        '<ul>\n<li>\n<p>a</p>\n<div class="highlight"><pre><span></span><code>code\n'
        "</code></pre></div>\n\n</li>\n</ul>",
    ),
    "a list nested by two spaces": (
        "- a\n  - b\n",
        "<ul>\n<li>a</li>\n<li>b</li>\n</ul>",
        "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>",
    ),
    "strong and emphasis at once": (
        "***both***\n",
        "<p><strong><em>both</em></strong></p>",
        "<p><em><strong>both</strong></em></p>",
    ),
    "a blank line after raw HTML": (
        "<div>raw</div>\n\nText.\n",
        "<div>raw</div>\n\n<p>Text.</p>",
        "<div>raw</div>\n<p>Text.</p>",
    ),
    "a backslash at the end of a line": ("a\\\nb\n", "<p>a\\\nb</p>", "<p>a<br>\nb</p>"),
    "entities written": ("&copy; &amp;\n", "<p>&copy; &amp;</p>", "<p>© &amp;</p>"),
    "a code block whose first line is `:::lang` or `#!lang`": (
        "    :::python\n    x = 1\n",
        '<div class="highlight"><pre><span></span><code><span class="n">x</span> '
        '<span class="o">=</span> <span class="mi">1</span>\n</code></pre></div>',
        '<div class="highlight"><pre><span></span><code>:::python\nx = 1\n</code></pre></div>',
    ),
    "smart quotes in odd places": (
        'He said "so"" and 5\'10".\n',
        "<p>He said &ldquo;so&rdquo;&rdquo; and 5&lsquo;10&rdquo;.</p>",
        "<p>He said &ldquo;so&rdquo;&ldquo; and 5&rsquo;10&ldquo;.</p>",
    ),
    "e-mail addresses in angle brackets": (
        "<me@example.org>\n",
        '<p><a href="&#109;&#97;&#105;&#108;&#116;&#111;&#58;&#109;&#101;&#64;&#101;&#120;'
        '&#97;&#109;&#112;&#108;&#101;&#46;&#111;&#114;&#103;">&#109;&#101;&#64;&#101;&#120;'
        "&#97;&#109;&#112;&#108;&#101;&#46;&#111;&#114;&#103;</a></p>",
        '<p><a href="mailto:me@example.org">me@example.org</a></p>',
    ),
    "a table of contents marker": (
        "[TOC]\n\n# A\n",
        '<div class="toc">\n<ul>\n<li><a href="#a">A</a></li>\n</ul>\n</div>\n<h1 id="a">A</h1>',
        '<p>[TOC]</p>\n<h1 id="a">A</h1>',
    ),
}


@pytest.mark.parametrize("name", sorted(DIFFERENT))
def test_where_the_engines_differ_each_makes_what_the_docs_say(name: str) -> None:
    text, python_markdown, commonmark = DIFFERENT[name]
    assert both(text) == (python_markdown, commonmark)


def test_the_docs_list_every_difference_and_no_other() -> None:
    docs = (Path(__file__).parent.parent / "docs/markdown-engines.md").read_text(encoding="utf-8")
    table = docs[docs.index("## What differs") :]
    rows = [line.split(" | ")[0].lstrip("| ") for line in table.splitlines() if line[:2] == "| "]
    assert sorted(rows[1:]) == sorted(DIFFERENT)  # (the first row names the columns)


def test_the_sample_journal_is_the_same_with_both_engines() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLE.rglob("*.md"))]
    assert len(texts) >= 8
    for text in texts:
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
        python_markdown, commonmark = both(body)
        assert commonmark == python_markdown


def _as_one_list(html: str) -> str:
    """The HTML with lists and quotes compared loosely: what the engines may differ in."""
    html = re.sub(r">\s+<", "><", html).replace("</blockquote><blockquote>", "")
    html = re.sub(r"<li><p>(.*?)</p></li>", r"<li>\1</li>", html, flags=re.S)
    for mark in ("<li><p>", "</p></li>", "</p><p>"):
        html = html.replace(mark, {"<li><p>": "<li>", "</p></li>": "</li>"}.get(mark, " "))
    return html.replace("</ul><ul>", "").replace("</ol><ol>", "")


def test_the_benchmark_corpus_differs_only_in_lists_and_quotes() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import make_journal
    finally:
        sys.path.remove(str(BENCHMARKS))
    files = make_journal.generate(120, 7)
    texts = [text.split("\n---\n", 1)[1] for name, text in files.items() if name.endswith(".md")]
    same = 0
    for text in texts:
        python_markdown, commonmark = both(text)
        same += commonmark == python_markdown
        assert _as_one_list(commonmark) == _as_one_list(python_markdown)
    assert same > len(texts) // 2


# ---------------------------------------------------------------- choosing the engine


def test_an_unknown_engine_is_an_error_at_its_line_with_a_suggestion(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {}, MINIMAL_CONFIG + 'markdown = "comonmark"\n')
    config, problems = load_config(root)
    assert config.markdown == "python-markdown"
    assert [(p.path, p.line, p.level) for p in problems] == [("journal.toml", 4, "error")]
    assert 'did you mean "commonmark"' in problems[0].message
    assert 'markdown = "python-markdown"' in problems[0].message


def test_commonmark_without_pyromark_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_journal(tmp_path, {}, MINIMAL_CONFIG + 'markdown = "commonmark"\n')
    monkeypatch.setattr(config_module.importlib.util, "find_spec", lambda name: None)
    _, problems = load_config(root)
    assert [p.message for p in problems] == [
        'markdown = "commonmark" needs pyromark: pip install pyromark'
    ]
    result = build(Request(root, options=OPTIONS, markdown="commonmark"))
    assert not result.ok
    assert any(
        p.path == "--markdown" and "--markdown commonmark needs pyromark" in p.message
        for p in result.problems
    )


def test_a_converter_without_pyromark_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyromark", None)
    with pytest.raises(RuntimeError, match="pip install pyromark"):
        make_converter("commonmark")


def test_the_flag_is_on_build_and_serve_and_wins_over_the_setting() -> None:
    parser = make_parser()
    args = parser.parse_args(["build", "--markdown", "commonmark"])
    assert request_of(args).markdown == "commonmark"
    assert parser.parse_args(["serve", "--markdown", "python-markdown"]).markdown == (
        "python-markdown"
    )
    with pytest.raises(SystemExit):
        parser.parse_args(["build", "--markdown", "cmark"])


LOOSE = post_text("2024-03-01", "- a\n- b\n\n- c\n", title="Lists")


@pytest.mark.parametrize("setting", ["", 'markdown = "python-markdown"\n'])
def test_a_build_uses_the_engine_chosen_and_switching_renders_again(
    tmp_path: Path, setting: str
) -> None:
    root = make_journal(tmp_path, {"content/posts/lists.md": LOOSE}, MINIMAL_CONFIG + setting)
    page = root / "output/2024/lists/index.html"
    assert build_journal(root).ok
    assert "<li>\n<p>a</p>" not in page.read_text(encoding="utf-8")
    assert build(Request(root, options=OPTIONS, markdown="commonmark")).ok  # the cache is warm
    assert "<li>\n<p>a</p>" in page.read_text(encoding="utf-8")
    (root / "journal.toml").write_text(MINIMAL_CONFIG + 'markdown = "commonmark"\n')
    assert build_journal(root).ok
    assert "<li>\n<p>a</p>" in page.read_text(encoding="utf-8")
    assert build(Request(root, options=OPTIONS, markdown="python-markdown")).ok
    assert "<li>\n<p>a</p>" not in page.read_text(encoding="utf-8")


def test_the_cache_key_holds_the_engine() -> None:
    texts = {"a": "Text.\n"}
    keys = [cache_keys(texts, engine)["a"] for engine in MARKDOWN_ENGINES]
    assert keys[0] != keys[1]


def test_worker_processes_use_the_engine_and_each_engine_has_its_threshold() -> None:
    texts = {f"t{n}": f"Item {n}.\n\n- a\n- b\n\n- c\n\n{SAME['footnotes']}" for n in range(8)}
    serial = {key: rendered("commonmark", text) for key, text in texts.items()}
    assert render_texts(dict(texts), workers=2, engine="commonmark") == serial
    assert render_texts(dict(texts), workers=2) != serial
    least = parallel_min("commonmark")
    assert least != parallel_min("python-markdown")
    assert worker_count(least - 1, cpus=4, engine="commonmark") == 1
    assert worker_count(least, cpus=4, engine="commonmark") >= 2


def test_serve_equals_a_clean_build_as_the_engine_changes(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {}, MINIMAL_CONFIG + 'markdown = "commonmark"\n')
    journal = Journal(root, random.Random(5))
    for _ in range(6):
        journal.add_post()
    journal.write("content/posts/2024/lists.md", LOOSE + "\n" + SAME["footnotes"])
    output = tmp_path / "watched"
    builder = WatchSession(Request(root, output, OPTIONS), own_output=True)
    assert builder.build().ok
    assert compare(builder.build(changed=set()), root, output, tmp_path / "clean", "first")
    for step, engine in enumerate(["python-markdown", "commonmark", "commonmark"]):
        settings = journal.write("journal.toml", MINIMAL_CONFIG + f'markdown = "{engine}"\n')
        edited = journal.rng.choice(journal.posts())
        edited.write_text(edited.read_text(encoding="utf-8") + "\n- x\n\n- y\n", encoding="utf-8")
        result = builder.build(changed={settings, edited})
        assert compare(result, root, output, tmp_path / "clean", f"step {step}: {engine}")


def test_a_journal_of_what_both_engines_share_builds_the_same_site(tmp_path: Path) -> None:
    """Promises, links to other posts' files, footnotes, code, figures, links by title, the
    search index, word counts and feeds: every file the same, whichever engine."""
    body = "\n\n".join(SAME[name] for name in ("heading ids", "footnotes", "fenced code"))
    files = {
        "content/posts/2024/first.md": post_text(
            "2024-03-01",
            f"To [the second](second.md), [[Second post]].\n\n{body}\n\nNext: Second post\n",
            title="First post",
        ),
        "content/posts/2024/second.md": post_text(
            "2024-03-02",
            '![Alt](https://example.org/p.jpg "A caption")\n\n' + SAME["tables"],
            title="Second post",
        ),
    }
    sites = []
    for engine in MARKDOWN_ENGINES:
        root = make_journal(tmp_path / engine, files)
        assert build(Request(root, options=OPTIONS, markdown=engine)).ok
        sites.append(site_files(root / "output"))
    assert sites[0] == sites[1]
    first = (root / "output/2024/first/index.html").read_text(encoding="utf-8")
    assert 'rel="next" class="thread-link chain-next" href="/2024/second/"' in first
    assert '<a href="/2024/second/">the second</a>' in first
    second = (root / "output/2024/second/index.html").read_text(encoding="utf-8")
    assert "<figcaption>A caption</figcaption>" in second

"""The text and HTML that a post's view carries beside its fields: its "Next:" promise as
feeds show it (`NextView`), its summary and description as lists of posts and a page's
<head> show them, and its footnotes' links named for screen readers. Pure functions of a
post's fields and its rendered Markdown; `Views` (views.py) makes each view with them, and
its date in words with the journal's language (language.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import escape

from generator.core.text import html_to_text


@dataclass(frozen=True)
class NextView:
    """A "Next:" promise as shown: `url` is None while the promised post is not written;
    `keyword` is the journal's ("Next", `next_keyword`), `coming` what a promise still to
    write says in the journal's language ("(still to come)")."""

    title: str
    url: str | None
    abs_url: str | None
    keyword: str
    coming: str


def promise_html(promise: NextView | None) -> str:
    if promise is None:
        return ""
    title, keyword = escape(promise.title), escape(promise.keyword)
    if promise.abs_url is None:
        return f'\n<p class="chain-to">{keyword}: {title} {escape(promise.coming)}</p>'
    return f'\n<p class="chain-to">{keyword}: <a href="{escape(promise.abs_url)}">{title}</a></p>'


@dataclass(frozen=True)
class FootnoteLabels:
    """What screen readers say for a footnote's links, in the journal's language, with
    `%(number)s` for the footnote's number: `back` for the ↩ link after a note, `note` for
    the number in the text."""

    back: str
    note: str


# Python-Markdown's footnotes (the "extra" extension): the number in the text, and the ↩
# link after each note, titled in English with the note's number.
_FOOTNOTE_LINK = re.compile(
    r'<a class="footnote-(?P<kind>ref|backref)" href="(?P<href>#[^"]*)"'
    r'(?: title="[^"\d]*(?P<number>\d+)[^"]*")?>(?P<text>[^<]*)</a>'
)


def labelled_footnotes(html: str, labels: FootnoteLabels) -> str:
    """The HTML with each footnote link named (`aria-label`; the ↩ link titled too) in the
    journal's language; HTML without footnotes as it is."""
    if "footnote-" not in html:
        return html

    def named(link: re.Match[str]) -> str:
        kind, href, text = link["kind"], link["href"], link["text"]
        number = link["number"] or text if kind == "backref" else text
        label = escape((labels.back if kind == "backref" else labels.note) % {"number": number})
        title = f' title="{label}"' if kind == "backref" else ""
        return f'<a class="footnote-{kind}" href="{href}"{title} aria-label="{label}">{text}</a>'

    return _FOOTNOTE_LINK.sub(named, html)


_START_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_ID_ATTRIBUTE = re.compile(r'\sid="[^"]*"')
_PAGE_ANCHOR = re.compile(r'(\shref=")#')


def standalone_summary(summary_html: str, post_url: str) -> str:
    """A summary that works away from its post, on lists of many posts: its ids are dropped
    (they would repeat on the page) and its in-page links (`#fn:1`) lead to the post."""

    def fix(tag: re.Match[str]) -> str:
        without_ids = _ID_ATTRIBUTE.sub("", tag.group(0))
        return _PAGE_ANCHOR.sub(lambda m: f"{m.group(1)}{post_url}#", without_ids)

    return _START_TAG.sub(fix, summary_html) if "<" in summary_html else summary_html


def summary_html_of(summary: str | None, rendered_summary_html: str) -> str:
    """The front matter's `summary` (plain text) when the post has one, else the rendered one
    (before `<!-- more -->`, or the first paragraph)."""
    return f"<p>{escape(summary)}</p>" if summary is not None else rendered_summary_html


def description_of(summary: str | None, summary_html: str) -> str:
    """The page's meta description: the summary as plain text (entities decoded: templates
    escape it once), at most 200 characters, cut between words."""
    text = summary if summary is not None else html_to_text(summary_html)
    words = " ".join(text.split())
    return words if len(words) <= 200 else words[:199].rsplit(" ", 1)[0] + "…"

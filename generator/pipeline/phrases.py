"""The theme's words in the templates: `{% trans %}` (Jinja's i18n tag, new style: a phrase
is a format string whose values are escaped) speaking a journal's `Language`, and the
`number` filter.

An environment speaks one language (theme.py makes one per language), so a phrase is
translated as its template is compiled (`PhraseBook`): a phrase without a plural costs no
more to draw than the text it stands for, and in a language without a catalog (English) a
phrase with a plural no more than the `{% if count != 1 %}s{% endif %}` it replaces. In
other languages, a plural's form is chosen by its count as the page is drawn.

The function style of Jinja's i18n (`_()`, `gettext()`) is left out on purpose: each global
of an environment is copied into every template context Jinja makes, thousands a build.
"""

from __future__ import annotations

import gettext
import re

import jinja2
from jinja2 import nodes
from jinja2.ext import InternationalizationExtension

from generator.pipeline.language import Language

LANGUAGE_ATTRIBUTE = "journal_language"  # the environment's `Language`, set by `speak`


class PhraseBook(InternationalizationExtension):
    """Jinja's i18n tag, translating as it compiles what it can (see the module)."""

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        environment.globals.pop("_", None)  # (see the module)
        environment.newstyle_gettext = True  # type: ignore[attr-defined]

    def _make_node(  # type: ignore[override]  # (an `If` for an English plural)
        self,
        singular: str,
        plural: str | None,
        context: str | None,
        variables: dict[str, nodes.Expr],
        plural_expr: nodes.Expr | None,
        vars_referenced: bool,
        num_called_num: bool,
    ) -> nodes.Stmt:
        words = self._words()
        if plural_expr is None:
            return _folded(_translated(words, context, singular), singular, variables)
        values = {"num": plural_expr, **variables}  # (`num` is the count unless given)
        plural = plural or singular
        if type(words) is gettext.NullTranslations:  # the singular for one, else the plural
            if singular == plural:  # ("%(num)s min read")
                return _folded(singular, singular, values)
            one = nodes.Compare(plural_expr, [nodes.Operand("eq", nodes.Const(1))])
            return nodes.If(
                one, [_folded(singular, singular, values)], [], [_folded(plural, plural, values)]
            )
        arguments = [nodes.Const(context), nodes.Const(singular), nodes.Const(plural)]
        chosen = self.call_method("plural_form", [*arguments, plural_expr])
        return nodes.Output([_phrase(chosen, values)])

    def plural_form(self, context: str | None, singular: str, plural: str, count: int) -> str:
        """The translation of a phrase with a plural, in its form for `count`."""
        words = self._words()
        if context is not None:
            return words.npgettext(context, singular, plural, count)
        return words.ngettext(singular, plural, count)

    def _words(self) -> gettext.NullTranslations:
        language = getattr(self.environment, LANGUAGE_ATTRIBUTE, None)
        return language.words if isinstance(language, Language) else gettext.NullTranslations()


def _translated(words: gettext.NullTranslations, context: str | None, message: str) -> str:
    return words.pgettext(context, message) if context is not None else words.gettext(message)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _folded(text: str, original: str, variables: dict[str, nodes.Expr]) -> nodes.Output:
    """A translated phrase drawn as if it were written in the template: its text as template
    text, each `%(name)s` as `{{ name }}` (escaped as any value), `%%` as "%". A translation
    with another % sign, or a name without a value, gives way to the phrase as written (and
    that one, to the phrase drawn as a format string, which fails as Jinja's would)."""
    for phrase in (text, original):
        pieces = _pieces(phrase, variables)
        if pieces is not None:
            return nodes.Output(pieces)
    return nodes.Output([_phrase(original, variables)])


def _pieces(phrase: str, variables: dict[str, nodes.Expr]) -> list[nodes.Expr] | None:
    """The phrase's text and values in order, or None if it holds any other % sign."""
    if "%" in _PLACEHOLDER.sub("", phrase):
        return None
    pieces: list[nodes.Expr] = []
    at = 0
    for placeholder in _PLACEHOLDER.finditer(phrase):
        name = placeholder.group(1)
        if name is not None and name not in variables:
            return None
        pieces.append(nodes.TemplateData(phrase[at : placeholder.start()]))
        pieces.append(variables[name] if name is not None else nodes.TemplateData("%"))
        at = placeholder.end()
    pieces.append(nodes.TemplateData(phrase[at:]))
    return [p for p in pieces if not (isinstance(p, nodes.TemplateData) and not p.data)]


def _phrase(text: str | nodes.Expr, values: dict[str, nodes.Expr]) -> nodes.Expr:
    """`text % values`, the text safe where the template escapes (values are escaped)."""
    phrase = nodes.Const(text) if isinstance(text, str) else text
    pairs = [nodes.Pair(nodes.Const(name), value) for name, value in values.items()]
    return nodes.Mod(nodes.MarkSafeIfAutoescape(phrase), nodes.Dict(pairs))


def speak(env: jinja2.Environment, language: Language) -> None:
    """Give the templates of `env` (which has the `PhraseBook` extension, and has compiled no
    template yet) the words of `language`: the phrases of `{% trans %}`, and the filter
    `number` (1,234; 1.234)."""
    setattr(env, LANGUAGE_ATTRIBUTE, language)
    env.filters["number"] = language.number

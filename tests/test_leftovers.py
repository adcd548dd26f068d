"""The build's warning about another generator's template syntax left in a post's text
(Liquid tags and outputs, Hugo shortcodes), and its silence about the same inside code."""

from __future__ import annotations

from pathlib import Path

from conftest import build_journal, make_journal, post_text

from generator.pipeline.leftovers import leftovers

BODY = """Intro {{ site.baseurl }}/x.

{% include note.html %}

{{< figure src="cat.png" >}}

{{% notice tip %}}

`{{ in a span }}` and ``{% also %}``

```liquid
{% raw %}{{ fenced }}{% endraw %}
```

    {{ indented code }}

<pre>
{{ in pre }}
</pre>

- a list item {% assign x = 1 %}
"""


def test_each_construct_left_outside_code_is_a_warning_at_its_line(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/2024/left.md": post_text(body=BODY)})
    result = build_journal(root)
    assert result.ok, "a warning: the post is still published"
    found = [
        (p.line, p.message.split(" is left")[0])
        for p in result.problems
        if p.path == "content/posts/2024/left.md"
    ]
    assert found == [
        (4, "the template output {{ site.baseurl }}"),
        (6, "the Liquid tag {% include ... %}"),
        (8, "the Hugo shortcode {{< figure ...}}"),
        (10, "the Hugo shortcode {{% notice ...}}"),
        (24, "the Liquid tag {% assign ... %}"),
    ]
    message = next(p.message for p in result.problems if p.line == 6)
    assert "readers would see it as it is" in message and "`backticks`" in message


def test_a_post_without_such_syntax_gets_no_warning() -> None:
    body = "Braces { like } these, and {% in words?\n\nA set {a, b} and {{ unclosed.\n"
    assert leftovers(body) == []


def test_code_inside_a_quote_block_is_code() -> None:
    body = "> Note:\n>\n> ```sh\n> {{< inside >}}\n> ```\n> {% outside %}\n"
    assert [(item.line, item.what) for item in leftovers(body)] == [
        (5, "the Liquid tag {% outside ... %}")
    ]


def test_an_escaped_shortcode_outside_code_is_named() -> None:
    assert [item.what for item in leftovers("See {{</* figure */>}} here.\n")] == [
        "the Hugo shortcode {{< figure ...}}"
    ]

"""A richer journal than the repository's own, for tests of the whole published site.

Built for a project site under a subpath (https://user.github.io/journal/), with code, a
table, footnotes, tags, kept and pending "Next:" chains, CJK text, a title full of markup
characters, links between posts written as source paths, a static image, a draft and enough
posts for two home pages. Use it with conftest.make_journal(tmp_path, RICH_FILES).
"""

from __future__ import annotations

SUBPATH_BASE_URL = "https://user.github.io/journal/"

RICH_CONFIG = """\
title = "Notes & <Drafts> \\"quoted\\""
author = "A. Writer"
description = "One word a year & the posts that grow from it."
base_url = "https://user.github.io/journal/"
timezone = "Europe/Paris"
language = "en"
posts_per_page = 2
cname = "journal.example.org"
"""

DOT_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><circle r="2"/></svg>\n'

RICH_FILES: dict[str, str] = {
    "journal.toml": RICH_CONFIG,
    "content/themes/2023.md": (
        "---\nword: courage\n---\nThe year of [brave posts](../posts/2023/courage.md).\n"
    ),
    "content/themes/2024.md": "---\nword: partnership\n---\nGrowing *together*.\n",
    "content/static/images/dot.svg": DOT_SVG,
    "content/posts/2023/courage.md": """\
---
title: Courage
date: 2023-03-14
tags: [courage, Writing]
---
Courage is a habit.[^1]

## A small table

| Day | Words |
|-----|------:|
| Monday | 300 |
| Tuesday | 450 |

```python
def brave(step: int) -> str:
    return "<step %d>" % step
```

[^1]: Said many times & by many people.

Next: Partnership
""",
    "content/posts/2024/partnership.md": """\
---
title: Partnership
date: 2024-06-10
tags: [partnership, business]
---
A partnership is not a deal. Partnership saves time; it takes relationship skills.

It began with [courage](../2023/courage.md) and [its table](@/2023/courage.md#a-small-table),
in the year of [the word](content/themes/2023.md).

![A dot](../../images/dot.svg)

If you want to go fast, go alone. If you want to go far, go together.

Next: Post everyday
""",
    "content/posts/2024/escaped.md": """\
---
title: "<script>alert('x')</script> & \\"quotes\\""
date: 2024-07-02 09:30
tags: ["C++", "R&D"]
summary: "A summary with <b>markup</b> & ampersands"
---
Text with <em>inline HTML</em>, an ampersand & a "quote".

See also the [draft](draft.md).
""",
    "content/posts/2024/cjk.md": """\
---
title: 日本語のタイトル
date: 2024-08-15
tags: [日記]
---
今日は良い天気です。パートナーシップについて考えました。
""",
    "content/posts/2024/2024-09-01-a-jekyll-name.md": """\
# A title from the heading

Dated by its file name. `inline <code>` and a list:

- one
- two
""",
    "content/posts/2024/draft.md": """\
---
title: Not yet
date: 2024-10-01
draft: true
---
Unfinished.
""",
}

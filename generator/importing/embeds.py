"""What an embedded image or video of another generator becomes: Markdown.

Videos, tweets and gists become plain links, not embeds: a page of this journal loads
nothing from YouTube, Vimeo, Twitter or GitHub until its reader clicks (a YouTube link
goes to youtube-nocookie.com, a Vimeo one asks not to be tracked).
"""

from __future__ import annotations

import re

_VIDEO_ID = re.compile(r"^[\w-]+$")


def _escape(text: str) -> str:
    """Text safe inside Markdown link text: brackets escaped, on one line."""
    return " ".join(text.split()).replace("[", "\\[").replace("]", "\\]")


def image_markdown(src: str, alt: str = "", title: str = "", caption: str = "") -> str:
    """`![alt](src "title")`; with a caption, the caption is the title: a picture with a
    title alone in its paragraph is a figure with that caption in the journal."""
    shown_title = " ".join((caption.strip() or title).split()).replace('"', "'")
    target = f"<{src}>" if re.search(r"[\s()]", src) else src
    return f"![{_escape(alt)}]({target}" + (f' "{shown_title}"' if shown_title else "") + ")"


def youtube_link(video: str, title: str = "") -> str:
    """A link that plays a YouTube video without cookies, only when clicked."""
    if not _VIDEO_ID.match(video):
        video = video.rsplit("v=", 1)[-1].rsplit("/", 1)[-1]
    label = _escape(title) or "Watch the video on YouTube"
    return f"[▶ {label}](https://www.youtube-nocookie.com/embed/{video})"


def vimeo_link(video: str, title: str = "") -> str:
    label = _escape(title) or "Watch the video on Vimeo"
    return f"[▶ {label}](https://player.vimeo.com/video/{video.rsplit('/', 1)[-1]}?dnt=1)"


def gist_link(gist: str, file: str = "") -> str:
    path = gist if "/" in gist else f"{gist}"
    label = f"the gist {file}" if file else "the gist"
    return f"[See {label} on GitHub](https://gist.github.com/{path})"


def tweet_link(user: str, status: str) -> str:
    who = f"@{user}" if user else "Twitter"
    return f"[A post by {who} on Twitter](https://twitter.com/{user or 'i'}/status/{status})"


def instagram_link(post: str) -> str:
    return f"[A post on Instagram](https://www.instagram.com/p/{post}/)"

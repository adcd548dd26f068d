"""What a page's template gets beside the post views (views.py) and the insights
(features/insights.py, features/reviews.py): the page's own meta, the home page's
pagination, a tag's posts, the archive's years and months, and the search page's URLs.
`render.Planner` makes them; a tag's view and an archive year's, being made of many post
views, are made here, once while none of those posts changes (`Views.container`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from generator.pipeline.picture_tags import PageImage
from generator.pipeline.site import Year
from generator.pipeline.tags import Tag
from generator.pipeline.views import Link, PostView, Views


@dataclass(frozen=True)
class PageMeta:
    title: str
    path: str  # the output file, e.g. "2024/partnership/index.html"
    url: str  # with the base path, e.g. "/journal/2024/partnership/"
    canonical: str  # absolute
    description: str
    feeds: tuple[Link, ...]  # <link rel="alternate"> for this page, absolute URLs
    image: PageImage | None = None  # og:image: a post's first picture


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    newer_url: str | None
    older_url: str | None


@dataclass(frozen=True)
class TagView:
    name: str
    url: str
    posts: tuple[PostView, ...]


@dataclass(frozen=True)
class MonthGroup:
    name: str  # in the journal's language: "June", "Juni"
    posts: tuple[PostView, ...]


@dataclass(frozen=True)
class YearGroup:
    year: int
    url: str
    months: tuple[MonthGroup, ...]


@dataclass(frozen=True)
class SearchView:
    index_url: str  # the JSON index, with the base path
    script_url: str


def tag_view(views: Views, tag: Tag) -> TagView:
    def make() -> TagView:
        return TagView(
            tag.name,
            views.urls.path(f"tags/{tag.slug}/"),
            tuple(views.post(k) for k in tag.posts),
        )

    return views.container("tag", (tag.slug, tag.name), tag.posts, make)


def archive_year(views: Views, year: Year) -> YearGroup:
    posts = (views.post(k) for k in year.posts)
    months = []
    for _, items in groupby(posts, key=lambda p: p.date.month):
        group = tuple(items)
        months.append(MonthGroup(views.language.month(group[0].date.month), group))
    return YearGroup(year.year, views.urls.path(f"{year.year}/"), tuple(months))

"""Every public page runs a fixed number of queries, whatever the number of posts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories import make_post

pytestmark = pytest.mark.django_db

URLS = [
    "/",
    "/posts/{slug}/",
    "/tags/",
    "/tags/?sort=az",
    "/tags/shared/",
    "/authors/",
    "/authors/ann/",
    "/search/?q=body",
    "/feed/",
    "/feed/atom/",
    "/tags/shared/feed/",
    "/authors/ann/feed/atom/",
    "/sitemap.xml",
    "/sitemap-posts.xml",
    "/sitemap-tags.xml",
    "/sitemap-authors.xml",
]


def seed(count):
    """``count`` published posts, each with three tags and two authors, in one translation group."""
    posts = [
        make_post(
            f"Post {number}", tags=["Shared", f"Tag {number}", f"Group {number % 7}"], authors=["Ann", f"Writer {number % 5}"],
            translation_key="guide.md", language=f"l{number}",
        )
        for number in range(count)
    ]
    return posts[1].slug


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_public_pages_use_the_same_number_of_queries_for_5_and_50_posts(client):
    slug = seed(5)
    few = {url: queries(client, url.format(slug=slug)) for url in URLS}
    seed(45)
    many = {url: queries(client, url.format(slug=slug)) for url in URLS}

    assert many == few


def test_later_pages_use_the_same_number_of_queries_as_the_first(client):
    seed(50)
    pages = ["/?page={}", "/tags/shared/?page={}", "/authors/ann/?page={}", "/search/?q=body&page={}"]

    assert [queries(client, url.format(5)) for url in pages] == [queries(client, url.format(1)) for url in pages]


def test_post_page_query_budget(client):
    slug = seed(5)

    assert queries(client, f"/posts/{slug}/") == 8  # post, tags, authors, previous, next, related candidates, related, translations

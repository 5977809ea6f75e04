"""Drafts and scheduled posts are invisible to the public on every surface."""

import pytest

from factories import make_draft, make_post, make_scheduled

pytestmark = pytest.mark.django_db

HIDDEN = ("Secret draft zebra", "Future scheduled zebra")


@pytest.fixture
def hidden_posts():
    shared = {"tags": ["Zebras"], "authors": ["Zed"], "translation_key": "zebra.md"}
    make_post("Public zebra", slug="public", days_ago=10, **shared)
    make_post("Public zebra, Spanish", slug="publico", language="es", days_ago=9, **shared)
    draft = make_draft(HIDDEN[0], slug="draft", language="fr", days_ago=5, **shared)
    scheduled = make_scheduled(HIDDEN[1], slug="scheduled", language="de", **shared)
    return draft, scheduled


SURFACES = [
    "/",
    "/posts/public/",
    "/tags/",
    "/tags/zebras/",
    "/authors/",
    "/authors/zed/",
    "/search/?q=zebra",
    "/feed/",
    "/feed/atom/",
    "/tags/zebras/feed/",
    "/tags/zebras/feed/atom/",
    "/authors/zed/feed/",
    "/authors/zed/feed/atom/",
    "/sitemap.xml",
    "/sitemap-posts.xml",
    "/sitemap-tags.xml",
    "/sitemap-authors.xml",
]


@pytest.mark.parametrize("url", SURFACES)
def test_hidden_posts_do_not_appear(client, hidden_posts, url):
    response = client.get(url)

    assert response.status_code == 200
    text = response.content.decode()
    for title in HIDDEN:
        assert title not in text
    for slug in ("/posts/draft/", "/posts/scheduled/"):
        assert slug not in text


def test_hidden_posts_do_not_count(client, hidden_posts):
    tags = client.get("/tags/")
    authors = client.get("/authors/")

    assert [tag.post_count for tag in tags.context["object_list"]] == [2]
    assert [author.post_count for author in authors.context["object_list"]] == [2]


def test_hidden_posts_are_404_for_readers(client, hidden_posts):
    for post in hidden_posts:
        assert client.get(post.get_absolute_url()).status_code == 404


def test_hidden_posts_are_not_neighbours_related_or_translations(client, hidden_posts):
    context = client.get("/posts/public/").context

    shown = [context["previous_post"], context["next_post"], *context["related_posts"], *context["translations"]]
    assert {post.slug for post in shown if post} == {"publico"}

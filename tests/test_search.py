"""Search: ranked, highlighted, public posts only; PostgreSQL stems by the post's language."""

import pytest

from blog.models import Post
from blog.search import clean_query, search, search_config
from factories import make_draft, make_post, make_scheduled

pytestmark = pytest.mark.django_db


def titles(query):
    return [post.title for post in search(Post.objects.published(), query)]


@pytest.mark.parametrize(("raw", "cleaned"), [("  two   words ", "two words"), ("", ""), ("!!! ??? ...", ""), ("x" * 500, "x" * 200)])
def test_clean_query_trims_bounds_and_drops_wordless_input(raw, cleaned):
    assert clean_query(raw) == cleaned


@pytest.mark.parametrize(("language", "config"), [("es", "spanish"), ("en", "english"), ("pt-br", "portuguese"), ("ja", "simple")])
def test_search_config_follows_the_post_language(language, config):
    assert search_config(language) == config


def test_search_ranks_title_and_tags_above_body():
    make_post("Unrelated title", body="This body mentions pelicans once.", days_ago=1)
    make_post("Pelicans of the world", body="Birds.", days_ago=5)
    make_post("Birdwatching", body="Birds.", tags=["Pelicans"], days_ago=3)

    assert titles("pelicans") == ["Pelicans of the world", "Birdwatching", "Unrelated title"]


def test_search_needs_every_word():
    make_post("Django forms", body="Validation.")
    make_post("Django models", body="Queries.")

    assert titles("django forms") == ["Django forms"]


def test_search_finds_only_published_posts():
    make_post("Visible kiwi")
    make_draft("Draft kiwi")
    make_scheduled("Scheduled kiwi")

    assert titles("kiwi") == ["Visible kiwi"]


def test_search_page_highlights_matches_and_escapes(client):
    make_post("Kiwi <b>bold</b> fruit", body="All about the kiwi and its seeds.")

    html = client.get("/search/?q=kiwi").text

    assert "<mark>Kiwi</mark> &lt;b&gt;bold&lt;/b&gt; fruit" in html
    assert "<mark>kiwi</mark>" in html
    assert "1 result for" in html


@pytest.mark.parametrize("query", ["", "%%%", "<script>alert(1)</script>", "a" * 5000, "' OR 1=1 --", "\x00\x01"])
def test_search_page_handles_empty_and_absurd_queries(client, query):
    make_post("Something")

    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text


def test_search_page_without_query_explains_itself(client):
    assert "Type a word or two" in client.get("/search/").text
    assert "has no words" in client.get("/search/?q=%21%21").text


def test_search_results_paginate_keeping_the_query(client):
    for number in range(12):
        make_post(f"Kiwi {number}", days_ago=number + 1)

    html = client.get("/search/?q=kiwi").text

    assert 'href="/search/?q=kiwi&amp;page=2"' in html
    assert client.get("/search/?q=kiwi&page=2").status_code == 200

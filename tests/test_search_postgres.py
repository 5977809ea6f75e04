"""PostgreSQL full-text search: stemming by each post's language, weights, headlines."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from blog.models import Post
from blog.search import search
from factories import make_post

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search: run with DATABASE_URL=postgres://..."),
]


def titles(query):
    return [post.title for post in search(Post.objects.published(), query)]


def test_postgresql_search_stems_spanish_posts():
    make_post("La IA generativa explicada", language="es", body="Modelos que crean contenido.")
    make_post("Generative models", language="en", body="Other text.")

    assert titles("generativas") == ["La IA generativa explicada"]


def test_postgresql_search_stems_english_posts():
    make_post("Running servers", language="en", body="We run many.")

    assert titles("run") == ["Running servers"]


def test_postgresql_search_follows_tag_renames():
    post = make_post("Plain title", tags=["Oldname"])
    tag = post.tags.get()
    tag.name = "Kubernetes"
    tag.save()

    assert titles("kubernetes") == ["Plain title"]


def test_postgresql_search_highlights_in_title_and_snippet(client):
    make_post("Servidores generativos", language="es", body="Un texto largo sobre servidores generativos y más cosas.")

    html = client.get("/search/?q=generativo").text

    assert "<mark>generativos</mark>" in html


def test_postgresql_search_follows_status_and_date_whatever_writes_them():
    post = make_post("Visible walrus")
    assert titles("walrus") == ["Visible walrus"]

    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)  # no save(), no signal: the trigger
    assert titles("walrus") == []

    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, publish_date=timezone.now() + dt.timedelta(hours=1))
    assert titles("walrus") == []
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert titles("walrus") == ["Visible walrus"]

    post.refresh_from_db()
    post.status = Post.Status.DRAFT
    post.save()
    assert titles("walrus") == []


def test_postgresql_search_ranks_title_then_tags_then_description_then_body_then_date():
    make_post("Body only, newest", body="A walrus appears.", days_ago=1)
    make_post("Body only, older", body="A walrus appears.", days_ago=9)
    make_post("Described", description="About a walrus.", days_ago=2)
    make_post("Tagged", tags=["Walrus"], days_ago=3)
    make_post("Walrus in the title", days_ago=4)

    assert titles("walrus") == ["Walrus in the title", "Tagged", "Described", "Body only, newest", "Body only, older"]


def test_postgresql_search_pages_count_and_slice_like_a_queryset():
    for number in range(25):
        make_post(f"Walrus {number}", days_ago=number)
    found = search(Post.objects.published(), "walrus")

    assert found.count() == len(found) == 25
    assert [post.title for post in found[10:12]] == ["Walrus 10", "Walrus 11"]
    assert found[24].title == "Walrus 24"
    assert found[30:40] == []

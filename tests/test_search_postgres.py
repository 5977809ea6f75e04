"""PostgreSQL full-text search: stemming by each post's language, weights, headlines."""

import pytest
from django.db import connection

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

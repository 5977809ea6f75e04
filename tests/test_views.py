"""The minimal reader pages: home and post, as a reader's browser gets them."""

import re
from datetime import datetime

import pytest
from django.core.management import call_command

from blog.models import Post

pytestmark = pytest.mark.django_db

SEED_URL = "/posts/ia-generativa-vs-llm-entendiendo-las-diferencias-y-sinergias/"


@pytest.fixture
def fixtures_imported(capsys):
    call_command("import_articles")
    capsys.readouterr()


def test_post_page_shows_seed_title_date_tags_and_author(fixtures_imported, client):
    response = client.get(SEED_URL)

    assert response.status_code == 200
    html = response.text
    assert re.search(r"<h1>IA Generativa vs LLM: Entendiendo las Diferencias y Sinergias</h1>", html)
    post = Post.objects.get(slug="ia-generativa-vs-llm-entendiendo-las-diferencias-y-sinergias")
    iso = re.search(r'<time datetime="([^"]+)"', html).group(1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d", iso)
    assert datetime.fromisoformat(iso) == post.publish_date
    tags = re.findall(r'<a href="(/tags/[^"]+/)">([^<]+)</a>', html)
    assert sorted(tags) == [
        ("/tags/ia-generativa/", "IA generativa"),
        ("/tags/llms/", "LLMs"),
        ("/tags/tecnologia-de-ia/", "tecnología de IA"),
    ]
    assert re.search(r'<a class="author" href="/authors/charlytoc/">Charlytoc</a>', html)
    assert re.search(r"<article class=\"post\" lang=\"es\">", html)


def test_post_page_links_lead_to_tag_and_author_pages(fixtures_imported, client):
    for url in ("/tags/llms/", "/authors/charlytoc/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "IA Generativa vs LLM" in response.text


def test_home_lists_published_posts_only(fixtures_imported, client):
    html = client.get("/").text

    assert "IA Generativa vs LLM" in html
    for post in Post.objects.exclude(pk__in=Post.objects.published()):
        assert post.title not in html


def test_draft_and_scheduled_posts_are_404_for_readers_and_visible_to_staff(fixtures_imported, client, admin_client):
    hidden = Post.objects.exclude(pk__in=Post.objects.published())
    assert {p.status for p in hidden} == {"draft", "published"}  # one draft, one scheduled
    for post in hidden:
        assert client.get(post.get_absolute_url()).status_code == 404
        response = admin_client.get(post.get_absolute_url())
        assert response.status_code == 200
        assert "Draft" in response.text or "Scheduled" in response.text


def test_unknown_post_is_404(db, client):
    assert client.get("/posts/nothing-here/").status_code == 404

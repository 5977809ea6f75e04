"""The sitemap lists exactly the published posts and the tags and authors that have one."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog import sitemaps
from factories import make_draft, make_post, make_scheduled

pytestmark = pytest.mark.django_db


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return re.findall(r"<loc>(.*?)</loc>", response.text)


def sitemap_urls(client):
    """Every URL of every section the index lists."""
    urls = []
    for section in locations(client, "/sitemap.xml"):
        urls += locations(client, section.removeprefix("http://testserver"))
    return urls


def test_sitemap_lists_exactly_published_posts_tags_and_authors(client):
    public = make_post("Public", slug="public", tags=["Shown"], authors=["Visible Author"])
    make_draft("Draft", slug="draft", tags=["Draft tag"], authors=["Draft Author"])
    make_scheduled("Later", slug="later", tags=["Later tag"], authors=["Later Author"])

    urls = sitemap_urls(client)

    assert sorted(urls) == sorted([
        "http://testserver" + public.get_absolute_url(),
        "http://testserver/tags/shown/",
        "http://testserver/authors/visible-author/",
    ])
    assert client.get("/sitemap-posts.xml").text.count("<lastmod>") == 1


def test_sitemap_index_splits_sections_into_pages(client, monkeypatch):
    monkeypatch.setattr(sitemaps.PostSitemap, "limit", 3)
    for number in range(7):
        make_post(f"Post {number}")

    index = locations(client, "/sitemap.xml")
    urls = sitemap_urls(client)

    assert [url for url in index if "posts" in url] == [
        "http://testserver/sitemap-posts.xml", "http://testserver/sitemap-posts.xml?p=2", "http://testserver/sitemap-posts.xml?p=3",
    ]
    assert len([url for url in urls if "/posts/" in url]) == 7
    assert client.get("/sitemap-posts.xml?p=4").status_code == 404


def test_sitemap_index_gives_each_section_its_latest_change(client):
    old = make_post("Old", tags=["Kept"], authors=["Ann"])
    make_post("Only a tag", tags=["Other"])
    make_draft("Draft changed last", tags=["Kept"], authors=["Ann"])
    newest = {"posts": max(post.updated_at for post in sitemaps.PostSitemap().items()), "tags": None, "authors": old.updated_at}
    newest["tags"] = newest["posts"]

    index = client.get("/sitemap.xml").text

    for section, when in newest.items():
        entry = re.search(rf"<loc>http://testserver/sitemap-{section}.xml</loc>\s*<lastmod>(.*?)</lastmod>", index)
        assert entry and entry.group(1) == when.isoformat(), section


def test_sitemap_index_counts_and_dates_once_per_content_version(client, settings):
    settings.TINTA_DATA_CACHE_SECONDS = 300
    make_post("Public", tags=["Shown"], authors=["Ann"])
    client.get("/sitemap.xml")

    with CaptureQueriesContext(connection) as captured:
        again = client.get("/sitemap.xml")

    assert again.status_code == 200
    assert all(f"sitemap-{section}.xml" in again.text for section in ("posts", "tags", "authors"))
    assert len(captured) == 0

"""The sitemap lists exactly the published posts and the tags and authors that have one."""

import re

import pytest

from factories import make_draft, make_post, make_scheduled

pytestmark = pytest.mark.django_db


def test_sitemap_lists_exactly_published_posts_tags_and_authors(client):
    public = make_post("Public", slug="public", tags=["Shown"], authors=["Visible Author"])
    make_draft("Draft", slug="draft", tags=["Draft tag"], authors=["Draft Author"])
    make_scheduled("Later", slug="later", tags=["Later tag"], authors=["Later Author"])

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    urls = set(re.findall(r"<loc>(.*?)</loc>", response.text))
    assert urls == {
        "http://testserver" + public.get_absolute_url(),
        "http://testserver/tags/shown/",
        "http://testserver/authors/visible-author/",
    }
    assert response.text.count("<lastmod>") == 3

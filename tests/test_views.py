"""The minimal reader pages: home and post, as a reader's browser gets them."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from blog import views
from blog.models import Post
from blog.views import TAGS_PAGE_SIZE
from factories import make_author, make_draft, make_post, make_scheduled, make_tag

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


# -- lists and pagination ----------------------------------------------------------------------


def test_home_paginates_with_page_numbers_rel_links_and_404_past_the_end(db, client):
    for number in range(25):
        make_post(f"Numbered {number:02}", days_ago=number + 1)

    first = client.get("/")
    second = client.get("/?page=2")

    assert first.status_code == second.status_code == 200
    assert first.text.count('class="post-summary"') == 10
    assert '<link rel="next" href="/?page=2">' in first.text
    assert 'rel="prev"' not in first.text
    assert '<link rel="prev" href="/">' in second.text and '<link rel="next" href="/?page=3">' in second.text
    assert 'href="/?page=3">3</a>' in first.text
    assert "Numbered 00" in first.text and "Numbered 10" in second.text
    assert client.get("/?page=4").status_code == 404
    assert client.get("/?page=nope").status_code == 404


def test_tag_index_counts_published_posts_most_used_first_and_a_to_z(db, client):
    make_post(tags=["Zebra", "apple"])
    make_post(tags=["Zebra"])
    make_draft(tags=["apple", "Hidden only"])

    by_count = client.get("/tags/").text
    az = client.get("/tags/?sort=az").text

    assert by_count.index("Zebra") < by_count.index("apple")
    assert re.search(r"Zebra\s*<span class=\"count\">2</span>", by_count)
    assert re.search(r"apple\s*<span class=\"count\">1</span>", by_count)
    assert "Hidden only" not in by_count and "Hidden only" not in az
    assert az.index("apple") < az.index("Zebra")
    assert re.search(r"<h2[^>]*>A</h2>", az) and re.search(r"<h2[^>]*>Z</h2>", az)


def test_tag_index_pages_through_many_tags_in_both_orders(db, client):
    make_post(tags=["Everywhere"])
    make_post(tags=["Everywhere", *(f"Tag {number:03}" for number in range(TAGS_PAGE_SIZE))])

    first, second = client.get("/tags/").text, client.get("/tags/?page=2").text
    az_second = client.get("/tags/?sort=az&page=2").text

    assert "Everywhere" in first and "Tag 198" in first and "Tag 199" not in first
    assert "Tag 199" in second and 'href="/tags/?page=2"' in first
    assert "Tag 199" in az_second and 'href="/tags/?sort=az"' in az_second
    assert client.get("/tags/?page=3").status_code == 404


def test_tag_page_shows_description_and_its_posts(db, client):
    tag = make_tag("Django", description="The web framework for perfectionists.")
    make_post("Tagged one", tags=[tag])
    make_post("Untagged one")

    html = client.get("/tags/django/").text

    assert "<h1>Django</h1>" in html
    assert "The web framework for perfectionists." in html
    assert "Tagged one" in html and "Untagged one" not in html
    assert client.get("/tags/nothing/").status_code == 404


def test_author_index_and_page_show_profile_and_posts(db, client):
    ana = make_author("Ana Rivera", role="Editor", bio="Writes about SQL.", url="https://example.com/ana")
    make_post("By Ana", authors=[ana])
    make_post("By Bob", authors=["Bob Stone"])
    make_draft("Draft by Carla", authors=["Carla Only Drafts"])

    index = client.get("/authors/").text
    page = client.get("/authors/ana-rivera/").text

    assert "Ana Rivera" in index and "Bob Stone" in index and "Carla Only Drafts" not in index
    assert "<h1>Ana Rivera</h1>" in page
    assert "Writes about SQL." in page and "Editor" in page and 'href="https://example.com/ana"' in page
    assert "By Ana" in page and "By Bob" not in page


# -- the post page ---------------------------------------------------------------------------


def test_post_page_has_toc_only_with_three_headings(db, client):
    long = make_post("Long", body="Intro.\n\n## One\n\nA.\n\n## Two\n\nB.\n\n### Three\n\nC.\n")
    short = make_post("Short", body="Intro.\n\n## One\n\nA.\n\n## Two\n\nB.\n")

    long_html = client.get(long.get_absolute_url()).text

    assert 'href="#one"' in long_html and 'href="#three"' in long_html
    assert 'class="toc"' in long_html
    assert 'class="toc"' not in client.get(short.get_absolute_url()).text


def test_post_page_shows_reading_time_and_dates(db, client):
    post = make_post("Timed", body="word " * 660, updated_date=timezone.now())

    html = client.get(post.get_absolute_url()).text

    assert "3 min read" in html
    assert html.count("<time datetime=") == 2


def test_post_page_previous_next_and_related_by_shared_tags_then_recency(db, client):
    older = make_post("Older", days_ago=10, tags=["a"])
    post = make_post("Middle", days_ago=5, tags=["a", "b", "c"])
    newer = make_post("Newer", days_ago=1, tags=["x"])
    make_draft("Draft sharing all", days_ago=4, tags=["a", "b", "c"])
    make_scheduled("Scheduled sharing all", tags=["a", "b", "c"])
    two_shared = make_post("Two shared", days_ago=20, tags=["a", "b"])
    one_shared_recent = make_post("One shared recent", days_ago=2, tags=["c"])

    response = client.get(post.get_absolute_url())

    assert response.context["previous_post"] == older
    assert response.context["next_post"] == one_shared_recent
    assert response.context["related_posts"] == [two_shared, one_shared_recent, older]
    assert newer not in response.context["related_posts"]
    assert "Draft sharing all" not in response.text and "Scheduled sharing all" not in response.text


def test_related_posts_come_from_the_newest_of_each_tag(db, client, monkeypatch):
    monkeypatch.setattr(views, "RELATED_CANDIDATES", 2)
    post = make_post("Reading", days_ago=5, tags=["a", "b"])
    old_sharing_both = make_post("Old, shares both", days_ago=30, tags=["a", "b"])
    newest_a = [make_post(f"New a {number}", days_ago=number, tags=["a"]) for number in (1, 2)]
    newest_b = [make_post(f"New b {number}", days_ago=number, tags=["b"]) for number in (3, 4)]

    related = client.get(post.get_absolute_url()).context["related_posts"]

    assert old_sharing_both not in related
    assert related == [newest_a[0], newest_a[1], newest_b[0], newest_b[1]]

    at_the_same_time = make_post("Same minute", publish_date=post.publish_date, tags=["z"])
    context = client.get(post.get_absolute_url()).context
    assert (context["next_post"] if at_the_same_time.pk > post.pk else context["previous_post"]) == at_the_same_time


def test_post_page_links_translations_with_hreflang(db, client, write, tmp_path, run_import):
    write("guide.md", "---\ntitle: The guide\n---\nEnglish.\n")
    write("guide.es.md", "---\ntitle: La guía\n---\nEspañol.\n")
    write("fr/guide.md", "---\ntitle: Le guide\nlang: fr\n---\nFrançais.\n")
    write("other.md", "---\ntitle: Other\n---\nNot a translation.\n")
    run_import(tmp_path)

    response = client.get("/posts/the-guide/")
    html = response.text

    assert [p.slug for p in response.context["translations"]] == ["la-guia", "le-guide"]
    assert re.search(r'<link rel="alternate" hreflang="es" href="http://testserver/posts/la-guia/">', html)
    assert re.search(r'<link rel="alternate" hreflang="fr" href="http://testserver/posts/le-guide/">', html)
    assert 'hreflang="es" lang="es">La guía</a>' in html


# -- drafts, scheduling, redirects ----------------------------------------------------------


def test_staff_see_scheduled_post_with_banner_and_private_no_cache(db, client, admin_client):
    post = make_scheduled("Coming soon")

    assert client.get(post.get_absolute_url()).status_code == 404
    response = admin_client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert "Scheduled" in response.text
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "private" not in admin_client.get(make_post().get_absolute_url()).get("Cache-Control", "")


@pytest.mark.parametrize("model", ["post", "tag", "author"])
def test_renamed_slug_answers_old_url_with_301(db, client, model):
    post = make_post("Renamed", slug="old-post", tags=["Old tag"], authors=["Old Name"])
    obj = {"post": post, "tag": post.tags.get(), "author": post.ordered_authors[0]}[model]
    old_url = obj.get_absolute_url()
    obj.slug = "brand-new"
    obj.save()

    response = client.get(old_url)

    assert response.status_code == 301
    assert response["Location"] == obj.get_absolute_url()
    assert client.get(obj.get_absolute_url()).status_code == 200


def test_slug_taken_back_by_another_object_stops_redirecting(db, client):
    first = make_post("First", slug="shared-slug")
    first.slug = "first-new"
    first.save()
    second = make_post("Second", slug="shared-slug")

    response = client.get("/posts/shared-slug/")

    assert response.status_code == 200
    assert response.context["post"] == second


# -- metadata ----------------------------------------------------------------------------------


def test_post_metadata_title_description_canonical_opengraph(db, client):
    post = make_post(
        "Metadata post", slug="meta", description="What the post is about.", cover_image="/img/cover.png", tags=["Alpha"]
    )

    html = client.get(post.get_absolute_url() + "?utm_source=x").text

    assert "<title>Metadata post · Tinta</title>" in html
    assert '<meta name="description" content="What the post is about.">' in html
    assert '<link rel="canonical" href="http://testserver/posts/meta/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:image" content="http://testserver/img/cover.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="article:tag" content="Alpha">' in html


def test_post_jsonld_is_a_blogposting_that_a_hostile_title_cannot_escape(db, client):
    title = 'Evil </script><script>alert("x")</script> & "quotes"'
    post = make_post(title, slug="evil", description='"><img src=x onerror=alert(1)>', tags=["</script>"], authors=["Ann"])

    html = client.get(post.get_absolute_url()).text

    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == title
    assert data["keywords"] == ["</script>"]
    assert data["author"][0]["name"] == "Ann"
    assert data["inLanguage"] == "en"
    assert datetime.fromisoformat(data["datePublished"]) == post.publish_date
    assert "<script>alert" not in html
    assert '"><img src=x onerror' not in html


def test_list_pages_have_titles_descriptions_and_feed_links(db, client):
    make_post(tags=["Alpha"], authors=["Ann"])
    pages = {
        "/": "<title>Tinta</title>",
        "/tags/": "<title>Tags · Tinta</title>",
        "/tags/alpha/": "<title>Alpha · Tinta</title>",
        "/authors/": "<title>Authors · Tinta</title>",
        "/authors/ann/": "<title>Ann · Tinta</title>",
        "/search/?q=body": "<title>Search · Tinta</title>",
    }
    for url, title in pages.items():
        html = client.get(url).text
        assert title in html, url
        assert '<meta name="description"' in html and '<link rel="canonical"' in html, url
        assert 'type="application/rss+xml"' in html and 'type="application/atom+xml"' in html, url
    assert 'href="/tags/alpha/feed/"' in client.get("/tags/alpha/").text
    assert 'href="/authors/ann/feed/"' in client.get("/authors/ann/").text


def test_unknown_pages_get_the_404_page(db, client):
    response = client.get("/tags/no-such-tag/")

    assert response.status_code == 404
    assert "Page not found" in response.text


def test_robots_txt_points_at_the_sitemap(db, client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.text
    assert "Disallow: /admin/" in response.text


# -- language ----------------------------------------------------------------------------------


def test_interface_language_follows_accept_language_and_post_keeps_its_own(db, client):
    post = make_post("An English post", publish_date=datetime(2024, 3, 5, 10, 0, tzinfo=UTC), tags=["Alpha"])

    spanish = client.get(post.get_absolute_url(), headers={"accept-language": "es"}).text
    english = client.get(post.get_absolute_url(), headers={"accept-language": "en"}).text

    assert '<html lang="es">' in spanish and '<html lang="en">' in english
    assert 'lang="en"' in spanish  # the article keeps the post's language
    assert "Etiquetas" in spanish and "Tags" in english
    assert "5 de marzo de 2024" in spanish and "March 5, 2024" in english


def test_language_switcher_sets_the_language(db, client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/tags/"}, follow=True)

    assert response.redirect_chain[-1][0] == "/tags/"
    assert '<html lang="es">' in response.text

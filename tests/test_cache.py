"""The page cache: anonymous pages cached under the content version, conditional GETs,
scheduled posts on time, logged-in users never served from it."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from blog.cache import SHARED_MAX_AGE
from factories import make_post, make_scheduled

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.TINTA_PAGE_CACHE_SECONDS = 300


def test_anonymous_page_is_cached_with_shared_cache_headers(client):
    post = make_post("Cached post")

    first = client.get(post.get_absolute_url())
    second = client.get(post.get_absolute_url())

    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert second.content == first.content
    control = first["Cache-Control"]
    assert "public" in control and f"s-maxage={SHARED_MAX_AGE}" in control and "stale-while-revalidate=" in control
    assert first["ETag"] and first["Last-Modified"]


def test_edit_invalidates_cached_pages_everywhere(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post("Before the edit", tags=["Kept"])
    client.get("/")
    client.get("/tags/kept/")
    assert client.get("/")["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        post.title = "After the edit"
        post.save()

    home = client.get("/")
    tag_page = client.get("/tags/kept/")
    assert home["X-Cache"] == tag_page["X-Cache"] == "MISS"
    assert "After the edit" in home.text and "After the edit" in tag_page.text


def test_tag_rename_and_import_invalidate_too(client, write, tmp_path, run_import, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post("Post", tags=["Oldname"])
    client.get(post.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        tag = post.tags.get()
        tag.name = "Newname"
        tag.save()
    assert "Newname" in client.get(post.get_absolute_url()).text

    write("imported.md", "---\ntitle: Freshly imported\n---\nText.\n")
    with django_capture_on_commit_callbacks(execute=True):
        run_import(tmp_path)
    assert "Freshly imported" in client.get("/").text


def test_repeated_conditional_request_gets_304(client):
    make_post("Conditional")
    first = client.get("/")

    by_etag = client.get("/", headers={"if-none-match": first["ETag"]})
    by_date = client.get("/", headers={"if-modified-since": first["Last-Modified"]})

    assert by_etag.status_code == 304 and by_date.status_code == 304
    assert by_etag.content == b""


def test_scheduled_post_appears_once_its_time_passes(client):
    now = timezone.now()
    make_post("Already out")
    make_scheduled("Coming later", publish_date=now + dt.timedelta(minutes=30))

    with time_machine.travel(now, tick=False):
        early = client.get("/")
        assert "Coming later" not in early.text
        assert early["X-Cache"] == "MISS"
        assert client.get("/")["X-Cache"] == "HIT"
    with time_machine.travel(now + dt.timedelta(minutes=31), tick=False):
        later = client.get("/")

    assert "Coming later" in later.text


def test_no_page_is_kept_past_the_next_scheduled_publish(client):
    now = timezone.now()
    make_scheduled("Very soon", publish_date=now + dt.timedelta(seconds=20))

    with time_machine.travel(now, tick=False):
        response = client.get("/")

    assert "s-maxage=20" in response["Cache-Control"] or "s-maxage=19" in response["Cache-Control"]


def test_logged_in_users_neither_read_nor_fill_the_cache(client, admin_client):
    make_post("Shared page")
    client.get("/")
    assert client.get("/")["X-Cache"] == "HIT"

    response = admin_client.get("/")

    assert "X-Cache" not in response
    assert "private" in response["Cache-Control"]


def test_cache_outage_serves_pages_from_the_database(client, dead_cache):
    make_post("Still served")

    response = client.get("/")

    assert response.status_code == 200
    assert "Still served" in response.text


def test_a_hit_is_one_round_trip_to_the_cache_and_keeps_the_rendered_headers(client, monkeypatch):
    make_post("Counted")
    first = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    calls, depth = [], []

    def counted(name, original):
        def call(*args, **kwargs):
            if not depth:  # the local cache's get_many calls get; Redis sends one MGET
                calls.append(name)
            depth.append(name)
            try:
                return original(*args, **kwargs)
            finally:
                depth.pop()
        return call

    for name in ("get", "get_many", "set", "add", "delete"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))

    hit = client.get("/", HTTP_ACCEPT_LANGUAGE="es")

    assert hit["X-Cache"] == "HIT" and calls == ["get_many"]
    for header in ("Content-Security-Policy", "Content-Language", "Vary", "X-Frame-Options", "ETag"):
        assert hit[header] == first[header], header
    assert hit["Content-Language"] == "es" and "Accept-Language" in hit["Vary"]


def test_each_language_is_its_own_cached_page(client):
    make_post("Bilingual")

    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    by_cookie = client.get("/", HTTP_ACCEPT_LANGUAGE="en", HTTP_COOKIE="django_language=es")

    assert (spanish["X-Cache"], english["X-Cache"], by_cookie["X-Cache"]) == ("MISS", "MISS", "HIT")
    assert spanish["Content-Language"] == by_cookie["Content-Language"] == "es" and english["Content-Language"] == "en"


def test_redis_backend_builds_one_client_per_connection_pool():
    from blog.redis_cache import RedisCache

    backend = RedisCache("redis://127.0.0.1:1/0", {})
    client = backend._cache.get_client("some-key")

    assert backend._cache.get_client("other-key", write=True) is client
    assert client.connection_pool is backend._cache._get_connection_pool(write=False)


def test_an_outage_is_logged_once_not_on_every_request(client, dead_cache, caplog, monkeypatch):
    from blog import cache as page_cache

    monkeypatch.setattr(page_cache, "_last_outage_logged", None)
    make_post("Still served")

    with caplog.at_level("ERROR", logger="blog.cache"):
        statuses = [client.get("/").status_code for _ in range(5)]

    assert statuses == [200] * 5
    outages = [record for record in caplog.records if "unavailable" in record.getMessage()]
    assert len(outages) == 1 and outages[0].exc_info

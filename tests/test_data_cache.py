"""The data cache: counts behind paginated lists and the tag index's rows are worked
out once per content version, and are never stale: a commit, a scheduled post going
public or a cache outage each give the right numbers."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Tag
from factories import make_post, make_scheduled

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_cache(settings):
    settings.TINTA_DATA_CACHE_SECONDS = 300


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()], response


@pytest.mark.parametrize("url", ["/", "/tags/shared/", "/authors/ann/", "/search/?q=body"])
def test_a_list_counts_its_posts_once_per_content_version(client, url):
    for number in range(12):
        make_post(f"Post {number}", tags=["Shared"], authors=["Ann"])

    first, first_page = count_queries(client, url)
    again, again_page = count_queries(client, url)
    second_page, _ = count_queries(client, url + ("&" if "?" in url else "?") + "page=2")

    assert len(first) == 1 and again == [] and second_page == []
    assert again_page.content == first_page.content
    assert 'rel="next"' in again_page.text


def test_a_commit_recounts(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(10):
            make_post(f"Post {number}")
    assert 'rel="next"' not in client.get("/").text

    with django_capture_on_commit_callbacks(execute=True):
        make_post("The eleventh")

    assert 'rel="next"' in client.get("/").text


def test_a_scheduled_post_is_counted_once_its_time_passes(client):
    now = timezone.now()
    for number in range(10):
        make_post(f"Post {number}")
    make_scheduled("Coming later", publish_date=now + dt.timedelta(minutes=30))

    with time_machine.travel(now, tick=False):
        assert 'rel="next"' not in client.get("/").text
    with time_machine.travel(now + dt.timedelta(minutes=31), tick=False):
        later = client.get("/")

    assert 'rel="next"' in later.text and "Coming later" in later.text


def test_tag_index_rows_follow_renames_and_new_posts(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_post("One", tags=["Python", "Django"])
    assert '<span class="count">1</span>' in client.get("/tags/").text
    queries, _ = count_queries(client, "/tags/")
    assert queries == []

    with django_capture_on_commit_callbacks(execute=True):
        make_post("Two", tags=["Python"])
        Tag.objects.filter(name="Django").update(name="Web")  # update() sends no signal…
        make_post("Three", tags=[])  # …but the same commit changed content

    index = client.get("/tags/").text
    assert 'href="/tags/python/">Python <span class="count">2</span>' in index
    assert ">Web <span" in index and "Django" not in index


def test_cache_outage_counts_from_the_database(client, dead_cache):
    for number in range(11):
        make_post(f"Post {number}", tags=["Shared"])

    home = client.get("/")
    tags = client.get("/tags/")

    assert 'rel="next"' in home.text
    assert '<span class="count">11</span>' in tags.text


def test_turned_off_it_counts_every_time(client, settings):
    settings.TINTA_DATA_CACHE_SECONDS = 0
    make_post("Only")

    assert len(count_queries(client, "/")[0]) == len(count_queries(client, "/")[0]) == 1


def test_post_page_neighbours_are_worked_out_once_per_content_version(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        older = make_post("Older", days_ago=3, tags=["Shared"])
        post = make_post("Reading", days_ago=2, tags=["Shared"])
    client.get(post.get_absolute_url())

    with CaptureQueriesContext(connection) as captured:
        again = client.get(post.get_absolute_url())
    assert len(captured) == 3  # the post, its tags, its authors
    assert again.context["previous_post"] == older and again.context["related_posts"] == [older]

    with django_capture_on_commit_callbacks(execute=True):
        newer = make_post("Newer", days_ago=1, tags=["Shared"])

    later = client.get(post.get_absolute_url()).context
    assert later["next_post"] == newer and later["related_posts"] == [newer, older]

"""RSS and Atom feeds, read back by feedparser as a feed reader would."""

import feedparser
import pytest

from factories import make_draft, make_post, make_scheduled

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():
    first = make_post("First post", days_ago=2, body="Full **body** one.", tags=["Alpha", "Beta"], authors=["Ann Lee"])
    second = make_post("Second post", days_ago=1, body="Body two.", description="Summary two.", tags=["Beta"], authors=["Bo"])
    make_draft("A draft", tags=["Alpha"], authors=["Ann Lee"])
    make_scheduled("Scheduled", tags=["Alpha"], authors=["Ann Lee"])
    return first, second


@pytest.mark.parametrize(("url", "version"), [("/feed/", "rss20"), ("/feed/atom/", "atom10")])
def test_site_feed_is_valid_with_full_content_and_categories(client, posts, url, version):
    response = client.get(url)
    feed = feedparser.parse(response.content)

    assert response.status_code == 200
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == version
    assert [entry.title for entry in feed.entries] == ["Second post", "First post"]
    first = feed.entries[1]
    assert first.link == "http://testserver" + posts[0].get_absolute_url()
    assert sorted(tag.term for tag in first.tags) == ["Alpha", "Beta"]
    assert first.author == "Ann Lee"
    full = first.content[0].value if version == "atom10" else first.summary
    assert "<strong>body</strong>" in full


def test_atom_feed_keeps_summary_and_content_apart(client, posts):
    feed = feedparser.parse(client.get("/feed/atom/").content)

    assert feed.entries[0].summary == "Summary two."
    assert "<p>Body two.</p>" in feed.entries[0].content[0].value


@pytest.mark.parametrize(
    ("url", "titles"),
    [
        ("/tags/alpha/feed/", ["First post"]),
        ("/tags/beta/feed/atom/", ["Second post", "First post"]),
        ("/authors/ann-lee/feed/", ["First post"]),
        ("/authors/bo/feed/atom/", ["Second post"]),
    ],
)
def test_tag_and_author_feeds_list_their_published_posts(client, posts, url, titles):
    feed = feedparser.parse(client.get(url).content)

    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries] == titles


def test_feed_of_unknown_tag_is_404(client, db):
    assert client.get("/tags/nope/feed/").status_code == 404

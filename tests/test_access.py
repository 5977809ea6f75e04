"""Who may open what: every URL the project serves, for anonymous readers, authors,
editors and superusers, written down in one table; CSRF on every state-changing
endpoint; login attempts rate limited."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from blog.models import Post
from factories import make_author, make_draft, make_post, make_scheduled

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "author", "editor", "superuser")

# url → expected status for (anonymous, author, editor, superuser).
# {own} is a draft by the logged-in author, {theirs} a published post by
# someone else, {draft} and {scheduled} unpublished posts by someone else.
# 302 for a signed-out visitor to the admin is the redirect to its login page;
# 302 for an author on someone else's post is the admin's "no such object".
ACCESS = {
    # Public pages, feeds, discovery.
    "/": (200, 200, 200, 200),
    "/posts/public/": (200, 200, 200, 200),
    "/posts/draft/": (404, 200, 200, 200),
    "/posts/scheduled/": (404, 200, 200, 200),
    "/posts/no-such-post/": (404, 404, 404, 404),
    "/tags/": (200, 200, 200, 200),
    "/tags/shared/": (200, 200, 200, 200),
    "/tags/shared/feed/": (200, 200, 200, 200),
    "/tags/shared/feed/atom/": (200, 200, 200, 200),
    "/authors/": (200, 200, 200, 200),
    "/authors/ann/": (200, 200, 200, 200),
    "/authors/ann/feed/": (200, 200, 200, 200),
    "/authors/ann/feed/atom/": (200, 200, 200, 200),
    "/search/?q=public": (200, 200, 200, 200),
    "/feed/": (200, 200, 200, 200),
    "/feed/atom/": (200, 200, 200, 200),
    "/sitemap.xml": (200, 200, 200, 200),
    "/robots.txt": (200, 200, 200, 200),
    "/healthz": (200, 200, 200, 200),
    # The admin.
    "/admin/": (302, 200, 200, 200),
    "/admin/auth/user/": (302, 403, 403, 200),
    "/admin/auth/group/": (302, 403, 403, 200),
    "/admin/blog/post/": (302, 200, 200, 200),
    "/admin/blog/post/add/": (302, 200, 200, 200),
    "/admin/blog/post/{own}/change/": (302, 200, 200, 200),
    "/admin/blog/post/{theirs}/change/": (302, 302, 200, 200),
    "/admin/blog/post/{draft}/change/": (302, 302, 200, 200),
    "/admin/blog/post/{own}/history/": (302, 200, 200, 200),
    "/admin/blog/post/{theirs}/delete/": (302, 403, 403, 200),
    "/admin/blog/post/preview/": (302, 405, 405, 405),
    "/admin/blog/post/tags/?q=sh": (302, 200, 200, 200),
    "/admin/blog/post/slug/?title=Hello": (302, 200, 200, 200),
    "/admin/blog/tag/": (302, 200, 200, 200),
    "/admin/blog/tag/add/": (302, 403, 200, 200),
    "/admin/blog/author/": (302, 200, 200, 200),
    "/admin/blog/importrun/": (302, 403, 200, 200),
    "/admin/blog/importrun/add/": (302, 403, 200, 200),
}


@pytest.fixture
def site(django_user_model):
    """The posts and people of the table, and a logged-in client per role."""
    ann = make_author("Ann")
    writer = django_user_model.objects.create_user("writer", password="pw", is_staff=True)
    writer.groups.add(Group.objects.get(name="Authors"))
    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    ids = {
        "theirs": make_post("Public post", slug="public", tags=["Shared"], authors=[ann]).pk,
        "draft": make_draft("A draft", slug="draft", authors=[ann]).pk,
        "scheduled": make_scheduled("Later", slug="scheduled", authors=[ann]).pk,
        "own": make_draft("My own", slug="own", authors=[make_author("Writer", user=writer)]).pk,
    }
    clients = {"anonymous": Client()}
    for role, user in (("author", writer), ("editor", editor), ("superuser", boss)):
        clients[role] = Client()
        clients[role].force_login(user)
    return clients, ids


@pytest.mark.parametrize("url", ACCESS)
def test_access_matrix(site, url):
    clients, ids = site
    path = url.format(**ids)

    got = tuple(clients[role].get(path).status_code for role in ROLES)

    assert got == ACCESS[url], f"{path}: expected {dict(zip(ROLES, ACCESS[url], strict=True))}, got {dict(zip(ROLES, got, strict=True))}"


STATE_CHANGING = [
    ("/admin/blog/post/preview/", {"body": "x"}),
    ("/admin/blog/post/{own}/change/", {"title": "Changed"}),
    ("/admin/blog/post/add/", {"title": "New"}),
    ("/admin/blog/post/", {"action": "publish_now", "_selected_action": "{own}"}),
    ("/admin/blog/tag/add/", {"name": "New tag", "slug": "new-tag"}),
    ("/admin/blog/importrun/add/", {"dry_run": "on"}),
    ("/admin/blog/post/{own}/delete/", {"post": "yes"}),
    ("/admin/logout/", {}),
]


@pytest.mark.parametrize(("url", "data"), STATE_CHANGING)
def test_state_changing_endpoints_refuse_posts_without_csrf_token(site, django_user_model, url, data):
    _, ids = site
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.get(username="boss"))

    response = client.post(url.format(**ids), {key: value.format(**ids) for key, value in data.items()})

    assert response.status_code == 403
    assert Post.objects.filter(pk=ids["own"], title="My own", status="draft").exists()


def test_login_attempts_are_rate_limited(django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_superuser("boss", "boss@example.com", "right-password")
    client = Client()

    attempts = [client.post("/admin/login/", {"username": "boss", "password": f"wrong-{n}"}).status_code for n in range(3)]
    locked = client.post("/admin/login/", {"username": "boss", "password": "right-password"})

    assert attempts[:2] == [200, 200]  # the form again, with its error
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_successful_login_is_not_limited(django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "right-password")
    client = Client()
    client.post("/admin/login/", {"username": "boss", "password": "wrong"})

    response = client.post("/admin/login/", {"username": "boss", "password": "right-password", "next": "/admin/"})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

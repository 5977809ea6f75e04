"""The Editors and Authors groups: what each may do in the admin, and what not."""

import pytest
from django.contrib.auth.models import Group, Permission
from test_admin_posts import change_url, form_data

from blog.models import Author, Post, PostAuthor
from factories import make_author, make_draft, make_post

pytestmark = pytest.mark.django_db


def member(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model, client):
    user = member(django_user_model, "editor", "Editors")
    client.force_login(user)
    return user


@pytest.fixture
def author_user(django_user_model, client):
    user = member(django_user_model, "writer", "Authors")
    make_author("Writer", user=user)
    client.force_login(user)
    return user


def codenames(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=group).permissions.select_related("content_type")}


def test_roles_groups_are_created_with_least_privilege():
    editors, authors = codenames("Editors"), codenames("Authors")

    assert {"blog.change_any_post", "blog.publish_post", "blog.import_articles", "blog.change_tag", "blog.add_author"} <= editors
    assert {"blog.add_post", "blog.change_post", "blog.view_tag"} <= authors
    assert not {"blog.publish_post", "blog.change_any_post", "blog.import_articles", "blog.change_tag"} & authors
    assert not any(name.startswith("auth.") for name in editors | authors)
    assert not any(name.startswith("blog.delete_") for name in editors | authors)
    assert Permission.objects.filter(codename="publish_post").exists()


def test_roles_editor_cannot_open_users_groups_or_permissions(client, editor):
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get(f"/admin/auth/user/{editor.pk}/change/").status_code == 403
    assert "auth/user" not in client.get("/admin/").content.decode()


def test_roles_editor_edits_any_post_publishes_and_imports(client, editor):
    post = make_draft("Someone else's", authors=["Ann"])

    assert client.get("/admin/blog/post/").status_code == 200
    assert client.get("/admin/blog/importrun/add/").status_code == 200
    response = client.post(change_url(post), form_data(post, title="Retitled", status="published"))

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.status) == ("Retitled", Post.Status.PUBLISHED)


def test_roles_editor_cannot_link_a_staff_user_to_an_author(client, editor):
    author = make_author("Ann")

    page = client.get(f"/admin/blog/author/{author.pk}/change/").content.decode()

    assert 'name="user"' not in page


def test_roles_author_sees_only_posts_they_author(client, author_user):
    make_post("Mine", authors=["Writer"])
    make_post("Theirs", authors=["Ann"])

    page = client.get("/admin/blog/post/").content.decode()

    assert ">Mine<" in page and ">Theirs<" not in page


def test_roles_author_cannot_edit_someone_elses_post(client, author_user):
    theirs = make_post("Theirs", authors=["Ann"], body="Original.")
    data = form_data(theirs, body="Vandalised.")

    assert client.get(change_url(theirs)).status_code == 302  # "doesn't exist" for them
    client.post(change_url(theirs), data)
    client.post("/admin/blog/post/preview/", {"body": "x"})  # allowed: it writes nothing

    assert Post.objects.get(pk=theirs.pk).body == "Original."


def test_roles_author_edits_own_post_but_cannot_publish_it(client, author_user):
    mine = make_draft("Mine", authors=["Writer"])

    page = client.get(change_url(mine)).content.decode()
    response = client.post(change_url(mine), form_data(mine, body="Better words.", status="published"))

    assert 'name="status"' not in page  # read-only for them
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.body, mine.status) == ("Better words.", Post.Status.DRAFT)


def test_roles_author_cannot_publish_with_a_bulk_action(client, author_user):
    mine = make_draft("Mine", authors=["Writer"])

    page = client.get("/admin/blog/post/").content.decode()
    client.post("/admin/blog/post/", {"action": "publish_now", "_selected_action": [mine.pk]})

    assert "publish_now" not in page
    mine.refresh_from_db()
    assert mine.status == Post.Status.DRAFT


def test_roles_author_new_post_is_a_draft_with_them_on_the_byline(client, author_user):
    response = client.post("/admin/blog/post/add/", {
        "title": "My first post", "slug": "", "description": "", "body": "Hello.", "tags": "",
        "updated_date_0": "", "updated_date_1": "", "language": "en", "translation_key": "", "cover_image": "",
        "lock_version": "", "post_authors-TOTAL_FORMS": 0, "post_authors-INITIAL_FORMS": 0,
    })

    assert response.status_code == 302
    post = Post.objects.get(title="My first post")
    assert post.status == Post.Status.DRAFT
    assert [link.author.user for link in PostAuthor.objects.filter(post=post)] == [author_user]


def test_roles_author_cannot_import_or_merge(client, author_user):
    make_author("Ann")

    assert client.get("/admin/blog/importrun/add/").status_code == 403
    assert client.get("/admin/blog/tag/").status_code == 200  # may look tags up
    assert "merge" not in client.get("/admin/blog/tag/").content.decode()
    assert Author.objects.count() == 2


def test_roles_staff_without_group_cannot_use_the_editor_endpoints(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("bare", password="pw", is_staff=True))

    assert client.post("/admin/blog/post/preview/", {"body": "x"}).status_code == 403
    assert client.get("/admin/blog/post/tags/", {"q": "x"}).status_code == 403

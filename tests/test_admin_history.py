"""Post history: every change kept with who and when, diffs between versions, reverts."""

import pytest
from django.contrib.auth.models import Group
from test_admin_posts import change_url, form_data

from blog import history
from blog.merges import merge_tags
from blog.models import Post, PostAuthor, Tag
from factories import make_author, make_draft, make_post

pytestmark = pytest.mark.django_db


def names(post):
    return sorted(post.tags.values_list("name", flat=True)), [link.author.name for link in PostAuthor.objects.filter(post=post)]


@pytest.fixture
def edited(admin_client):
    """A post saved twice in the admin: its first version, then a new title, body, tags and authors."""
    post = make_post("First title", body="Line one.\nLine two.", tags=["LLMs"])
    make_author("Ann")
    bob = make_author("Bob")
    response = admin_client.post(change_url(post), form_data(post))  # version 1, as it was
    assert response.status_code == 302
    data = form_data(post, title="Second title", body="Line one.\nLine 2, rewritten.", tags='"IA generativa", LLMs')
    data.update({"post_authors-TOTAL_FORMS": 1, "post_authors-0-author": bob.pk, "post_authors-0-order": 0,
                 "post_authors-0-post": post.pk})
    response = admin_client.post(change_url(post), data)  # version 2
    assert response.status_code == 302
    post.refresh_from_db()
    return post


def test_history_keeps_every_admin_save_with_user_tags_and_authors(edited, admin_user):
    newest, oldest = history.versions(edited)

    assert newest.revision.user == admin_user and oldest.revision.user == admin_user
    assert "Changed" in newest.revision.get_comment()
    old, new = history.version_snapshot(oldest), history.version_snapshot(newest)
    assert (old.fields["title"], [ref.name for ref in old.tags], old.authors) == ("First title", ["LLMs"], [])
    assert (new.fields["title"], [ref.name for ref in new.tags], [ref.name for ref in new.authors]) == (
        "Second title", ["IA generativa", "LLMs"], ["Bob"])


def test_history_page_lists_versions_with_who_when_and_what_changed(admin_client, edited):
    page = admin_client.get(f"/admin/blog/post/{edited.pk}/history/").content.decode()

    assert page.count('name="from"') == 2
    assert "admin" in page
    assert "Title, Body (Markdown), Tags, Authors" in page
    assert "first version" in page


def test_history_compare_shows_body_title_tag_and_author_changes(admin_client, edited):
    oldest = history.versions(edited).last()

    page = admin_client.get(f"/admin/blog/post/{edited.pk}/history/compare/", {"from": oldest.pk, "to": "current"}).content.decode()

    assert '<del class="diff-old">First title</del>' in page
    assert '<ins class="diff-new">Second title</ins>' in page
    assert '<tr class="diff-del"><td>-Line two.</td></tr>' in page
    assert '<tr class="diff-ins"><td>+Line 2, rewritten.</td></tr>' in page
    assert '<ins class="diff-new">IA generativa</ins>' in page
    assert '<ins class="diff-new">Bob</ins>' in page


def test_history_revert_restores_fields_tags_and_authors(admin_client, edited, admin_user):
    oldest = history.versions(edited).last()

    confirm = admin_client.get(f"/admin/blog/post/{edited.pk}/history/{oldest.pk}/revert/")
    assert Post.objects.get().title == "Second title"  # a GET only shows what would change
    response = admin_client.post(f"/admin/blog/post/{edited.pk}/history/{oldest.pk}/revert/")

    assert "What reverting changes" in confirm.content.decode()
    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.title, post.body) == ("First title", "Line one.\nLine two.")
    assert names(post) == (["LLMs"], [])
    newest = history.versions(post).first()
    assert newest.revision.user == admin_user and newest.revision.get_comment().startswith("Reverted to the version of")
    assert len(history.versions(post)) == 3


def test_history_revert_is_an_edit_the_next_import_leaves_alone(admin_client, write, tmp_path, run_import):
    path = write("a.md", "---\ntitle: From the file\ntags: [one]\n---\nText.\n")
    run_import(tmp_path)
    post = Post.objects.get()
    assert admin_client.post(change_url(post), form_data(post, title="Fixed by an editor", tags="one, two")).status_code == 302
    imported = history.versions(post).last()
    assert imported.revision.get_comment() == "Imported from a.md"

    admin_client.post(f"/admin/blog/post/{post.pk}/history/{imported.pk}/revert/")
    post.refresh_from_db()

    assert post.title == "From the file" and names(post)[0] == ["one"]
    assert post.fingerprint() != post.import_hash
    path.write_text("---\ntitle: Changed in the file\ntags: [one]\n---\nText.\n", encoding="utf-8")
    assert run_import(tmp_path).file("a.md")["status"] == "conflict"


def test_history_revert_finds_a_tag_merged_since_through_its_redirect(admin_client):
    post = make_post("Post", tags=["ia generativa"])
    assert admin_client.post(change_url(post), form_data(post)).status_code == 302
    first = history.versions(post).first()
    assert admin_client.post(change_url(post), form_data(post, tags="other")).status_code == 302
    merge_tags(Tag.objects.create(name="IA Generativa (nueva)", slug="ia-generativa-nueva"), list(Tag.objects.filter(slug="ia-generativa")))

    admin_client.post(f"/admin/blog/post/{post.pk}/history/{first.pk}/revert/")

    assert names(Post.objects.get())[0] == ["IA Generativa (nueva)"]
    assert not Tag.objects.filter(slug="ia-generativa").exists()


def test_history_revert_by_an_author_leaves_status_alone(client, django_user_model, admin_client):
    writer = django_user_model.objects.create_user("writer", password="pw", is_staff=True)
    writer.groups.add(Group.objects.get(name="Authors"))
    post = make_draft("Mine", authors=[make_author("Writer", user=writer)])
    assert admin_client.post(change_url(post), form_data(post, status="published")).status_code == 302
    published_version = history.versions(post).first()
    assert admin_client.post(change_url(post), form_data(post, status="draft", body="Draft text.")).status_code == 302
    client.force_login(writer)

    response = client.post(f"/admin/blog/post/{post.pk}/history/{published_version.pk}/revert/", follow=True)

    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT and post.body != "Draft text."
    assert "you may not publish" in response.content.decode()


def test_history_of_an_import_is_its_first_version(run_import, write, tmp_path):
    write("a.md", "---\ntitle: Hello\ntags: [one, two]\nauthors: [Charlytoc]\n---\nText.\n")
    run_import(tmp_path)

    (version,) = history.versions(Post.objects.get())
    snapshot = history.version_snapshot(version)

    assert version.revision.user is None and version.revision.get_comment() == "Imported from a.md"
    assert [ref.name for ref in snapshot.tags] == ["one", "two"]
    assert [ref.name for ref in snapshot.authors] == ["Charlytoc"]

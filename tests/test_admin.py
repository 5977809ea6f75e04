"""The admin opens, and an edit made there is an edit the next import respects."""

import pytest
from django.utils import timezone

from blog.models import Post

pytestmark = pytest.mark.django_db


def test_admin_post_edit_counts_as_editor_change(write, tmp_path, run_import, admin_client):
    path = write("a.md", "---\ntitle: Original\ntags: [one]\n---\nText.\n")
    run_import(tmp_path)
    post = Post.objects.get()
    assert admin_client.get("/admin/blog/post/").status_code == 200
    form = admin_client.get(f"/admin/blog/post/{post.pk}/change/")
    assert form.status_code == 200

    response = admin_client.post(
        f"/admin/blog/post/{post.pk}/change/",
        {
            "title": "Fixed by an editor", "slug": post.slug, "description": "", "body": "Text.", "tags": "one",
            "status": "published", "publish_date_0": "2024-01-01", "publish_date_1": "10:00:00",
            "updated_date_0": "", "updated_date_1": "", "language": "en", "cover_image": "",
            "post_authors-TOTAL_FORMS": "0", "post_authors-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    path.write_text("---\ntitle: Changed in file\ntags: [one]\n---\nText.\n", encoding="utf-8")

    assert run_import(tmp_path).file("a.md")["status"] == "conflict"
    assert Post.objects.get().title == "Fixed by an editor"


@pytest.mark.parametrize("url", ["/admin/blog/author/", "/admin/blog/tag/", "/admin/blog/post/add/"])
def test_admin_pages_open(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_admin_save_without_changes_is_not_an_edit(write, tmp_path, run_import, admin_client):
    path = write("a.md", "---\ntitle: Original\n---\nLine one.\nLine two.\n")
    run_import(tmp_path)
    post = Post.objects.get()
    local = timezone.localtime(post.publish_date)

    response = admin_client.post(
        f"/admin/blog/post/{post.pk}/change/",
        {
            "title": post.title, "slug": post.slug, "description": "", "body": post.body.replace("\n", "\r\n"), "tags": "",
            "status": "published", "publish_date_0": local.strftime("%Y-%m-%d"), "publish_date_1": local.strftime("%H:%M:%S"),
            "updated_date_0": "", "updated_date_1": "", "language": "en", "cover_image": "",
            "post_authors-TOTAL_FORMS": "0", "post_authors-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    path.write_text("---\ntitle: Changed in file\n---\nLine one.\n", encoding="utf-8")

    assert run_import(tmp_path).file("a.md")["status"] == "updated"

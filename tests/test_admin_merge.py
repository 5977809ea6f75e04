"""Tags and authors in the admin: post counts, renames and merges that leave redirects behind."""

import pytest
from django.contrib.admin.models import LogEntry

from blog import history
from blog.models import Author, Post, PostAuthor, SlugRedirect, Tag
from factories import make_author, make_post, make_tag

pytestmark = pytest.mark.django_db


def merge(admin_client, model, objects, keep):
    return admin_client.post(f"/admin/blog/{model}/", {
        "action": "merge", "_selected_action": [obj.pk for obj in objects], "apply": "1", "target": keep.pk,
    })


def test_tag_changelist_shows_post_counts(admin_client):
    make_post("One", tags=["LLMs", "IA"])
    make_post("Two", tags=["LLMs"], status=Post.Status.DRAFT)

    response = admin_client.get("/admin/blog/tag/")

    counts = {tag.name: (tag.post_count, tag.public_count) for tag in response.context["cl"].result_list}
    assert counts == {"IA": (1, 1), "LLMs": (2, 1)}


def test_tag_rename_redirects_the_old_url(admin_client, client):
    tag = make_tag("IA generativa")
    make_post("One", tags=[tag])

    response = admin_client.post(f"/admin/blog/tag/{tag.pk}/change/", {"name": "IA Generativa", "slug": "ia-gen", "description": ""})

    assert response.status_code == 302
    assert client.get("/tags/ia-generativa/").headers["Location"] == "/tags/ia-gen/"


def test_tag_saved_with_empty_slug_gets_the_importers_slug(admin_client):
    response = admin_client.post("/admin/blog/tag/add/", {"name": "Ingeniería de Prompts", "slug": "", "description": ""})

    assert response.status_code == 302
    assert Tag.objects.get().slug == "ingenieria-de-prompts"


def test_tag_merge_asks_which_tag_to_keep(admin_client):
    kept, other = make_tag("IA generativa"), make_tag("Generative AI")
    make_post("One", tags=[kept])

    page = admin_client.post("/admin/blog/tag/", {"action": "merge", "_selected_action": [kept.pk, other.pk]}).content.decode()

    assert "Choose the one to keep" in page
    assert f'value="{kept.pk}" id="merge-target-{kept.pk}" checked' in page  # the one with most posts
    assert Tag.objects.count() == 2


def test_tag_merge_retags_posts_and_redirects_old_slugs(admin_client, client):
    kept, dupe, other = make_tag("IA generativa"), make_tag("Generative AI"), make_tag("GenAI")
    both = make_post("Both", tags=[kept, dupe])
    one = make_post("One", tags=[dupe])
    three = make_post("Three", tags=[other, "LLMs"])
    SlugRedirect.objects.create(kind="tag", old_slug="older-genai", target_id=other.pk)

    response = merge(admin_client, "tag", [kept, dupe, other], keep=kept)

    assert response.status_code == 302
    assert list(Tag.objects.filter(slug__in=["generative-ai", "genai"])) == []
    for post in (both, one):
        assert list(post.tags.values_list("name", flat=True)) == ["IA generativa"]
    assert sorted(three.tags.values_list("name", flat=True)) == ["IA generativa", "LLMs"]
    for old in ("generative-ai", "genai", "older-genai"):
        answer = client.get(f"/tags/{old}/")
        assert (answer.status_code, answer.headers["Location"]) == (301, "/tags/ia-generativa/")


def test_tag_merge_is_in_the_history_of_posts_and_the_kept_tag(admin_client, admin_user):
    kept, dupe = make_tag("IA generativa"), make_tag("Generative AI")
    post = make_post("One", tags=[dupe])

    merge(admin_client, "tag", [kept, dupe], keep=kept)

    version = history.versions(post).first()
    assert version.revision.user == admin_user
    assert version.revision.get_comment() == "Merged tags “Generative AI” into “IA generativa”"
    assert [ref.name for ref in history.version_snapshot(version).tags] == ["IA generativa"]
    entry = LogEntry.objects.get(object_id=str(kept.pk))
    assert entry.get_change_message() == (
        "Merged “Generative AI” into “IA generativa”. 1 post changed. The old slug generative-ai redirects to it."
    )
    assert "Merged “Generative AI”" in admin_client.get(f"/admin/blog/tag/{kept.pk}/history/").content.decode()


def test_tag_merge_is_an_edit_the_next_import_leaves_alone(admin_client, write, tmp_path, run_import):
    path = write("a.md", "---\ntitle: Imported\ntags: [Generative AI]\n---\nText.\n")
    run_import(tmp_path)
    kept = make_tag("IA generativa")

    merge(admin_client, "tag", [kept, Tag.objects.get(slug="generative-ai")], keep=kept)
    path.write_text("---\ntitle: Changed in the file\ntags: [Generative AI]\n---\nText.\n", encoding="utf-8")

    assert run_import(tmp_path).file("a.md")["status"] == "conflict"
    assert list(Post.objects.get().tags.values_list("name", flat=True)) == ["IA generativa"]


def test_author_merge_keeps_byline_order_profile_and_redirects(admin_client, client, django_user_model):
    staff = django_user_model.objects.create_user("charly", is_staff=True)
    kept = make_author("Charlytoc")
    dupe = make_author("Charly Chacón", bio="Writes about AI.", user=staff)
    ann = make_author("Ann")
    post = make_post("Co-written", authors=[dupe, ann])
    both = make_post("Both names", authors=[kept, ann, dupe])

    response = merge(admin_client, "author", [kept, dupe], keep=kept)

    assert response.status_code == 302
    assert not Author.objects.filter(slug="charly-chacon").exists()
    assert [link.author.name for link in PostAuthor.objects.filter(post=post)] == ["Charlytoc", "Ann"]
    assert [link.author.name for link in PostAuthor.objects.filter(post=both)] == ["Charlytoc", "Ann"]
    kept.refresh_from_db()
    assert (kept.bio, kept.user) == ("Writes about AI.", staff)
    answer = client.get("/authors/charly-chacon/")
    assert (answer.status_code, answer.headers["Location"]) == (301, "/authors/charlytoc/")
    assert history.versions(post).first().revision.get_comment() == "Merged authors “Charly Chacón” into “Charlytoc”"


def test_merge_needs_two_selected(admin_client):
    tag = make_tag("Alone")

    response = admin_client.post("/admin/blog/tag/", {"action": "merge", "_selected_action": [tag.pk]}, follow=True)

    assert "Select at least two to merge." in response.content.decode()

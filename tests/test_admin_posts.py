"""The post editor in the admin: change list, preview, slugs, tags by slug, bulk actions, optimistic locking."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post, PostAuthor, Tag
from blog.rendering import render_markdown
from factories import make_author, make_draft, make_post, make_scheduled, make_tag

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/blog/post/"


def change_url(post):
    return f"/admin/blog/post/{post.pk}/change/"


def form_data(post, **changes):
    """What the change form of ``post`` submits when opened now, with ``changes`` typed in."""
    post.refresh_from_db()
    local = timezone.localtime(post.publish_date)
    links = list(PostAuthor.objects.filter(post=post))
    data = {
        "title": post.title, "slug": post.slug, "description": post.description, "body": post.body,
        "tags": ", ".join(f'"{tag.name}"' for tag in post.tags.all()),
        "status": post.status, "publish_date_0": local.strftime("%Y-%m-%d"), "publish_date_1": local.strftime("%H:%M:%S"),
        "updated_date_0": "", "updated_date_1": "", "language": post.language, "translation_key": post.translation_key,
        "cover_image": post.cover_image, "lock_version": post.version,
        "post_authors-TOTAL_FORMS": len(links), "post_authors-INITIAL_FORMS": len(links),
        "post_authors-MIN_NUM_FORMS": 0, "post_authors-MAX_NUM_FORMS": 1000,
    }
    for index, link in enumerate(links):
        data.update({f"post_authors-{index}-id": link.pk, f"post_authors-{index}-post": post.pk,
                     f"post_authors-{index}-author": link.author_id, f"post_authors-{index}-order": link.order})
    data.update(changes)
    return data


def errors(response):
    context = response.context
    return context["adminform"].form.errors if context and "adminform" in context else response


# -- change list ------------------------------------------------------------------------


def test_post_changelist_shows_status_badges_authors_tags_and_language(admin_client):
    make_post("Public one", tags=["LLMs", "IA generativa"], authors=["Charlytoc", "Ann"], language="es")
    make_draft("A draft")
    make_scheduled("Coming soon")

    page = admin_client.get(CHANGELIST).content.decode()

    assert 'class="post-status post-status-published">Published<' in page
    assert 'class="post-status post-status-draft">Draft<' in page
    assert 'class="post-status post-status-scheduled">Scheduled<' in page
    assert "Charlytoc, Ann" in page
    assert "IA generativa, LLMs" in page
    assert "not imported" in page


def test_post_changelist_says_which_imported_posts_were_edited(admin_client, write, tmp_path, run_import):
    write("kept.md", "---\ntitle: Kept\n---\nText.\n")
    write("edited.md", "---\ntitle: Edited\n---\nText.\n")
    run_import(tmp_path)
    edited = Post.objects.get(title="Edited")
    edited.body = "Changed by hand."
    edited.save()

    edited_only = admin_client.get(CHANGELIST, {"edited": "yes"}).content.decode()
    as_imported = admin_client.get(CHANGELIST, {"edited": "no"}).content.decode()

    assert ">Edited<" in edited_only and ">Kept<" not in edited_only
    assert ">Kept<" in as_imported and ">Edited<" not in as_imported
    assert 'import-edited">edited<' in admin_client.get(CHANGELIST).content.decode()


def test_post_changelist_filters_by_status_tag_and_author(admin_client):
    make_post("Public one", tags=["LLMs"], authors=["Ann"])
    make_draft("A draft", tags=["Other"])
    make_scheduled("Coming soon", authors=["Bob"])
    ann = make_author("Ann")

    def titles(**query):
        response = admin_client.get(CHANGELIST, query)
        return sorted(post.title for post in response.context["cl"].result_list)

    assert titles(state="published") == ["Public one"]
    assert titles(state="scheduled") == ["Coming soon"]
    assert titles(state="draft") == ["A draft"]
    assert titles(tag="llms") == ["Public one"]
    assert titles(authors__id__exact=ann.pk) == ["Public one"]
    assert titles(q="draft") == ["A draft"]


def seed(count):
    for number in range(count):
        make_post(f"Post {number}", tags=["Shared", f"Tag {number}"], authors=["Ann", f"Writer {number % 5}"])


def changelist_queries(client, **query):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    return len(captured)


def test_post_changelist_uses_the_same_number_of_queries_for_5_and_50_posts(admin_client):
    seed(5)
    few = [changelist_queries(admin_client), changelist_queries(admin_client, edited="yes")]
    seed(45)
    many = [changelist_queries(admin_client), changelist_queries(admin_client, edited="yes")]

    assert Post.objects.count() == 50
    assert many == few


# -- the change form ----------------------------------------------------------------------


def test_post_change_form_has_preview_in_site_stylesheet_and_draft_preview_link(admin_client):
    post = make_draft("Borrador", body="# Hola\n\n<script>alert(1)</script>**fuerte**")

    page = admin_client.get(change_url(post)).content.decode()

    assert 'class="md-editor" data-preview-url="/admin/blog/post/preview/"' in page
    assert 'sandbox="allow-same-origin allow-popups"' in page
    assert "/static/blog/site.css" in page and "/static/blog/pygments.css" in page
    assert "&lt;strong&gt;fuerte&lt;/strong&gt;" in page  # the preview of the text as loaded, inside srcdoc
    assert "alert(1)&lt;/script" not in page.split("srcdoc=")[1].split("></iframe>")[0]
    assert f'href="/posts/{post.slug}/"' in page and "Preview draft" in page
    assert f"/admin/blog/post/{post.pk}/history/" in page


def test_post_preview_renders_markdown_with_the_site_pipeline_sanitised(admin_client):
    text = "## Título\n\n<script>alert(1)</script>\n\n```python\nx = 1\n```"

    response = admin_client.post("/admin/blog/post/preview/", {"body": text})

    assert response.status_code == 200
    html = response.json()["html"]
    assert html == render_markdown(text)
    assert '<h2 id="titulo">Título</h2>' in html
    assert "<script" not in html
    assert "highlight" in html


def test_post_preview_is_staff_only_and_post_only(client, django_user_model, admin_client):
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))

    assert client.post("/admin/blog/post/preview/", {"body": "x"}).status_code == 302  # to the login page
    assert admin_client.get("/admin/blog/post/preview/").status_code == 405


def test_post_preview_refuses_a_request_without_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    assert client.post("/admin/blog/post/preview/", {"body": "x"}).status_code == 403


def test_post_slug_endpoint_uses_the_importers_slug_rule(admin_client):
    make_post("Diseño de APIs", slug="diseno-de-apis")

    assert admin_client.get("/admin/blog/post/slug/", {"text": "Diseño de APIs"}).json() == {"slug": "diseno-de-apis"}
    assert admin_client.get("/admin/blog/post/slug/", {"text": "Diseño de APIs", "kind": "post"}).json() == {"slug": "diseno-de-apis-2"}
    assert admin_client.get("/admin/blog/post/slug/", {"text": "オープンソース"}).json() == {"slug": "オープンソース"}


def test_post_saved_with_empty_slug_gets_one_from_the_title(admin_client):
    response = admin_client.post("/admin/blog/post/add/", {
        **form_data(make_draft("Placeholder"), title="Ingeniería de Prompts", slug="", tags="", lock_version=""),
        "post_authors-TOTAL_FORMS": 0, "post_authors-INITIAL_FORMS": 0,
    })

    assert response.status_code == 302, errors(response)
    assert Post.objects.get(title="Ingeniería de Prompts").slug == "ingenieria-de-prompts"


def test_post_tag_suggestions_match_by_name_and_slug(admin_client):
    make_post("One", tags=["IA generativa", "Ingeniería de Prompts"])
    make_tag("Generative art")

    results = admin_client.get("/admin/blog/post/tags/", {"q": "ia generativa"}).json()["results"]
    accents = admin_client.get("/admin/blog/post/tags/", {"q": "ingenieria de"}).json()["results"]

    assert results[0] == {"name": "IA generativa", "slug": "ia-generativa", "count": 1, "exact": True}
    assert [tag["name"] for tag in accents] == ["Ingeniería de Prompts"]


def test_post_save_reuses_existing_tags_by_slug(admin_client):
    post = make_post("One", tags=["IA generativa", "Ingeniería de Prompts"])
    other = make_post("Two")

    response = admin_client.post(change_url(other), form_data(other, tags='"ia generativa", "ingenieria-de-prompts", "Nueva etiqueta"'))

    assert response.status_code == 302, errors(response)
    assert sorted(other.tags.values_list("name", flat=True)) == ["IA generativa", "Ingeniería de Prompts", "Nueva etiqueta"]
    assert Tag.objects.count() == 3
    assert set(post.tags.all()) < set(Tag.objects.all())


# -- optimistic locking ----------------------------------------------------------------------


def test_post_save_is_refused_when_another_editor_saved_since_it_was_opened(admin_client, django_user_model):
    post = make_post("Shared", body="Original.")
    opened = form_data(post)
    other = Post.objects.get(pk=post.pk)
    other.body = "The other editor's text."
    other.save()

    response = admin_client.post(change_url(post), {**opened, "body": "My careful edit."})

    assert response.status_code == 200
    page = response.content.decode()
    assert "This post changed since you opened it" in page
    assert "My careful edit." in page  # nothing typed is lost
    assert Post.objects.get(pk=post.pk).body == "The other editor's text."
    # The form now carries the version it was shown: saving again keeps mine.
    again = response.context["adminform"].form.data["lock_version"]
    response = admin_client.post(change_url(post), {**opened, "body": "My careful edit.", "lock_version": again})
    assert response.status_code == 302, errors(response)
    assert Post.objects.get(pk=post.pk).body == "My careful edit."


def test_post_save_is_refused_when_an_import_changed_the_post_since(admin_client, write, tmp_path, run_import):
    path = write("a.md", "---\ntitle: Imported\n---\nFirst text.\n")
    run_import(tmp_path)
    post = Post.objects.get()
    opened = form_data(post)
    path.write_text("---\ntitle: Imported\n---\nSecond text from the file.\n", encoding="utf-8")
    assert run_import(tmp_path).file("a.md")["status"] == "updated"

    response = admin_client.post(change_url(post), {**opened, "body": "Editor's text."})

    assert response.status_code == 200
    assert "This post changed since you opened it" in response.content.decode()
    assert "Imported from a.md" in response.content.decode()
    assert Post.objects.get().body == "Second text from the file."


# -- bulk actions ------------------------------------------------------------------------------


def test_post_bulk_actions_publish_unpublish_and_schedule(admin_client):
    draft = make_draft("Draft")
    public = make_post("Public")
    later = timezone.localtime(timezone.now() + dt.timedelta(days=10)).replace(microsecond=0)

    admin_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_public

    admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [public.pk]})
    public.refresh_from_db()
    assert public.status == Post.Status.DRAFT

    form = admin_client.post(CHANGELIST, {"action": "schedule", "_selected_action": [public.pk, draft.pk]})
    assert "Publish on" in form.content.decode()
    admin_client.post(CHANGELIST, {
        "action": "schedule", "_selected_action": [public.pk, draft.pk], "apply": "1",
        "publish_date_0": later.strftime("%Y-%m-%d"), "publish_date_1": later.strftime("%H:%M:%S"),
    })
    assert all(post.is_scheduled and post.publish_date == later for post in Post.objects.all())


def test_post_schedule_refuses_a_date_in_the_past(admin_client):
    post = make_draft("Draft")

    response = admin_client.post(CHANGELIST, {
        "action": "schedule", "_selected_action": [post.pk], "apply": "1",
        "publish_date_0": "2020-01-01", "publish_date_1": "10:00:00",
    })

    assert "Choose a date in the future" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_post_imported_with_a_utc_offset_date_is_not_seen_as_edited(admin_client, write, tmp_path, run_import):
    write("a.md", "---\ntitle: Offset\ndate: 2024-05-20T10:00:00+02:00\n---\nText.\n")
    run_import(tmp_path)

    response = admin_client.get(CHANGELIST)

    assert 'import-same">as imported<' in response.content.decode()

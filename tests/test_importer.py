"""The importer and its command, through `import_articles --format json`, on real files in tmp_path."""

import datetime as dt
import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from blog import history, importer
from blog.models import Author, Post, Tag

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "articles" / "generative-ai-vs-llm.es.md"

POST = """\
---
title: {title}
---
Some text for {title}.
"""


def test_import_seed_article_gives_published_spanish_post_with_tags_and_author(tmp_path, run_import):
    (tmp_path / SEED.name).write_bytes(SEED.read_bytes())

    run = run_import(tmp_path)

    assert run.code == 0
    entry = run.file("generative-ai-vs-llm.es.md")
    assert entry == {
        "path": "generative-ai-vs-llm.es.md",
        "status": "created",
        "slug": "ia-generativa-vs-llm-entendiendo-las-diferencias-y-sinergias",
        "message": "",
    }
    post = Post.objects.published().get()
    assert post.title == "IA Generativa vs LLM: Entendiendo las Diferencias y Sinergias"
    assert post.language == "es"
    assert sorted(post.tags.values_list("name", flat=True)) == ["IA generativa", "LLMs", "tecnología de IA"]
    assert [author.name for author in post.ordered_authors] == ["Charlytoc"]
    assert "https://raw.githubusercontent.com/breatheco-de/applied-ai-syllabus/main/assets/ai-universe.webp" in post.body_html
    assert post.excerpt.startswith("En el mundo en rápida evolución")


# -- statuses, re-import, conflicts ------------------------------------------


def test_import_rerun_reports_unchanged_and_writes_nothing(write, tmp_path, run_import):
    write("a.md", POST.format(title="A"))
    write("b.md", POST.format(title="B"))
    run_import(tmp_path)
    before = list(Post.objects.values_list("id", "updated_at", "imported_at"))

    run = run_import(tmp_path)

    assert run.counts["unchanged"] == 2
    assert run.counts["created"] == run.counts["updated"] == 0
    assert list(Post.objects.values_list("id", "updated_at", "imported_at")) == before


def test_import_changed_file_updates_post(write, tmp_path, run_import):
    path = write("a.md", POST.format(title="First"))
    run_import(tmp_path)
    path.write_text(POST.format(title="Second"), encoding="utf-8")

    run = run_import(tmp_path)

    assert run.file("a.md")["status"] == "updated"
    post = Post.objects.get()
    assert post.title == "Second"
    assert post.slug == "first"  # the URL stays put when only the title changes


def test_import_edited_post_with_changed_file_is_conflict_and_keeps_edit(write, tmp_path, run_import):
    path = write("a.md", POST.format(title="Original"))
    run_import(tmp_path)
    post = Post.objects.get()
    post.body = "An editor's careful fix."
    post.save()
    path.write_text(POST.format(title="Changed in the file"), encoding="utf-8")

    run = run_import(tmp_path)

    entry = run.file("a.md")
    assert entry["status"] == "conflict"
    assert entry["slug"] == "original"
    assert "--force" in entry["message"]
    assert run.code == 0
    post.refresh_from_db()
    assert post.body == "An editor's careful fix."
    assert post.title == "Original"


def test_import_edited_post_with_unchanged_file_is_unchanged_and_keeps_edit(write, tmp_path, run_import):
    write("a.md", POST.format(title="Original"))
    run_import(tmp_path)
    post = Post.objects.get()
    post.tags.add(Tag.objects.create(name="Added by editor", slug="added-by-editor"))

    run = run_import(tmp_path)

    assert run.file("a.md")["status"] == "unchanged"
    assert list(post.tags.values_list("slug", flat=True)) == ["added-by-editor"]


def test_import_tag_change_by_editor_counts_as_edit(write, tmp_path, run_import):
    path = write("a.md", "---\ntitle: A\ntags: [one]\n---\nText.\n")
    run_import(tmp_path)
    Post.objects.get().tags.add(Tag.objects.create(name="Two", slug="two"))
    path.write_text("---\ntitle: A\ntags: [one]\n---\nNew text.\n", encoding="utf-8")

    assert run_import(tmp_path).file("a.md")["status"] == "conflict"


def test_import_force_overwrites_edited_post(write, tmp_path, run_import):
    path = write("a.md", POST.format(title="Original"))
    run_import(tmp_path)
    post = Post.objects.get()
    post.body = "Edited."
    post.save()
    path.write_text(POST.format(title="From file"), encoding="utf-8")

    run = run_import(tmp_path, "--force")

    assert run.file("a.md")["status"] == "updated"
    post.refresh_from_db()
    assert post.title == "From file"
    assert post.body == "Some text for From file."
    # After a forced import the post counts as unedited again.
    path.write_text(POST.format(title="Again"), encoding="utf-8")
    assert run_import(tmp_path).file("a.md")["status"] == "updated"


def test_import_force_restores_edited_post_from_unchanged_file(write, tmp_path, run_import):
    write("a.md", POST.format(title="Original"))
    run_import(tmp_path)
    Post.objects.filter(title="Original").update(body="vandalised")

    run = run_import(tmp_path, "--force")

    assert run.file("a.md")["status"] == "updated"
    assert Post.objects.get().body == "Some text for Original."


def test_import_whitespace_only_change_in_frontmatter_is_unchanged(write, tmp_path, run_import):
    path = write("a.md", "---\ntitle: A\n---\nText.\n")
    run_import(tmp_path)
    path.write_text("---\ntitle:   A\n\n---\nText.\n", encoding="utf-8")

    assert run_import(tmp_path).file("a.md")["status"] == "unchanged"


# -- bad files fail alone --------------------------------------------------------------


BAD_FILES = {
    "broken-yaml.md": (b"---\ntitle: ok\ntags: [unclosed\n---\nBody\n", "line"),
    "not-mapping.md": (b"---\n- a\n- b\n---\nBody\n", "mapping"),
    "latin1.md": ("---\ntitle: Año\n---\nEspañol\n".encode("latin-1"), "UTF-8"),
    "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    "python-object.md": (b"---\ntitle: !!python/object/apply:os.system ['touch pwned']\n---\nBody\n", "not allowed"),
    "bad-date.md": (b"---\ntitle: x\ndate: someday soon\n---\nBody\n", "'date'"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_import_bad_file_fails_alone_with_reason(write, tmp_path, run_import, name):
    data, words = BAD_FILES[name]
    write(name, raw=data)
    write("good.md", POST.format(title="Good"))

    run = run_import(tmp_path)

    assert run.code == 1
    entry = run.file(name)
    assert entry["status"] == "failed"
    assert entry["slug"] is None
    assert words in entry["message"]
    assert run.file("good.md")["status"] == "created"
    assert list(Post.objects.values_list("title", flat=True)) == ["Good"]
    assert not (tmp_path / "pwned").exists()


def test_import_broken_yaml_message_gives_file_line(write, tmp_path, run_import):
    write("a.md", "---\ntitle: fine\ndescription: fine\ntags: [a, b\nauthor: x\n---\nBody\n")

    message = run_import(tmp_path).file("a.md")["message"]

    assert "not valid YAML" in message
    assert "line 4" in message  # where the bracket opened


def test_import_file_that_breaks_leaves_existing_post_untouched(write, tmp_path, run_import):
    path = write("a.md", POST.format(title="Kept"))
    run_import(tmp_path)
    path.write_text("---\ntitle: [broken\n---\nBody\n", encoding="utf-8")

    run = run_import(tmp_path)

    assert run.file("a.md")["status"] == "failed"
    assert Post.objects.get().title == "Kept"


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("empty.md", "", "empty"),
        ("blank.md", "  \n\n\t\n", "empty"),
        ("comments.md", "<!-- nothing here -->\n\n<!-- yet -->\n", "HTML comments"),
        ("frontmatter-only.md", "---\ntitle: Only a title\n---\n\n", "no content"),
    ],
)
def test_import_file_without_content_is_skipped_with_reason(write, tmp_path, run_import, name, text, reason):
    write(name, text)

    run = run_import(tmp_path)

    assert run.code == 0
    entry = run.file(name)
    assert entry["status"] == "skipped"
    assert reason in entry["message"]
    assert not Post.objects.exists()


def test_import_over_size_limit_fails_with_limit_in_message(write, tmp_path, run_import, settings):
    settings.TINTA_MAX_ARTICLE_BYTES = 1000
    write("big.md", "---\ntitle: Big\n---\n" + "word " * 400)

    entry = run_import(tmp_path).file("big.md")

    assert entry["status"] == "failed"
    assert "limit" in entry["message"]
    assert "TINTA_MAX_ARTICLE_BYTES" in entry["message"]


# -- report formats and exit codes ------------------------------------------------------


def test_import_json_report_is_the_only_stdout_and_paths_are_relative(write, tmp_path, capsys):
    write("posts/2024/a.md", POST.format(title="A"))
    write("posts/broken.md", "---\ntitle: [x\n---\nBody\n")

    with pytest.raises(CommandError) as raised:
        call_command("import_articles", str(tmp_path), "--format", "json")

    assert raised.value.returncode == 1
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"files", "counts"}
    assert [entry["path"] for entry in report["files"]] == ["posts/broken.md", "posts/2024/a.md"]
    assert set(report["files"][0]) == {"path", "status", "slug", "message"}
    assert report["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "conflict": 0, "skipped": 0, "failed": 1}


def test_import_file_given_directly_is_reported_by_name(write, run_import):
    path = write("deep/folder/solo.md", POST.format(title="Solo"))

    run = run_import(path)

    assert run.report["files"] == [{"path": "solo.md", "status": "created", "slug": "solo", "message": ""}]


def test_import_text_report_lists_changes_and_summary(write, tmp_path, capsys):
    write("a.md", POST.format(title="A"))
    write("b.md", POST.format(title="B"))
    call_command("import_articles", str(tmp_path))
    capsys.readouterr()
    write("c.md", POST.format(title="C"))
    write("empty.md", "")

    call_command("import_articles", str(tmp_path))

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("created   c.md → c")
    assert lines[1].startswith("skipped   empty.md") and "empty file" in lines[1]
    assert lines[2] == "4 files: 1 created, 0 updated, 2 unchanged, 0 conflict, 1 skipped, 0 failed"


def test_import_missing_path_exits_2(tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("import_articles", str(tmp_path / "nope"))

    assert raised.value.returncode == 2
    assert "nope" in str(raised.value)


def test_import_without_path_reads_fixtures_articles(run_import):
    run = run_import()

    assert run.code == 0
    assert run.file("generative-ai-vs-llm.es.md")["status"] == "created"
    assert run.counts["failed"] == 0


# -- dry run -----------------------------------------------------------------------------


def test_import_dry_run_writes_nothing_and_reports_what_would_happen(write, tmp_path, run_import):
    write("a.md", "---\ntitle: A\ntags: [new tag]\nauthors: [Someone New]\n---\nText.\n")
    write("b.md", POST.format(title="A"))

    run = run_import(tmp_path, "--dry-run")

    assert [(e["path"], e["status"], e["slug"]) for e in run.report["files"]] == [
        ("a.md", "created", "a"),
        ("b.md", "created", "a-en"),
    ]
    assert not Post.objects.exists()
    assert not Tag.objects.exists()
    assert not Author.objects.exists()


def test_import_dry_run_over_existing_posts_changes_nothing(write, tmp_path, run_import):
    path = write("a.md", POST.format(title="A"))
    run_import(tmp_path)
    path.write_text(POST.format(title="Changed"), encoding="utf-8")

    run = run_import(tmp_path, "--dry-run")

    assert run.file("a.md")["status"] == "updated"
    assert Post.objects.get().title == "A"


# -- dates -------------------------------------------------------------------------------


def test_import_without_date_keeps_first_import_time(write, tmp_path, run_import):
    path = write("a.md", POST.format(title="A"))
    before = timezone.now().replace(microsecond=0)
    run_import(tmp_path)
    first = Post.objects.get().publish_date
    assert before <= first <= timezone.now()
    path.write_text(POST.format(title="A, revised"), encoding="utf-8")

    run_import(tmp_path)

    assert Post.objects.get().publish_date == first


def test_import_date_from_folder_prefix(write, tmp_path, run_import):
    write("2024-05-21-launch/index.md", POST.format(title="Launch"))

    run_import(tmp_path)

    assert Post.objects.get().publish_date == dt.datetime(2024, 5, 21, tzinfo=dt.UTC)


def test_import_naive_date_is_in_time_zone_setting(write, tmp_path, run_import, settings):
    settings.TIME_ZONE = "America/Bogota"
    write("a.md", "---\ntitle: A\ndate: 2024-05-21 10:00:00\n---\nText.\n")

    run_import(tmp_path)

    assert Post.objects.get().publish_date == dt.datetime(2024, 5, 21, 15, 0, tzinfo=dt.UTC)


def test_import_future_date_is_scheduled_not_public(write, tmp_path, run_import):
    write("later.md", "---\ntitle: Later\ndate: 2999-01-01T09:00:00+01:00\n---\nSoon.\n")
    write("now.md", POST.format(title="Now"))

    run_import(tmp_path)

    later = Post.objects.get(slug="later")
    assert later.status == Post.Status.PUBLISHED
    assert later.is_scheduled
    assert list(Post.objects.published().values_list("slug", flat=True)) == ["now"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.md", "---\ntitle: A\ndraft: true\n---\nText.\n"),
        ("a.md", "---\ntitle: A\npublished: false\n---\nText.\n"),
        ("a.md", "---\ntitle: A\nstatus: draft\n---\nText.\n"),
        ("[draft] a.md", "---\ntitle: A\n---\nText.\n"),
        ("_drafts/a.md", "---\ntitle: A\n---\nText.\n"),
    ],
)
def test_import_draft_forms_give_unpublished_post(write, tmp_path, run_import, name, text):
    write(name, text)

    run = run_import(tmp_path)

    assert run.counts["created"] == 1
    assert Post.objects.get().status == Post.Status.DRAFT
    assert not Post.objects.published().exists()


# -- slugs and identity -----------------------------------------------------------------------


def test_import_duplicate_titles_get_distinct_slugs_stable_across_fresh_imports(write, tmp_path, run_import):
    write("en/guide.md", "---\ntitle: The Guide\nlang: en\n---\nOne.\n")
    write("fr/guide.md", "---\ntitle: The Guide\nlang: fr\n---\nTwo.\n")
    write("zz/guide.md", "---\ntitle: The Guide\nlang: fr\n---\nThree.\n")
    first = {e["path"]: e["slug"] for e in run_import(tmp_path).report["files"]}
    Post.objects.all().delete()

    second = {e["path"]: e["slug"] for e in run_import(tmp_path).report["files"]}

    assert first == second == {"en/guide.md": "the-guide", "fr/guide.md": "the-guide-fr", "zz/guide.md": "the-guide-2"}


def test_import_non_latin_title_gets_unicode_slug_and_page(write, tmp_path, run_import, client):
    write("ja.md", "---\ntitle: オープンソースへの貢献\n---\n本文。\n")

    slug = run_import(tmp_path).file("ja.md")["slug"]

    assert slug == "オープンソースへの貢献"
    response = client.get(Post.objects.get().get_absolute_url())
    assert response.status_code == 200
    assert "オープンソースへの貢献" in response.text


def test_import_frontmatter_slug_is_identity_across_file_moves(write, tmp_path, run_import):
    old = write("old/place.md", "---\ntitle: A\nslug: /2024/01/02/My-Post/\n---\nText.\n")
    run_import(tmp_path)
    old.rename(tmp_path / "moved.md")
    (tmp_path / "moved.md").write_text("---\ntitle: A moved\nslug: /2024/01/02/My-Post/\n---\nText.\n", encoding="utf-8")

    run = run_import(tmp_path)

    assert run.file("moved.md") == {"path": "moved.md", "status": "updated", "slug": "my-post", "message": ""}
    assert Post.objects.get().title == "A moved"


def test_import_same_frontmatter_slug_in_two_files_fails_the_second(write, tmp_path, run_import):
    write("a.md", "---\ntitle: A\nslug: shared\n---\nText.\n")
    write("b.md", "---\ntitle: B\nslug: shared\n---\nText.\n")

    run = run_import(tmp_path)

    assert run.file("a.md")["status"] == "created"
    entry = run.file("b.md")
    assert entry["status"] == "failed"
    assert "a.md" in entry["message"]
    assert Post.objects.get().title == "A"


def test_import_frontmatter_slug_taken_by_other_post_fails(write, tmp_path, run_import):
    write("a.md", POST.format(title="Taken"))
    write("b.md", "---\ntitle: B\nslug: taken\n---\nText.\n")

    entry = run_import(tmp_path).file("b.md")

    assert entry["status"] == "failed"
    assert "'slug'" in entry["message"] and "a.md" in entry["message"]


def test_import_changed_frontmatter_slug_with_id_leaves_redirect(write, tmp_path, run_import, client):
    path = write("a.md", "---\nid: post-1\ntitle: A\nslug: first\n---\nText.\n")
    run_import(tmp_path)
    path.write_text("---\nid: post-1\ntitle: A\nslug: second\n---\nText.\n", encoding="utf-8")

    run = run_import(tmp_path)

    assert run.file("a.md")["slug"] == "second"
    response = client.get("/posts/first/")
    assert response.status_code == 301
    assert response["Location"] == "/posts/second/"


# -- authors and tags -----------------------------------------------------------------------


def test_import_authors_resolve_through_authors_yml_in_parent_folder(write, tmp_path, run_import):
    write(
        "blog/authors.yml",
        """
        ana:
          name: Ana Rivera
          title: Editor
          url: https://example.com/ana
          image_url: https://example.com/ana.png
          socials:
            github: ana
        """,
    )
    write("blog/2024-01-01-post/index.md", "---\ntitle: P\nauthors: [ana, Bob Stone]\n---\nText.\n")

    run_import(tmp_path / "blog")

    post = Post.objects.get()
    assert [a.name for a in post.ordered_authors] == ["Ana Rivera", "Bob Stone"]
    ana = Author.objects.get(slug="ana")  # the authors.yml key is the author's slug
    assert (ana.role, ana.url, ana.avatar_url, ana.socials) == (
        "Editor", "https://example.com/ana", "https://example.com/ana.png", {"github": "ana"},
    )
    assert Author.objects.get(slug="bob-stone").url == ""


@pytest.mark.parametrize(
    "authors",
    ["authors: [Charlytoc]", "authors: charlytoc", "author: CHARLYTOC", "authors:\n  - name: Charlytoc\n    url: https://x.example"],
)
def test_import_author_shapes_match_one_author_by_slug(write, tmp_path, run_import, authors):
    write("a.md", "---\ntitle: A\nauthors: [charlytoc]\n---\nText.\n")
    write("b.md", f"---\ntitle: B\n{authors}\n---\nText.\n")

    run_import(tmp_path)

    assert Author.objects.count() == 1
    assert Author.objects.get().posts.count() == 2


@pytest.mark.parametrize("authors", ["authors:", "authors: []", 'authors: ""', ""])
def test_import_empty_authors_gives_post_without_authors(write, tmp_path, run_import, authors):
    write("a.md", f"---\ntitle: A\n{authors}\n---\nText.\n")

    assert run_import(tmp_path).counts["created"] == 1
    assert Post.objects.get().ordered_authors == []


def test_import_authors_string_with_two_names(write, tmp_path, run_import):
    write("a.md", "---\ntitle: A\nauthor: Ana Rivera, Bob Stone\n---\nText.\n")

    run_import(tmp_path)

    assert [a.slug for a in Post.objects.get().ordered_authors] == ["ana-rivera", "bob-stone"]


def test_import_does_not_overwrite_author_profile_an_editor_wrote(write, tmp_path, run_import):
    Author.objects.create(name="Ana Rivera", slug="ana", role="Chief editor", url="")
    write("authors.yml", "ana:\n  name: Ana Rivera\n  title: Intern\n  url: https://example.com/ana\n")
    write("a.md", "---\ntitle: A\nauthors: [ana]\n---\nText.\n")

    run_import(tmp_path)

    ana = Author.objects.get()
    assert ana.role == "Chief editor"
    assert ana.url == "https://example.com/ana"


def test_import_tags_spelled_differently_are_one_tag(write, tmp_path, run_import):
    write("a.md", '---\ntitle: A\ntags: ["IA generativa", "Ingeniería de Prompts"]\n---\nText.\n')
    write("b.md", "---\ntitle: B\ntags: ia-generativa; ingenieria-de-prompts, IA Generativa\n---\nText.\n")

    run_import(tmp_path)

    assert sorted(Tag.objects.values_list("slug", "name")) == [
        ("ia-generativa", "IA generativa"),
        ("ingenieria-de-prompts", "Ingeniería de Prompts"),
    ]
    assert Post.objects.get(slug="b").tags.count() == 2


def test_import_tags_keep_their_source_text(write, tmp_path, run_import):
    write("a.md", "---\ntitle: A\ntags: [yes, no, 1.10, 2024]\n---\nText.\n")

    run_import(tmp_path)

    assert sorted(Post.objects.get().tags.values_list("name", flat=True)) == ["1.10", "2024", "no", "yes"]


def test_import_tags_resolve_through_tags_yml(write, tmp_path, run_import):
    write("tags.yml", "k8s:\n  label: Kubernetes\n  permalink: /k8s\n  description: Containers at scale.\n")
    write("a.md", "---\ntitle: A\ntags: [K8s, kubernetes]\n---\nText.\n")

    run_import(tmp_path)

    tag = Tag.objects.get()
    assert (tag.name, tag.slug, tag.description) == ("Kubernetes", "k8s", "Containers at scale.")


def test_import_broken_authors_yml_fails_files_that_need_it(write, tmp_path, run_import):
    write("authors.yml", "ana: [unclosed\n")
    write("a.md", "---\ntitle: A\nauthors: [ana]\n---\nText.\n")
    write("b.md", POST.format(title="B"))

    run = run_import(tmp_path)

    assert run.file("a.md")["status"] == "failed"
    assert "authors.yml" in run.file("a.md")["message"]
    assert run.file("b.md")["status"] == "created"


# -- frontmatter kept, entities, rendering --------------------------------------------------------


def test_import_keeps_unknown_keys_and_decodes_entities(write, tmp_path, run_import):
    write(
        "a.md",
        "---\nTitle: C&oacute;mo empezar\nDescription: Gu&iacute;a\nSeries: fundamentos\norder: 3\nlayout: article\n---\nTexto.\n",
    )

    run_import(tmp_path)

    post = Post.objects.get()
    assert (post.title, post.description) == ("Cómo empezar", "Guía")
    assert post.extra_frontmatter == {"Series": "fundamentos", "order": 3, "layout": "article"}


def test_import_stores_rendered_html_and_excerpt(write, tmp_path, run_import):
    write("a.md", "---\ntitle: A\n---\nIntro **bold**.\n\n<!-- truncate -->\n\nMore.\n\n<script>alert(1)</script>\n")

    run_import(tmp_path)

    post = Post.objects.get()
    assert "<strong>bold</strong>" in post.body_html
    assert "<script" not in post.body_html
    assert post.excerpt == "Intro bold."


def test_import_title_from_first_heading_is_removed_from_body(write, tmp_path, run_import):
    write("a.md", "Intro line.\n\n# The Real Title\n\nBody text.\n")

    run_import(tmp_path)

    post = Post.objects.get()
    assert post.title == "The Real Title"
    assert "The Real Title" not in post.body


def test_import_title_from_file_name_when_no_title_or_heading(write, tmp_path, run_import):
    write("2024-02-03-notes-on_things.md", "Just a paragraph.\n")

    run_import(tmp_path)

    assert Post.objects.get().title == "Notes on things"


# -- folder walking ------------------------------------------------------------------------------


def test_import_folder_walk_skips_readmes_and_underscore_names(write, tmp_path, run_import):
    write("README.md", "# About this folder\n")
    write("_partials/snippet.md", POST.format(title="Partial"))
    write("_guide.md", POST.format(title="Guide"))
    write("_posts/2024-01-01-jekyll.md", POST.format(title="Jekyll post"))
    write("_drafts/idea.md", POST.format(title="Idea"))
    write("notes.txt", "just text, not an article\n")
    write("article.txt", POST.format(title="Text article"))
    write("long.markdown", POST.format(title="Long ext"))
    write("component.mdx", POST.format(title="MDX"))
    write(".hidden/secret.md", POST.format(title="Hidden"))

    run = run_import(tmp_path)

    statuses = {e["path"]: e["status"] for e in run.report["files"]}
    assert statuses == {
        "README.md": "skipped",
        "_partials/": "skipped",
        "_guide.md": "skipped",
        "_posts/2024-01-01-jekyll.md": "created",
        "_drafts/idea.md": "created",
        "article.txt": "created",
        "long.markdown": "created",
        "component.mdx": "created",
    }
    assert "import_articles" in run.file("_partials/")["message"]
    assert Post.objects.get(title="Idea").status == Post.Status.DRAFT
    assert Post.objects.get(title="Jekyll post").publish_date.date() == dt.date(2024, 1, 1)


def test_import_underscore_folder_imports_when_named(write, tmp_path, run_import):
    write("_articles/es/guia.md", POST.format(title="Guía"))

    run = run_import(tmp_path / "_articles")

    assert run.file("es/guia.md")["status"] == "created"
    assert Post.objects.get().language == "es"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="the platform has no symbolic links")
def test_import_symlink_outside_folder_is_not_followed(write, tmp_path, run_import):
    outside = write("outside/secret.md", POST.format(title="Secret"))
    write("site/real.md", POST.format(title="Real"))
    (tmp_path / "site" / "link.md").symlink_to(outside)

    run = run_import(tmp_path / "site")

    assert run.file("link.md")["status"] == "skipped"
    assert "not followed" in run.file("link.md")["message"]
    assert list(Post.objects.values_list("title", flat=True)) == ["Real"]


def test_import_real_world_file_shapes(write, tmp_path, run_import):
    write("crlf.md", raw=b"---\r\ntitle: CRLF\r\n---\r\nText.\r\n")
    write("bom.md", raw="\ufeff---\ntitle: BOM\n---\nText.\n".encode())
    write("spaces.md", "--- \ntitle: Spaces\n---   \nText.\n\n---\n\nAfter a rule.\n")
    write("none.md", "# No Frontmatter\n\nText.\n")

    run = run_import(tmp_path)

    assert run.counts == {"created": 4, "updated": 0, "unchanged": 0, "conflict": 0, "skipped": 0, "failed": 0}
    assert sorted(Post.objects.values_list("title", flat=True)) == ["BOM", "CRLF", "No Frontmatter", "Spaces"]
    assert "After a rule." in Post.objects.get(title="Spaces").body


class TerminalStream(StringIO):
    def isatty(self):
        return True


def test_import_over_50_files_shows_progress_on_a_terminal(write, tmp_path):
    for number in range(51):
        write(f"post-{number:02}.md", POST.format(title=f"Post {number}"))
    terminal, pipe = TerminalStream(), StringIO()

    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=terminal)
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=pipe)

    assert "51/51" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_import_unexpected_error_fails_that_file_only(write, tmp_path, run_import, monkeypatch):
    write("a.md", POST.format(title="A"))
    write("b.md", POST.format(title="B"))
    original = Post.fingerprint

    def fingerprint(self, *args, **kwargs):
        if self.title == "A":
            raise RuntimeError("boom")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Post, "fingerprint", fingerprint)

    run = run_import(tmp_path)

    assert run.file("a.md")["status"] == "failed"
    assert "RuntimeError: boom" in run.file("a.md")["message"]
    assert run.file("b.md")["status"] == "created"
    assert list(Post.objects.values_list("title", flat=True)) == ["B"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("date: 2024-05-21", dt.datetime(2024, 5, 21, tzinfo=dt.UTC)),
        ("date: 2024-05-21 10:30:00", dt.datetime(2024, 5, 21, 10, 30, tzinfo=dt.UTC)),
        ("date: 2024-05-21T10:30:00+02:00", dt.datetime(2024, 5, 21, 8, 30, tzinfo=dt.UTC)),
        ('date: "2024-05-21T10:30:00Z"', dt.datetime(2024, 5, 21, 10, 30, tzinfo=dt.UTC)),
        ('date: "Tue, 21 May 2024 10:30:00 +0100"', dt.datetime(2024, 5, 21, 9, 30, tzinfo=dt.UTC)),
        ("publishDate: 2024-05-21", dt.datetime(2024, 5, 21, tzinfo=dt.UTC)),
        ('date: ""', dt.datetime(2023, 1, 9, tzinfo=dt.UTC)),  # empty: the file name's date
    ],
)
def test_import_date_forms(write, tmp_path, run_import, line, expected):
    write("2023-01-09-post.md", f"---\ntitle: P\n{line}\n---\nText.\n")

    run_import(tmp_path)

    assert Post.objects.get().publish_date == expected


@pytest.mark.parametrize(
    "tags",
    ['tags: ["Django", "Open Source"]', "tags: django, open-source", "tags: Django; open source", "tag: [django, OPEN SOURCE]",
     "tags:\n  - django\n  - label: Open Source\n    permalink: /oss"],
)
def test_import_tag_shapes(write, tmp_path, run_import, tags):
    write("a.md", f"---\ntitle: A\n{tags}\n---\nText.\n")

    run_import(tmp_path)

    assert sorted(Post.objects.get().tags.values_list("slug", flat=True)) == ["django", "open-source"]


def test_import_reads_pelican_and_hugo_files(write, tmp_path, run_import):
    write("pelican.md", "Title: Pelican post\nDate: 2010-12-03 10:20\nTags: a, b\nAuthor: Alexis\n\nBody.\n")
    write("hugo.md", "+++\ntitle = 'Hugo post'\ntags = ['b']\n+++\nBody.\n")

    assert run_import(tmp_path).counts["created"] == 2
    assert Post.objects.get(title="Pelican post").tags.count() == 2
    assert [a.name for a in Post.objects.get(title="Pelican post").ordered_authors] == ["Alexis"]


def test_import_interrupted_keeps_the_batches_already_written(write, tmp_path, monkeypatch):
    write("a.md", POST.format(title="A"))
    write("b.md", POST.format(title="B"))
    monkeypatch.setattr(importer, "BATCH_SIZE", 1)
    original = history.record_new

    def record_new(entries, user=None):
        if entries[0][0].title == "B":
            raise KeyboardInterrupt  # the operator presses Ctrl-C while the second batch is written
        original(entries, user=user)

    monkeypatch.setattr(history, "record_new", record_new)

    with pytest.raises(KeyboardInterrupt):
        call_command("import_articles", str(tmp_path), stdout=StringIO())

    assert list(Post.objects.values_list("title", flat=True)) == ["A"]


def _thirty_files(write):
    for number in range(30):
        write(f"many/post-{number:02}.md", f"---\ntitle: Same title\ntags: [t{number % 3}]\n---\nBody {number} with **bold**.\n")


def test_import_in_worker_processes_matches_one_process(write, tmp_path, run_import, settings, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor

    submitted = []
    original_submit = ProcessPoolExecutor.submit
    monkeypatch.setattr(ProcessPoolExecutor, "submit", lambda self, *a, **k: submitted.append(a) or original_submit(self, *a, **k))
    _thirty_files(write)
    settings.TINTA_IMPORT_WORKERS = 1
    alone = run_import(tmp_path / "many").report
    alone_posts = list(Post.objects.order_by("slug").values_list("slug", "title", "body_html", "excerpt", "word_count"))
    Post.objects.all().delete()

    settings.TINTA_IMPORT_WORKERS = 2
    parallel = run_import(tmp_path / "many").report

    assert len(submitted) == 30  # every file went through a worker process
    assert parallel == alone
    assert list(Post.objects.order_by("slug").values_list("slug", "title", "body_html", "excerpt", "word_count")) == alone_posts


def test_import_goes_on_in_process_when_workers_fail(write, tmp_path, run_import, settings, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _thirty_files(write)
    settings.TINTA_IMPORT_WORKERS = 2

    def broken(self, *args, **kwargs):
        raise BrokenProcessPool("a worker was killed")

    monkeypatch.setattr(ProcessPoolExecutor, "submit", broken)

    run = run_import(tmp_path / "many")

    assert run.counts["created"] == 30
    assert run.code == 0


def test_import_never_deletes_a_post_whose_file_is_gone(write, tmp_path, run_import):
    gone = write("gone.md", POST.format(title="Gone"))
    write("kept.md", POST.format(title="Kept"))
    run_import(tmp_path)
    gone.unlink()

    run = run_import(tmp_path)

    assert "pruned" not in run.report
    assert Post.objects.published().count() == 2


def test_import_prune_unpublishes_posts_whose_file_is_gone_and_lists_them(write, tmp_path, run_import):
    gone = write("site/gone.md", POST.format(title="Gone"))
    write("site/kept.md", POST.format(title="Kept"))
    write("other/elsewhere.md", POST.format(title="Elsewhere"))
    run_import(tmp_path / "site")
    run_import(tmp_path / "other")
    gone.unlink()

    dry = run_import(tmp_path / "site", "--prune", "--dry-run")
    assert dry.report["pruned"] == [{"path": "gone.md", "slug": "gone"}]
    assert Post.objects.get(slug="gone").status == Post.Status.PUBLISHED

    run = run_import(tmp_path / "site", "--prune")

    assert run.report["pruned"] == [{"path": "gone.md", "slug": "gone"}]
    assert Post.objects.get(slug="gone").status == Post.Status.DRAFT
    assert set(Post.objects.published().values_list("slug", flat=True)) == {"kept", "elsewhere"}
    # Back again, the file is imported as before, not treated as an editor's draft.
    gone.write_text(POST.format(title="Gone"), encoding="utf-8")
    assert run_import(tmp_path / "site", "--prune").file("gone.md")["status"] == "updated"
    assert Post.objects.get(slug="gone").status == Post.Status.PUBLISHED


def test_import_prune_text_report_names_the_unpublished(write, tmp_path, capsys):
    gone = write("gone.md", POST.format(title="Gone"))
    call_command("import_articles", str(tmp_path))
    gone.unlink()
    capsys.readouterr()

    call_command("import_articles", str(tmp_path), "--prune")

    assert "pruned    gone.md → gone: its file is gone; unpublished" in capsys.readouterr().out


def test_import_drops_nul_characters_that_postgresql_cannot_store(write, tmp_path, run_import):
    write("authors.yml", 'ann:\n  name: "A\\0nn"\n  url: "https://x\\0.com"\n  title: "t\\0"\n  socials: {"g\\0": "h\\0"}\n')
    write("a.md", '---\ntitle: "<scr\\0ipt>"\ntags: ["t\\0g"]\nauthors: [ann]\nextra: "e\\0x"\nimage: "/i\\0.png"\n---\nBody.\n')

    run = run_import(tmp_path)

    assert run.counts["created"] == 1, run.report
    post = Post.objects.get()
    assert (post.title, post.cover_image, post.extra_frontmatter) == ("<script>", "/i.png", {"extra": "ex"})
    assert Author.objects.get().socials == {"g": "h"}

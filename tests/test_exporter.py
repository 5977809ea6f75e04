"""export_articles: posts back to Markdown files that import_articles reads as the same posts.

Most tests import small files written to tmp_path, export them, and read the
export back: into an empty database (the round trip the product promises),
or as text (the file format). The round trips over fixtures/articles and over
the corpus named by TINTA_CORPUS check that two exports are byte-identical
and that every post comes back field for field.
"""

import datetime as dt
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.exporter import PostRecord, export_articles, plan_paths
from blog.models import Author, Post, PostAuthor, SlugRedirect, Tag
from factories import make_author, make_draft, make_post, make_tag

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"
CORPUS = os.environ.get("TINTA_CORPUS", "")


def export(outdir, *args):
    """Run the command; return (exit code, stdout)."""
    out = StringIO()
    code = 0
    try:
        call_command("export_articles", str(outdir), *args, stdout=out)
    except CommandError as error:
        code = error.returncode
        out.write(f"CommandError: {error}")
    return code, out.getvalue()


def tree(root):
    """Every file under ``root`` as {relative path: bytes}."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def snapshot():
    """Every post, field for field, by slug, with its tags and its authors' profiles."""
    posts = {}
    links = Prefetch("post_authors", PostAuthor.objects.select_related("author"))
    for post in Post.objects.prefetch_related("tags", links).order_by("slug"):
        posts[post.slug] = {
            "title": post.title,
            "description": post.description,
            "body": post.body,
            "status": post.status,
            "publish_date": post.publish_date,
            "updated_date": post.updated_date,
            "language": post.language,
            "cover_image": post.cover_image,
            "extra_frontmatter": post.extra_frontmatter,
            "tags": sorted((tag.slug, tag.name, tag.description) for tag in post.tags.all()),
            "authors": [
                (a.slug, a.name, a.role, a.url, a.avatar_url, a.bio, a.socials) for a in post.ordered_authors
            ],
        }
    return posts


def empty_database():
    Post.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    SlugRedirect.objects.all().delete()


def round_trip(tmp_path, run_import):
    """Export what is in the database, import the export into an empty database,
    export again; return both exports, both snapshots and the import run."""
    first, second = tmp_path / "export-1", tmp_path / "export-2"
    before = snapshot()
    assert export(first)[0] == 0
    empty_database()
    run = run_import(first)
    assert export(second)[0] == 0
    return tree(first), tree(second), before, snapshot(), run


def import_and_round_trip(tmp_path, run_import, *roots):
    run = run_import(*roots)
    assert run.code == 0, run.report
    first, second, before, after, again = round_trip(tmp_path, run_import)
    assert again.code == 0, [entry for entry in again.report["files"] if entry["status"] != "created"]
    assert again.counts["failed"] == again.counts["skipped"] == 0
    return first, second, before, after


# -- the file format --------------------------------------------------------------------


def test_export_post_file_has_known_keys_in_fixed_order_then_extra_keys_then_body(write, tmp_path, run_import):
    write("src/authors.yml", "ana:\n  name: Ana Rivera\n  title: Editor\n")
    write(
        "src/guides/setup.md",
        """\
        ---
        layout: guide
        tags: [Python, django]
        authors: [ana]
        lastmod: 2024-06-01T09:30:00+02:00
        image: https://example.com/cover.png
        date: 2024-05-21 10:00:00
        title: Setting up
        summary: How to set up.
        series: basics
        ---

        Body with a `---` rule below.

        ---

        The end.
        """,
    )
    run_import(tmp_path / "src")

    code, out = export(tmp_path / "out")

    assert code == 0
    assert "1 post, 1 author and 2 tags written to" in out
    assert (tmp_path / "out" / "guides" / "setup.md").read_text(encoding="utf-8") == (
        "---\n"
        "title: Setting up\n"
        "date: '2024-05-21T10:00:00+00:00'\n"
        "lastmod: '2024-06-01T07:30:00+00:00'\n"
        "description: How to set up.\n"
        "lang: en\n"
        "image: https://example.com/cover.png\n"
        "tags: [django, Python]\n"
        "authors: [ana]\n"
        "layout: guide\n"
        "series: basics\n"
        "---\n"
        "\n"
        "Body with a `---` rule below.\n\n---\n\nThe end.\n"
    )
    assert (tmp_path / "out" / "authors.yml").read_text(encoding="utf-8") == "ana:\n  name: Ana Rivera\n  title: Editor\n"
    assert (tmp_path / "out" / "tags.yml").read_text(encoding="utf-8") == "django:\n  label: django\npython:\n  label: Python\n"


def test_export_writes_slug_unless_the_importer_derives_the_same_one_from_the_title(write, tmp_path, run_import):
    write("src/a.md", "---\ntitle: Same title\n---\nText.\n")
    write("src/b.md", "---\ntitle: Same title\n---\nText.\n")
    write("src/c.md", "---\ntitle: C\nslug: /2024/05/custom-c\n---\nText.\n")
    run_import(tmp_path / "src")

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert "slug:" not in first["a.md"].decode()  # found by its path, as when it was imported
    assert "\nslug: same-title-en\n" in first["b.md"].decode()  # a second "Same title" gets the language
    assert "\nslug: custom-c\n" in first["c.md"].decode()
    assert after == before
    assert second == first


def test_export_into_the_imported_folder_reimports_in_place(tmp_path, run_import):
    site = tmp_path / "site"
    site.mkdir()
    for path in FIXTURES.rglob("*"):
        if path.is_file():
            (site / path.relative_to(FIXTURES)).parent.mkdir(parents=True, exist_ok=True)
            (site / path.relative_to(FIXTURES)).write_bytes(path.read_bytes())
    run_import(site)
    before = snapshot()

    assert export(site, "--force")[0] == 0
    run = run_import(site)

    assert run.code == 0
    assert run.counts["unchanged"] == len(before), run.report
    assert snapshot() == before


def test_export_into_the_imported_folder_reimports_post_whose_slug_an_editor_changed(write, tmp_path, run_import):
    write("site/a.md", "---\ntitle: A\n---\nText.\n")
    run_import(tmp_path / "site")
    Post.objects.filter(slug="a").update(slug="renamed")

    export(tmp_path / "site", "--force")
    run = run_import(tmp_path / "site")

    assert run.code == 0
    assert list(Post.objects.values_list("slug", flat=True)) == ["renamed"]


def test_export_warns_when_the_importer_would_read_a_field_back_differently(tmp_path):
    make_post("A", slug="a", description="Two lines\nfrom the admin", body="\n\nLeading blank lines.")

    code, out = export(tmp_path / "out")

    assert code == 0
    assert "warning a.md: description reads back as 'Two lines from the admin', not 'Two lines\\nfrom the admin'" in out
    assert "warning a.md: body reads back as" in out


def test_export_warns_when_a_tag_or_author_would_come_back_different(tmp_path):
    renamed = make_tag("kubernetes")
    Tag.objects.filter(pk=renamed.pk).update(name="K8s", description="Line one\nline two")
    make_post("A", slug="a", tags=[Tag.objects.get(pk=renamed.pk)], authors=[make_author("Ana", slug="editor-ana")])

    code, out = export(tmp_path / "out")

    assert code == 0
    assert "warning tags.yml: tag 'kubernetes': its description reads back as 'Line one line two'" in out
    assert "derives" not in out  # authors.yml and tags.yml keys are the slugs the importer uses


def test_export_dates_are_in_the_time_zone_setting_with_offset(write, tmp_path, run_import, settings):
    write("src/a.md", "---\ntitle: A\ndate: 2024-05-21T10:00:00Z\n---\nText.\n")
    run_import(tmp_path / "src")
    settings.TIME_ZONE = "Europe/Madrid"

    export(tmp_path / "out")

    assert "date: '2024-05-21T12:00:00+02:00'\n" in (tmp_path / "out" / "a.md").read_text(encoding="utf-8")


def test_export_draft_keeps_draft_true_and_scheduled_keeps_future_date(write, tmp_path, run_import):
    future = (timezone.now() + dt.timedelta(days=30)).replace(microsecond=0)
    write("src/draft.md", "---\ntitle: Not yet\nstatus: draft\n---\nText.\n")
    write("src/scheduled.md", f"---\ntitle: Soon\ndate: {future.isoformat()}\n---\nText.\n")
    run_import(tmp_path / "src")

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert "draft: true\n" in first["draft.md"].decode()
    assert "draft" not in first["scheduled.md"].decode()
    assert Post.objects.get(slug="not-yet").status == Post.Status.DRAFT
    soon = Post.objects.get(slug="soon")
    assert soon.is_scheduled and soon.publish_date == future
    assert after == before
    assert second == first


HOSTILE_TITLES = ["yes", "No", "2024", "1.10", "null", "~", "@handle", "*bold", "a: b", '"quoted"', "'single'", "# not a comment",
                  "[draft] in a title", "- dash", "2024-05-21", "true", "%percent", "key: value # comment"]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_export_typed_looking_title_reads_back_as_the_same_text(tmp_path, run_import, title):
    make_post(title, slug="post")

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert Post.objects.get().title == title
    assert after == before
    assert second == first


def test_export_typed_looking_tags_and_unicode_stay_text_in_utf8(write, tmp_path, run_import):
    write("src/a.md", "---\ntitle: Diseño オープンソース\ntags: [yes, '1.10', 2024, null-ish, Ingeniería]\n---\nÑandú 日本語.\n")
    run_import(tmp_path / "src")

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    text = first["a.md"].decode("utf-8")
    assert "title: Diseño オープンソース\n" in text  # written as UTF-8, not \u escapes
    assert "tags: ['1.10', '2024', Ingeniería, null-ish, 'yes']\n" in text
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["1.10", "2024", "Ingeniería", "null-ish", "yes"]
    assert after == before
    assert second == first


def test_export_extra_keys_with_nested_lists_and_mappings_round_trip(write, tmp_path, run_import):
    write(
        "src/a.md",
        """\
        ---
        title: A
        Series: {name: basics, part: 2, tags: [x, 'yes'], when: 2024-01-01}
        related: [b, c]
        order: 1.5
        hide_table_of_contents: true
        redirect_from: [/old/a/, /older/a/]
        untranslated: ~
        ---
        Text.
        """,
    )
    run_import(tmp_path / "src")
    stored = Post.objects.get().extra_frontmatter

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert Post.objects.get().extra_frontmatter == stored
    assert stored["Series"] == {"name": "basics", "part": 2, "tags": ["x", "yes"], "when": "2024-01-01"}
    assert "\nSeries:\n" in first["a.md"].decode()  # the key keeps its spelling
    assert after == before
    assert second == first


def test_export_authors_keep_profiles_and_byline_order(write, tmp_path, run_import):
    write(
        "src/authors.yml",
        """\
        zoe:
          name: Zoë Adams
          title: Staff writer
          url: https://example.com/zoe
          image_url: https://example.com/zoe.png
          bio: Writes about databases.
          socials: {x: zoe_writes, github: zoe}  # PostgreSQL's jsonb keeps shorter keys first
        al:
          name: Al
        """,
    )
    write("src/a.md", "---\ntitle: A\nauthors: [zoe, al]\n---\nText.\n")
    write("src/b.md", "---\ntitle: B\nauthors: [al, zoe]\n---\nText.\n")
    run_import(tmp_path / "src")

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert "authors: [zoe, al]\n" in first["a.md"].decode()
    assert "authors: [al, zoe]\n" in first["b.md"].decode()
    assert first["authors.yml"].decode() == (
        "al:\n  name: Al\n"
        "zoe:\n  name: Zoë Adams\n  title: Staff writer\n  url: https://example.com/zoe\n"
        "  image_url: https://example.com/zoe.png\n  bio: Writes about databases.\n  socials:\n    x: zoe_writes\n    github: zoe\n"
    )
    zoe = Author.objects.get(slug="zoe")
    assert (zoe.role, zoe.url, zoe.avatar_url, zoe.bio, zoe.socials) == (
        "Staff writer", "https://example.com/zoe", "https://example.com/zoe.png", "Writes about databases.",
        {"x": "zoe_writes", "github": "zoe"},
    )
    assert after == before
    assert second == first


def test_export_tags_yml_keeps_labels_and_descriptions(write, tmp_path, run_import):
    write("src/tags.yml", "k8s:\n  label: Kubernetes\n  description: 'Containers: at scale.'\n")
    write("src/a.md", "---\ntitle: A\ntags: [k8s, Ops]\n---\nText.\n")
    run_import(tmp_path / "src")

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert first["tags.yml"].decode() == "k8s:\n  label: Kubernetes\n  description: 'Containers: at scale.'\nops:\n  label: Ops\n"
    assert Tag.objects.get(slug="k8s").description == "Containers: at scale."
    assert after == before
    assert second == first


def test_export_written_with_lf_endings_from_a_crlf_file(write, tmp_path, run_import):
    write("src/a.md", raw=b"\xef\xbb\xbf---\r\ntitle: Windows\r\n---\r\nLine one.\r\nLine two.\r\n")
    run_import(tmp_path / "src")

    export(tmp_path / "out")

    data = (tmp_path / "out" / "a.md").read_bytes()
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\n\nLine one.\nLine two.\n")


def test_export_title_with_entity_text_reads_back_unchanged(tmp_path, run_import):
    make_post("Escaping &amp; and &lt;b&gt; in HTML", slug="escaping", description="Write &copy; as text")
    make_post("Tom & Jerry", slug="tom-and-jerry")

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert "title: Tom & Jerry\n" in first["tom-and-jerry.md"].decode()
    assert after == before
    assert second == first


def test_export_post_that_was_only_a_heading_reads_back(write, tmp_path, run_import):
    write("src/a.md", "---\ntags: [x]\n---\n# Just a heading\n")
    run_import(tmp_path / "src")
    assert Post.objects.get().body == ""

    first, second, before, after, run = round_trip(tmp_path, run_import)

    assert run.counts["created"] == 1
    assert after == before
    assert second == first


def test_export_frontmatter_id_is_written_so_the_post_keeps_its_identity(write, tmp_path, run_import):
    write("src/a.md", "---\nid: post-17\ntitle: A\n---\nText.\n")
    run_import(tmp_path / "src")

    first = round_trip(tmp_path, run_import)[0]

    assert "slug: a\nid: post-17\n" in first["a.md"].decode()
    assert Post.objects.get().import_key == "id:post-17"


# -- extra keys that would clash -------------------------------------------------------------


def test_export_extra_alias_of_an_empty_field_does_not_become_that_field(tmp_path, run_import):
    # `summary` was kept beside a description an editor has since cleared;
    # written alone it would come back as the description.
    make_post("A", slug="a", description="", extra_frontmatter={"summary": "old summary", "Cover": "x.png", "tag": "t"})

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    post = Post.objects.get()
    assert (post.description, post.cover_image, list(post.tags.all())) == ("", "", [])
    assert post.extra_frontmatter == {"summary": "old summary", "Cover": "x.png", "tag": "t"}
    assert after == before
    assert second == first


def test_export_extra_key_that_would_override_a_known_field_is_left_out_with_warning(tmp_path):
    make_post("Real title", slug="a", extra_frontmatter={"TITLE": "Fake", "draft": True, "id": "x", "keep": 1})

    code, out = export(tmp_path / "out")

    text = (tmp_path / "out" / "a.md").read_text(encoding="utf-8")
    assert code == 0
    assert "title: Real title\n" in text and "keep: 1\n" in text
    assert "Fake" not in text and "draft" not in text and "\nid:" not in text
    assert "warning a.md: the extra frontmatter key 'TITLE' is not written" in out
    assert "warning a.md: the extra frontmatter key 'draft' is not written: the importer would read it as the post's draft" in out


# -- file names -------------------------------------------------------------------------


def test_export_post_without_source_path_goes_to_its_slug(tmp_path, run_import):
    make_post("Made in the admin", slug="made-in-the-admin", tags=["Django"], authors=["Ana Rivera"])

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert set(first) == {"made-in-the-admin.md", "authors.yml", "tags.yml"}
    assert after == before
    assert second == first


def test_export_colliding_source_paths_get_distinct_files_smallest_slug_first(tmp_path, run_import):
    make_post("B", slug="b", source_path="x/post.md")
    make_post("A", slug="a", source_path="x/post.md")
    make_post("Post", slug="post", source_path="X/Post.md")  # one file on a case-insensitive disk

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert set(first) == {"x/post.md", "b.md", "post.md", "authors.yml", "tags.yml"}
    assert first["x/post.md"].decode().startswith("---\ntitle: A\n")
    assert after == before
    assert second == first


@pytest.mark.parametrize(
    "source_path",
    ["../escape.md", "/etc/escape.md", "a/../../escape.md", "a//b.md", "./a.md", ".hidden/a.md", "_partials/a.md", "_a.md",
     "README.md", "docs/readme.es.md", "notes.html", "a\\..\\b.md", "_drafts/a.md", "[draft] a.md"],
)
def test_export_source_path_the_importer_would_not_read_back_falls_back_to_slug(tmp_path, run_import, source_path):
    make_post("Safe", slug="safe", source_path=source_path)

    first, second, before, after = round_trip(tmp_path, run_import)[:4]

    assert set(first) == {"safe.md", "authors.yml", "tags.yml"}
    assert not (tmp_path / "escape.md").exists() and not Path("/etc/escape.md").exists()
    assert after == before
    assert second == first


def test_export_draft_keeps_its_drafts_folder(tmp_path):
    make_draft("Draft", slug="draft", source_path="_drafts/draft.md")

    export(tmp_path / "out")

    assert (tmp_path / "out" / "_drafts" / "draft.md").exists()


def test_plan_paths_is_deterministic_and_never_reuses_a_path():
    def record(slug, source_path=""):
        return PostRecord(slug=slug, title=slug, description="", body="x", is_draft=False, publish_date=None,
                          updated_date=None, language="en", cover_image="", tags=[], authors=[], extra={},
                          source_path=source_path)

    records = [record("b", "a.md"), record("a", "a.md"), record("a-md"), record("c", "b.md/x.md"), record("d", "b.md"),
               record("authors", "authors.yml"), record("long-" + "ü" * 200)]

    paths = plan_paths(records)

    assert paths == plan_paths(list(reversed(records)))[::-1]
    # "b" loses a.md to "a", and b.md is the folder of "c"'s file.
    assert paths[:6] == ["b-2.md", "a.md", "a-md.md", "b.md/x.md", "d.md", "authors.md"]
    assert len(paths[6].encode()) <= 255
    assert len({path.casefold() for path in paths}) == len(paths)


# -- the command ---------------------------------------------------------------------------


def test_export_command_refuses_a_non_empty_folder_without_force(tmp_path):
    make_post("A", slug="a")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")

    code, text = export(out)

    assert code == 2
    assert f"{out} is not empty" in text and "--force" in text
    assert sorted(path.name for path in out.iterdir()) == ["notes.txt"]

    code, text = export(out, "--force")

    assert code == 0
    assert sorted(path.name for path in out.iterdir()) == ["a.md", "authors.yml", "notes.txt", "tags.yml"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_export_command_refuses_a_file_as_outdir(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")

    code, text = export(tmp_path / "file")

    assert code == 2
    assert "is a file, not a folder" in text


def test_export_command_prints_summary_and_creates_the_folder(tmp_path):
    make_post("A", slug="a", tags=["One", "Two"], authors=["Ana"])
    make_draft("B", slug="b", authors=["Ana"])

    code, text = export(tmp_path / "new" / "folder")

    assert code == 0
    assert text == f"2 posts, 1 author and 2 tags written to {tmp_path / 'new' / 'folder'}\n"


def test_export_with_force_never_writes_through_a_symlink(tmp_path):
    make_post("A", slug="a", source_path="docs/a.md")
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "docs").symlink_to(outside)

    code, text = export(out, "--force")

    assert code == 1
    assert "failed  docs/a.md: not written: its folder is a symbolic link to a place outside the export folder" in text
    assert list(outside.iterdir()) == []


def test_export_names_a_file_it_cannot_write(tmp_path):
    make_post("A", slug="a", source_path="a.md")
    out = tmp_path / "out"
    (out / "a.md").mkdir(parents=True)  # a folder where the file goes

    code, text = export(out, "--force")

    assert code == 1
    assert "failed  a.md: not written:" in text
    assert "1 file could not be written" in text


def test_export_twice_gives_byte_identical_files(tmp_path):
    make_post("A", slug="a", tags=["x", "y"], authors=["Ana", "Bo"], extra_frontmatter={"k": [1, {"v": "yes"}]})
    make_draft("B", slug="b", description="About b", updated_date=timezone.now())

    export_articles(tmp_path / "one")
    export_articles(tmp_path / "two")

    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_export_query_count_does_not_grow_with_posts(tmp_path):
    def queries_for(count, name):
        for number in range(count):
            make_post(tags=["x", f"t{number}"], authors=["Ana", f"Author {number}"])
        with CaptureQueriesContext(connection) as queries:
            export_articles(tmp_path / name)
        return len(queries)

    assert queries_for(3, "few") == queries_for(30, "many")


def test_export_writes_only_tags_and_authors_that_posts_use(tmp_path):
    make_post("A", slug="a", tags=["used"], authors=["Used Author"])
    make_tag("unused")
    make_author("Unused Author")

    report = export_articles(tmp_path / "out")

    assert (report.authors, report.tags) == (1, 1)
    assert "unused" not in (tmp_path / "out" / "tags.yml").read_text(encoding="utf-8")


# -- round trips ---------------------------------------------------------------------------


def test_export_round_trip_of_fixtures_is_identical(tmp_path, run_import):
    first, second, before, after = import_and_round_trip(tmp_path, run_import, FIXTURES)

    assert len(before) == len(list(FIXTURES.rglob("*.md")))
    assert after == before
    assert second == first


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS, reason="TINTA_CORPUS is not set: point it at the article corpus (e.g. TINTA_CORPUS=../shared/corpus)")
def test_export_round_trip_of_corpus_is_identical(tmp_path, run_import):
    corpus = Path(CORPUS)

    first, second, before, after = import_and_round_trip(tmp_path, run_import, corpus, corpus / "opensource-guide" / "_articles")

    assert len(before) == 210 + 349
    assert set(after) == set(before)
    for slug, fields in before.items():
        assert after[slug] == fields, slug
    assert second.keys() == first.keys()
    assert [path for path in first if first[path] != second[path]] == []

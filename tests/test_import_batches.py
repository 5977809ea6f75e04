"""The importer writes in batches: a fixed number of queries a batch however many new
posts it holds, one search-index refresh per post, one content-version bump per run,
and a batch the database refuses written again file by file."""

import inspect
from io import StringIO

import pytest
import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from blog import history, importer, signals
from blog.models import Author, Post, PostAuthor, Tag, TaggedPost
from factories import make_post

pytestmark = pytest.mark.django_db


def _articles(folder, count):
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (folder / f"post-{number:03}.md").write_text(
            f"---\ntitle: Post {number}\ndate: 2024-05-21\ntags: [shared, group {number % 3}]\nauthors: [Ann, Writer {number % 2}]\n---\n"
            f"Body {number} with **bold** text.\n\n```python\nx = {number}\n```\n",
            encoding="utf-8",
        )
    return folder


@pytest.fixture
def indexed(monkeypatch, settings):
    """Search indexing recorded instead of run, on SQLite too (while posts are written): the posts indexed."""
    settings.TINTA_IMPORT_WORKERS = 1
    calls = []
    monkeypatch.setattr(signals, "index_post", lambda post: calls.append(post.pk))
    # As on PostgreSQL for indexing; deleting a post would look for the search table.
    monkeypatch.setattr(signals, "is_postgresql", lambda: not any(frame.function == "delete" for frame in inspect.stack()))
    return calls


def _queries_to_import(folder):
    for model in (Post, Tag, Author):
        model.objects.all().delete()
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        call_command("import_articles", str(folder), stdout=StringIO())
    return [query["sql"] for query in queries.captured_queries]


def test_import_queries_for_new_articles_do_not_grow_with_their_number(tmp_path, indexed):
    # (12 posts' versions still fit in one INSERT under SQLite's 999 parameters; Django splits larger ones.)
    few = _queries_to_import(_articles(tmp_path / "few", 3))
    many = _queries_to_import(_articles(tmp_path / "many", 12))

    assert Post.objects.count() == 12
    assert len(many) == len(few), "\n".join(sql[:120] for sql in many)


def test_import_writes_each_batch_of_new_posts_with_one_insert(tmp_path, indexed, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 10)

    queries = _queries_to_import(_articles(tmp_path, 25))

    assert sum(sql.startswith('INSERT INTO "blog_post"') for sql in queries) == 3
    assert sum(sql.startswith('INSERT INTO "reversion_revision"') for sql in queries) == 3
    assert Post.objects.count() == 25 and TaggedPost.objects.count() == 50 and PostAuthor.objects.count() == 50


def test_import_indexes_each_new_post_once_and_bumps_the_content_version_once(tmp_path, indexed, monkeypatch):
    bumps = []
    monkeypatch.setattr(signals, "content_changed", lambda: bumps.append(1))
    monkeypatch.setattr(importer, "BATCH_SIZE", 10)

    call_command("import_articles", str(_articles(tmp_path, 25)), stdout=StringIO())

    assert sorted(indexed) == sorted(Post.objects.values_list("pk", flat=True))
    assert len(bumps) == 1


def test_import_of_unchanged_files_bumps_nothing(tmp_path, indexed, monkeypatch):
    folder = _articles(tmp_path, 3)
    call_command("import_articles", str(folder), stdout=StringIO())
    bumps = []
    monkeypatch.setattr(signals, "content_changed", lambda: bumps.append(1))

    call_command("import_articles", str(folder), stdout=StringIO())

    assert bumps == []


def test_post_saved_alone_is_indexed_and_bumps_the_content_version_at_once(indexed, monkeypatch):
    bumps = []
    monkeypatch.setattr(signals, "content_changed", lambda: bumps.append(1))

    post = make_post("Edited in the admin")
    indexed.clear()
    bumps.clear()
    post.title = "Edited again"
    post.save()

    assert indexed == [post.pk]
    assert bumps == [1]


def test_import_batch_the_database_refuses_is_written_file_by_file(tmp_path, run_import, monkeypatch):
    def refused(entries, user=None):
        raise IntegrityError("simulated: another import got there first")

    monkeypatch.setattr(history, "record_new", refused)
    _articles(tmp_path, 3)

    run = run_import(tmp_path)

    assert run.counts["created"] == 3 and run.code == 0
    for post in Post.objects.all():
        assert [version.revision.get_comment() for version in history.versions(post)] == [f"Imported from {post.source_path}"]
        assert len(history.version_snapshot(history.versions(post).get()).authors) == 2


def test_import_history_written_in_bulk_is_what_one_file_at_a_time_records(tmp_path, run_import, monkeypatch):
    _articles(tmp_path, 1)
    run_import(tmp_path)
    post = Post.objects.get()
    bulk = history.versions(post).get()
    bulk_snapshot, bulk_models = history.version_snapshot(bulk), _models(bulk)
    for model in (Post, Tag, Author):
        model.objects.all().delete()
    monkeypatch.setattr(history, "record_new", lambda entries, user=None: (_ for _ in ()).throw(IntegrityError("refused")))

    run_import(tmp_path)

    alone = history.versions(Post.objects.get()).get()
    assert alone.revision.get_comment() == bulk.revision.get_comment() == "Imported from post-000.md"
    assert _models(alone) == bulk_models
    assert history.version_snapshot(alone).fields == bulk_snapshot.fields
    assert [(ref.slug, ref.name) for ref in history.version_snapshot(alone).tags] == [(ref.slug, ref.name) for ref in bulk_snapshot.tags]
    assert [(ref.slug, ref.name) for ref in history.version_snapshot(alone).authors] == [
        (ref.slug, ref.name) for ref in bulk_snapshot.authors
    ]


def _models(version):
    return sorted(other.content_type.model for other in version.revision.version_set.all())


def test_import_new_post_stores_what_its_save_would(tmp_path, run_import):
    _articles(tmp_path, 1)
    run_import(tmp_path)
    post = Post.objects.get()
    stored = (post.body_html, post.excerpt, post.toc, post.word_count, post.version)

    post.save()

    assert stored == (post.body_html, post.excerpt, post.toc, post.word_count, 1)
    assert post.fingerprint() == post.import_hash


def test_import_history_written_in_bulk_holds_what_reversion_would_serialize(tmp_path, run_import):
    _articles(tmp_path, 2)
    run_import(tmp_path)

    for post in Post.objects.all():
        revision = history.versions(post).get().revision
        for version in revision.version_set.all():
            model = version.content_type.model_class()
            obj = model.objects.get(pk=version.object_id)
            fields = reversion.revisions._get_options(model).fields
            assert version.serialized_data == serializers.serialize("json", [obj], fields=fields)
            assert version.object_repr == str(obj)

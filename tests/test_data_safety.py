"""Nothing is lost or doubled: imports running at once, and an import killed midway.

(An import racing an editor's save is covered by the admin's optimistic lock and the
importer's conflict check, in tests/test_admin_posts.py and tests/test_importer.py.)

Real `manage.py import_articles` processes share the PostgreSQL test database
(an in-memory SQLite test database cannot be shared), so these run in the
PostgreSQL pass of `.ci/run`.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from blog.models import Post, PostAuthor, TaggedPost
from servers import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(db):
    if connection.vendor != "postgresql":
        pytest.skip("processes share the test database, which needs PostgreSQL (DATABASE_URL=postgres://...)")
    settings = connection.settings_dict
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**{k: settings[k] or "" for k in ("USER", "HOST", "PORT", "NAME")})
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TINTA_"))}
    return {**environment, "DATABASE_URL": url, "TINTA_IMPORT_WORKERS": "1"}


@pytest.fixture
def folder(tmp_path):
    """120 articles sharing tags and authors, and some titles."""
    for number in range(120):
        (tmp_path / f"post-{number:03}.md").write_text(
            f"---\ntitle: Shared title {number % 40}\ntags: [common, group {number % 6}]\nauthors: [Ann, Writer {number % 4}]\n"
            f"---\n\nParagraph {number} with **bold** text.\n\n## A heading\n\n" + "More words here. " * 200,
            encoding="utf-8",
        )
    return tmp_path


def start_import(env, folder):
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_articles", str(folder), "--format", "json"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def assert_consistent(expected_posts):
    posts = list(Post.objects.all())
    assert len(posts) == expected_posts
    assert len({post.slug for post in posts}) == len(posts)
    assert len({post.import_key for post in posts}) == len(posts)
    # Every post is whole: what it holds now is exactly what its import wrote.
    assert [post.source_path for post in posts if post.fingerprint() != post.import_hash] == []
    assert not TaggedPost.objects.exclude(content_object__in=Post.objects.all()).exists()
    assert not PostAuthor.objects.exclude(post__in=Post.objects.all()).exists()


def test_two_imports_of_one_folder_at_once_make_no_duplicate(env, folder):
    first, second = start_import(env, folder), start_import(env, folder)
    results = [process.communicate(timeout=300) for process in (first, second)]

    for process, (out, err) in zip((first, second), results, strict=True):
        assert process.returncode == 0, err[-3000:]
        statuses = {entry["status"] for entry in json.loads(out)["files"]}
        assert statuses <= {"created", "unchanged", "updated"}, statuses
    assert_consistent(120)


def test_import_killed_midway_leaves_whole_posts_and_the_next_run_completes_it(env, folder):
    process = start_import(env, folder)
    deadline = time.monotonic() + 60
    while Post.objects.count() < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    done = Post.objects.count()
    assert 0 < done < 120, f"the import was not interrupted midway ({done} posts)"
    assert_consistent(done)

    again = start_import(env, folder)
    out, err = again.communicate(timeout=300)

    assert again.returncode == 0, err[-3000:]
    counts = json.loads(out)["counts"]
    assert counts["created"] == 120 - done and counts["unchanged"] == done
    assert_consistent(120)

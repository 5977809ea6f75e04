"""Query budgets: how many SQL queries each public page and the admin change lists run.

    bench/.venv/bin/python bench/queries.py [--json FILE]

Imports 20 generated articles into a temporary SQLite database, counts the
queries of every page with Django's test client and ``CaptureQueriesContext``
(page cache off, as for a first visitor), imports 30 more and counts again: a
page whose count grows with the number of posts is marked. The admin change
lists are counted logged in as a superuser. tests/test_queries.py checks the
same thing (5 posts against 50) and pins the post page at 7 queries.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import markdown_table, require_bench_venv  # noqa: E402
from generate import write_articles  # noqa: E402


def pages(post, tag, author):
    return [
        ("home", "/"),
        ("home, page 2", "/?page=2"),
        ("post", f"/posts/{post}/"),
        ("tag index", "/tags/"),
        ("tag index A–Z", "/tags/?sort=az"),
        ("tag page", f"/tags/{tag}/"),
        ("author index", "/authors/"),
        ("author page", f"/authors/{author}/"),
        ("search", "/search/?q=kubernetes"),
        ("feed (RSS)", "/feed/"),
        ("feed (Atom)", "/feed/atom/"),
        ("tag feed", f"/tags/{tag}/feed/"),
        ("author feed", f"/authors/{author}/feed/"),
        ("sitemap", "/sitemap.xml"),
        ("robots.txt", "/robots.txt"),
        ("admin: posts change list", "/admin/blog/post/"),
        ("admin: tags change list", "/admin/blog/tag/"),
        ("admin: authors change list", "/admin/blog/author/"),
    ]


def count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(captured)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="also write the table here, for bench/run.py")
    options = parser.parse_args()
    require_bench_venv()
    few, many = write_articles(20), write_articles(50)

    with tempfile.TemporaryDirectory(prefix="tinta-bench-queries-") as workdir:
        for key in [key for key in os.environ if key.startswith(("DJANGO_", "TINTA_", "REDIS_URL", "DATABASE_URL"))]:
            del os.environ[key]
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=f"sqlite:///{workdir}/queries.sqlite3", DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="bench-queries-" + "x" * 50, DJANGO_ALLOWED_HOSTS="testserver", DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_COOKIES="0", TINTA_PAGE_CACHE_SECONDS="0", TINTA_DATA_CACHE_SECONDS="0",
            DJANGO_STATIC_ROOT=f"{workdir}/static",
        )
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client

        from blog.models import Author, Post, Tag

        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        call_command("import_articles", str(few), format="json", stdout=open(os.devnull, "w"))
        post = Post.objects.order_by("pk").first()
        tag, author = post.tags.order_by("pk").first(), post.authors.order_by("pk").first()
        admin = Client()
        admin.force_login(get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password"))
        reader = Client()
        listed = pages(post.slug, tag.slug, author.slug)

        def measure():
            return [count(admin if url.startswith("/admin/") else reader, url) for _, url in listed]

        first = measure()
        call_command("import_articles", str(many), format="json", stdout=open(os.devnull, "w"))
        second = measure()
        sizes = (Post.objects.count(), Tag.objects.count(), Author.objects.count())

    rows = [
        [name, f"`{url}`", a, b, "fixed" if a == b else "**grows**"]
        for (name, url), a, b in zip(listed, first, second, strict=True)
    ]
    table = markdown_table(["page", "URL", "queries, 20 posts", f"queries, {sizes[0]} posts", "budget"], rows)
    print(table)
    if options.json:
        Path(options.json).write_text(json.dumps({"details": "### Query budgets\n\n" + table}))


if __name__ == "__main__":
    main()

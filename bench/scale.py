"""Scale: page latency with 100,000 posts and 5,000 tags against the same shape at 1,000.

    bench/.venv/bin/python bench/scale.py [--posts 100000] [--small 1000] [--fresh] [--json FILE]

Fills two PostgreSQL databases, ``bench_scale`` (100,000 posts) and
``bench_scale_1k`` (1,000 posts), straight with ``COPY``, rows built by the ORM's fields, in
batches with COPY (no ``Post.save()``, no signals): titles, dates, descriptions, tags and
authors from bench/generate.py's metadata, bodies from a few dozen generated
articles rendered once with ``blog.rendering.render`` and reused; 5,000 tags with a
Zipf-like popularity (1–5 a post), 12 authors; 1 post in 100 a draft. Search
documents are filled as ``blog.search.index_post`` builds them (the same weighted
tsvector), in one ``INSERT … SELECT``; then ``VACUUM ANALYZE``. A database whose
stamp matches the generator is reused (only ``migrate`` runs); ``--fresh`` refills.

gunicorn then serves both databases uncached (TINTA_PAGE_CACHE_SECONDS=0), as
``make serve`` runs it, side by side, and wrk with one connection measures the
p50 latency (best of two 4-second runs, interleaved between the databases; 15 s
for a page slower than a second) of home, a deep page of the home pagination
(page 500 at 100k, the last page at 1k), the most used tag's page, the tag
index, the sitemap (``/sitemap.xml``) and a search.

Target (issue 6): p50 at 100k ÷ p50 at 1k ≤ 1.5 for each page.
"""

import argparse
import functools
import hashlib
import inspect
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH,
    WORKERS,
    Target,
    ensure_tools,
    flush_redis,
    markdown_table,
    ms,
    postgres_url,
    redis_url,
    report,
    require_bench_venv,
    time_limit,
    timed,
    wait_idle,
    wrk,
)

from servers import free_port, get, gunicorn, manage, production_env  # noqa: E402

TAGS = 5000
BODIES = {"en": 20, "es": 6}
BATCH = 2000
SEARCH = "kubernetes"
DEEP_PAGE = 500


def fingerprint(posts):
    """What the data depends on: the generator, the filling code and the sizes (not how it is measured)."""
    source = (BENCH / "generate.py").read_text() + inspect.getsource(fill) + inspect.getsource(copy_rows)
    return hashlib.sha256(f"{source}{posts}:{TAGS}:{BODIES}".encode()).hexdigest()[:16]


# -- filling a database (runs in a subprocess with the database's environment) --


def fill(posts):
    """Fill the (migrated, empty) database of DATABASE_URL; print what the pages need as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils.html import strip_tags
    from generate import AUTHORS, body, metadata, tag_pool

    from blog.models import Author, Post, PostAuthor, PostSearchDocument, Tag, TaggedPost
    from blog.rendering import render
    from blog.search import search_config
    from blog.slugs import make_slug

    started = time.perf_counter()
    pool = tag_pool(TAGS)
    tags, seen = [], set()
    for name in pool:
        slug = make_slug(name, max_length=100)
        if slug and slug not in seen:
            seen.add(slug)
            tags.append(Tag(name=name[:100], slug=slug))
    Tag.objects.bulk_create(tags, batch_size=1000)
    tag_ids = dict(Tag.objects.values_list("slug", "id"))
    Author.objects.bulk_create([Author(name=key.replace("-", " ").title(), slug=make_slug(key)) for key in AUTHORS])
    author_ids = dict(Author.objects.values_list("slug", "id"))

    # A few real articles, rendered once, lend their bodies to every post.
    bodies = {language: [] for language in BODIES}
    index = 10**6
    while any(len(bodies[language]) < wanted for language, wanted in BODIES.items()):
        meta, rng, words = metadata(index)
        index += 1
        if len(bodies[meta["language"]]) < BODIES[meta["language"]]:
            markdown = body(rng, words)
            rendered = render(markdown)
            bodies[meta["language"]].append((markdown, rendered, " ".join(strip_tags(rendered.html).split())))

    slugs, published = set(), 0
    post_table = Post._meta.db_table
    tagged_post = TaggedPost._meta.get_field("content_object").column
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_post_body (post_id bigint PRIMARY KEY, language text, n int)")
    batch, links, bylines, chosen = [], [], [], []
    slug_of = functools.cache(lambda name, length: make_slug(name, max_length=length))

    def flush():
        with transaction.atomic():
            copy_rows(connection, Post, batch)
            copy_rows(connection, TaggedPost, links)
            copy_rows(connection, PostAuthor, bylines)
            with connection.cursor() as cursor, cursor.cursor.copy("COPY bench_post_body (post_id, language, n) FROM STDIN") as copy:
                for row in chosen:
                    copy.write_row(row)
        for rows in (batch, links, bylines, chosen):
            rows.clear()

    for number in range(posts):
        meta = metadata(number, tags=pool)[0]
        language = meta["language"]
        base = make_slug(meta["title"]) or "post"
        slug, suffix = base, 2
        while slug in slugs:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        slugs.add(slug)
        n = number % BODIES[language]
        markdown, rendered, _ = bodies[language][n]
        draft = number % 100 == 99
        published += not draft
        pk = number + 1
        batch.append(Post(
            id=pk, title=meta["title"], slug=slug, description=meta["description"], body=markdown, body_html=rendered.html,
            excerpt=rendered.excerpt, toc=rendered.toc, word_count=rendered.word_count,
            status=Post.Status.DRAFT if draft else Post.Status.PUBLISHED, publish_date=meta["date"], language=language,
            cover_image=meta["image"] or "", version=1,
        ))
        for tag_id in dict.fromkeys(tag_ids[slug_of(name, 100)] for name in meta["tags"]):
            links.append(TaggedPost(content_object_id=pk, tag_id=tag_id))
        for order, author_id in enumerate(dict.fromkeys(author_ids[slug_of(name, 200)] for name in meta["authors"])):
            bylines.append(PostAuthor(post_id=pk, author_id=author_id, order=order))
        chosen.append((pk, language, n))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{post_table}', 'id'), {posts})")
    posts_done = time.perf_counter()

    # Search documents as blog.search.index_post builds them: title A, tags B,
    # description C, body text D, in the configuration of the post's language.
    document = PostSearchDocument._meta
    # One index build after the rows is far cheaper than growing the GIN index row by row.
    with connection.schema_editor() as editor:
        for index in document.indexes:
            editor.remove_index(PostSearchDocument, index)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute("CREATE TEMP TABLE bench_body (language text, n int, config regconfig, text text, vector tsvector)")
        for language, items in bodies.items():
            for n, (_, _, text) in enumerate(items):
                cursor.execute(
                    "INSERT INTO bench_body SELECT %s, %s, %s::regconfig, %s, setweight(to_tsvector(%s::regconfig, %s), 'D')",
                    [language, n, search_config(language), text, search_config(language), text],
                )
        cursor.execute(f"ANALYZE bench_post_body, bench_body, {post_table}, {TaggedPost._meta.db_table}, {Tag._meta.db_table}")
        cursor.execute(f"""
            INSERT INTO {document.db_table} (post_id, config, text, vector, head, public_from)
            SELECT h.id, h.config, h.text, h.head || h.body_vector, h.head, h.public_from
            FROM (
              SELECT p.id, b.config::text AS config, b.text, b.vector AS body_vector,
                     CASE WHEN p.status = 'published' THEN p.publish_date END AS public_from,
                     setweight(to_tsvector(b.config, coalesce(p.title, '')), 'A')
                     || setweight(to_tsvector(b.config, coalesce(t.names, '')), 'B')
                     || setweight(to_tsvector(b.config, coalesce(p.description, '')), 'C') AS head
              FROM {post_table} p
              JOIN bench_post_body m ON m.post_id = p.id
              JOIN bench_body b ON b.language = m.language AND b.n = m.n
              LEFT JOIN (
                SELECT tp.{tagged_post} AS post_id, string_agg(tag.name, ' ' ORDER BY tp.id) AS names
                FROM {TaggedPost._meta.db_table} tp JOIN {Tag._meta.db_table} tag ON tag.id = tp.tag_id
                GROUP BY 1
              ) t ON t.post_id = p.id
            ) h
        """)
    documents_done = time.perf_counter()
    with connection.schema_editor() as editor:
        for index in document.indexes:
            editor.add_index(PostSearchDocument, index)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(f"""
            SELECT tag.slug FROM {TaggedPost._meta.db_table} tp
            JOIN {Tag._meta.db_table} tag ON tag.id = tp.tag_id JOIN {post_table} p ON p.id = tp.{tagged_post}
            WHERE p.status = 'published' GROUP BY tag.slug ORDER BY count(*) DESC, tag.slug LIMIT 1
        """)
        popular = cursor.fetchone()[0]
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_stamp (fingerprint text, info jsonb)")
        info = {"posts": posts, "published": published, "tags": len(tags), "popular_tag": popular}
        cursor.execute("DELETE FROM bench_stamp")
        cursor.execute("INSERT INTO bench_stamp VALUES (%s, %s)", [fingerprint(posts), json.dumps(info)])
    info.update(
        seconds=time.perf_counter() - started, posts_seconds=posts_done - started, documents_seconds=documents_done - posts_done
    )
    print(json.dumps(info))


def copy_rows(connection, model, objects):
    """Insert ``objects`` with COPY: every concrete field as the ORM would save it (defaults,
    auto_now, JSON), without Post.save() or signals; ids too when they are set."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and objects[0].pk is None)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


# -- measuring --------------------------------------------------------------------


def prepare(name, posts, fresh, env):
    """The database ``name`` with ``posts`` posts: reused when its stamp matches, else refilled."""
    import psycopg
    from common import recreate_postgres

    stamp = None
    if not fresh:
        try:
            with psycopg.connect(postgres_url(name)) as connection:
                row = connection.execute("SELECT fingerprint, info FROM bench_stamp").fetchone()
                stamp = row if row and row[0] == fingerprint(posts) else None
        except psycopg.Error:
            stamp = None
    if stamp:
        print(f"{name}: reusing {posts:,} posts (same generator); migrating", file=sys.stderr)
        manage(env, "migrate", "--no-input", "--verbosity", "0", timeout=1800)
        return stamp[1]
    print(f"{name}: generating {posts:,} posts…", file=sys.stderr)
    recreate_postgres(name)
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    seconds, result = timed([sys.executable, __file__, "--fill", str(posts)], env=env, timeout=3600)
    info = json.loads(result.stdout)
    print(
        f"  {posts:,} posts in {seconds:.0f} s (posts {info['posts_seconds']:.0f} s, search documents "
        f"{info['documents_seconds']:.0f} s, indexes and VACUUM ANALYZE the rest)",
        file=sys.stderr,
    )
    return info


def latency(url, seconds, warmup):
    load = wrk(url, seconds=seconds, connections=1, threads=1, warmup=warmup, timeout=60)
    if load.requests < 5 and not load.errors:
        # A page slower than a second: give it time for a few samples.
        load = wrk(url, seconds=15, connections=1, threads=1, warmup=0, timeout=60)
    return load


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=4, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each measurement, interleaved; the best counts")
    parser.add_argument("--fresh", action="store_true", help="refill the databases even when their stamp matches")
    parser.add_argument("--json", help="also write the targets and details here, for bench/run.py")
    parser.add_argument("--time-limit", type=int, default=2400, help="seconds before the whole benchmark gives up")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.fill:
        return fill(options.fill)
    require_bench_venv()
    ensure_tools("wrk")

    sizes = [(options.posts, "bench_scale"), (options.small, "bench_scale_1k")]
    results, pages_of = {}, {}
    with time_limit(options.time_limit), tempfile.TemporaryDirectory(prefix="tinta-bench-scale-") as workdir:
        envs = {
            posts: production_env(postgres_url(name), redis_url("scale"), Path(workdir) / "static", TINTA_PAGE_CACHE_SECONDS="0")
            for posts, name in sizes
        }
        infos = {posts: prepare(name, posts, options.fresh, envs[posts]) for posts, name in sizes}
        manage(envs[options.posts], "collectstatic", "--no-input", "--verbosity", "0")
        for posts, _ in sizes:
            info = infos[posts]
            last = max(1, math.ceil(info["published"] / 10))
            deep = min(DEEP_PAGE, last) if posts == options.posts else last
            pages_of[posts] = {
                "home": "/",
                "deep page": f"/?page={deep}",
                "popular tag": f"/tags/{info['popular_tag']}/",
                "tag index": "/tags/",
                "sitemap": "/sitemap.xml",
                "search": f"/search/?q={SEARCH}",
            }
        flush_redis(redis_url("scale"))
        # Both databases served at once, each page measured on one then the
        # other, round after round: drift on the machine hits both sides.
        with gunicorn(envs[options.posts], free_port(), workers=WORKERS) as big_app, \
                gunicorn(envs[options.small], free_port(), workers=WORKERS) as small_app:
            apps = {options.posts: big_app, options.small: small_app}
            for posts, app in apps.items():
                for path in pages_of[posts].values():
                    status, _, _ = get(app + path, timeout=120)
                    if status != 200:
                        raise RuntimeError(f"{path} answered {status} with {posts:,} posts")
            runs = {}
            for round in range(options.rounds):
                print(f"measuring, round {round + 1} of {options.rounds}…", file=sys.stderr)
                for page in pages_of[options.posts]:
                    for posts, app in apps.items():
                        load = latency(app + pages_of[posts][page], options.seconds, warmup=int(not round))
                        wait_idle(app)
                        runs.setdefault((posts, page), []).append(load)
            # The best of the rounds (the lowest p50 of a run that finished requests without errors).
            for (posts, page), loads in runs.items():
                usable = [load for load in loads if load.requests and not load.errors] or loads
                results.setdefault(posts, {})[page] = min(usable, key=lambda load: load.p50 if load.requests else float("inf"))

    big, small = options.posts, options.small
    rows, targets = [], []
    for page in pages_of[big]:
        a, b = results[big][page], results[small][page]
        ratio = a.p50 / b.p50 if a.requests and b.requests and not (a.errors or b.errors) else None
        rows.append([
            page, f"`{pages_of[small][page]}`", ms(b.p50), ms(b.p99), f"`{pages_of[big][page]}`", ms(a.p50), ms(a.p99),
            f"{ratio:.2f}×" if ratio else "n/a",
        ])
        targets.append(Target("scale", f"p50 {page}: {big // 1000}k posts ÷ {small // 1000}k posts", ratio, "<=", 1.5))
    details = (
        f"### Scale (PostgreSQL, uncached, {WORKERS} gunicorn workers, wrk -t1 -c1, best of {options.rounds} × {options.seconds} s; "
        f"{infos[big]['tags']:,} tags)\n\n"
        + markdown_table([
            "page", f"{small:,} posts", "p50", "p99", f"{big:,} posts", "p50", "p99", "p50 ratio",
        ], rows)
    )
    report(options.json, targets, details)


if __name__ == "__main__":
    main()

"""Serving: Tinta's pages beside a static file of the same size, on SQLite and PostgreSQL.

    bench/.venv/bin/python bench/serving.py [--seconds 3] [--rounds 2] [--connections 32] [--databases sqlite postgres] [--json FILE]

Imports 1,000 generated articles (bench/generate.py) with ``import_articles`` into
a SQLite database and into the PostgreSQL database ``bench_serving``, runs
gunicorn as ``make serve`` does (config/gunicorn.conf.py, 2 × cores + 1 sync
workers, DJANGO_DEBUG=0, collected static files, Redis page cache) on a free port
of 127.0.0.1, and drives it with wrk (``-t2 -c32``) for five pages: home, a post,
a popular tag's page, the tag index and a search. Each page is measured uncached
(a second gunicorn with TINTA_PAGE_CACHE_SECONDS=0) and cached, beside the same
bytes saved as a static file and served by the same gunicorn through WhiteNoise.
On PostgreSQL, nginx (deploy/nginx/tinta.conf) also sits in front, and its cached
pages are compared with nginx serving the static files. Every measurement is
the best of two 3-second wrk runs (the first after a 1 s warm-up), the rounds
interleaved, so that a burst of other work on the machine hits one run rather
than one side of a ratio.

Targets (issue 6): cached pages ≥ 0.9× the WhiteNoise static file; uncached post
page ≥ 0.25× and uncached tag page ≥ 0.1× of it; behind nginx's cache ≥ 0.5× of
nginx serving the static file.
"""

import argparse
import collections
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ROOT,
    WORKERS,
    Target,
    ensure_tools,
    flush_redis,
    markdown_table,
    ms,
    recreate_postgres,
    redis_url,
    report,
    require_bench_venv,
    time_limit,
    wait_idle,
    wrk,
)
from generate import metadata, write_articles  # noqa: E402

from servers import free_port, get, gunicorn, manage, nginx, production_env  # noqa: E402

ARTICLES = 1000
SEARCH = "kubernetes"
PAGES = ["home", "post", "tag", "tag index", "search"]


def import_both(envs, folder):
    """Import the articles into every database at once (setup, not measured); return path → slug."""
    processes = {
        name: subprocess.Popen(
            [sys.executable, "manage.py", "import_articles", str(folder), "--format", "json"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name, env in envs.items()
    }
    slugs = {}
    try:
        for name, process in processes.items():
            out, err = process.communicate(timeout=3600)
            if process.returncode:
                raise RuntimeError(f"import into {name} failed: {err[-3000:]}")
            imported = json.loads(out)
            if imported["counts"]["created"] != ARTICLES:
                raise RuntimeError(f"import into {name}: {imported['counts']}")
            slugs = {entry["path"]: entry["slug"] for entry in imported["files"]}
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
    return slugs


def page_paths(folder, slugs):
    """The five pages: a post of median size, the most used tag, a search most posts' topic answers."""
    from blog.slugs import make_slug

    files = sorted(folder.glob("*.md"), key=lambda path: (path.stat().st_size, path.name))
    post = slugs[files[len(files) // 2].name]
    uses = collections.Counter(make_slug(tag) for index in range(ARTICLES) for tag in metadata(index)[0]["tags"])
    tag = uses.most_common(1)[0][0]
    return {"home": "/", "post": f"/posts/{post}/", "tag": f"/tags/{tag}/", "tag index": "/tags/", "search": f"/search/?q={SEARCH}"}


def check(url, cache_header=None):
    status, headers, body = get(url)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")
    if cache_header and headers.get(cache_header) != "HIT":
        status, headers, body = get(url)
        if headers.get(cache_header) != "HIT":
            raise RuntimeError(f"{url} is not served from the cache ({cache_header}: {headers.get(cache_header)})")
    return body.encode()


def cell(load):
    flag = f" ({load.errors} errors)" if load.errors else ""
    return [f"{load.rps:,.0f}{flag}", ms(load.p50), ms(load.p99)]


def bench_database(label, env, paths, static_root, workdir, options, with_nginx):
    """Measure one database; return (details markdown, targets)."""
    flush_redis(env["REDIS_URL"])
    static_paths = {page: f"/static/bench/{label.lower()}-{page.replace(' ', '-')}.html" for page in paths}
    sizes = {}
    # Two app servers side by side, one without the page cache, so every page is
    # measured uncached, cached and as a static file within seconds of each other.
    with gunicorn({**env, "TINTA_PAGE_CACHE_SECONDS": "0"}, free_port(), workers=WORKERS) as bare:
        for page, path in paths.items():
            # The page itself saved as a static file: the same size, the same type.
            # Written before the cached server starts: WhiteNoise scans at startup.
            body = check(bare + path)
            sizes[page] = len(body)
            target = static_root / static_paths[page].removeprefix("/static/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        port = free_port()
        with gunicorn(env, port, workers=WORKERS) as app, (
            nginx([port], static_root, workdir / f"nginx-{label.lower()}") if with_nginx else contextlib.nullcontext()
        ) as proxy:
            kinds = {"uncached": (bare, paths), "cached": (app, paths), "static": (app, static_paths)}
            if with_nginx:
                kinds.update({"nginx": (proxy, paths), "nginx static": (proxy, static_paths)})
            for page, path in paths.items():
                check(app + path, cache_header="X-Cache")
                check(app + static_paths[page])
                if with_nginx:
                    check(proxy + path, cache_header="X-Cache-Status")
                    check(proxy + static_paths[page])
            runs = collections.defaultdict(list)
            for round in range(options.rounds):
                print(f"{label}: round {round + 1} of {options.rounds}…", file=sys.stderr)
                for page in paths:
                    for kind, (base, urls) in kinds.items():
                        url = base + urls[page]
                        load = wrk(url, seconds=options.seconds, connections=options.connections, warmup=0 if round else 1)
                        wait_idle(base)
                        runs[kind, page].append(load)
    # The best of the rounds: a burst of other work on the machine only ever slows a run down.
    best = {key: max(loads, key=lambda load: (not load.errors, load.rps)) for key, loads in runs.items()}

    rows = [[page, f"{sizes[page]:,} B", *cell(best["uncached", page]), *cell(best["cached", page]), *cell(best["static", page])]
            for page in paths]
    details = (
        f"### Serving, {label} ({ARTICLES:,} imported posts; {WORKERS} gunicorn workers; "
        f"wrk -t2 -c{options.connections}, best of {options.rounds} × {options.seconds} s)\n\n"
    )
    details += markdown_table(
        ["page", "size", "uncached req/s", "p50", "p99", "cached req/s", "p50", "p99", "static file (WhiteNoise) req/s", "p50", "p99"],
        rows,
    )
    targets = []
    for page in paths:
        targets.append(Target("serving", f"{label}: cached {page} ÷ static file via WhiteNoise",
                              _ratio(best["cached", page], best["static", page]), ">=", 0.9))
    targets.append(Target("serving", f"{label}: uncached post ÷ static file via WhiteNoise",
                          _ratio(best["uncached", "post"], best["static", "post"]), ">=", 0.25))
    targets.append(Target("serving", f"{label}: uncached tag page ÷ static file via WhiteNoise",
                          _ratio(best["uncached", "tag"], best["static", "tag"]), ">=", 0.1))
    if with_nginx:
        rows = [[page, f"{sizes[page]:,} B", *cell(best["nginx", page]), *cell(best["nginx static", page])] for page in paths]
        details += f"\n\n### Behind nginx, {label} (deploy/nginx/tinta.conf; pages from nginx's cache)\n\n" + markdown_table(
            ["page", "size", "nginx cached page req/s", "p50", "p99", "nginx static file req/s", "p50", "p99"], rows
        )
        for page in paths:
            targets.append(Target("serving", f"{label}: nginx-cached {page} ÷ nginx static file",
                                  _ratio(best["nginx", page], best["nginx static", page]), ">=", 0.5))
    return details, targets


def _ratio(load, base):
    if not load.requests or not base.rps or load.errors or base.errors:
        return None
    return load.rps / base.rps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=3, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each measurement, interleaved; the best counts")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--no-nginx", action="store_true", help="skip the runs behind nginx")
    parser.add_argument("--json", help="also write the targets and details here, for bench/run.py")
    parser.add_argument("--time-limit", type=int, default=1800, help="seconds before the whole benchmark gives up")
    options = parser.parse_args()
    require_bench_venv()
    ensure_tools("wrk", "nginx")

    folder = write_articles(ARTICLES)
    details, targets = [], []
    with time_limit(options.time_limit), tempfile.TemporaryDirectory(prefix="tinta-bench-serving-") as workdir:
        workdir = Path(workdir)
        static_root = workdir / "static"
        urls = {}
        if "sqlite" in options.databases:
            urls["SQLite"] = (f"sqlite:///{workdir / 'serving.sqlite3'}", redis_url("serving-sqlite"))
        if "postgres" in options.databases:
            urls["PostgreSQL"] = (recreate_postgres("bench_serving"), redis_url("serving-postgres"))
        envs = {label: production_env(url, redis, static_root) for label, (url, redis) in urls.items()}
        for env in envs.values():
            manage(env, "migrate", "--no-input", "--verbosity", "0")
        manage(next(iter(envs.values())), "collectstatic", "--no-input", "--verbosity", "0")
        print(f"importing {ARTICLES} articles into {', '.join(envs)}…", file=sys.stderr)
        started = time.perf_counter()
        slugs = import_both(envs, folder)
        print(f"  imported in {time.perf_counter() - started:.0f} s (setup, not measured)", file=sys.stderr)
        paths = page_paths(folder, slugs)
        for label, env in envs.items():
            with_nginx = label == "PostgreSQL" and not options.no_nginx
            text, found = bench_database(label, env, paths, static_root, workdir, options, with_nginx=with_nginx)
            details.append(text)
            targets += found
    details = "\n\n".join(details) + f"\n\nPages: {', '.join(f'{page} `{path}`' for page, path in paths.items())}."
    report(options.json, targets, details)


if __name__ == "__main__":
    main()

"""Requests per second for a cached page beside a static file of the same size,
served by the same gunicorn (WhiteNoise) and through nginx, in one run.

    .venv/bin/python bench/serving.py [--seconds 10] [--connections 32]

Starts its own gunicorn (as `make serve` runs it) and nginx (deploy/nginx/tinta.conf)
on free ports of 127.0.0.1 over a temporary SQLite database with the fixture
articles, drives them with wrk, prints a table and stops everything it started.
Uses Redis at REDIS_URL (default redis://127.0.0.1:6379/14) for the page cache.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from servers import free_port, get, gunicorn, manage, nginx, production_env  # noqa: E402

POST = "/posts/ia-generativa-vs-llm-entendiendo-las-diferencias-y-sinergias/"


def wrk(url, seconds, connections):
    """Requests per second and non-2xx count of a wrk run (bounded by --duration and --timeout)."""
    result = subprocess.run(
        ["wrk", f"-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency", url],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    p50 = re.search(r"50%\s+([\d.]+\w+)", result.stdout).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", result.stdout).group(1)
    return rps, int(errors.group(1)) if errors else 0, p50, p99


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() * 2 + 1)))
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("needs wrk (apt-get install wrk)")

    with tempfile.TemporaryDirectory(prefix="tinta-bench-") as workdir:
        workdir = Path(workdir)
        static_root = workdir / "static"
        env = production_env(
            f"sqlite:///{workdir / 'bench.sqlite3'}", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"), static_root,
        )
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        manage(env, "import_articles", "fixtures/articles", "--format", "json")
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()

        port = free_port()
        with gunicorn(env, port, workers=options.workers) as app:
            page = get(app + POST)[2].encode()
            # A static file of the same size as the page, served the same ways.
            same_size = static_root / "bench" / "page-sized.html"
            same_size.parent.mkdir(parents=True, exist_ok=True)
            same_size.write_bytes(page)
            manifest = json.loads((static_root / "staticfiles.json").read_text())
            manifest["paths"]["bench/page-sized.html"] = "bench/page-sized.html"
            (static_root / "staticfiles.json").write_text(json.dumps(manifest))

        with gunicorn(env, port, workers=options.workers) as app, nginx([port], static_root, workdir / "nginx") as front:
            for url in (app + POST, front + POST):  # fill both caches
                get(url), get(url)
            rows = [
                ("gunicorn: cached post page", app + POST),
                ("gunicorn: static file, same size (WhiteNoise)", app + "/static/bench/page-sized.html"),
                ("nginx: cached post page", front + POST),
                ("nginx: static file, same size", front + "/static/bench/page-sized.html"),
            ]
            results = [(label, *wrk(url, options.seconds, options.connections)) for label, url in rows]

    print(f"\n{len(page):,} bytes a page; {options.workers} gunicorn workers; wrk -t2 -c{options.connections} -d{options.seconds}s")
    print(f"{'what':48} {'req/s':>10} {'p50':>9} {'p99':>9} {'errors':>7}")
    for label, rps, errors, p50, p99 in results:
        print(f"{label:48} {rps:>10,.0f} {p50:>9} {p99:>9} {errors:>7}")
    print(f"\ncached page ÷ static file: gunicorn {results[0][1] / results[1][1]:.2f}, nginx {results[2][1] / results[3][1]:.2f}")


if __name__ == "__main__":
    main()

"""Load and faults: Tinta under wrk on PostgreSQL + Redis, with Redis stopped and
PostgreSQL restarted midway. Prints what happened; never a timed test.

    .venv/bin/python bench/faults.py [--seconds 60] [--connections 64]

It runs two gunicorn servers (as `make serve` runs them) over a database of its
own (`tinta_faults`) with the fixture articles and part of the corpus, and:

1. load: wrk for --seconds at --connections over a mix of pages; counts non-2xx
   answers and socket errors;
2. Redis stopped midway: pages must keep coming from the database and /healthz
   must say 503 for the cache; Redis is started again with the machine's command;
3. PostgreSQL restarted midway (pg_ctlcluster): requests may fail only while it
   restarts, and must recover with no manual step.

It stops and restarts the machine's own Redis and PostgreSQL: run it when
nothing else (tests, other benchmarks) uses them.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from servers import free_port, get, gunicorn, manage, production_env  # noqa: E402

DATABASE = "tinta_faults"
REDIS_URL = "redis://127.0.0.1:6379/13"
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "", "--appendonly", "no",
    "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]
PAGES = ["/", "/?page=2", "/tags/", "/authors/", "/search/?q=open", "/feed/", "/sitemap.xml"]

LUA = """
local paths = {%s}
local posts = {%s}
request = function()
  if math.random() < 0.5 then
    return wrk.format("GET", posts[math.random(#posts)])
  end
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def wrk(base, seconds, connections, script):
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    )
    out = result.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": requests,
        "req/s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "non-2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket errors": sum(map(int, socket.groups())) if socket else 0,
    }


def probe(base, seconds, samples):
    """Ask /healthz and the home page every 100 ms; record (time, home status, healthz body)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        moment = time.monotonic() - start
        try:
            home = get(base + "/", timeout=5)[0]
        except OSError as error:
            home = type(error).__name__
        try:
            health = get(base + "/healthz", timeout=5)
            health = (health[0], health[2])
        except OSError as error:
            health = (type(error).__name__, "")
        samples.append((round(moment, 1), home, health))
        time.sleep(0.1)


def cluster():
    return os.listdir("/etc/postgresql")[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--fault-seconds", type=int, default=20)
    options = parser.parse_args()
    for tool in ("wrk", "redis-cli", "psql", "pg_ctlcluster"):
        if not shutil.which(tool):
            sys.exit(f"needs {tool}")

    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DATABASE}",
                    "-c", f"CREATE DATABASE {DATABASE}"], check=True, capture_output=True)
    with tempfile.TemporaryDirectory(prefix="tinta-faults-") as workdir:
        env = production_env(f"postgres://postgres@127.0.0.1:5432/{DATABASE}", REDIS_URL, Path(workdir) / "static")
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        manage(env, "import_articles", "fixtures/articles", "--format", "json")
        corpus = Path(os.environ.get("TINTA_CORPUS", ROOT.parent / "shared" / "corpus")) / "ferretdb-blog"
        if corpus.exists():
            manage(env, "import_articles", str(corpus), "--format", "json")
        listing = "from blog.models import Post; print(' '.join(Post.objects.published().values_list('slug', flat=True)[:40]))"
        # -v 0: Django 5.2's shell otherwise prints "N objects imported automatically" first.
        slugs = manage(env, "shell", "-v", "0", "-c", listing).stdout.split()
        script = Path(workdir) / "mix.lua"
        script.write_text(LUA % (", ".join(f'"{p}"' for p in PAGES), ", ".join(f'"/posts/{s}/"' for s in slugs)))

        a_port, b_port = free_port(), free_port()
        with gunicorn(env, a_port, workers=3) as server_a, gunicorn(env, b_port, workers=3):
            print(f"== load: wrk {options.seconds}s, {options.connections} connections, {len(PAGES) + len(slugs)} pages")
            load = wrk(server_a, options.seconds, options.connections, script)
            print(load)

            print(f"\n== Redis stopped midway ({options.fault_seconds}s of wrk, Redis down from second 5)")
            samples = []
            prober = threading.Thread(target=probe, args=(server_a, options.fault_seconds, samples))
            stopper = threading.Timer(5, lambda: subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True))
            prober.start()
            stopper.start()
            try:
                redis_down = wrk(server_a, options.fault_seconds, 16, script)
            finally:
                prober.join()
                subprocess.run(REDIS_START, check=True)
            print(redis_down)
            down = [s for s in samples if s[0] > 6]
            print(f"home while Redis was down: {sorted({s[1] for s in down})}; /healthz: {sorted({s[2][0] for s in down})}")
            print(f"a /healthz answer then: {down[-1][2][1] if down else '-'}")

            print(f"\n== PostgreSQL restarted midway ({options.fault_seconds}s, restart at second 5)")
            samples = []
            prober = threading.Thread(target=probe, args=(server_a, options.fault_seconds, samples))
            restarter = threading.Timer(
                5, lambda: subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster(), "main", "restart"], capture_output=True)
            )
            prober.start()
            restarter.start()
            try:
                pg_restart = wrk(server_a, options.fault_seconds, 16, script)
            finally:
                prober.join()
            print(pg_restart)
            failing = [s[0] for s in samples if s[1] != 200]
            recovered = all(s[1] == 200 for s in samples[-10:])
            window = f"from {failing[0]}s to {failing[-1]}s" if failing else "none"
            print(f"home requests failing: {len(failing)} of {len(samples)} probes ({window}); recovered by itself: {recovered}")


if __name__ == "__main__":
    main()

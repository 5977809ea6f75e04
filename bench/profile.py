"""Profile what a benchmark measures, with pyinstrument, in one process.

    bench/.venv/bin/python bench/profile.py page URL [--database URL] [--cached] [--requests 20] [--html FILE]
    bench/.venv/bin/python bench/profile.py import [N] [--html FILE]

``page`` requests URL (a path such as ``/sitemap.xml``) through Django's full
middleware stack (the test client, production settings) ``--requests`` times
after one untimed request, against ``--database`` (default: the 100,000-post
``bench_scale`` that bench/scale.py leaves behind), uncached unless
``--cached`` (Redis database 14). ``import`` runs ``import_articles`` on N
generated articles (default 500) into an empty SQLite database. Both print
pyinstrument's text report; ``--html`` also writes the interactive one.
Worker processes (if the importer starts them) are not profiled: use
``py-spy record --subprocesses`` on the command for those.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import postgres_url, redis_url, require_bench_venv  # noqa: E402
from generate import write_articles  # noqa: E402


def setup(database_url, cached, workdir):
    for key in [key for key in os.environ if key.startswith(("DJANGO_", "TINTA_", "REDIS_URL", "DATABASE_URL"))]:
        del os.environ[key]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=database_url, DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-profile-" + "x" * 50, DJANGO_ALLOWED_HOSTS="testserver", DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0", DJANGO_STATIC_ROOT=f"{workdir}/static", DJANGO_LOG_LEVEL="ERROR", REDIS_URL=redis_url("queries"),
        TINTA_PAGE_CACHE_SECONDS="300" if cached else "0",
    )
    import django

    django.setup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["page", "import"])
    parser.add_argument("target", nargs="?", help="the URL path (page) or the number of articles (import)")
    parser.add_argument("--database", default=postgres_url("bench_scale"))
    parser.add_argument("--cached", action="store_true")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--all", action="store_true", help="show library frames too")
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    options = parser.parse_args()
    require_bench_venv()
    from pyinstrument import Profiler

    profiler = Profiler()
    with tempfile.TemporaryDirectory(prefix="tinta-bench-profile-") as workdir:
        if options.what == "page":
            setup(options.database, options.cached, workdir)
            from django.core.management import call_command
            from django.test import Client

            call_command("collectstatic", verbosity=0, interactive=False)  # the manifest the templates need

            client = Client()
            first = client.get(options.target or "/")
            if first.status_code != 200:
                sys.exit(f"{options.target} answered {first.status_code}")
            profiler.start()
            for _ in range(options.requests):
                client.get(options.target or "/")
            profiler.stop()
        else:
            folder = write_articles(int(options.target or 500))
            setup(f"sqlite:///{workdir}/profile.sqlite3", False, workdir)
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            profiler.start()
            call_command("import_articles", str(folder), format="json", stdout=open(os.devnull, "w"))
            profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=options.all))
    if options.html:
        Path(options.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()

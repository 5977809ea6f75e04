"""gunicorn settings for `make serve` and production; each can be overridden by environment.

Workers default to 2 × cores + 1 (sync workers: Django's ORM is synchronous and
pages are short), bound to 127.0.0.1 so only a proxy on the same machine
reaches them unless GUNICORN_BIND says otherwise.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Restart workers now and then so a slow leak cannot grow forever.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "" turns it off
errorlog = "-"
wsgi_app = "config.wsgi:application"

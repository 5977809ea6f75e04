"""Tinta as production runs it: two gunicorn app servers sharing PostgreSQL and Redis,
and nginx in front, as real processes on 127.0.0.1.

These need PostgreSQL (the test database is shared with the servers) and Redis;
`.ci/run` runs them in its PostgreSQL pass with TINTA_REQUIRE_SERVERS=1, where a
missing service fails instead of skipping.
"""

import http.cookiejar
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import global_settings
from django.db import connection

from blog.models import Post
from factories import make_post
from servers import NGINX, ROOT, free_port, get, gunicorn, manage, nginx, production_env

REDIS_URL = os.environ.get("TINTA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = [pytest.mark.servers, pytest.mark.django_db(transaction=True)]


def _unavailable(reason):
    if os.environ.get("TINTA_REQUIRE_SERVERS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def redis_url():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.flushdb()
    except redis.RedisError as error:
        _unavailable(f"needs Redis at {REDIS_URL} ({error})")
    return REDIS_URL


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    return tmp_path_factory.mktemp("static")


@pytest.fixture
def server_env(redis_url, static_root, db, settings):
    # The servers check passwords with the real hashers, not the fast one the other tests use.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    if connection.vendor != "postgresql":
        _unavailable("the app servers share the test database, which needs PostgreSQL (DATABASE_URL=postgres://...)")
    settings = connection.settings_dict
    database_url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**{k: settings[k] or "" for k in ("USER", "HOST", "PORT", "NAME")})
    env = production_env(database_url, redis_url, static_root)
    if not (static_root / "staticfiles.json").exists():
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    return env


class FormReader(HTMLParser):
    """The fields a browser would submit from the form with the given id."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._textarea = self._select = None
        self._select_multiple = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or not attrs.get("name") and tag != "option":
            return
        if tag == "input" and attrs.get("type", "text") not in ("submit", "button", "file", "image", "reset"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((attrs["name"], attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def browser_session():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def read_form(opener, url, form_id):
    with opener.open(url, timeout=10) as response:
        reader = FormReader(form_id)
        reader.feed(response.read().decode())
    return reader.fields


def post_form(opener, url, fields):
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})
    with opener.open(request, timeout=20) as response:
        return response.status, response.geturl(), response.read().decode()


def admin_edit_body(base, post, new_body):
    """Log in to the admin on ``base`` and save ``post`` with a new body, as an editor's browser would."""
    opener, jar = browser_session()
    login = read_form(opener, f"{base}/admin/login/", "login-form")
    login = [(k, v) for k, v in login if k not in ("username", "password")] + [("username", "editor"), ("password", "s3cret-pass!")]
    _, landed, _ = post_form(opener, f"{base}/admin/login/?next=/admin/", login)
    assert "/admin/login/" not in landed, f"the editor could not log in on {base}"
    change_url = f"{base}/admin/blog/post/{post.pk}/change/"
    fields = [(name, new_body if name == "body" else value) for name, value in read_form(opener, change_url, "post_form")]
    assert ("body", new_body) in fields, "the change form has no body field"
    status, landed, page = post_form(opener, change_url, [*fields, ("_save", "Save")])
    assert landed.rstrip("/").endswith("/admin/blog/post"), f"the save did not go through: {landed}\n{page[:3000]}"


def test_edit_through_one_server_is_read_from_the_other(server_env, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.com", "s3cret-pass!")
    post = make_post("Shared between servers", body="The original words.")
    a_port, b_port = free_port(), free_port()

    with gunicorn(server_env, a_port) as server_a, gunicorn(server_env, b_port) as server_b:
        url = f"{server_b}{post.get_absolute_url()}"
        get(url)
        status, headers, body = get(url)
        assert (status, headers["X-Cache"]) == (200, "HIT")
        assert "The original words." in body

        admin_edit_body(server_a, post, "Words changed on server A.")

        status, headers, body = get(url)
        assert status == 200
        assert "Words changed on server A." in body
        assert headers["X-Cache"] == "MISS"


def test_import_while_both_servers_serve_traffic_fails_no_request(server_env):
    corpus = os.environ.get("TINTA_CORPUS")
    source = Path(corpus) / "ferretdb-blog" if corpus else ROOT / "fixtures" / "articles"
    post = make_post("Always there")
    failures, requests_made = [], [0]

    with gunicorn(server_env, free_port()) as server_a, gunicorn(server_env, free_port()) as server_b:
        paths = ["/", "/tags/", "/authors/", "/feed/", "/sitemap.xml", "/search/?q=open", post.get_absolute_url()]
        stop = threading.Event()

        def hammer(base):
            while not stop.is_set():
                for path in paths:
                    try:
                        status, _, _ = get(base + path)
                    except OSError as error:
                        status = repr(error)
                    requests_made[0] += 1
                    if status != 200:
                        failures.append((base + path, status))

        threads = [threading.Thread(target=hammer, args=(base,)) for base in (server_a, server_b) for _ in range(2)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "manage.py", "import_articles", str(source), "--format", "json"],
            cwd=ROOT, env=server_env, capture_output=True, text=True, timeout=300,
        )
        time.sleep(1)  # and a moment after it, while caches refill
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert result.returncode == 0, result.stderr[-2000:]
    assert Post.objects.count() > 1
    assert requests_made[0] > 20, f"only {requests_made[0]} requests in {time.monotonic() - started:.1f}s"
    assert failures == []


@pytest.fixture
def nginx_binary():
    if not NGINX.exists():
        _unavailable(f"needs Debian's nginx at {NGINX} (apt-get install nginx-light)")


def test_nginx_serves_static_files_and_caches_anonymous_pages(server_env, nginx_binary, static_root, tmp_path):
    make_post("Behind nginx")
    manifest = (static_root / "staticfiles.json").read_text()
    hashed_css = next(name for name in json.loads(manifest)["paths"].values() if name.startswith("blog/site.") and name.endswith(".css"))

    with gunicorn(server_env, free_port()) as app, nginx([int(app.rsplit(":", 1)[1])], static_root, tmp_path / "nginx") as front:
        status, headers, body = get(f"{front}/static/{hashed_css}")
        assert status == 200 and "immutable" in headers["Cache-Control"] and "max-age=31536000" in headers["Cache-Control"]
        assert get(f"{front}/static/blog/no-such-file.css")[0] == 404

        first = get(f"{front}/")
        second = get(f"{front}/")
        assert first[0] == second[0] == 200
        assert (first[1]["X-Cache-Status"], second[1]["X-Cache-Status"]) == ("MISS", "HIT")
        assert "Behind nginx" in second[2]
        assert "X-Accel-Expires" not in second[1]

        logged_in = get(f"{front}/", headers={"Cookie": "sessionid=abc"})
        assert logged_in[1]["X-Cache-Status"] == "BYPASS"

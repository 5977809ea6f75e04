"""Shared fixtures: writing article files, running the importer, driving a browser."""

import contextlib
import json
import os
import textwrap
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test starts with an empty cache and, unless it turns them on, no page or data cache:
    tests run inside transactions whose commit hooks (the content version) never fire."""
    settings.TINTA_PAGE_CACHE_SECONDS = 0
    settings.TINTA_DATA_CACHE_SECONDS = 0
    # Tests make many users; hashing their passwords properly is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    with contextlib.suppress(Exception):  # a test may have pointed the cache at a dead server
        cache.clear()


@pytest.fixture
def dead_cache(settings):
    """Point the cache at a Redis that is not there (port 1), as when Redis goes down."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def write(tmp_path):
    """write("name.md", text) creates a file under tmp_path (dedented, parent folders made)."""

    def _write(name, text="", *, raw=None):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


class ImportRun:
    """The result of one `import_articles` run: exit code, JSON report, stderr."""

    def __init__(self, code, report, stderr):
        self.code = code
        self.report = report
        self.stderr = stderr

    @property
    def counts(self):
        return self.report["counts"]

    def file(self, path):
        matches = [entry for entry in self.report["files"] if entry["path"] == path]
        assert len(matches) == 1, f"{path} has {len(matches)} entries in {self.report['files']}"
        return matches[0]


@pytest.fixture
def run_import(capsys):
    """run_import(*paths, "--force", ...) runs the command with --format json."""

    def _run(*args):
        code = 0
        try:
            call_command("import_articles", *map(str, args), "--format", "json")
        except CommandError as error:
            code = error.returncode
        out, err = capsys.readouterr()
        return ImportRun(code, json.loads(out) if out.strip() else None, err)

    return _run


# -- browser tests -------------------------------------------------------------------

CHROMIUM = Path(os.environ.get("TINTA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOT_DIR = Path(os.environ.get("TINTA_SCREENSHOTS", Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"))


def _browser_unavailable(reason):
    # CI installs Chromium and sets TINTA_REQUIRE_BROWSER=1: there a missing
    # browser is a failure, not a quiet skip.
    if os.environ.get("TINTA_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a browser Playwright downloads)."""
    if not CHROMIUM.exists():
        _browser_unavailable(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("browser tests need playwright (pip install -r requirements-dev.txt)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the tests make around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab at 1280 px; ``page.goto("/path")`` is relative to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir():
    """Where browser tests write screenshots (TINTA_SCREENSHOTS, else test-artifacts/screenshots)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOT_DIR.exists() and any(SCREENSHOT_DIR.iterdir()):
        terminalreporter.write_line(f"screenshots: {SCREENSHOT_DIR}")

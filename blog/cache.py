"""Whole-page caching for anonymous readers, keyed by a content version.

Every change to posts, tags, authors or their links (admin, import, merge,
revert) replaces one *content version* in the shared cache, once its
transaction commits (see blog.signals). A cached page carries the version it
was rendered under, and one round trip reads the page and the current
version together: a page from an older version is a miss on any app server,
so there is no list of keys to purge. A page is never kept past the next
scheduled publish, so scheduled posts appear on time.

Requests that carry a session cookie (editors, staff) never read or fill the
cache and are marked private. Cache failures (Redis down) are logged and the
page is served from the database.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Min
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.functional import cached_property
from django.utils.http import http_date

logger = logging.getLogger(__name__)

VERSION_KEY = "tinta:content-version"
NEXT_PUBLISH_KEY = "tinta:next-publish:{version}"
PAGE_KEY = "tinta:page:{language}:{host}:{path}"
DATA_KEY = "tinta:data:{name}"
# What a shared cache (nginx, a CDN) may keep, and how long it may serve a
# stale copy while it fetches a fresh one.
SHARED_MAX_AGE = 60
STALE_WHILE_REVALIDATE = 30
UNCACHED_PREFIXES = ("/admin/", "/i18n/", "/healthz")


# While Redis is down every request fails the same way; one traceback every
# OUTAGE_LOG_SECONDS per process says so without flooding the log.
OUTAGE_LOG_SECONDS = 30
_last_outage_logged = None


def log_outage(message, *args):
    global _last_outage_logged
    now = time.monotonic()
    if _last_outage_logged is None or now - _last_outage_logged >= OUTAGE_LOG_SECONDS:
        _last_outage_logged = now
        logger.exception(message + " (cache errors in the next %ss are not logged)", *args, OUTAGE_LOG_SECONDS)


def content_changed():
    """Call after any change readers could see; takes effect at commit."""
    transaction.on_commit(_new_version)


def _new_version():
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage must not fail a write that committed
        logger.exception("Could not store a new content version; cached pages expire on their own")


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add(): when several servers start at once, one version wins.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def read_current(key):
    """``(version, value)``: the content version, and what ``key`` holds if it was
    stored under that version (else None), in one round trip to the cache."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or content_version()
    stored = found.get(key)
    return version, (stored[1] if stored is not None and stored[0] == version else None)


def store_current(key, version, value, timeout):
    cache.set(key, (version, value), timeout)


def seconds_until_next_publish(version):
    """Seconds until the next scheduled post becomes public, or None."""
    from .models import Post

    key = NEXT_PUBLISH_KEY.format(version=version)
    stamp = cache.get(key)
    now = time.time()
    if stamp is None or (stamp and stamp <= now):
        upcoming = Post.objects.filter(status=Post.Status.PUBLISHED, publish_date__gt=timezone.now()).aggregate(
            next=Min("publish_date")
        )["next"]
        stamp = upcoming.timestamp() if upcoming else 0
        cache.set(key, stamp, timeout=None if not stamp else max(1, int(stamp - now)) + 1)
    return max(1, int(stamp - now)) if stamp else None


def cached_for_content(name, compute):
    """``compute()``, kept in the cache until the content changes or the next scheduled post goes public.

    For what is costly to work out and changes only with the content: the
    number of posts behind a paginated list, a tag index's counts. ``name``
    must say everything the value depends on besides the content itself.
    TINTA_DATA_CACHE_SECONDS=0 turns it off; a cache outage computes.
    """
    timeout = getattr(settings, "TINTA_DATA_CACHE_SECONDS", 300)
    if timeout <= 0:
        return compute()
    key = DATA_KEY.format(name=name)
    try:
        version, value = read_current(key)
        if value is not None:
            return value
        lifetime = seconds_until_next_publish(version)
    except Exception:  # noqa: BLE001 - work it out from the database when the cache is down
        log_outage("Data cache unavailable; computing %s", name)
        return compute()
    value = compute()
    try:
        store_current(key, version, value, min(timeout, lifetime) if lifetime else timeout)
    except Exception:  # noqa: BLE001
        log_outage("Could not store %s in the data cache", name)
    return value


class ContentPaginator(Paginator):
    """Counts once per content version (see :func:`cached_for_content`): the count
    of a long list reads every row behind it, the page itself does not."""

    def __init__(self, *args, count_name, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_name = count_name

    @cached_property
    def count(self):
        return cached_for_content(f"count:{self.count_name}", lambda: Paginator.count.func(self))


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD pages from the cache, under the content version."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = getattr(settings, "TINTA_PAGE_CACHE_SECONDS", 300)

    def __call__(self, request):
        if self.timeout <= 0:
            return self.get_response(request)
        if not self._cacheable_request(request):
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                patch_cache_control(response, private=True)
            return response
        try:
            # Outside LocaleMiddleware (a hit skips it): the language it would pick.
            language = translation.get_language_from_request(request)
            key = PAGE_KEY.format(language=language, host=request.get_host(), path=request.get_full_path())
            version, cached = read_current(key)
            if cached is not None:
                cached["X-Cache"] = "HIT"
                return cached
            lifetime = seconds_until_next_publish(version)
        except Exception:  # noqa: BLE001 - serve from the database when the cache is down
            log_outage("Page cache unavailable; rendering %s without it", request.path)
            return self.get_response(request)
        response = self.get_response(request)
        if self._cacheable_response(response):
            timeout = min(self.timeout, lifetime) if lifetime else self.timeout
            response["Last-Modified"] = http_date()
            set_response_etag(response)
            shared = min(SHARED_MAX_AGE, timeout)
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=shared, stale_while_revalidate=STALE_WHILE_REVALIDATE,
            )
            # nginx's own header, which it obeys before Cache-Control and never passes on.
            response["X-Accel-Expires"] = str(shared)
            try:
                store_current(key, version, response, timeout)
            except Exception:  # noqa: BLE001
                log_outage("Could not store %s in the page cache", request.path)
            response["X-Cache"] = "MISS"
        return response

    def _cacheable_request(self, request):
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(UNCACHED_PREFIXES)
        )

    def _cacheable_response(self, response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )

"""Whole-page caching for anonymous readers, keyed by a content version.

Every change to posts, tags, authors or their links (admin, import, merge,
revert) replaces one *content version* in the shared cache, once its
transaction commits (see blog.signals). Cached pages are stored under that
version, so the next request on any app server misses and renders fresh
pages: there is no list of keys to purge. A page is never kept past the next
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
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date

logger = logging.getLogger(__name__)

VERSION_KEY = "tinta:content-version"
NEXT_PUBLISH_KEY = "tinta:next-publish:{version}"
PAGE_KEY = "tinta:page:{version}:{language}:{host}:{path}"
# What a shared cache (nginx, a CDN) may keep, and how long it may serve a
# stale copy while it fetches a fresh one.
SHARED_MAX_AGE = 60
STALE_WHILE_REVALIDATE = 30
UNCACHED_PREFIXES = ("/admin/", "/i18n/", "/healthz")


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
            version = content_version()
            key = PAGE_KEY.format(
                version=version, language=getattr(request, "LANGUAGE_CODE", ""), host=request.get_host(),
                path=request.get_full_path(),
            )
            cached = cache.get(key)
            if cached is not None:
                cached["X-Cache"] = "HIT"
                return cached
            lifetime = seconds_until_next_publish(version)
        except Exception:  # noqa: BLE001 - serve from the database when the cache is down
            logger.exception("Page cache unavailable; rendering %s without it", request.path)
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
                cache.set(key, response, timeout)
            except Exception:  # noqa: BLE001
                logger.exception("Could not store %s in the page cache", request.path)
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

"""Tinta's one settings module.

Everything that differs between a laptop and production is read from the
environment, with defaults that are safe for local development: an embedded
SQLite database in the project folder, debug on, local-memory cache.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(for example the output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`) "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "csp",
    "axes",
    "taggit",
    "reversion",
    "blog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # A cached page is served from here, with the headers the middleware
    # below gave it when it was rendered (CSP, Content-Language, Vary).
    "blog.cache.PageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers requests from locked-out clients.
    "axes.middleware.AxesMiddleware",
]

# Login attempts are rate limited by django-axes: after AXES_FAILURE_LIMIT
# failures for one username from one address, that pair is locked out for
# AXES_COOLOFF_TIME hours (a success resets the count).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("TINTA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("TINTA_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TINTA_PROXY_COUNT", "0"))

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "blog.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # A new PostgreSQL connection per request costs more than the page:
        # keep connections, checking them before reuse.
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0" if DEBUG else "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer (an import while the site is served)
    # instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        # Write-ahead logging lets readers go on during an import, and a commit
        # per imported file then costs no disk flush of its own.
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "blog.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is down: pages are then served from the database.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a rendered page may stay in the cache (a new content version or the
# next scheduled publish ends it sooner).
TINTA_PAGE_CACHE_SECONDS = int(os.environ.get("TINTA_PAGE_CACHE_SECONDS", "300"))
# How long counts behind lists (posts on a tag page, the tag index) may be
# cached under the content version, page cache or not (`0` turns it off).
TINTA_DATA_CACHE_SECONDS = int(os.environ.get("TINTA_DATA_CACHE_SECONDS", "300"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Naive dates in frontmatter are read in this zone.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# In production WhiteNoise serves collected files with hashed names, compressed;
# while debugging, files are served as they are, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# taggit: one tag per slug is enforced by blog.models.Tag; names compare
# case-insensitively so "LLMs" and "llms" never become two tags.
TAGGIT_CASE_INSENSITIVE = True

# Tinta's own settings.
TINTA_SITE_NAME = os.environ.get("TINTA_SITE_NAME", "Tinta")
TINTA_SITE_DESCRIPTION = os.environ.get("TINTA_SITE_DESCRIPTION", "Articles on technology, written in Markdown.")
# Language of posts whose frontmatter, file name and folder say none.
TINTA_DEFAULT_LANGUAGE = os.environ.get("TINTA_DEFAULT_LANGUAGE", "en")
# Folder `import_articles` reads when given no path.
TINTA_DEFAULT_IMPORT_PATH = BASE_DIR / "fixtures" / "articles"
# Worker processes that parse and render articles during an import (0: one per core).
TINTA_IMPORT_WORKERS = int(os.environ.get("TINTA_IMPORT_WORKERS", "0"))
# Largest article file the importer reads, in bytes.
TINTA_MAX_ARTICLE_BYTES = int(os.environ.get("TINTA_MAX_ARTICLE_BYTES", str(2 * 1024 * 1024)))
# Bounds of an import uploaded in the admin (blog.imports): the whole upload,
# what a .zip unpacks to, and how many files it may hold.
TINTA_IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("TINTA_IMPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
TINTA_IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("TINTA_IMPORT_MAX_UNPACKED_BYTES", str(100 * 1024 * 1024)))
TINTA_IMPORT_MAX_FILES = int(os.environ.get("TINTA_IMPORT_MAX_FILES", "1000"))
# Django refuses a request with more files than this before any view runs;
# let the import say the bound in words instead.
DATA_UPLOAD_MAX_NUMBER_FILES = TINTA_IMPORT_MAX_FILES + 1

# Logs go to stderr; in production as one JSON object a line, for collectors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["stderr"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "WARNING", "propagate": False}},
}

# Security. Production (DJANGO_DEBUG=0) is HTTPS-only by default; set
# DJANGO_SECURE_SSL_REDIRECT=0 and DJANGO_SECURE_COOKIES=0 only where TLS is
# terminated in front and the proxy does not pass X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Content-Security-Policy: no inline script anywhere (the admin's scripts are
# files too); images from anywhere over HTTPS, since articles link remote
# images; frames only from the embed hosts the renderer keeps.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:", "data:"],
        "media-src": ["'self'", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", "https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com",
                      "https://codesandbox.io", "https://replit.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

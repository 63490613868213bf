"""Settings for the tracker service, read from the environment only (12-factor).

Nothing secret has a default: SECRET_KEY must be set unless DEBUG is on, in which case a
throwaway key is used and said so. ``DATABASE_URL`` falls back to the embedded SQLite file
under ``var/``. See ``.env.example`` for every variable.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from tracker_api.config.database import database_config
from tracker_api.config.env import env_apprise_urls
from tracker_api.config.env import env_bool
from tracker_api.config.env import env_float
from tracker_api.config.env import env_int
from tracker_api.config.env import env_list
from tracker_api.config.env import env_rate
from tracker_api.config.env import env_str
from tracker_api.core import schema_text

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("TRACKER_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=true for development).")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"  # noqa: S105
    sys.stderr.write("WARNING: DEBUG is on and SECRET_KEY is unset: using a throwaway key.\n")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Admin modules load with the URL conf, not in django.setup(): core/admin_app.py.
    "tracker_api.core.admin_app.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "tracker_api.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tracker_api.config.urls"
WSGI_APPLICATION = "tracker_api.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Site-wide overrides of Django's own templates (admin/base_site.html: the product's
        # name, logo and favicon); app templates come after.
        "DIRS": [BASE_DIR / "tracker_api" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL from DATABASE_URL, else the embedded SQLite file (WAL, busy timeout, BEGIN
# IMMEDIATE: tracker_api.config.database).
DATABASES = {
    "default": database_config(
        env_str("DATABASE_URL"), VAR_DIR, env_int("CONN_MAX_AGE", 60, minimum=0)
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE") or "UTC"
USE_I18N = True
# One date format everywhere (tracker_api/config/formats/en/formats.py): 2026-12-03 07:30.
FORMAT_MODULE_PATH = ["tracker_api.config.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = VAR_DIR / "static"  # None in tests: no collected files
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- The Audible gateway -------------------------------------------------------------------
AUDIBLE_SERVICE_URL = env_str("AUDIBLE_SERVICE_URL") or "http://127.0.0.1:8001"
AUDIBLE_API_SECRET = env_str("AUDIBLE_API_SECRET") or ""
CRON_SECRET = env_str("CRON_SECRET") or ""
# The gateway client's timeouts and backoff (tracker_api/audible_sync/gateway.py, which also
# refuses a negative one); docs/sync.md lists them.
AUDIBLE_GATEWAY_CONNECT_TIMEOUT_S = env_float("AUDIBLE_GATEWAY_CONNECT_TIMEOUT_S", 5.0)
AUDIBLE_GATEWAY_READ_TIMEOUT_S = env_float("AUDIBLE_GATEWAY_READ_TIMEOUT_S", 120.0)
AUDIBLE_GATEWAY_RETRY_ATTEMPTS = env_float("AUDIBLE_GATEWAY_RETRY_ATTEMPTS", 4)
AUDIBLE_GATEWAY_RETRY_BASE_S = env_float("AUDIBLE_GATEWAY_RETRY_BASE_S", 1.0)
AUDIBLE_GATEWAY_RETRY_MAX_WAIT_S = env_float("AUDIBLE_GATEWAY_RETRY_MAX_WAIT_S", 30.0)
AUDIBLE_GATEWAY_RETRY_BUDGET_S = env_float("AUDIBLE_GATEWAY_RETRY_BUDGET_S", 120.0)

# --- Syncing (docs/sync.md) ------------------------------------------------------------------
# How old a sync lock must be before another sync may take it over (a dead run's lock).
AUDIBLE_SYNC_LOCK_STALE_S = env_float("AUDIBLE_SYNC_LOCK_STALE_S", 900.0)
# Users synced per call of GET /api/cron/audible-sync.
AUDIBLE_CRON_MAX_USERS = env_int("AUDIBLE_CRON_MAX_USERS", 25)
# The environment may only tighten the database's bounds on what a person chooses
# (tracker_api/audible_sync/sync_bounds.py, which checks these again when asked).
AUDIBLE_SYNC_MIN_INTERVAL_MINUTES = env_int("AUDIBLE_SYNC_MIN_INTERVAL_MINUTES", 15, minimum=15)
AUDIBLE_SYNC_MAX_DAILY_CAP = env_int("AUDIBLE_SYNC_MAX_DAILY_CAP", 48, minimum=1)

# --- Production hardening (on whenever DEBUG is off) ---------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
}

# --- apps and DRF (tracker core) -----------------------------------------------------------
# Appended by the tracker-core work; everything above is the lead's.
INSTALLED_APPS += [
    "django.contrib.postgres",
    "tracker_api.core",
    "tracker_api.books",
    "tracker_api.audible_sync",
    "tracker_api.notifications",
    "tracker_api.households",
]

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes anonymous requests a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "tracker_api.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tracker_api.core.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "tracker_api.core.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Book tracker API",
    "DESCRIPTION": schema_text.DESCRIPTION,
    "TAGS": schema_text.TAGS,
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api",
    # <id:...> (tracker_api.core.converters) is documented as <int:...> is: an integer.
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    # The docs page is served from the package, so it works with no internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The machine's own fonts (the page links no web font: tracker_api/core/templates/api).
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
                "code": {"fontFamily": "ui-monospace, 'DejaVu Sans Mono', monospace"},
            }
        }
    },
    # Several models have a "status"; each choice set gets a name of its own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SyncStatusEnum": "tracker_api.audible_sync.models.SyncStatus",
        "ConflictStatusEnum": "tracker_api.audible_sync.models.ConflictStatus",
        "BookStatusEnum": "tracker_api.books.models.BookStatus",
        "ReadStatusEnum": "tracker_api.books.models.ReadStatus",
        "TitleStateEnum": "tracker_api.audible_sync.titles.STATES",
        "DisconnectStatusEnum": ["disconnected"],
        "RuleKindEnum": "tracker_api.households.models.RuleKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracker_api.core.schema.strict_request_bodies",
    ],
}

# --- Request limits and strict parsing (tracker hardening) ---------------------------------
# Appended by the hardening work (tests/hardening/tracker); see docs/security.md "Tracker".
# JSON and form bodies over TRACKER_MAX_BODY_BYTES and uploads over TRACKER_IMPORT_MAX_BYTES
# are a JSON 413 payload_too_large; bodies that are not UTF-8, not JSON or nested too deep
# are a 400 parse_error (tracker_api.core.parsers). Django's own limits match, so the admin's
# forms are held to the same size.
TRACKER_MAX_BODY_BYTES = env_int("TRACKER_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
TRACKER_IMPORT_MAX_BYTES = env_int("TRACKER_IMPORT_MAX_BYTES", 64 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = TRACKER_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file
# JSON only: a form body, or a body with no Content-Type, is a 415 (tracker_api.core.strict),
# never read as form fields that match no key. The CSV import names its multipart parser.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["tracker_api.core.parsers.StrictJSONParser"]
REST_FRAMEWORK["TEST_REQUEST_DEFAULT_FORMAT"] = "json"
# HSTS preload is a one-way commitment for the domain and every subdomain, so it stays the
# operator's choice (SECURE_HSTS_PRELOAD=true); `check --deploy` would otherwise warn about it
# on every deployment that has not made that choice, hiding warnings that matter.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Who may connect how often (people) ----------------------------------------------------
# POST /api/audible/auth may try an Amazon login, so it is throttled per person and for the
# whole installation (tracker_api.audible_sync.api.throttles). The counts live in a database
# cache table (core/0002), so every worker process and thread shares them.
AUDIBLE_AUTH_RATE_PERSON = env_rate("AUDIBLE_AUTH_RATE_PERSON", "10/hour")
AUDIBLE_AUTH_RATE_TOTAL = env_rate("AUDIBLE_AUTH_RATE_TOTAL", "100/hour")
THROTTLE_CACHE_TABLE = "tracker_throttle_cache"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": THROTTLE_CACHE_TABLE,
    },
}

# --- Notifications (tracker_api/notifications, docs/operations.md "Notifications") ---------
# Apprise URLs told about operational events (a failing gateway, cron not running), separated
# by spaces or commas; the link in every message starts with TRACKER_PUBLIC_URL.
NOTIFY_OPERATOR_URLS = env_apprise_urls("NOTIFY_OPERATOR_URLS")
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
TRACKER_PUBLIC_URL = (env_str("TRACKER_PUBLIC_URL") or "").rstrip("/")
# How often cron runs `audible_sync --all`: twice this without a run is "cron not running".
AUDIBLE_CRON_INTERVAL_MINUTES = env_int("AUDIBLE_CRON_INTERVAL_MINUTES", 15, minimum=1)
# Django's own mail, for e-mail channels.
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "tracker@localhost"

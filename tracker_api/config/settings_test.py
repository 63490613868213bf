"""Settings for the test suite: the real settings with obvious placeholder secrets.

The database comes from ``DATABASE_URL`` as in production (CI points it at PostgreSQL);
unset, the suite runs on SQLite.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("AUDIBLE_API_SECRET", "test-gateway-secret-0123456789abcdef")
os.environ.setdefault("CRON_SECRET", "test-cron-secret-0123456789abcdef")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from tracker_api.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collected static files in tests: the finders serve them (and whitenoise stays quiet).
STATIC_ROOT = None
# A test that reaches the gateway without pointing the tracker at one (tests/support/stack.py
# does, with its own retries) finds none there: it fails after the same 4 attempts, in
# milliseconds instead of the production backoff's 7 s of sleeping.
AUDIBLE_GATEWAY_RETRY_BASE_S = 0.01

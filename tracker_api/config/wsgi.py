"""WSGI entry point: ``gunicorn tracker_api.config.wsgi``."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings")
application = get_wsgi_application()

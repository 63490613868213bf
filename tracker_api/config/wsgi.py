"""WSGI entry point: ``gunicorn tracker_api.config.wsgi``.

gunicorn runs no Django system checks, so the startup ones (secrets, PORT) run here: a
tracker configured wrong fails to boot instead of serving (tracker_api.core.checks).
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings")
application = get_wsgi_application()

from tracker_api.core.checks import refuse_to_start_wrong  # noqa: E402  (needs the app registry)

refuse_to_start_wrong()

# A web process routes requests: load the URL conf (and with it the admin modules,
# tracker_api/core/admin_app.py) now, at boot, not inside the first request.
import tracker_api.config.urls  # noqa: E402, F401

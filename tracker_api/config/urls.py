"""URL map of the tracker service. Paths have no trailing slash, as the original design had."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include
from django.urls import path

from tracker_api.core import login_links
from tracker_api.core.branding import favicon
from tracker_api.core.views import health

# The admin modules are discovered here, not in django.setup() (tracker_api/core/admin_app.py):
# a process that never routes a request (the sync command) does not load them.
admin.autodiscover()

urlpatterns = [
    *login_links.urlpatterns,
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
    path("health", health, name="health"),
    path("healthz", health, name="healthz"),
    path("api/", include("tracker_api.config.api_urls")),
]

# JSON for /api/ paths, Django's pages elsewhere.
handler400 = "tracker_api.core.views.bad_request"
handler404 = "tracker_api.core.views.not_found"
handler500 = "tracker_api.core.views.server_error"

"""Everything under ``/api/``. No trailing slashes."""

from __future__ import annotations

from django.urls import include
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.views import SpectacularRedocView


class RedocView(SpectacularRedocView):
    """The docs page from the tracker's own template: no font or script from another host."""

    template_name = "api/redoc.html"


urlpatterns = [
    path("", include("tracker_api.books.api.urls")),
    path("", include("tracker_api.audible_sync.api.urls")),
    path("", include("tracker_api.audible_sync.api.sync_urls")),
    path("", include("tracker_api.notifications.api.urls")),
    path("", include("tracker_api.households.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", RedocView.as_view(url_name="schema"), name="api-docs"),
]

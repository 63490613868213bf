"""Everything under ``/api/``. No trailing slashes."""

from __future__ import annotations

from django.urls import include
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.views import SpectacularRedocView

urlpatterns = [
    path("", include("tracker_api.books.api.urls")),
    path("", include("tracker_api.audible_sync.api.urls")),
    path("", include("tracker_api.audible_sync.api.sync_urls")),
    path("", include("tracker_api.notifications.api.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularRedocView.as_view(url_name="schema"), name="api-docs"),
]

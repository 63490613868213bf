"""Everything under ``/api/``. No trailing slashes."""

from __future__ import annotations

from importlib.util import find_spec

from django.urls import include
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.views import SpectacularRedocView

urlpatterns = [
    path("", include("tracker_api.books.api.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularRedocView.as_view(url_name="schema"), name="api-docs"),
]

# The Audible endpoints live in their own app's api package (built separately); mount it when
# it exists so this file does not have to change when it lands.
AUDIBLE_URLS = "tracker_api.audible_sync.api.urls"


def _exists(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


if _exists(AUDIBLE_URLS):
    urlpatterns.append(path("", include(AUDIBLE_URLS)))

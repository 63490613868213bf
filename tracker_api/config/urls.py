"""URL map of the tracker service. Paths have no trailing slash, as the original design had."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]

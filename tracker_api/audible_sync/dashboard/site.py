"""Hook the dashboard into an ``AdminSite``: its URLs and an entry in the app list.

The dashboard is not a model, so it cannot be registered like one: :func:`install` adds its
URLs in front of the site's own (``/admin/audible_sync/dashboard/`` and ``.../<user_id>/``, and
the person pages of ``tracker_api.audible_sync.pages``: connection, settings, sync now) and
puts a "Dashboard" row first in the Audible sync app on the index page and in the sidebar.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.urls import path

from tracker_api.audible_sync.dashboard.views import dashboard_url
from tracker_api.audible_sync.dashboard.views import make_dashboard_view
from tracker_api.audible_sync.pages.urls import page_urls

APP_LABEL = "audible_sync"


def install(site: AdminSite) -> None:
    """Add the dashboard to ``site`` (once; calling it again changes nothing)."""
    if getattr(site, "_audible_dashboard_installed", False):
        return
    site_urls = site.get_urls
    site_app_list = site.get_app_list
    view = site.admin_view(make_dashboard_view(site))

    def get_urls() -> list[Any]:
        return [
            path(f"{APP_LABEL}/dashboard/", view, name="audible_sync_dashboard"),
            path(f"{APP_LABEL}/dashboard/<id:user_id>/", view, name="audible_sync_dashboard_user"),
            *page_urls(site),
            *site_urls(),
        ]

    def get_app_list(request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        apps = site_app_list(request, app_label)
        for app in apps:
            if app.get("app_label") == APP_LABEL:
                app["models"].insert(0, app_list_entry(site))
        return apps

    site.get_urls = get_urls  # type: ignore[method-assign]
    site.get_app_list = get_app_list  # type: ignore[method-assign]
    site._audible_dashboard_installed = True  # type: ignore[attr-defined]


def app_list_entry(site: AdminSite) -> dict[str, Any]:
    """A row shaped like the models Django lists (no add link; "View" goes to the dashboard)."""
    return {
        "name": "Dashboard",
        "object_name": "Dashboard",
        "model": None,
        "perms": {"add": False, "change": False, "delete": False, "view": True},
        "admin_url": dashboard_url(site_name=site.name),
        "add_url": None,
        "view_only": True,
    }

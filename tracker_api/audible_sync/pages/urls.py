"""The person pages' URLs inside the admin site (added by ``dashboard.site.install``)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.urls import path

from tracker_api.audible_sync.pages import connection
from tracker_api.audible_sync.pages import settings_page
from tracker_api.audible_sync.pages import sync_now
from tracker_api.audible_sync.pages.common import person_page

PREFIX = "audible_sync"


def page_urls(site: AdminSite) -> list[Any]:
    """``/admin/audible_sync/connection/...``, ``.../settings/``, ``.../sync/...``."""
    pages = [
        ("connection/", connection.connection_page, False, "connection"),
        ("connection/start/", connection.start_login, True, "connection_start"),
        ("connection/finish/", connection.finish_login, True, "connection_finish"),
        ("connection/import/", connection.import_file, True, "connection_import"),
        ("connection/disconnect/", connection.disconnect_page, True, "connection_disconnect"),
        ("settings/", settings_page.settings_page, False, "settings"),
        ("sync/", sync_now.sync_now, True, "sync_now"),
        ("sync/status/", sync_now.sync_status, False, "sync_status"),
    ]
    return [
        path(f"{PREFIX}/{route}", person_page(site, view, change=change), name=f"{PREFIX}_{name}")
        for route, view, change, name in pages
    ]

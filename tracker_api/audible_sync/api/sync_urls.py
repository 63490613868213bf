"""Routes of the sync: the person's own sync and the cron endpoint (no trailing slashes)."""

from __future__ import annotations

from django.urls import path

from tracker_api.audible_sync.api import sync_views

urlpatterns = [
    path("audible/sync", sync_views.SyncView.as_view(), name="audible-sync"),
    path("cron/audible-sync", sync_views.CronSyncView.as_view(), name="cron-audible-sync"),
]

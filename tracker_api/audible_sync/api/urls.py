"""``/api/audible/...`` routes of this package (mounted by tracker_api.config.api_urls)."""

from __future__ import annotations

from django.urls import path

from tracker_api.audible_sync.api import history_views
from tracker_api.audible_sync.api import run_views
from tracker_api.audible_sync.api import stats_views
from tracker_api.audible_sync.api import title_views
from tracker_api.audible_sync.api import undo_views
from tracker_api.audible_sync.api import views

urlpatterns = [
    path("audible/auth", views.AuthView.as_view(), name="audible-auth"),
    path("audible/config", views.ConfigView.as_view(), name="audible-config"),
    path("audible/status", views.StatusView.as_view(), name="audible-status"),
    path("audible/link", views.LinkView.as_view(), name="audible-link"),
    path("audible/conflicts", views.ConflictListView.as_view(), name="audible-conflicts"),
    path(
        "audible/conflicts/<id:pk>",
        views.ConflictDetailView.as_view(),
        name="audible-conflict",
    ),
    path(
        "audible/conflicts/<id:pk>/resolve",
        views.ConflictResolveView.as_view(),
        name="audible-conflict-resolve",
    ),
    path("audible/runs", run_views.RunListView.as_view(), name="audible-runs"),
    path("audible/runs/<id:pk>", run_views.RunDetailView.as_view(), name="audible-run"),
    path("audible/titles", title_views.TitleListView.as_view(), name="audible-titles"),
    path("audible/titles/<str:asin>", title_views.TitleDetailView.as_view(), name="audible-title"),
    path("history", history_views.HistoryListView.as_view(), name="history"),
    path("stats", stats_views.StatsView.as_view(), name="stats"),
    path("audible/runs/<id:pk>/undo", undo_views.RunUndoView.as_view(), name="audible-run-undo"),
]

"""``GET /api/audible/runs`` and ``GET /api/audible/runs/{id}``: the person's sync runs.

Thin: owner-scoped querysets, filters from :mod:`.filters`, shapes from
:mod:`.run_serializers`. The list never loads a run's ``changes`` (a big library's run notes
thousands); the detail flattens them into the documented change rows.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from tracker_api.audible_sync.api import filters
from tracker_api.audible_sync.api.run_serializers import SyncRunDetailSerializer
from tracker_api.audible_sync.api.run_serializers import SyncRunSerializer
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import SyncStatus
from tracker_api.audible_sync.models import SyncTrigger

RUN_EXAMPLE = {
    "id": 12,
    "status": "ok",
    "trigger": "cron",
    "dry_run": False,
    "started_at": "2026-11-25T17:27:31Z",
    "finished_at": "2026-11-25T17:27:34Z",
    "duration_ms": 2400,
    "counts": {"items_seen": 40, "linked": 1, "created": 0, "updated": 3,
               "conflicts_opened": 1, "skipped": 0, "errors": 0},
    "error": "",
}  # fmt: skip
CHANGE_EXAMPLE = {
    "asin": "B0FELLOW01",
    "title": "The Fellowship of the Ring",
    "book_id": 7,
    "change": "progress",
    "field": "progress_percent",
    "before": 40.0,
    "after": 55.5,
    "why": "Audible shows more of the title listened to.",
}


@extend_schema(
    summary="List my sync runs, newest first",
    description="Paged; filter by `status`, `trigger`, `since` and `until` (ISO dates or "
    "date-times, on `started_at`) and `dry_run`.",
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=SyncStatus.values),
        OpenApiParameter("trigger", OpenApiTypes.STR, enum=SyncTrigger.values),
        OpenApiParameter("since", OpenApiTypes.DATETIME, description="Started at or after."),
        OpenApiParameter("until", OpenApiTypes.DATETIME, description="Started before."),
        OpenApiParameter("dry_run", OpenApiTypes.BOOL),
    ],
    examples=[OpenApiExample("A run", value=RUN_EXAMPLE, response_only=True)],
    tags=["sync runs"],
)
class RunListView(generics.ListAPIView):
    serializer_class = SyncRunSerializer

    def get_queryset(self) -> QuerySet[AudibleSyncLog]:
        params = self.request.query_params
        runs = AudibleSyncLog.objects.filter(user=cast("User", self.request.user)).defer("changes")
        runs = filters.choice(runs, params, "status", SyncStatus.values)
        runs = filters.choice(runs, params, "trigger", SyncTrigger.values)
        runs = filters.boolean(runs, params, "dry_run")
        runs = filters.time_range(runs, params, "started_at")
        return runs.order_by("-started_at", "-id")


@extend_schema(
    summary="One sync run with its per-book changes",
    examples=[
        OpenApiExample(
            "A run and its changes",
            value={**RUN_EXAMPLE, "changes": [CHANGE_EXAMPLE]},
            response_only=True,
        )
    ],
    tags=["sync runs"],
)
class RunDetailView(generics.RetrieveAPIView):
    serializer_class = SyncRunDetailSerializer

    def get_queryset(self) -> QuerySet[AudibleSyncLog]:
        return AudibleSyncLog.objects.filter(user=cast("User", self.request.user))

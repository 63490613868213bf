"""``GET /api/history`` and ``GET /api/books/{id}/history``: when progress moved.

Rows are the sync's (and linking's) progress snapshots, newest first, paged. Filters:
``since`` / ``until`` on ``recorded_at``, ``asin``, ``book``, ``source``. Another person's
book is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from tracker_api.audible_sync.api import filters
from tracker_api.audible_sync.api.history_serializers import HistoryEntrySerializer
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import ProgressSource
from tracker_api.books.models import Book
from tracker_api.core.signed_in import signed_in_user

TAG = "progress history"
HISTORY_EXAMPLE = {
    "id": 41,
    "asin": "B0FELLOW01",
    "book_id": 7,
    "book_title": "The Fellowship of the Ring",
    "percent": 55.5,
    "previous_percent": 40.0,
    "position_ms": 26_700_000,
    "is_finished": False,
    "status_before": "reading",
    "status_after": "reading",
    "source": "sync",
    "sync_run_id": 12,
    "recorded_at": "2026-11-25T17:27:32Z",
}
TIME_PARAMETERS = [
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="Recorded at or after."),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="Recorded before."),
    OpenApiParameter("source", OpenApiTypes.STR, enum=ProgressSource.values),
]


def history_rows(
    queryset: QuerySet[AudibleProgressHistory], params: Any
) -> QuerySet[AudibleProgressHistory]:
    """The shared filters and order of every history list."""
    rows = filters.time_range(queryset, params, "recorded_at")
    rows = filters.choice(rows, params, "source", ProgressSource.values)
    return rows.select_related("book").order_by("-recorded_at", "-id")


@extend_schema(
    tags=[TAG],
    summary="My progress history, newest first",
    parameters=[
        *TIME_PARAMETERS,
        OpenApiParameter("asin", OpenApiTypes.STR, description="One Audible title."),
        OpenApiParameter("book", OpenApiTypes.INT, description="One book of mine."),
    ],
    examples=[OpenApiExample("A change", value=HISTORY_EXAMPLE, response_only=True)],
)
class HistoryListView(generics.ListAPIView):
    serializer_class = HistoryEntrySerializer

    def get_queryset(self) -> QuerySet[AudibleProgressHistory]:
        params = self.request.query_params
        rows = AudibleProgressHistory.objects.filter(user=signed_in_user(self.request))
        asin = filters.asin(params, "asin")
        if asin is not None:
            rows = rows.filter(asin=asin)
        book = filters.integer(params, "book")
        if book is not None:
            rows = rows.filter(book_id=book)
        return history_rows(rows, params)


@extend_schema(
    tags=[TAG],
    summary="A book's progress history, newest first",
    parameters=TIME_PARAMETERS,
    examples=[OpenApiExample("A change", value=HISTORY_EXAMPLE, response_only=True)],
)
class BookHistoryView(generics.ListAPIView):
    serializer_class = HistoryEntrySerializer

    def get_queryset(self) -> QuerySet[AudibleProgressHistory]:
        book = get_object_or_404(
            Book.objects.filter(user=signed_in_user(self.request)).only("pk"), pk=self.kwargs["pk"]
        )
        rows = AudibleProgressHistory.objects.filter(user=book.user_id, book=book)
        return history_rows(rows, self.request.query_params)

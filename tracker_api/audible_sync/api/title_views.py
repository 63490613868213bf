"""``GET /api/audible/titles`` and ``GET /api/audible/titles/{asin}``: thin views over
:mod:`tracker_api.audible_sync.titles`. Another person's title is a 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker_api.audible_sync import titles
from tracker_api.audible_sync.api import filters
from tracker_api.audible_sync.api.history_views import HISTORY_EXAMPLE
from tracker_api.audible_sync.api.title_serializers import TitleDetailSerializer
from tracker_api.audible_sync.api.title_serializers import TitleSerializer
from tracker_api.core.errors import ApiError

TAG = "audible titles"
TITLE_EXAMPLE = {
    "asin": "B0FELLOW01",
    "title": "The Fellowship of the Ring",
    "authors": ["J. R. R. Tolkien"],
    "state": "linked",
    "why": "Linked to a book of yours.",
    "book": {"id": 7, "title": "The Fellowship of the Ring", "status": "reading",
             "progress_percent": 55.5},
    "match_method": "fuzzy",
    "confidence": 0.93,
    "in_library": True,
    "last_percent": 55.5,
    "last_position_ms": 26_700_000,
    "last_is_finished": False,
    "last_finished_at": None,
    "last_seen_at": "2026-11-25T17:27:32Z",
    "conflict_id": None,
    "updated_at": "2026-11-25T17:27:32Z",
}  # fmt: skip
NOT_IMPORTED_EXAMPLE = {
    **TITLE_EXAMPLE,
    "asin": "B0SMJ8J2YQ", "title": "Thinking, Fast and Slow", "authors": [],
    "state": "not_imported", "why": "Not imported: left out by the import policy.",
    "book": None, "match_method": None, "confidence": None, "last_percent": None,
    "last_position_ms": None,
}  # fmt: skip


@extend_schema(
    tags=[TAG],
    summary="List my Audible titles and where each went",
    description="Each title with its book, or none and why (`state`, `why`). Ordered by "
    "title. `not_imported` titles come from the latest finished sync's log.",
    parameters=[
        OpenApiParameter(
            "status", OpenApiTypes.STR, enum=list(titles.STATES), description="One state only."
        ),
        OpenApiParameter("asin", OpenApiTypes.STR),
        OpenApiParameter("book", OpenApiTypes.INT, description="Titles linked to this book."),
        OpenApiParameter(
            "since",
            OpenApiTypes.DATETIME,
            description="Changed (seen by a sync, linked) at or after.",
        ),
    ],
    examples=[
        OpenApiExample("A linked title", value=TITLE_EXAMPLE, response_only=True),
        OpenApiExample("A title not imported", value=NOT_IMPORTED_EXAMPLE, response_only=True),
    ],
)
class TitleListView(generics.ListAPIView):
    serializer_class = TitleSerializer

    def get_queryset(self) -> list[dict[str, Any]]:  # type: ignore[override]
        params = self.request.query_params
        return titles.person_titles(
            self.request.user,
            state=filters.one_of(params, "status", titles.STATES),
            asin=filters.asin(params, "asin"),
            book_id=filters.integer(params, "book"),
            since=filters.moment(params, "since"),
        )


class TitleDetailView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="One Audible title with its history, conflicts and reads",
        responses={200: TitleDetailSerializer},
        examples=[
            OpenApiExample(
                "A title",
                value={
                    **TITLE_EXAMPLE,
                    "item": {"asin": "B0FELLOW01", "title": "The Fellowship of the Ring"},
                    "history": [HISTORY_EXAMPLE],
                    "conflicts": [],
                    "reads": [],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, asin: str) -> Response:
        found = None
        if asin.isascii() and asin.isalnum() and len(asin) <= 20:
            found = titles.title_detail(request.user, asin.upper())
        if found is None:
            raise ApiError("not_found", "Not found.", status_code=404)
        return Response(TitleDetailSerializer(found).data)

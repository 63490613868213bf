"""``/api/books``: the signed-in person's catalogue. Another person's book is a 404."""

from __future__ import annotations

from typing import Any
from typing import cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers
from rest_framework import status
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from tracker_api.books.api.serializers import BookSerializer
from tracker_api.books.api.serializers import ImportResultSerializer
from tracker_api.books.api.serializers import ImportUploadSerializer
from tracker_api.books.importers import ImportFormatError
from tracker_api.books.importers import ImportTooLarge
from tracker_api.books.importers import import_books
from tracker_api.books.models import Book
from tracker_api.books.models import BookStatus
from tracker_api.books.search import filter_by_search
from tracker_api.core.errors import ApiError
from tracker_api.core.parsers import ImportMultiPartParser
from tracker_api.core.parsers import payload_too_large
from tracker_api.core.signed_in import signed_in_user

BOOK_EXAMPLE = {
    "id": 7,
    "title": "Harry Potter and the Prisoner of Azkaban",
    "subtitle": "",
    "authors": ["J.K. Rowling"],
    "isbn10": "0439136369",
    "isbn13": "9780439136365",
    "asin": "",
    "goodreads_id": "5",
    "series": "Harry Potter",
    "series_position": "3",
    "language": "",
    "year": 1999,
    "pages": 435,
    "status": "reading",
    "progress_percent": 35.0,
    "started_at": "2025-01-02T00:00:00Z",
    "finished_at": None,
    "source": "goodreads",
    "created_at": "2025-01-02T10:00:00Z",
    "updated_at": "2025-01-20T10:00:00Z",
}
ANSWER = OpenApiExample("A book", value=BOOK_EXAMPLE, response_only=True)
NEW_BOOK = OpenApiExample(
    "A book by hand",
    value={
        "title": "Dune",
        "authors": ["Frank Herbert"],
        "isbn13": "9780441013593",
        "status": "reading",
        "progress_percent": 12.5,
    },
    request_only=True,
)
CHANGE = OpenApiExample("Finished it", value={"status": "read"}, request_only=True)
IMPORT_EXAMPLE = OpenApiExample(
    "An imported file",
    value={
        "format": "goodreads",
        "created": 6,
        "updated": 1,
        "unchanged": 0,
        "kept_count": 0,
        "kept": [],
        "skipped": [{"line": 8, "reason": "The row has no title."}],
        "notes": [],
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List my books, by title",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=BookStatus.values),
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="Words of the title or authors."
            ),
        ],
        examples=[ANSWER],
    ),
    create=extend_schema(
        summary="Add a book (a status other than want_to_read records its read)",
        examples=[NEW_BOOK, ANSWER],
    ),
    retrieve=extend_schema(summary="One of my books", examples=[ANSWER]),
    update=extend_schema(
        summary="Replace a book (status, percent and dates go to its reads)",
        examples=[NEW_BOOK, ANSWER],
    ),
    partial_update=extend_schema(
        summary="Change some of a book (status, percent and dates go to its reads)",
        examples=[CHANGE, ANSWER],
    ),
    destroy=extend_schema(summary="Delete a book, its reads and its history links"),
)
class BookViewSet(viewsets.ModelViewSet):
    serializer_class = BookSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Book]:
        books = Book.objects.filter(user=cast("User", self.request.user))
        if self.action != "list":
            return books
        status_filter = self.request.query_params.get("status")
        if status_filter:
            if status_filter not in BookStatus.values:
                raise serializers.ValidationError(
                    {"status": [f"Must be one of: {', '.join(BookStatus.values)}."]}
                )
            books = books.filter(status=status_filter)
        return filter_by_search(books, self.request.query_params.get("search", ""))

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.save(user=cast("User", self.request.user))

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportResultSerializer},
        summary="Import a Goodreads or StoryGraph CSV export",
        examples=[IMPORT_EXAMPLE],
    )
    @action(
        detail=False, methods=["post"], url_path="import", parser_classes=[ImportMultiPartParser]
    )
    def import_file(self, request: Request) -> Response:
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            result = import_books(signed_in_user(request), upload.validated_data["file"])
        except ImportTooLarge as exc:
            raise payload_too_large(exc.limit, "file") from exc
        except ImportFormatError as exc:
            raise ApiError("unknown_import_format", str(exc), fields={"file": [str(exc)]}) from exc
        return Response(result.as_dict(), status=status.HTTP_200_OK)

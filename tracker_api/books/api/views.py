"""``/api/books``: the signed-in person's catalogue. Another person's book is a 404."""

from __future__ import annotations

from typing import Any
from typing import cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
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


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=BookStatus.values),
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="Words of the title or authors."
            ),
        ]
    )
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

"""``/api/books/{id}/reads`` and ``/api/reads``: a person's reads, recorded and edited by hand.

Thin: the values a status implies, what may not be stored, and how the book follows its reads
are :mod:`tracker_api.books.reading`'s (the one rule the sync uses too). Another person's book
or read is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tracker_api.books import reading
from tracker_api.books.api.read_filters import filter_reads
from tracker_api.books.api.read_serializers import ReadRequestSerializer
from tracker_api.books.api.read_serializers import ReadSerializer
from tracker_api.books.api.read_serializers import ReadWriteResultSerializer
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.books.models import ReadSource
from tracker_api.books.models import ReadStatus
from tracker_api.core.signed_in import signed_in_user

TAG = "reads"
READ_EXAMPLE = {
    "id": 3,
    "book_id": 7,
    "book_title": "The Fellowship of the Ring",
    "status": "read",
    "started_at": "2025-03-01T20:00:00Z",
    "finished_at": "2025-03-19T21:30:00Z",
    "percent": 100.0,
    "source": "audible",
    "created_at": "2025-03-01T20:05:00Z",
    "updated_at": "2025-03-19T21:35:00Z",
}
BOOK_EXAMPLE = {
    "id": 7, "title": "The Fellowship of the Ring", "subtitle": "", "authors": ["J. R. R. Tolkien"],
    "isbn10": "", "isbn13": "9780261102354", "asin": "B0FELLOW01", "goodreads_id": "",
    "series": "The Lord of the Rings", "series_position": "1", "language": "english",
    "year": 1954, "pages": None, "status": "read", "progress_percent": 100.0,
    "started_at": "2025-03-01T20:00:00Z", "finished_at": "2025-03-19T21:30:00Z",
    "source": "audible", "created_at": "2025-03-01T20:05:00Z",
    "updated_at": "2025-03-19T21:35:00Z",
}  # fmt: skip
WRITE_EXAMPLES = [
    OpenApiExample(
        "Record a finished read",
        value={
            "status": "read",
            "started_at": "2025-03-01T20:00:00Z",
            "finished_at": "2025-03-19T21:30:00Z",
        },
        request_only=True,
    ),
    OpenApiExample(
        "The read and its book",
        value={"read": {**READ_EXAMPLE, "source": "manual"}, "book": BOOK_EXAMPLE},
        response_only=True,
    ),
]


def _ordered(reads: QuerySet[BookRead]) -> QuerySet[BookRead]:
    """Newest first by when it happened (finish, else start, else when recorded)."""
    return reads.order_by(
        F("finished_at").desc(nulls_first=True), F("started_at").desc(nulls_last=True), "-id"
    )


def _own_book(request: Request, pk: int, *, lock: bool = False) -> Book:
    books = Book.objects.filter(user=signed_in_user(request))
    if lock:
        books = books.select_for_update()
    return get_object_or_404(books, pk=pk)


def _checked(book: Book, read: BookRead | None, data: dict[str, Any]) -> dict[str, Any]:
    merged = reading.completed_read_values(data, read)
    problems = reading.read_problems(book, merged, read_pk=read.pk if read else None)
    if problems:
        raise serializers.ValidationError(problems)
    return merged


def _result(read: BookRead | None, book: Book) -> dict[str, Any]:
    book.refresh_from_db()
    return ReadWriteResultSerializer({"read": read, "book": book}).data


@extend_schema(tags=[TAG])
class BookReadsView(generics.ListAPIView):
    """A book's reads, and recording one by hand."""

    serializer_class = ReadSerializer

    def get_queryset(self) -> QuerySet[BookRead]:
        book = _own_book(self.request, self.kwargs["pk"])
        return _ordered(BookRead.objects.filter(book=book).select_related("book"))

    @extend_schema(
        summary="List a book's reads, newest first",
        examples=[OpenApiExample("A read", value=READ_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Record a read of a book by hand",
        description="The book's status, percent and dates then follow from its reads (the rule "
        "the sync uses): an open read makes it `reading`, else the latest closed read decides. "
        "At most one read per book is in progress.",
        request=ReadRequestSerializer,
        responses={201: ReadWriteResultSerializer},
        examples=WRITE_EXAMPLES,
    )
    def post(self, request: Request, pk: int) -> Response:
        _own_book(request, pk)  # another person's book is a 404 whatever the body says
        body = ReadRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            book = _own_book(request, pk, lock=True)
            merged = _checked(book, None, dict(body.validated_data))
            read = reading.save_read(book, None, merged)
        return Response(_result(read, book), status=201)


@extend_schema(tags=[TAG])
class BookReadDetailView(generics.GenericAPIView):
    """One read of a book: read it, change it, delete it."""

    serializer_class = ReadSerializer

    def get_queryset(self) -> QuerySet[BookRead]:
        return BookRead.objects.filter(
            book__user=signed_in_user(self.request), book_id=self.kwargs["pk"]
        ).select_related("book")

    def _read(self, *, lock: bool = False) -> BookRead:
        reads = self.get_queryset()
        if lock:
            reads = reads.select_for_update(of=("self",))
        return get_object_or_404(reads, pk=self.kwargs["read_id"])

    @extend_schema(
        summary="One read of a book",
        examples=[OpenApiExample("A read", value=READ_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, pk: int, read_id: int) -> Response:
        return Response(ReadSerializer(self._read()).data)

    @extend_schema(
        summary="Change a read (its status, dates or percent)",
        request=ReadRequestSerializer,
        responses={200: ReadWriteResultSerializer},
        examples=WRITE_EXAMPLES,
    )
    def patch(self, request: Request, pk: int, read_id: int) -> Response:
        self._read()  # another person's read is a 404 whatever the body says
        body = ReadRequestSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            book = _own_book(request, pk, lock=True)
            read = self._read(lock=True)
            merged = _checked(book, read, dict(body.validated_data))
            read = reading.save_read(book, read, merged)
        return Response(_result(read, book))

    @extend_schema(
        summary="Delete a read",
        description="The book follows its remaining reads; with none left it is `want_to_read`.",
        request=None,
        responses={200: ReadWriteResultSerializer},
        examples=[
            OpenApiExample(
                "The book without the read",
                value={
                    "read": None,
                    "book": {
                        **BOOK_EXAMPLE,
                        "status": "want_to_read",
                        "progress_percent": 0.0,
                        "started_at": None,
                        "finished_at": None,
                    },
                },
                response_only=True,
            )
        ],
    )
    def delete(self, request: Request, pk: int, read_id: int) -> Response:
        with transaction.atomic():
            _own_book(request, pk, lock=True)
            book = reading.delete_read(self._read(lock=True))
        return Response(_result(None, book))


@extend_schema(
    tags=[TAG],
    summary="List all my reads, newest first, filtered",
    description='`finished_year=2025` is "finished in 2025"; `in_progress=true` the reads '
    "going on now. `finished_after` is inclusive, `finished_before` exclusive (ISO dates or "
    "date-times).",
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=ReadStatus.values),
        OpenApiParameter("source", OpenApiTypes.STR, enum=ReadSource.values),
        OpenApiParameter("book", OpenApiTypes.INT, description="Reads of this book only."),
        OpenApiParameter("in_progress", OpenApiTypes.BOOL),
        OpenApiParameter("finished_year", OpenApiTypes.INT, description="e.g. 2025."),
        OpenApiParameter("finished_after", OpenApiTypes.DATETIME),
        OpenApiParameter("finished_before", OpenApiTypes.DATETIME),
    ],
    examples=[OpenApiExample("A read", value=READ_EXAMPLE, response_only=True)],
)
class ReadListView(generics.ListAPIView):
    serializer_class = ReadSerializer

    def get_queryset(self) -> QuerySet[BookRead]:
        reads = BookRead.objects.filter(book__user=signed_in_user(self.request))
        reads = reads.select_related("book")
        return _ordered(filter_reads(reads, self.request.query_params))


__all__ = ["BookReadDetailView", "BookReadsView", "ReadListView"]

"""Query-string filters of ``GET /api/reads``, each a 400 naming the parameter when bad."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from tracker_api.audible_sync.api import filters
from tracker_api.books.models import BookRead
from tracker_api.books.models import ReadSource
from tracker_api.books.models import ReadStatus


def filter_reads(reads: QuerySet[BookRead], params: Any) -> QuerySet[BookRead]:
    """``status``, ``source``, ``book``, ``in_progress``, ``finished_year``,
    ``finished_after`` (inclusive) and ``finished_before`` (exclusive)."""
    reads = filters.choice(reads, params, "status", ReadStatus.values)
    reads = filters.choice(reads, params, "source", ReadSource.values)
    book = filters.integer(params, "book")
    if book is not None:
        reads = reads.filter(book_id=book)
    in_progress = filters.flag(params, "in_progress")
    if in_progress is True:
        reads = reads.filter(status=ReadStatus.READING)
    elif in_progress is False:
        reads = reads.exclude(status=ReadStatus.READING)
    year = filters.integer(params, "finished_year")
    if year is not None:
        if not 1 <= year <= 9999:
            raise serializers.ValidationError({"finished_year": ["Must be 1 to 9999."]})
        reads = reads.filter(finished_at__year=year)
    after = filters.moment(params, "finished_after")
    if after is not None:
        reads = reads.filter(finished_at__gte=after)
    before = filters.moment(params, "finished_before")
    if before is not None:
        reads = reads.filter(finished_at__lt=before)
    return reads

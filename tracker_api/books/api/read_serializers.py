"""Shapes of the reads endpoints: a read, the body that records or edits one, and the answer
of a write (the read and its book as the one rule in ``books.reading`` left it)."""

from __future__ import annotations

from rest_framework import serializers

from tracker_api.books.api.serializers import BookSerializer
from tracker_api.books.models import BookRead
from tracker_api.books.models import ReadSource
from tracker_api.books.models import ReadStatus
from tracker_api.core.strict import StrictBodyMixin


class ReadSerializer(serializers.ModelSerializer):
    """One reading (or listening) of a book."""

    book_id = serializers.IntegerField(read_only=True)
    book_title = serializers.CharField(source="book.title", read_only=True)
    status = serializers.ChoiceField(choices=ReadStatus.choices)
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=ReadSource.choices,
        help_text="Who recorded it: audible (the sync or a link), import, manual (by hand).",
    )
    started_at = serializers.DateTimeField(allow_null=True, help_text="Null: not known.")
    finished_at = serializers.DateTimeField(allow_null=True, help_text="Null while in progress.")

    class Meta:
        model = BookRead
        fields = [
            "id",
            "book_id",
            "book_title",
            "status",
            "started_at",
            "finished_at",
            "percent",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReadRequestSerializer(StrictBodyMixin, serializers.Serializer):
    """A read recorded or edited by hand. ``read`` means 100 % and a finish (now unless
    given); ``did_not_finish`` needs a finish too (now unless given); ``reading`` has none."""

    status = serializers.ChoiceField(choices=ReadStatus.choices, required=False)
    started_at = serializers.DateTimeField(allow_null=True, required=False)
    finished_at = serializers.DateTimeField(allow_null=True, required=False)
    percent = serializers.FloatField(min_value=0, max_value=100, required=False)


class ReadWriteResultSerializer(serializers.Serializer):
    """What a write did: the read (null after a delete) and its book as it now is."""

    read = ReadSerializer(allow_null=True)
    book = BookSerializer()

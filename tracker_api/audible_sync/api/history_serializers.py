"""The shape of one progress-history row (``/api/history``, a book's and a title's history)."""

from __future__ import annotations

from rest_framework import serializers

from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import ProgressSource
from tracker_api.books.models import BookStatus

_STATUS_OR_EMPTY = [("", "No book"), *BookStatus.choices]


class HistoryEntrySerializer(serializers.ModelSerializer):
    """A moment a title's progress or finished flag changed, and the book's status around it."""

    book_id = serializers.IntegerField(allow_null=True, help_text="Null: no book (any more).")
    book_title = serializers.SerializerMethodField()
    sync_run_id = serializers.IntegerField(
        source="sync_log_id", allow_null=True, help_text="The run that saw it; null: a link."
    )
    source = serializers.ChoiceField(choices=ProgressSource.choices)  # type: ignore[assignment]
    status_before = serializers.ChoiceField(choices=_STATUS_OR_EMPTY)
    status_after = serializers.ChoiceField(choices=_STATUS_OR_EMPTY)

    class Meta:
        model = AudibleProgressHistory
        fields = [
            "id",
            "asin",
            "book_id",
            "book_title",
            "percent",
            "previous_percent",
            "position_ms",
            "is_finished",
            "status_before",
            "status_after",
            "source",
            "sync_run_id",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_book_title(self, entry: AudibleProgressHistory) -> str | None:
        return entry.book.title if entry.book_id and entry.book is not None else None

"""Shapes of ``/api/audible/titles`` (each title and where it went) and a title's detail."""

from __future__ import annotations

from rest_framework import serializers

from tracker_api.audible_sync.api.history_serializers import HistoryEntrySerializer
from tracker_api.audible_sync.api.serializers import AudibleItemSerializer
from tracker_api.audible_sync.api.serializers import ConflictSerializer
from tracker_api.audible_sync.models import MatchMethod
from tracker_api.audible_sync.titles import STATES
from tracker_api.books.api.read_serializers import ReadSerializer
from tracker_api.books.models import BookStatus


class TitleBookSerializer(serializers.Serializer):
    """The book a title went to, as it now is."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=BookStatus.choices)
    progress_percent = serializers.FloatField()


class TitleSerializer(serializers.Serializer):
    """An Audible title of mine: its book, or none and why (``state``, ``why``)."""

    asin = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    authors = serializers.ListField(child=serializers.CharField())
    state = serializers.ChoiceField(
        choices=list(STATES),
        help_text="linked, ignored, conflict_open, not_imported (policy or podcast), "
        "not_in_library, unlinked (its book was deleted).",
    )
    why = serializers.CharField(help_text="The state in words.")
    book = TitleBookSerializer(allow_null=True)
    match_method = serializers.ChoiceField(
        choices=MatchMethod.choices, allow_null=True, help_text="How it was linked."
    )
    confidence = serializers.FloatField(allow_null=True, help_text="0..1; null: exact or manual.")
    in_library = serializers.BooleanField()
    last_percent = serializers.FloatField(allow_null=True)
    last_position_ms = serializers.IntegerField(allow_null=True)
    last_is_finished = serializers.BooleanField()
    last_finished_at = serializers.DateTimeField(allow_null=True)
    last_seen_at = serializers.DateTimeField(allow_null=True)
    conflict_id = serializers.IntegerField(allow_null=True, help_text="The open conflict, if any.")
    updated_at = serializers.DateTimeField(allow_null=True)


class TitleDetailSerializer(TitleSerializer):
    """A title with its last Audible snapshot, its progress history (newest first, the last
    100), every conflict it had and its book's reads."""

    item = AudibleItemSerializer()
    history = HistoryEntrySerializer(many=True)
    conflicts = ConflictSerializer(many=True)
    reads = ReadSerializer(many=True)

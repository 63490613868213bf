"""Shapes of undo: what a revert did (a run undone, or what an old link wrote reverted)."""

from __future__ import annotations

from rest_framework import serializers

from tracker_api.audible_sync.undo.records import ChangeKind
from tracker_api.core.strict import StrictBodyMixin


class RevertSerializer(serializers.Serializer):
    """A revert, itself a logged change set (``id``)."""

    id = serializers.IntegerField(help_text="The revert's own change set.")
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    created_at = serializers.DateTimeField()
    summary = serializers.CharField()
    books_restored = serializers.ListField(
        child=serializers.IntegerField(), help_text="Books put back as they were."
    )
    books_deleted = serializers.ListField(
        child=serializers.IntegerField(), help_text="Books the undone action had created."
    )
    reads_restored = serializers.IntegerField()
    reads_deleted = serializers.IntegerField(help_text="Reads the undone action had opened.")
    history_deleted = serializers.IntegerField()
    mappings_restored = serializers.IntegerField()
    mappings_deleted = serializers.IntegerField()
    conflicts_deleted = serializers.IntegerField()
    records_reverted = serializers.IntegerField(help_text="Change records (titles) reverted.")


class UndoRequestSerializer(StrictBodyMixin, serializers.Serializer):
    """No fields: the run is in the path. An empty body (or ``{}``) is the request."""


class UndoResultSerializer(serializers.Serializer):
    run = serializers.IntegerField(help_text="The run that was undone.")
    undo = RevertSerializer()

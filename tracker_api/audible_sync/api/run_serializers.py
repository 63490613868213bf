"""A sync run's shapes: one counts object and one run summary, used by ``POST
/api/audible/sync``, ``GET /api/audible/status`` (``last_sync``), the cron answer and the run
list alike; the run detail adds the per-book changes (:mod:`tracker_api.audible_sync.runs`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import SyncStatus
from tracker_api.audible_sync.models import SyncTrigger
from tracker_api.audible_sync.runs import CHANGE_KINDS
from tracker_api.audible_sync.runs import COUNT_FIELDS
from tracker_api.audible_sync.runs import run_changes


class SyncCountsSerializer(serializers.Serializer):
    """What a run counted (read from the log row; the names are ``runs.COUNT_FIELDS``)."""

    items_seen = serializers.IntegerField(help_text="Titles Audible listed.")
    linked = serializers.IntegerField(help_text="Titles newly linked to a book of yours.")
    created = serializers.IntegerField(help_text="Books created from Audible titles.")
    updated = serializers.IntegerField(help_text="Linked books whose progress changed.")
    conflicts_opened = serializers.IntegerField(help_text="Titles waiting for your decision.")
    skipped = serializers.IntegerField(help_text="Titles not imported (the changes say why).")
    errors = serializers.IntegerField(help_text="Titles that could not be applied.")  # type: ignore[assignment]  # a field named like Serializer.errors

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {name: int(getattr(instance, name) or 0) for name in COUNT_FIELDS}


class SyncRunSerializer(serializers.Serializer):
    """One sync run: when, how it ended, and its counts."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SyncStatus.choices)
    trigger = serializers.ChoiceField(choices=SyncTrigger.choices)
    dry_run = serializers.BooleanField(help_text="Decided, but wrote nothing.")
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    counts = SyncCountsSerializer(source="*")
    error = serializers.CharField(allow_blank=True, help_text="Why it failed, for people.")


class RunChangeSerializer(serializers.Serializer):
    """One change of a run, in the one documented shape (see docs/api.md)."""

    asin = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_null=True, allow_blank=True)
    book_id = serializers.IntegerField(
        allow_null=True, help_text="The book it went to; null when none (a skip, a conflict)."
    )
    change = serializers.ChoiceField(choices=list(CHANGE_KINDS), help_text="What happened.")
    field = serializers.CharField(
        allow_null=True,
        help_text="status, progress_percent, started_at, finished_at, percent; null: no field.",
    )
    before = serializers.JSONField(help_text="The value before (any JSON); null: none.")
    after = serializers.JSONField(help_text="The value after (any JSON).")
    why = serializers.CharField(allow_blank=True, help_text="Why, in words.")


class SyncRunDetailSerializer(SyncRunSerializer):
    """A run with every per-book change it noted."""

    changes = serializers.SerializerMethodField()

    @extend_schema_field(RunChangeSerializer(many=True))
    def get_changes(self, log: AudibleSyncLog) -> list[dict[str, Any]]:
        return list(RunChangeSerializer(run_changes(log.changes), many=True).data)

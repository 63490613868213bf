"""The change log that makes undo possible: what every sync run and manual link wrote.

The sync log (``AudibleSyncLog.changes``) says per title what changed, for people, and keeps
at most ``MAX_LOGGED_CHANGES`` entries. This log is complete and exact, so it can be
reversed: one :class:`ChangeSet` per action (a sync run, a manual link, an undo or a revert)
and one :class:`ChangeRecord` per title the action touched, holding every row it wrote with
that row's values before and after. docs/sync.md ("Undo") describes the rules; the JSON shape
of ``ChangeRecord.data`` is::

    {
      "book":     {"id": 7, "op": "update" | "create", "before": {...} | null, "after": {...}},
      "mapping":  {"id": 3, "op": "update" | "create", "before": {...} | null, "after": {...}},
      "reads":    [{"id": 11, "op": "update" | "create", "before": {...} | null,
                    "after": {...}}],
      "history":  [41, 42],        # progress history rows the action wrote (ids)
      "conflicts": [5]             # conflicts the action opened (ids)
    }

Each part is present only when the action touched it. ``before``/``after`` carry the row's
fields as JSON (date-times as ISO 8601 in UTC): a book's ``status``, ``progress_percent``,
``started_at``, ``finished_at`` and ``updated_at``; a read's ``book_id``, ``status``,
``started_at``, ``finished_at``, ``percent``, ``source`` and ``updated_at``; a mapping's fields
that changed plus ``updated_at``. ``updated_at`` is how an undo knows that nothing else wrote
the row since: a row whose values are no longer the recorded ``after`` was touched by someone.

A revert (an undone run, or a relink/unlink that reverted what the old link wrote) is itself
a change set, whose records hold the rows as the revert found them (``before``) and left them
(``after``, null for a deleted row, ``op`` ``restore`` or ``delete``). The records it reverted
point at it (``reverted_by``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ChangeKind(models.TextChoices):
    SYNC = "sync", "Sync run"
    LINK = "link", "Manual link"
    UNDO_RUN = "undo_run", "Undo of a sync run"
    REVERT_LINK = "revert_link", "Revert of what an old link wrote"


REVERT_KINDS = (ChangeKind.UNDO_RUN, ChangeKind.REVERT_LINK)


class ChangeSet(models.Model):
    """One action that changed the tracker: a sync run, a manual link, an undo, a revert."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audible_change_sets"
    )
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    sync_log = models.ForeignKey(
        "audible_sync.AudibleSyncLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_sets",
        help_text="The sync run (kind sync), or the run an undo reverted (kind undo_run).",
    )
    asin = models.CharField(max_length=20, blank=True, default="", help_text="For links.")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who acted (links, undos and reverts).",
    )
    reverts = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reverted_in",
        help_text="For an undo: the change set it undid.",
    )
    summary = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "audible_change_sets"
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-id"], name="audible_change_sets_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ChangeKind.values), name="audible_change_set_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        """The action in words, for refusals: "sync run 14 (2026-12-02 20:10 UTC)"."""
        when = self.created_at.strftime("%Y-%m-%d %H:%M UTC") if self.created_at else "now"
        if self.kind == ChangeKind.SYNC:
            run = f"sync run {self.sync_log_id}" if self.sync_log_id else "a sync run"
            return f"{run} ({when})"
        if self.kind == ChangeKind.LINK:
            return f"the manual link of {self.asin} ({when})"
        if self.kind == ChangeKind.UNDO_RUN:
            return f"the undo of sync run {self.sync_log_id} ({when})"
        return f"the revert of what the old link of {self.asin} wrote ({when})"


class ChangeRecord(models.Model):
    """Every row one action wrote for one title, before and after (see the module docstring).

    ``book_pk``/``mapping_pk`` are plain ids, not foreign keys: the record must outlive the
    rows (an undo deletes the books and mappings a run created) to say what it did.
    """

    change_set = models.ForeignKey(ChangeSet, on_delete=models.CASCADE, related_name="records")
    asin = models.CharField(max_length=20, blank=True, default="")
    title = models.CharField(max_length=500, blank=True, default="")
    book_pk = models.BigIntegerField(null=True, blank=True, db_index=True)
    mapping_pk = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    reverted_by = models.ForeignKey(
        ChangeSet,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reverted_records",
    )

    class Meta:
        db_table = "audible_change_records"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.asin or self.title or 'change'} in {self.change_set_id}"

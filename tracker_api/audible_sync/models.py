"""The Audible integration's tables: config, mappings, sync logs, conflicts, progress history.

Table names are the original schema's. Every choice column and every percentage is also checked
by the database, so a bug in one code path cannot store a value the others do not expect.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker_api.audible_sync import sync_bounds
from tracker_api.books.models import Book
from tracker_api.books.models import BookStatus


def _percent_ok(field: str, nullable: bool = False) -> Q:
    in_range = Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": 100})
    return in_range | Q(**{f"{field}__isnull": True}) if nullable else in_range


class ImportPolicy(models.TextChoices):
    ALL = "all", "Every library title"
    STARTED = "started", "Only titles I have started"
    FINISHED = "finished", "Only titles I have finished"


class AudibleConfig(models.Model):
    """One person's Audible connection and sync preferences.

    ``sealed_auth`` is the gateway's Fernet-sealed auth blob: opaque here, never shown in the
    API, the admin or a log. ``sync_lock_token``/``sync_locked_at`` hold the per-user sync lock
    (compare-and-set); ``next_sync_at`` lets cron workers claim due users with an index.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audible_config"
    )
    sealed_auth = models.TextField(blank=True, default="")
    account = models.JSONField(
        default=dict, blank=True, help_text="locale, marketplace, customer_name"
    )
    enabled = models.BooleanField(default=True)
    auto_sync = models.BooleanField(default=True)
    sync_interval_minutes = models.PositiveIntegerField(
        default=sync_bounds.default_sync_interval_minutes
    )
    daily_sync_cap = models.PositiveIntegerField(default=sync_bounds.default_daily_sync_cap)
    import_policy = models.CharField(
        max_length=10, choices=ImportPolicy.choices, default=ImportPolicy.ALL
    )
    import_podcasts = models.BooleanField(default=False)
    needs_relogin = models.BooleanField(default=False)
    connected_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    sync_lock_token = models.CharField(max_length=64, blank=True, default="")
    sync_locked_at = models.DateTimeField(null=True, blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "audible_config"
        verbose_name = "Audible config"
        # The operator's right (tracker_api.core.roles): superusers have it implicitly.
        permissions = [("force_sync", "Can sync past the rate limit (force)")]
        indexes = [
            models.Index(
                fields=["enabled", "auto_sync", "next_sync_at"], name="audible_config_due"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    sync_interval_minutes__gte=sync_bounds.ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES
                ),
                name="audible_config_interval_floor",
            ),
            models.CheckConstraint(
                condition=Q(daily_sync_cap__gte=1)
                & Q(daily_sync_cap__lte=sync_bounds.ABSOLUTE_MAX_DAILY_SYNC_CAP),
                name="audible_config_daily_cap_range",
            ),
            models.CheckConstraint(
                condition=Q(import_policy__in=ImportPolicy.values),
                name="audible_config_import_policy_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Audible config of {self.user}"

    @property
    def is_connected(self) -> bool:
        return bool(self.sealed_auth)


class MatchMethod(models.TextChoices):
    ISBN = "isbn", "ISBN"
    ASIN = "asin", "ASIN"
    FUZZY = "fuzzy", "Fuzzy match"
    MANUAL = "manual", "Chosen by hand"
    CREATED = "created", "New book created"


class AudibleBookMapping(models.Model):
    """Which tracker book an Audible title (by ASIN) is, for one person.

    ``book`` is empty for a title marked "not mine" (``ignored``) or whose book was deleted.
    ``in_library`` goes false when Audible reports the title revoked or it disappears.
    The ``last_*`` fields are the progress last applied, so a sync writes only changes.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audible_mappings"
    )
    asin = models.CharField(max_length=20)
    book = models.ForeignKey(
        Book, on_delete=models.SET_NULL, null=True, blank=True, related_name="audible_mappings"
    )
    match_method = models.CharField(max_length=10, choices=MatchMethod.choices)
    confidence = models.FloatField(null=True, blank=True)
    ignored = models.BooleanField(default=False, help_text='"Not mine" on a shared account.')
    in_library = models.BooleanField(default=True)
    item = models.JSONField(default=dict, blank=True, help_text="Last normalised Audible item.")
    last_percent = models.FloatField(null=True, blank=True)
    last_is_finished = models.BooleanField(default=False)
    last_position_ms = models.BigIntegerField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Audible book mapping"
        db_table = "audible_book_mappings"
        ordering = ["user", "asin"]
        constraints = [
            models.UniqueConstraint(fields=["user", "asin"], name="audible_mapping_unique_asin"),
            models.CheckConstraint(
                condition=Q(match_method__in=MatchMethod.values),
                name="audible_mapping_method_valid",
            ),
            models.CheckConstraint(
                condition=_percent_ok("last_percent", nullable=True),
                name="audible_mapping_percent_0_100",
            ),
            models.CheckConstraint(
                condition=(Q(confidence__gte=0) & Q(confidence__lte=1))
                | Q(confidence__isnull=True),
                name="audible_mapping_confidence_0_1",
            ),
        ]

    def __str__(self) -> str:
        """ "Title ↔ book" as people read it (the Audible title, then the book it links to)."""
        title = (self.item or {}).get("title") or self.asin
        if self.ignored:
            return f"{title} (ignored, not mine)"
        if self.book_id is None:
            return f"{title} (not linked)"
        return f"{title} ↔ {self.book.title if self.book else self.book_id}"


class SyncTrigger(models.TextChoices):
    MANUAL = "manual", "Manual"
    API = "api", "API"
    CRON = "cron", "Cron"
    COMMAND = "command", "Management command"


class SyncStatus(models.TextChoices):
    RUNNING = "running", "Running"
    OK = "ok", "OK"
    PARTIAL = "partial", "Partly applied"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (rate limited or locked)"


class SyncErrorCode(models.TextChoices):
    """Why a run failed, as data where code acts on it (``AudibleSyncLog.error_code``)."""

    INTERRUPTED = "interrupted", "Interrupted (the process running it stopped)"


class AudibleSyncLog(models.Model):
    """One sync run. Created as ``running``; finished once as ok / partial / failed / skipped.

    ``changes`` lists, per changed book, what changed (for people reading the log); ``error`` is
    a sentence for people, never a token or a stack trace.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audible_sync_logs"
    )
    trigger = models.CharField(max_length=10, choices=SyncTrigger.choices)
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    items_seen = models.PositiveIntegerField(default=0)
    # Titles handled so far while a run started from the admin goes ("Sync now" progress); at
    # its end, every title it went through. Null when nobody followed the run (nullable also
    # lets SQLite add the column without rebuilding the table under the SQL views).
    items_applied = models.PositiveIntegerField(null=True, blank=True)
    linked = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    conflicts_opened = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    # What the sync cost Audible (pages, position lookups, retries), as the gateway counted
    # it; null when Audible was not asked (a file sync, a fetch that failed).
    audible_requests = models.PositiveIntegerField(null=True, blank=True)
    changes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    # What code decides on (``SyncErrorCode``), where ``error`` is the sentence for people: an
    # interrupted run does not hold back the next one (``ratelimit.last_counted_start``). Null
    # otherwise (nullable also lets SQLite add the column under the SQL views).
    error_code = models.CharField(  # noqa: DJ001 - null, not "": SQLite adds it in place
        max_length=20, choices=SyncErrorCode.choices, null=True, blank=True
    )
    dry_run = models.BooleanField(default=False)

    class Meta:
        verbose_name = "Audible sync log"
        db_table = "audible_sync_logs"
        ordering = ["-started_at", "-id"]
        # Undoing a run (tracker_api.audible_sync.undo): people have it for their own runs.
        permissions = [("undo_audiblesynclog", "Can undo a sync run")]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="audible_logs_user_started"),
            models.Index(fields=["started_at"], name="audible_logs_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(trigger__in=SyncTrigger.values), name="audible_log_trigger_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SyncStatus.values), name="audible_log_status_valid"
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.started_at).strftime("%Y-%m-%d %H:%M")
        return f"Sync of {when} ({self.get_status_display()})"


class Recommendation(models.TextChoices):
    STRONG = "strong", "Strong"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NONE = "none", "None"


class ConflictStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ConflictResolution(models.TextChoices):
    LINKED = "linked", "Linked to a book"
    CREATED = "created", "New book created"
    IGNORED = "ignored", "Ignored (not mine)"


class AudibleConflict(models.Model):
    """An Audible title the matcher would not decide alone: at most one open per (user, asin).

    ``candidates`` is the ranked list ``[{book_id, title, authors, distance, similarity,
    penalties, reasons}]``; ``resolution`` is empty while open and set once resolved.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audible_conflicts"
    )
    asin = models.CharField(max_length=20)
    item = models.JSONField(default=dict, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    recommendation = models.CharField(
        max_length=10, choices=Recommendation.choices, default=Recommendation.NONE
    )
    status = models.CharField(
        max_length=10, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    resolution = models.CharField(
        max_length=10, choices=ConflictResolution.choices, blank=True, default=""
    )
    resolved_book = models.ForeignKey(
        Book, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Audible conflict"
        db_table = "audible_conflicts"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "status"], name="audible_conflicts_user_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "asin"],
                condition=Q(status="open"),
                name="audible_conflict_one_open_per_asin",
            ),
            models.CheckConstraint(
                condition=Q(recommendation__in=Recommendation.values),
                name="audible_conflict_recommendation_valid",
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(resolution=""))
                | (Q(status="resolved") & Q(resolution__in=ConflictResolution.values)),
                name="audible_conflict_resolution_matches_status",
            ),
        ]

    def __str__(self) -> str:
        title = (self.item or {}).get("title") or self.asin
        return f"Conflict: {title}" + ("" if self.status == "open" else " (resolved)")


class ProgressSource(models.TextChoices):
    SYNC = "sync", "Sync"
    LINK = "link", "Linking"
    MANUAL = "manual", "Manual"


_STATUS_OR_EMPTY = ["", *BookStatus.values]


class AudibleProgressHistory(models.Model):
    """A snapshot written only when a title's progress or finished flag changed.

    ``status_before``/``status_after`` are the book's status around the change (empty when no
    book), so the changes that moved a status are findable and survive retention thinning.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audible_progress"
    )
    mapping = models.ForeignKey(
        AudibleBookMapping, on_delete=models.CASCADE, related_name="progress_history"
    )
    book = models.ForeignKey(
        Book, on_delete=models.SET_NULL, null=True, blank=True, related_name="audible_progress"
    )
    asin = models.CharField(max_length=20)
    percent = models.FloatField()
    previous_percent = models.FloatField(null=True, blank=True)
    position_ms = models.BigIntegerField(null=True, blank=True)
    is_finished = models.BooleanField(default=False)
    status_before = models.CharField(
        max_length=20, choices=BookStatus.choices, blank=True, default=""
    )
    status_after = models.CharField(
        max_length=20, choices=BookStatus.choices, blank=True, default=""
    )
    sync_log = models.ForeignKey(
        AudibleSyncLog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_history",
    )
    source = models.CharField(
        max_length=10, choices=ProgressSource.choices, default=ProgressSource.SYNC
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "Audible progress history"
        db_table = "audible_progress_history"
        verbose_name_plural = "Audible progress history"
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["mapping", "-recorded_at"], name="audible_history_mapping"),
            models.Index(fields=["user", "-recorded_at"], name="audible_history_user"),
            models.Index(fields=["recorded_at"], name="audible_history_recorded"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_percent_ok("percent"), name="audible_history_percent_0_100"
            ),
            models.CheckConstraint(
                condition=_percent_ok("previous_percent", nullable=True),
                name="audible_history_previous_percent_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status_before__in=_STATUS_OR_EMPTY)
                & Q(status_after__in=_STATUS_OR_EMPTY),
                name="audible_history_statuses_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=ProgressSource.values),
                name="audible_history_source_valid",
            ),
        ]

    def __str__(self) -> str:
        title = self.book.title if self.book_id and self.book else self.asin
        when = timezone.localtime(self.recorded_at).strftime("%Y-%m-%d %H:%M")
        return f"{title}: {self.percent:.1f} % on {when}"


class ListeningPeriod(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"


class AudibleListening(models.Model):
    """Milliseconds one person listened in one day or month, as Audible's own aggregates say.

    Fetched during a sync (``tracker_api.audible_sync.listening``) and kept, one row per
    (person, period, first day of the period), so a chart or ``/api/stats`` never asks Audible.
    A later fetch overwrites the periods it covers (the current day and month grow).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audible_listening"
    )
    period = models.CharField(max_length=5, choices=ListeningPeriod.choices)
    starts_on = models.DateField(help_text="The day, or the first day of the month.")
    listened_ms = models.BigIntegerField(default=0)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "audible_listening_stats"
        verbose_name = "Audible listening time"
        verbose_name_plural = "Audible listening time"
        ordering = ["user", "period", "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "starts_on"], name="audible_listening_unique_period"
            ),
            models.CheckConstraint(
                condition=Q(period__in=ListeningPeriod.values),
                name="audible_listening_period_valid",
            ),
            models.CheckConstraint(
                condition=Q(listened_ms__gte=0), name="audible_listening_ms_not_negative"
            ),
        ]

    def __str__(self) -> str:
        minutes = round(self.listened_ms / 60000)
        when = self.starts_on.isoformat() if self.period == "day" else f"{self.starts_on:%B %Y}"
        return f"{when}: {minutes // 60} h {minutes % 60:02d} min listened"


# The change log that undo reverses (its own module: tracker_api.audible_sync.undo.records).
from tracker_api.audible_sync.undo.records import ChangeKind  # noqa: E402,F401
from tracker_api.audible_sync.undo.records import ChangeRecord  # noqa: E402,F401
from tracker_api.audible_sync.undo.records import ChangeSet  # noqa: E402,F401

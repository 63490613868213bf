"""What the dashboard shows, gathered in a fixed number of queries whatever the data's size.

Each function reads one panel with one query (aggregates and subqueries do the per-row work in
the database); :func:`build_dashboard` puts the panels together. Nothing here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Subquery
from django.db.models.fields.json import KT
from django.utils import timezone

from tracker_api.audible_sync.dashboard.listening_panel import Listened
from tracker_api.audible_sync.dashboard.listening_panel import listened
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.audible_sync.status import sync_status
from tracker_api.books.models import Book
from tracker_api.books.models import BookStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

RECENT_SYNCS = 10
TOP_CONFLICTS = 5
LISTENING_LIMIT = 20
PICKER_LIMIT = 500


def recent_syncs(user: User, limit: int = RECENT_SYNCS) -> list[AudibleSyncLog]:
    """The newest sync logs, without their (possibly long) per-book change lists."""
    return list(
        AudibleSyncLog.objects.filter(user=user)
        .defer("changes")
        .order_by("-started_at", "-id")[:limit]
    )


def open_conflicts(user: User, limit: int = TOP_CONFLICTS) -> list[dict[str, Any]]:
    """The newest open conflicts' id, ASIN, Audible title, recommendation and date."""
    return list(
        AudibleConflict.objects.filter(user=user, status=ConflictStatus.OPEN)
        .annotate(title=KT("item__title"))
        .values("id", "asin", "title", "recommendation", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class Listening:
    """A book being listened to: its Audible percent (the book's own when unknown)."""

    book: Book
    asin: str
    percent: float
    updated_at: datetime | None
    runtime_min: int | None = None
    position_ms: int | None = None

    @property
    def left_ms(self) -> int | None:
        """Time left: the runtime less Audible's position, else less the percent heard."""
        if not self.runtime_min:
            return None
        total = self.runtime_min * 60_000
        if self.position_ms is not None and 0 <= self.position_ms <= total:
            return total - self.position_ms
        return round(total * (100.0 - self.percent) / 100.0)


def currently_listening(user: User, limit: int = LISTENING_LIMIT) -> tuple[list[Listening], bool]:
    """Books with status *reading* linked to an Audible title, most recently moved first.

    Returns up to ``limit`` of them and whether there are more. The last update is the newest
    progress-history row of the title (a subquery on its index), else when it was last seen.
    """
    latest = (
        AudibleProgressHistory.objects.filter(mapping=OuterRef("pk"))
        .order_by("-recorded_at", "-id")
        .values("recorded_at")[:1]
    )
    rows = (
        AudibleBookMapping.objects.filter(
            user=user, ignored=False, book__isnull=False, book__status=BookStatus.READING
        )
        .select_related("book")
        .defer("item")
        .annotate(last_progress_at=Subquery(latest), runtime=KT("item__runtime_min"))
        .order_by(F("last_progress_at").desc(nulls_last=True), "book__title", "id")[: limit + 1]
    )
    listening: list[Listening] = []
    seen_books: set[int] = set()
    for mapping in rows:
        if mapping.book is None or mapping.book.pk in seen_books:
            continue  # two Audible editions of one book: show the book once
        seen_books.add(mapping.book.pk)
        percent = mapping.last_percent
        if percent is None:
            percent = mapping.book.progress_percent
        listening.append(
            Listening(
                book=mapping.book,
                asin=mapping.asin,
                percent=round(min(max(float(percent), 0.0), 100.0), 1),
                updated_at=mapping.last_progress_at or mapping.last_seen_at,
                runtime_min=_minutes(mapping.runtime),
                position_ms=mapping.last_position_ms,
            )
        )
    return listening[:limit], len(listening) > limit


def _minutes(value: Any) -> int | None:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        return None
    return minutes if minutes > 0 else None


@dataclass
class Dashboard:
    """Everything one person's dashboard shows."""

    user: User
    status: dict[str, Any]
    syncs: list[AudibleSyncLog]
    conflicts: list[dict[str, Any]]
    listening: list[Listening]
    more_listening: bool
    listened: Listened

    @property
    def open_conflict_count(self) -> int:
        return int(self.status["stats"]["open_conflicts"])


def build_dashboard(user: User, *, now: datetime | None = None) -> Dashboard:
    """The whole dashboard for ``user``; the number of queries does not depend on their data."""
    now = now or timezone.now()
    listening, more = currently_listening(user)
    return Dashboard(
        user=user,
        status=sync_status(user, now),
        syncs=recent_syncs(user),
        conflicts=open_conflicts(user),
        listening=listening,
        more_listening=more,
        listened=listened(user, today=now.astimezone(UTC).date()),
    )


def picker_users(limit: int = PICKER_LIMIT) -> list[User]:
    """People a superuser can pick: everyone with an Audible config, by name (one query)."""
    model = get_user_model()
    return list(
        model.objects.filter(audible_config__isnull=False)
        .order_by(model.USERNAME_FIELD)
        .only("pk", model.USERNAME_FIELD)[:limit]
    )

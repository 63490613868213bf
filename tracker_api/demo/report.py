"""The short report the demo prints after its sync, read straight from the tracker's tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker_api.audible_sync.runs import COUNT_FIELDS

LOG_FIELDS = ("status", *COUNT_FIELDS, "duration_ms")


@dataclass(frozen=True)
class DemoReport:
    last_sync: dict[str, Any]
    conflicts: list[str]
    reading: list[tuple[str, float]]
    finished: list[str]
    not_in_library: list[str]
    skipped: list[tuple[str, str]]

    def lines(self) -> list[str]:
        sync = self.last_sync
        out = [
            f"Sync {sync['status']} in {sync['duration_ms']} ms: {sync['items_seen']} titles "
            f"seen, {sync['linked']} linked to your books, {sync['created']} new books, "
            f"{sync['updated']} books updated, {sync['conflicts_opened']} conflicts opened, "
            f"{sync['skipped']} skipped.",
            "",
            f"Conflicts waiting for your decision ({len(self.conflicts)}):",
            *[f"  - {title}" for title in self.conflicts],
            f"Now reading ({len(self.reading)}):",
            *[f"  - {title}  {percent:.0f}%" for title, percent in self.reading],
            f"Finished on Audible ({len(self.finished)}):",
            *[f"  - {title}" for title in self.finished],
        ]
        if self.not_in_library:
            out.append("No longer in the Audible library (kept, with their history):")
            out.extend(f"  - {title}" for title in self.not_in_library)
        if self.skipped:
            out.append("Not imported, and why:")
            out.extend(f"  - {title}: {reason}" for title, reason in self.skipped)
        return out


def build_report(username: str) -> DemoReport:
    """Read the demo user's last sync, open conflicts and books (Django must be set up)."""
    from tracker_api.audible_sync.models import AudibleBookMapping
    from tracker_api.audible_sync.models import AudibleConflict
    from tracker_api.audible_sync.models import AudibleSyncLog
    from tracker_api.books.models import Book

    log = (
        AudibleSyncLog.objects.filter(user__username=username)
        .exclude(status="skipped")
        .order_by("-started_at")
        .first()
    )
    audible_books = Book.objects.filter(
        user__username=username, audible_mappings__isnull=False
    ).order_by("title")
    return DemoReport(
        last_sync={name: getattr(log, name, 0) for name in LOG_FIELDS},
        conflicts=sorted(
            str(item.get("title") or asin)
            for asin, item in AudibleConflict.objects.filter(
                user__username=username, status="open"
            ).values_list("asin", "item")
        ),
        reading=[
            (title, float(percent or 0))
            for title, percent in audible_books.filter(status="reading").values_list(
                "title", "progress_percent"
            )
        ],
        finished=list(audible_books.filter(status="read").values_list("title", flat=True)),
        skipped=[
            (str(change.get("title") or change.get("asin")), str(change.get("reason") or ""))
            for change in (getattr(log, "changes", None) or [])
            if change.get("change") == "skipped"
        ],
        not_in_library=[
            str(item.get("title") or asin)
            for asin, item in AudibleBookMapping.objects.filter(
                user__username=username, in_library=False
            ).values_list("asin", "item")
        ],
    )

"""A person decides what an Audible title is: link it to a book, create one, or ignore it.

The REST API (``/api/audible/link``, ``/api/audible/conflicts/{id}/resolve``) and the admin
both call these plain functions, so the rules live in one place:

* every action is one transaction; the conflict row and the mapping row are locked
  (``select_for_update``, conflict first) and the conflict is closed with a compare-and-set
  update, so two people resolving the same conflict at once get one success and one
  :class:`ConflictAlreadyResolved`;
* linking (or creating) resolves the open conflict of that ASIN, moves an existing mapping to
  the new book, and applies the stored Audible progress to the book *now* (through
  :func:`tracker_api.audible_sync.progress.apply_progress`, the sync's own rules), rather than
  at the next sync;
* ignoring ("not mine" on a shared account) keeps a mapping with no book, so the sync skips
  the title from then on;
* relinking, creating or ignoring a title linked to another book can first revert what the
  old link wrote to that book (``revert=True``: its status, percent, dates, the reads and
  history it wrote, a book it created; ``undo.revert.revert_link``), refused with
  :class:`RevertBlocked` when something newer touched the book;
* every action is recorded in the change log (``undo.journal``) with each row's values before
  and after.

``user`` is the owner of the Audible account; ``by`` is whoever acted (the owner through the
API, or a staff member in the admin).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import replace
from typing import TYPE_CHECKING
from typing import Any

from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone

from tracker_api.audible_sync import progress
from tracker_api.audible_sync.items import book_from_item
from tracker_api.audible_sync.items import work_of
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import ConflictResolution
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.audible_sync.models import MatchMethod
from tracker_api.audible_sync.models import ProgressSource
from tracker_api.audible_sync.undo import revert as undo
from tracker_api.audible_sync.undo.journal import Journal
from tracker_api.audible_sync.undo.records import ChangeKind
from tracker_api.books.models import Book
from tracker_api.core.service_errors import ServiceError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ASIN_PATTERN = re.compile(r"^[A-Z0-9]{1,20}$")
LAST_PROGRESS_RESET = {
    "last_percent": None,
    "last_is_finished": False,
    "last_position_ms": None,
    "last_finished_at": None,
}


class LinkingError(ServiceError):
    """A refusal with a stable ``code``, a sentence for people and the HTTP status it means."""

    code = "linking_error"
    status = 400


class BookNotFound(LinkingError):
    code = "book_not_found"
    status = 404


class AsinNotFound(LinkingError):
    code = "asin_not_found"
    status = 404


class ConflictAlreadyResolved(LinkingError):
    code = "conflict_already_resolved"
    status = 409


class ConflictNotFound(LinkingError):
    code = "not_found"
    status = 404


class InvalidAsin(LinkingError):
    code = "invalid_asin"
    status = 400


class RevertBlocked(LinkingError):
    """The old link's writes could not be reverted (something newer touched the book)."""

    code = "undo_blocked"
    status = 409


@dataclass(frozen=True)
class LinkOutcome:
    """What an action did: the mapping as it now is, the conflict it closed, the book."""

    mapping: AudibleBookMapping
    book: Book | None
    resolved_conflict: AudibleConflict | None
    created_book: bool = False
    progress_applied: bool = False
    reverted: undo.RevertOutcome | None = None


def clean_asin(value: Any) -> str:
    """ASINs are upper-case letters and digits; anything else is refused, not guessed at."""
    asin = str(value or "").strip().upper()
    if not ASIN_PATTERN.match(asin):
        raise InvalidAsin("An ASIN is 1 to 20 letters and digits, e.g. B002V5D7B0.")
    return asin


def link_asin(
    user: User,
    asin: str,
    book_id: int | str | None,
    *,
    by: User | None = None,
    confidence: float | None = None,
    revert: bool = False,
) -> LinkOutcome:
    """Link ``asin`` to the owner's book ``book_id`` (moving any existing mapping).

    An ASIN no sync has seen yet may be linked ahead of time: the first sync then finds it
    mapped. Raises :class:`BookNotFound` for a book that is not the owner's. ``revert``:
    first revert what the old link wrote to the book the title leaves.
    """
    asin = clean_asin(asin)
    with transaction.atomic():
        book = _owned_book(user, book_id)
        conflict = _lock_open_conflict(user, asin)
        return _link(
            user,
            asin,
            book,
            conflict,
            by=by,
            method=MatchMethod.MANUAL,
            confidence=confidence,
            revert=revert,
        )


def create_book_from_item(
    user: User,
    asin: str,
    *,
    by: User | None = None,
    revert: bool = False,
) -> LinkOutcome:
    """Create a tracker book from the stored Audible item of ``asin`` and link it.

    The item comes from the open conflict or the mapping; an ASIN with neither raises
    :class:`AsinNotFound` (a sync must have seen it first).
    """
    asin = clean_asin(asin)
    with transaction.atomic():
        conflict = _lock_open_conflict(user, asin)
        return _create(user, asin, conflict, by=by, revert=revert)


def ignore_asin(
    user: User,
    asin: str,
    *,
    by: User | None = None,
    revert: bool = False,
) -> LinkOutcome:
    """Mark ``asin`` "not mine": its mapping keeps no book and the sync leaves it alone.
    ``revert``: first revert what the link wrote to the book it had (an unlink)."""
    asin = clean_asin(asin)
    with transaction.atomic():
        conflict = _lock_open_conflict(user, asin)
        return _ignore(user, asin, conflict, by=by, revert=revert)


def resolve_conflict(
    conflict_id: int,
    action: str,
    *,
    user: User,
    by: User | None = None,
    book_id: int | str | None = None,
) -> LinkOutcome:
    """Resolve the owner's conflict ``conflict_id`` with ``link`` (``book_id``), ``create``
    or ``ignore``. Raises :class:`ConflictAlreadyResolved` when someone got there first."""
    with transaction.atomic():
        conflict = (
            AudibleConflict.objects.select_for_update().filter(pk=conflict_id, user=user).first()
        )
        if conflict is None:
            raise ConflictNotFound("You have no conflict with this id.")
        if conflict.status != ConflictStatus.OPEN:
            raise ConflictAlreadyResolved(
                f"This conflict was already resolved ({conflict.get_resolution_display()})."
            )
        if action == "link":
            if book_id is None:
                raise LinkingError("Say which book to link: book_id.")
            book = _owned_book(user, book_id)
            return _link(
                user,
                conflict.asin,
                book,
                conflict,
                by=by,
                method=MatchMethod.MANUAL,
                confidence=candidate_similarity(conflict, book.pk),
            )
        if action == "create":
            return _create(user, conflict.asin, conflict, by=by)
        if action == "ignore":
            return _ignore(user, conflict.asin, conflict, by=by)
        raise LinkingError("The action must be link, create or ignore.")


def candidate_similarity(conflict: AudibleConflict, book_id: int) -> float | None:
    """The matcher's similarity for ``book_id`` if it was one of the conflict's candidates."""
    for candidate in conflict.candidates or []:
        if _candidate_book_id(candidate) == book_id:
            similarity = candidate.get("similarity")
            if isinstance(similarity, int | float):
                return min(1.0, max(0.0, float(similarity)))
    return None


def _candidate_book_id(candidate: dict[str, Any]) -> int | None:
    value = candidate.get("id", candidate.get("book_id"))
    try:
        return int(value)  # type: ignore[arg-type]  # None and junk are the TypeError below
    except (TypeError, ValueError):
        return None


# --- inside the transaction -------------------------------------------------------------------


def _owned_book(user: User, book_id: Any) -> Book:
    try:
        pk = int(book_id)
    except (TypeError, ValueError):
        pk = None
    book = Book.objects.filter(user=user, pk=pk).first() if pk is not None else None
    if book is None:
        raise BookNotFound("You have no book with this id.")
    return book


def _lock_open_conflict(user: User, asin: str) -> AudibleConflict | None:
    return (
        AudibleConflict.objects.select_for_update()
        .filter(user=user, asin=asin, status=ConflictStatus.OPEN)
        .first()
    )


def _lock_mapping(user: User, asin: str) -> AudibleBookMapping | None:
    return AudibleBookMapping.objects.select_for_update().filter(user=user, asin=asin).first()


def _stored_item(
    asin: str, conflict: AudibleConflict | None, mapping: AudibleBookMapping | None
) -> dict[str, Any] | None:
    """The newest Audible snapshot we hold: the open conflict's, else the mapping's."""
    for source in (conflict, mapping):
        if source is not None and source.item and source.item.get("title"):
            return dict(source.item)
    return None


def _upsert_mapping(
    user: User, asin: str, changes: dict[str, Any], journal: Journal
) -> tuple[AudibleBookMapping, bool]:
    """Lock and update the mapping, or create it; a concurrent create is retried as update."""
    mapping = _lock_mapping(user, asin)
    if mapping is None:
        try:
            with transaction.atomic():
                mapping = AudibleBookMapping.objects.create(user=user, asin=asin, **changes)
                journal.mapping_created(mapping)
                return mapping, True
        except IntegrityError:
            mapping = _lock_mapping(user, asin)
            if mapping is None:  # pragma: no cover - the unique row vanished again
                raise
    journal.mapping_before(mapping)
    for name, value in changes.items():
        setattr(mapping, name, value)
    mapping.save()
    return mapping, False


def _close_conflict(
    conflict: AudibleConflict | None,
    resolution: str,
    book: Book | None,
    by: User | None,
) -> AudibleConflict | None:
    """Close ``conflict`` once (compare-and-set on ``status``) and return it as stored."""
    if conflict is None:
        return None
    now = timezone.now()
    closed = AudibleConflict.objects.filter(pk=conflict.pk, status=ConflictStatus.OPEN).update(
        status=ConflictStatus.RESOLVED,
        resolution=resolution,
        resolved_book=book,
        resolved_by=by,
        resolved_at=now,
        updated_at=now,
    )
    if closed != 1:
        raise ConflictAlreadyResolved("This conflict was resolved by someone else just now.")
    conflict.refresh_from_db()
    return conflict


def _link(
    user: User,
    asin: str,
    book: Book,
    conflict: AudibleConflict | None,
    *,
    by: User | None,
    method: str,
    confidence: float | None,
    created_book: bool = False,
    revert: bool = False,
    journal: Journal | None = None,
) -> LinkOutcome:
    existing = _lock_mapping(user, asin)
    reverted = _revert_old_link(user, existing, book, by=by) if revert else None
    journal = journal or _journal(user, asin, by)
    item = _stored_item(asin, conflict, existing) or {"asin": asin}
    changes: dict[str, Any] = {
        "book": book,
        "match_method": method,
        "confidence": confidence,
        "ignored": False,
        "item": item,
    }
    if existing is not None and existing.book_id != book.pk:
        # A moved mapping: the new book has not had this progress yet.
        changes.update(LAST_PROGRESS_RESET)
    mapping, _ = _upsert_mapping(user, asin, changes, journal)
    resolved = _close_conflict(conflict, _resolution_for(method), book, by)
    applied = _apply_stored_progress(mapping, item, journal)
    journal.save()
    book.refresh_from_db()
    return LinkOutcome(
        mapping=mapping,
        book=book,
        resolved_conflict=resolved,
        created_book=created_book,
        progress_applied=applied,
        reverted=reverted,
    )


def _journal(user: User, asin: str, by: User | None) -> Journal:
    return Journal(user.pk, ChangeKind.LINK, by=by, asin=asin, summary=f"Manual link of {asin}.")


def _revert_old_link(
    user: User,
    existing: AudibleBookMapping | None,
    new_book: Book | None,
    *,
    by: User | None,
) -> undo.RevertOutcome | None:
    """Revert what the title's old link wrote to the book it leaves (nothing if it stays)."""
    if existing is None or existing.book_id is None:
        return None
    if new_book is not None and existing.book_id == new_book.pk:
        return None
    try:
        return undo.revert_link(user, existing, by=by)
    except undo.UndoRefused as exc:
        raise RevertBlocked(exc.message) from None


def _resolution_for(method: str) -> str:
    if method == MatchMethod.CREATED:
        return ConflictResolution.CREATED
    return ConflictResolution.LINKED


def _create(
    user: User,
    asin: str,
    conflict: AudibleConflict | None,
    *,
    by: User | None,
    revert: bool = False,
) -> LinkOutcome:
    existing = _lock_mapping(user, asin)
    item = _stored_item(asin, conflict, existing)
    if item is None:
        raise AsinNotFound(
            "No Audible title with this ASIN has been seen in your library yet; sync first."
        )
    reverted = _revert_old_link(user, existing, None, by=by) if revert else None
    journal = _journal(user, asin, by)
    book = book_from_item(user.pk, work_of(item))
    book.save()
    journal.book_created(book, asin=asin)
    outcome = _link(
        user,
        asin,
        book,
        conflict,
        by=by,
        method=MatchMethod.CREATED,
        confidence=None,
        created_book=True,
        journal=journal,
    )
    if reverted is not None:
        outcome = replace(outcome, reverted=reverted)
    return outcome


def _ignore(
    user: User,
    asin: str,
    conflict: AudibleConflict | None,
    *,
    by: User | None,
    revert: bool = False,
) -> LinkOutcome:
    existing = _lock_mapping(user, asin)
    reverted = _revert_old_link(user, existing, None, by=by) if revert else None
    journal = _journal(user, asin, by)
    item = _stored_item(asin, conflict, existing) or {"asin": asin}
    changes: dict[str, Any] = {"book": None, "ignored": True, "item": item, "confidence": None}
    if existing is None:
        changes["match_method"] = MatchMethod.MANUAL
    mapping, _ = _upsert_mapping(user, asin, changes, journal)
    resolved = _close_conflict(conflict, ConflictResolution.IGNORED, None, by)
    journal.save()
    return LinkOutcome(mapping=mapping, book=None, resolved_conflict=resolved, reverted=reverted)


def _apply_stored_progress(
    mapping: AudibleBookMapping, item: dict[str, Any], journal: Journal
) -> bool:
    """Apply the item's progress to the freshly linked book now, with the sync's rules."""
    if not isinstance(item.get("progress"), dict) or mapping.book_id is None:
        return False
    try:
        change = progress.apply_progress(mapping, item, source=ProgressSource.LINK, journal=journal)
    except (TypeError, ValueError):
        # An unreadable progress block must not undo the person's decision; the next sync
        # reports the item's problem.
        return False
    return change is not None

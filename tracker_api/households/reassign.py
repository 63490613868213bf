"""Moving what was already written when a title changes person (reassignment).

Audible keeps one position per title, so a reassigned title's *future* progress goes to its
new person from the next sync on (``sync.apply``). What the syncs already wrote for the old
person (the book's reading, its reads, its progress history) stays theirs until someone asks to
move it: the person who lost the title, or the owner. :func:`offers` lists what may be moved,
:func:`move_progress` moves it, in one transaction, holding the connection's sync lock:

1. the old person's reads and history of the title are **copied** to the new person's book
   (recorded in the undo log as a change set of kind ``link`` for the new person, so a later
   relink there reverts it like any link);
2. then what the syncs and links wrote for the old person is **reverted** with the undo
   capability (``undo.revert.revert_link``): their book is back as it was before, a book the
   sync created is deleted, their copied reads and history rows are gone from their tracker;
3. when the undo log refuses (the old person edited the book since, or the rows were written
   before the log existed), step 2 is skipped: the rows are **kept** (copied, not moved) and
   the move says why.

Either way a :class:`~tracker_api.households.models.ProgressMove` records who asked, what was
carried and why; nothing is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.db.models import F

from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import ProgressSource
from tracker_api.audible_sync.sync import lock
from tracker_api.audible_sync.undo.journal import Journal
from tracker_api.audible_sync.undo.records import ChangeKind
from tracker_api.audible_sync.undo.revert import UndoRefused
from tracker_api.audible_sync.undo.revert import revert_link
from tracker_api.books import reading
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.books.models import ReadSource
from tracker_api.households import membership
from tracker_api.households.membership import refused
from tracker_api.households.models import Household
from tracker_api.households.models import MoveOutcome
from tracker_api.households.models import ProgressMove
from tracker_api.households.models import TitleRoute

READ_FIELDS = ("status", "started_at", "finished_at", "percent")
HISTORY_FIELDS = (
    "asin",
    "percent",
    "previous_percent",
    "position_ms",
    "is_finished",
    "status_before",
    "status_after",
    "recorded_at",
)


@dataclass(frozen=True)
class Offer:
    """A reassigned title whose old person still holds progress written for it."""

    route: TitleRoute
    title: str
    reads: int
    history: int
    ready: bool  # the new person's tracker holds the title as a book (else: next sync/conflict)


def offers(household: Household, viewer_id: int, limit: int = 500) -> list[Offer]:
    """What ``viewer_id`` may move: titles they lost (the owner: every reassigned title)
    whose old person has a book with Audible reads or history for it, not moved since the
    route changed. Six queries, whatever the number of titles."""
    routes = TitleRoute.objects.filter(
        household=household, previous_person__isnull=False, person__isnull=False
    ).exclude(person_id=F("previous_person_id"))
    if viewer_id != household.owner_id:
        routes = routes.filter(previous_person_id=viewer_id)
    rows = list(routes.order_by("asin")[:limit])
    if not rows:
        return []
    asins = [r.asin for r in rows]
    olds = {r.previous_person_id for r in rows}
    books: dict[tuple[int | None, str], Book | None] = {
        (m.user_id, m.asin): m.book
        for m in AudibleBookMapping.objects.filter(
            user_id__in=olds, asin__in=asins, book__isnull=False
        ).select_related("book")
    }
    news = {r.person_id for r in rows}
    ready = set(
        AudibleBookMapping.objects.filter(
            user_id__in=news, asin__in=asins, book__isnull=False
        ).values_list("user_id", "asin")
    )
    reads = dict(
        BookRead.objects.filter(
            book_id__in=[b.pk for b in books.values() if b is not None],
            source=ReadSource.AUDIBLE,
        )
        .values("book_id")
        .annotate(n=Count("id"))
        .values_list("book_id", "n")
    )
    history: dict[tuple[int | None, str], int] = {
        (user, asin): n
        for user, asin, n in AudibleProgressHistory.objects.filter(user_id__in=olds, asin__in=asins)
        .values("user_id", "asin")
        .annotate(n=Count("id"))
        .values_list("user_id", "asin", "n")
    }
    moved: dict[tuple[str, int | None, int | None], Any] = {}
    for asin, old, new, when in ProgressMove.objects.filter(
        household=household, asin__in=asins
    ).values_list("asin", "from_person_id", "to_person_id", "moved_at"):
        moved[(asin, old, new)] = max(when, moved.get((asin, old, new), when))
    found = []
    for route in rows:
        key = (route.previous_person_id, route.asin)
        book = books.get(key)
        done = moved.get((route.asin, route.previous_person_id, route.person_id))
        if book is None or (done is not None and done >= route.decided_at):
            continue
        count, rows_of_history = reads.get(book.pk, 0), history.get(key, 0)
        if count or rows_of_history:
            waiting = (route.person_id, route.asin) not in ready
            found.append(Offer(route, book.title, count, rows_of_history, not waiting))
    return found


def move_progress(household: Household, asin: str, *, by: Any) -> ProgressMove:
    """Carry what was written for ``asin`` from the person who lost it to its person now.

    Refuses (``HouseholdError``) unless the title's route changed person, ``by`` is the
    person who lost it or the owner, the new person's tracker holds the title as a book (the
    sync after the reassignment puts it there; a conflict must be resolved first), and no
    sync of the connection runs meanwhile.
    """
    route = TitleRoute.objects.filter(household=household, asin=asin).first()
    if (
        route is None
        or route.previous_person_id is None
        or route.person_id is None
        or route.previous_person_id == route.person_id
    ):
        raise refused("household_nothing_to_move", "This title was not given to someone else.", 409)
    old, new = route.previous_person_id, route.person_id
    if by.pk not in (old, household.owner_id):
        raise refused(
            "household_not_owner",
            "Only the person who lost the title, or the owner, moves its progress.",
            403,
        )
    if not membership.is_member(household, new):
        raise refused("household_not_member", "The title's person left the household.", 409)
    token = lock.acquire(household.connection_id)
    if token is None:
        raise refused(
            "household_sync_running",
            "A sync of the household's connection is running; move the progress when it ends.",
            409,
        )
    try:
        with transaction.atomic():
            return _move(household, route, old, new, by=by)
    finally:
        lock.release(household.connection_id, token)


def _move(household: Household, route: TitleRoute, old: int, new: int, *, by: Any) -> ProgressMove:
    asin = route.asin
    source = (
        AudibleBookMapping.objects.select_for_update()
        .filter(user_id=old, asin=asin, book__isnull=False)
        .first()
    )
    if source is None:
        raise refused(
            "household_nothing_to_move", "Nothing was written for this title before.", 409
        )
    target = (
        AudibleBookMapping.objects.select_for_update()
        .filter(user_id=new, asin=asin, book__isnull=False)
        .first()
    )
    names = dict(get_user_model().objects.filter(pk__in=[old, new]).values_list("pk", "username"))
    if target is None:
        raise refused(
            "household_move_not_ready",
            f"The title is not a book in {names.get(new, 'their')}'s tracker yet: the next sync "
            "puts it there (or resolve their conflict for it), then move the progress.",
            409,
        )
    old_book = Book.objects.select_for_update().get(pk=source.book_id or 0, user_id=old)
    new_book = Book.objects.select_for_update().get(pk=target.book_id or 0, user_id=new)
    why = (
        f"{names.get(by.pk, 'someone')} moved the progress of {asin} from "
        f"{names.get(old, old)} to {names.get(new, new)}: the title is now "
        f"{names.get(new, new)}'s ({route.get_reason_display().lower()}: {route.detail})"
    )[:500]
    journal = Journal(new, ChangeKind.LINK, by=by, asin=asin, summary=why)
    journal.mapping_before(target)  # ties the record to the mapping: a relink reverts it
    reads = _copy_reads(journal, old_book, new_book, target)
    history = _copy_history(journal, old, asin, new_book, target)
    journal.book_before(new_book, target)
    reading.refresh_book(new_book)
    written = journal.save()
    outcome, reverted, note = MoveOutcome.MOVED, None, ""
    try:
        with transaction.atomic():
            reverted_outcome = revert_link(_user(old), source, by=by)
    except UndoRefused as exc:
        outcome, note = MoveOutcome.COPIED, f" Kept for {names.get(old, old)}: {exc.message}"
    else:
        if reverted_outcome is None:
            outcome = MoveOutcome.COPIED
            note = f" Kept for {names.get(old, old)}: the undo log holds nothing for it."
        else:
            reverted = reverted_outcome.change_set
    return ProgressMove.objects.create(
        household=household,
        asin=asin,
        from_person_id=old,
        to_person_id=new,
        by=by,
        outcome=outcome,
        why=(why + "." + note)[:500],
        reads_copied=reads,
        history_copied=history,
        written=written,
        reverted=reverted,
    )


def _user(pk: int) -> Any:
    return get_user_model().objects.get(pk=pk)


def _copy_reads(journal: Journal, old_book: Book, new_book: Book, target: Any) -> int:
    """The old book's Audible reads onto the new book; a reading already on the new book
    (same start, or the one open read) is kept and given the further percent."""
    theirs = list(new_book.reads.all())
    copied = 0
    for read in old_book.reads.filter(source=ReadSource.AUDIBLE).order_by("id"):
        same = next(
            (
                r
                for r in theirs
                if (reading.is_open(r) and reading.is_open(read))
                or (r.started_at is not None and r.started_at == read.started_at)
            ),
            None,
        )
        if same is not None:
            if read.percent > same.percent and same.status == read.status:
                journal.read_before(new_book, target, same)
                same.percent = read.percent
                same.save(update_fields=["percent", "updated_at"])
            continue
        made = BookRead(book=new_book, source=ReadSource.AUDIBLE)
        for name in READ_FIELDS:
            setattr(made, name, getattr(read, name))
        made.save()
        journal.read_created(new_book, target, made)
        theirs.append(made)
        copied += 1
    return copied


def _copy_history(journal: Journal, old: int, asin: str, new_book: Book, target: Any) -> int:
    """The old person's progress history of the title, as the new person's (source link)."""
    have = set(
        AudibleProgressHistory.objects.filter(user_id=target.user_id, asin=asin).values_list(
            "recorded_at", "percent"
        )
    )
    rows = []
    for row in AudibleProgressHistory.objects.filter(user_id=old, asin=asin).order_by(
        "recorded_at", "id"
    ):
        if (row.recorded_at, row.percent) in have:
            continue
        copy = AudibleProgressHistory(
            user_id=target.user_id, mapping=target, book=new_book, source=ProgressSource.LINK
        )
        for name in HISTORY_FIELDS:
            setattr(copy, name, getattr(row, name))
        rows.append(copy)
    AudibleProgressHistory.objects.bulk_create(rows)
    for copy in rows:
        journal.history_created(new_book, target, copy)
    return len(rows)

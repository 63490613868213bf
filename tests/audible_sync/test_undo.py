"""Undo through the real stack: a wrong link reverted on relink, a run undone, undo refused.

The sandbox plays the person's Audible app, the real gateway serves it over HTTP, the tracker
syncs from it on PostgreSQL, and the person acts over the REST API (``POST /api/audible/link``
with ``revert``, ``POST /api/audible/runs/{id}/undo``). "Exactly as before" compares whole
rows: every column of the books, reads, progress history, mappings and conflicts.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from tests.support.factories import BookFactory
from tests.support.people import token_client
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.sync import run_sync
from tracker_api.audible_sync.undo.records import ChangeKind
from tracker_api.audible_sync.undo.records import ChangeRecord
from tracker_api.audible_sync.undo.records import ChangeSet
from tracker_api.books import reading
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead

ASIN = "B0SMJ8J2YQ"  # Thinking, Fast and Slow: unplayed in the sample library
OTHER = "B06EFSRHAS"  # The Martian
JAN_2024 = datetime(2024, 1, 10, tzinfo=UTC)


def book_rows(book_id: int) -> dict:
    """A book exactly: its row, its reads, its progress history (every column)."""
    return {
        "book": list(Book.objects.filter(pk=book_id).values()),
        "reads": list(BookRead.objects.filter(book_id=book_id).order_by("id").values()),
        "history": list(
            AudibleProgressHistory.objects.filter(book_id=book_id).order_by("id").values()
        ),
    }


def tracker_rows(user) -> dict:
    """Everything a sync writes for ``user``, every column."""
    return {
        "books": list(Book.objects.filter(user=user).order_by("id").values()),
        "reads": list(BookRead.objects.filter(book__user=user).order_by("id").values()),
        "history": list(AudibleProgressHistory.objects.filter(user=user).order_by("id").values()),
        "mappings": list(AudibleBookMapping.objects.filter(user=user).order_by("id").values()),
        "conflicts": list(AudibleConflict.objects.filter(user=user).order_by("id").values()),
    }


def sync(user):
    outcome = run_sync(user, trigger="manual", force=True)
    assert outcome.status == "ok", outcome.log.error
    return outcome.log


def test_a_wrong_link_then_relink_with_revert_puts_the_first_book_back(listener, stack):
    api = token_client(listener)
    wrong = BookFactory(user=listener, title="Thinking in Systems", authors=["Donella Meadows"])
    BookRead.objects.create(
        book=wrong, status="read", finished_at=JAN_2024, source="import", percent=100.0
    )
    reading.refresh_book(wrong)
    right = BookFactory(user=listener, title="Thinking, Fast and Slow", authors=["D. Kahneman"])
    sync(listener)  # the library is seen (the title unplayed, so it was not matched to either)
    AudibleBookMapping.objects.filter(user=listener, asin=ASIN).delete()
    before_link = book_rows(wrong.pk)
    right_before = book_rows(right.pk)

    answer = api.post("/api/audible/link", {"asin": ASIN, "book_id": wrong.pk}, format="json")
    assert answer.status_code == 200, answer.content
    stack.state.update_progress(ASIN, percent=40.0, is_finished=False)
    sync(listener)
    stack.state.update_progress(ASIN, percent=55.0, is_finished=False)
    sync(listener)
    wrong.refresh_from_db()
    assert (wrong.status, wrong.progress_percent) == ("reading", 55.0)  # a re-read, wrongly
    assert book_rows(wrong.pk) != before_link
    assert book_rows(right.pk) == right_before

    answer = api.post(
        "/api/audible/link",
        {"asin": ASIN, "book_id": right.pk, "revert": True},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["reverted"]["books_restored"] == [wrong.pk]
    assert body["reverted"]["reads_deleted"] == 1
    assert body["reverted"]["history_deleted"] == 2
    assert book_rows(wrong.pk) == before_link  # exactly: rows, reads and history
    right.refresh_from_db()
    assert (right.status, right.progress_percent) == ("reading", 55.0)
    assert right.reads.get().percent == 55.0
    assert body["book"]["id"] == right.pk
    assert body["mapping"]["book_id"] == right.pk
    # The revert is itself logged, and the records it reverted point at it.
    revert = ChangeSet.objects.get(pk=body["reverted"]["id"])
    assert revert.kind == ChangeKind.REVERT_LINK
    assert revert.by == listener
    reverted = ChangeRecord.objects.filter(reverted_by=revert)
    assert {r.change_set.kind for r in reverted} == {"link", "sync"}
    assert revert.records.count() >= 1


def test_relink_without_revert_keeps_what_the_old_link_wrote(listener, stack):
    api = token_client(listener)
    wrong = BookFactory(user=listener, title="Thinking in Systems", authors=["Donella Meadows"])
    right = BookFactory(user=listener, title="Thinking, Fast and Slow", authors=["D. Kahneman"])
    api.post("/api/audible/link", {"asin": ASIN, "book_id": wrong.pk}, format="json")
    sync(listener)
    stack.state.update_progress(ASIN, percent=40.0, is_finished=False)
    sync(listener)
    answer = api.post("/api/audible/link", {"asin": ASIN, "book_id": right.pk}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["reverted"] is None
    wrong.refresh_from_db()
    assert (wrong.status, wrong.progress_percent) == ("reading", 40.0)  # the old request shape


def test_undo_a_run_puts_every_row_back(listener, stack):
    api = token_client(listener)
    pristine = tracker_rows(listener)
    first = sync(listener)
    after_first = tracker_rows(listener)
    assert after_first["books"]
    assert after_first["mappings"]
    stack.state.update_progress(ASIN, percent=30.0, is_finished=False)
    stack.state.update_progress(OTHER, is_finished=True, finished_at="2025-11-02T21:00:00Z")
    second = sync(listener)
    assert tracker_rows(listener) != after_first

    answer = api.post(f"/api/audible/runs/{second.pk}/undo")
    assert answer.status_code == 200, answer.content
    assert answer.json()["run"] == second.pk
    assert tracker_rows(listener) == after_first  # exactly as the first run left it
    again = api.post(f"/api/audible/runs/{second.pk}/undo")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_undone")

    answer = api.post(f"/api/audible/runs/{first.pk}/undo")
    assert answer.status_code == 200, answer.content
    assert tracker_rows(listener) == pristine  # books it created, mappings, conflicts: gone
    undo_sets = ChangeSet.objects.filter(user=listener, kind=ChangeKind.UNDO_RUN)
    assert sorted(s.sync_log_id for s in undo_sets) == sorted([first.pk, second.pk])

    third = sync(listener)  # the next sync applies Audible's report again, from scratch
    assert third.created == len(after_first["books"])


def test_undo_is_refused_after_a_newer_run_touched_a_book(listener, stack):
    api = token_client(listener)
    sync(listener)
    stack.state.update_progress(ASIN, percent=20.0, is_finished=False)
    older = sync(listener)
    stack.state.update_progress(ASIN, percent=35.0, is_finished=False)
    newer = sync(listener)
    before = tracker_rows(listener)
    answer = api.post(f"/api/audible/runs/{older.pk}/undo")
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "undo_blocked"
    assert f"sync run {newer.pk}" in error["message"]
    assert "Thinking, Fast and Slow" in error["message"]
    assert tracker_rows(listener) == before  # nothing was touched
    # Undo the newer run first, then the older one is allowed.
    assert api.post(f"/api/audible/runs/{newer.pk}/undo").status_code == 200
    assert api.post(f"/api/audible/runs/{older.pk}/undo").status_code == 200
    book = Book.objects.get(user=listener, title__startswith="Thinking, Fast")
    assert (book.status, book.progress_percent, book.reads.count()) == ("want_to_read", 0.0, 0)


def test_undo_is_refused_when_the_person_changed_the_book_since(listener, stack):
    api = token_client(listener)
    sync(listener)
    stack.state.update_progress(ASIN, percent=20.0, is_finished=False)
    run = sync(listener)
    book = Book.objects.get(user=listener, title__startswith="Thinking, Fast")
    edited = api.patch(f"/api/books/{book.pk}", {"progress_percent": 25.0}, format="json")
    assert edited.status_code == 200, edited.content
    answer = api.post(f"/api/audible/runs/{run.pk}/undo")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "undo_blocked"
    assert "was changed after it (by hand" in answer.json()["error"]["message"]


@pytest.mark.django_db
def test_undo_of_another_persons_run_is_a_404(listener, stack):
    other = BookFactory().user
    run = sync(listener)
    answer = token_client(other).post(f"/api/audible/runs/{run.pk}/undo")
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "not_found")

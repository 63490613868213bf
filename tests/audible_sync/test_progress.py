"""Progress rules: forward-only status, honest dates, re-listens, history only on change."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from tests.support.factories import BookFactory
from tests.support.factories import MappingFactory
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.progress import BookState
from tracker_api.audible_sync.progress import Observed
from tracker_api.audible_sync.progress import Seen
from tracker_api.audible_sync.progress import apply_progress
from tracker_api.audible_sync.progress import plan_progress
from tracker_api.books.models import BookRead

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
LISTENED = datetime(2025, 3, 8, 21, 30, tzinfo=UTC)
FINISHED = datetime(2024, 11, 2, 20, 0, tzinfo=UTC)
UNREAD = BookState("want_to_read", 0.0, None, None)


def item(percent=0.0, finished=False, finished_at=None, position=None, listened=None):
    return {
        "asin": "B000TEST01",
        "title": "A Book",
        "progress": {
            "percent": percent,
            "is_finished": finished,
            "finished_at": finished_at,
            "position_ms": position,
            "position_updated_at": listened,
        },
    }


def test_it_changes_nothing_when_audible_reports_what_was_seen():
    plan = plan_progress(UNREAD, Seen(40.0, False, 1000), Observed(40.0, False, None, 1000), NOW)
    assert not plan.changed
    assert plan.history is None


def test_it_dates_a_start_seen_between_two_syncs_from_audible_not_the_sync_day():
    plan = plan_progress(UNREAD, Seen(0.0), Observed(12.5, False, None, 99, LISTENED), NOW)
    assert plan.kind == "started"
    assert plan.book_fields == {
        "status": "reading",
        "progress_percent": 12.5,
        "started_at": LISTENED,
    }
    assert plan.read.kind == "open"


def test_it_leaves_the_start_unknown_for_a_title_first_seen_in_progress():
    plan = plan_progress(UNREAD, Seen(), Observed(55.0, False, None, 99, LISTENED), NOW)
    assert plan.book_fields["status"] == "reading"
    assert "started_at" not in plan.book_fields


def test_it_takes_finished_at_from_audible():
    plan = plan_progress(UNREAD, Seen(), Observed(100.0, True, FINISHED), NOW)
    assert plan.kind == "finished"
    assert plan.book_fields["status"] == "read"
    assert plan.book_fields["finished_at"] == FINISHED
    assert plan.book_fields["progress_percent"] == 100.0


def test_it_leaves_finished_at_unknown_when_first_seen_finished_without_a_date():
    plan = plan_progress(UNREAD, Seen(), Observed(100.0, True, None), NOW)
    assert "finished_at" not in plan.book_fields


def test_it_treats_a_finished_title_going_back_as_a_relisten():
    book = BookState("read", 100.0, None, FINISHED)
    plan = plan_progress(book, Seen(100.0, True, None, FINISHED), Observed(3.0, False), NOW)
    assert plan.kind == "relisten"
    # A re-read in progress: the book shows its current read; the finished read stays.
    assert plan.book_fields == {"status": "reading", "progress_percent": 3.0, "finished_at": None}
    assert plan.read.kind == "open"
    assert plan.history["status_after"] == "reading"


def test_it_records_a_small_step_back_without_touching_the_book():
    book = BookState("reading", 50.0, None, None)
    plan = plan_progress(book, Seen(50.0), Observed(48.0, False), NOW)
    assert plan.kind == "backwards"
    assert plan.book_fields == {}
    assert plan.history["previous_percent"] == 50.0
    assert plan.history["percent"] == 48.0


def test_it_never_moves_a_book_the_person_marked_read_back_to_reading():
    book = BookState("read", 100.0, None, FINISHED)
    plan = plan_progress(book, Seen(10.0), Observed(20.0, False), NOW)
    assert plan.book_fields == {}
    assert plan.history is not None


@pytest.mark.django_db
def test_apply_progress_writes_book_read_and_history_once(alice):
    book = BookFactory(user=alice)
    mapping = MappingFactory(user=alice, book=book, last_percent=0.0)
    change = apply_progress(mapping, item(30.0, position=5000, listened=LISTENED.isoformat()))
    assert change is not None
    assert change.kind == "started"
    book.refresh_from_db()
    assert (book.status, book.progress_percent, book.started_at) == ("reading", 30.0, LISTENED)
    assert BookRead.objects.get(book=book).status == "reading"
    again = apply_progress(mapping, item(30.0, position=5000, listened=LISTENED.isoformat()))
    assert again is None
    assert AudibleProgressHistory.objects.filter(mapping=mapping).count() == 1


@pytest.mark.django_db
def test_apply_progress_finishes_the_open_read_and_a_relisten_opens_another(alice):
    book = BookFactory(user=alice)
    mapping = MappingFactory(user=alice, book=book, last_percent=0.0)
    apply_progress(mapping, item(40.0))
    apply_progress(mapping, item(100.0, True, FINISHED.isoformat()))
    book.refresh_from_db()
    assert (book.status, book.finished_at) == ("read", FINISHED)
    read = BookRead.objects.get(book=book)
    assert (read.status, read.finished_at) == ("read", FINISHED)
    apply_progress(mapping, item(2.0))
    book.refresh_from_db()
    assert (book.status, book.progress_percent) == ("reading", 2.0)  # a re-read
    assert list(
        BookRead.objects.filter(book=book).order_by("id").values_list("status", flat=True)
    ) == [
        "read",
        "reading",
    ]
    assert AudibleProgressHistory.objects.filter(mapping=mapping).count() == 3


@pytest.mark.django_db
def test_apply_progress_leaves_ignored_titles_alone(alice):
    mapping = MappingFactory(user=alice, ignored=True)
    assert apply_progress(mapping, item(50.0)) is None
    assert not AudibleProgressHistory.objects.exists()

"""Linking services: link, create, ignore, resolve; progress applied at once; races refused."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.support.factories import BookFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import MappingFactory
from tracker_api.audible_sync import linking
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.books.models import Book

pytestmark = pytest.mark.django_db


def audible_item(asin: str, percent: float = 40.0, finished: bool = False, **extra) -> dict:
    item = {
        "asin": asin,
        "title": "The Fellowship of the Ring",
        "subtitle": "The Lord of the Rings, Book 1",
        "authors": ["J. R. R. Tolkien"],
        "narrators": ["Andy Serkis"],
        "series": [{"title": "The Lord of the Rings", "sequence": "1"}],
        "isbn": "9780261102354",
        "language": "english",
        "release_date": "2021-09-23",
        "runtime_min": 1337,
        "is_podcast": False,
        "status": "Active",
        "progress": {
            "percent": percent,
            "is_finished": finished,
            "finished_at": "2024-05-01T10:00:00+00:00" if finished else None,
            "position_ms": 1000,
            "position_updated_at": "2024-04-30T10:00:00+00:00",
            "time_remaining_s": 100,
        },
    }
    item.update(extra)
    return item


def conflict_for(user, book=None, asin="B0FELLOW01", **item_extra) -> AudibleConflict:
    candidates = []
    if book is not None:
        candidates = [
            {
                "id": book.pk,
                "title": book.title,
                "authors": book.authors,
                "distance": 0.15,
                "similarity": 0.85,
                "reasons": ["title is similar (90%)"],
                "penalties": {"title": 0.1},
            }
        ]
    return ConflictFactory(
        user=user,
        asin=asin,
        item=audible_item(asin, **item_extra),
        candidates=candidates,
        recommendation="medium",
    )


def test_link_creates_mapping_applies_progress_and_resolves_conflict(alice):
    book = BookFactory(user=alice, title="Fellowship of the Ring")
    conflict = conflict_for(alice, book)

    outcome = linking.link_asin(alice, "b0fellow01", book.pk, by=alice)

    mapping = AudibleBookMapping.objects.get(user=alice, asin="B0FELLOW01")
    assert mapping.book == book
    assert mapping.match_method == "manual"
    assert mapping.last_percent == 40.0
    assert outcome.progress_applied
    book.refresh_from_db()
    assert book.status == "reading"
    assert book.progress_percent == 40.0
    conflict.refresh_from_db()
    assert conflict.status == "resolved"
    assert conflict.resolution == "linked"
    assert conflict.resolved_book == book
    assert conflict.resolved_by == alice
    assert conflict.resolved_at is not None
    history = AudibleProgressHistory.objects.get(mapping=mapping)
    assert history.source == "link"
    assert history.status_after == "reading"


def test_relink_moves_mapping_and_applies_progress_to_the_new_book(alice):
    old = BookFactory(user=alice, title="Wrong", status="reading", progress_percent=40.0)
    new = BookFactory(user=alice, title="Right")
    MappingFactory(
        user=alice,
        asin="B0FELLOW01",
        book=old,
        match_method="fuzzy",
        item=audible_item("B0FELLOW01", percent=40.0),
        last_percent=40.0,
    )
    outcome = linking.link_asin(alice, "B0FELLOW01", new.pk)
    assert AudibleBookMapping.objects.filter(user=alice).count() == 1
    assert outcome.mapping.book == new
    assert outcome.mapping.match_method == "manual"
    assert outcome.progress_applied
    new.refresh_from_db()
    assert new.progress_percent == 40.0


def test_linking_to_someone_elses_book_is_refused(alice, bob):
    theirs = BookFactory(user=bob)
    conflict = conflict_for(alice)
    with pytest.raises(linking.BookNotFound):
        linking.link_asin(alice, "B0FELLOW01", theirs.pk)
    conflict.refresh_from_db()
    assert conflict.status == "open"
    assert not AudibleBookMapping.objects.exists()


def test_link_ahead_of_any_sync_keeps_a_bare_item(alice):
    book = BookFactory(user=alice)
    outcome = linking.link_asin(alice, "B0NEVERSEEN", book.pk)
    assert outcome.mapping.item == {"asin": "B0NEVERSEEN"}
    assert not outcome.progress_applied
    assert outcome.resolved_conflict is None


@pytest.mark.parametrize("asin", ["", "   ", "B0-12", "X" * 21, None])
def test_malformed_asins_are_refused(alice, asin):
    with pytest.raises(linking.InvalidAsin):
        linking.ignore_asin(alice, asin)


def test_create_book_from_conflict_item(alice):
    conflict = conflict_for(alice, finished=True, percent=100.0)
    outcome = linking.create_book_from_item(alice, "B0FELLOW01", by=alice)
    book = outcome.book
    assert outcome.created_book
    assert book.title == "The Fellowship of the Ring"
    assert book.authors == ["J. R. R. Tolkien"]
    # Audible's narrators are credited apart from the authors.
    assert book.contributors == [{"name": "Andy Serkis", "role": "narrator"}]
    assert book.isbn13 == "9780261102354"
    assert book.isbn10 == "0261102354"
    assert book.asin == "B0FELLOW01"
    assert (book.series, book.series_position, book.year) == ("The Lord of the Rings", "1", 2021)
    assert book.source == "audible"
    assert book.status == "read"
    assert book.finished_at is not None
    assert outcome.mapping.match_method == "created"
    conflict.refresh_from_db()
    assert conflict.resolution == "created"
    assert conflict.resolved_book == book


def test_create_from_mapping_item_when_no_conflict(alice):
    MappingFactory(user=alice, asin="B0MAPPED01", item=audible_item("B0MAPPED01", percent=0.0))
    outcome = linking.create_book_from_item(alice, "B0MAPPED01")
    assert outcome.book.title == "The Fellowship of the Ring"
    assert outcome.mapping.book == outcome.book
    assert Book.objects.filter(user=alice).count() == 1


def test_create_needs_a_stored_item(alice):
    with pytest.raises(linking.AsinNotFound):
        linking.create_book_from_item(alice, "B0UNKNOWN1")
    assert not Book.objects.exists()


def test_create_ignores_a_bad_isbn(alice):
    conflict_for(alice, isbn="not an isbn")
    book = linking.create_book_from_item(alice, "B0FELLOW01").book
    assert (book.isbn10, book.isbn13) == ("", "")


def test_ignore_unlinks_and_resolves(alice):
    book = BookFactory(user=alice)
    MappingFactory(user=alice, asin="B0FELLOW01", book=book, match_method="fuzzy")
    conflict = conflict_for(alice)
    outcome = linking.ignore_asin(alice, "B0FELLOW01", by=alice)
    assert outcome.mapping.ignored
    assert outcome.mapping.book is None
    assert outcome.mapping.match_method == "fuzzy"
    conflict.refresh_from_db()
    assert conflict.resolution == "ignored"
    assert conflict.resolved_book is None


def test_resolve_link_records_candidate_similarity(alice):
    book = BookFactory(user=alice)
    conflict = conflict_for(alice, book)
    outcome = linking.resolve_conflict(conflict.pk, "link", user=alice, by=alice, book_id=book.pk)
    assert outcome.mapping.confidence == 0.85
    assert outcome.resolved_conflict.status == "resolved"


def test_resolve_link_to_a_book_outside_the_candidates(alice):
    conflict = conflict_for(alice, BookFactory(user=alice))
    other = BookFactory(user=alice, title="Something else")
    outcome = linking.resolve_conflict(conflict.pk, "link", user=alice, book_id=other.pk)
    assert outcome.mapping.book == other
    assert outcome.mapping.confidence is None


def test_resolving_twice_is_refused(alice):
    conflict = conflict_for(alice)
    linking.resolve_conflict(conflict.pk, "ignore", user=alice)
    with pytest.raises(linking.ConflictAlreadyResolved):
        linking.resolve_conflict(conflict.pk, "create", user=alice)
    assert not Book.objects.exists()


def test_resolving_another_persons_conflict_is_not_found(alice, bob):
    conflict = conflict_for(bob)
    with pytest.raises(linking.ConflictNotFound):
        linking.resolve_conflict(conflict.pk, "ignore", user=alice)


def test_staff_resolving_for_the_owner_is_recorded(alice, bob):
    book = BookFactory(user=alice)
    conflict = conflict_for(alice, book)
    linking.resolve_conflict(conflict.pk, "link", user=alice, by=bob, book_id=book.pk)
    conflict.refresh_from_db()
    assert conflict.resolved_by == bob


def test_compare_and_set_refuses_a_conflict_closed_meanwhile(alice):
    """GIVEN a conflict read as open WHEN someone else closes it before our update THEN the
    compare-and-set refuses, and the transaction leaves no mapping behind."""
    conflict = conflict_for(alice)
    AudibleConflict.objects.filter(pk=conflict.pk).update(
        status="resolved", resolution="ignored", resolved_at=timezone.now()
    )
    with pytest.raises(linking.ConflictAlreadyResolved):
        linking._close_conflict(conflict, "linked", None, alice)


def test_a_failed_action_rolls_back_entirely(alice, monkeypatch):
    book = BookFactory(user=alice)
    conflict = conflict_for(alice, book)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(linking.progress, "apply_progress", explode)
    with pytest.raises(RuntimeError):
        linking.resolve_conflict(conflict.pk, "link", user=alice, book_id=book.pk)
    conflict.refresh_from_db()
    assert conflict.status == "open"
    assert not AudibleBookMapping.objects.exists()


def test_unreadable_progress_does_not_block_the_link(alice):
    book = BookFactory(user=alice)
    conflict_for(alice, book, progress={"percent": "lots"})
    outcome = linking.link_asin(alice, "B0FELLOW01", book.pk)
    assert outcome.mapping.book == book
    assert not outcome.progress_applied

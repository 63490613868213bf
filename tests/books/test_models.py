"""The database itself refuses bad rows: constraints, not only Python checks."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.db import transaction

from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import HistoryFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory
from tracker_api.audible_sync import sync_bounds
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead

pytestmark = pytest.mark.django_db


def assert_refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_it_keeps_progress_within_0_and_100(alice):
    BookFactory(user=alice, progress_percent=100)
    assert_refused(lambda: BookFactory(user=alice, progress_percent=100.5))
    assert_refused(lambda: BookFactory(user=alice, progress_percent=-1))


def test_it_refuses_a_status_outside_its_choices(alice):
    assert_refused(lambda: BookFactory(user=alice, status="finished"))
    assert_refused(lambda: BookFactory(user=alice, source="kindle"))


def test_goodreads_id_is_unique_per_user_only_when_set(alice, bob):
    BookFactory(user=alice, goodreads_id="42")
    BookFactory(user=bob, goodreads_id="42")
    BookFactory(user=alice, goodreads_id="")
    BookFactory(user=alice, goodreads_id="")
    assert_refused(lambda: BookFactory(user=alice, goodreads_id="42"))


def test_search_text_is_folded_title_and_authors(alice):
    book = BookFactory(user=alice, title="Les Misérables: Tome 1", authors=["Victor Hugo"])
    assert book.search_text == "les miserables tome 1 victor hugo"
    book.title = "L'Étranger"
    book.save(update_fields=["title"])
    book.refresh_from_db()
    assert book.search_text == "letranger victor hugo"


def test_a_re_listen_is_a_second_read(alice):
    book = BookFactory(user=alice)
    BookRead.objects.create(book=book, status="read")
    BookRead.objects.create(book=book, status="reading")
    assert book.reads.count() == 2
    assert_refused(lambda: BookRead.objects.create(book=book, status="want_to_read"))


def test_config_interval_has_a_floor_and_cap_a_range(alice, bob):
    config = ConfigFactory(user=alice)
    assert config.sync_interval_minutes >= sync_bounds.min_sync_interval_minutes()
    assert config.daily_sync_cap == 24
    assert_refused(
        lambda: AudibleConfig.objects.filter(pk=config.pk).update(
            sync_interval_minutes=sync_bounds.ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES - 1
        )
    )
    assert_refused(lambda: AudibleConfig.objects.filter(pk=config.pk).update(daily_sync_cap=0))
    assert_refused(
        lambda: AudibleConfig.objects.filter(pk=config.pk).update(
            daily_sync_cap=sync_bounds.ABSOLUTE_MAX_DAILY_SYNC_CAP + 1
        )
    )
    assert_refused(lambda: AudibleConfig.objects.filter(pk=config.pk).update(import_policy="x"))
    assert_refused(lambda: ConfigFactory(user=alice))  # one per user


def test_env_may_only_tighten_the_limits(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.AUDIBLE_SYNC_MIN_INTERVAL_MINUTES = 120
    settings.AUDIBLE_SYNC_MAX_DAILY_CAP = 10
    assert sync_bounds.default_sync_interval_minutes() == 120
    assert sync_bounds.default_daily_sync_cap() == 10
    settings.AUDIBLE_SYNC_MIN_INTERVAL_MINUTES = 5
    with pytest.raises(ImproperlyConfigured):
        sync_bounds.min_sync_interval_minutes()
    settings.AUDIBLE_SYNC_MAX_DAILY_CAP = 500
    with pytest.raises(ImproperlyConfigured):
        sync_bounds.max_daily_sync_cap()


def test_mapping_is_unique_per_user_and_asin(alice, bob):
    MappingFactory(user=alice, asin="B000000001")
    MappingFactory(user=bob, asin="B000000001")
    assert_refused(lambda: MappingFactory(user=alice, asin="B000000001"))
    assert_refused(lambda: MappingFactory(user=alice, last_percent=101))
    assert_refused(lambda: MappingFactory(user=alice, confidence=1.5))
    assert_refused(lambda: MappingFactory(user=alice, match_method="guess"))


def test_deleting_a_book_keeps_its_mapping_unlinked(alice):
    book = BookFactory(user=alice)
    mapping = MappingFactory(user=alice, book=book, match_method="fuzzy")
    book.delete()
    mapping.refresh_from_db()
    assert mapping.book is None


def test_only_one_open_conflict_per_asin(alice):
    first = ConflictFactory(user=alice, asin="B0CONFLICT")
    assert_refused(lambda: ConflictFactory(user=alice, asin="B0CONFLICT"))
    first.status, first.resolution = "resolved", "ignored"
    first.save()
    ConflictFactory(user=alice, asin="B0CONFLICT")  # a new open one is fine once resolved


def test_conflict_resolution_agrees_with_status(alice):
    assert_refused(lambda: ConflictFactory(user=alice, status="resolved", resolution=""))
    assert_refused(lambda: ConflictFactory(user=alice, status="open", resolution="linked"))
    assert_refused(lambda: ConflictFactory(user=alice, recommendation="perfect"))


def test_history_and_logs_check_their_values(alice):
    mapping = MappingFactory(user=alice)
    HistoryFactory(mapping=mapping, percent=0, status_before="", status_after="reading")
    assert_refused(lambda: HistoryFactory(mapping=mapping, percent=100.01))
    assert_refused(lambda: HistoryFactory(mapping=mapping, previous_percent=-0.1))
    assert_refused(lambda: HistoryFactory(mapping=mapping, status_after="done"))
    assert_refused(lambda: HistoryFactory(mapping=mapping, source="guess"))
    assert_refused(lambda: SyncLogFactory(user=alice, status="done"))
    assert_refused(lambda: SyncLogFactory(user=alice, trigger="timer"))


def test_books_are_ordered_by_title(alice):
    BookFactory(user=alice, title="Zed")
    BookFactory(user=alice, title="Alpha")
    assert [b.title for b in Book.objects.filter(user=alice)] == ["Alpha", "Zed"]

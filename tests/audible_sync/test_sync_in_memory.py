"""The sync's apply, lock and rate-limit logic against the library in memory (no HTTP).

``run_sync`` runs whole, on the real database; only the gateway's library calls are answered
from memory (``tests/support/library.py``: the sandbox's state, paged and normalised as the
gateway does). The live stack keeps the end-to-end paths in ``test_sync.py`` (first sync,
progress with positions, upstream faults, re-login, a refreshed blob) and ``test_sync_api.py``
(429 and 409 over REST).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audible_gateway.sandbox.state import SandboxState
from tests.audible_sync.test_sync import FINISHED
from tests.audible_sync.test_sync import IN_PROGRESS
from tests.audible_sync.test_sync import PODCAST
from tests.audible_sync.test_sync import REVOKED
from tests.audible_sync.test_sync import UNPLAYED
from tests.audible_sync.test_sync import book_of
from tests.audible_sync.test_sync import snapshot
from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import UserFactory
from tests.support.library import InMemoryLibrary
from tests.support.stack import sample_items
from tracker_api.audible_sync import gateway
from tracker_api.audible_sync import ratelimit
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.sync import SyncAlreadyRunning
from tracker_api.audible_sync.sync import SyncRateLimited
from tracker_api.audible_sync.sync import lock
from tracker_api.audible_sync.sync import run_sync
from tracker_api.audible_sync.sync import service
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead

pytestmark = pytest.mark.django_db

SEALED = "sealed-blob-of-the-in-memory-account"


@pytest.fixture
def library(monkeypatch) -> InMemoryLibrary:
    """The sample library, answering the tracker's gateway calls from memory."""
    return InMemoryLibrary(SandboxState(sample_items())).install(monkeypatch)


@pytest.fixture
def listener(db, library):
    """A person connected to the in-memory library, with an empty tracker."""
    user = UserFactory(username="listener")
    ConfigFactory(user=user, sealed_auth=SEALED)
    return user


def config_of(user) -> AudibleConfig:
    return AudibleConfig.objects.get(user=user)


# --------------------------------------------------------------------------- apply
def test_the_log_says_why_titles_were_not_imported(listener):
    outcome = run_sync(listener, trigger="manual")
    reasons = {c["asin"]: c["reason"] for c in outcome.log.changes if c["change"] == "skipped"}
    assert reasons[REVOKED].startswith("no longer in the Audible library")
    assert reasons[PODCAST].startswith("a podcast")
    assert outcome.log.skipped == len(reasons)
    assert not AudibleBookMapping.objects.filter(user=listener, asin__in=[REVOKED, PODCAST])


def test_unchanged_resync_writes_only_its_log(listener):
    run_sync(listener, trigger="manual")
    before = snapshot(listener)
    with CaptureQueriesContext(connection) as queries:
        outcome = run_sync(listener, trigger="manual", force=True)
    assert outcome.status == "ok"
    assert (outcome.log.created, outcome.log.updated, outcome.log.linked) == (0, 0, 0)
    assert snapshot(listener) == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and "audible_sync_logs" not in q["sql"]
        and "audible_config" not in q["sql"]
    ]
    assert writes == []
    assert len(queries.captured_queries) <= 15


def test_a_relisten_of_a_finished_title_opens_a_new_read(listener, library):
    run_sync(listener, trigger="manual")
    library.state.update_progress(FINISHED, is_finished=False, percent=4.0)
    run_sync(listener, trigger="manual", force=True)
    book = book_of(listener, FINISHED)
    assert (book.status, book.progress_percent) == ("reading", 4.0)  # a re-read in progress
    assert sorted(BookRead.objects.filter(book=book).values_list("status", flat=True)) == [
        "read",
        "reading",
    ]


def test_revoked_titles_keep_their_book_and_history_and_are_flagged(listener, library):
    run_sync(listener, trigger="manual")
    book = book_of(listener, FINISHED)
    library.state.update_item(FINISHED, {"status": "Revoked"})
    run_sync(listener, trigger="manual", force=True)
    mapping = AudibleBookMapping.objects.get(asin=FINISHED)
    assert not mapping.in_library
    assert mapping.book_id == book.pk
    book.refresh_from_db()
    assert book.status == "read"
    assert BookRead.objects.filter(book=book).exists()


def test_ignored_titles_are_left_alone(listener, library):
    run_sync(listener, trigger="manual")
    AudibleBookMapping.objects.filter(asin=UNPLAYED).update(ignored=True, book=None)
    library.state.update_progress(UNPLAYED, percent=50.0)
    outcome = run_sync(listener, trigger="manual", force=True)
    assert outcome.log.updated == 0
    assert not AudibleProgressHistory.objects.filter(asin=UNPLAYED).exists()


def test_an_open_conflict_is_never_opened_twice(listener):
    ConflictFactory(user=listener, asin=UNPLAYED)
    run_sync(listener, trigger="manual")
    run_sync(listener, trigger="manual", force=True)
    assert AudibleConflict.objects.filter(asin=UNPLAYED).count() == 1
    assert not AudibleBookMapping.objects.filter(asin=UNPLAYED).exists()


def test_a_strong_match_links_to_the_existing_book(listener):
    book = BookFactory(user=listener, title="The Martian", authors=["Andy Weir"])
    outcome = run_sync(listener, trigger="manual")
    mapping = AudibleBookMapping.objects.get(asin=FINISHED)
    assert mapping.book_id == book.pk
    assert mapping.match_method in ("fuzzy", "isbn", "asin")
    assert outcome.log.linked >= 1
    book.refresh_from_db()
    assert book.status == "read"
    assert Book.objects.filter(user=listener, title="The Martian").count() == 1


@pytest.mark.parametrize(
    ("policy", "created_asins", "left_out"),
    [
        ("started", {IN_PROGRESS, FINISHED}, {UNPLAYED}),
        ("finished", {FINISHED}, {UNPLAYED, IN_PROGRESS}),
    ],
)
def test_the_import_policy_decides_which_new_titles_become_books(
    listener, policy, created_asins, left_out
):
    AudibleConfig.objects.filter(user=listener).update(import_policy=policy)
    run_sync(listener, trigger="manual")
    mapped = set(AudibleBookMapping.objects.values_list("asin", flat=True))
    assert created_asins <= mapped
    assert not (left_out & mapped)


def test_a_malformed_item_is_an_error_and_the_rest_applies(listener, library):
    library.state.update_item(UNPLAYED, {"title": None})
    outcome = run_sync(listener, trigger="manual")
    assert outcome.status == "partial"
    assert outcome.log.errors == 1
    assert UNPLAYED in outcome.log.error
    assert book_of(listener, FINISHED).status == "read"


def test_the_rate_limit_refuses_and_logs_a_skip(listener):
    run_sync(listener, trigger="manual")
    with pytest.raises(SyncRateLimited) as refused:
        run_sync(listener, trigger="manual")
    assert refused.value.retry_after > 0
    assert refused.value.log.status == "skipped"
    assert run_sync(listener, trigger="manual", force=True).status == "ok"


def test_a_held_lock_refuses_a_second_sync(listener):
    config = AudibleConfig.objects.get(user=listener)
    token = lock.acquire(config.pk)
    with pytest.raises(SyncAlreadyRunning):
        run_sync(listener, trigger="manual")
    assert lock.release(config.pk, token)
    assert run_sync(listener, trigger="manual").status == "ok"


def test_a_dead_runs_lock_expires_and_its_log_is_closed(listener, settings):
    settings.AUDIBLE_SYNC_LOCK_STALE_S = 60
    config = AudibleConfig.objects.get(user=listener)
    AudibleConfig.objects.filter(pk=config.pk).update(
        sync_lock_token="dead", sync_locked_at=timezone.now() - timedelta(minutes=5)
    )
    dead = AudibleSyncLog.objects.create(user=listener, trigger="cron", status="running")
    # The dead run still counts for the rate limit (it may have asked Audible): force.
    assert run_sync(listener, trigger="manual", force=True).status == "ok"
    dead.refresh_from_db()
    assert dead.status == "failed"
    assert "interrupted" in dead.error
    assert dead.error_code == "interrupted"
    assert AudibleConfig.objects.get(pk=config.pk).sync_lock_token == ""


def test_a_dry_run_writes_nothing_but_its_log(listener):
    outcome = run_sync(listener, trigger="manual", dry_run=True)
    assert outcome.log.dry_run
    assert outcome.log.created > 0
    assert not Book.objects.filter(user=listener).exists()
    assert not AudibleBookMapping.objects.exists()


def test_the_library_is_asked_with_the_sealed_blob_and_the_positions_held(listener, library):
    run_sync(listener, trigger="manual")
    run_sync(listener, trigger="manual", force=True)
    first, second = (call for call in library.calls if call.name == "library")
    assert first.sealed == second.sealed == SEALED
    assert not first.known_progress  # a first sync holds nothing: every position is asked for
    held = second.known_progress[IN_PROGRESS]
    assert held[0] == 23.9
    assert held[2] > 0


def test_a_refreshed_blob_is_kept_but_not_by_a_dry_run(listener, library):
    library.new_auth = "sealed-blob-refreshed-during-a-dry-run"
    run_sync(listener, trigger="manual", dry_run=True)
    assert config_of(listener).sealed_auth == SEALED
    library.new_auth = "sealed-blob-refreshed"
    run_sync(listener, trigger="manual", force=True)
    assert config_of(listener).sealed_auth == "sealed-blob-refreshed"


def test_an_applying_failure_changes_nothing_releases_the_lock_and_counts(listener, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug while applying")

    monkeypatch.setattr(service.household_sync, "apply", broken)
    outcome = run_sync(listener, trigger="manual")
    assert (outcome.status, outcome.error_code) == ("failed", "sync_apply_failed")
    assert "nothing was changed" in outcome.log.error
    assert not Book.objects.filter(user=listener).exists()
    config = config_of(listener)
    assert (config.sync_lock_token, config.consecutive_failures) == ("", 1)
    assert config.next_sync_at > timezone.now()


# --------------------------------------------------------------------------- fetch failures
def test_an_unreachable_gateway_fails_the_run_applies_nothing_and_counts(listener, library):
    library.fail_with(
        gateway.GatewayCallError(
            gateway.UNREACHABLE, "The Audible gateway could not be reached.", permanent=False
        )
    )
    outcome = run_sync(listener, trigger="manual")
    assert outcome.failed
    assert outcome.error_code == gateway.UNREACHABLE
    assert "tried again later" in outcome.log.error
    assert not Book.objects.filter(user=listener).exists()
    config = config_of(listener)
    assert (config.consecutive_failures, config.needs_relogin, config.sync_lock_token) == (
        1,
        False,
        "",
    )
    # The next run works and starts the count again.
    assert run_sync(listener, trigger="manual", force=True).status == "ok"
    assert config_of(listener).consecutive_failures == 0
    assert Book.objects.filter(user=listener).exists()


def test_a_relogin_answer_flags_the_account_and_stops_scheduled_syncs(listener, library):
    library.fail_with(
        gateway.GatewayCallError(
            gateway.REAUTH_REQUIRED, "Audible refused the saved sign-in.", permanent=True
        )
    )
    outcome = run_sync(listener, trigger="manual")
    assert outcome.error_code == gateway.REAUTH_REQUIRED
    assert outcome.error_status == 409
    config = config_of(listener)
    assert config.needs_relogin
    assert not ratelimit.is_due(config, timezone.now() + timedelta(days=2))


def test_audibles_back_off_refuses_even_a_forced_sync_without_asking(listener, library):
    library.fail_with(
        gateway.GatewayCallError(
            "audible_rate_limited", "Audible asks to wait.", permanent=False, retry_after=600
        )
    )
    outcome = run_sync(listener, trigger="manual")
    assert outcome.error_code == "audible_rate_limited"
    assert outcome.error_status == 429
    until = config_of(listener).rate_limited_until
    assert timedelta(seconds=590) < until - timezone.now() <= timedelta(seconds=600)
    asked = len(library.calls)
    with pytest.raises(SyncRateLimited) as refused:
        run_sync(listener, trigger="manual", force=True)
    assert refused.value.log.status == "skipped"
    assert "Audible asked us to wait" in refused.value.log.error
    assert 0 < refused.value.retry_after <= 600
    assert len(library.calls) == asked  # Audible was not asked again


# --------------------------------------------------------------------------- rate limit
def test_the_daily_cap_refuses_with_its_own_sentence(listener):
    AudibleConfig.objects.filter(user=listener).update(sync_interval_minutes=60, daily_sync_cap=1)
    run_sync(listener, trigger="manual")
    AudibleSyncLog.objects.filter(user=listener).update(
        started_at=timezone.now() - timedelta(hours=2)
    )
    with pytest.raises(SyncRateLimited) as refused:
        run_sync(listener, trigger="cron")
    assert "daily number of syncs is used up" in refused.value.log.error
    assert refused.value.log.trigger == "cron"


def test_a_refused_sync_leaves_the_lock_free(listener):
    run_sync(listener, trigger="manual")
    with pytest.raises(SyncRateLimited):
        run_sync(listener, trigger="manual")
    assert config_of(listener).sync_lock_token == ""
    assert run_sync(listener, trigger="manual", force=True).status == "ok"

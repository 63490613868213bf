"""The sync workflow against the live sandbox and gateway: apply, idempotency, faults, limits."""

# Fixtures come from test_sync_stack and are taken as parameters, which ruff sees as
# redefinitions of the imported names.
# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.audible_sync.test_sync_stack import fresh_library  # noqa: F401 - fixture
from tests.audible_sync.test_sync_stack import gateway_settings  # noqa: F401 - fixture
from tests.audible_sync.test_sync_stack import listener  # noqa: F401 - fixture
from tests.audible_sync.test_sync_stack import sample_items
from tests.audible_sync.test_sync_stack import sealed  # noqa: F401 - fixture
from tests.audible_sync.test_sync_stack import stack  # noqa: F401 - fixture
from tests.support.factories import BookFactory
from tests.support.factories import ConflictFactory
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
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead

IN_PROGRESS = "B0PZHZFWVU"  # The Name of the Wind, 23.9 %
UNPLAYED = "B0SMJ8J2YQ"  # Thinking, Fast and Slow
FINISHED = "B06EFSRHAS"  # The Martian
REVOKED = "B0DGL6UHP8"  # The Girl on the Train
PODCAST = "B0TJYQI82W"


def book_of(user, asin):
    return AudibleBookMapping.objects.select_related("book").get(user=user, asin=asin).book


def snapshot(user):
    return (
        list(Book.objects.filter(user=user).order_by("id").values()),
        list(AudibleBookMapping.objects.filter(user=user).order_by("id").values()),
        AudibleProgressHistory.objects.filter(user=user).count(),
        BookRead.objects.filter(book__user=user).count(),
        AudibleConflict.objects.filter(user=user).count(),
    )


def test_the_log_says_why_titles_were_not_imported(listener):
    outcome = run_sync(listener, trigger="manual")
    reasons = {c["asin"]: c["reason"] for c in outcome.log.changes if c["change"] == "skipped"}
    assert reasons[REVOKED].startswith("no longer in the Audible library")
    assert reasons[PODCAST].startswith("a podcast")
    assert outcome.log.skipped == len(reasons)
    assert not AudibleBookMapping.objects.filter(user=listener, asin__in=[REVOKED, PODCAST])


def test_first_sync_creates_links_and_dates_books(listener):
    outcome = run_sync(listener, trigger="manual")
    assert outcome.status == "ok", outcome.log.error
    row = outcome.log
    titles = len(sample_items())
    assert row.items_seen == titles
    assert row.created + row.linked + row.conflicts_opened + row.skipped == titles
    finished = book_of(listener, FINISHED)
    assert finished.status == "read"
    assert finished.finished_at is not None  # Audible's finish timestamp
    reading = book_of(listener, IN_PROGRESS)
    assert (reading.status, reading.progress_percent) == ("reading", 23.9)
    assert reading.started_at is None  # seen late: the start is unknown, not "today"
    assert not AudibleBookMapping.objects.filter(asin=PODCAST).exists()
    assert not AudibleBookMapping.objects.filter(asin=REVOKED).exists()
    assert any(c["change"] == "created" for c in row.changes)
    # A book created from Audible keeps its ASIN (the next sync finds it by identifier) and
    # credits the narrators apart from the authors.
    assert finished.asin == FINISHED
    assert finished.source == "audible"
    narrators = {c["name"] for c in finished.contributors if c["role"] == "narrator"}
    assert narrators
    assert not narrators & set(finished.authors)


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


def test_progress_in_the_sandbox_moves_the_book_with_history(listener, stack):
    run_sync(listener, trigger="manual")
    stack.state.update_progress(UNPLAYED, percent=20.0)
    stack.state.update_progress(IN_PROGRESS, is_finished=True, finished_at="2025-11-01T20:00:00Z")
    outcome = run_sync(listener, trigger="manual", force=True)
    assert outcome.log.updated == 2
    started = book_of(listener, UNPLAYED)
    assert started.status == "reading"
    assert started.started_at is not None  # seen unplayed before: Audible's date is used
    assert started.started_at <= timezone.now()
    done = book_of(listener, IN_PROGRESS)
    assert done.status == "read"
    assert done.finished_at.isoformat().startswith("2025-11-01T20:00:00")
    history = AudibleProgressHistory.objects.filter(asin=IN_PROGRESS).order_by("id")
    assert [h.percent for h in history] == [23.9, 100.0]
    assert history.last().sync_log_id == outcome.log.pk
    changed = {c["asin"] for c in outcome.log.changes if c["change"] != "skipped"}
    assert changed == {UNPLAYED, IN_PROGRESS}


def test_a_relisten_of_a_finished_title_opens_a_new_read(listener, stack):
    run_sync(listener, trigger="manual")
    stack.state.update_progress(FINISHED, is_finished=False, percent=4.0)
    run_sync(listener, trigger="manual", force=True)
    book = book_of(listener, FINISHED)
    assert (book.status, book.progress_percent) == ("reading", 4.0)  # a re-read in progress
    assert sorted(BookRead.objects.filter(book=book).values_list("status", flat=True)) == [
        "read",
        "reading",
    ]


def test_revoked_titles_keep_their_book_and_history_and_are_flagged(listener, stack):
    run_sync(listener, trigger="manual")
    book = book_of(listener, FINISHED)
    stack.state.update_item(FINISHED, {"status": "Revoked"})
    run_sync(listener, trigger="manual", force=True)
    mapping = AudibleBookMapping.objects.get(asin=FINISHED)
    assert not mapping.in_library
    assert mapping.book_id == book.pk
    book.refresh_from_db()
    assert book.status == "read"
    assert BookRead.objects.filter(book=book).exists()


def test_ignored_titles_are_left_alone(listener, stack):
    run_sync(listener, trigger="manual")
    AudibleBookMapping.objects.filter(asin=UNPLAYED).update(ignored=True, book=None)
    stack.state.update_progress(UNPLAYED, percent=50.0)
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


def test_a_malformed_item_is_an_error_and_the_rest_applies(listener, stack):
    stack.state.update_item(UNPLAYED, {"title": None})
    outcome = run_sync(listener, trigger="manual")
    assert outcome.status == "partial"
    assert outcome.log.errors == 1
    assert UNPLAYED in outcome.log.error
    assert book_of(listener, FINISHED).status == "read"


def test_a_failing_page_fails_the_sync_and_applies_nothing(listener, stack):
    stack.state.arm_fault(path="/1.0/library", status=500, count=None)
    outcome = run_sync(listener, trigger="manual")
    assert outcome.failed
    assert "could not" in outcome.log.error.lower() or "audible" in outcome.log.error.lower()
    assert not Book.objects.filter(user=listener).exists()
    stack.state.clear_faults()
    assert run_sync(listener, trigger="manual", force=True).status == "ok"
    assert Book.objects.filter(user=listener).exists()


def test_reauth_required_flags_the_account_and_stops_scheduled_syncs(listener, stack):
    stack.state.arm_fault(path="/1.0/library", status=401, count=None)
    outcome = run_sync(listener, trigger="manual")
    assert outcome.failed
    assert outcome.error_code == "audible_reauth_required"
    config = AudibleConfig.objects.get(user=listener)
    assert config.needs_relogin
    assert not ratelimit.is_due(config, timezone.now() + timedelta(days=2))
    assert "sign in again" in outcome.log.error


def test_a_refreshed_blob_is_stored(listener, stack):
    # A bearer-only account whose access token has expired: the gateway refreshes it during
    # the library call and hands back a new sealed blob, which the sync must keep.
    sealer = stack.gateway_app.extensions["audible_gateway"].sealer
    config = AudibleConfig.objects.get(user=listener)
    data = sealer.open(config.sealed_auth, "audible_auth").data
    data.update(adp_token=None, device_private_key=None, expires=0)
    before = sealer.seal("audible_auth", data)
    AudibleConfig.objects.filter(pk=config.pk).update(sealed_auth=before)
    assert run_sync(listener, trigger="manual").status == "ok"
    after = AudibleConfig.objects.get(pk=config.pk).sealed_auth
    assert after != before
    assert sealer.open(after, "audible_auth").data["expires"] > 0


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


def test_it_syncs_from_an_audible_cli_export(db, tmp_path, alice):
    export = tmp_path / "library.tsv"
    export.write_text(
        "asin\ttitle\tauthors\tis_finished\tpercent_complete\n"
        "B0TSV00001\tThe Martian\tAndy Weir\tTrue\t100\n"
        "B0TSV00002\tDune\tFrank Herbert\t\t30\n"
    )
    outcome = run_sync(alice, trigger="command", library_file=export)
    assert outcome.status == "ok"
    assert Book.objects.get(user=alice, title="The Martian").status == "read"
    assert Book.objects.get(user=alice, title="Dune").progress_percent == 30.0

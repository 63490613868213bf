"""The sync end to end against the live sandbox and gateway: a first sync, progress with
positions, upstream faults, re-login and a refreshed blob (the apply, lock and rate-limit
logic is tested against the library in memory: ``test_sync_in_memory.py``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.support.stack import sample_items
from tracker_api.audible_sync import ratelimit
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
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

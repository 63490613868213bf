"""Sandbox + gateway + tracker as real processes: the sync end to end, faults, concurrency."""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from rest_framework.authtoken.models import Token

from tests.e2e.conftest import CRON_SECRET
from tests.e2e.conftest import STALE_S
from tests.support.factories import ConfigFactory
from tests.support.factories import UserFactory
from tests.support.stack import sample_items
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead

UNPLAYED = "B0SMJ8J2YQ"  # Thinking, Fast and Slow
IN_PROGRESS = "B0PZHZFWVU"  # The Name of the Wind, 23.9 %
FINISHED = "B06EFSRHAS"  # The Martian


def person(blob, name="listener", operator=True):
    """A connected person; ``operator`` makes them a superuser, who may force syncs past the
    rate limit (these tests sync many times in a row)."""
    user = UserFactory(username=name, is_staff=True, is_superuser=operator)
    ConfigFactory(user=user, sealed_auth=blob)
    return user, {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def sync(system, headers, force=True, timeout=60):
    return requests.post(
        system.tracker.url + "/api/audible/sync",
        json={"force": force},
        headers=headers,
        timeout=timeout,
    )


def state(user):
    return (
        sorted(Book.objects.filter(user=user).values_list("id", "status", "progress_percent")),
        sorted(AudibleBookMapping.objects.filter(user=user).values_list("asin", "last_percent")),
        AudibleProgressHistory.objects.filter(user=user).count(),
        BookRead.objects.filter(book__user=user).count(),
    )


def test_first_sync_progress_and_resync_through_every_process(e2e, blob):
    user, headers = person(blob)
    first = sync(e2e, headers)
    assert first.status_code == 200, first.text
    assert first.json()["counts"]["items_seen"] == len(sample_items())
    assert Book.objects.filter(user=user).count() == first.json()["counts"]["created"]
    e2e.listen(UNPLAYED, percent=30.0)
    e2e.listen(IN_PROGRESS, is_finished=True, finished_at="2025-11-01T20:00:00Z")
    second = sync(e2e, headers)
    assert second.json()["counts"]["updated"] == 2
    started = AudibleBookMapping.objects.get(user=user, asin=UNPLAYED).book
    assert (started.status, started.progress_percent) == ("reading", 30.0)
    assert started.started_at is not None
    done = AudibleBookMapping.objects.get(user=user, asin=IN_PROGRESS).book
    assert done.status == "read"
    assert done.finished_at.isoformat().startswith("2025-11-01T20:00:00")
    before = state(user)
    third = sync(e2e, headers)
    assert (third.json()["counts"]["updated"], third.json()["counts"]["created"]) == (0, 0)
    assert state(user) == before


def test_fault_matrix_leaves_nothing_half_applied_and_recovers(e2e, blob):
    user, headers = person(blob)
    assert sync(e2e, headers).status_code == 200
    e2e.listen(UNPLAYED, percent=40.0)
    baseline = state(user)
    faults = {
        "reauth": {"path": "/1.0/library", "status": 401, "count": None},
        "rate_limited": {"path": "/1.0/library", "status": 429, "retry_after": 30, "count": None},
        "page_3_of_4": {
            "path": "/1.0/library",
            "status": 500,
            "match_query": {"page": "3"},
            "count": None,
        },
        "timeout": {"path": "/1.0/library", "delay_s": 9, "count": None},
    }
    for name, spec in faults.items():
        e2e.fault(**spec)
        answer = sync(e2e, headers)
        assert answer.status_code in (409, 429, 502), (name, answer.text)
        assert state(user) == baseline, name
        row = AudibleSyncLog.objects.filter(user=user).first()
        assert row.status == "failed", name
        assert row.error, name
        e2e.sandbox_call("DELETE", "/__sandbox/faults")
        AudibleConfig.objects.filter(user=user).update(needs_relogin=False, rate_limited_until=None)
    e2e.fault(path="/1.0/library", status=401, count=None)
    sync(e2e, headers)
    assert AudibleConfig.objects.get(user=user).needs_relogin
    e2e.sandbox_call("DELETE", "/__sandbox/faults")
    # One slow answer on the way back is retried away, not a failure.
    e2e.fault(path="/1.0/library", delay_s=9, count=1)
    recovered = sync(e2e, headers)
    assert recovered.json()["status"] == "ok"
    assert recovered.json()["counts"]["updated"] == 1
    assert AudibleBookMapping.objects.get(user=user, asin=UNPLAYED).book.progress_percent == 40.0
    assert not AudibleConfig.objects.get(user=user).needs_relogin


def test_gateway_down_then_back(e2e, blob):
    user, headers = person(blob)
    e2e.gateway.stop()
    try:
        answer = sync(e2e, headers)
    finally:
        e2e.restart_gateway()
    assert answer.status_code == 502
    assert answer.json()["error"]["code"] == "gateway_unreachable"
    assert not Book.objects.filter(user=user).exists()
    assert sync(e2e, headers).json()["status"] == "ok"


def test_a_malformed_item_is_counted_and_the_rest_applies(e2e, blob):
    user, headers = person(blob)
    e2e.sandbox_call("PATCH", f"/__sandbox/library/{UNPLAYED}", {"fields": {"title": None}})
    answer = sync(e2e, headers)
    assert answer.json()["status"] == "partial"
    assert answer.json()["counts"]["errors"] == 1
    assert not AudibleBookMapping.objects.filter(user=user, asin=UNPLAYED).exists()
    assert AudibleBookMapping.objects.filter(user=user, asin=FINISHED).exists()


def test_a_killed_tracker_leaves_no_half_sync_and_its_lock_expires(e2e, blob):
    user, headers = person(blob)
    e2e.fault(path="/1.0/library", delay_s=6, count=1)
    thread = threading.Thread(target=lambda: _swallow(sync, e2e, headers, timeout=30))
    thread.start()
    deadline = time.monotonic() + 10
    while not AudibleSyncLog.objects.filter(user=user, status="running").exists():
        assert time.monotonic() < deadline, "the sync never started"
        time.sleep(0.1)
    e2e.tracker.kill()
    thread.join(timeout=30)
    assert AudibleConfig.objects.get(user=user).sync_lock_token != ""
    assert not Book.objects.filter(user=user).exists()
    e2e.start_tracker()
    time.sleep(STALE_S + 0.5)
    after = sync(e2e, headers)
    assert after.json()["status"] == "ok", after.text
    dead = AudibleSyncLog.objects.filter(user=user).order_by("started_at").first()
    assert dead.status == "failed"
    assert "interrupted" in dead.error
    assert AudibleConfig.objects.get(user=user).sync_lock_token == ""


def _swallow(fn, *args, **kwargs):
    with contextlib.suppress(requests.RequestException):
        fn(*args, **kwargs)


def test_twenty_simultaneous_requests_run_exactly_one_sync(e2e, blob):
    user, headers = person(blob, operator=False)
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: sync(e2e, headers, force=False), range(20)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(200) == 1, codes
    assert set(codes) <= {200, 409, 429}
    assert AudibleSyncLog.objects.filter(user=user).exclude(status="skipped").count() == 1
    winner = next(a for a in answers if a.status_code == 200)
    assert Book.objects.filter(user=user).count() == winner.json()["counts"]["created"]


def test_two_all_workers_share_fifty_due_users(e2e, blob):
    users = []
    for n in range(50):
        user = UserFactory(username=f"due{n:02d}")
        ConfigFactory(user=user, sealed_auth=blob)
        users.append(user)
    # The suite's 3 s stale-lock time (for the crash tests) would let a worker take over a
    # sync that is merely slow on a busy machine; here locks only go stale as in production.
    patient = {"AUDIBLE_SYNC_LOCK_STALE_S": "300"}
    workers = [e2e.manage("audible_sync", "--all", env=patient) for _ in range(2)]
    outputs = [w.communicate(timeout=150)[0] for w in workers]
    problems = [line for out in outputs for line in out.splitlines() if "[+]" not in line]
    assert all(w.returncode == 0 for w in workers), problems
    synced = AudibleSyncLog.objects.filter(user__in=users).exclude(status="skipped")
    per_user = {u.pk: synced.filter(user=u).count() for u in users}
    assert set(per_user.values()) == {1}, per_user
    assert all(row.status == "ok" for row in synced)
    assert all(" synced" in out for out in outputs)


def test_cron_endpoint_through_the_tracker_process(e2e, blob):
    person(blob)
    bad = requests.get(e2e.tracker.url + "/api/cron/audible-sync", timeout=10)
    assert bad.status_code == 401
    good = requests.get(
        e2e.tracker.url + "/api/cron/audible-sync",
        headers={"Authorization": f"Bearer {CRON_SECRET}"},
        timeout=60,
    )
    assert good.status_code == 200
    assert [r["user"] for r in good.json()["results"]] == ["listener"]

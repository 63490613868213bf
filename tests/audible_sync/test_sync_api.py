"""The REST entry points and the command: thin layers over run_sync, with the right codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.support.factories import ConfigFactory
from tests.support.factories import UserFactory
from tests.support.people import token_client
from tests.support.stack import sample_items
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.sync import lock
from tracker_api.books.models import Book

CRON = "test-cron-secret-0123456789abcdef"


def test_post_sync_returns_the_logs_counts_then_429(listener):
    client = token_client(listener)
    first = client.post("/api/audible/sync", {}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "ok"
    assert first.json()["counts"]["items_seen"] == len(sample_items())
    second = client.post("/api/audible/sync", {}, format="json")
    assert second.status_code == 429
    error = second.json()["error"]
    assert error["code"] == "sync_rate_limited"
    assert error["retry_after"] > 0
    assert AudibleSyncLog.objects.filter(user=listener, status="skipped").count() == 1


def test_force_is_for_operators_only(listener):
    client = token_client(listener)
    listener.is_staff = True  # a person is staff: that is not enough (tests/audible_sync)
    listener.save()
    refused = client.post("/api/audible/sync", {"force": True}, format="json")
    assert refused.status_code == 403
    listener.is_superuser = True
    listener.save()
    assert client.post("/api/audible/sync", {"force": True}, format="json").status_code == 200


def test_a_running_sync_answers_409(listener):
    config = AudibleConfig.objects.get(user=listener)
    token = lock.acquire(config.pk)
    answer = token_client(listener).post("/api/audible/sync", {}, format="json")
    lock.release(config.pk, token)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "sync_already_running"


def test_reauth_answers_409_with_the_sentence(listener, stack):
    stack.state.arm_fault(path="/1.0/library", status=403, count=None)
    answer = token_client(listener).post("/api/audible/sync", {}, format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "audible_reauth_required"
    assert "sign in again" in answer.json()["error"]["message"]


def test_anonymous_sync_is_401(anon):
    assert anon.post("/api/audible/sync").status_code == 401


@pytest.mark.parametrize("header", ["", "Bearer wrong", f"Token {CRON}", "Bearer "])
def test_cron_needs_the_bearer_secret(anon, header, db):
    answer = anon.get("/api/cron/audible-sync", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_cron_secret"


def test_cron_syncs_due_users_once(listener, sealed, anon):
    other = UserFactory(username="other")
    ConfigFactory(user=other, sealed_auth=sealed)
    off = UserFactory(username="off")
    ConfigFactory(user=off, sealed_auth=sealed, auto_sync=False)
    first = anon.get("/api/cron/audible-sync", HTTP_AUTHORIZATION=f"Bearer {CRON}")
    assert first.status_code == 200
    assert sorted(r["user"] for r in first.json()["results"]) == ["listener", "other"]
    again = anon.get("/api/cron/audible-sync", HTTP_AUTHORIZATION=f"Bearer {CRON}")
    assert again.json()["count"] == 0
    assert not Book.objects.filter(user=off).exists()


def test_command_syncs_one_user_and_prints_counts(listener):
    out = io.StringIO()
    call_command("audible_sync", "--user", "listener", stdout=out)
    assert "[+] listener: ok" in out.getvalue()
    assert f"{len(sample_items())} seen" in out.getvalue()


def test_command_dry_run_prints_decisions_and_writes_nothing(listener):
    out = io.StringIO()
    call_command("audible_sync", "--user", "listener", "--dry-run", stdout=out)
    assert "(dry run)" in out.getvalue()
    assert "created: The Martian" in out.getvalue()
    assert not Book.objects.filter(user=listener).exists()


def test_command_fails_with_a_non_zero_exit_when_the_sync_fails(listener, stack):
    stack.state.arm_fault(path="/1.0/library", status=500, count=None)
    with pytest.raises(CommandError):
        call_command("audible_sync", "--user", "listener", stdout=io.StringIO())


def test_command_all_syncs_due_users(listener):
    out = io.StringIO()
    call_command("audible_sync", "--all", stdout=out)
    assert "1 user(s) synced, 0 failed." in out.getvalue()
    out = io.StringIO()
    call_command("audible_sync", "--all", stdout=out)
    assert "0 user(s) synced" in out.getvalue()


def test_command_refuses_unknown_users_and_bad_combinations(db):
    with pytest.raises(CommandError, match="no user"):
        call_command("audible_sync", "--user", "nobody")
    with pytest.raises(CommandError):
        call_command("audible_sync", "--all", "--force")

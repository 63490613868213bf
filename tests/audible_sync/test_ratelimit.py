"""Rate limits counted from the sync logs: minimum interval, rolling daily cap, due-ness."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support.factories import ConfigFactory
from tests.support.factories import SyncLogFactory
from tracker_api.audible_sync.ratelimit import RateLimitDecision
from tracker_api.audible_sync.ratelimit import check_rate_limit
from tracker_api.audible_sync.ratelimit import is_due
from tracker_api.audible_sync.ratelimit import reschedule

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def config(alice):
    return ConfigFactory(user=alice, sync_interval_minutes=60, daily_sync_cap=3)


def log(config, minutes_ago: float, **kwargs):
    return SyncLogFactory(
        user=config.user, started_at=NOW - timedelta(minutes=minutes_ago), **kwargs
    )


def test_first_sync_is_allowed(config):
    assert check_rate_limit(config, NOW) == RateLimitDecision(allowed=True)


def test_interval_counts_from_last_started_sync(config):
    log(config, 5)
    decision = check_rate_limit(config, NOW)
    assert not decision.allowed
    assert decision.reason == "interval"
    assert decision.retry_at == NOW + timedelta(minutes=10)
    assert decision.retry_after_seconds(NOW) == 600
    assert check_rate_limit(config, NOW + timedelta(minutes=10)).allowed


def test_running_sync_counts_for_the_interval(config):
    log(config, 1, status="running")
    assert check_rate_limit(config, NOW).reason == "interval"


def test_skipped_syncs_do_not_start_the_interval(config):
    log(config, 1, status="skipped")
    assert check_rate_limit(config, NOW).allowed


def test_dry_runs_start_the_interval_but_not_the_schedule(config):
    """A dry run fetches the same library from Audible, so it counts like a sync."""
    from tracker_api.audible_sync.ratelimit import next_scheduled_at

    log(config, 2, dry_run=True)
    assert check_rate_limit(config, NOW).reason == "interval"
    assert next_scheduled_at(config) is None  # the person's schedule counts real syncs


def test_an_interrupted_sync_may_be_retried_at_once_but_counts_for_the_day(config):
    from tracker_api.audible_sync.sync.lock import close_interrupted_runs

    log(config, 1, status="running")
    assert close_interrupted_runs(config.user_id) == 1  # as the next sync's sweep closes it
    assert check_rate_limit(config, NOW).allowed
    log(config, 2, status="running")
    log(config, 3, status="running")
    close_interrupted_runs(config.user_id)
    assert check_rate_limit(config, NOW).reason == "daily_cap"


def test_an_interrupted_run_is_known_by_its_code_not_its_sentence(config):
    """Only the sweep's code frees the interval: a failure worded the same way does not."""
    from tracker_api.audible_sync.sync.lock import INTERRUPTED

    log(config, 1, status="failed", error=INTERRUPTED)
    assert check_rate_limit(config, NOW).reason == "interval"


def test_an_ordinary_failed_sync_still_starts_the_interval(config):
    log(config, 1, status="failed", error="Audible kept answering 503.")
    assert check_rate_limit(config, NOW).reason == "interval"


def test_interval_floor_follows_environment(config, settings):
    settings.AUDIBLE_SYNC_MIN_INTERVAL_MINUTES = 30
    log(config, 20)
    decision = check_rate_limit(config, NOW)
    assert decision.retry_at == NOW + timedelta(minutes=10)


def test_daily_cap_is_a_rolling_window(config):
    for minutes in (23 * 60, 10 * 60, 60):
        log(config, minutes)
    log(config, 30, status="skipped")  # skipped rows never count
    decision = check_rate_limit(config, NOW)
    assert not decision.allowed
    assert decision.reason == "daily_cap"
    # The oldest of the three ages out of the 24 h window one hour from now.
    assert decision.retry_at == NOW + timedelta(hours=1)
    assert check_rate_limit(config, NOW + timedelta(hours=1, seconds=1)).allowed


def test_dry_runs_count_towards_the_daily_cap(config):
    for minutes in (300, 200, 100):
        log(config, minutes, dry_run=True)
    assert check_rate_limit(config, NOW).reason == "daily_cap"


def test_later_limit_wins_when_both_apply(config):
    config.daily_sync_cap = 1
    log(config, 5)
    decision = check_rate_limit(config, NOW)
    assert decision.reason == "daily_cap"
    assert decision.retry_at == NOW - timedelta(minutes=5) + timedelta(hours=24)


def test_other_users_logs_do_not_count(config, bob):
    SyncLogFactory(user=bob, started_at=NOW - timedelta(minutes=1))
    assert check_rate_limit(config, NOW).allowed


def test_is_due_follows_the_users_own_interval(config):
    assert is_due(config, NOW)
    log(config, 30)
    assert not is_due(config, NOW)  # past the floor but inside the 60-minute interval
    assert check_rate_limit(config, NOW).allowed
    assert is_due(config, NOW + timedelta(minutes=30))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("auto_sync", False),
        ("enabled", False),
        ("needs_relogin", True),
        ("sealed_auth", ""),
        ("rate_limited_until", NOW + timedelta(minutes=5)),
    ],
)
def test_is_due_needs_every_precondition(config, field, value):
    setattr(config, field, value)
    assert not is_due(config, NOW)


def test_is_due_respects_daily_cap(config):
    config.sync_interval_minutes = 15
    for minutes in (200, 100, 50):
        log(config, minutes)
    assert not is_due(config, NOW)


def test_reschedule_aims_the_claim_index_at_the_new_interval(config):
    log(config, 30)
    config.next_sync_at = NOW + timedelta(days=1)
    config.save()
    config.sync_interval_minutes = 45
    reschedule(config)
    config.refresh_from_db()
    assert config.next_sync_at == NOW + timedelta(minutes=15)


def test_reschedule_without_any_sync_means_due_now(config):
    config.next_sync_at = NOW + timedelta(days=1)
    config.save()
    reschedule(config)
    config.refresh_from_db()
    assert config.next_sync_at is None

"""The sync's tuning variables reach the code through the Django settings, read at start.

The code reads ``django.conf.settings`` (tests override those in-process), so this is the one
place that proves each environment variable still lands in its setting: a fresh process with
the production settings and every variable set to a value that is not its default.
"""

from __future__ import annotations

import json

import pytest

from tests.deploy.test_startup_checks import tracker

VALUES = {
    "AUDIBLE_GATEWAY_CONNECT_TIMEOUT_S": ("2.5", 2.5),
    "AUDIBLE_GATEWAY_READ_TIMEOUT_S": ("60", 60.0),
    "AUDIBLE_GATEWAY_RETRY_ATTEMPTS": ("2", 2.0),
    "AUDIBLE_GATEWAY_RETRY_BASE_S": ("0.5", 0.5),
    "AUDIBLE_GATEWAY_RETRY_MAX_WAIT_S": ("7", 7.0),
    "AUDIBLE_GATEWAY_RETRY_BUDGET_S": ("40", 40.0),
    "AUDIBLE_SYNC_LOCK_STALE_S": ("300", 300.0),
    "AUDIBLE_CRON_MAX_USERS": ("9", 9),
    "AUDIBLE_SYNC_MIN_INTERVAL_MINUTES": ("30", 30),
    "AUDIBLE_SYNC_MAX_DAILY_CAP": ("12", 12),
}

PROBE = """
import json, sys, django
django.setup()
from django.conf import settings
from tracker_api.audible_sync import gateway, sync_bounds
from tracker_api.audible_sync.api.sync_views import cron_batch
from tracker_api.audible_sync.sync.lock import stale_after
names = sys.argv[1:]
client = gateway.client_settings()
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in names},
    "used": [client.connect_timeout_s, client.read_timeout_s, client.attempts, client.base_s,
             client.max_wait_s, client.budget_s, stale_after().total_seconds(), cron_batch(),
             sync_bounds.min_sync_interval_minutes(), sync_bounds.max_daily_sync_cap()],
}))
"""


def test_each_variable_lands_in_its_setting_and_the_code_uses_it():
    result = tracker(
        "-c", PROBE, *sorted(VALUES), **{name: raw for name, (raw, _) in VALUES.items()}
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["settings"] == {name: value for name, (_, value) in VALUES.items()}
    assert answer["used"] == [2.5, 60.0, 2, 0.5, 7.0, 40.0, 300.0, 9, 30, 12]


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("AUDIBLE_SYNC_LOCK_STALE_S", "soon", "AUDIBLE_SYNC_LOCK_STALE_S must be a number"),
        ("AUDIBLE_SYNC_MIN_INTERVAL_MINUTES", "5", "must be at least 15"),
    ],
)
def test_a_malformed_value_refuses_to_start(name, raw, message):
    result = tracker("-c", "import django; django.setup()", **{name: raw})
    assert result.returncode != 0
    assert message in result.stderr

"""The sync workflow: lock, rate limit, fetch, apply, log. See docs/sync.md."""

from __future__ import annotations

from tracker_api.audible_sync.sync.service import NotConnected
from tracker_api.audible_sync.sync.service import SyncAlreadyRunning
from tracker_api.audible_sync.sync.service import SyncOutcome
from tracker_api.audible_sync.sync.service import SyncRateLimited
from tracker_api.audible_sync.sync.service import SyncRefused
from tracker_api.audible_sync.sync.service import run_sync

__all__ = [
    "NotConnected",
    "SyncAlreadyRunning",
    "SyncOutcome",
    "SyncRateLimited",
    "SyncRefused",
    "run_sync",
]

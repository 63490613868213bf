"""A sync asks Audible only for what changed, and its log says how many requests it made.

Against the live sandbox and gateway: the first sync looks up every position, an unchanged
re-sync costs only the library pages, a title that moved is the only one looked up, and the
result in the tracker is the same as if every position had been fetched.
"""

from __future__ import annotations

import json

from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.sync import run_sync
from tracker_api.audible_sync.sync.fetch import known_progress

PAGES = "/1.0/library"
POSITIONS = "/1.0/annotations/lastpositions"
STATS = "/1.0/stats/aggregates"  # listening time: fetched when something moved
IN_PROGRESS = "B0PZHZFWVU"  # The Name of the Wind, 23.9 %


def _sync(user, stack):
    stack.state.reset_calls()
    outcome = run_sync(user, trigger="manual", force=True)
    assert outcome.status == "ok", outcome.log.error
    calls = {p: stack.state.calls_to(p) for p in (PAGES, POSITIONS)}
    return outcome.log, calls


def test_the_first_sync_looks_up_every_position_and_logs_its_requests(listener, stack):
    row, calls = _sync(listener, stack)
    assert calls[POSITIONS] >= 1
    assert row.audible_requests == calls[PAGES] + calls[POSITIONS] + stack.state.calls_to(STATS)
    row.refresh_from_db()
    assert row.audible_requests == calls[PAGES] + calls[POSITIONS] + stack.state.calls_to(STATS)


def test_an_unchanged_resync_asks_audible_only_for_the_library_pages(listener, stack):
    # The sample has a podcast in progress: imported here, so the tracker follows it. (While
    # podcasts are not imported such a title is not kept, and its position is asked again.)
    AudibleConfig.objects.filter(user=listener).update(import_podcasts=True)
    _sync(listener, stack)
    assert AudibleConflict.objects.filter(user=listener, status="open").exists()
    assert known_progress(listener.pk), "the sample has titles in progress"
    row, calls = _sync(listener, stack)
    assert calls == {PAGES: 1, POSITIONS: 0}
    assert row.audible_requests == 1
    assert (row.updated, row.created, row.linked) == (0, 0, 0)


def test_only_a_title_that_moved_is_looked_up_and_its_position_applied(listener, stack):
    _sync(listener, stack)
    stack.state.update_progress(IN_PROGRESS, percent=61.5)
    row, calls = _sync(listener, stack)
    assert calls == {PAGES: 1, POSITIONS: 1}
    assert row.updated == 1
    heard = stack.state.last_position(IN_PROGRESS)["last_position_heard"]
    mapping = AudibleBookMapping.objects.get(user=listener, asin=IN_PROGRESS)
    assert mapping.last_position_ms == heard["position_ms"]
    assert mapping.item["progress"]["position_ms"] == heard["position_ms"]
    history = AudibleProgressHistory.objects.filter(asin=IN_PROGRESS).order_by("id").last()
    assert (history.percent, history.position_ms) == (61.5, heard["position_ms"])


def test_a_stored_position_that_cannot_be_sent_is_looked_up_again(listener, stack):
    _sync(listener, stack)
    mapping = AudibleBookMapping.objects.get(user=listener, asin=IN_PROGRESS)
    mapping.item["progress"]["position_updated_at"] = "not a date"
    mapping.save(update_fields=["item"])
    assert IN_PROGRESS not in known_progress(listener.pk)
    _row, calls = _sync(listener, stack)
    assert calls == {PAGES: 1, POSITIONS: 1}
    mapping.refresh_from_db()
    assert mapping.item["progress"]["position_updated_at"] != "not a date"


def test_a_file_sync_asks_audible_nothing(listener, stack, tmp_path):
    path = tmp_path / "library.json"
    path.write_text(
        json.dumps({"items": gateway.fetch_library(listener.audible_config.sealed_auth).items})
    )
    outcome = run_sync(listener, trigger="manual", library_file=path)
    assert outcome.log.audible_requests is None

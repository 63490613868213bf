"""The re-read rule in process (reads_rule.decide), one row per line of docs/sync.md's table."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from tracker_api.audible_sync.progress import BookState
from tracker_api.audible_sync.progress import Observed
from tracker_api.audible_sync.progress import Seen
from tracker_api.audible_sync.progress import plan_progress
from tracker_api.audible_sync.reads_rule import ReadView
from tracker_api.audible_sync.reads_rule import Report
from tracker_api.audible_sync.reads_rule import apply
from tracker_api.audible_sync.reads_rule import decide

T0 = datetime(2024, 1, 10, tzinfo=UTC)  # an earlier finish
T1 = datetime(2025, 3, 1, tzinfo=UTC)
T2 = datetime(2025, 6, 1, tzinfo=UTC)
NOW = datetime(2025, 7, 1, tzinfo=UTC)


def read(status, start=None, finish=None, percent=0.0, source="audible"):
    return ReadView(status, start, finish, 100.0 if status == "read" else percent, source)


def listen(percent, at=None, previous=None, after=None, unfinished_after=None):
    return Report(
        percent, False, previous, position_at=at, listened_after=after or at,
        unfinished_after=unfinished_after,
    )  # fmt: skip


def finish(at, previous=50.0):
    return Report(100.0, True, previous, finished_at=at)


DNF = read("did_not_finish", T0, T1, 30.0)
IMPORTED = read("read", None, T1, source="import")
LATER_THAT_DAY = T1.replace(hour=15)

RULES = [
    # (tracker reads, book status, Audible report, change kind, read action kind)
    ((), "want_to_read", listen(10.0, T1, 0.0), "started", "open"),
    ((read("reading", T1, percent=10),), "reading", listen(30, T2, 10), "progress", "progress"),
    ((read("reading", T1, percent=30.0),), "reading", listen(20.0, T2, 30.0), "backwards", None),
    ((DNF,), "did_not_finish", listen(30.0, T2, 30.0), "progress", None),
    ((DNF,), "did_not_finish", listen(35.0, T2, 30.0), "started", "open"),
    # listening from before the person gave up (closed it as not finished): history only
    ((DNF,), "did_not_finish", listen(35.0, T0.replace(month=6), 30.0), "progress", None),
    ((read("did_not_finish", None, T2),), "did_not_finish", listen(5.0, T1, 0.0), "progress", None),
    ((read("read"),), "read", listen(40.0), "relisten", "open"),  # no finish date
    ((read("read", None, T1),), "read", listen(40.0, T2), "relisten", "open"),  # newer
    ((read("read", None, T2),), "read", listen(40.0, T1), "kept_read", None),  # person's newer
    ((read("read", None, T1),), "read", listen(40.0), "kept_read", None),  # cannot be dated
    ((read("read", None, T1),), "read", listen(40.0, None, 30.0, after=T2), "relisten", "open"),
    ((read("read", None, T1),), "read", listen(4.0, unfinished_after=T1), "relisten", "open"),
    # an imported finish is a whole day: listening later that same day is not newer
    ((IMPORTED,), "read", listen(40.0, LATER_THAT_DAY), "kept_read", None),
    ((read("reading", T1, percent=40.0),), "reading", finish(T2), "finished", "finish"),
    ((), "want_to_read", finish(T2), "finished", "add_finished"),
    ((read("read", None, T2),), "read", finish(T2.replace(day=3)), "finished", None),  # same
    ((read("read"),), "read", finish(T2), "finished", "fill_finish"),
    ((read("read", None, T1),), "read", finish(T2), "finished", "add_finished"),  # another reading
    ((read("read", None, T1),), "read", finish(None), "finished", None),
    # a finish days before the start an import gave the open read: an earlier reading
    ((read("reading", T2, source="import"),), "reading", finish(T0), "finished", "add_finished"),
]  # fmt: skip


@pytest.mark.parametrize(("reads", "status", "report", "kind", "action"), RULES)
def test_the_rule(reads, status, report, kind, action):
    got_kind, got_action = decide(reads, status, report)
    assert (got_kind, got_action.kind if got_action else None) == (kind, action)
    after = apply(reads, got_action)
    assert sum(r.status == "reading" for r in after) <= 1
    assert all(any(a.status == r.status for a in after) for r in reads if r.status == "read")


def test_a_reread_keeps_the_earlier_read_and_starts_at_audibles_position_date():
    book = BookState("read", 100.0, T0, T1, (read("read", T0, T1),))
    plan = plan_progress(book, Seen(0.0, seen_at=T1), Observed(40.0, False, None, 5000, T2), NOW)
    assert plan.kind == "relisten"
    assert (plan.read.kind, plan.read.started_at, plan.read.percent) == ("open", T2, 40.0)
    assert plan.book_fields == {
        "status": "reading",
        "progress_percent": 40.0,
        "started_at": T2,
        "finished_at": None,
    }


def test_listening_since_the_last_sync_dates_a_reread_without_a_position_date():
    book = BookState("read", 100.0, None, T1, (read("read", None, T1),))
    plan = plan_progress(book, Seen(10.0, seen_at=T2), Observed(20.0, False), NOW)
    assert plan.kind == "relisten"
    assert plan.read.started_at is None  # no position date: the start is unknown

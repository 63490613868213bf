"""The re-read timeline (docs/sync.md), each case synced through the real stack.

The sandbox plays the person's Audible app, the real gateway serves it over HTTP, and
``run_sync`` applies it to the tracker on PostgreSQL (or SQLite). The book is the person's
own (made here with its reads), linked to the title ahead of the first sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

import pytest
from django.utils import timezone

from tests.support.factories import BookFactory
from tracker_api.audible_sync import linking
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.sync import run_sync
from tracker_api.books import reading
from tracker_api.books.models import BookRead

ASIN = "B0SMJ8J2YQ"  # Thinking, Fast and Slow: unplayed in the sample library
JAN_2024 = datetime(2024, 1, 10, tzinfo=UTC)
MAR_1 = datetime(2025, 3, 1, 20, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    name: str
    reads: tuple  # the tracker's reads before: (status, finished_at, source)
    steps: tuple  # ("listen", percent) | ("finish", iso or None) | ("person_read",) | ("sync",)
    expected: tuple  # reads after, oldest first: (status, percent, finish) finish: date | "audible"
    status: str
    kinds: tuple  # the sync log's change kinds for the title, in order


CASES = [
    Case(
        "read with no finish date, Audible at 40 %: a re-read in progress",
        reads=(("read", None, "import"),),
        steps=(("listen", 40.0), ("sync",)),
        expected=(("read", 100.0, None), ("reading", 40.0, None)),
        status="reading",
        kinds=("relisten",),
    ),
    Case(
        "read in 2024, Audible listening now: a re-read started at Audible's position date",
        reads=(("read", JAN_2024, "import"),),
        steps=(("listen", 40.0), ("sync",)),
        expected=(("read", 100.0, JAN_2024), ("reading", 40.0, None)),
        status="reading",
        kinds=("relisten",),
    ),
    Case(
        "the person finished it after Audible's listening: stays read, history only",
        reads=(),
        steps=(("listen", 40.0), ("person_read",), ("sync",)),
        expected=(("read", 100.0, "person"),),
        status="read",
        kinds=("kept_read",),
    ),
    Case(
        "then more listening on Audible, newer than the person's finish: a re-read",
        reads=(),
        steps=(("listen", 40.0), ("person_read",), ("sync",), ("listen", 60.0), ("sync",)),
        expected=(("read", 100.0, "person"), ("reading", 60.0, None)),
        status="reading",
        kinds=("kept_read", "relisten"),
    ),
    Case(
        "a re-read Audible then reports finished: closed with Audible's finish date",
        reads=(("read", JAN_2024, "import"),),
        steps=(("listen", 40.0), ("sync",), ("finish", None), ("sync",)),
        expected=(("read", 100.0, JAN_2024), ("read", 100.0, "audible")),
        status="read",
        kinds=("relisten", "finished"),
    ),
    Case(
        "Audible's finish is the tracker's finish (within days): no second read",
        reads=(("read", MAR_1, "manual"),),
        steps=(("finish", "2025-03-02T09:00:00Z"), ("sync",)),
        expected=(("read", 100.0, MAR_1),),
        status="read",
        kinds=("finished",),
    ),
    Case(
        "Audible's finish for a read with no date: the date is filled in, no second read",
        reads=(("read", None, "manual"),),
        steps=(("finish", "2025-03-02T09:00:00Z"), ("sync",)),
        expected=(("read", 100.0, "audible"),),
        status="read",
        kinds=("finished",),
    ),
    Case(
        "finished on Audible, then re-listened from the start: a re-read in progress",
        reads=(),
        steps=(("finish", "2025-03-02T09:00:00Z"), ("sync",), ("listen", 4.0), ("sync",)),
        expected=(("read", 100.0, "audible"), ("reading", 4.0, None)),
        status="reading",
        kinds=("finished", "relisten"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_reread_timeline_through_the_stack(listener, stack, case):
    book = BookFactory(user=listener, title="My own copy", status="want_to_read")
    for status, finished, source in case.reads:
        BookRead.objects.create(
            book=book, status=status, finished_at=finished, source=source, percent=100.0
        )
    reading.refresh_book(book)
    linking.link_asin(listener, ASIN, book.pk, by=listener)
    run_sync(listener, trigger="manual", force=True)  # the title is seen (unplayed) once
    person_finish = audible_finish = None
    logs = []
    for step in case.steps:
        if step[0] == "listen":
            stack.state.update_progress(ASIN, percent=step[1], is_finished=False)
        elif step[0] == "finish":
            stack.state.update_progress(ASIN, is_finished=True, finished_at=step[1])
            audible_finish = stack.state.get_item(ASIN)["listening_status"]["finished_at_timestamp"]
        elif step[0] == "person_read":
            book.refresh_from_db()
            person_finish = timezone.now()
            reading.person_edit(book, {"status": "read", "finished_at": person_finish})
        else:
            outcome = run_sync(listener, trigger="manual", force=True)
            assert outcome.status == "ok", outcome.log.error
            logs.append(outcome.log)
    book.refresh_from_db()
    reads = reading.in_order(list(book.reads.all()))
    position_at = AudibleBookMapping.objects.get(user=listener, asin=ASIN).item["progress"][
        "position_updated_at"
    ]
    got = []
    for read in reads:
        finish = read.finished_at
        if finish is not None and finish == person_finish:
            finish = "person"
        elif (
            finish is not None and audible_finish and finish.isoformat()[:19] == audible_finish[:19]
        ):
            finish = "audible"
        got.append((read.status, read.percent, finish))
    assert tuple(got) == case.expected
    assert book.status == case.status
    assert reading.overlapping(reads) == []
    if case.status == "reading":
        current = reads[-1]
        assert book.progress_percent == current.percent
        if "relisten" in case.kinds:  # a re-read starts at Audible's position date
            assert current.started_at is not None
            assert current.started_at.isoformat()[:19] == position_at[:19]
    kinds = [
        c["change"]
        for log in logs
        for c in log.changes
        if c.get("asin") == ASIN and c["change"] != "skipped"
    ]
    assert tuple(kinds) == case.kinds
    history = AudibleProgressHistory.objects.filter(user=listener, asin=ASIN)
    assert history.count() == len(case.kinds)  # every applied report is in the history

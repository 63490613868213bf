"""A hypothesis state machine over a small library: reads are never lost, and undo is exact.

Three Audible titles and three books imported from Goodreads. Random sequences of Audible
listening, finishes, re-listens, returns, syncs, Goodreads imports, links (right or wrong,
with or without revert), a person's own edits and undos of the last run. The sync is
``apply_library`` with normalised items (no HTTP: the stack tests cover the wire), the rest
the real service functions, all on the real database, on a clock of our own. After every step:

* no read is lost and no closed read changes (a missing date may be filled) except by an
  explicit person's action (an edit, an undo, a revert);
* no status moves backwards (a re-read, read -> reading with a new read, is forwards) except
  by a person's action;
* a book's reads never overlap, and its status is what its reads say;
* every row a sync, a link, an undo or a revert wrote is in the change log, with its values
  as they now are; an undo right after a run leaves every row exactly as before the run.

``UNDO_MACHINE_EXAMPLES`` sets how many examples run (default 40; CI's figure is in the
closing note of issue 11).
"""

from __future__ import annotations

import io
import itertools
import os
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule
from hypothesis.stateful import run_state_machine_as_test

from tests.support.factories import UserFactory
from tracker_api.audible_sync import linking
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.sync.apply import apply_library
from tracker_api.audible_sync.sync.fetch import Library
from tracker_api.audible_sync.undo import revert
from tracker_api.audible_sync.undo.records import ChangeRecord
from tracker_api.audible_sync.undo.records import ChangeSet
from tracker_api.books import reading
from tracker_api.books.importers import import_books
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead

pytestmark = [pytest.mark.django_db]

EXAMPLES = int(os.environ.get("UNDO_MACHINE_EXAMPLES", "40"))
HEADER = (
    "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,"
    "Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,"
    "Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,"
    "Private Notes,Read Count,Owned Copies"
)
TITLES = [
    ("B0ORCHARD1", "101", "The Quiet Orchard", "Mara Linden"),
    ("B0WINTERM2", "102", "A Map of Winter", "Oskar Vell"),
    ("B0SALTIRN3", "103", "Salt and Iron", "Petra Quill"),
]
SHELVES = ("to-read", "currently-reading", "read")
RANK = {"want_to_read": 0, "did_not_finish": 0, "reading": 1, "read": 2}
_users = itertools.count()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _rows(user: Any) -> dict[str, dict[int, dict]]:
    """Every row of ``user`` the sync, imports and links write, by table and id."""
    tables = {
        "book": Book.objects.filter(user=user),
        "read": BookRead.objects.filter(book__user=user),
        "history": AudibleProgressHistory.objects.filter(user=user),
        "mapping": AudibleBookMapping.objects.filter(user=user),
        "conflict": AudibleConflict.objects.filter(user=user),
    }
    return {name: {row["id"]: row for row in qs.values()} for name, qs in tables.items()}


def _logged(records: list[ChangeRecord]) -> dict[tuple[str, int], dict | None]:
    """(table, id) -> the row's last logged ``after`` (None: deleted or an id-only entry)."""
    out: dict[tuple[str, int], dict | None] = {}
    for record in records:
        data = record.data
        for name in ("book", "mapping"):
            if data.get(name):
                out[(name, data[name]["id"])] = data[name]["after"]
        for part in data.get("reads") or []:
            out[("read", part["id"])] = part["after"]
        for name, key in (("history", "history"), ("conflict", "conflicts")):
            for pk in data.get(key) or []:
                out[(name, pk)] = None
    return out


class Library3(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.user = UserFactory(username=f"machine{next(_users)}")
        self.config = AudibleConfig.objects.create(user=self.user)
        self.clock = datetime(2024, 1, 1, 12, tzinfo=UTC)
        self.audible = {
            asin: {"percent": 0.0, "finished": False, "finished_at": None, "at": None,
                   "status": "Active", "title": title, "author": author}
            for asin, _, title, author in TITLES
        }  # fmt: skip
        self.runs: list[AudibleSyncLog] = []
        self.before_last_run: dict | None = None
        self.last_step = ""
        self.steps: dict[str, int] = {}
        self._import("\n".join(self._row(gid, "to-read") for _, gid, _, _ in TITLES))
        self._mark()

    # -------------------------------------------------------------- bookkeeping
    def _tick(self, hours: int = 30) -> None:
        self.clock += timedelta(hours=hours)

    def _mark(self) -> None:
        self.rows = _rows(self.user)
        self.last_set = ChangeSet.objects.filter(user=self.user).order_by("-id").first()

    def _new_records(self) -> list[ChangeRecord]:
        since = self.last_set.pk if self.last_set else 0
        return list(
            ChangeRecord.objects.filter(change_set__user=self.user, change_set_id__gt=since)
            .select_related("change_set")
            .order_by("id")
        )

    def _row(self, gid: str, shelf: str, read_on: datetime | None = None) -> str:
        _, _, title, author = next(t for t in TITLES if t[1] == gid)
        last_first = ", ".join(reversed(author.split(" ", 1)))
        date_read = read_on.strftime("%Y/%m/%d") if read_on else ""
        return (
            f'{gid},{title},{author},"{last_first}",,,,0,0,,,,,2020,{date_read},2023/01/01,,'
            f"{shelf} (#1),{shelf},,,,1,0"
        )

    def _import(self, rows: str) -> None:
        import_books(self.user, io.BytesIO(f"{HEADER}\n{rows}\n".encode()))

    def _items(self) -> list[dict[str, Any]]:
        items = []
        for asin, state in self.audible.items():
            items.append(
                {
                    "asin": asin,
                    "title": state["title"],
                    "authors": [state["author"]],
                    "narrators": ["A Narrator"],
                    "language": "english",
                    "runtime_min": 600,
                    "is_podcast": False,
                    "status": state["status"],
                    "progress": {
                        "percent": state["percent"],
                        "is_finished": state["finished"],
                        "finished_at": state["finished_at"],
                        "position_ms": int(state["percent"] * 360000),
                        "position_updated_at": state["at"],
                    },
                }
            )
        return items

    def _count(self, name: str) -> None:
        self.steps[name] = self.steps.get(name, 0) + 1
        self.last_step = name

    # -------------------------------------------------------------- Audible, between syncs
    @rule(title=st.sampled_from(TITLES), minutes=st.integers(5, 40))
    def listen(self, title, minutes):
        self._tick()
        state = self.audible[title[0]]
        if state["finished"]:  # a re-listen from the start
            state.update(finished=False, percent=0.0)
        state["percent"] = round(min(99.0, state["percent"] + minutes), 2)
        state["at"] = _iso(self.clock)
        self._count("listen")

    @rule(title=st.sampled_from(TITLES))
    def finish(self, title):
        self._tick()
        state = self.audible[title[0]]
        state.update(
            finished=True, percent=100.0, finished_at=_iso(self.clock), at=_iso(self.clock)
        )
        self._count("finish")

    @rule(title=st.sampled_from(TITLES), back=st.booleans())
    def return_or_rebuy(self, title, back):
        self.audible[title[0]]["status"] = "Active" if back else "Revoked"
        self._count("return")

    # -------------------------------------------------------------- the tracker
    @rule()
    def sync(self):
        self._tick(2)
        before = _rows(self.user)
        log = AudibleSyncLog.objects.create(
            user=self.user, trigger="command", status="ok", started_at=self.clock
        )
        with transaction.atomic():
            apply_library(
                self.config,
                Library(items=self._items(), complete=True),
                sync_log=log,
                now=self.clock,
            )
        self.runs.append(log)
        self.before_last_run = before
        self._count("sync")

    @rule(
        title=st.sampled_from(TITLES), shelf=st.sampled_from(SHELVES), days_ago=st.integers(0, 400)
    )
    def import_row(self, title, shelf, days_ago):
        self._tick()
        read_on = self.clock - timedelta(days=days_ago) if shelf == "read" else None
        self._import(self._row(title[1], shelf, read_on))
        self._count("import")

    @rule(title=st.sampled_from(TITLES), to=st.sampled_from(TITLES), revert_old=st.booleans())
    def link(self, title, to, revert_old):
        self._tick()
        book = Book.objects.filter(user=self.user, goodreads_id=to[1]).first()
        if book is None:
            return
        refused = ""
        try:
            linking.link_asin(self.user, title[0], book.pk, by=self.user, revert=revert_old)
        except linking.RevertBlocked as exc:
            refused = exc.message
        assert not refused or "cannot be undone" in refused
        self._count("link+revert" if revert_old else "link")

    @rule(title=st.sampled_from(TITLES), status=st.sampled_from(list(RANK)))
    def person_edits(self, title, status):
        self._tick()
        book = Book.objects.filter(user=self.user, goodreads_id=title[1]).first()
        if book is not None:
            with transaction.atomic():
                reading.person_edit(book, {"status": status}, now=self.clock)
        self._count("person")

    @precondition(lambda self: bool(self.runs))
    @rule()
    def undo_last_run(self):
        self._undo(right_after=self.last_step == "sync")

    @rule()
    def sync_and_undo_it(self):
        self.sync()
        self._undo(right_after=True)

    def _undo(self, *, right_after: bool) -> None:
        refused: revert.UndoRefused | None = None
        try:
            revert.undo_run(self.user, self.runs[-1].pk, by=self.user)
        except revert.UndoRefused as exc:
            refused = exc
        if refused is not None:
            assert refused.code in ("already_undone", "nothing_to_undo", "undo_blocked")
            assert not (right_after and refused.code == "undo_blocked"), refused.message
            self._count(f"undo refused: {refused.code}")
            return
        if right_after:  # nothing happened since the run: every row exactly as before it
            assert _rows(self.user) == self.before_last_run
        self._count("undo")

    # -------------------------------------------------------------- after every step
    @invariant()
    def reads_are_the_record(self):
        for book in Book.objects.filter(user=self.user):
            reads = list(book.reads.all())
            assert reading.overlapping(reads) == [], (book.title, reads)
            assert sum(1 for r in reads if r.status == "reading") <= 1
            if book.status != "want_to_read" or not reads:  # a person's "want to read again"
                assert reading.book_changes(book, reads) == {}, book.title

    @invariant()
    def nothing_lost_or_backwards_and_everything_logged(self):
        if not hasattr(self, "rows"):
            return
        now = _rows(self.user)
        records = self._new_records()
        person = self.last_step in ("person", "undo", "link+revert")
        if not person:
            self._check_nothing_lost(self.rows, now)
        if self.last_step in ("sync", "link", "link+revert", "undo"):
            self._check_logged(self.rows, now, records)
        self._mark()

    def _check_nothing_lost(self, before: dict, now: dict) -> None:
        for pk, read in before["read"].items():
            assert pk in now["read"], f"read {pk} lost in {self.last_step}"
            after = now["read"][pk]
            if read["status"] != "reading":
                assert after["status"] == read["status"], (self.last_step, read, after)
                for name in ("started_at", "finished_at"):
                    assert read[name] is None or after[name] == read[name], (name, read, after)
            elif after["status"] == "reading":
                assert after["percent"] >= read["percent"], (self.last_step, read, after)
        for pk, book in before["book"].items():
            after = now["book"].get(pk)
            assert after is not None, f"book {pk} lost in {self.last_step}"
            reads_before = sum(1 for r in before["read"].values() if r["book_id"] == pk)
            reads_after = sum(1 for r in now["read"].values() if r["book_id"] == pk)
            reread = book["status"] == "read" and after["status"] == "reading"
            assert RANK[after["status"]] >= RANK[book["status"]] or (
                reread and reads_after > reads_before
            ), (self.last_step, book["title"], book["status"], after["status"])

    def _check_logged(self, before: dict, now: dict, records: list[ChangeRecord]) -> None:
        logged = _logged(records)
        tracked = {
            "book": ("status", "progress_percent", "started_at", "finished_at"),
            "read": ("status", "percent", "started_at", "finished_at", "book_id"),
            "mapping": ("book_id", "last_percent", "last_is_finished", "in_library", "ignored"),
        }
        for table in ("book", "read", "history", "mapping", "conflict"):
            for pk, row in now[table].items():
                old = before[table].get(pk)
                if old is None:
                    changed = table != "conflict" or row["status"] == "open"
                elif table in tracked:
                    changed = any(old[n] != row[n] for n in tracked[table])
                else:
                    changed = False
                if changed:
                    assert (table, pk) in logged, f"{self.last_step}: {table} {pk} not logged"
                    after = logged[(table, pk)]
                    for name, value in (after or {}).items():
                        field = "book_id" if name == "book_id" else name
                        current = row.get(field)
                        if isinstance(current, datetime):
                            current = current.astimezone(UTC).isoformat()
                        if table != "mapping" or name != "item":
                            assert current == value, (self.last_step, table, pk, name)
            for pk in before[table]:
                if pk not in now[table] and table != "conflict":
                    assert (table, pk) in logged, f"{self.last_step}: {table} {pk} gone unlogged"

    def teardown(self) -> None:
        counts = getattr(type(self), "step_counts", {})
        for name, n in self.steps.items():
            counts[name] = counts.get(name, 0) + n
        type(self).step_counts = counts
        type(self).examples = getattr(type(self), "examples", 0) + 1


def test_reads_survive_any_sequence_and_undo_is_exact():
    Library3.examples = 0
    Library3.step_counts = {}
    run_state_machine_as_test(
        Library3,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=14,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(f"\nundo state machine: {Library3.examples} examples, steps {Library3.step_counts}")
    assert Library3.examples >= min(EXAMPLES, 10)
    assert Library3.step_counts.get("undo", 0) > 0
    assert Library3.step_counts.get("sync", 0) > 0

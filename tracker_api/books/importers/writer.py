"""Write batches of book records: find each one's existing book, merge, then bulk write.

A new book is created with the read its shelf implies. An existing book only gains: its empty
fields are filled, and ``merge.merge_row`` adds to its reads without moving anything back; its
status, percent and dates are then derived from the reads (``tracker_api.books.reading``).
A row the tracker knows better (it is further along, or its dates disagree) is kept as the
tracker has it and named in the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from tracker_api.books import reading
from tracker_api.books.importers import merge
from tracker_api.books.importers.records import BookRecord
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.books.models import BookStatus
from tracker_api.books.models import ReadSource
from tracker_api.books.models import ReadStatus
from tracker_api.books.text import search_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Fields an import fills on an existing book when the book has them empty. Status, percent and
# dates are not among them: they follow from the book's reads, which ``merge`` adds to.
FILLED_FIELDS = (
    "title",
    "authors",
    "contributors",
    "isbn10",
    "isbn13",
    "goodreads_id",
    "series",
    "series_position",
    "year",
    "pages",
)
NEW_BOOK_FIELDS = (*FILLED_FIELDS, "status", "started_at", "finished_at")
UPDATE_FIELDS = [*FILLED_FIELDS, *reading.BOOK_FIELDS, "search_text", "updated_at"]
READ_UPDATE_FIELDS = ["status", "percent", "started_at", "finished_at", "updated_at"]
DB_BATCH = 1000


@dataclass
class BatchOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[tuple[BookRecord, Book, str]] = field(default_factory=list)


class BatchWriter:
    """Applies record batches for one user; remembers nothing between batches but counts."""

    def __init__(self, user: User) -> None:
        self.user = user

    def write(self, records: list[BookRecord]) -> BatchOutcome:
        """Create, merge into or leave alone the book of every record (``merge`` decides)."""
        existing = self._existing(records)
        index = _Index(existing)
        reads = _load_reads(existing)
        to_create: list[Book] = []
        to_update: dict[int, Book] = {}
        new_reads: list[BookRead] = []
        changed_reads: dict[int, BookRead] = {}
        outcome = BatchOutcome()
        now = timezone.now()
        for record in records:
            book = index.find(record)
            if book is None:
                book = _new_book(self.user, record)
                to_create.append(book)
                index.add(book)
                book_reads = reads.setdefault(id(book), [])
                for read in reading.reads_for_new_book(book, source=ReadSource.IMPORT):
                    book_reads.append(read)
                    new_reads.append(read)
                outcome.created += 1
                continue
            book_reads = reads.setdefault(id(book), [])
            for implied in reading.implied_reads(book, book_reads):
                book_reads.append(implied)
                new_reads.append(implied)
            filled = _fill(book, record)
            change = merge.merge_row(record, book_reads, book.status)
            if change.kept:
                outcome.kept.append((record, book, change.kept))
            touched = _apply(change, book, book_reads, new_reads, changed_reads, now)
            derived = reading.book_changes(book, book_reads) if touched else {}
            for name, value in derived.items():
                setattr(book, name, value)
            if filled or touched:
                book.updated_at = now
                if book.pk is not None:
                    to_update[book.pk] = book
                outcome.updated += 1
            else:
                outcome.unchanged += 1
        Book.objects.bulk_create(to_create, batch_size=DB_BATCH)
        Book.objects.bulk_update(list(to_update.values()), UPDATE_FIELDS, batch_size=DB_BATCH)
        if changed_reads:  # before new reads: a closed read frees the book's one open slot
            BookRead.objects.bulk_update(
                list(changed_reads.values()), READ_UPDATE_FIELDS, batch_size=DB_BATCH
            )
        for read in new_reads:
            read.book_id = read.book.pk
        BookRead.objects.bulk_create(new_reads, batch_size=DB_BATCH)
        return outcome

    def _existing(self, records: list[BookRecord]) -> list[Book]:
        gids = {r.goodreads_id for r in records if r.goodreads_id}
        isbns = {r.isbn13 for r in records if r.isbn13}
        texts = {search_text(r.title, r.authors) for r in records}
        query = Q(search_text__in=texts)
        if gids:
            query |= Q(goodreads_id__in=gids)
        if isbns:
            query |= Q(isbn13__in=isbns)
        return list(Book.objects.filter(user=self.user).filter(query))


def _load_reads(books: list[Book]) -> dict[int, list[BookRead]]:
    """The reads of these books (one query), keyed by ``id(book)`` like new books' reads."""
    by_pk = {book.pk: book for book in books}
    out: dict[int, list[BookRead]] = {id(book): [] for book in books}
    if by_pk:
        for read in BookRead.objects.filter(book_id__in=list(by_pk)).order_by("id"):
            read.book = by_pk[read.book_id]
            out[id(read.book)].append(read)
    return out


def _apply(
    change: merge.RowChange,
    book: Book,
    reads: list[BookRead],
    new_reads: list[BookRead],
    changed_reads: dict[int, BookRead],
    now: datetime,
) -> bool:
    """Carry out the merge's change on the in-memory reads; True when a read changed."""
    if not change.kind:
        return False
    if change.kind == merge.ADD:
        read = BookRead(
            book=book,
            status=change.status,
            started_at=change.started_at,
            finished_at=None if change.status == ReadStatus.READING else change.finished_at,
            percent=100.0 if change.status == ReadStatus.READ else 0.0,
            source=ReadSource.IMPORT,
        )
        reads.append(read)
        new_reads.append(read)
        return True
    if change.index is None:
        raise ValueError(f"A {change.kind!r} change names no read.")
    read = reads[change.index]
    if change.kind == merge.FILL_START:
        read.started_at = change.started_at
    elif change.kind == merge.FILL_FINISH:
        read.finished_at = change.finished_at
        if read.started_at is None and change.started_at is not None:
            read.started_at = change.started_at
    elif change.kind == merge.CLOSE:
        read.status = ReadStatus.READ
        read.percent = 100.0
        read.finished_at = change.finished_at
    read.updated_at = now
    if read.pk is not None:
        changed_reads[read.pk] = read
    return True


class _Index:
    """Existing books by Goodreads id, by ISBN-13 and by title+authors text."""

    def __init__(self, books: list[Book]) -> None:
        self.by_gid: dict[str, Book] = {}
        self.by_isbn: dict[str, Book] = {}
        self.by_text: dict[str, Book] = {}
        for book in sorted(books, key=lambda b: b.pk or 0):
            self.add(book)

    def add(self, book: Book) -> None:
        if book.goodreads_id:
            self.by_gid.setdefault(book.goodreads_id, book)
        if book.isbn13:
            self.by_isbn.setdefault(book.isbn13, book)
        self.by_text.setdefault(book.search_text, book)

    def find(self, record: BookRecord) -> Book | None:
        """A row with a Goodreads id matches on it, or else only a book that has none: two
        Goodreads entries sharing an ISBN stay two books."""
        if record.goodreads_id and record.goodreads_id in self.by_gid:
            return self.by_gid[record.goodreads_id]
        candidates = []
        if record.isbn13 and record.isbn13 in self.by_isbn:
            candidates.append(self.by_isbn[record.isbn13])
        text = search_text(record.title, record.authors)
        if text in self.by_text:
            candidates.append(self.by_text[text])
        for book in candidates:
            if not record.goodreads_id or not book.goodreads_id:
                return book
        return None


def _new_book(user: User, record: BookRecord) -> Book:
    book = Book(
        user=user,
        source=record.source,
        progress_percent=100.0 if record.status == BookStatus.READ else 0.0,
        **{name: getattr(record, name) for name in NEW_BOOK_FIELDS},
    )
    if book.status == BookStatus.READING:
        book.finished_at = None
    book.refresh_search_text()
    return book


def _fill(book: Book, record: BookRecord) -> bool:
    """Fill the book's empty fields with the record's values; True when any was filled.
    A value the book has (from a person, the sync or an earlier import) is never replaced."""
    changed = False
    for name in FILLED_FIELDS:
        value = getattr(record, name)
        if value in ("", None, []) or getattr(book, name) not in ("", None, []):
            continue
        setattr(book, name, value)
        changed = True
    if changed:
        book.refresh_search_text()
    return changed

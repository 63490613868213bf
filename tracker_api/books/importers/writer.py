"""Write batches of book records: find each one's existing book, then bulk create / update."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from tracker_api.books.importers.records import BookRecord
from tracker_api.books.models import Book
from tracker_api.books.models import BookStatus
from tracker_api.books.text import search_text

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Fields an import may set on an existing book. Empty values in the file never erase data.
IMPORTED_FIELDS = (
    "title",
    "authors",
    "isbn10",
    "isbn13",
    "goodreads_id",
    "series",
    "series_position",
    "year",
    "pages",
    "status",
    "started_at",
    "finished_at",
)
UPDATE_FIELDS = [*IMPORTED_FIELDS, "progress_percent", "search_text", "updated_at"]
DB_BATCH = 1000


class BatchWriter:
    """Applies record batches for one user; remembers nothing between batches but counts."""

    def __init__(self, user: AbstractBaseUser) -> None:
        self.user = user

    def write(self, records: list[BookRecord]) -> dict[str, int]:
        """Create, update or leave alone the book of every record; returns the three counts."""
        index = _Index(self._existing(records))
        to_create: list[Book] = []
        to_update: dict[int, Book] = {}
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        now = timezone.now()
        for record in records:
            book = index.find(record)
            if book is None:
                book = _new_book(self.user, record)
                to_create.append(book)
                index.add(book)
                counts["created"] += 1
            elif _apply(book, record):
                book.updated_at = now
                if book.pk is not None:
                    to_update[book.pk] = book
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        Book.objects.bulk_create(to_create, batch_size=DB_BATCH)
        Book.objects.bulk_update(list(to_update.values()), UPDATE_FIELDS, batch_size=DB_BATCH)
        return counts

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


def _new_book(user: AbstractBaseUser, record: BookRecord) -> Book:
    book = Book(
        user=user,
        source=record.source,
        progress_percent=100.0 if record.status == BookStatus.READ else 0.0,
        **{name: getattr(record, name) for name in IMPORTED_FIELDS},
    )
    book.refresh_search_text()
    return book


def _apply(book: Book, record: BookRecord) -> bool:
    """Copy the record's non-empty values onto ``book``; True when anything changed."""
    changed = False
    for name in IMPORTED_FIELDS:
        value = getattr(record, name)
        if value in ("", None, []):
            continue
        if getattr(book, name) != value:
            setattr(book, name, value)
            changed = True
    if changed:
        if book.status == BookStatus.READ:
            book.progress_percent = 100.0
        book.refresh_search_text()
    return changed

"""Build the matching engine's index from one user's books (the only ORM code of matching).

Only the columns the engine reads are loaded, as tuples streamed from the database, so a
catalogue of tens of thousands of books costs one query and no model instances.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from tracker_api.books.credits import catalogue_contributors
from tracker_api.books.models import Book
from tracker_api.matching import CatalogBook
from tracker_api.matching import CatalogIndex
from tracker_api.matching import build_index

COLUMNS = (
    "id", "title", "subtitle", "authors", "contributors", "isbn10", "isbn13", "asin", "series",
    "series_position", "year", "language", "goodreads_id",
)  # fmt: skip


def catalog_book(row: tuple[Any, ...]) -> CatalogBook:
    """A ``values_list(*COLUMNS)`` row -> CatalogBook (empty strings become None)."""
    values = dict(zip(COLUMNS, row, strict=True))
    authors = values.pop("authors") or []
    contributors = catalogue_contributors(values.pop("contributors"))
    fields: dict[str, Any] = {k: (v if v != "" else None) for k, v in values.items()}
    return CatalogBook(
        authors=tuple(str(a) for a in authors if a) if isinstance(authors, list) else (),
        contributors=contributors,
        **fields,
    )


def catalog_book_of(book: Book, *, book_id: Any = None) -> CatalogBook:
    """A Book instance (saved or not) -> CatalogBook, by the same columns as the query;
    ``book_id`` stands in for a book created this run that has no primary key yet."""
    row = tuple(getattr(book, name) for name in COLUMNS)
    entry = catalog_book(row)
    return entry if book_id is None else replace(entry, id=book_id)


def catalog_books(user: Any) -> Iterator[CatalogBook]:
    """The user's books as CatalogBooks, streamed."""
    rows = Book.objects.filter(user=user).order_by("id").values_list(*COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        yield catalog_book(row)


def build_user_index(user: Any) -> CatalogIndex:
    """The matching index of one user's catalogue; build once per sync or dry run."""
    return build_index(catalog_books(user))

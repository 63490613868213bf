"""One Audible item, parsed once: the typed value the sync, matching, book creation,
conflicts and the admin share.

An item reaches the tracker as the normalised dict of ``audible_contract.items`` (from the
gateway or a library file) and is stored as that dict (``AudibleBookMapping.item``,
``AudibleConflict.item``). :meth:`AudibleItem.parse` reads it once: what it says about the
work (``work``, the matcher's ``SourceItem``: title, people, series, ISBN, year...) and what it
says about listening (``observed``). Everything downstream reads those fields; nothing parses
a release year or a series entry out of the dict again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from tracker_api.audible_sync.catalog import catalog_book_of
from tracker_api.audible_sync.progress import Observed
from tracker_api.books.credits import split_credits
from tracker_api.books.isbn import InvalidIsbn
from tracker_api.books.isbn import normalise_any
from tracker_api.matching import CatalogBook
from tracker_api.matching import SourceItem

if TYPE_CHECKING:
    from tracker_api.books.models import Book

STATUSES = ("Active", "Revoked")


@dataclass(frozen=True)
class AudibleItem:
    """A parsed Audible item; ``data`` is the normalised dict it came from (what is stored)."""

    data: dict[str, Any]
    work: SourceItem
    observed: Observed
    status: str = "Active"

    @classmethod
    def parse(cls, data: Any) -> AudibleItem:
        """Raises TypeError/ValueError (a reason for people) for an item that cannot be used."""
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        asin = data.get("asin")
        if not isinstance(asin, str) or not asin.strip():
            raise ValueError("no ASIN")
        if not isinstance(data.get("title"), str) or not data["title"].strip():
            raise ValueError("no title")
        status = data.get("status") or "Active"
        if status not in STATUSES:
            raise ValueError(f"unknown status {data.get('status')!r}")
        return cls(data=data, work=work_of(data), observed=Observed.from_item(data), status=status)

    @property
    def asin(self) -> str:
        return self.work.asin

    @property
    def revoked(self) -> bool:
        return self.status == "Revoked"

    @property
    def is_podcast(self) -> bool:
        return self.work.is_podcast


def work_of(data: dict[str, Any]) -> SourceItem:
    """What a (stored) item says about the work; lenient, for display of older snapshots."""
    return SourceItem.from_item(data if isinstance(data, dict) else {})


def first_series(work: SourceItem) -> tuple[str, str]:
    """The item's first series and its position as written ('' when none)."""
    if not work.series:
        return "", ""
    name, sequence = work.series[0]
    return name, sequence or ""


def book_from_item(user_id: int, work: SourceItem) -> Book:
    """A new (unsaved) tracker book with what the item says about the work. It keeps the ASIN
    (the next sync, and a re-import, find it by identifier); Audible's narrators, and names its
    author list marks as translator or illustrator, are contributors, not authors."""
    from tracker_api.books.models import Book
    from tracker_api.books.models import BookSource

    try:
        isbn10, isbn13 = normalise_any(work.isbn or "")
    except InvalidIsbn:
        isbn10, isbn13 = "", ""
    authors, contributors = split_credits(work.authors)
    for name in work.narrators:
        entry = {"name": name, "role": "narrator"}
        if name and entry not in contributors:
            contributors.append(entry)
    series, position = first_series(work)
    book = Book(
        user_id=user_id,
        title=(work.title or work.asin or "Untitled")[:500],
        subtitle=(work.subtitle or "")[:500],
        authors=authors,
        contributors=contributors,
        isbn10=isbn10,
        isbn13=isbn13,
        asin=work.asin[:20],
        series=series[:300],
        series_position=position[:20],
        language=(work.language or "")[:35],
        year=work.year,
        source=BookSource.AUDIBLE,
    )
    book.refresh_search_text()
    return book


def catalog_entry(book_id: Any, book: Book) -> CatalogBook:
    """A book not in the database yet (created this run) as the matcher's CatalogBook."""
    return catalog_book_of(book, book_id=book_id)

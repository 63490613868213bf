"""Goodreads export rows for the import tests, written with the csv module (real quoting)."""

from __future__ import annotations

import csv
import io

GOODREADS_COLUMNS = [
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN", "ISBN13",
    "My Rating", "Average Rating", "Publisher", "Binding", "Number of Pages", "Year Published",
    "Original Publication Year", "Date Read", "Date Added", "Bookshelves",
    "Bookshelves with positions", "Exclusive Shelf", "My Review", "Spoiler", "Private Notes",
    "Read Count", "Owned Copies",
]  # fmt: skip
GOODREADS_HEADER = ",".join(GOODREADS_COLUMNS)


def goodreads_row(
    book_id: int | str,
    title: str,
    *,
    author: str = "Ann Author",
    series_suffix: str = "",
    shelf: str = "read",
) -> str:
    """One export line (no line ending) with the given id, title and author."""
    values = dict.fromkeys(GOODREADS_COLUMNS, "")
    values.update(
        {
            "Book Id": str(book_id),
            "Title": title + series_suffix,
            "Author": author,
            "Number of Pages": "321",
            "Year Published": "2001",
            "Date Read": "2024/05/01" if shelf == "read" else "",
            "Exclusive Shelf": shelf,
            "Read Count": "1",
            "Owned Copies": "0",
        }
    )
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([values[c] for c in GOODREADS_COLUMNS])
    return out.getvalue()


def goodreads_csv(rows: int, *, broken_every: int = 0) -> str:
    """A header and ``rows`` rows; every ``broken_every``-th row has no title (skipped)."""
    lines = [GOODREADS_HEADER]
    shelves = ("read", "to-read", "currently-reading")
    for i in range(1, rows + 1):
        title = "" if broken_every and i % broken_every == 0 else f"Generated Book {i}"
        lines.append(goodreads_row(i, title, author=f"Author {i % 997}", shelf=shelves[i % 3]))
    return "\n".join(lines) + "\n"

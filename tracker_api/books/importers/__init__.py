"""Import a Goodreads or StoryGraph CSV export into one person's catalogue.

Shared by ``POST /api/books/import`` and ``manage.py import_books``. Rows are streamed and written
in batches (bounded memory, a few queries per thousand rows) inside one transaction, so a failed
import leaves nothing half-done. Importing the same file twice changes nothing: Goodreads rows are
keyed on ``Book Id``; rows without one on ISBN-13, else on normalised title + authors.
"""

from __future__ import annotations

from tracker_api.books.importers.runner import ImportFormatError
from tracker_api.books.importers.runner import ImportResult
from tracker_api.books.importers.runner import ImportTooLarge
from tracker_api.books.importers.runner import import_books

__all__ = ["ImportFormatError", "ImportResult", "ImportTooLarge", "import_books"]

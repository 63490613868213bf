"""The ``<id:...>`` path converter: a database id, or no match (a 404) before any query.

Django's ``<int:>`` takes any run of digits. An id over the 64-bit range of the database's
integer columns reaches the query as is: a primary-key lookup turns it into "no row", but a
lookup through a foreign key (``book_id=``, ``user_id=``) does not, and SQLite then raises
``OverflowError: Python int too large to convert to SQLite INTEGER`` — a 500 for
``GET /api/books/<2**80>/reads/1`` on the embedded default. No row can have such an id, so
the URL simply does not match: the same 404 a negative id gets, on every database.
"""

from __future__ import annotations

from django.urls import register_converter

# The largest id a 64-bit signed integer column (SQLite INTEGER, PostgreSQL bigint) holds.
MAX_DATABASE_ID = 2**63 - 1


class DatabaseIdConverter:
    """Digits naming an id the database can hold (0 to 2**63 - 1); anything else no match."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_DATABASE_ID:
            raise ValueError("not a database id")  # Django: this URL does not match
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


register_converter(DatabaseIdConverter, "id")

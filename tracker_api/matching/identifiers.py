"""Book identifiers as the matcher compares them: ISBNs in their ISBN-13 form (the one
normaliser, ``tracker_api.books.isbn``, that imports and the API use too), ASINs
case-insensitively."""

from __future__ import annotations

import re

from tracker_api.books.isbn import isbn10
from tracker_api.books.isbn import isbn13

__all__ = ["asin_key", "isbn10", "isbn13"]


def asin_key(value: str | None) -> str | None:
    """An ASIN as compared: upper case, no spaces; None when empty."""
    if not value:
        return None
    text = re.sub(r"\s+", "", str(value)).upper()
    return text or None

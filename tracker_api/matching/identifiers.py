"""Book identifiers: ISBN-10/13 normalised to ISBN-13, ASINs compared case-insensitively."""

from __future__ import annotations

import re

from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError

_GOODREADS_WRAPPER = re.compile(r'^="?|"$')


def isbn13(value: str | None) -> str | None:
    """Any valid ISBN-10 or ISBN-13 (hyphens, spaces, Goodreads '="..."') -> ISBN-13, else None.

    Leading zeros lost by spreadsheets are restored for 9-digit ISBN-10s ("439023483").
    """
    if not value:
        return None
    text = _GOODREADS_WRAPPER.sub("", str(value).strip()).strip()
    compact = re.sub(r"[\s\-]", "", text).upper()
    if not compact:
        return None
    if re.fullmatch(r"\d{8}[\dX]", compact):
        compact = "0" + compact
    try:
        valid = stdnum_isbn.validate(compact)
    except ValidationError:
        return None
    return stdnum_isbn.to_isbn13(valid)


def isbn10(value: str | None) -> str | None:
    """The ISBN-10 form of an ISBN (only 978- ISBNs have one), else None."""
    thirteen = isbn13(value)
    if thirteen is None or not thirteen.startswith("978"):
        return None
    return stdnum_isbn.to_isbn10(thirteen)


def asin_key(value: str | None) -> str | None:
    """An ASIN as compared: upper case, no spaces; None when empty."""
    if not value:
        return None
    text = re.sub(r"\s+", "", str(value)).upper()
    return text or None

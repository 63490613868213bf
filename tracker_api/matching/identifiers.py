"""Book identifiers: ISBN-10/13 normalised to ISBN-13, ASINs compared case-insensitively."""

from __future__ import annotations

import re

from stdnum import isbn as stdnum_isbn

_GOODREADS_WRAPPER = re.compile(r'^="?|"$')
_SEPARATORS = re.compile(r"[\s\-]")
_ISBN10_NO_ZERO = re.compile(r"\d{8}[\dX]")
_ISBN10 = re.compile(r"\d{9}[\dX]")
_ISBN13 = re.compile(r"97[89]\d{10}")


def isbn13(value: str | None) -> str | None:
    """Any valid ISBN-10 or ISBN-13 (hyphens, spaces, Goodreads '="..."') -> ISBN-13, else None.

    Leading zeros lost by spreadsheets are restored for 9-digit ISBN-10s ("439023483").
    """
    if not value:
        return None
    text = _GOODREADS_WRAPPER.sub("", str(value).strip()).strip()
    compact = _SEPARATORS.sub("", text).upper()
    if not compact:
        return None
    if _ISBN10_NO_ZERO.fullmatch(compact):
        compact = "0" + compact
    # The two checksums are computed here because a catalogue holds thousands of ISBNs and
    # this runs once per book per sync; python-stdnum does the rarer conversions.
    if _ISBN10.fullmatch(compact):
        total = sum((10 - n) * (10 if c == "X" else int(c)) for n, c in enumerate(compact))
        if total % 11:
            return None
        return _with_check13("978" + compact[:9])
    if _ISBN13.fullmatch(compact):
        return compact if _with_check13(compact[:12]) == compact else None
    return None


def _with_check13(first12: str) -> str:
    total = sum(int(c) * (3 if n % 2 else 1) for n, c in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


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

"""The one ISBN normaliser: imports, the API, book creation and the matcher all use it.

A value is first *compacted*: Goodreads' ``="..."`` spreadsheet guard, spaces and hyphens go,
``x`` becomes ``X``, and a 9-character ISBN-10 gets back the leading zero a spreadsheet ate
("439023483"). It is an ISBN when its check digit is right (ISBN-13 must start 978/979).
:func:`isbn13` answers leniently (the ISBN-13 form or None: the matcher compares that);
:func:`clean_isbn` answers strictly with a reason for people (imports and the API store the
form that was given, digits only). No Django here: the matcher is pure Python.
"""

from __future__ import annotations

import operator
import re

from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as StdnumError

_GOODREADS_WRAPPER = re.compile(r'^="?|"$')
_SEPARATORS = re.compile(r"[\s\-]")
_ISBN10_NO_ZERO = re.compile(r"\d{8}[\dX]")
_ISBN10 = re.compile(r"\d{9}[\dX]")
_ISBN13 = re.compile(r"97[89]\d{10}")
_WEIGHTS10 = range(10, 1, -1)


class InvalidIsbn(ValueError):
    """A value that is not a valid ISBN; ``str()`` is a sentence for people."""


def compact(value: str | None) -> str:
    """The characters that can make an ISBN, upper case, a lost leading zero restored."""
    if not value:
        return ""
    text = str(value)
    if not (text.isascii() and text.isdigit()):  # plain digits have nothing to remove
        text = _GOODREADS_WRAPPER.sub("", text.strip()).strip()
        text = _SEPARATORS.sub("", text).upper()
    if _ISBN10_NO_ZERO.fullmatch(text):
        text = "0" + text
    return text


def _valid_form(text: str) -> str | None:
    """'ISBN10' / 'ISBN13' for a compact value with a right check digit, else None."""
    # The checksums are computed here because a catalogue holds thousands of ISBNs and this
    # runs once per book per sync; python-stdnum does the rarer conversions and the messages.
    if _ISBN10.fullmatch(text):
        # Weights 10..2 on the nine digits, 1 on the check character (X is 10).
        total = sum(map(operator.mul, _WEIGHTS10, map(int, text[:9])))
        total += 10 if text[9] == "X" else int(text[9])
        return None if total % 11 else "ISBN10"
    if _ISBN13.fullmatch(text):
        return "ISBN13" if _with_check13(text[:12]) == text else None
    return None


def _with_check13(first12: str) -> str:
    # Weights 1, 3, 1, 3, ...: the even positions once, the odd ones three times.
    total = sum(map(int, first12[0::2])) + 3 * sum(map(int, first12[1::2]))
    return first12 + str((10 - total % 10) % 10)


def isbn13(value: str | None) -> str | None:
    """Any valid ISBN-10 or ISBN-13 -> its ISBN-13 form, else None."""
    text = compact(value)
    form = _valid_form(text)
    if form == "ISBN10":
        return _with_check13("978" + text[:9])
    return text if form == "ISBN13" else None


def isbn10(value: str | None) -> str | None:
    """The ISBN-10 form of an ISBN (only 978- ISBNs have one), else None."""
    thirteen = isbn13(value)
    if thirteen is None or not thirteen.startswith("978"):
        return None
    return stdnum_isbn.to_isbn10(thirteen)


def clean_isbn(value: str, kind: str | None = None) -> str:
    """A valid ISBN as digits only (``X`` kept as an ISBN-10 check character), or ``""``.

    ``kind`` ("isbn10"/"isbn13") demands that form. Raises :class:`InvalidIsbn`.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    text = compact(raw)
    found = _valid_form(text)
    if found is None:
        try:
            stdnum_isbn.validate(text)
        except StdnumError as exc:
            reason = str(getattr(exc, "message", "") or exc).rstrip(".").lower()
            raise InvalidIsbn(f"'{raw}' is not a valid ISBN ({reason}).") from exc
        raise InvalidIsbn(f"'{raw}' is not a valid ISBN.")
    if kind == "isbn10" and found != "ISBN10":
        raise InvalidIsbn(f"'{raw}' is not an ISBN-10.")
    if kind == "isbn13" and found != "ISBN13":
        raise InvalidIsbn(f"'{raw}' is not an ISBN-13.")
    return text


def complete_pair(isbn10: str, isbn13: str) -> tuple[str, str]:
    """Fill the missing form from the other: ISBN-10 <-> 978-prefixed ISBN-13.

    Both arguments must already be clean (see :func:`clean_isbn`). A 979 ISBN-13 has no ISBN-10.
    """
    if isbn10 and not isbn13:
        isbn13 = stdnum_isbn.to_isbn13(isbn10)
    elif isbn13 and not isbn10 and isbn13.startswith("978"):
        isbn10 = stdnum_isbn.to_isbn10(isbn13)
    return isbn10, isbn13


def normalise_any(value: str) -> tuple[str, str]:
    """One ISBN of either form -> ``(isbn10, isbn13)``. Raises :class:`InvalidIsbn`."""
    found = clean_isbn(value)
    if not found:
        return "", ""
    if len(found) == 10:
        return complete_pair(found, "")
    return complete_pair("", found)

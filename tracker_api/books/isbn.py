"""ISBN normalisation with python-stdnum: digits only, both forms filled where they exist."""

from __future__ import annotations

from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as StdnumError


class InvalidIsbn(ValueError):
    """A value that is not a valid ISBN; ``str()`` is a sentence for people."""


def clean_isbn(value: str, kind: str | None = None) -> str:
    """A valid ISBN as digits only (``X`` kept as an ISBN-10 check character), or ``""``.

    ``kind`` ("isbn10"/"isbn13") demands that form. Raises :class:`InvalidIsbn`.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        compact = stdnum_isbn.validate(raw)
    except StdnumError as exc:
        raise InvalidIsbn(f"'{raw}' is not a valid ISBN ({str(exc).rstrip('.').lower()}).") from exc
    found = stdnum_isbn.isbn_type(compact)
    if found is None:
        raise InvalidIsbn(f"'{raw}' is not a valid ISBN.")
    if kind == "isbn10" and found != "ISBN10":
        raise InvalidIsbn(f"'{raw}' is not an ISBN-10.")
    if kind == "isbn13" and found != "ISBN13":
        raise InvalidIsbn(f"'{raw}' is not an ISBN-13.")
    return compact.upper()


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
    compact = clean_isbn(value)
    if not compact:
        return "", ""
    if len(compact) == 10:
        return complete_pair(compact, "")
    return complete_pair("", compact)

"""One ISBN normaliser and one folding rule: what the catalogue stores, what its search folds
and what the matcher compares agree, value by value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from stdnum import isbn as stdnum_isbn

from tracker_api.books import isbn as books_isbn
from tracker_api.books.text import fold as books_fold
from tracker_api.matching import identifiers
from tracker_api.matching.normalize import fold as matching_fold

ISBNS = [
    pytest.param("0439023483", "0439023483", "9780439023481", id="isbn10"),
    pytest.param("978-0-439-02348-1", "9780439023481", "9780439023481", id="hyphens"),
    pytest.param('="0439023483"', "0439023483", "9780439023481", id="goodreads-wrapper"),
    pytest.param("439023483", "0439023483", "9780439023481", id="spreadsheet-lost-the-zero"),
    pytest.param("080442957x", "080442957X", "9780804429573", id="lower-case-check-x"),
    pytest.param("9791032300824", "9791032300824", "9791032300824", id="979-has-no-isbn10"),
]


@pytest.mark.parametrize(("raw", "stored", "compared"), ISBNS)
def test_stored_and_compared_isbns_agree(raw: str, stored: str, compared: str) -> None:
    assert books_isbn.clean_isbn(raw) == stored
    assert identifiers.isbn13(raw) == compared
    assert identifiers.isbn13(stored) == compared


@pytest.mark.parametrize("raw", ["0439023484", "9780439023482", "12345", "ISBN"])
def test_what_one_refuses_the_other_refuses(raw: str) -> None:
    with pytest.raises(books_isbn.InvalidIsbn):
        books_isbn.clean_isbn(raw)
    assert identifiers.isbn13(raw) is None


@pytest.mark.parametrize(
    "text", ["Les Misérables: Tome 1", "Hitchhiker\u2019s Guide", "Angels & Demons", "Война и мир"]
)
def test_one_folding_rule(text: str) -> None:
    assert books_fold(text) == matching_fold(text)
    assert books_fold(text)  # no script is folded away


@settings(max_examples=400, deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=9, max_size=9),
    check=st.sampled_from("0123456789Xx"),
    prefix=st.sampled_from(["978", "979"]),
)
def test_the_checksums_agree_with_python_stdnum(digits: str, check: str, prefix: str) -> None:
    """The hand-written check digits (the catalogue's hot path) are stdnum's, both forms."""
    ten = digits + check
    assert (identifiers.isbn13(ten) is not None) == stdnum_isbn.is_valid(ten)
    if stdnum_isbn.is_valid(ten):
        assert identifiers.isbn13(ten) == stdnum_isbn.to_isbn13(ten.upper())
    for last in "0123456789":
        thirteen = prefix + digits + last
        assert (identifiers.isbn13(thirteen) == thirteen) == stdnum_isbn.is_valid(thirteen)

"""Properties that must hold for any catalogue, checked with hypothesis."""

from __future__ import annotations

import random

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.support.examples import examples
from tracker_api.matching import CatalogBook
from tracker_api.matching import build_index
from tracker_api.matching import decide
from tracker_api.matching import propose
from tracker_api.matching.normalize import title_key

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéø", min_size=2, max_size=9)
TITLES = st.lists(WORDS, min_size=1, max_size=6).map(lambda w: " ".join(w).title())
NAMES = st.lists(WORDS, min_size=2, max_size=3).map(lambda w: " ".join(w).title())


@st.composite
def catalogues(draw: st.DrawFn) -> list[CatalogBook]:
    """Books with distinct titles, each with one to three authors and maybe a series."""
    titles = draw(st.lists(TITLES, min_size=1, max_size=25, unique_by=title_key))
    books = []
    for n, title in enumerate(titles):
        books.append(
            CatalogBook(
                id=n + 1,
                title=title,
                authors=tuple(draw(st.lists(NAMES, min_size=1, max_size=3))),
                series=draw(st.none() | TITLES),
                series_position=draw(st.none() | st.integers(1, 30).map(str)),
                year=draw(st.none() | st.integers(1800, 2025)),
            )
        )
    return books


def as_item(book: CatalogBook) -> dict:
    """The Audible item an exact copy of ``book`` would be."""
    return {
        "asin": f"B{book.id:09d}",
        "title": book.title,
        "subtitle": book.subtitle,
        "authors": list(book.authors),
        "series": [{"title": book.series, "sequence": book.series_position}] if book.series else [],
        "release_date": f"{book.year}-01-01" if book.year else None,
    }


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books=catalogues(), data=st.data())
def test_an_exact_copy_always_links_to_that_copy(books: list[CatalogBook], data) -> None:
    target = data.draw(st.sampled_from(books))
    decision = decide(propose(as_item(target), build_index(books)))
    assert decision.kind == "linked"
    assert decision.book.id == target.id


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books=catalogues(), source=catalogues(), seed=st.integers(0, 2**32 - 1))
def test_shuffling_the_catalogue_never_changes_the_decision(
    books: list[CatalogBook], source: list[CatalogBook], seed: int
) -> None:
    items = [as_item(b) for b in source[:3]] + [as_item(b) for b in books[:2]]
    shuffled = list(books)
    random.Random(seed).shuffle(shuffled)
    first, second = build_index(books), build_index(shuffled)
    for one in items:
        a, b = decide(propose(one, first)), decide(propose(one, second))
        assert (a.kind, a.book and a.book.id) == (b.kind, b.book and b.book.id)
        assert [c.book.id for c in a.candidates] == [c.book.id for c in b.candidates]

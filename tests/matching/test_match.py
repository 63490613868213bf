"""Decisions on a small catalogue: one row per real-world trap named in the matching issue."""

from __future__ import annotations

from typing import Any

import pytest

from tests.matching.conftest import item
from tracker_api.matching import CatalogBook
from tracker_api.matching import CatalogIndex
from tracker_api.matching import MatchConfig
from tracker_api.matching import Recommendation
from tracker_api.matching import build_index
from tracker_api.matching import decide
from tracker_api.matching import propose

# fmt: off
DECISIONS = [
    pytest.param(item("The Hunger Games", ["Suzanne Collins"]), "linked", 1, id="exact"),
    pytest.param(item("The Hunger Games (Unabridged)", ["Suzanne Collins"]), "linked", 1,
                 id="unabridged"),
    pytest.param(item("Catching Fire: The Hunger Games, Book 2", ["Suzanne Collins"]),
                 "linked", 2, id="series-name-book-n"),
    pytest.param(item("Catching Fire", ["Suzanne Collins"],
                      series=[{"title": "The Hunger Games", "sequence": "2"}]),
                 "linked", 2, id="series-list"),
    pytest.param(item("Mockingjay, Book 3", ["Collins, Suzanne"]), "linked", 3,
                 id="book-n-and-last-first"),
    pytest.param(item("Hobbit", ["J. R. R. Tolkien"]), "linked", 4,
                 id="initials-and-missing-article-and-alternative-title"),
    pytest.param(item("Sapiens", ["Yuval Noah Harari"], subtitle="A Brief History of Humankind"),
                 "linked", 5, id="subtitle-field"),
    pytest.param(item("Sapiens - A Brief History of Humankind", ["Yuval Noah Harari"]),
                 "linked", 5, id="subtitle-after-dash"),
    pytest.param(item("Pride & Prejudice: A Novel", ["Jane Austen"]), "linked", 6,
                 id="ampersand-and-a-novel"),
    pytest.param(item("Tripwire", ["Writtenby:LeeChild"]), "linked", 7,
                 id="export-prefix-squashed-author"),
    pytest.param(item("Percy Jackson and the Battle of the Labyrinth", ["Rick Riordan"]),
                 "linked", 9, id="series-name-prefix"),
    pytest.param(item("Why We Sleep", ["Matthew Walker PhD"]), "linked", 11, id="degree"),
    pytest.param(item("Rebecca", ["Daphne Du Maurier"]), "linked", 12, id="particle-case"),
    pytest.param(item("Tripwire: Jack Reacher, Book 4", ["Lee Child"]), "conflict", None,
                 id="series-position-differs"),
    pytest.param(item("The Hunger Games Trilogy Box Set", ["Suzanne Collins"]), "conflict",
                 None, id="box-set-of-a-single-volume-is-reviewed"),
    pytest.param(item("The Lord of the Rings", ["J.R.R. Tolkien"],
                      series=[{"title": "The Lord of the Rings", "sequence": "1-3"}]),
                 "linked", 13, id="omnibus-against-omnibus"),
    pytest.param(item("The Lord of the Rings", ["J.R.R. Tolkien"]), "conflict", None,
                 id="omnibus-against-unmarked-is-reviewed"),
    pytest.param(item("The Fellowship of the Ring: Books 1-3 Box Set", ["J.R.R. Tolkien"]),
                 "conflict", None, id="box-set-against-single"),
    pytest.param(item("Summary of Atomic Habits", ["James Clear"]), "new", None, id="summary"),
    pytest.param(item("Atomic Habits: Study Guide", ["James Clear"]), "new", None,
                 id="study-guide"),
    pytest.param(item("Emma (Dramatised)", ["Jane Austen"]), "new", None, id="dramatised"),
    pytest.param(item("Emma: BBC Radio 4 full-cast dramatisation", ["Jane Austen"]), "new",
                 None, id="full-cast"),
    pytest.param(item("Rebecca", ["Daphne du Maurier"], is_podcast=True), "new", None,
                 id="podcast-episode"),
    pytest.param(item("Rebecca", ["Someone Else"]), "new", None, id="same-title-other-author"),
    pytest.param(item("The Long Walk Home", ["Suzanne Collins"]), "new", None,
                 id="same-author-other-title"),
    pytest.param(item("Educated", ["Tara Westover"]), "new", None,
                 id="book-without-author-cannot-look-perfect"),
    pytest.param(item("Completely Unrelated", ["Nobody Known"]), "new", None, id="nothing"),
]
# fmt: on


@pytest.mark.parametrize(("source", "kind", "book_id"), DECISIONS)
def test_it_decides(index: CatalogIndex, source: dict[str, Any], kind: str, book_id: Any) -> None:
    decision = decide(propose(source, index))
    assert decision.kind == kind, [c.reasons for c in decision.candidates]
    assert (decision.book.id if decision.book else None) == book_id


def test_it_explains_a_series_conflict_in_words(index: CatalogIndex) -> None:
    decision = decide(propose(item("Tripwire: Jack Reacher, Book 4", ["Lee Child"]), index))
    best = decision.candidates[0]
    assert best.book.id == 7
    assert "title matches" in best.reasons
    assert "author matches" in best.reasons
    assert "series number differs: 4 vs 3" in best.reasons
    assert decision.recommendation == Recommendation.medium


def test_it_links_on_isbn_in_either_form(index: CatalogIndex) -> None:
    decision = decide(
        propose(item("The Hunger Games", ["S. Collins"], isbn="978-0-439-02348-1"), index)
    )
    assert (decision.kind, decision.book.id, decision.method) == ("linked", 1, "isbn")
    assert "ISBN matches" in decision.candidates[0].reasons


def test_it_links_on_the_asin_stored_on_the_book(index: CatalogIndex) -> None:
    decision = decide(propose(item("Atomic Habits", [], asin="b07d23cfgr"), index))
    assert (decision.kind, decision.book.id, decision.method) == ("linked", 10, "asin")


def test_an_identifier_does_not_win_when_titles_flatly_disagree(index: CatalogIndex) -> None:
    decision = decide(propose(item("A Cookbook for Cats", ["Chef"], asin="B07D23CFGR"), index))
    assert decision.kind == "new"


def test_a_runner_up_too_close_blocks_the_link() -> None:
    twins = build_index(
        [
            CatalogBook(id="a", title="Dracula", authors=("Bram Stoker",)),
            CatalogBook(id="b", title="Dracula", authors=("Bram Stoker",)),
        ]
    )
    decision = decide(propose(item("Dracula", ["Bram Stoker"]), twins))
    assert decision.kind == "conflict"
    assert [c.book.id for c in decision.candidates] == ["a", "b"]


def test_an_exact_match_is_ahead_of_a_near_one() -> None:
    books = build_index(
        [
            CatalogBook(id=1, title="Brave New World", authors=("Aldous Huxley",)),
            CatalogBook(id=2, title="Brave New World Revisited", authors=("Aldous Huxley",)),
        ]
    )
    decision = decide(propose(item("Brave New World", ["Aldous Huxley"]), books))
    assert (decision.kind, decision.book.id) == ("linked", 1)


def test_a_book_added_mid_sync_becomes_matchable() -> None:
    books = build_index([CatalogBook(id=1, title="Dune", authors=("Frank Herbert",))])
    source = item("Dune Messiah", ["Frank Herbert"])
    assert decide(propose(source, books)).kind == "new"
    books.add(CatalogBook(id=2, title="Dune Messiah", authors=("Frank Herbert",)))
    assert decide(propose(source, books)).book.id == 2
    books.remove(2)
    assert decide(propose(source, books)).kind == "new"


def test_a_conflict_carries_at_most_top_n_candidates(index: CatalogIndex) -> None:
    config = MatchConfig.from_dict({"top_n": 2})
    decision = decide(propose(item("The Hunger Games", ["Suzanne Collins"]), index), config)
    assert len(decision.candidates) <= 2


def test_thresholds_are_settings(index: CatalogIndex) -> None:
    source = item("Tripwire", ["Lee Child"])
    assert decide(propose(source, index)).kind == "linked"
    timid = MatchConfig.from_dict({"strong_threshold": 0.0, "medium_threshold": 0.0})
    # Even an exact match stays "strong" only while its distance is within the threshold.
    assert decide(propose(source, index, timid), timid).kind in ("linked", "conflict")
    strict_series = MatchConfig.from_dict({"max_rec": {"series_position": "none"}})
    moved = item("Tripwire: Jack Reacher, Book 4", ["Lee Child"])
    assert decide(propose(moved, index, strict_series), strict_series).kind == "new"


def test_decisions_serialise_to_json_ready_dicts(index: CatalogIndex) -> None:
    data = decide(propose(item("The Hunger Games", ["Suzanne Collins"]), index)).to_dict()
    assert data["decision"] == "linked"
    assert data["book"]["id"] == 1
    assert data["book"]["goodreads_id"] == "2767052"
    assert set(data["book"]) == {
        "id", "title", "authors", "distance", "similarity", "reasons", "penalties",
        "goodreads_id", "series", "series_position", "year", "recommendation",
    }  # fmt: skip
    assert data["book"]["recommendation"] == "strong"
    assert data["book"]["similarity"] == pytest.approx(1 - data["book"]["distance"])


def test_brand_evidence_cached_per_book_follows_books_added_and_removed_mid_sync() -> None:
    """The index caches whether a book's main title is a brand (once per book, not per pair);
    a book that makes a name a series, or stops doing so, must be seen by the next match."""
    volume = CatalogBook(id=1, title="Gizmo Guild: The Tin Lantern", authors=("Rhea Stone",))
    books = build_index([volume])
    source = item("Gizmo Guild", ["Rhea Stone"])
    assert not books.is_brand_book(1)
    assert decide(propose(source, books)).kind == "linked"
    # Another author's book names "Gizmo Guild" as its series: now a brand, so the catalogue
    # holds one of its volumes and the brand's own book is a question.
    books.add(CatalogBook(id=2, title="The Brass Owl", authors=("Ned Vale",), series="Gizmo Guild"))
    assert books.is_brand_book(1)
    decision = decide(propose(source, books))
    assert decision.kind == "conflict"
    assert any("the book's title goes on" in r for r in decision.candidates[0].reasons)
    books.remove(2)
    assert not books.is_brand_book(1)
    assert decide(propose(source, books)).kind == "linked"

"""One table per class of wrong link seen on records the engine had not seen, from general
forms with invented titles and names (no development record appears here).

Each row says what the engine must do and the test checks the reason is given in words.
"""

from __future__ import annotations

from typing import Any

import pytest

from tracker_api.matching import CatalogBook
from tracker_api.matching import CatalogIndex
from tracker_api.matching import build_index
from tracker_api.matching import decide
from tracker_api.matching import propose
from tracker_api.matching.parts import list_elements

BOOKS = [
    CatalogBook(id=1, title="The Lantern Keeper", authors=("Mara Quill",), year=1990),
    # A brand's first book: its title is its series' name.
    CatalogBook(id=2, title="Widget", authors=("Ansel Brook",), series="Widget",
                series_position="1", year=2001),
    # A brand's general book, and another book that names the brand as its series.
    CatalogBook(id=3, title="Soup for the Weary Heart", authors=("Jo Canner",), year=1995),
    CatalogBook(id=4, title="Soup for the Sailor's Heart", authors=("Jo Canner",),
                series="Soup for the Weary Heart", year=1999),
    # A catalogue holding one volume of a brand, and a book with a descriptive subtitle.
    CatalogBook(id=11, title="Gadget Club: The Copper Kite", authors=("Ines Varga",),
                series="Gadget Club", series_position="3"),
    CatalogBook(id=12, title="Marrow: Tales of a Fenland Childhood", authors=("Tomas Reed",),
                series="Marrow"),
    # Collections.
    CatalogBook(id=5, title="The Glass Orchard and Other Stories", authors=("Ivo Marsh",)),
    CatalogBook(id=6, title="The Complete Novels: The Salt Road, Winter Harbour, The Copper Bell",
                authors=("Ruth Ellery",)),
    # A book whose title a companion or sequel repeats.
    CatalogBook(id=7, title="The Gryphon", authors=("Pell Sorensen",)),
    CatalogBook(id=10, title="The Keeper of the Northern Lantern Lights",
                authors=("Oda Fenwick",)),
    # Only an adaptation is in the catalogue.
    CatalogBook(id=8, title="The Iron Meadow: A Graphic Novel",
                authors=("Colm Arden", "Ulla Vane")),
    CatalogBook(id=9, title="Night Circus of Clocks", authors=("Hedda Lune",)),
]  # fmt: skip


@pytest.fixture(scope="module")
def catalogue() -> CatalogIndex:
    return build_index(BOOKS)


def item(title: str, authors: list[str], **extra: Any) -> dict[str, Any]:
    return {"asin": "B0TEST0001", "title": title, "authors": authors, **extra}


# (item, expected decision, words the best candidate's reasons must contain)
ADAPTATIONS = [
    pytest.param(
        item("The Lantern Keeper (Starter Readers, Level 2)", ["Mara Quill"]),
        "new",
        "retelling",
        id="graded-readers-label",
    ),
    pytest.param(
        item("The Lantern Keeper: Retold for Young Listeners", ["Mara Quill"]),
        "new",
        "retelling",
        id="retold",
    ),
    pytest.param(
        item(
            "The Lantern Keeper",
            ["Mara Quill"],
            series=[{"title": "Early Reading Classics", "sequence": "4"}],
        ),
        "new",
        "retelling",
        id="retelling-series-label",
    ),
    pytest.param(
        item("The Lantern Keeper (Brightway Classics)", ["Mara Quill"]),
        "conflict",
        "label",
        id="unknown-imprint-label-is-reviewed",
    ),
    pytest.param(
        item("The Lantern Keeper: A Radio 4 Production", ["Mara Quill"]),
        "new",
        "dramatisation",
        id="radio-production",
    ),
    pytest.param(
        item("The Iron Meadow (Dramatised)", ["Colm Arden"]),
        "new",
        "two different adaptations",
        id="drama-is-not-the-graphic-novel",
    ),
    pytest.param(
        item("Night Circus of Clocks: A Full Cast Production", ["Hedda Lune"]),
        "new",
        "dramatisation",
        id="full-cast-without-unabridged-is-a-drama",
    ),
]
EDITIONS = [
    pytest.param(
        item(
            "Night Circus of Clocks: A Full Cast Production",
            ["Hedda Lune"],
            format_type="unabridged",
        ),
        "linked",
        "title",
        id="full-cast-unabridged",
    ),
    pytest.param(
        item("Night Circus of Clocks (Unabridged) (Full Cast)", ["Hedda Lune"]),
        "linked",
        "title",
        id="full-cast-says-unabridged",
    ),
    pytest.param(
        item("The Lantern Keeper: A Novel of the Northern Coast", ["Mara Quill"]),
        "linked",
        "title",
        id="descriptive-subtitle",
    ),
    pytest.param(
        item("The Lantern Keeper: The Story of a Lighthouse Family", ["Mara Quill"]),
        "linked",
        "title",
        id="story-of-subtitle",
    ),
    pytest.param(
        item("Widget: Widget, Book 1", ["Ansel Brook"]), "linked", "series", id="series-suffix"
    ),
]
PARTS = [
    pytest.param(
        item("Widget: The Lost Kite", ["Ansel Brook"]),
        "conflict",
        "another volume",
        id="brand-volume-against-first-book",
    ),
    pytest.param(
        item("Soup for the Weary Heart: Tales from the Long Table", ["Jo Canner"]),
        "conflict",
        "another volume",
        id="brand-volume-against-general-book",
    ),
    pytest.param(
        item("The Lantern Keeper: Ember Night", ["Mara Quill"]),
        "conflict",
        "another volume",
        id="title-like-remainder",
    ),
    pytest.param(
        item("The Lantern Keeper - Ember Night", ["Mara Quill"]),
        "conflict",
        "another volume",
        id="title-like-remainder-after-dash",
    ),
    pytest.param(
        item("Gadget Club", ["Ines Varga"]),
        "conflict",
        "the book's title goes on",
        id="brand-book-against-a-catalogued-volume",
    ),
    pytest.param(
        item("Gadget Club: The Copper Kite", ["Ines Varga"]),
        "linked",
        "",
        id="the-catalogued-volume-itself",
    ),
    pytest.param(
        item("Marrow", ["Tomas Reed"]),
        "linked",
        "",
        id="catalogue-subtitle-that-describes",
    ),
    pytest.param(
        item("The Glass Orchard", ["Ivo Marsh"]),
        "conflict",
        "works",
        id="story-of-and-other-stories",
    ),
    pytest.param(
        item("Winter Harbour", ["Ruth Ellery"]),
        "conflict",
        "works",
        id="novel-listed-in-complete-novels",
    ),
    pytest.param(
        item("The Gryphon Returns", ["Pell Sorensen"]),
        "not linked",
        "",
        id="one-word-title-extended",
    ),
    pytest.param(
        item("The Keeper of the Northern Lantern Lights Almanac", ["Oda Fenwick"]),
        "conflict",
        "companion",
        id="companion-naming-the-first-book",
    ),
    pytest.param(
        item("Return of the Gryphon", ["Pell Sorensen"]),
        "not linked",
        "",
        id="sequel-with-words-before",
    ),
]


@pytest.mark.parametrize(("source", "expected", "words"), ADAPTATIONS + EDITIONS + PARTS)
def test_decision_and_its_reason(
    catalogue: CatalogIndex, source: dict[str, Any], expected: str, words: str
) -> None:
    decision = decide(propose(source, catalogue))
    reasons = [c.reasons for c in decision.candidates]
    if expected == "not linked":
        assert decision.kind != "linked", reasons
    else:
        assert decision.kind == expected, reasons
    if words:
        assert any(words in reason for reason in decision.candidates[0].reasons), reasons


CONTRIBUTORS = [
    CatalogBook(id=1, title="The Copper Orchard",
                authors=("Lise Tamber", "Ravi Oake (Illustrator)")),
    CatalogBook(id=2, title="Winter Ledger", authors=("Osk Varde", "Nel Brun - translator")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(item("The Copper Orchard", ["Lise Tamber"]), "linked", id="author-matches"),
        pytest.param(item("The Copper Orchard", ["Ravi Oake"]), "new",
                     id="illustrator-is-not-the-author"),
        pytest.param(item("Winter Ledger", ["Nel Brun"]), "new", id="translator-is-not-the-author"),
        pytest.param(item("Winter Ledger", ["Osk Varde"], narrators=["Nel Brun"]), "linked",
                     id="narrators-are-not-compared-as-authors"),
    ],
)  # fmt: skip
def test_contributor_roles_are_not_authors(source: dict[str, Any], expected: str) -> None:
    decision = decide(propose(source, build_index(CONTRIBUTORS)))
    assert decision.kind == expected, [c.reasons for c in decision.candidates]


@pytest.mark.parametrize(
    ("title", "works"),
    [
        pytest.param("The Complete Novels: Salt Road, Winter Harbour, The Copper Bell",
                     ("salt road", "winter harbour", "copper bell"), id="three-works"),
        pytest.param("Salt Road, Winter Harbour, and The Copper Bell",
                     ("salt road", "winter harbour", "copper bell"), id="oxford-comma"),
        pytest.param("The Iron Gate / The Glass Door", ("iron gate", "glass door"), id="slash"),
        pytest.param("The Glass Orchard and Other Stories", ("glass orchard",), id="and-other"),
        pytest.param("Salt Road, Winter Harbour", (), id="two-pieces-are-one-title"),
        pytest.param("Ember Night: Lantern Saga, Book 5", (), id="series-marker-is-no-work"),
        pytest.param("Ember Night: Lantern Saga, #2; Harbour World, Book 7", (),
                     id="two-series-markers-are-no-works"),
        pytest.param("Ember Night, Book 3", (), id="title-with-a-number"),
        pytest.param("Run, Hide, Seek", (), id="one-word-pieces"),
        pytest.param("Ember Night, or The Keeper's Vow, Part One", (), id="alternative-title"),
    ],
)  # fmt: skip
def test_what_a_title_lists(title: str, works: tuple[str, ...]) -> None:
    """Only a real list of works makes a collection: a series marker after a comma ("Saga,
    Book 5") made two volumes of one series look like a story and its collection."""
    assert set(works) <= set(list_elements(title))
    assert bool(list_elements(title)) == bool(works)


def test_two_volumes_of_one_series_are_not_a_story_and_its_collection() -> None:
    books = [CatalogBook(id=1, title="Ember Night: Lantern Saga, Book 5", authors=("Ada Moss",))]
    source = item("Salt Harbour: Lantern Saga, Book 6", ["Ada Moss"])
    decision = decide(propose(source, build_index(books)))
    assert decision.kind == "new", [c.reasons for c in decision.candidates]

"""Small real-looking catalogue shared by the matching tests."""

from __future__ import annotations

from typing import Any

import pytest

from tracker_api.matching import CatalogBook
from tracker_api.matching import CatalogIndex
from tracker_api.matching import build_index

CATALOGUE = [
    CatalogBook(id=1, title="The Hunger Games", authors=("Suzanne Collins",),
                series="The Hunger Games", series_position="1", year=2008,
                isbn10="0439023483", goodreads_id="2767052"),
    CatalogBook(id=2, title="Catching Fire", authors=("Suzanne Collins",),
                series="The Hunger Games", series_position="2", year=2009),
    CatalogBook(id=3, title="Mockingjay", authors=("Suzanne Collins",),
                series="The Hunger Games", series_position="3", year=2010),
    CatalogBook(id=4, title="The Hobbit, or There and Back Again", authors=("J.R.R. Tolkien",),
                year=1937),
    CatalogBook(id=5, title="Sapiens: A Brief History of Humankind",
                authors=("Yuval Noah Harari",), year=2011),
    CatalogBook(id=6, title="Pride and Prejudice", authors=("Jane Austen",), year=1813),
    CatalogBook(id=7, title="Tripwire", authors=("Lee Child",), series="Jack Reacher",
                series_position="3", year=1999),
    CatalogBook(id=8, title="Running Blind", authors=("Lee Child",), series="Jack Reacher",
                series_position="4", year=2000),
    CatalogBook(id=9, title="The Battle of the Labyrinth", authors=("Rick Riordan",),
                series="Percy Jackson and the Olympians", series_position="4", year=2008),
    CatalogBook(id=10, title="Atomic Habits", subtitle="An Easy & Proven Way to Build Good "
                "Habits & Break Bad Ones", authors=("James Clear",), year=2018,
                asin="B07D23CFGR"),
    CatalogBook(id=11, title="Why We Sleep", authors=("Matthew Walker",), year=2017),
    CatalogBook(id=12, title="Rebecca", authors=("Daphne du Maurier",), year=1938),
    CatalogBook(id=13, title="The Lord of the Rings", authors=("J.R.R. Tolkien",),
                series="The Lord of the Rings", series_position="1-3", year=1955),
    CatalogBook(id=14, title="The Fellowship of the Ring", authors=("J.R.R. Tolkien",),
                series="The Lord of the Rings", series_position="1", year=1954),
    CatalogBook(id=15, title="Emma", authors=("Jane Austen",), year=1815),
    CatalogBook(id=16, title="Educated", authors=(), year=2018),
]  # fmt: skip


@pytest.fixture(scope="session")
def index() -> CatalogIndex:
    return build_index(CATALOGUE)


def item(title: str, authors: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """A normalised Audible item (the gateway's item shape) with sensible defaults."""
    return {
        "asin": extra.pop("asin", "B000TEST00"),
        "title": title,
        "subtitle": extra.pop("subtitle", None),
        "authors": authors if authors is not None else [],
        "narrators": [],
        "series": extra.pop("series", []),
        "isbn": extra.pop("isbn", None),
        "language": extra.pop("language", None),
        "release_date": extra.pop("release_date", None),
        "is_podcast": extra.pop("is_podcast", False),
        **extra,
    }

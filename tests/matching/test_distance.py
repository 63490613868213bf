"""The weighted distance, candidate penalties and settings."""

from __future__ import annotations

import pytest

from tests.matching.conftest import item
from tracker_api.matching import CatalogBook
from tracker_api.matching import MatchConfig
from tracker_api.matching import SourceItem
from tracker_api.matching.compare import compare
from tracker_api.matching.distance import Distance
from tracker_api.matching.identifiers import asin_key
from tracker_api.matching.identifiers import isbn10
from tracker_api.matching.identifiers import isbn13
from tracker_api.matching.prepared import prepare_book
from tracker_api.matching.prepared import prepare_item

WEIGHTS = {"title": 3.0, "author": 3.0, "year": 0.5}


def test_distance_is_weighted_mean_of_added_penalties() -> None:
    dist = Distance(WEIGHTS)
    dist.add("title", 0.0)
    dist.add("author", 1.0)
    assert dist.distance == pytest.approx(0.5)
    dist.add_ratio("year", 5, 10)
    assert dist.distance == pytest.approx((3.0 + 0.25) / 6.5)
    assert list(dist.penalties()) == ["author", "year", "title"]


def test_a_distance_knows_which_keys_it_holds() -> None:
    dist = Distance(WEIGHTS)
    dist.add("title", 0.0)
    assert "title" in dist
    assert "remainder" not in dist


def test_distance_refuses_unknown_keys_and_out_of_range_values() -> None:
    dist = Distance(WEIGHTS)
    with pytest.raises(KeyError):
        dist.add("colour", 0.5)
    with pytest.raises(ValueError, match="outside"):
        dist.add("title", 1.5)


def _penalties(source: dict, book: CatalogBook) -> dict[str, float]:
    config = MatchConfig()
    return compare(
        prepare_item(SourceItem.from_item(source)), book, prepare_book(book), config
    ).penalties


# fmt: off
PENALTIES = [
    pytest.param(item("Dune", ["Frank Herbert"]),
                 CatalogBook(1, "Dune", authors=("Frank Herbert",)),
                 {"title": 0.0, "author": 0.0}, id="identical"),
    pytest.param(item("Dune", []), CatalogBook(1, "Dune", authors=("Frank Herbert",)),
                 {"title": 0.0, "author": 1.0}, id="missing-author-is-full-penalty"),
    pytest.param(item("Dune", ["Frank Herbert"], release_date="1950-01-01"),
                 CatalogBook(1, "Dune", authors=("Frank Herbert",), year=1965),
                 {"year": 1.0}, id="audio-long-before-the-book"),
    pytest.param(item("Dune", ["Frank Herbert"], release_date="2007-01-01"),
                 CatalogBook(1, "Dune", authors=("Frank Herbert",), year=1965),
                 {"year": 0.0}, id="audio-after-the-book"),
    pytest.param(item("Dune", ["Frank Herbert"], language="German"),
                 CatalogBook(1, "Dune", authors=("Frank Herbert",), language="eng"),
                 {"language": 1.0}, id="language-differs"),
    pytest.param(item("Dune: Dune Chronicles, Book 2", ["Frank Herbert"]),
                 CatalogBook(1, "Dune", authors=("Frank Herbert",), series="Dune Chronicles",
                             series_position="1"),
                 {"series_position": 1.0, "series": 0.0}, id="series-position"),
    pytest.param(item("Chicken Soup for the Soul 2", ["Jack Canfield"]),
                 CatalogBook(1, "Chicken Soup for the Soul", authors=("Jack Canfield",)),
                 {"title_number": 1.0}, id="title-number"),
    pytest.param(item("Dune: Summary and Analysis", ["Frank Herbert"]),
                 CatalogBook(1, "Dune", authors=("Frank Herbert",)),
                 {"derivative": 1.0}, id="summary"),
    pytest.param(item("Dune (Dramatized Adaptation)", ["Frank Herbert"]),
                 CatalogBook(1, "Dune", authors=("Frank Herbert",)),
                 {"adaptation": 1.0}, id="adaptation"),
    pytest.param(item("Dune Box Set", ["Frank Herbert"]),
                 CatalogBook(1, "Dune", authors=("Frank Herbert",)),
                 {"omnibus": 1.0}, id="box-set"),
    pytest.param(item("Dune", ["Frank Herbert"], is_podcast=True),
                 CatalogBook(1, "Dune", authors=("Frank Herbert",)),
                 {"podcast": 1.0}, id="podcast"),
]
# fmt: on


@pytest.mark.parametrize(("source", "book", "expected"), PENALTIES)
def test_it_applies_penalties(source: dict, book: CatalogBook, expected: dict) -> None:
    penalties = _penalties(source, book)
    for key, value in expected.items():
        assert penalties[key] == pytest.approx(value), penalties


def test_secondary_facts_count_only_when_both_sides_have_them() -> None:
    penalties = _penalties(item("Dune", ["Frank Herbert"]), CatalogBook(1, "Dune", year=1965))
    assert "year" not in penalties
    assert "language" not in penalties
    assert penalties["author"] == 1.0


# fmt: off
ISBNS = [
    pytest.param("0439023483", "9780439023481", id="isbn10-to-13"),
    pytest.param("439023483", "9780439023481", id="lost-leading-zero"),
    pytest.param('="0439023483"', "9780439023481", id="goodreads-wrapper"),
    pytest.param("978-0-439-02348-1", "9780439023481", id="hyphens"),
    pytest.param("080442957X", "9780804429573", id="x-check-digit"),
    pytest.param("0439023484", None, id="bad-check-digit"),
    pytest.param("", None, id="empty"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), ISBNS)
def test_it_normalises_isbns(raw: str, expected: str | None) -> None:
    assert isbn13(raw) == expected


def test_it_converts_isbn13_back_to_isbn10_and_folds_asins() -> None:
    assert isbn10("9780439023481") == "0439023483"
    assert isbn10("9791032300824") is None
    assert asin_key(" b07d23cfgr ") == "B07D23CFGR"


def test_settings_merge_overrides_and_refuse_nonsense() -> None:
    config = MatchConfig.from_dict({"weights": {"title": 4}, "max_rec": {"omnibus": "none"}})
    assert config.weights["title"] == 4.0
    assert config.weights["author"] == MatchConfig().weights["author"]
    assert config.max_rec["omnibus"] == "none"
    with pytest.raises(ValueError, match="unknown match settings"):
        MatchConfig.from_dict({"strong": 0.1})
    with pytest.raises(ValueError, match="unknown weight"):
        MatchConfig.from_dict({"weights": {"colour": 1}})
    with pytest.raises(ValueError, match="thresholds"):
        MatchConfig.from_dict({"strong_threshold": 0.5, "medium_threshold": 0.2})
    with pytest.raises(ValueError, match="unknown recommendation"):
        MatchConfig.from_dict({"max_rec": {"omnibus": "maybe"}})

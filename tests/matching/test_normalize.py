"""Normalisation tables: one row per real-world trap of book titles and author names."""

from __future__ import annotations

import pytest

from tracker_api.matching.normalize import fold
from tracker_api.matching.normalize import parse_title
from tracker_api.matching.normalize import person_name
from tracker_api.matching.normalize import text_similarity
from tracker_api.matching.normalize import title_key

# fmt: off
TITLES = [
    pytest.param("Dune (Unabridged)", None, "dune", "", id="unabridged"),
    pytest.param("The Road: A Novel", None, "road", "", id="a-novel"),
    pytest.param("Fahrenheit 451", "A Novel", "fahrenheit 451", "", id="a-novel-subtitle"),
    pytest.param("Tripwire: Jack Reacher, Book 3", None, "tripwire", "", id="series-name-book-n"),
    pytest.param("Harry Potter and the Chamber of Secrets, Book 2", None,
                 "harry potter and the chamber of secrets", "", id="trailing-book-n"),
    pytest.param("The 39 Clues, Book 9: Storm Warning", None, "storm warning", "",
                 id="leading-series-marker"),
    pytest.param("Junie B. Jones #27: Dumb Bunny", None, "dumb bunny", "", id="hash-number"),
    pytest.param("Path of Daggers", "Book Eight of The Wheel of Time", "path of daggers", "",
                 id="book-eight-of-series"),
    pytest.param("The Hobbit", None, "hobbit", "", id="leading-article"),
    pytest.param("Sapiens: A Brief History of Humankind", None, "sapiens",
                 "brief history of humankind", id="subtitle-colon"),
    pytest.param("The Goal - A Process of Ongoing Improvement", None, "goal",
                 "process of ongoing improvement", id="subtitle-dash"),
    pytest.param("Pride & Prejudice", None, "pride and prejudice", "", id="ampersand"),
    pytest.param("The Goal: A Process of Ongoing Improvement - 30th Anniversary Edition", None,
                 "goal", "process of ongoing improvement", id="anniversary-edition"),
    pytest.param("A Random Walk Down Wall Street, 12th Edition: The Time Tested Strategy", None,
                 "random walk down wall street", "time tested strategy", id="numbered-edition"),
    pytest.param("Tipping Point (Hindi Edition)", None, "tipping point", "", id="language-edition"),
    pytest.param("Around the World in Eighty Days", None, "around the world in 80 days", "",
                 id="number-words"),
    pytest.param("Shōgun", None, "shogun", "", id="accents"),
]
# fmt: on


@pytest.mark.parametrize(("title", "subtitle", "main", "sub"), TITLES)
def test_it_takes_titles_apart(title: str, subtitle: str | None, main: str, sub: str) -> None:
    parts = parse_title(title, subtitle)
    assert (parts.main, parts.subtitle) == (main, sub)


# fmt: off
SERIES = [
    pytest.param("Tripwire: Jack Reacher, Book 3", "jack reacher", "3", id="name-book-n"),
    pytest.param("Path of Daggers: Book Eight of The Wheel of Time", "wheel of time", "8",
                 id="book-word-number"),
    pytest.param("Golden Son: Book II of the Red Rising Trilogy", "red rising", "2", id="roman"),
    pytest.param("Crave: Crave Series, Book 1", "crave", "1", id="generic-series-word"),
    pytest.param("The Black Company (The Chronicles of the Black Company, #1-3)",
                 "of black company", "1-3", id="goodreads-range"),
]
# fmt: on


@pytest.mark.parametrize(("title", "name", "position"), SERIES)
def test_it_reads_series_markers(title: str, name: str, position: str) -> None:
    marker = parse_title(title, catalogue=True).series[0]
    assert (marker.name, marker.position) == (name, position)


def test_it_keeps_bracketed_original_titles_as_alternates() -> None:
    parts = parse_title("Cuento de Navidad [A Christmas Carol]")
    assert parts.main == "cuento de navidad"
    assert parts.alternates == ("christmas carol",)


# fmt: off
NAMES = [
    pytest.param("J.R.R. Tolkien", ("j", "r", "r", "tolkien"), id="initials-dotted"),
    pytest.param("J. R. R. Tolkien", ("j", "r", "r", "tolkien"), id="initials-spaced"),
    pytest.param("Tolkien, J.R.R.", ("j", "r", "r", "tolkien"), id="last-first"),
    pytest.param("Martin Luther King Jr.", ("martin", "luther", "king"), id="jr"),
    pytest.param("King, Jr., Martin Luther", ("martin", "luther", "king"), id="last-jr-first"),
    pytest.param("Kurt Vonnegut Sr.", ("kurt", "vonnegut"), id="sr"),
    pytest.param("John M. Gottman PhD", ("john", "m", "gottman"), id="degree"),
    pytest.param("Writtenby:RickRiordan", ("rick", "riordan"), id="writtenby-squashed"),
    pytest.param("By: Ray Bradbury", ("ray", "bradbury"), id="by-prefix"),
    pytest.param("Alexandra Boiger-illustrator", ("alexandra", "boiger"), id="role-suffix"),
    pytest.param("Gabriel García Márquez", ("gabriel", "garcia", "marquez"), id="accents"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "tokens"), NAMES)
def test_it_normalises_author_names(raw: str, tokens: tuple[str, ...]) -> None:
    assert person_name(raw).tokens == tokens


def test_it_folds_case_accents_and_punctuation() -> None:
    assert fold("Moby-Dick; or, THE Whale!") == "moby dick or the whale"
    assert fold("Ender\u2019s Game") == fold("Ender's Game") == "enders game"
    assert title_key("The Lion, the Witch & the Wardrobe") == "lion the witch and the wardrobe"


# fmt: off
SIMILARITY = [
    pytest.param("journey to the centre of the earth", "journey to the center of the earth",
                 0.95, 1.0, id="spelling-variant"),
    pytest.param("hitman", "hit man", 1.0, 1.0, id="spacing"),
    pytest.param("chicken soup for the kids soul", "chicken soup for the soul", 0.0, 0.85,
                 id="extra-word-is-not-a-variant"),
    pytest.param("click clack boo", "click clack moo", 0.0, 0.85, id="one-word-swapped"),
    pytest.param("loves executioner", "loves executioner and other tales of psychotherapy",
                 0.7, 0.8, id="word-prefix-worth-a-review"),
]
# fmt: on


@pytest.mark.parametrize(("a", "b", "low", "high"), SIMILARITY)
def test_title_similarity_counts_words_as_well_as_letters(
    a: str, b: str, low: float, high: float
) -> None:
    assert low <= text_similarity(a, b) <= high

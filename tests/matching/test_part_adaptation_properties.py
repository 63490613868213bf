"""Properties over generated titles: parts, siblings and adaptations never auto-link to a
catalogue that holds only the whole or the original, while the same generator's genuine
editions of that original still link.

Titles are made of invented syllable words, so no English word can stand in for an edition
note, a number or a marker by accident.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.support.examples import examples
from tracker_api.matching import CatalogBook
from tracker_api.matching import build_index
from tracker_api.matching import decide
from tracker_api.matching import propose

_SYLLABLES = ("bra", "kor", "vil", "mun", "zed", "pax", "dro", "qui", "fen", "lom", "ryx", "tov")
word = st.lists(st.sampled_from(_SYLLABLES), min_size=2, max_size=3).map(
    lambda parts: "".join(parts).capitalize()
)
title = st.lists(word, min_size=2, max_size=4, unique=True).map(" ".join)
person = st.tuples(word, word).map(lambda pair: f"{pair[0]} {pair[1]}x")
PROPERTY = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def decision_for(books: list[CatalogBook], source: dict[str, Any]) -> str:
    return decide(propose({"asin": "B0PROP0001", **source}, build_index(books))).kind


@PROPERTY
@given(brand=title, volume=title, author=person, first_book=st.booleans())
def test_brand_volume_never_links_to_the_brand(
    brand: str, volume: str, author: str, first_book: bool
) -> None:
    """'Brand: Volume' against the brand's first book (series = brand) or its general book
    (another catalogue book names the brand as its series)."""
    if volume.split()[0] in brand.split():
        volume = f"Ryx {volume}"
    if first_book:
        books = [CatalogBook(id=1, title=brand, authors=(author,), series=brand,
                             series_position="1")]  # fmt: skip
    else:
        books = [
            CatalogBook(id=1, title=brand, authors=(author,)),
            CatalogBook(id=2, title=f"{volume} Tov", authors=(author,), series=brand),
        ]
    assert decision_for(books, {"title": f"{brand}: {volume}", "authors": [author]}) != "linked"


@PROPERTY
@given(story=title, others=st.lists(title, min_size=2, max_size=3, unique=True), author=person,
       form=st.sampled_from(("and other", "complete")))  # fmt: skip
def test_story_never_links_to_its_collection(
    story: str, others: list[str], author: str, form: str
) -> None:
    others = [o for o in others if o != story] or ["Zed Fenlom"]
    if form == "and other":
        whole = f"{story} and Other Stories"
    else:
        whole = f"The Complete Tales: {', '.join([*others, story])}"
    books = [CatalogBook(id=1, title=whole, authors=(author,))]
    assert decision_for(books, {"title": story, "authors": [author]}) != "linked"


ADAPTATION_LABELS = st.one_of(
    word.map(lambda w: f"({w} Readers, Level 3)"),
    word.map(lambda w: f": Retold by {w} Pax"),
    word.map(lambda w: f"({w} Classics)"),
    st.just("(Dramatised)"),
    st.just(": A Full-Cast Radio Dramatisation"),
    st.just(": A Graphic Novel"),
    st.just("(Young Readers Edition)"),
    st.just(": Adapted for Children"),
)


@PROPERTY
@given(original=title, author=person, label=ADAPTATION_LABELS)
def test_adaptation_never_links_to_the_original(original: str, author: str, label: str) -> None:
    books = [CatalogBook(id=1, title=original, authors=(author,))]
    sep = "" if label.startswith(":") else " "
    source = {"title": f"{original}{sep}{label}", "authors": [author]}
    assert decision_for(books, source) != "linked"


EDITIONS = st.one_of(
    st.just(("{t} (Unabridged)", {})),
    st.just(("{t}: A Novel", {})),
    word.map(lambda w: ("{t}: The Story of " + w + " Lom", {})),
    st.just(("{t}: {s}, Book 2", {})),
    st.just(("{t}", {"series": [{"title": "{s}", "sequence": "2"}]})),
    st.just(("{t}: A Full Cast Production", {"format_type": "unabridged"})),
    st.just(("{t} (Full Cast) (Unabridged)", {})),
)


@PROPERTY
@given(original=title, series=title, author=person, edition=EDITIONS)
def test_genuine_editions_still_link(
    original: str, series: str, author: str, edition: tuple[str, dict[str, Any]]
) -> None:
    # A book named after its own series is a brand's first book: covered above.
    assume(set(series.split()).isdisjoint(original.split()))
    pattern, extra = edition
    books = [CatalogBook(id=1, title=original, authors=(author,), series=series,
                         series_position="2")]  # fmt: skip
    extra = {
        key: [{k: v.format(s=series) for k, v in e.items()} for e in value]
        if isinstance(value, list)
        else value
        for key, value in extra.items()
    }
    source = {"title": pattern.format(t=original, s=series), "authors": [author], **extra}
    assert decision_for(books, source) == "linked"


@PROPERTY
@given(brand=title, volume=title, author=person)
def test_the_brands_own_book_never_links_to_one_of_its_volumes(
    brand: str, volume: str, author: str
) -> None:
    """The other way round: the catalogue holds only 'Brand: Volume' (series Brand), the item
    is 'Brand' itself: another book of the series, so a question, never a link. (A volume
    title made of the brand's or the author's words is accounted for: left out.)"""
    assume(set(volume.split()).isdisjoint([*brand.split(), *author.split()]))
    books = [CatalogBook(id=1, title=f"{brand}: {volume}", authors=(author,), series=brand,
                         series_position="2")]  # fmt: skip
    assert decision_for(books, {"title": brand, "authors": [author]}) != "linked"


COMPANION_FORMS = st.sampled_from(
    ("{t} {w}", "Return of {t}", "The {w} of {t}", "{t}: {w} {v}", "Beyond {t} {w}")
)


@PROPERTY
@given(original=title, extra=word, more=word, author=person, form=COMPANION_FORMS)
def test_a_companion_or_sequel_naming_the_book_never_links_to_it(
    original: str, extra: str, more: str, author: str, form: str
) -> None:
    """The catalogue holds 'T'; the item's title contains the whole of 'T' and words of its
    own ('T Almanac', 'Return of T'): maybe a companion or a sequel, so never a link."""
    assume(extra not in original.split() and more not in original.split())
    assume(extra not in author.split() and more not in author.split())
    books = [CatalogBook(id=1, title=original, authors=(author,))]
    source = {"title": form.format(t=original, w=extra, v=more), "authors": [author]}
    assert decision_for(books, source) != "linked"


SERIES_LABELS = st.one_of(
    word.map(lambda w: f"{w} Readers, Level 2"),
    word.map(lambda w: f"{w} Classics"),
    word.map(lambda w: f"{w} Starter Readers"),
    st.just("Illustrated Classics"),
)


@PROPERTY
@given(original=title, author=person, label=SERIES_LABELS)
def test_a_label_in_the_items_series_alone_keeps_it_from_the_original(
    original: str, author: str, label: str
) -> None:
    """The title is the original's word for word; only the item's series names a line of
    retellings or an imprint ('Pax Readers, Level 2', 'Lom Classics'): never a link."""
    books = [CatalogBook(id=1, title=original, authors=(author,))]
    source = {"title": original, "authors": [author], "series": [{"title": label}]}
    assert decision_for(books, source) != "linked"

"""The bundled sample library, the demo tracker export and the library generator."""

from __future__ import annotations

import csv
import json
import time

import pytest

from audible_contract.items import normalize_item
from audible_gateway.sandbox import create_app
from audible_gateway.sandbox import load_library
from audible_gateway.sandbox.data import DEMO_GOODREADS_EXPORT
from audible_gateway.sandbox.data import SAMPLE_LIBRARY
from audible_gateway.sandbox.data import sample_library
from audible_gateway.sandbox.groups import ITEM_KEYS
from audible_gateway.sandbox.library_gen import audible_title
from audible_gateway.sandbox.library_gen import generate_library

GOODREADS_HEADER = [
    "Book Id",
    "Title",
    "Author",
    "Author l-f",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Average Rating",
    "Publisher",
    "Binding",
    "Number of Pages",
    "Year Published",
    "Original Publication Year",
    "Date Read",
    "Date Added",
    "Bookshelves",
    "Bookshelves with positions",
    "Exclusive Shelf",
    "My Review",
    "Spoiler",
    "Private Notes",
    "Read Count",
    "Owned Copies",
]


@pytest.fixture(scope="module")
def sample():
    return [normalize_item(item) for item in sample_library()]


def test_every_sample_item_has_the_full_real_shape_and_normalises(sample):
    raw = sample_library()
    assert 35 <= len(raw) <= 45
    assert all(set(item) == set(ITEM_KEYS) for item in raw)
    assert len({item["asin"] for item in raw}) == len(raw)
    assert all(item["asin"].startswith("B0") and len(item["asin"]) == 10 for item in raw)
    assert all(n["title"] and n["authors"] and n["runtime_min"] for n in sample)


def test_sample_shows_every_feature(sample):
    finished = [n for n in sample if n["progress"]["is_finished"]]
    in_progress = [n for n in sample if 0 < n["progress"]["percent"] < 100]
    assert len(finished) >= 5
    assert all(n["progress"]["finished_at"] for n in finished)
    assert len(in_progress) >= 5
    assert any(n["progress"]["percent"] == 0 and n["status"] == "Active" for n in sample)
    assert sum(n["is_podcast"] for n in sample) == 1
    assert [n["title"] for n in sample if n["status"] == "Revoked"]
    series = [n for n in sample if n["series"] and n["series"][0]["title"] == "Harry Potter"]
    assert sorted(n["series"][0]["sequence"] for n in series) == ["1", "2", "3", "4"]
    assert any(n["series"] and "-" in (n["series"][0]["sequence"] or "") for n in sample)  # omnibus
    assert any(n["isbn"] for n in sample)
    assert any(not n["isbn"] for n in sample)
    assert {n["origin_type"] for n in sample} >= {"Purchase", "Subscription", "AudibleChannels"}


def test_demo_export_has_the_goodreads_layout_and_most_library_books(sample):
    with open(DEMO_GOODREADS_EXPORT, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == GOODREADS_HEADER
        rows = list(reader)
    assert 50 <= len(rows) <= 70
    assert {r["Exclusive Shelf"] for r in rows} == {"read", "to-read", "currently-reading"}
    titles = {r["Title"] for r in rows}
    assert "The Way of Kings (The Stormlight Archive, #1)" in titles
    books = [n for n in sample if not n["is_podcast"]]

    def in_export(item):
        return any(t.split(" (")[0].startswith(item["title"].split(",")[0]) for t in titles)

    linked = [n for n in books if in_export(n)]
    assert len(books) * 0.6 < len(linked) < len(books)  # most, not all
    # a same-title book by another author is in the export, the library's author is not
    strangers = [r for r in rows if r["Title"] == "The Stranger"]
    assert [r["Author"] for r in strangers] == ["Harlan Coben"]


def test_load_library_accepts_a_list_or_an_items_object(tmp_path):
    items = generate_library(3, seed=1)
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps(items))
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"items": items, "response_groups": []}))
    assert load_library(listed) == load_library(wrapped) == items
    assert len(load_library(SAMPLE_LIBRARY)) == len(sample_library())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"titles": []}))
    with pytest.raises(ValueError, match="items"):
        load_library(bad)


def test_duplicate_asins_are_refused():
    item = generate_library(1)[0]
    with pytest.raises(ValueError, match="twice"):
        create_app([item, dict(item)])


def test_generator_is_unique_deterministic_and_normalises():
    items = generate_library(2500, seed=3)
    assert len({i["asin"] for i in items}) == 2500
    assert generate_library(50, seed=3) == items[:50]
    assert generate_library(50, seed=4) != items[:50]
    normalised = [normalize_item(i) for i in items]
    assert sum(n["is_podcast"] for n in normalised) > 10
    assert sum(n["status"] == "Revoked" for n in normalised) > 5
    assert sum(n["progress"]["is_finished"] for n in normalised) > 300
    assert len({(n["title"], tuple(n["authors"])) for n in normalised}) > 2400


def test_generator_is_fast_enough_for_benchmarks():
    generate_library(10, seed=0)  # load the bundled titles once
    started = time.process_time()
    items = generate_library(10_000, seed=9)
    assert len({i["asin"] for i in items}) == 10_000
    assert time.process_time() - started < 2.0  # well under 1 s on a quiet machine


@pytest.mark.parametrize(
    ("goodreads", "style", "expected"),
    [
        (
            "The Way of Kings (The Stormlight Archive, #1)",
            0,
            ("The Way of Kings", "The Stormlight Archive, Book 1"),
        ),
        (
            "The Way of Kings (The Stormlight Archive, #1)",
            1,
            ("The Way of Kings: The Stormlight Archive, Book 1", None),
        ),
        (
            "Harry Potter and the Chamber of Secrets (Harry Potter, #2)",
            3,
            ("Harry Potter and the Chamber of Secrets, Book 2", None),
        ),
        ("Sapiens: A Brief History of Humankind", 0, ("Sapiens", "A Brief History of Humankind")),
    ],
)
def test_audible_title_styles(goodreads, style, expected):
    title, subtitle, _series = audible_title(goodreads, style)
    assert (title, subtitle) == expected


def test_sandbox_loads_items_whose_listening_status_is_not_an_object():
    from audible_gateway.sandbox.state import SandboxState

    state = SandboxState(
        [
            {"asin": "B0BADSTAT1", "title": "Odd", "listening_status": "finished"},
            {"asin": "B0BADSTAT2", "title": "Odd too", "listening_status": ["x"]},
        ]
    )
    assert set(state.items) == {"B0BADSTAT1", "B0BADSTAT2"}

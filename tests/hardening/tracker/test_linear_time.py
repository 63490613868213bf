"""Work grows at most linearly with the text, for every field a person or Audible fills in.

Every text field of every importer (Goodreads, StoryGraph, through the row reader the API and
``manage.py import_books`` share), every library-file field (``--from-file``: audible-cli CSV
columns and JSON item fields) and the search parameter get pathological text
(``tests/hardening/hostile_shapes.py``: long runs of one character, nested brackets,
alternations of ``#``/``(``/``)``, separators, every Unicode category; hypothesis also makes
up its own units). The time on 100 KB is compared with the time on 10 KB: linear work is
about 10x, the quadratic series parse was about 100x. The bound is generous (50x) and a
ratio, never an absolute time, so a busy machine does not fail it; 1 MiB values are checked
the same way against 100 KB.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.hardening.hostile_shapes import KB
from tests.hardening.hostile_shapes import SHAPES
from tests.hardening.hostile_shapes import MiB
from tests.hardening.hostile_shapes import seconds
from tracker_api.audible_sync.library_files import EXPORT_COLUMNS
from tracker_api.audible_sync.library_files import parse_library_text
from tracker_api.books.importers import goodreads
from tracker_api.books.importers import storygraph
from tracker_api.books.importers.records import RowError
from tracker_api.books.importers.runner import read_row
from tracker_api.books.models import Book
from tracker_api.books.search import filter_by_search

MAX_GROWTH = 50.0  # per 10x more text; linear is ~10, quadratic ~100
ITEM_FIELDS = ("title", "subtitle", "isbn", "language", "release_date", "purchase_date",
               "content_type", "format_type", "status", "authors", "narrators", "series",
               "sequence", "runtime_length_min", "percent_complete")  # fmt: skip


def _importer(module, column: str):
    base = dict.fromkeys(module.CELL_BUDGETS, "")
    base.update({"Title": "T", "Book Id": "1"} if module is goodreads else {"Title": "T"})

    def run(text: str) -> object:
        try:
            return read_row(module, {**base, column: text}, 2)
        except RowError as exc:
            return exc

    return run


def _library_csv(column: str):
    def run(text: str) -> object:
        row = dict.fromkeys(EXPORT_COLUMNS, "") | {"asin": "B000000001", "title": "T"}
        row[column] = text
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerow(row)
        return parse_library_text(out.getvalue())

    return run


def _library_json(field: str):
    def run(text: str) -> object:
        item: dict[str, object] = {"asin": "B000000001", "title": "T"}
        if field in ("authors", "narrators"):
            item[field] = [{"name": text}]
        elif field in ("series", "sequence"):
            item["series"] = [{"title": text if field == "series" else "S", "sequence": text}]
        else:
            item[field] = text
        return parse_library_text(json.dumps([item]))

    return run


def _search(text: str) -> object:
    return str(filter_by_search(Book.objects.all(), text).query)


TARGETS = {
    **{f"goodreads:{c}": _importer(goodreads, c) for c in goodreads.CELL_BUDGETS},
    **{f"storygraph:{c}": _importer(storygraph, c) for c in storygraph.CELL_BUDGETS},
    **{f"library-csv:{c}": _library_csv(c) for c in EXPORT_COLUMNS},
    **{f"library-json:{f}": _library_json(f) for f in ITEM_FIELDS},
    "search": _search,
}


def growth(work, text_of, small: int, large: int) -> float:
    small_text, large_text = text_of(small), text_of(large)
    small_s = max(seconds(lambda: work(small_text), repeat=3), 0.001)
    large_s = seconds(lambda: work(large_text), repeat=2)
    return large_s / small_s


def _unit_text(unit: str):
    return lambda n: (unit * (n // len(unit) + 1))[:n]


texts = st.one_of(
    st.sampled_from(sorted(SHAPES)).map(lambda name: SHAPES[name]),
    st.text(min_size=1, max_size=6).map(_unit_text),
)


@pytest.mark.django_db
@pytest.mark.parametrize("target", sorted(TARGETS))
@settings(
    max_examples=4,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text_of=texts)
@example(text_of=SHAPES["x( + #..."])
@example(text_of=SHAPES["unicode categories"])
def test_work_grows_at_most_linearly_10_kb_to_100_kb(target, text_of):
    ratio = growth(TARGETS[target], text_of, 10 * KB, 100 * KB)
    assert ratio < MAX_GROWTH, f"{target}: 100 KB took {ratio:.0f}x the time of 10 KB"


FAMILIES = ["goodreads:Title", "storygraph:Authors", "library-csv:title",
            "library-json:title", "search"]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("target", FAMILIES)
@pytest.mark.parametrize("shape", ["x( + #...", "spaces", "unicode categories", "nested ("])
def test_one_mib_values_cost_at_most_linearly_more_than_100_kb(target, shape):
    ratio = growth(TARGETS[target], SHAPES[shape], 100 * KB, MiB)
    assert ratio < MAX_GROWTH, f"{target}/{shape}: 1 MiB took {ratio:.0f}x the time of 100 KB"

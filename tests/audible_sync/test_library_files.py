"""Readers for the Audible library files people have: API JSON, /1.0/library, audible-cli."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tracker_api.audible_sync.library_files import LibraryFileError
from tracker_api.audible_sync.library_files import read_library_file

HEADER = (
    "asin\ttitle\tsubtitle\textended_product_description\tauthors\tnarrators\tseries_title\t"
    "series_sequence\tgenres\truntime_length_min\tis_finished\tpercent_complete\trating\t"
    "num_ratings\tdate_added\trelease_date\tcover_url\tpurchase_date"
)
ROW = (
    "B002V1OF70\tTripwire\tJack Reacher, Book 3\t\tLee Child\tDick Hill\tJack Reacher\t3\t"
    "Thriller\t720\tFalse\t42.5\t4.5\t100\t2020-01-01T10:00:00Z\t2006-05-01\t\t"
    "2020-01-01T10:00:00Z"
)
API_ITEM = {
    "asin": "B07D23CFGR",
    "title": "Atomic Habits",
    "subtitle": "An Easy & Proven Way to Build Good Habits & Break Bad Ones",
    "authors": [{"asin": "B07DM2ML9G", "name": "James Clear"}],
    "narrators": [{"name": "James Clear"}],
    "series": None,
    "runtime_length_min": 335,
    "release_date": "2018-10-16",
    "language": "english",
    "is_finished": True,
    "_source": {"ignored": True},
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_reads_a_json_list_of_api_items(tmp_path: Path) -> None:
    items, errors = read_library_file(_write(tmp_path, "l.json", json.dumps([API_ITEM])))
    assert errors == []
    assert items[0]["authors"] == ["James Clear"]
    assert items[0]["progress"]["is_finished"] is True
    assert "_source" not in items[0]


def test_it_reads_a_full_library_response(tmp_path: Path) -> None:
    second = {**API_ITEM, "asin": "B0SECOND00", "title": "Second", "is_finished": False}
    reply = {"items": [API_ITEM, second], "response_groups": ["product_desc", "series"]}
    items, errors = read_library_file(_write(tmp_path, "library.json", json.dumps(reply)))
    assert errors == []
    assert [i["asin"] for i in items] == ["B07D23CFGR", "B0SECOND00"]


@pytest.mark.parametrize("delimiter", ["\t", ","], ids=["tsv", "csv"])
def test_it_reads_an_audible_cli_export(tmp_path: Path, delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerows([HEADER.split("\t"), ROW.split("\t")])
    items, errors = read_library_file(_write(tmp_path, "library.txt", buffer.getvalue()))
    assert errors == []
    (one,) = items
    assert one["asin"] == "B002V1OF70"
    assert one["series"] == [{"title": "Jack Reacher", "sequence": "3"}]
    assert one["runtime_min"] == 720
    assert one["progress"]["is_finished"] is False  # "False" is not truthy here
    assert one["progress"]["percent"] == 42.5


def test_it_reads_an_audible_cli_json_export(tmp_path: Path) -> None:
    row = dict(zip(HEADER.split("\t"), ROW.split("\t"), strict=True))
    items, errors = read_library_file(_write(tmp_path, "library.json", json.dumps([row])))
    assert errors == []
    assert items[0]["authors"] == ["Lee Child"]
    assert items[0]["subtitle"] == "Jack Reacher, Book 3"


def test_it_reports_bad_rows_and_keeps_the_rest(tmp_path: Path) -> None:
    text = f"{HEADER}\n{ROW}\n\tNo ASIN here\n"
    items, errors = read_library_file(_write(tmp_path, "library.tsv", text))
    assert len(items) == 1
    assert errors == [{"line": 3, "reason": "item has no ASIN"}]
    json_items, json_errors = read_library_file(
        _write(tmp_path, "l.json", json.dumps([API_ITEM, {"asin": "B0X", "title": None}]))
    )
    assert len(json_items) == 1
    assert json_errors == [{"asin": "B0X", "reason": "item B0X has no title"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("{not json", "not valid JSON", id="broken-json"),
        pytest.param('{"total": 3}', "'items' list", id="object-without-items"),
        pytest.param("title,author\nDune,Herbert\n", "'asin' column", id="other-csv"),
    ],
)
def test_it_refuses_files_it_cannot_read(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LibraryFileError, match=message):
        read_library_file(_write(tmp_path, "f", text))

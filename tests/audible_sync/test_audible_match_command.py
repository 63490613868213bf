"""``manage.py audible_match``: the dry run over a real import, on the real database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tracker_api.books.models import Book

pytestmark = pytest.mark.django_db

GOODREADS_HEADER = [
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN", "ISBN13",
    "My Rating", "Average Rating", "Publisher", "Binding", "Number of Pages", "Year Published",
    "Original Publication Year", "Date Read", "Date Added", "Bookshelves",
    "Bookshelves with positions", "Exclusive Shelf", "My Review", "Spoiler", "Private Notes",
    "Read Count", "Owned Copies",
]  # fmt: skip
BOOKS = [
    ("2767052", "The Hunger Games (The Hunger Games, #1)", "Suzanne Collins", "0439023483", 2008),
    ("6148028", "Catching Fire (The Hunger Games, #2)", "Suzanne Collins", "0439023491", 2009),
    ("7260188", "Mockingjay (The Hunger Games, #3)", "Suzanne Collins", "0439023513", 2010),
    ("1885", "Pride and Prejudice", "Jane Austen", "0679783261", 1813),
]


def _goodreads_csv(path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=GOODREADS_HEADER)
    writer.writeheader()
    for book_id, title, author, isbn, year in BOOKS:
        writer.writerow(
            {
                "Book Id": book_id, "Title": title, "Author": author, "ISBN": f'="{isbn}"',
                "Original Publication Year": year, "Exclusive Shelf": "read",
                "Date Added": "2020/01/01",
            }
        )  # fmt: skip
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _api_item(asin: str, title: str, authors: list[str], **extra) -> dict:
    return {"asin": asin, "title": title, "authors": [{"name": a} for a in authors], **extra}


@pytest.fixture
def reader(tmp_path: Path) -> str:
    call_command("create_user", "reader", stdout=io.StringIO())
    call_command(
        "import_books", "--user", "reader", str(_goodreads_csv(tmp_path / "gr.csv")),
        stdout=io.StringIO(),
    )  # fmt: skip
    return "reader"


def _run(*args: str) -> tuple[list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audible_match", *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_it_prints_one_decision_per_item_and_writes_nothing(reader: str, tmp_path: Path) -> None:
    library = tmp_path / "library.json"
    library.write_text(
        json.dumps(
            {
                "items": [
                    _api_item("B001", "The Hunger Games (Unabridged)", ["Suzanne Collins"]),
                    _api_item(
                        "B002",
                        "Catching Fire",
                        ["Suzanne Collins"],
                        series=[{"title": "The Hunger Games", "sequence": "3"}],
                    ),
                    _api_item("B003", "Pride and Prejudice (Dramatised)", ["Jane Austen"]),
                    _api_item("B004", "Project Hail Mary", ["Andy Weir"]),
                ]
            }
        ),
        encoding="utf-8",
    )
    books_before = list(Book.objects.values_list("id", "updated_at").order_by("id"))

    lines, err = _run("--user", reader, "--library", str(library))

    assert err == ""
    assert [(line["asin"], line["decision"]) for line in lines] == [
        ("B001", "linked"),
        ("B002", "conflict"),
        ("B003", "new"),
        ("B004", "new"),
    ]
    linked = lines[0]["book"]
    assert linked["goodreads_id"] == "2767052"
    assert linked["title"] == "The Hunger Games"
    assert linked["authors"] == ["Suzanne Collins"]
    assert {"id", "distance", "reasons"} <= set(linked)
    assert lines[0]["confidence"] > 0.9
    conflict = lines[1]
    assert conflict["book"] is None
    assert conflict["candidates"][0]["title"] == "Catching Fire"
    assert "series number differs: 3 vs 2" in conflict["candidates"][0]["reasons"]
    assert len(conflict["candidates"]) <= 5
    assert list(Book.objects.values_list("id", "updated_at").order_by("id")) == books_before


def test_it_reads_an_audible_cli_export_and_reports_bad_rows(reader: str, tmp_path: Path) -> None:
    export = tmp_path / "library.tsv"
    export.write_text(
        "asin\ttitle\tsubtitle\tauthors\tseries_title\tseries_sequence\n"
        "B0MOCK0001\tMockingjay\tThe Hunger Games, Book 3\tSuzanne Collins\tThe Hunger Games\t3\n"
        "\tNo ASIN\t\tSomeone\t\t\n",
        encoding="utf-8",
    )
    lines, err = _run("--user", reader, "--library", str(export))
    assert [(line["asin"], line["decision"]) for line in lines] == [("B0MOCK0001", "linked")]
    error = json.loads(err.strip())["error"]
    assert error == {"code": "unreadable_item", "message": "item has no ASIN", "line": 3}


def test_it_refuses_unknown_users_and_unreadable_files(reader: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        _run("--user", "nobody", "--library", str(tmp_path / "x.json"))
    with pytest.raises(CommandError, match="Cannot read"):
        _run("--user", reader, "--library", str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{oops", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        _run("--user", reader, "--library", str(broken))
    with pytest.raises(CommandError, match="Invalid --config"):
        _run("--user", reader, "--library", str(broken), "--config", '{"nope": 1}')

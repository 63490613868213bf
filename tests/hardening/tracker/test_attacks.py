"""The attacks of issue #15, exactly as they were made, each now cheap and answered clearly.

* a Goodreads Title of ``x(`` and a long run of ``#`` froze a worker (``split_series``
  backtracked quadratically), through the API and through ``manage.py import_books``;
* a search of 1,001 words was a 500 on SQLite and unbounded work on PostgreSQL, in the API
  and in the admin's search boxes;
* a hand-edited auth file reached the ``audible`` package's private attributes (the gateway
  crashed, the tracker retried the 500 four times and answered 502 after 7 s).

Time budgets are ratios against ordinary input of the same size, never absolute times.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import threading
import time

import audible
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.hardening.hostile_shapes import MiB
from tests.support.factories import BookFactory
from tracker_api.books.importers import ImportTooLarge
from tracker_api.books.importers import import_books
from tracker_api.books.importers.records import TITLE_CELL_LIMIT
from tracker_api.books.importers.records import split_series
from tracker_api.books.models import Book
from tracker_api.core.search_bounds import SEARCH_MAX_WORDS

from .csvs import GOODREADS_COLUMNS
from .csvs import GOODREADS_HEADER
from .csvs import goodreads_row

# The ratio a hostile input may cost over ordinary input of the same size: linear work
# keeps it near 1; the quadratic parse made it thousands.
TIME_RATIO = 5.0


def _row(book_id: int, title: str, review: str = "") -> str:
    values = dict.fromkeys(GOODREADS_COLUMNS, "")
    values.update(
        {"Book Id": str(book_id), "Title": title, "Author": "Ann Author", "My Review": review}
    )
    values["Exclusive Shelf"] = "to-read"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([values[c] for c in GOODREADS_COLUMNS])
    return out.getvalue()


def _hostile_csv(rows: int, cell: int) -> str:
    """``rows`` rows whose Title is ``x(`` and ``cell`` characters of ``#``, plus one good row."""
    lines = [GOODREADS_HEADER, _row(1, "A Good Book")]
    lines += [_row(i, "x(" + "#" * cell) for i in range(2, rows + 2)]
    return "\n".join(lines) + "\n"


def _benign_csv(rows: int, cell: int) -> str:
    """The same size and rows, the long text in a column no parser reads (My Review)."""
    lines = [GOODREADS_HEADER, _row(1, "A Good Book")]
    lines += [_row(i, f"Book {i}", review="r" * cell) for i in range(2, rows + 2)]
    return "\n".join(lines) + "\n"


def _best(work, repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _upload(api, text: str):
    upload = SimpleUploadedFile("attack.csv", text.encode(), content_type="text/csv")
    return api.post("/api/books/import", {"file": upload}, format="multipart")


# ----------------------------------------------------------------------------- split_series
@pytest.mark.parametrize("size", [20_000, 40_000, MiB])
def test_the_reported_title_is_parsed_in_linear_time(size):
    """20,000 characters took 2 s and 40,000 took 8 s; 1 MiB would have taken hours."""
    ordinary = "Catching Fire " * (size // 14)
    hostile = "x(" + "#" * size
    assert split_series(hostile) == (hostile, "", "")
    assert _best(lambda: split_series(hostile)) <= TIME_RATIO * max(
        _best(lambda: split_series(ordinary)), 0.001
    )


def test_the_series_suffix_is_still_read():
    assert split_series("Catching Fire (The Hunger Games, #2)") == (
        "Catching Fire",
        "The Hunger Games",
        "2",
    )
    assert split_series("x(" + "#" * 50 + "1)") == ("x", "#" * 49, "1")
    assert split_series("x(" + "#" * 50 + ")") == ("x(" + "#" * 50 + ")", "", "")
    assert split_series("T (A #, #1; B, #4)") == ("T", "A #", "1")


# ----------------------------------------------------------------------------- CSV upload
def test_the_attack_upload_is_answered_row_by_row_in_linear_time(api):
    """Rows of ``x(`` + 1 MiB - 10 of ``#`` (the CSV field cap): each is skipped at once for
    its over-long Title, the good row is imported, and the upload costs about what an
    ordinary upload of the same size does."""
    rows, cell = 4, MiB - 10
    hostile, benign = _hostile_csv(rows, cell), _benign_csv(rows, cell)
    assert abs(len(hostile) - len(benign)) < 100
    response = _upload(api, hostile)
    assert response.status_code == 200, response.content[:300]
    result = response.json()
    assert result["created"] == 1, result
    assert [row["line"] for row in result["skipped"]] == list(range(3, rows + 3))
    assert all("Title field is too long" in row["reason"] for row in result["skipped"])
    Book.objects.all().delete()
    hostile_s = _best(lambda: _upload(api, hostile))
    benign_s = _best(lambda: _upload(api, benign))
    assert hostile_s <= TIME_RATIO * benign_s, (hostile_s, benign_s)


def test_titles_just_inside_the_budget_are_parsed_quickly_too(api):
    """The budget is not the only defence: a Title at its limit is parsed in linear time."""
    cell = TITLE_CELL_LIMIT - 2
    rows = 300
    started = time.perf_counter()
    result = _upload(api, _hostile_csv(rows, cell)).json()
    hostile_s = time.perf_counter() - started
    Book.objects.all().delete()
    started = time.perf_counter()
    _upload(api, _benign_csv(rows, cell))
    benign_s = time.perf_counter() - started
    # The long titles are imported as titles (no series in them), or skipped as too long
    # for the column; never a freeze.
    assert result["created"] + len(result["skipped"]) == rows + 1
    assert hostile_s <= TIME_RATIO * benign_s, (hostile_s, benign_s)


def test_the_attack_through_manage_py_import_books_is_bounded_the_same(alice, tmp_path):
    rows, cell = 3, MiB - 10
    hostile, benign = tmp_path / "hostile.csv", tmp_path / "benign.csv"
    hostile.write_text(_hostile_csv(rows, cell))
    benign.write_text(_benign_csv(rows, cell))
    out = io.StringIO()
    call_command("import_books", "--user", "alice", str(hostile), stdout=out)
    assert "1 created" in out.getvalue()
    assert out.getvalue().count("Title field is too long") == rows
    Book.objects.all().delete()
    hostile_s = _best(lambda: call_command("import_books", "--user", "alice", str(hostile)))
    benign_s = _best(lambda: call_command("import_books", "--user", "alice", str(benign)))
    assert hostile_s <= TIME_RATIO * benign_s, (hostile_s, benign_s)


def test_a_stream_of_unknown_size_is_cut_at_the_import_cap(alice, settings):
    """A pipe (``manage.py import_books --user x /dev/stdin``) has no size to check up front:
    its bytes are counted, and the import stops at TRACKER_IMPORT_MAX_BYTES."""
    settings.TRACKER_IMPORT_MAX_BYTES = 256 * 1024
    read_end, write_end = os.pipe()

    def feed() -> None:
        sink = os.fdopen(write_end, "wb")
        try:
            sink.write((GOODREADS_HEADER + "\n").encode())
            for i in range(1, 100_000):
                sink.write((goodreads_row(i, f"Piped {i}") + "\n").encode())
            sink.close()
        except BrokenPipeError:  # the importer stopped reading: that is the point
            with contextlib.suppress(OSError):
                sink.close()

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        with os.fdopen(read_end, "rb") as source, pytest.raises(ImportTooLarge):
            import_books(alice, source)
    finally:
        writer.join(timeout=30)
    assert Book.objects.count() == 0  # all or nothing, as for any refused file


# ----------------------------------------------------------------------------- search
def _distinct_words(count: int) -> list[str]:
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    words = []
    for n in range(count):
        word = ""
        n += 26 * 27  # at least three letters
        while n:
            n, rem = divmod(n, 26)
            word = alphabet[rem] + word
        words.append(word)
    return words


def _search_sql(api, query: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/books", {"search": query})
    assert response.status_code == 200, response.content[:300]
    return response.json()["count"], " ".join(q["sql"] for q in queries.captured_queries)


def test_a_search_of_ten_thousand_words_is_bounded_work(api, alice):
    """1,001 words were a 500 on SQLite ("Expression tree is too large"); this suite runs on
    PostgreSQL in CI and on SQLite with ``make test-sqlite``."""
    BookFactory(user=alice, title="Harry Potter and the Goblet of Fire", authors=["J. K. Rowling"])
    words = _distinct_words(10_000)
    count, sql = _search_sql(api, " ".join(["harry", *words]))
    assert count == 0  # every word must occur: the others do not
    # Only the first SEARCH_MAX_WORDS distinct words make conditions.
    assert words[SEARCH_MAX_WORDS - 2] in sql
    assert words[SEARCH_MAX_WORDS] not in sql
    assert len(sql) < 20_000
    count, _ = _search_sql(api, " ".join(["harry"] * 10_000 + ["potter"] * 10_000))
    assert count == 1  # repeated words count once


def test_a_long_search_costs_about_what_a_short_one_does(api, alice):
    BookFactory(user=alice, title="Dune", authors=["Frank Herbert"])
    short = " ".join(_distinct_words(SEARCH_MAX_WORDS))
    long_ = " ".join(_distinct_words(10_000))
    short_s = _best(lambda: _search_sql(api, short), repeat=3)
    long_s = _best(lambda: _search_sql(api, long_), repeat=3)
    assert long_s <= TIME_RATIO * short_s, (long_s, short_s)


def test_the_admin_search_box_takes_ten_thousand_words(admin_client, admin_user):
    BookFactory(user=admin_user, title="Dune Messiah", authors=["Frank Herbert"])
    words = " ".join(["dune", *_distinct_words(10_000)])
    for url in ("/admin/books/book/", "/admin/audible_sync/audibleconflict/"):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, {"q": words})
        assert response.status_code == 200, url
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert len(re.findall(r"LIKE", sql, flags=re.IGNORECASE)) < 200, url
    response = admin_client.get("/admin/books/book/", {"q": "dune " * 5000})
    assert b"Dune Messiah" in response.content


# ----------------------------------------------------------------------------- auth files
def _private_attributes() -> list[str]:
    """Every private attribute an Authenticator carries: ``_crypto_provider``,
    ``_apply_test_convert``, ``_forbid_new_attrs``... read from the installed package."""
    auth = audible.Authenticator()
    names = {n for n in dir(auth) if n.startswith("_") and not n.startswith("__")}
    return sorted(names | {"__class__", "__dict__"})


class _CountingApp:
    """Counts the requests the gateway's WSGI app receives (the tracker must not retry)."""

    def __init__(self, app) -> None:
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/api/auth":
            self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture
def counted_gateway(wired, stack):
    flask_app = stack.gateway_app
    original = flask_app.wsgi_app
    counter = _CountingApp(original)
    flask_app.wsgi_app = counter
    yield counter
    flask_app.wsgi_app = original


@pytest.fixture
def auth_file(stack, sealed) -> dict:
    sealer = stack.gateway_app.extensions["audible_gateway"].sealer
    return audible.Authenticator.from_dict(sealer.open(sealed, "audible_auth").data).to_dict()


@pytest.mark.parametrize("key", _private_attributes())
def test_an_auth_file_with_a_private_attribute_is_refused_once_naming_it(
    api, counted_gateway, auth_file, key
):
    response = api.post(
        "/api/audible/auth",
        {"method": "file", "auth_file": {**auth_file, key: "x"}},
        format="json",
    )
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "auth_file_invalid"
    assert repr(key) in error["message"]
    assert counted_gateway.calls == 1  # a 4xx is never retried (the 500 was, four times)


# ----------------------------------------------------------------------------- Audible items
@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("title", "x(" + "#" * MiB, "the title is longer than 1000"),
        ("subtitle", "s" * 1001, "the subtitle is longer than 1000"),
        ("authors", [{"name": "n" * 301}], "a name in authors is longer than 300"),
        ("authors", [{"name": "n"}] * 101, "authors lists more than 100"),
        ("narrators", "a, " * 20_000, "narrators is longer than"),
        ("series", [{"title": "s", "sequence": "1" * 10_000}], "a sequence is longer than 64"),
        ("series", [{"title": "s"}] * 51, "series lists more than 50"),
        ("release_date", "2" * MiB, "a date is longer than 64"),
        ("percent_complete", "9" * MiB, "a percentage is longer than 64"),
    ],
)
def test_an_audible_item_over_a_field_budget_is_reported_not_parsed(field, value, reason):
    from audible_contract.items import MalformedItem
    from audible_contract.items import normalize_item

    with pytest.raises(MalformedItem) as refused:
        normalize_item({"asin": "B000000001", "title": "T", field: value})
    assert refused.value.asin == "B000000001"
    assert reason in refused.value.reason
    assert len(refused.value.reason) < 200

"""Reads through the REST API: a book's reads listed, recorded, edited and deleted by hand,
and the flat list with its filters. Every write leaves the book as ``books.reading`` derives
it from its reads (the rule the sync uses), and every answer validates against the schema."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from tests.core.test_schema import assert_conforms
from tests.core.test_schema import schema  # noqa: F401 - fixture
from tests.support.factories import BookFactory
from tracker_api.books import reading
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead

pytestmark = pytest.mark.django_db
READS = "/api/books/{id}/reads"
READ = "/api/books/{id}/reads/{read_id}"


def _consistent(book: Book) -> None:
    book.refresh_from_db()
    assert reading.book_changes(book, list(book.reads.all())) == {}


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_recording_editing_and_deleting_reads_keeps_the_book_consistent(
    schema,  # noqa: F811
    api,
    alice,
):
    book = BookFactory(user=alice, title="Dune")
    url = f"/api/books/{book.pk}/reads"
    created = api.post(
        url,
        {"status": "reading", "started_at": "2025-01-02T10:00:00Z", "percent": 12.5},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert_conforms(schema, READS, "post", created)
    body = created.json()
    assert body["read"]["source"] == "manual"
    assert (body["book"]["status"], body["book"]["progress_percent"]) == ("reading", 12.5)
    _consistent(book)

    read_id = body["read"]["id"]
    finished = api.patch(
        f"{url}/{read_id}", {"status": "read", "finished_at": "2025-02-01T21:00:00Z"}, format="json"
    )
    assert finished.status_code == 200, finished.content
    assert_conforms(schema, READ, "patch", finished)
    assert finished.json()["read"]["percent"] == 100.0
    assert finished.json()["book"]["status"] == "read"
    assert finished.json()["book"]["finished_at"] == "2025-02-01T21:00:00Z"
    _consistent(book)

    again = api.post(
        url, {"status": "reading", "started_at": "2025-06-01T00:00:00Z"}, format="json"
    )
    assert again.json()["book"]["status"] == "reading"  # a re-read opens
    listed = api.get(url)
    assert_conforms(schema, READS, "get", listed)
    assert [r["status"] for r in listed.json()["results"]] == ["reading", "read"]

    gone = api.delete(f"{url}/{again.json()['read']['id']}")
    assert gone.status_code == 200
    assert_conforms(schema, READ, "delete", gone)
    assert gone.json()["read"] is None
    assert gone.json()["book"]["status"] == "read"  # the earlier read decides again
    _consistent(book)

    last = api.delete(f"{url}/{read_id}")
    assert last.json()["book"]["status"] == "want_to_read"
    assert last.json()["book"]["progress_percent"] == 0.0
    assert last.json()["book"]["finished_at"] is None
    assert not BookRead.objects.filter(book=book).exists()


def test_what_may_not_be_stored_is_a_400_naming_the_field(schema, api, alice):  # noqa: F811
    book = BookFactory(user=alice)
    url = f"/api/books/{book.pk}/reads"
    api.post(url, {"status": "reading"}, format="json")
    cases = [
        ({"status": "reading"}, "status"),  # a second read in progress
        (
            {
                "status": "read",
                "started_at": "2025-02-01T00:00:00Z",
                "finished_at": "2025-01-01T00:00:00Z",
            },
            "finished_at",
        ),
        ({"status": "did_not_finish", "percent": 140}, "percent"),
        ({"status": "reading", "finished_at": "2025-01-01T00:00:00Z"}, "finished_at"),
        ({"statuss": "read"}, "statuss"),
        ({"source": "audible"}, "source"),
    ]
    for body, field in cases:
        refused = api.post(url, body, format="json")
        assert refused.status_code == 400, (body, refused.content)
        assert field in refused.json()["error"]["fields"], (body, refused.json())
        assert_conforms(schema, READS, "post", refused)
    assert BookRead.objects.filter(book=book).count() == 1
    no_json = api.generic("POST", url, '{"status": "read"}', content_type="text/plain")
    assert no_json.status_code == 415


def test_the_flat_list_filters_finished_in_a_year_and_in_progress(
    schema,  # noqa: F811
    api,
    alice,
    bob,
):
    def read(book, status, finished=None, started=None):
        return BookRead.objects.create(
            book=book,
            status=status,
            finished_at=finished,
            started_at=started,
            percent=100 if status == "read" else 30,
        )

    first, second, third = (BookFactory(user=alice, title=t) for t in ("A", "B", "C"))
    read(first, "read", _at("2024-12-31T23:00:00"))
    read(first, "read", _at("2025-03-01T10:00:00"))
    read(second, "read", _at("2025-11-20T10:00:00"))
    read(third, "reading", started=_at("2026-01-05T10:00:00"))
    read(BookFactory(user=bob, title="Bob's"), "read", _at("2025-05-05T00:00:00"))

    def titles(query: str) -> list[str]:
        answer = api.get(f"/api/reads{query}")
        assert answer.status_code == 200, answer.content
        assert_conforms(schema, "/api/reads", "get", answer)
        return [r["book_title"] for r in answer.json()["results"]]

    assert titles("?finished_year=2025") == ["B", "A"]
    assert titles("?in_progress=true") == ["C"]
    assert titles("?finished_after=2025-01-01&finished_before=2025-06-01") == ["A"]
    assert titles(f"?book={first.pk}") == ["A", "A"]
    assert sorted(titles("")) == ["A", "A", "B", "C"]  # never Bob's
    for bad in (
        "?finished_year=20x5",
        "?in_progress=maybe",
        "?status=done",
        "?finished_after=yesterday",
    ):
        refused = api.get(f"/api/reads{bad}")
        assert refused.status_code == 400, bad
        assert_conforms(schema, "/api/reads", "get", refused)


def test_another_persons_book_and_read_are_404(api, alice, bob_api, bob):
    book = BookFactory(user=alice)
    read = api.post(f"/api/books/{book.pk}/reads", {"status": "reading"}, format="json").json()
    url = f"/api/books/{book.pk}/reads"
    assert bob_api.get(url).status_code == 404
    assert bob_api.post(url, {"status": "read"}, format="json").status_code == 404
    assert bob_api.get(f"{url}/{read['read']['id']}").status_code == 404
    assert (
        bob_api.patch(f"{url}/{read['read']['id']}", {"percent": 5}, format="json").status_code
        == 404
    )
    assert bob_api.delete(f"{url}/{read['read']['id']}").status_code == 404
    assert bob_api.get("/api/reads").json()["count"] == 0
    # A read of another of the owner's books is not reachable through this book either.
    other = BookFactory(user=alice)
    assert api.get(f"/api/books/{other.pk}/reads/{read['read']['id']}").status_code == 404
    assert BookRead.objects.filter(book=book).count() == 1

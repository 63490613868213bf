"""``/api/books``: CRUD, validation, scoping to the owner, filters, search and paging."""

from __future__ import annotations

import pytest

from tests.support.factories import BookFactory
from tracker_api.books.models import Book

pytestmark = pytest.mark.django_db


def test_it_creates_a_book_with_normalised_isbns(api, alice):
    response = api.post(
        "/api/books",
        {"title": "The Hobbit", "authors": ["J.R.R. Tolkien"], "isbn10": "0-261-10221-4"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["isbn10"] == "0261102214"
    assert body["isbn13"] == "9780261102217"
    assert body["source"] == "manual"
    assert body["status"] == "want_to_read"
    assert Book.objects.get(pk=body["id"]).user == alice


def test_a_979_isbn13_has_no_isbn10(api):
    response = api.post("/api/books", {"title": "X", "isbn13": "979-10-90636-07-1"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["isbn10"] == ""
    assert response.json()["isbn13"] == "9791090636071"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "X", "isbn13": "9780261102218"}, "isbn13"),
        ({"title": "X", "isbn10": "9780261102217"}, "isbn10"),
        ({"title": "X", "progress_percent": 120}, "progress_percent"),
        ({"title": "X", "status": "finished"}, "status"),
        ({"title": ""}, "title"),
        ({"authors": ["A"]}, "title"),
    ],
    ids=["bad-checksum", "13-in-10", "percent", "status", "blank-title", "no-title"],
)
def test_it_refuses_invalid_fields_in_the_error_shape(api, payload, field):
    response = api.post("/api/books", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert error["message"]


def test_finished_before_started_is_refused(api):
    response = api.post(
        "/api/books",
        {"title": "X", "started_at": "2024-02-01T00:00:00Z", "finished_at": "2024-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "finished_at" in response.json()["error"]["fields"]


def test_goodreads_id_must_be_unique_for_the_owner(api, alice, bob):
    BookFactory(user=alice, goodreads_id="99")
    BookFactory(user=bob, goodreads_id="77")
    assert (
        api.post("/api/books", {"title": "X", "goodreads_id": "77"}, format="json").status_code
        == 201
    )
    response = api.post("/api/books", {"title": "Y", "goodreads_id": "99"}, format="json")
    assert response.status_code == 400
    assert "goodreads_id" in response.json()["error"]["fields"]


def test_it_reads_updates_and_deletes_a_book(api, alice):
    book = BookFactory(user=alice, title="Dune", authors=["Frank Herbert"])
    url = f"/api/books/{book.pk}"
    assert api.get(url).json()["title"] == "Dune"

    response = api.patch(url, {"status": "reading", "progress_percent": 12.5}, format="json")
    assert response.status_code == 200
    assert response.json()["progress_percent"] == 12.5
    assert response.json()["started_at"] is not None

    response = api.patch(url, {"status": "read"}, format="json")
    assert response.json()["progress_percent"] == 100
    assert response.json()["finished_at"] is not None

    response = api.put(url, {"title": "Dune Messiah", "authors": ["Frank Herbert"]}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Dune Messiah"
    book.refresh_from_db()
    assert book.search_text == "dune messiah frank herbert"

    assert api.delete(url).status_code == 204
    assert not Book.objects.filter(pk=book.pk).exists()


def test_another_persons_book_is_not_found(api, bob):
    theirs = BookFactory(user=bob)
    url = f"/api/books/{theirs.pk}"
    for response in (
        api.get(url),
        api.patch(url, {"title": "mine now"}, format="json"),
        api.put(url, {"title": "mine now"}, format="json"),
        api.delete(url),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert Book.objects.get(pk=theirs.pk).title != "mine now"
    assert theirs.pk not in [b["id"] for b in api.get("/api/books").json()["results"]]


def test_anonymous_requests_get_401_in_the_error_shape(anon, alice):
    book = BookFactory(user=alice)
    for response in (
        anon.get("/api/books"),
        anon.post("/api/books", {"title": "X"}, format="json"),
        anon.get(f"/api/books/{book.pk}"),
        anon.delete(f"/api/books/{book.pk}"),
        anon.post("/api/books/import", {}),
    ):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Token")


def test_a_wrong_token_is_401(anon):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anon.get("/api/books")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_the_browser_session_works_too(client, alice):
    client.force_login(alice)
    BookFactory(user=alice, title="Session book")
    response = client.get("/api/books")
    assert response.status_code == 200
    assert response.json()["results"][0]["title"] == "Session book"


def test_it_filters_by_status(api, alice):
    BookFactory(user=alice, title="A", status="reading")
    BookFactory(user=alice, title="B", status="read")
    titles = [b["title"] for b in api.get("/api/books?status=reading").json()["results"]]
    assert titles == ["A"]
    response = api.get("/api/books?status=nonsense")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_it_searches_title_and_authors_accent_blind(api, alice, bob):
    BookFactory(user=alice, title="Les Misérables", authors=["Victor Hugo"])
    BookFactory(user=alice, title="Notre-Dame de Paris", authors=["Victor Hugo"])
    BookFactory(user=alice, title="Dune", authors=["Frank Herbert"])
    BookFactory(user=bob, title="Les Miserables", authors=["Victor Hugo"])
    found = [b["title"] for b in api.get("/api/books?search=miserables").json()["results"]]
    assert found == ["Les Misérables"]
    found = {b["title"] for b in api.get("/api/books?search=HUGO").json()["results"]}
    assert found == {"Les Misérables", "Notre-Dame de Paris"}
    assert api.get("/api/books?search=tolstoy").json()["count"] == 0


def test_it_pages_the_drf_way_with_a_capped_page_size(api, alice):
    for n in range(7):
        BookFactory(user=alice, title=f"T{n}")
    body = api.get("/api/books?page_size=3").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 7
    assert len(body["results"]) == 3
    assert body["previous"] is None
    assert "page=2" in body["next"]
    last = api.get("/api/books?page_size=3&page=3").json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert len(api.get("/api/books?page_size=100000").json()["results"]) == 7
    assert api.get("/api/books?page=99").status_code == 404


def test_paths_have_no_trailing_slash(api, alice):
    book = BookFactory(user=alice)
    assert api.get("/api/books/").status_code == 404
    assert api.get(f"/api/books/{book.pk}/").status_code == 404
    assert api.get(f"/api/books/{book.pk}").status_code == 200
